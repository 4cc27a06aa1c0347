// The Chat service as the gateway's handlers see it. Implemented over gRPC by GrpcChatClient; handler tests
// use a fake.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>

#include "clients/rpc.hpp"
#include "messenger/chat/v1/chat.pb.h"

namespace messenger::gateway {

class ChatClient {
 public:
  virtual ~ChatClient() = default;

  virtual boost::asio::awaitable<RpcResult<chat::v1::CreateChatResponse>> CreateChat(
      chat::v1::CreateChatRequest request, std::string request_id) = 0;
  virtual boost::asio::awaitable<RpcResult<chat::v1::GetUserChatsResponse>> GetUserChats(
      chat::v1::GetUserChatsRequest request, std::string request_id) = 0;
  virtual boost::asio::awaitable<RpcResult<chat::v1::SendMessageResponse>> SendMessage(
      chat::v1::SendMessageRequest request, std::string request_id) = 0;
  virtual boost::asio::awaitable<RpcResult<chat::v1::GetChatHistoryResponse>> GetChatHistory(
      chat::v1::GetChatHistoryRequest request, std::string request_id) = 0;
  virtual boost::asio::awaitable<RpcResult<chat::v1::MarkReadResponse>> MarkRead(
      chat::v1::MarkReadRequest request, std::string request_id) = 0;
};

}  // namespace messenger::gateway
