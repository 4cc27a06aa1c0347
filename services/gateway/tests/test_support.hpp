// Test doubles and helpers for the gateway's unit tests: run a coroutine to completion, fake clients, a fake
// authenticator and request builders.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <exception>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "clients/auth_client.hpp"
#include "clients/readiness_probe.hpp"
#include "clients/users_client.hpp"
#include "http/authenticator.hpp"
#include "http/request.hpp"
#include "http/response.hpp"

namespace messenger::gateway::testing {

// Runs an awaitable on a private io_context until it completes and returns its result (exceptions propagate).
template <typename T>
T RunSync(boost::asio::awaitable<T> awaitable) {
  boost::asio::io_context ioc;
  std::optional<T> result;  // T need not be default-constructible (StatusOr)
  boost::asio::co_spawn(
      ioc, [&]() -> boost::asio::awaitable<void> { result.emplace(co_await std::move(awaitable)); },
      [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });
  ioc.run();
  return std::move(*result);
}

inline Request MakeRequest(std::string method, std::string path, std::string body = {},
                           NameValueList headers = {}) {
  Request r;
  r.method = std::move(method);
  std::size_t q = path.find('?');
  r.path = path.substr(0, q);
  if (q != std::string::npos) r.query = ParseQuery(path.substr(q + 1)).value();
  r.body = std::move(body);
  r.headers = std::move(headers);
  r.request_id = "test-request";
  r.client_ip = "192.0.2.7";
  return r;
}

inline boost::json::value BodyJson(const Response& r) { return boost::json::parse(r.body); }

inline std::string ErrorCodeOf(const Response& r) {
  boost::system::error_code ec;
  auto v = boost::json::parse(r.body, ec);
  if (ec || !v.is_object() || !v.as_object().contains("error")) return {};
  return std::string(v.at("error").at("code").as_string());
}

template <typename T>
RpcResult<T> Ok(T value) {
  RpcResult<T> r;
  r.value = std::move(value);
  return r;
}

template <typename T>
RpcResult<T> Fail(Status status, std::optional<std::chrono::seconds> retry_after = std::nullopt) {
  RpcResult<T> r;
  r.status = std::move(status);
  r.retry_after = retry_after;
  return r;
}

// Accepts exactly the tokens in `tokens` (token -> principal); `outage` makes every check UNAVAILABLE.
class FakeAuthenticator final : public Authenticator {
 public:
  std::map<std::string, Principal> tokens;
  bool outage = false;
  int calls = 0;

  boost::asio::awaitable<StatusOr<Principal>> Authenticate(std::string token, std::string) override {
    ++calls;
    if (outage) co_return UnavailableError("redis down");
    auto it = tokens.find(token);
    if (it == tokens.end()) co_return UnauthenticatedError("bad token", "UNAUTHENTICATED");
    Principal p = it->second;
    p.access_token = token;
    co_return p;
  }
};

// Each call is recorded; the answer comes from the matching std::function (UNIMPLEMENTED when unset).
class FakeAuthClient final : public AuthClient {
 public:
  std::function<RpcResult<auth::v1::RegisterResponse>(const auth::v1::RegisterRequest&)> on_register;
  std::function<RpcResult<auth::v1::TokenPair>(const auth::v1::LoginRequest&)> on_login;
  std::function<RpcResult<auth::v1::TokenPair>(const auth::v1::RefreshRequest&)> on_refresh;
  std::function<RpcResult<auth::v1::LogoutResponse>(const auth::v1::LogoutRequest&)> on_logout;
  std::function<RpcResult<auth::v1::OAuthAuthorizeResponse>(const auth::v1::OAuthAuthorizeRequest&)>
      on_authorize;
  std::function<RpcResult<auth::v1::TokenPair>(const auth::v1::OAuthCallbackRequest&)> on_callback;
  std::vector<std::string> calls;  // method names, in order
  std::vector<std::string> request_ids;

