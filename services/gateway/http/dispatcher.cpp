#include "http/dispatcher.hpp"

#include <cctype>
#include <exception>

#include "http/error_mapping.hpp"
#include "http/metrics.hpp"
#include "messenger/common/logging.hpp"

namespace messenger::gateway {

std::string_view BearerToken(const Request& request) {
  std::optional<std::string_view> header = request.Header("authorization");
  if (!header) return {};
  std::string_view v = *header;
  constexpr std::string_view kScheme = "bearer";
  if (v.size() <= kScheme.size()) return {};
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(v[i])) != kScheme[i]) return {};
  }
  v.remove_prefix(kScheme.size());
  if (v.front() != ' ') return {};
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  return v;
}

Dispatcher::Dispatcher(const Router& router, Authenticator& authenticator)
    : router_(router), authenticator_(authenticator) {}

boost::asio::awaitable<Response> Dispatcher::Dispatch(Request& request) const {
  request.route = std::string(kUnmatchedRoute);
  // HEAD is GET without the body (the server leaves the body out).
  RouteMatch match =
      router_.Match(request.method == "HEAD" ? std::string_view("GET") : request.method, request.path);
  if (match.kind == RouteMatch::Kind::kNotFound) {
    co_return ErrorResponse(404, "NOT_FOUND", "no such route");
  }
  if (match.kind == RouteMatch::Kind::kMethodNotAllowed) {
    std::string allow;
    for (const std::string& m : match.allowed) allow += (allow.empty() ? "" : ", ") + m;
    Response r = ErrorResponse(405, "METHOD_NOT_ALLOWED", "this route does not accept " + request.method);
    r.headers.emplace_back("Allow", allow);
    co_return r;
  }
  const Route& route = *match.route;
  request.route = route.pattern;
  request.params = std::move(match.params);

  std::exception_ptr failure;
  try {
    if (route.access == Access::kBearer || route.access == Access::kBearerOrQuery) {
      std::string_view token = BearerToken(request);
      if (token.empty() && route.access == Access::kBearerOrQuery) {
        token = request.Query("access_token").value_or(std::string_view());
      }
      if (token.empty()) {
        co_return ErrorResponseFor(UnauthenticatedError("a bearer access token is required"));
      }
      StatusOr<Principal> principal =
          co_await authenticator_.Authenticate(std::string(token), request.request_id);
      if (!principal.ok()) {
        if (principal.status().code() != StatusCode::kUnauthenticated) {
          log::RequestScope scope(request.request_id);
          log::Warn("token check failed", {{"error", principal.status().ToString()}});
        }
        co_return ErrorResponseFor(principal.status());
      }
      request.principal = std::move(principal).value();
    }
    co_return co_await route.handler(request);
  } catch (...) {
    failure = std::current_exception();
  }
  std::string what = "unknown exception";
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
  }
  log::RequestScope scope(request.request_id);
  log::Error("handler threw", {{"route", request.route}, {"error", what}});
  co_return ErrorResponseFor(InternalError(what));
}

}  // namespace messenger::gateway
