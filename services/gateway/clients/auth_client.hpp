// The Auth service as the gateway's handlers see it. Implemented over gRPC by GrpcAuthClient; handler tests
// use a fake.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>

#include "clients/rpc.hpp"
#include "messenger/auth/v1/auth.pb.h"

namespace messenger::gateway {

class AuthClient {
 public:
  virtual ~AuthClient() = default;

  // Each returns the service's Status (reason included) or the response; `request_id` travels as metadata.
  virtual boost::asio::awaitable<RpcResult<auth::v1::RegisterResponse>> Register(
      auth::v1::RegisterRequest request, std::string request_id) = 0;
  virtual boost::asio::awaitable<RpcResult<auth::v1::TokenPair>> Login(auth::v1::LoginRequest request,
                                                                       std::string request_id) = 0;
  virtual boost::asio::awaitable<RpcResult<auth::v1::TokenPair>> Refresh(auth::v1::RefreshRequest request,
                                                                         std::string request_id) = 0;
  virtual boost::asio::awaitable<RpcResult<auth::v1::LogoutResponse>> Logout(auth::v1::LogoutRequest request,
                                                                             std::string request_id) = 0;
  virtual boost::asio::awaitable<RpcResult<auth::v1::OAuthAuthorizeResponse>> OAuthAuthorize(
      auth::v1::OAuthAuthorizeRequest request, std::string request_id) = 0;
  virtual boost::asio::awaitable<RpcResult<auth::v1::TokenPair>> OAuthCallback(
      auth::v1::OAuthCallbackRequest request, std::string request_id) = 0;
};

}  // namespace messenger::gateway