  boost::asio::awaitable<RpcResult<auth::v1::RegisterResponse>> Register(auth::v1::RegisterRequest r,
                                                                         std::string id) override {
    co_return Answer("Register", on_register, r, id);
  }
  boost::asio::awaitable<RpcResult<auth::v1::TokenPair>> Login(auth::v1::LoginRequest r,
                                                               std::string id) override {
    co_return Answer("Login", on_login, r, id);
  }
  boost::asio::awaitable<RpcResult<auth::v1::TokenPair>> Refresh(auth::v1::RefreshRequest r,
                                                                 std::string id) override {
    co_return Answer("Refresh", on_refresh, r, id);
  }
  boost::asio::awaitable<RpcResult<auth::v1::LogoutResponse>> Logout(auth::v1::LogoutRequest r,
                                                                     std::string id) override {
    co_return Answer("Logout", on_logout, r, id);
  }
  boost::asio::awaitable<RpcResult<auth::v1::OAuthAuthorizeResponse>> OAuthAuthorize(
      auth::v1::OAuthAuthorizeRequest r, std::string id) override {
    co_return Answer("OAuthAuthorize", on_authorize, r, id);
  }
  boost::asio::awaitable<RpcResult<auth::v1::TokenPair>> OAuthCallback(auth::v1::OAuthCallbackRequest r,
                                                                       std::string id) override {
    co_return Answer("OAuthCallback", on_callback, r, id);
  }

 private:
  template <typename Result, typename Req>
  Result Answer(const char* name, const std::function<Result(const Req&)>& fn, const Req& request,
                const std::string& id) {
    calls.emplace_back(name);
    request_ids.push_back(id);
    if (!fn) return Fail<decltype(Result::value)>(Status(StatusCode::kUnimplemented, "not faked"));
    return fn(request);
  }
};

class FakeUsersClient final : public UsersClient {
 public:
  std::function<RpcResult<users::v1::UserProfile>(const users::v1::GetUserProfileRequest&)> on_get;
  std::function<RpcResult<users::v1::UserProfile>(const users::v1::GetUserProfileByNicknameRequest&)>
      on_get_by_nickname;
  std::function<RpcResult<users::v1::UserProfile>(const users::v1::UpdateUserProfileRequest&)> on_update;
  std::function<RpcResult<users::v1::SearchUsersResponse>(const users::v1::SearchUsersRequest&)> on_search;
  std::vector<std::string> calls;

  boost::asio::awaitable<RpcResult<users::v1::UserProfile>> GetUserProfile(users::v1::GetUserProfileRequest r,
                                                                           std::string) override {
    co_return Answer("GetUserProfile", on_get, r);
  }
  boost::asio::awaitable<RpcResult<users::v1::UserProfile>> GetUserProfileByNickname(
      users::v1::GetUserProfileByNicknameRequest r, std::string) override {
    co_return Answer("GetUserProfileByNickname", on_get_by_nickname, r);
  }
  boost::asio::awaitable<RpcResult<users::v1::UserProfile>> UpdateUserProfile(
      users::v1::UpdateUserProfileRequest r, std::string) override {
    co_return Answer("UpdateUserProfile", on_update, r);
  }
  boost::asio::awaitable<RpcResult<users::v1::SearchUsersResponse>> SearchUsers(
      users::v1::SearchUsersRequest r, std::string) override {
    co_return Answer("SearchUsers", on_search, r);
  }

 private:
  template <typename Result, typename Req>
  Result Answer(const char* name, const std::function<Result(const Req&)>& fn, const Req& request) {
    calls.emplace_back(name);
    if (!fn) return Fail<decltype(Result::value)>(Status(StatusCode::kUnimplemented, "not faked"));
    return fn(request);
  }
};

class FakeProbe final : public ReadinessProbe {
 public:
  FakeProbe(std::string name, Status status) : name_(std::move(name)), status_(std::move(status)) {}
  std::string_view name() const override { return name_; }
  boost::asio::awaitable<Status> Check(std::string) override { co_return status_; }
  void set_status(Status s) { status_ = std::move(s); }

 private:
  std::string name_;
  Status status_;
};

inline users::v1::UserProfile Profile(std::string id, std::string nickname, std::string bio = {},
                                      std::string avatar_url = {}) {
  users::v1::UserProfile p;
  p.set_user_id(std::move(id));
  p.set_nickname(std::move(nickname));
  p.set_bio(std::move(bio));
  p.set_avatar_url(std::move(avatar_url));
  return p;
}

}  // namespace messenger::gateway::testing
