// The Users service as the gateway's handlers see it. Implemented over gRPC by GrpcUsersClient; handler tests
// use a fake.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>

#include "clients/rpc.hpp"
#include "messenger/users/v1/users.pb.h"

namespace messenger::gateway {

class UsersClient {
 public:
  virtual ~UsersClient() = default;

  virtual boost::asio::awaitable<RpcResult<users::v1::UserProfile>> GetUserProfile(
      users::v1::GetUserProfileRequest request, std::string request_id) = 0;
  virtual boost::asio::awaitable<RpcResult<users::v1::UserProfile>> GetUserProfileByNickname(
      users::v1::GetUserProfileByNicknameRequest request, std::string request_id) = 0;
  virtual boost::asio::awaitable<RpcResult<users::v1::UserProfile>> UpdateUserProfile(
      users::v1::UpdateUserProfileRequest request, std::string request_id) = 0;
  virtual boost::asio::awaitable<RpcResult<users::v1::SearchUsersResponse>> SearchUsers(
      users::v1::SearchUsersRequest request, std::string request_id) = 0;
};

}  // namespace messenger::gateway
