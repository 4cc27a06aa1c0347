// Where chats live (MongoDB collection `chats`, plus the small outbox `read_outbox` of read-mark events).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "chat/domain/types.hpp"
#include "messenger/common/status.hpp"

namespace messenger::chat {

class ChatStore {
 public:
  virtual ~ChatStore() = default;

  // Stores a new chat with last_seq 0, no last message and no read marks.
  // A direct chat (kind kDirect, two participants) exists at most once per pair: when the pair already has
  // one, that chat is returned with created=false and nothing is stored, also when two calls race (the
  // uniqueness is enforced by the store, not by a read before the write). A group chat is always new.
  virtual StatusOr<CreatedChat> Create(const ChatInfo& chat) = 0;

  // nullopt for an unknown chat.
  virtual StatusOr<std::optional<Chat>> Get(const std::string& chat_id) = 0;

  // Every chat `user_id` takes part in, newest activity first, in ONE query (never one per chat).
  virtual StatusOr<std::vector<Chat>> ListForUser(const std::string& user_id) = 0;

  // Applies stored messages of one chat to its document: last_seq/last_message move to the highest seq
  // among them only if that is above the current last_seq (never backwards), and each author's read mark
  // moves forward to the highest seq they wrote (sending implies having read). Idempotent, so the relay
  // re-applies it before publishing (repairing a crash between the message insert and this update).
  // `messages` is non-empty, of one chat, in any order. NOT_FOUND when the chat does not exist.
  virtual Status ApplyMessages(const std::vector<Message>& messages) = 0;

  // Moves `user_id`'s read mark in the chat forward to `seq` (no change when it is already there or
  // beyond). Idempotent.
  virtual Status AdvanceReadMark(const std::string& chat_id, const std::string& user_id, int64_t seq) = 0;

  // The outbox of read-mark events. Adding an event whose event_id is already waiting is a success
  // (a retried MarkRead). Listed oldest first; removed once published.
  virtual Status AddReadEvent(const ReadEvent& event) = 0;
  virtual StatusOr<std::vector<ReadEvent>> ListReadEvents(std::size_t limit) = 0;
  virtual Status RemoveReadEvents(const std::vector<std::string>& event_ids) = 0;
};

}  // namespace messenger::chat
