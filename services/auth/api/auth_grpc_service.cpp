#include "auth/api/auth_grpc_service.hpp"

#include <optional>

#include "messenger/common/grpc_status.hpp"
#include "messenger/common/logging.hpp"

namespace messenger::auth {
namespace {

// Answers expected by clients (bad input, wrong password, throttling...) go back as they are and are not
// logged. Failures of the service itself are logged once, here, with the request ID; the caller gets the
// code and reason but not the detail.
grpc::Status Answer(const char* rpc, const Status& status, grpc::ServerContext* context,
                    std::optional<std::chrono::seconds> retry_after = std::nullopt) {
  switch (status.code()) {
    case StatusCode::kOk:
    case StatusCode::kInvalidArgument:
    case StatusCode::kAlreadyExists:
    case StatusCode::kUnauthenticated:
    case StatusCode::kResourceExhausted:
    case StatusCode::kNotFound:
    case StatusCode::kPermissionDenied:
      return ToGrpcStatus(status, context, retry_after);
    default:
      log::Error("rpc failed", {{"rpc", rpc}, {"error", status.ToString()}});
      return ToGrpcStatus(
          Status(status.code(), "auth service failure (see its log for this request ID)", status.reason()),
          context, retry_after);
  }
}

void FillPair(const TokenPair& pair, v1::TokenPair* out) {
  out->set_access_token(pair.access_token);
  out->set_refresh_token(pair.refresh_token);
  out->set_token_type("Bearer");
  out->set_expires_in(pair.expires_in);
  out->set_user_id(pair.user_id);
}

std::optional<std::chrono::seconds> RetryAfterOf(const Status& status, std::chrono::seconds retry_after) {
  if (status.code() != StatusCode::kResourceExhausted || retry_after.count() <= 0) return std::nullopt;
  return retry_after;
}

}  // namespace

grpc::Status AuthGrpcService::Register(grpc::ServerContext* context, const v1::RegisterRequest* request,
                                       v1::RegisterResponse* response) {
  log::RequestScope scope(RequestIdFromServerContext(*context));
  std::chrono::seconds retry_after{0};
  StatusOr<std::string> user_id = service_.Register(request->email(), request->password(),
                                                    request->nickname(), request->client_ip(), &retry_after);
  if (!user_id.ok())
    return Answer("Register", user_id.status(), context, RetryAfterOf(user_id.status(), retry_after));
  response->set_user_id(*user_id);
  log::Info("account registered", {{"user_id", *user_id}});
  return grpc::Status::OK;
}

grpc::Status AuthGrpcService::Login(grpc::ServerContext* context, const v1::LoginRequest* request,
                                    v1::TokenPair* response) {
  log::RequestScope scope(RequestIdFromServerContext(*context));
  std::chrono::seconds retry_after{0};
  StatusOr<TokenPair> pair =
      service_.Login(request->email(), request->password(), request->client_ip(), &retry_after);
  if (!pair.ok()) return Answer("Login", pair.status(), context, RetryAfterOf(pair.status(), retry_after));
  FillPair(*pair, response);
  return grpc::Status::OK;
}

grpc::Status AuthGrpcService::Logout(grpc::ServerContext* context, const v1::LogoutRequest* request,
                                     v1::LogoutResponse* /*response*/) {
  log::RequestScope scope(RequestIdFromServerContext(*context));
  return Answer("Logout", service_.Logout(request->access_token()), context);
}

grpc::Status AuthGrpcService::Refresh(grpc::ServerContext* context, const v1::RefreshRequest* request,
                                      v1::TokenPair* response) {
  log::RequestScope scope(RequestIdFromServerContext(*context));
  StatusOr<TokenPair> pair = service_.Refresh(request->refresh_token());
  if (!pair.ok()) return Answer("Refresh", pair.status(), context);
  FillPair(*pair, response);
  return grpc::Status::OK;
}

grpc::Status AuthGrpcService::ValidateToken(grpc::ServerContext* context,
                                            const v1::ValidateTokenRequest* request,
                                            v1::ValidateTokenResponse* response) {
  log::RequestScope scope(RequestIdFromServerContext(*context));
  StatusOr<Identity> identity = service_.ValidateToken(request->access_token());
  if (!identity.ok()) return Answer("ValidateToken", identity.status(), context);
  response->set_user_id(identity->user_id);
  response->set_session_id(identity->session_id);
  response->set_expires_at_unix(identity->expires_at_unix);
  return grpc::Status::OK;
}

grpc::Status AuthGrpcService::OAuthAuthorize(grpc::ServerContext* context,
                                             const v1::OAuthAuthorizeRequest* request,
                                             v1::OAuthAuthorizeResponse* response) {
  log::RequestScope scope(RequestIdFromServerContext(*context));
  StatusOr<std::string> url = oauth_.Authorize(request->provider(), request->redirect_uri());
  if (!url.ok()) return Answer("OAuthAuthorize", url.status(), context);
  response->set_authorization_url(*url);
  return grpc::Status::OK;
}

grpc::Status AuthGrpcService::OAuthCallback(grpc::ServerContext* context,
                                            const v1::OAuthCallbackRequest* request,
                                            v1::TokenPair* response) {
  log::RequestScope scope(RequestIdFromServerContext(*context));
  StatusOr<TokenPair> pair = oauth_.Callback(request->provider(), request->code(), request->state());
  if (!pair.ok()) {
    // Refusals are worth a line (which check failed is only in the message); the provider's name is safe to
    // log.
    if (pair.status().code() == StatusCode::kUnauthenticated ||
        pair.status().code() == StatusCode::kPermissionDenied) {
      log::Info("provider sign-in refused",
                {{"provider", request->provider()}, {"error", pair.status().ToString()}});
    }
    return Answer("OAuthCallback", pair.status(), context);
  }
  FillPair(*pair, response);
  return grpc::Status::OK;
}

}  // namespace messenger::auth
