// FriendsClient and ChatClient over gRPC channels (callback API, see rpc.hpp).
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>

#include "clients/chat_client.hpp"
#include "clients/friends_client.hpp"
#include "clients/rpc.hpp"
#include "messenger/chat/v1/chat.grpc.pb.h"
#include "messenger/friends/v1/friends.grpc.pb.h"

namespace messenger::gateway {

class GrpcFriendsClient final : public FriendsClient {
 public:
  // `in_flight` must outlive the client and every call.
  GrpcFriendsClient(std::shared_ptr<grpc::Channel> channel, std::chrono::milliseconds deadline,
                    InFlightCalls& in_flight);

  boost::asio::awaitable<RpcResult<friends::v1::FriendActionResponse>> SendFriendRequest(
      friends::v1::FriendActionRequest request, std::string request_id) override;
  boost::asio::awaitable<RpcResult<friends::v1::FriendActionResponse>> AcceptFriendRequest(
      friends::v1::FriendActionRequest request, std::string request_id) override;
  boost::asio::awaitable<RpcResult<friends::v1::FriendActionResponse>> RejectFriendRequest(
      friends::v1::FriendActionRequest request, std::string request_id) override;
  boost::asio::awaitable<RpcResult<friends::v1::FriendActionResponse>> RemoveFriend(
      friends::v1::FriendActionRequest request, std::string request_id) override;
  boost::asio::awaitable<RpcResult<friends::v1::GetFriendsListResponse>> GetFriendsList(
      friends::v1::GetFriendsListRequest request, std::string request_id) override;
  boost::asio::awaitable<RpcResult<friends::v1::GetPendingRequestsResponse>> GetPendingRequests(
      friends::v1::GetPendingRequestsRequest request, std::string request_id) override;

 private:
  CallOptions Options(std::string request_id) const { return {deadline_, std::move(request_id)}; }

  std::unique_ptr<friends::v1::FriendsService::Stub> stub_;
  const std::chrono::milliseconds deadline_;
  InFlightCalls& in_flight_;
};

class GrpcChatClient final : public ChatClient {
 public:
  GrpcChatClient(std::shared_ptr<grpc::Channel> channel, std::chrono::milliseconds deadline,
                 InFlightCalls& in_flight);

  boost::asio::awaitable<RpcResult<chat::v1::CreateChatResponse>> CreateChat(
      chat::v1::CreateChatRequest request, std::string request_id) override;
  boost::asio::awaitable<RpcResult<chat::v1::GetUserChatsResponse>> GetUserChats(
      chat::v1::GetUserChatsRequest request, std::string request_id) override;
  boost::asio::awaitable<RpcResult<chat::v1::SendMessageResponse>> SendMessage(
      chat::v1::SendMessageRequest request, std::string request_id) override;
  boost::asio::awaitable<RpcResult<chat::v1::GetChatHistoryResponse>> GetChatHistory(
      chat::v1::GetChatHistoryRequest request, std::string request_id) override;
  boost::asio::awaitable<RpcResult<chat::v1::MarkReadResponse>> MarkRead(chat::v1::MarkReadRequest request,
                                                                         std::string request_id) override;

 private:
  CallOptions Options(std::string request_id) const { return {deadline_, std::move(request_id)}; }

  std::unique_ptr<chat::v1::ChatService::Stub> stub_;
  const std::chrono::milliseconds deadline_;
  InFlightCalls& in_flight_;
};

}  // namespace messenger::gateway
