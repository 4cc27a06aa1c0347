#include "http/error_mapping.hpp"

#include <algorithm>

namespace messenger::gateway {
namespace {

constexpr std::string_view kRateLimited = "RATE_LIMITED";

// A reason is only passed on when it looks like one: a short UPPER_SNAKE word.
bool IsReasonWord(std::string_view reason) {
  return !reason.empty() && reason.size() <= 64 && std::all_of(reason.begin(), reason.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::string_view FixedMessageFor(int http_status) {
  switch (http_status) {
    case 503:
      return "a backend service is unavailable; retry later";
    case 504:
      return "a backend service did not answer in time";
    default:
      return "internal error";
  }
}

}  // namespace

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kOutOfRange:
      return 400;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kAborted:
      return 409;
    case StatusCode::kResourceExhausted:
      return 429;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kDeadlineExceeded:
      return 504;
    case StatusCode::kOk:  // an OK status is not an error; treat a caller's mistake as ours
    case StatusCode::kCancelled:
    case StatusCode::kUnknown:
    case StatusCode::kUnimplemented:
    case StatusCode::kInternal:
    case StatusCode::kDataLoss:
      return 500;
  }
  return 500;
}

std::string ErrorCodeFor(const Status& status) {
  int http = HttpStatusFor(status.code());
  if (http == 429) return std::string(kRateLimited);
  if (http == 500) return "INTERNAL";
  if (http < 500 && IsReasonWord(status.reason())) return status.reason();
  return std::string(StatusCodeName(status.code()));
}

Response ErrorResponseFor(const Status& status, std::optional<std::chrono::seconds> retry_after) {
  int http = HttpStatusFor(status.code());
  std::string_view message = http >= 500 ? FixedMessageFor(http) : std::string_view(status.message());
  if (message.empty()) message = StatusCodeName(status.code());
  Response r = ErrorResponse(http, ErrorCodeFor(status), message);
  if (http == 429) {
    long long seconds = retry_after && retry_after->count() > 0 ? retry_after->count() : 1;
    r.headers.emplace_back("Retry-After", std::to_string(seconds));
  }
  if (http == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

}  // namespace messenger::gateway
