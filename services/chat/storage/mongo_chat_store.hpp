// ChatStore over MongoDB (FerretDB locally): collections `chats` and `read_outbox`.
//
// Every write to one chat document goes through a per-chat lock of this process (striped). FerretDB 1.24
// applies an update as read-modify-write without isolation, so two concurrent updates of one document can
// lose one another's fields (measured: concurrent $max of different read marks lost some of them, see
// README.md); serialising them in the process makes a single instance correct on FerretDB. On MongoDB each
// update is atomic on its own and the lock only costs a little parallelism.
#pragma once

#include <array>
#include <mutex>
#include <string>
#include <vector>

#include "chat/domain/chat_store.hpp"
#include "messenger/mongo/client.hpp"

namespace messenger::chat {

class MongoChatStore final : public ChatStore {
 public:
  explicit MongoChatStore(mongo::ClientPool& pool) : pool_(pool) {}

  // Creates the indexes (unique direct_key; participants + last_activity_at; read_outbox by time).
  // Idempotent; call at startup.
  Status EnsureIndexes();

  StatusOr<CreatedChat> Create(const ChatInfo& chat) override;
  StatusOr<std::optional<Chat>> Get(const std::string& chat_id) override;
  StatusOr<std::vector<Chat>> ListForUser(const std::string& user_id) override;
  Status ApplyMessages(const std::vector<Message>& messages) override;
  Status AdvanceReadMark(const std::string& chat_id, const std::string& user_id, int64_t seq) override;
  Status AddReadEvent(const ReadEvent& event) override;
  StatusOr<std::vector<ReadEvent>> ListReadEvents(std::size_t limit) override;
  Status RemoveReadEvents(const std::vector<std::string>& event_ids) override;

 private:
  std::mutex& LockFor(const std::string& chat_id);

  mongo::ClientPool& pool_;
  std::array<std::mutex, 64> stripes_;
};

}  // namespace messenger::chat
