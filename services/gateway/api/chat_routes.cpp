#include "api/chat_routes.hpp"

#include <boost/json.hpp>

#include "api/handler_support.hpp"
#include "http/json.hpp"
#include "messenger/common/ids.hpp"

namespace messenger::gateway {

namespace asio = boost::asio;
namespace json = boost::json;
namespace chatpb = messenger::chat::v1;

namespace {

// A chat ID that is not a UUID cannot exist: the same answer as an unknown chat.
Response NoSuchChat() { return ErrorResponse(404, "NOT_FOUND", "no such chat"); }

asio::awaitable<Response> CreateChat(ChatClient& chat, Request& request) {
  StatusOr<json::object> body = ParseJsonObject(request.body);
  if (!body.ok()) co_return ErrorFromStatus(body.status());
  StatusOr<std::vector<std::string>> participants = RequiredStringArray(*body, "participants");
  if (!participants.ok()) co_return ErrorFromStatus(participants.status());
  if (participants->empty()) {
    co_return ErrorFromStatus(InvalidArgumentError("'participants' must name at least one other user"));
  }
  chatpb::CreateChatRequest call;
  call.set_creator_id(PrincipalOf(request).user_id);
  for (std::string& id : *participants) {
    if (!IsUuid(id)) co_return ErrorFromStatus(InvalidArgumentError("'participants' must hold user IDs"));
    call.add_participant_ids(std::move(id));
  }
  auto result = co_await chat.CreateChat(std::move(call), request.request_id);
  if (!result.ok()) co_return ErrorFromRpc(request, "chat.CreateChat", result);
  co_return JsonResponse(result.value.created() ? 201 : 200, ChatJson(result.value.chat()));
}

asio::awaitable<Response> ListChats(ChatClient& chat, Request& request) {
  chatpb::GetUserChatsRequest call;
  call.set_user_id(PrincipalOf(request).user_id);
  auto result = co_await chat.GetUserChats(std::move(call), request.request_id);
  if (!result.ok()) co_return ErrorFromRpc(request, "chat.GetUserChats", result);
  json::array list;
  for (const chatpb::Chat& c : result.value.chats()) list.push_back(ChatJson(c));
  co_return JsonResponse(200, json::object{{"chats", std::move(list)}});
}

asio::awaitable<Response> Send(ChatClient& chat, Request& request) {
  std::string_view chat_id = request.Param("chat_id");
  if (!IsUuid(chat_id)) co_return NoSuchChat();
  StatusOr<json::object> body = ParseJsonObject(request.body);
  if (!body.ok()) co_return ErrorFromStatus(body.status());
  StatusOr<std::string> content = RequiredString(*body, "content");
  if (!content.ok()) co_return ErrorFromStatus(content.status());
  StatusOr<std::optional<std::string>> client_id = OptionalString(*body, "client_message_id");
  if (!client_id.ok()) co_return ErrorFromStatus(client_id.status());
  if (client_id->has_value() && (**client_id).size() > kMaxClientMessageIdBytes) {
    co_return ErrorFromStatus(InvalidArgumentError("'client_message_id' is longer than 128 bytes"));
  }
  chatpb::SendMessageRequest call;
  call.set_chat_id(std::string(chat_id));
  call.set_author_id(PrincipalOf(request).user_id);
  call.set_content(std::move(content).value());
  if (client_id->has_value()) call.set_client_message_id(std::move(**client_id));
  auto result = co_await chat.SendMessage(std::move(call), request.request_id);
  if (!result.ok()) co_return ErrorFromRpc(request, "chat.SendMessage", result);
  co_return JsonResponse(result.value.created() ? 201 : 200, MessageJson(result.value.message()));
}

asio::awaitable<Response> History(ChatClient& chat, Request& request) {
  std::string_view chat_id = request.Param("chat_id");
  if (!IsUuid(chat_id)) co_return NoSuchChat();
  StatusOr<std::optional<std::int64_t>> limit = QueryInt64(request, "limit");
  if (!limit.ok()) co_return ErrorFromStatus(limit.status());
  StatusOr<std::optional<std::int64_t>> before = QueryInt64(request, "before_seq");
  if (!before.ok()) co_return ErrorFromStatus(before.status());
  StatusOr<std::optional<std::int64_t>> after = QueryInt64(request, "after_seq");
  if (!after.ok()) co_return ErrorFromStatus(after.status());
  std::int64_t n = limit->value_or(kDefaultHistoryLimit);
  if (n < 1 || n > kMaxHistoryLimit) {
    co_return ErrorFromStatus(InvalidArgumentError("query parameter 'limit' must be between 1 and 100"));
  }
  if ((before->has_value() && **before < 0) || (after->has_value() && **after < 0)) {
    co_return ErrorFromStatus(InvalidArgumentError("cursors must not be negative"));
  }
  chatpb::GetChatHistoryRequest call;
  call.set_chat_id(std::string(chat_id));
  call.set_user_id(PrincipalOf(request).user_id);
  call.set_limit(static_cast<std::int32_t>(n));
  if (before->has_value()) call.set_before_seq(**before);
  if (after->has_value()) call.set_after_seq(**after);
  auto result = co_await chat.GetChatHistory(std::move(call), request.request_id);
  if (!result.ok()) co_return ErrorFromRpc(request, "chat.GetChatHistory", result);
  json::array list;
  for (const chatpb::Message& m : result.value.messages()) list.push_back(MessageJson(m));
  co_return JsonResponse(200,
                         json::object{{"messages", std::move(list)}, {"has_more", result.value.has_more()}});
}

asio::awaitable<Response> MarkRead(ChatClient& chat, Request& request) {
  std::string_view chat_id = request.Param("chat_id");
  if (!IsUuid(chat_id)) co_return NoSuchChat();
  StatusOr<json::object> body = ParseJsonObject(request.body);
  if (!body.ok()) co_return ErrorFromStatus(body.status());
  StatusOr<std::int64_t> seq = RequiredInt64(*body, "seq");
  if (!seq.ok()) co_return ErrorFromStatus(seq.status());
  if (*seq < 0) co_return ErrorFromStatus(InvalidArgumentError("'seq' must not be negative"));
  chatpb::MarkReadRequest call;
  call.set_chat_id(std::string(chat_id));
  call.set_user_id(PrincipalOf(request).user_id);
  call.set_seq(*seq);
  auto result = co_await chat.MarkRead(std::move(call), request.request_id);
  if (!result.ok()) co_return ErrorFromRpc(request, "chat.MarkRead", result);
  co_return EmptyResponse(204);
}

}  // namespace

json::object MessageJson(const chatpb::Message& m) {
  return json::object{{"message_id", m.message_id()},
                      {"chat_id", m.chat_id()},
                      {"seq", m.seq()},
                      {"author_id", m.author_id()},
                      {"content", m.content()},
                      {"created_at", FormatRfc3339Millis(m.created_at_unix_ms())}};
}

json::object ChatJson(const chatpb::Chat& c) {
  json::array participants;
  for (const std::string& p : c.participants()) participants.push_back(json::string(p));
  json::value last = nullptr;
  if (c.has_last_message()) last = MessageJson(c.last_message());
  return json::object{{"chat_id", c.chat_id()},
                      {"kind", c.kind() == chatpb::CHAT_KIND_GROUP ? "group" : "direct"},
                      {"participants", std::move(participants)},
                      {"created_at", FormatRfc3339Millis(c.created_at_unix_ms())},
                      {"last_message", std::move(last)},
                      {"unread_count", c.unread_count()}};
}

void AddChatRoutes(Router& router, ChatClient& chat) {
  router.Add("POST", "/v1/chats", Access::kBearer, [&chat](Request& r) { return CreateChat(chat, r); });
  router.Add("GET", "/v1/chats", Access::kBearer, [&chat](Request& r) { return ListChats(chat, r); });
  router.Add("POST", "/v1/chats/{chat_id}/messages", Access::kBearer,
             [&chat](Request& r) { return Send(chat, r); });
  router.Add("GET", "/v1/chats/{chat_id}/messages", Access::kBearer,
             [&chat](Request& r) { return History(chat, r); });
  router.Add("POST", "/v1/chats/{chat_id}/read", Access::kBearer,
             [&chat](Request& r) { return MarkRead(chat, r); });
}

}  // namespace messenger::gateway
