// The Friends service as the gateway's handlers see it. Implemented over gRPC by GrpcFriendsClient; handler
// tests use a fake.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>

#include "clients/rpc.hpp"
#include "messenger/friends/v1/friends.pb.h"

namespace messenger::gateway {

class FriendsClient {
 public:
  virtual ~FriendsClient() = default;

  virtual boost::asio::awaitable<RpcResult<friends::v1::FriendActionResponse>> SendFriendRequest(
      friends::v1::FriendActionRequest request, std::string request_id) = 0;
  virtual boost::asio::awaitable<RpcResult<friends::v1::FriendActionResponse>> AcceptFriendRequest(
      friends::v1::FriendActionRequest request, std::string request_id) = 0;
  virtual boost::asio::awaitable<RpcResult<friends::v1::FriendActionResponse>> RejectFriendRequest(
      friends::v1::FriendActionRequest request, std::string request_id) = 0;
  virtual boost::asio::awaitable<RpcResult<friends::v1::FriendActionResponse>> RemoveFriend(
      friends::v1::FriendActionRequest request, std::string request_id) = 0;
  virtual boost::asio::awaitable<RpcResult<friends::v1::GetFriendsListResponse>> GetFriendsList(
      friends::v1::GetFriendsListRequest request, std::string request_id) = 0;
  virtual boost::asio::awaitable<RpcResult<friends::v1::GetPendingRequestsResponse>> GetPendingRequests(
      friends::v1::GetPendingRequestsRequest request, std::string request_id) = 0;
};

}  // namespace messenger::gateway
