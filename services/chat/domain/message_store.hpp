// Where messages live (MongoDB collection `messages`). Each message document is also its own outbox entry:
// it is stored unpublished and the relay marks it published once its MessageSent event is in Kafka.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "chat/domain/types.hpp"
#include "messenger/common/status.hpp"

namespace messenger::chat {

// Which messages of a chat a history read wants: seq strictly between after_seq and before_seq (each
// optional), the `limit` lowest (oldest_first) or highest ones, returned in ascending seq either way.
struct MessageRange {
  std::optional<int64_t> after_seq;
  std::optional<int64_t> before_seq;
  int limit = 50;
  bool oldest_first = false;
};

class MessageStore {
 public:
  virtual ~MessageStore() = default;

  // Stores the message with the chat's next seq (highest + 1: no gap, no duplicate, also with concurrent
  // writers in several processes) and returns it once the database acknowledged the write (with the
  // configured write concern). The message is stored unpublished.
  // When the chat already has a message of the same author with the same non-empty client_message_id,
  // nothing is stored and that message is returned with created=false (also when two retries race).
  // A failed write leaves no number used: the seq is claimed by the insert itself.
  virtual StatusOr<StoredMessage> Append(const NewMessage& message) = 0;

  // Messages of a chat inside `range`, ascending seq.
  virtual StatusOr<std::vector<Message>> List(const std::string& chat_id, const MessageRange& range) = 0;

  // The highest seq stored in the chat, 0 for none. Authoritative (reads the messages, not the chat).
  virtual StatusOr<int64_t> LastSeq(const std::string& chat_id) = 0;

  // Unpublished messages, ordered by (chat_id, seq), at most `limit`.
  virtual StatusOr<std::vector<Message>> ListUnpublished(std::size_t limit) = 0;
  // The unpublished messages of one chat, oldest first, at most `limit`.
  virtual StatusOr<std::vector<Message>> ListUnpublishedInChat(const std::string& chat_id,
                                                               std::size_t limit) = 0;
  // Marks messages as published (their MessageSent event is in Kafka). Idempotent.
  virtual Status MarkPublished(const std::vector<std::string>& message_ids) = 0;
};

}  // namespace messenger::chat
