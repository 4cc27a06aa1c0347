#include "chat/api/chat_grpc_service.hpp"

#include <string_view>
#include <vector>

#include "messenger/common/grpc_status.hpp"
#include "messenger/common/logging.hpp"

namespace messenger::chat {
namespace {

void ToProto(const Message& m, v1::Message* out) {
  out->set_message_id(m.message_id);
  out->set_chat_id(m.chat_id);
  out->set_seq(m.seq);
  out->set_author_id(m.author_id);
  out->set_content(m.content);
  out->set_created_at_unix_ms(m.created_at_ms);
}

void ToProto(const ChatView& view, v1::Chat* out) {
  out->set_chat_id(view.info.chat_id);
  for (const std::string& p : view.info.participants) out->add_participants(p);
  out->set_kind(view.info.kind == ChatKind::kDirect ? v1::CHAT_KIND_DIRECT : v1::CHAT_KIND_GROUP);
  out->set_created_at_unix_ms(view.info.created_at_ms);
  if (view.last_message) ToProto(*view.last_message, out->mutable_last_message());
  out->set_unread_count(view.unread_count);
}

// Rule violations go to the caller as they are; infrastructure failures are logged here, once, and reach the
// caller without internal detail.
grpc::Status Reply(std::string_view rpc, const Status& status, grpc::ServerContext* context) {
  switch (status.code()) {
    case StatusCode::kOk:
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kPermissionDenied:
      return ToGrpcStatus(status, context);
    default:
      log::Error("request failed", {{"rpc", rpc}, {"error", status.ToString()}});
      return ToGrpcStatus(Status(status.code(), "the chat service could not complete the request"), context);
  }
}

}  // namespace

grpc::Status ChatGrpcService::CreateChat(grpc::ServerContext* context, const v1::CreateChatRequest* request,
                                         v1::CreateChatResponse* response) {
  log::RequestScope scope(RequestIdFromServerContext(*context));
  std::vector<std::string> participants(request->participant_ids().begin(), request->participant_ids().end());
  StatusOr<CreateChatResult> result = service_.CreateChat(request->creator_id(), participants);
  if (result.ok()) {
    ToProto(result->chat, response->mutable_chat());
    response->set_created(result->created);
  }
  return Reply("CreateChat", result.status(), context);
}

grpc::Status ChatGrpcService::GetUserChats(grpc::ServerContext* context,
                                           const v1::GetUserChatsRequest* request,
                                           v1::GetUserChatsResponse* response) {
  log::RequestScope scope(RequestIdFromServerContext(*context));
  StatusOr<std::vector<ChatView>> chats = service_.GetUserChats(request->user_id());
  if (chats.ok()) {
    for (const ChatView& view : *chats) ToProto(view, response->add_chats());
  }
  return Reply("GetUserChats", chats.status(), context);
}

grpc::Status ChatGrpcService::SendMessage(grpc::ServerContext* context, const v1::SendMessageRequest* request,
                                          v1::SendMessageResponse* response) {
  log::RequestScope scope(RequestIdFromServerContext(*context));
  StatusOr<StoredMessage> stored = service_.SendMessage(request->chat_id(), request->author_id(),
                                                        request->content(), request->client_message_id());
  if (stored.ok()) {
    ToProto(stored->message, response->mutable_message());
    response->set_created(stored->created);
  }
  return Reply("SendMessage", stored.status(), context);
}

grpc::Status ChatGrpcService::GetChatHistory(grpc::ServerContext* context,
                                             const v1::GetChatHistoryRequest* request,
                                             v1::GetChatHistoryResponse* response) {
  log::RequestScope scope(RequestIdFromServerContext(*context));
  HistoryQuery query;
  query.chat_id = request->chat_id();
  query.user_id = request->user_id();
  if (request->has_before_seq()) query.before_seq = request->before_seq();
  if (request->has_after_seq()) query.after_seq = request->after_seq();
  query.limit = request->limit();
  StatusOr<HistoryPage> page = service_.GetChatHistory(query);
  if (page.ok()) {
    for (const Message& m : page->messages) ToProto(m, response->add_messages());
    response->set_has_more(page->has_more);
  }
  return Reply("GetChatHistory", page.status(), context);
}

grpc::Status ChatGrpcService::MarkRead(grpc::ServerContext* context, const v1::MarkReadRequest* request,
                                       v1::MarkReadResponse* response) {
  log::RequestScope scope(RequestIdFromServerContext(*context));
  return Reply("MarkRead", service_.MarkRead(request->chat_id(), request->user_id(), request->seq()),
               context);
}

}  // namespace messenger::chat
