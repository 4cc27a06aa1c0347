#include "clients/grpc_social_clients.hpp"

namespace messenger::gateway {

namespace asio = boost::asio;
namespace friendspb = messenger::friends::v1;
namespace chatpb = messenger::chat::v1;

// Issues stub->async()->METHOD(context, request, response, done) for UnaryCall.
#define MESSENGER_GATEWAY_START(METHOD)                                           \
  [stub = stub_.get()](auto* context, auto* request, auto* response, auto done) { \
    stub->async()->METHOD(context, request, response, std::move(done));           \
  }

GrpcFriendsClient::GrpcFriendsClient(std::shared_ptr<grpc::Channel> channel,
                                     std::chrono::milliseconds deadline, InFlightCalls& in_flight)
    : stub_(friendspb::FriendsService::NewStub(std::move(channel))),
      deadline_(deadline),
      in_flight_(in_flight) {}

asio::awaitable<RpcResult<friendspb::FriendActionResponse>> GrpcFriendsClient::SendFriendRequest(
    friendspb::FriendActionRequest request, std::string request_id) {
  return UnaryCall<friendspb::FriendActionRequest, friendspb::FriendActionResponse>(
      in_flight_, Options(std::move(request_id)), std::move(request),
      MESSENGER_GATEWAY_START(SendFriendRequest));
}

asio::awaitable<RpcResult<friendspb::FriendActionResponse>> GrpcFriendsClient::AcceptFriendRequest(
    friendspb::FriendActionRequest request, std::string request_id) {
  return UnaryCall<friendspb::FriendActionRequest, friendspb::FriendActionResponse>(
      in_flight_, Options(std::move(request_id)), std::move(request),
      MESSENGER_GATEWAY_START(AcceptFriendRequest));
}

asio::awaitable<RpcResult<friendspb::FriendActionResponse>> GrpcFriendsClient::RejectFriendRequest(
    friendspb::FriendActionRequest request, std::string request_id) {
  return UnaryCall<friendspb::FriendActionRequest, friendspb::FriendActionResponse>(
      in_flight_, Options(std::move(request_id)), std::move(request),
      MESSENGER_GATEWAY_START(RejectFriendRequest));
}

asio::awaitable<RpcResult<friendspb::FriendActionResponse>> GrpcFriendsClient::RemoveFriend(
    friendspb::FriendActionRequest request, std::string request_id) {
  return UnaryCall<friendspb::FriendActionRequest, friendspb::FriendActionResponse>(
      in_flight_, Options(std::move(request_id)), std::move(request), MESSENGER_GATEWAY_START(RemoveFriend));
}

asio::awaitable<RpcResult<friendspb::GetFriendsListResponse>> GrpcFriendsClient::GetFriendsList(
    friendspb::GetFriendsListRequest request, std::string request_id) {
  return UnaryCall<friendspb::GetFriendsListRequest, friendspb::GetFriendsListResponse>(
      in_flight_, Options(std::move(request_id)), std::move(request),
      MESSENGER_GATEWAY_START(GetFriendsList));
}

asio::awaitable<RpcResult<friendspb::GetPendingRequestsResponse>> GrpcFriendsClient::GetPendingRequests(
    friendspb::GetPendingRequestsRequest request, std::string request_id) {
  return UnaryCall<friendspb::GetPendingRequestsRequest, friendspb::GetPendingRequestsResponse>(
      in_flight_, Options(std::move(request_id)), std::move(request),
      MESSENGER_GATEWAY_START(GetPendingRequests));
}

GrpcChatClient::GrpcChatClient(std::shared_ptr<grpc::Channel> channel, std::chrono::milliseconds deadline,
                               InFlightCalls& in_flight)
    : stub_(chatpb::ChatService::NewStub(std::move(channel))), deadline_(deadline), in_flight_(in_flight) {}

asio::awaitable<RpcResult<chatpb::CreateChatResponse>> GrpcChatClient::CreateChat(
    chatpb::CreateChatRequest request, std::string request_id) {
  return UnaryCall<chatpb::CreateChatRequest, chatpb::CreateChatResponse>(
      in_flight_, Options(std::move(request_id)), std::move(request), MESSENGER_GATEWAY_START(CreateChat));
}

asio::awaitable<RpcResult<chatpb::GetUserChatsResponse>> GrpcChatClient::GetUserChats(
    chatpb::GetUserChatsRequest request, std::string request_id) {
  return UnaryCall<chatpb::GetUserChatsRequest, chatpb::GetUserChatsResponse>(
      in_flight_, Options(std::move(request_id)), std::move(request), MESSENGER_GATEWAY_START(GetUserChats));
}

asio::awaitable<RpcResult<chatpb::SendMessageResponse>> GrpcChatClient::SendMessage(
    chatpb::SendMessageRequest request, std::string request_id) {
  return UnaryCall<chatpb::SendMessageRequest, chatpb::SendMessageResponse>(
      in_flight_, Options(std::move(request_id)), std::move(request), MESSENGER_GATEWAY_START(SendMessage));
}

asio::awaitable<RpcResult<chatpb::GetChatHistoryResponse>> GrpcChatClient::GetChatHistory(
    chatpb::GetChatHistoryRequest request, std::string request_id) {
  return UnaryCall<chatpb::GetChatHistoryRequest, chatpb::GetChatHistoryResponse>(
      in_flight_, Options(std::move(request_id)), std::move(request),
      MESSENGER_GATEWAY_START(GetChatHistory));
}

asio::awaitable<RpcResult<chatpb::MarkReadResponse>> GrpcChatClient::MarkRead(chatpb::MarkReadRequest request,
                                                                              std::string request_id) {
  return UnaryCall<chatpb::MarkReadRequest, chatpb::MarkReadResponse>(
      in_flight_, Options(std::move(request_id)), std::move(request), MESSENGER_GATEWAY_START(MarkRead));
}

#undef MESSENGER_GATEWAY_START

}  // namespace messenger::gateway
