#include "messenger/common/status.hpp"

namespace messenger {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kCancelled: return "CANCELLED";
    case StatusCode::kUnknown: return "UNKNOWN";
    case StatusCode::kInvalidArgument: return "INVALID_ARGUMENT";
    case StatusCode::kDeadlineExceeded: return "DEADLINE_EXCEEDED";
    case StatusCode::kNotFound: return "NOT_FOUND";
    case StatusCode::kAlreadyExists: return "ALREADY_EXISTS";
    case StatusCode::kPermissionDenied: return "PERMISSION_DENIED";
    case StatusCode::kResourceExhausted: return "RESOURCE_EXHAUSTED";
    case StatusCode::kFailedPrecondition: return "FAILED_PRECONDITION";
    case StatusCode::kAborted: return "ABORTED";
    case StatusCode::kOutOfRange: return "OUT_OF_RANGE";
    case StatusCode::kUnimplemented: return "UNIMPLEMENTED";
    case StatusCode::kInternal: return "INTERNAL";
    case StatusCode::kUnavailable: return "UNAVAILABLE";
    case StatusCode::kDataLoss: return "DATA_LOSS";
    case StatusCode::kUnauthenticated: return "UNAUTHENTICATED";
  }
  return "UNKNOWN";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out(StatusCodeName(code_));
  if (!reason_.empty()) out += "[" + reason_ + "]";
  if (!message_.empty()) out += ": " + message_;
  return out;
}

std::ostream& operator<<(std::ostream& os, const Status& s) { return os << s.ToString(); }

Status OkStatus() { return Status(); }
Status InvalidArgumentError(std::string m, std::string r) { return {StatusCode::kInvalidArgument, std::move(m), std::move(r)}; }
Status NotFoundError(std::string m, std::string r) { return {StatusCode::kNotFound, std::move(m), std::move(r)}; }
Status AlreadyExistsError(std::string m, std::string r) { return {StatusCode::kAlreadyExists, std::move(m), std::move(r)}; }
Status PermissionDeniedError(std::string m, std::string r) { return {StatusCode::kPermissionDenied, std::move(m), std::move(r)}; }
Status UnauthenticatedError(std::string m, std::string r) { return {StatusCode::kUnauthenticated, std::move(m), std::move(r)}; }
Status ResourceExhaustedError(std::string m, std::string r) { return {StatusCode::kResourceExhausted, std::move(m), std::move(r)}; }
Status FailedPreconditionError(std::string m, std::string r) { return {StatusCode::kFailedPrecondition, std::move(m), std::move(r)}; }
Status AbortedError(std::string m, std::string r) { return {StatusCode::kAborted, std::move(m), std::move(r)}; }
Status UnavailableError(std::string m, std::string r) { return {StatusCode::kUnavailable, std::move(m), std::move(r)}; }
Status DeadlineExceededError(std::string m, std::string r) { return {StatusCode::kDeadlineExceeded, std::move(m), std::move(r)}; }
Status InternalError(std::string m, std::string r) { return {StatusCode::kInternal, std::move(m), std::move(r)}; }

}  // namespace messenger
