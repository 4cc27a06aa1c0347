#include "api/auth_routes.hpp"

#include <boost/json.hpp>

#include "api/handler_support.hpp"
#include "http/json.hpp"

namespace messenger::gateway {

namespace asio = boost::asio;
namespace json = boost::json;
namespace authpb = messenger::auth::v1;

namespace {

json::object TokenPairJson(const authpb::TokenPair& pair) {
  return json::object{
      {"access_token", pair.access_token()},
      {"refresh_token", pair.refresh_token()},
      {"token_type", pair.token_type().empty() ? std::string("Bearer") : pair.token_type()},
      {"expires_in", pair.expires_in()},
      {"user_id", pair.user_id()},
  };
}

// Tokens are never cached by a browser or a proxy.
Response TokenResponse(const authpb::TokenPair& pair) {
  Response response = JsonResponse(200, TokenPairJson(pair));
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

asio::awaitable<Response> RegisterUser(AuthClient& auth, Request& request) {
  StatusOr<json::object> body = ParseJsonObject(request.body);
  if (!body.ok()) co_return ErrorFromStatus(body.status());
  StatusOr<std::string> email = RequiredString(*body, "email");
  if (!email.ok()) co_return ErrorFromStatus(email.status());
  StatusOr<std::string> password = RequiredString(*body, "password");
  if (!password.ok()) co_return ErrorFromStatus(password.status());
  StatusOr<std::string> nickname = RequiredString(*body, "nickname");
  if (!nickname.ok()) co_return ErrorFromStatus(nickname.status());

  authpb::RegisterRequest call;
  call.set_email(std::move(email).value());
  call.set_password(std::move(password).value());
  call.set_nickname(std::move(nickname).value());
  call.set_client_ip(request.client_ip);
  auto result = co_await auth.Register(std::move(call), request.request_id);
  if (!result.ok()) co_return ErrorFromRpc(request, "auth.Register", result);
  co_return JsonResponse(201, json::object{{"user_id", result.value.user_id()}});
}

asio::awaitable<Response> Login(AuthClient& auth, Request& request) {
  StatusOr<json::object> body = ParseJsonObject(request.body);
  if (!body.ok()) co_return ErrorFromStatus(body.status());
  StatusOr<std::string> email = RequiredString(*body, "email");
  if (!email.ok()) co_return ErrorFromStatus(email.status());
  StatusOr<std::string> password = RequiredString(*body, "password");
  if (!password.ok()) co_return ErrorFromStatus(password.status());

  authpb::LoginRequest call;
  call.set_email(std::move(email).value());
  call.set_password(std::move(password).value());
  call.set_client_ip(request.client_ip);
  auto result = co_await auth.Login(std::move(call), request.request_id);
  if (!result.ok()) co_return ErrorFromRpc(request, "auth.Login", result);
  co_return TokenResponse(result.value);
}

asio::awaitable<Response> Refresh(AuthClient& auth, Request& request) {
  StatusOr<json::object> body = ParseJsonObject(request.body);
  if (!body.ok()) co_return ErrorFromStatus(body.status());
  StatusOr<std::string> refresh_token = RequiredString(*body, "refresh_token");
  if (!refresh_token.ok()) co_return ErrorFromStatus(refresh_token.status());

  authpb::RefreshRequest call;
  call.set_refresh_token(std::move(refresh_token).value());
  auto result = co_await auth.Refresh(std::move(call), request.request_id);
  if (!result.ok()) co_return ErrorFromRpc(request, "auth.Refresh", result);
  co_return TokenResponse(result.value);
}

asio::awaitable<Response> Logout(AuthClient& auth, SessionEndNotifier* session_ends, Request& request) {
  authpb::LogoutRequest call;
  call.set_access_token(PrincipalOf(request).access_token);
  auto result = co_await auth.Logout(std::move(call), request.request_id);
  if (!result.ok()) co_return ErrorFromRpc(request, "auth.Logout", result);
  if (session_ends != nullptr) {
    co_await session_ends->SessionEnded(PrincipalOf(request).session_id, request.request_id);
  }
  co_return EmptyResponse(204);
}

bool IsSafeHeaderValue(std::string_view v) {
  for (unsigned char c : v) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  return !v.empty();
}

asio::awaitable<Response> OAuthAuthorize(AuthClient& auth, Request& request) {
  authpb::OAuthAuthorizeRequest call;
  call.set_provider(std::string(request.Param("provider")));
  if (auto redirect = request.Query("redirect_uri")) call.set_redirect_uri(std::string(*redirect));
  auto result = co_await auth.OAuthAuthorize(std::move(call), request.request_id);
  if (!result.ok()) co_return ErrorFromRpc(request, "auth.OAuthAuthorize", result);
  const std::string& url = result.value.authorization_url();
  if (!IsSafeHeaderValue(url)) {
    log::RequestScope scope(request.request_id);
    log::Error("Auth answered an authorization URL unusable as a Location header");
    co_return ErrorResponseFor(InternalError("bad authorization URL"));
  }
  // The body repeats the URL for clients that do not follow redirects (XHR, mobile apps).
  Response response = JsonResponse(302, json::object{{"authorization_url", url}});
  response.headers.emplace_back("Location", url);
  response.headers.emplace_back("Cache-Control", "no-store");
  co_return response;
}

asio::awaitable<Response> OAuthCallback(AuthClient& auth, Request& request) {
  std::optional<std::string_view> code = request.Query("code");
  std::optional<std::string_view> state = request.Query("state");
  if (!code || code->empty())
    co_return ErrorFromStatus(InvalidArgumentError("query parameter 'code' is required"));
  if (!state || state->empty()) {
    co_return ErrorFromStatus(InvalidArgumentError("query parameter 'state' is required"));
  }
  authpb::OAuthCallbackRequest call;
  call.set_provider(std::string(request.Param("provider")));
  call.set_code(std::string(*code));
  call.set_state(std::string(*state));
  auto result = co_await auth.OAuthCallback(std::move(call), request.request_id);
  if (!result.ok()) co_return ErrorFromRpc(request, "auth.OAuthCallback", result);
  co_return TokenResponse(result.value);
}

}  // namespace

void AddAuthRoutes(Router& router, AuthClient& auth, SessionEndNotifier* session_ends) {
  router.Add("POST", "/v1/auth/register", Access::kPublic,
             [&auth](Request& r) { return RegisterUser(auth, r); });
  router.Add("POST", "/v1/auth/login", Access::kPublic, [&auth](Request& r) { return Login(auth, r); });
  router.Add("POST", "/v1/auth/refresh", Access::kPublic, [&auth](Request& r) { return Refresh(auth, r); });
  router.Add("POST", "/v1/auth/logout", Access::kBearer,
             [&auth, session_ends](Request& r) { return Logout(auth, session_ends, r); });
  router.Add("GET", "/v1/auth/oauth/{provider}/authorize", Access::kPublic,
             [&auth](Request& r) { return OAuthAuthorize(auth, r); });
  router.Add("GET", "/v1/auth/oauth/{provider}/callback", Access::kPublic,
             [&auth](Request& r) { return OAuthCallback(auth, r); });
}

}  // namespace messenger::gateway
