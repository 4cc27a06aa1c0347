#include "clients/grpc_clients.hpp"

namespace messenger::gateway {

namespace asio = boost::asio;
namespace authpb = messenger::auth::v1;
namespace userspb = messenger::users::v1;

// Issues stub->async()->METHOD(context, request, response, done) for UnaryCall.
#define MESSENGER_GATEWAY_START(METHOD)                                           \
  [stub = stub_.get()](auto* context, auto* request, auto* response, auto done) { \
    stub->async()->METHOD(context, request, response, std::move(done));           \
  }

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address) {
  grpc::ChannelArguments args;
  // Reconnect quickly after a restart of the service instead of backing off for up to two minutes. (Not
  // GRPC_ARG_MIN_RECONNECT_BACKOFF_MS: gRPC uses it as the connect timeout as well.)
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

GrpcAuthClient::GrpcAuthClient(std::shared_ptr<grpc::Channel> channel, std::chrono::milliseconds deadline,
                               InFlightCalls& in_flight)
    : stub_(authpb::AuthService::NewStub(std::move(channel))), deadline_(deadline), in_flight_(in_flight) {}

asio::awaitable<RpcResult<authpb::RegisterResponse>> GrpcAuthClient::Register(authpb::RegisterRequest request,
                                                                              std::string request_id) {
  return UnaryCall<authpb::RegisterRequest, authpb::RegisterResponse>(
      in_flight_, Options(std::move(request_id)), std::move(request), MESSENGER_GATEWAY_START(Register));
}

asio::awaitable<RpcResult<authpb::TokenPair>> GrpcAuthClient::Login(authpb::LoginRequest request,
                                                                    std::string request_id) {
  return UnaryCall<authpb::LoginRequest, authpb::TokenPair>(
      in_flight_, Options(std::move(request_id)), std::move(request), MESSENGER_GATEWAY_START(Login));
}

asio::awaitable<RpcResult<authpb::TokenPair>> GrpcAuthClient::Refresh(authpb::RefreshRequest request,
                                                                      std::string request_id) {
  return UnaryCall<authpb::RefreshRequest, authpb::TokenPair>(
      in_flight_, Options(std::move(request_id)), std::move(request), MESSENGER_GATEWAY_START(Refresh));
}

asio::awaitable<RpcResult<authpb::LogoutResponse>> GrpcAuthClient::Logout(authpb::LogoutRequest request,
                                                                          std::string request_id) {
  return UnaryCall<authpb::LogoutRequest, authpb::LogoutResponse>(
      in_flight_, Options(std::move(request_id)), std::move(request), MESSENGER_GATEWAY_START(Logout));
}

asio::awaitable<RpcResult<authpb::OAuthAuthorizeResponse>> GrpcAuthClient::OAuthAuthorize(
    authpb::OAuthAuthorizeRequest request, std::string request_id) {
  return UnaryCall<authpb::OAuthAuthorizeRequest, authpb::OAuthAuthorizeResponse>(
      in_flight_, Options(std::move(request_id)), std::move(request),
      MESSENGER_GATEWAY_START(OAuthAuthorize));
}

asio::awaitable<RpcResult<authpb::TokenPair>> GrpcAuthClient::OAuthCallback(
    authpb::OAuthCallbackRequest request, std::string request_id) {
  return UnaryCall<authpb::OAuthCallbackRequest, authpb::TokenPair>(
      in_flight_, Options(std::move(request_id)), std::move(request), MESSENGER_GATEWAY_START(OAuthCallback));
}

GrpcUsersClient::GrpcUsersClient(std::shared_ptr<grpc::Channel> channel, std::chrono::milliseconds deadline,
                                 InFlightCalls& in_flight)
    : stub_(userspb::UsersService::NewStub(std::move(channel))), deadline_(deadline), in_flight_(in_flight) {}

asio::awaitable<RpcResult<userspb::UserProfile>> GrpcUsersClient::GetUserProfile(
    userspb::GetUserProfileRequest request, std::string request_id) {
  return UnaryCall<userspb::GetUserProfileRequest, userspb::UserProfile>(
      in_flight_, Options(std::move(request_id)), std::move(request),
      MESSENGER_GATEWAY_START(GetUserProfile));
}

asio::awaitable<RpcResult<userspb::UserProfile>> GrpcUsersClient::GetUserProfileByNickname(
    userspb::GetUserProfileByNicknameRequest request, std::string request_id) {
  return UnaryCall<userspb::GetUserProfileByNicknameRequest, userspb::UserProfile>(
      in_flight_, Options(std::move(request_id)), std::move(request),
      MESSENGER_GATEWAY_START(GetUserProfileByNickname));
}

asio::awaitable<RpcResult<userspb::UserProfile>> GrpcUsersClient::UpdateUserProfile(
    userspb::UpdateUserProfileRequest request, std::string request_id) {
  return UnaryCall<userspb::UpdateUserProfileRequest, userspb::UserProfile>(
      in_flight_, Options(std::move(request_id)), std::move(request),
      MESSENGER_GATEWAY_START(UpdateUserProfile));
}

asio::awaitable<RpcResult<userspb::SearchUsersResponse>> GrpcUsersClient::SearchUsers(
    userspb::SearchUsersRequest request, std::string request_id) {
  return UnaryCall<userspb::SearchUsersRequest, userspb::SearchUsersResponse>(
      in_flight_, Options(std::move(request_id)), std::move(request), MESSENGER_GATEWAY_START(SearchUsers));
}

#undef MESSENGER_GATEWAY_START

}  // namespace messenger::gateway
