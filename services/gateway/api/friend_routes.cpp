#include "api/friend_routes.hpp"

#include <boost/json.hpp>

#include "api/handler_support.hpp"
#include "http/json.hpp"
#include "messenger/common/ids.hpp"

namespace messenger::gateway {

namespace asio = boost::asio;
namespace json = boost::json;
namespace friendspb = messenger::friends::v1;

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

friendspb::FriendActionRequest Action(const Request& request, std::string nickname) {
  friendspb::FriendActionRequest call;
  call.set_user_id(PrincipalOf(request).user_id);
  call.set_friend_nickname(std::move(nickname));
  return call;
}

json::object StatusBody(friendspb::FriendshipStatus status) {
  return json::object{{"status", FriendshipStatusName(status)}};
}

asio::awaitable<Response> SendRequest(FriendsClient& friends, Request& request) {
  StatusOr<json::object> body = ParseJsonObject(request.body);
  if (!body.ok()) co_return ErrorFromStatus(body.status());
  StatusOr<std::string> nickname = RequiredString(*body, "nickname");
  if (!nickname.ok()) co_return ErrorFromStatus(nickname.status());
  if (!CouldBeNickname(*nickname)) co_return ErrorResponse(404, "NOT_FOUND", "no user with that nickname");
  auto call = Action(request, std::move(nickname).value());
  auto result = co_await friends.SendFriendRequest(std::move(call), request.request_id);
  if (!result.ok()) co_return ErrorFromRpc(request, "friends.SendFriendRequest", result);
  // 201 for a new request; 200 when that user had already asked us and this accepted their request.
  int http = result.value.status() == friendspb::FRIENDSHIP_STATUS_ACCEPTED ? 200 : 201;
  co_return JsonResponse(http, StatusBody(result.value.status()));
}

// accept and reject share their shape: a path nickname, a status answer, 404 when nothing is pending.
template <typename Call>
asio::awaitable<Response> Decide(Request& request, std::string_view call_name, Call call) {
  std::string_view nickname = request.Param("nickname");
  if (!CouldBeNickname(nickname))
    co_return ErrorResponse(404, "NOT_FOUND", "no pending request from that user");
  friendspb::FriendActionRequest action = Action(request, std::string(nickname));
  auto result = co_await call(std::move(action));
  if (!result.ok()) co_return ErrorFromRpc(request, call_name, result);
  co_return JsonResponse(200, StatusBody(result.value.status()));
}

asio::awaitable<Response> ListRequests(FriendsClient& friends, Request& request) {
  std::string_view direction = request.Query("direction").value_or("incoming");
  friendspb::GetPendingRequestsRequest call;
  call.set_user_id(PrincipalOf(request).user_id);
  if (direction == "incoming") {
    call.set_direction(friendspb::DIRECTION_INCOMING);
  } else if (direction == "outgoing") {
    call.set_direction(friendspb::DIRECTION_OUTGOING);
  } else {
    co_return ErrorFromStatus(
        InvalidArgumentError("query parameter 'direction' must be incoming or outgoing"));
  }
  auto result = co_await friends.GetPendingRequests(std::move(call), request.request_id);
  if (!result.ok()) co_return ErrorFromRpc(request, "friends.GetPendingRequests", result);
  json::array list;
  for (const friendspb::PendingRequest& r : result.value.requests()) {
    list.push_back(json::object{{"user_id", r.user_id()},
                                {"nickname", r.nickname()},
                                {"status", FriendshipStatusName(r.status())},
                                {"created_at", FormatRfc3339Millis(r.created_at_unix_ms())}});
  }
  co_return JsonResponse(200, json::object{{"requests", std::move(list)}});
}

asio::awaitable<Response> ListFriends(FriendsClient& friends, Request& request) {
  friendspb::GetFriendsListRequest call;
  call.set_user_id(PrincipalOf(request).user_id);
  auto result = co_await friends.GetFriendsList(std::move(call), request.request_id);
  if (!result.ok()) co_return ErrorFromRpc(request, "friends.GetFriendsList", result);
  json::array list;
  for (const friendspb::Friend& f : result.value.friends()) {
    list.push_back(json::object{{"user_id", f.user_id()},
                                {"nickname", f.nickname()},
                                {"since", FormatRfc3339Millis(f.since_unix_ms())},
                                {"online", f.online()}});
  }
  co_return JsonResponse(200, json::object{{"friends", std::move(list)}});
}

asio::awaitable<Response> Remove(FriendsClient& friends, Request& request) {
  std::string_view nickname = request.Param("nickname");
  if (!CouldBeNickname(nickname)) co_return ErrorResponse(404, "NOT_FRIENDS", "not friends with that user");
  auto call = Action(request, std::string(nickname));
  auto result = co_await friends.RemoveFriend(std::move(call), request.request_id);
  if (!result.ok()) co_return ErrorFromRpc(request, "friends.RemoveFriend", result);
  co_return EmptyResponse(204);
}

}  // namespace

std::string_view FriendshipStatusName(friendspb::FriendshipStatus status) {
  switch (status) {
    case friendspb::FRIENDSHIP_STATUS_REQUESTED:
      return "requested";
    case friendspb::FRIENDSHIP_STATUS_ACCEPTED:
      return "accepted";
    case friendspb::FRIENDSHIP_STATUS_REJECTED:
      return "rejected";
    case friendspb::FRIENDSHIP_STATUS_REMOVED:
      return "removed";
    default:
      return "unknown";
  }
}

void AddFriendRoutes(Router& router, FriendsClient& friends) {
  router.Add("POST", "/v1/friends/requests", Access::kBearer,
             [&friends](Request& r) { return SendRequest(friends, r); });
  router.Add("GET", "/v1/friends/requests", Access::kBearer,
             [&friends](Request& r) { return ListRequests(friends, r); });
  router.Add("POST", "/v1/friends/requests/{nickname}/accept", Access::kBearer, [&friends](Request& r) {
    return Decide(r, "friends.AcceptFriendRequest", [&friends, &r](friendspb::FriendActionRequest call) {
      return friends.AcceptFriendRequest(std::move(call), r.request_id);
    });
  });
  router.Add("POST", "/v1/friends/requests/{nickname}/reject", Access::kBearer, [&friends](Request& r) {
    return Decide(r, "friends.RejectFriendRequest", [&friends, &r](friendspb::FriendActionRequest call) {
      return friends.RejectFriendRequest(std::move(call), r.request_id);
    });
  });
  router.Add("GET", "/v1/friends", Access::kBearer,
             [&friends](Request& r) { return ListFriends(friends, r); });
  router.Add("DELETE", "/v1/friends/{nickname}", Access::kBearer,
             [&friends](Request& r) { return Remove(friends, r); });
}

}  // namespace messenger::gateway
