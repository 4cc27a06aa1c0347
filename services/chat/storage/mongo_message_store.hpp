// MessageStore over MongoDB (FerretDB locally): collection `messages`, one document per message, which is
// also its own outbox entry (`published`).
//
// Numbering follows libs/mongo's Sequencer: the seq is claimed by the insert itself under the unique
// (chat_id, seq) index (whose creation is the Sequencer's), and a duplicate key means another writer took
// that number, so a higher one is tried. (findAndModify $inc hands out duplicates on FerretDB.) What differs
// is how the next number is found. Sequencer::Insert asks for the highest seq (sort seq -1, limit 1) before
// every attempt; FerretDB pushes neither sort nor limit down and took ~450 ms for that with 4,000 messages,
// and with 8 concurrent writers the scanning losers starved (ABORTED after 64 lost races). So this store:
//   - starts at the number after the last seq it inserted or saw in this chat, or else after the chat
//     document's last_seq (a lookup by _id): both can only be too low, never too high (messages are never
//     deleted and every number they hold was stored), so the first insert usually succeeds without any read;
//   - after a lost race, finds the chat's highest seq by galloping from the refused number with equality
//     lookups {chat_id, seq} (FerretDB pushes those down to PostgreSQL: a few ms each). Since seqs are
//     gapless, "seq n exists" holds exactly for n <= last, so an exponential then binary search finds last
//     with O(log distance) lookups and no sort;
//   - when the refused number turns out to be free, another unique index refused the document: an earlier
//     send with the same client_message_id (returned with created=false) or this very message (an insert that
//     went through although the call reported an error; returned as created).
// A number is only tried when the one below is known to exist, so no gap can appear.
// Appends to one chat are serialised within the process (striped locks), so one instance never races
// itself; races remain only between instances.
#pragma once

#include <array>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "chat/domain/message_store.hpp"
#include "messenger/mongo/client.hpp"
#include "messenger/mongo/sequence.hpp"

namespace messenger::chat {

class MongoMessageStore final : public MessageStore {
 public:
  explicit MongoMessageStore(mongo::ClientPool& pool) : pool_(pool) {}

  // Unique (chat_id, seq) and (chat_id, author_id, client_message_id); (published, chat_id, seq) for the
  // relay. Idempotent; call at startup.
  Status EnsureIndexes();

  StatusOr<StoredMessage> Append(const NewMessage& message) override;
  StatusOr<std::vector<Message>> List(const std::string& chat_id, const MessageRange& range) override;
  StatusOr<int64_t> LastSeq(const std::string& chat_id) override;
  StatusOr<std::vector<Message>> ListUnpublished(std::size_t limit) override;
  StatusOr<std::vector<Message>> ListUnpublishedInChat(const std::string& chat_id, std::size_t limit) override;
  Status MarkPublished(const std::vector<std::string>& message_ids) override;

 private:
  // After an insert was refused as a duplicate: the message this send already stored (an earlier attempt of
  // this very call, created=true) or the one stored by an earlier send with the same client_message_id
  // (created=false); nullopt when neither exists.
  StatusOr<std::optional<StoredMessage>> FindConflict(mongo::Collection& messages, const NewMessage& message);
  StatusOr<StoredMessage> Claim(const mongo::Lease& lease, mongo::Collection& messages,
                                const NewMessage& message);
  // Whether the chat has a message with that seq (an equality lookup).
  StatusOr<bool> Exists(mongo::Collection& messages, const std::string& chat_id, int64_t seq);
  // The chat's highest seq, searched upwards from `known` (0, or a seq known to exist).
  StatusOr<int64_t> LastFrom(mongo::Collection& messages, const std::string& chat_id, int64_t known);
  // A lower bound of the chat's highest seq without reading messages: the hint, else the chat document.
  StatusOr<int64_t> KnownLast(const mongo::Lease& lease, const std::string& chat_id);
  std::optional<int64_t> Hint(const std::string& chat_id);
  void Remember(const std::string& chat_id, int64_t seq);

  mongo::ClientPool& pool_;
  const mongo::Sequencer sequencer_{"chat_id", "seq"};
  std::mutex hints_mu_;
  std::unordered_map<std::string, int64_t> hints_;
  std::array<std::mutex, 256> append_locks_;
};

}  // namespace messenger::chat
