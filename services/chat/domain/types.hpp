// The Chat service's domain values. Plain structs: no driver, proto or JSON type appears here.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace messenger::chat {

enum class ChatKind { kDirect, kGroup };

struct Message {
  std::string message_id;  // UUID, also the event_id of its MessageSent event
  std::string chat_id;
  int64_t seq = 0;  // 1, 2, 3, ... per chat, without gaps
  std::string author_id;
  std::string content;
  int64_t created_at_ms = 0;

  friend bool operator==(const Message&, const Message&) = default;
};

// What never changes once a chat exists: who is in it and what kind it is.
struct ChatInfo {
  std::string chat_id;
  ChatKind kind = ChatKind::kGroup;
  std::vector<std::string> participants;  // sorted, without duplicates
  int64_t created_at_ms = 0;

  bool HasParticipant(const std::string& user_id) const;
  friend bool operator==(const ChatInfo&, const ChatInfo&) = default;
};

// A chat with its moving parts, as stored.
struct Chat {
  ChatInfo info;
  int64_t last_seq = 0;                 // seq of the newest message applied to the chat, 0 when none
  std::optional<Message> last_message;  // the message with last_seq
  std::map<std::string, int64_t> read;  // user_id -> read mark (seq); a missing user has 0
  int64_t last_activity_ms = 0;         // created_at of last_message, or of the chat

  int64_t ReadMark(const std::string& user_id) const;
};

// A chat as one participant sees it in their list.
struct ChatView {
  ChatInfo info;
  std::optional<Message> last_message;
  int64_t unread_count = 0;
};

// A message to be stored; the store assigns its seq.
struct NewMessage {
  std::string message_id;
  std::string chat_id;
  std::string author_id;
  std::string content;
  // The client's idempotency key; empty when the client sent none.
  std::string client_message_id;
  int64_t created_at_ms = 0;
};

struct StoredMessage {
  Message message;
  bool created = false;  // false: an earlier send with the same client_message_id, returned as stored
};

struct CreatedChat {
  ChatInfo chat;
  bool created = false;  // false: the direct chat of that pair already existed
};

struct HistoryPage {
  std::vector<Message> messages;  // ascending seq
  bool has_more = false;
};

// A read mark that moved (MarkRead), waiting in the outbox to be announced.
struct ReadEvent {
  std::string event_id;  // derived from (chat_id, user_id, seq): a retried MarkRead has the same one
  std::string chat_id;
  std::string user_id;
  int64_t seq = 0;
  std::vector<std::string> participants;
  int64_t occurred_at_ms = 0;

  friend bool operator==(const ReadEvent&, const ReadEvent&) = default;
};

// What the relay publishes (topic messenger.chat.v1, key chat_id).
struct MessageSentEvent {
  Message message;
  std::vector<std::string> participants;
};
using ChatEvent = std::variant<MessageSentEvent, ReadEvent>;

}  // namespace messenger::chat
