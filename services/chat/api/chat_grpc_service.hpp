// messenger.chat.v1.ChatService over the domain's ChatService: proto <-> domain types, Status -> gRPC.
#pragma once

#include "chat/domain/chat_service.hpp"
#include "messenger/chat/v1/chat.grpc.pb.h"

namespace messenger::chat {

class ChatGrpcService final : public v1::ChatService::Service {
 public:
  explicit ChatGrpcService(ChatService& service) : service_(service) {}

  grpc::Status CreateChat(grpc::ServerContext* context, const v1::CreateChatRequest* request,
                          v1::CreateChatResponse* response) override;
  grpc::Status GetUserChats(grpc::ServerContext* context, const v1::GetUserChatsRequest* request,
                            v1::GetUserChatsResponse* response) override;
  grpc::Status SendMessage(grpc::ServerContext* context, const v1::SendMessageRequest* request,
                           v1::SendMessageResponse* response) override;
  grpc::Status GetChatHistory(grpc::ServerContext* context, const v1::GetChatHistoryRequest* request,
                              v1::GetChatHistoryResponse* response) override;
  grpc::Status MarkRead(grpc::ServerContext* context, const v1::MarkReadRequest* request,
                        v1::MarkReadResponse* response) override;

 private:
  ChatService& service_;
};

}  // namespace messenger::chat
