// messenger.friends.v1.FriendsService over FriendshipService: proto <-> domain types, Status -> gRPC.
#pragma once

#include "friends/domain/friendship_service.hpp"
#include "messenger/friends/v1/friends.grpc.pb.h"

namespace messenger::friends {

class FriendsGrpcService final : public v1::FriendsService::Service {
 public:
  explicit FriendsGrpcService(FriendshipService& service) : service_(service) {}

  grpc::Status GetFriendsList(grpc::ServerContext* context, const v1::GetFriendsListRequest* request,
                              v1::GetFriendsListResponse* response) override;
  grpc::Status SendFriendRequest(grpc::ServerContext* context, const v1::FriendActionRequest* request,
                                 v1::FriendActionResponse* response) override;
  grpc::Status AcceptFriendRequest(grpc::ServerContext* context, const v1::FriendActionRequest* request,
                                   v1::FriendActionResponse* response) override;
  grpc::Status RejectFriendRequest(grpc::ServerContext* context, const v1::FriendActionRequest* request,
                                   v1::FriendActionResponse* response) override;
  grpc::Status RemoveFriend(grpc::ServerContext* context, const v1::FriendActionRequest* request,
                            v1::FriendActionResponse* response) override;
  grpc::Status GetPendingRequests(grpc::ServerContext* context, const v1::GetPendingRequestsRequest* request,
                                  v1::GetPendingRequestsResponse* response) override;
  grpc::Status AreFriends(grpc::ServerContext* context, const v1::AreFriendsRequest* request,
                          v1::AreFriendsResponse* response) override;

 private:
  FriendshipService& service_;
};

}  // namespace messenger::friends
