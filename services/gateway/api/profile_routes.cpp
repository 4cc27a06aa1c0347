#include "api/profile_routes.hpp"

#include <boost/json.hpp>

#include "api/handler_support.hpp"
#include "http/json.hpp"
#include "messenger/common/ids.hpp"

namespace messenger::gateway {

namespace asio = boost::asio;
namespace json = boost::json;
namespace userspb = messenger::users::v1;

namespace {

// Nicknames are ^[A-Za-z0-9_]{3,32}$ (API.md); anything else cannot name a user.
bool CouldBeNickname(std::string_view s) {
  if (s.size() < 3 || s.size() > 32) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

Response NoSuchUser() { return ErrorResponse(404, "NOT_FOUND", "no such user"); }

asio::awaitable<Response> GetProfileById(UsersClient& users, Request& request, std::string user_id) {
  userspb::GetUserProfileRequest call;
  call.set_user_id(std::move(user_id));
  auto result = co_await users.GetUserProfile(std::move(call), request.request_id);
  if (!result.ok()) co_return ErrorFromRpc(request, "users.GetUserProfile", result);
  co_return JsonResponse(200, ProfileJson(result.value));
}

asio::awaitable<Response> GetMe(UsersClient& users, Request& request) {
  co_return co_await GetProfileById(users, request, PrincipalOf(request).user_id);
}

asio::awaitable<Response> PatchMe(UsersClient& users, Request& request) {
  StatusOr<json::object> body = ParseJsonObject(request.body);
  if (!body.ok()) co_return ErrorFromStatus(body.status());
  StatusOr<std::optional<std::string>> nickname = OptionalString(*body, "nickname");
  if (!nickname.ok()) co_return ErrorFromStatus(nickname.status());
  StatusOr<std::optional<std::string>> bio = OptionalString(*body, "bio");
  if (!bio.ok()) co_return ErrorFromStatus(bio.status());
  StatusOr<std::optional<std::string>> avatar_url = OptionalString(*body, "avatar_url");
  if (!avatar_url.ok()) co_return ErrorFromStatus(avatar_url.status());

  const std::string& user_id = PrincipalOf(request).user_id;
  if (!nickname->has_value() && !bio->has_value() && !avatar_url->has_value()) {
    // Nothing to change: answer the profile as it is.
    co_return co_await GetProfileById(users, request, user_id);
  }
  userspb::UpdateUserProfileRequest call;
  call.set_user_id(user_id);
  if (nickname->has_value()) call.set_nickname(std::move(**nickname));
  if (bio->has_value()) call.set_bio(std::move(**bio));
  if (avatar_url->has_value()) call.set_avatar_url(std::move(**avatar_url));
  auto result = co_await users.UpdateUserProfile(std::move(call), request.request_id);
  if (!result.ok()) co_return ErrorFromRpc(request, "users.UpdateUserProfile", result);
  co_return JsonResponse(200, ProfileJson(result.value));
}

asio::awaitable<Response> GetUser(UsersClient& users, Request& request) {
  std::string_view user_id = request.Param("user_id");
  if (!IsUuid(user_id)) co_return NoSuchUser();
  co_return co_await GetProfileById(users, request, std::string(user_id));
}

asio::awaitable<Response> GetUserByNickname(UsersClient& users, Request& request) {
  std::string_view nickname = request.Param("nickname");
  if (!CouldBeNickname(nickname)) co_return NoSuchUser();
  userspb::GetUserProfileByNicknameRequest call;
  call.set_nickname(std::string(nickname));
  auto result = co_await users.GetUserProfileByNickname(std::move(call), request.request_id);
  if (!result.ok()) co_return ErrorFromRpc(request, "users.GetUserProfileByNickname", result);
  co_return JsonResponse(200, ProfileJson(result.value));
}

asio::awaitable<Response> SearchUsers(UsersClient& users, Request& request) {
  std::optional<std::string_view> q = request.Query("q");
  if (!q || q->empty())
    co_return ErrorFromStatus(InvalidArgumentError("query parameter 'q' must not be empty"));
  StatusOr<std::optional<std::int64_t>> limit = QueryInt64(request, "limit");
  if (!limit.ok()) co_return ErrorFromStatus(limit.status());
  std::int64_t n = limit->value_or(kDefaultSearchLimit);
  if (n < 1 || n > kMaxSearchLimit) {
    co_return ErrorFromStatus(InvalidArgumentError("query parameter 'limit' must be between 1 and 100"));
  }
  userspb::SearchUsersRequest call;
  call.set_prefix(std::string(*q));
  call.set_limit(static_cast<std::int32_t>(n));
  auto result = co_await users.SearchUsers(std::move(call), request.request_id);
  if (!result.ok()) co_return ErrorFromRpc(request, "users.SearchUsers", result);
  json::array list;
  for (const userspb::UserProfile& p : result.value.users()) list.push_back(ProfileJson(p));
  co_return JsonResponse(200, json::object{{"users", std::move(list)}});
}

}  // namespace

json::object ProfileJson(const userspb::UserProfile& profile) {
  return json::object{
      {"user_id", profile.user_id()},
      {"nickname", profile.nickname()},
      {"bio", profile.bio()},
      {"avatar_url", profile.avatar_url()},
  };
}

void AddProfileRoutes(Router& router, UsersClient& users) {
  router.Add("GET", "/v1/me", Access::kBearer, [&users](Request& r) { return GetMe(users, r); });
  router.Add("PATCH", "/v1/me", Access::kBearer, [&users](Request& r) { return PatchMe(users, r); });
  router.Add("GET", "/v1/users", Access::kBearer, [&users](Request& r) { return SearchUsers(users, r); });
  router.Add("GET", "/v1/users/{user_id}", Access::kBearer,
             [&users](Request& r) { return GetUser(users, r); });
  router.Add("GET", "/v1/users/by-nickname/{nickname}", Access::kBearer,
             [&users](Request& r) { return GetUserByNickname(users, r); });
}

}  // namespace messenger::gateway
