// messenger.auth.v1.AuthService over the domain's AuthService: proto <-> domain types and Status -> gRPC
// status (reason and retry-after in trailing metadata). No rules live here.
#pragma once

#include "auth/domain/auth_service.hpp"
#include "auth/domain/oauth_service.hpp"
#include "messenger/auth/v1/auth.grpc.pb.h"

namespace messenger::auth {

class AuthGrpcService final : public v1::AuthService::Service {
 public:
  // `service` and `oauth` must outlive this object.
  AuthGrpcService(AuthService& service, OAuthService& oauth) : service_(service), oauth_(oauth) {}

  grpc::Status Register(grpc::ServerContext* context, const v1::RegisterRequest* request,
                        v1::RegisterResponse* response) override;
  grpc::Status Login(grpc::ServerContext* context, const v1::LoginRequest* request,
                     v1::TokenPair* response) override;
  grpc::Status Logout(grpc::ServerContext* context, const v1::LogoutRequest* request,
                      v1::LogoutResponse* response) override;
  grpc::Status Refresh(grpc::ServerContext* context, const v1::RefreshRequest* request,
                       v1::TokenPair* response) override;
  grpc::Status ValidateToken(grpc::ServerContext* context, const v1::ValidateTokenRequest* request,
                             v1::ValidateTokenResponse* response) override;
  // OpenID Connect sign-in (OAuthService).
  grpc::Status OAuthAuthorize(grpc::ServerContext* context, const v1::OAuthAuthorizeRequest* request,
                              v1::OAuthAuthorizeResponse* response) override;
  grpc::Status OAuthCallback(grpc::ServerContext* context, const v1::OAuthCallbackRequest* request,
                             v1::TokenPair* response) override;

 private:
  AuthService& service_;
  OAuthService& oauth_;
};

}  // namespace messenger::auth
