#include "friends/api/friends_grpc_service.hpp"

#include <string_view>

#include "messenger/common/grpc_status.hpp"
#include "messenger/common/logging.hpp"

namespace messenger::friends {
namespace {

v1::FriendshipStatus ToProto(FriendshipStatus status) {
  switch (status) {
    case FriendshipStatus::kRequested:
      return v1::FRIENDSHIP_STATUS_REQUESTED;
    case FriendshipStatus::kAccepted:
      return v1::FRIENDSHIP_STATUS_ACCEPTED;
    case FriendshipStatus::kRejected:
      return v1::FRIENDSHIP_STATUS_REJECTED;
    case FriendshipStatus::kRemoved:
      return v1::FRIENDSHIP_STATUS_REMOVED;
  }
  return v1::FRIENDSHIP_STATUS_UNSPECIFIED;
}

// Rule violations (bad input, unknown user, no such request, already friends) go to the caller as they are;
// failures of the infrastructure are logged here, once, and reach the caller without internal detail.
grpc::Status Reply(std::string_view rpc, const Status& status, grpc::ServerContext* context) {
  switch (status.code()) {
    case StatusCode::kOk:
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kPermissionDenied:
      return ToGrpcStatus(status, context);
    default:
      log::Error("request failed", {{"rpc", rpc}, {"error", status.ToString()}});
      return ToGrpcStatus(Status(status.code(), "the friends service could not complete the request"),
                          context);
  }
}

grpc::Status Act(std::string_view rpc, StatusOr<FriendshipStatus> result, grpc::ServerContext* context,
                 v1::FriendActionResponse* response) {
  if (result.ok()) response->set_status(ToProto(*result));
  return Reply(rpc, result.status(), context);
}

}  // namespace

grpc::Status FriendsGrpcService::GetFriendsList(grpc::ServerContext* context,
                                                const v1::GetFriendsListRequest* request,
                                                v1::GetFriendsListResponse* response) {
  log::RequestScope scope(RequestIdFromServerContext(*context));
  StatusOr<std::vector<FriendView>> friends = service_.ListFriends(request->user_id());
  if (friends.ok()) {
    for (const FriendView& f : *friends) {
      v1::Friend* out = response->add_friends();
      out->set_user_id(f.user_id);
      out->set_nickname(f.nickname);
      out->set_since_unix_ms(ToUnixMillis(f.since));
      out->set_online(f.online);
    }
  }
  return Reply("GetFriendsList", friends.status(), context);
}

grpc::Status FriendsGrpcService::SendFriendRequest(grpc::ServerContext* context,
                                                   const v1::FriendActionRequest* request,
                                                   v1::FriendActionResponse* response) {
  log::RequestScope scope(RequestIdFromServerContext(*context));
  return Act("SendFriendRequest", service_.SendRequest(request->user_id(), request->friend_nickname()),
             context, response);
}

grpc::Status FriendsGrpcService::AcceptFriendRequest(grpc::ServerContext* context,
                                                     const v1::FriendActionRequest* request,
                                                     v1::FriendActionResponse* response) {
  log::RequestScope scope(RequestIdFromServerContext(*context));
  return Act("AcceptFriendRequest", service_.AcceptRequest(request->user_id(), request->friend_nickname()),
             context, response);
}

grpc::Status FriendsGrpcService::RejectFriendRequest(grpc::ServerContext* context,
                                                     const v1::FriendActionRequest* request,
                                                     v1::FriendActionResponse* response) {
  log::RequestScope scope(RequestIdFromServerContext(*context));
  return Act("RejectFriendRequest", service_.RejectRequest(request->user_id(), request->friend_nickname()),
             context, response);
}

grpc::Status FriendsGrpcService::RemoveFriend(grpc::ServerContext* context,
                                              const v1::FriendActionRequest* request,
                                              v1::FriendActionResponse* response) {
  log::RequestScope scope(RequestIdFromServerContext(*context));
  return Act("RemoveFriend", service_.RemoveFriend(request->user_id(), request->friend_nickname()), context,
             response);
}

grpc::Status FriendsGrpcService::GetPendingRequests(grpc::ServerContext* context,
                                                    const v1::GetPendingRequestsRequest* request,
                                                    v1::GetPendingRequestsResponse* response) {
  log::RequestScope scope(RequestIdFromServerContext(*context));
  Direction direction;
  switch (request->direction()) {
    case v1::DIRECTION_INCOMING:
      direction = Direction::kIncoming;
      break;
    case v1::DIRECTION_OUTGOING:
      direction = Direction::kOutgoing;
      break;
    default:
      return Reply("GetPendingRequests",
                   InvalidArgumentError("direction must be incoming or outgoing", "INVALID_ARGUMENT"),
                   context);
  }
  StatusOr<std::vector<PendingView>> pending = service_.ListPending(request->user_id(), direction);
  if (pending.ok()) {
    for (const PendingView& p : *pending) {
      v1::PendingRequest* out = response->add_requests();
      out->set_user_id(p.user_id);
      out->set_nickname(p.nickname);
      out->set_status(ToProto(p.status));
      out->set_created_at_unix_ms(ToUnixMillis(p.created_at));
    }
  }
  return Reply("GetPendingRequests", pending.status(), context);
}

grpc::Status FriendsGrpcService::AreFriends(grpc::ServerContext* context,
                                            const v1::AreFriendsRequest* request,
                                            v1::AreFriendsResponse* response) {
  log::RequestScope scope(RequestIdFromServerContext(*context));
  std::vector<std::string> others(request->other_user_ids().begin(), request->other_user_ids().end());
  StatusOr<AreFriendsResult> result = service_.AreFriends(request->user_id(), others);
  if (result.ok()) {
    response->set_are_friends(result->are_friends);
    for (const std::string& id : result->not_friends) response->add_not_friends(id);
  }
  return Reply("AreFriends", result.status(), context);
}

}  // namespace messenger::friends
