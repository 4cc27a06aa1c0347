// AuthClient and UsersClient over gRPC channels (callback API, see rpc.hpp).
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>

#include "clients/auth_client.hpp"
#include "clients/rpc.hpp"
#include "clients/users_client.hpp"
#include "messenger/auth/v1/auth.grpc.pb.h"
#include "messenger/users/v1/users.grpc.pb.h"

namespace messenger::gateway {

// An insecure channel to `address` ("127.0.0.1:50051"); connects lazily, so a service that is down at startup
// only fails the calls made while it is down.
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address);

class GrpcAuthClient final : public AuthClient {
 public:
  // `in_flight` must outlive the client and every call.
  GrpcAuthClient(std::shared_ptr<grpc::Channel> channel, std::chrono::milliseconds deadline,
                 InFlightCalls& in_flight);

  boost::asio::awaitable<RpcResult<auth::v1::RegisterResponse>> Register(auth::v1::RegisterRequest request,
                                                                         std::string request_id) override;
  boost::asio::awaitable<RpcResult<auth::v1::TokenPair>> Login(auth::v1::LoginRequest request,
                                                               std::string request_id) override;
  boost::asio::awaitable<RpcResult<auth::v1::TokenPair>> Refresh(auth::v1::RefreshRequest request,
                                                                 std::string request_id) override;
  boost::asio::awaitable<RpcResult<auth::v1::LogoutResponse>> Logout(auth::v1::LogoutRequest request,
                                                                     std::string request_id) override;
  boost::asio::awaitable<RpcResult<auth::v1::OAuthAuthorizeResponse>> OAuthAuthorize(
      auth::v1::OAuthAuthorizeRequest request, std::string request_id) override;
  boost::asio::awaitable<RpcResult<auth::v1::TokenPair>> OAuthCallback(auth::v1::OAuthCallbackRequest request,
                                                                       std::string request_id) override;

 private:
  CallOptions Options(std::string request_id) const { return {deadline_, std::move(request_id)}; }

  std::unique_ptr<auth::v1::AuthService::Stub> stub_;
  const std::chrono::milliseconds deadline_;
  InFlightCalls& in_flight_;
};

class GrpcUsersClient final : public UsersClient {
 public:
  GrpcUsersClient(std::shared_ptr<grpc::Channel> channel, std::chrono::milliseconds deadline,
                  InFlightCalls& in_flight);

  boost::asio::awaitable<RpcResult<users::v1::UserProfile>> GetUserProfile(
      users::v1::GetUserProfileRequest request, std::string request_id) override;
  boost::asio::awaitable<RpcResult<users::v1::UserProfile>> GetUserProfileByNickname(
      users::v1::GetUserProfileByNicknameRequest request, std::string request_id) override;
  boost::asio::awaitable<RpcResult<users::v1::UserProfile>> UpdateUserProfile(
      users::v1::UpdateUserProfileRequest request, std::string request_id) override;
  boost::asio::awaitable<RpcResult<users::v1::SearchUsersResponse>> SearchUsers(
      users::v1::SearchUsersRequest request, std::string request_id) override;

 private:
  CallOptions Options(std::string request_id) const { return {deadline_, std::move(request_id)}; }

  std::unique_ptr<users::v1::UsersService::Stub> stub_;
  const std::chrono::milliseconds deadline_;
  InFlightCalls& in_flight_;
};

}  // namespace messenger::gateway
