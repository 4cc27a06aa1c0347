#include "chat/storage/mongo_message_store.hpp"

#include <algorithm>

#include "chat/storage/mongo_documents.hpp"

namespace messenger::chat {
namespace {

using mongo::Bson;
using mongo::BsonBuilder;

// Bounds the memory of the seq hints; past it they are dropped and rebuilt as chats are written.
constexpr std::size_t kMaxHints = 100000;
// Each lost race means another writer stored a message; this bounds one call's work under a stampede.
constexpr int kMaxLosses = 256;

StatusOr<std::vector<Message>> ToMessages(const std::vector<Bson>& docs) {
  std::vector<Message> out;
  out.reserve(docs.size());
  for (const Bson& doc : docs) {
    MESSENGER_ASSIGN_OR_RETURN(Message m, documents::MessageFromDocument(doc));
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace

Status MongoMessageStore::EnsureIndexes() {
  mongo::Lease lease = pool_.Acquire();
  mongo::Collection messages = lease.GetCollection(documents::kMessages);
  MESSENGER_RETURN_IF_ERROR(sequencer_.EnsureIndex(messages));
  MESSENGER_RETURN_IF_ERROR(messages.CreateIndex(BsonBuilder()
                                                     .Append("chat_id", int32_t{1})
                                                     .Append("author_id", int32_t{1})
                                                     .Append("client_message_id", int32_t{1})
                                                     .Build(),
                                                 true, "chat_author_client_message_id_unique"));
  return messages.CreateIndex(BsonBuilder()
                                  .Append("published", int32_t{1})
                                  .Append("chat_id", int32_t{1})
                                  .Append("seq", int32_t{1})
                                  .Build(),
                              false, "published_chat_seq");
}

std::optional<int64_t> MongoMessageStore::Hint(const std::string& chat_id) {
  std::lock_guard lock(hints_mu_);
  auto it = hints_.find(chat_id);
  if (it == hints_.end()) return std::nullopt;
  return it->second;
}

void MongoMessageStore::Remember(const std::string& chat_id, int64_t seq) {
  std::lock_guard lock(hints_mu_);
  if (hints_.size() >= kMaxHints) hints_.clear();
  int64_t& hint = hints_[chat_id];
  hint = std::max(hint, seq);
}

StatusOr<std::optional<StoredMessage>> MongoMessageStore::FindConflict(mongo::Collection& messages,
                                                                       const NewMessage& message) {
  MESSENGER_ASSIGN_OR_RETURN(std::optional<Bson> mine,
                             messages.FindOne(BsonBuilder().Append("_id", message.message_id).Build()));
  if (mine) {
    MESSENGER_ASSIGN_OR_RETURN(Message m, documents::MessageFromDocument(*mine));
    return std::optional<StoredMessage>(StoredMessage{std::move(m), true});
  }
  if (message.client_message_id.empty()) return std::optional<StoredMessage>();
  Bson by_client_id =
      BsonBuilder()
          .Append("chat_id", message.chat_id)
          .Append("author_id", message.author_id)
          .Append("client_message_id", documents::StoredClientMessageId(message.client_message_id))
          .Build();
  MESSENGER_ASSIGN_OR_RETURN(std::optional<Bson> earlier, messages.FindOne(by_client_id));
  if (!earlier) return std::optional<StoredMessage>();
  MESSENGER_ASSIGN_OR_RETURN(Message m, documents::MessageFromDocument(*earlier));
  return std::optional<StoredMessage>(StoredMessage{std::move(m), false});
}

StatusOr<StoredMessage> MongoMessageStore::Append(const NewMessage& message) {
  std::lock_guard lock(append_locks_[std::hash<std::string>{}(message.chat_id) % append_locks_.size()]);
  mongo::Lease lease = pool_.Acquire();
  mongo::Collection messages = lease.GetCollection(documents::kMessages);
  MESSENGER_ASSIGN_OR_RETURN(StoredMessage stored, Claim(lease, messages, message));
  Remember(message.chat_id, stored.message.seq);
  return stored;
}

StatusOr<bool> MongoMessageStore::Exists(mongo::Collection& messages, const std::string& chat_id,
                                         int64_t seq) {
  // kSeqExists: {chat_id, seq} equality, projected to _id.
  Bson filter = BsonBuilder().Append("chat_id", chat_id).Append("seq", seq).Build();
  Bson options = BsonBuilder().BeginDocument("projection").Append("_id", int32_t{1}).EndDocument().Build();
  MESSENGER_ASSIGN_OR_RETURN(std::optional<Bson> found, messages.FindOne(filter, options));
  return found.has_value();
}

StatusOr<int64_t> MongoMessageStore::LastFrom(mongo::Collection& messages, const std::string& chat_id,
                                              int64_t known) {
  // Invariant: `low` exists (or is 0); `high` does not (or is unknown yet).
  int64_t low = known;
  int64_t step = 1;
  int64_t high = 0;
  while (true) {
    MESSENGER_ASSIGN_OR_RETURN(bool exists, Exists(messages, chat_id, low + step));
    if (!exists) {
      high = low + step;
      break;
    }
    low += step;
    step *= 2;
  }
  while (high - low > 1) {
    const int64_t middle = low + (high - low) / 2;
    MESSENGER_ASSIGN_OR_RETURN(bool exists, Exists(messages, chat_id, middle));
    (exists ? low : high) = middle;
  }
  return low;
}

StatusOr<int64_t> MongoMessageStore::KnownLast(const mongo::Lease& lease, const std::string& chat_id) {
  if (std::optional<int64_t> hint = Hint(chat_id)) return *hint;
  mongo::Collection chats = lease.GetCollection(documents::kChats);
  Bson options =
      BsonBuilder().BeginDocument("projection").Append("last_seq", int32_t{1}).EndDocument().Build();
  MESSENGER_ASSIGN_OR_RETURN(std::optional<Bson> chat,
                             chats.FindOne(BsonBuilder().Append("_id", chat_id).Build(), options));
  if (!chat) return int64_t{0};
  return chat->GetInt64("last_seq").value_or(0);
}

StatusOr<StoredMessage> MongoMessageStore::Claim(const mongo::Lease& lease, mongo::Collection& messages,
                                                 const NewMessage& message) {
  const Bson body = documents::MessageBody(message);
  MESSENGER_ASSIGN_OR_RETURN(int64_t known, KnownLast(lease, message.chat_id));
  int64_t candidate = known + 1;
  for (int losses = 0; losses < kMaxLosses; ++losses) {
    Bson numbered = BsonBuilder().Append("chat_id", message.chat_id).Append("seq", candidate).Build();
    bson_concat(numbered.mutable_get(), body.get());
    StatusOr<std::string> inserted = messages.InsertOne(numbered);
    if (inserted.ok()) {
      return StoredMessage{Message{message.message_id, message.chat_id, candidate, message.author_id,
                                   message.content, message.created_at_ms},
                           true};
    }
    if (inserted.status().code() != StatusCode::kAlreadyExists) return inserted.status();
    MESSENGER_ASSIGN_OR_RETURN(bool taken, Exists(messages, message.chat_id, candidate));
    if (!taken) {
      // The number was free: another unique index refused the document.
      MESSENGER_ASSIGN_OR_RETURN(std::optional<StoredMessage> conflict, FindConflict(messages, message));
      if (!conflict) return InternalError("message insert refused by a unique index, but nothing conflicts");
      return *std::move(conflict);
    }
    MESSENGER_ASSIGN_OR_RETURN(int64_t last, LastFrom(messages, message.chat_id, candidate));
    candidate = last + 1;
  }
  return AbortedError("lost " + std::to_string(kMaxLosses) + " races for a seq in chat " + message.chat_id);
}

StatusOr<std::vector<Message>> MongoMessageStore::List(const std::string& chat_id,
                                                       const MessageRange& range) {
  mongo::Lease lease = pool_.Acquire();
  mongo::Collection messages = lease.GetCollection(documents::kMessages);
  // kChatHistory: {chat_id, seq: {$gt: after, $lt: before}} sorted by seq (descending for the newest),
  // limited.
  BsonBuilder filter;
  filter.Append("chat_id", chat_id);
  if (range.after_seq || range.before_seq) {
    filter.BeginDocument("seq");
    if (range.after_seq) filter.Append("$gt", *range.after_seq);
    if (range.before_seq) filter.Append("$lt", *range.before_seq);
    filter.EndDocument();
  }
  Bson options = BsonBuilder()
                     .BeginDocument("sort")
                     .Append("seq", int32_t{range.oldest_first ? 1 : -1})
                     .EndDocument()
                     .Append("limit", static_cast<int64_t>(range.limit))
                     .Build();
  MESSENGER_ASSIGN_OR_RETURN(std::vector<Bson> docs, messages.Find(filter.Build(), options));
  MESSENGER_ASSIGN_OR_RETURN(std::vector<Message> out, ToMessages(docs));
  if (!range.oldest_first) std::reverse(out.begin(), out.end());
  if (!out.empty() && !range.before_seq) Remember(chat_id, out.back().seq);
  return out;
}

StatusOr<int64_t> MongoMessageStore::LastSeq(const std::string& chat_id) {
  mongo::Lease lease = pool_.Acquire();
  mongo::Collection messages = lease.GetCollection(documents::kMessages);
  MESSENGER_ASSIGN_OR_RETURN(int64_t known, KnownLast(lease, chat_id));
  MESSENGER_ASSIGN_OR_RETURN(int64_t last, LastFrom(messages, chat_id, known));
  if (last > 0) Remember(chat_id, last);
  return last;
}

StatusOr<std::vector<Message>> MongoMessageStore::ListUnpublished(std::size_t limit) {
  mongo::Lease lease = pool_.Acquire();
  mongo::Collection messages = lease.GetCollection(documents::kMessages);
  // kListUnpublished: {published: false} sorted by (chat_id, seq), limited.
  Bson options = BsonBuilder()
                     .BeginDocument("sort")
                     .Append("chat_id", int32_t{1})
                     .Append("seq", int32_t{1})
                     .EndDocument()
                     .Append("limit", static_cast<int64_t>(limit))
                     .Build();
  MESSENGER_ASSIGN_OR_RETURN(std::vector<Bson> docs,
                             messages.Find(BsonBuilder().Append("published", false).Build(), options));
  return ToMessages(docs);
}

StatusOr<std::vector<Message>> MongoMessageStore::ListUnpublishedInChat(const std::string& chat_id,
                                                                        std::size_t limit) {
  mongo::Lease lease = pool_.Acquire();
  mongo::Collection messages = lease.GetCollection(documents::kMessages);
  // kListUnpublishedInChat: {published: false, chat_id} (both equalities, so FerretDB filters in
  // PostgreSQL) sorted by seq, limited.
  Bson filter = BsonBuilder().Append("published", false).Append("chat_id", chat_id).Build();
  Bson options = BsonBuilder()
                     .BeginDocument("sort")
                     .Append("seq", int32_t{1})
                     .EndDocument()
                     .Append("limit", static_cast<int64_t>(limit))
                     .Build();
  MESSENGER_ASSIGN_OR_RETURN(std::vector<Bson> docs, messages.Find(filter, options));
  return ToMessages(docs);
}

Status MongoMessageStore::MarkPublished(const std::vector<std::string>& message_ids) {
  if (message_ids.empty()) return OkStatus();
  mongo::Lease lease = pool_.Acquire();
  mongo::Collection messages = lease.GetCollection(documents::kMessages);
  // kMarkPublished: one write per batch. FerretDB 1.24 reads the documents an update matches with a
  // containment query (`_jsonb->'_id' @> ...`, also for _id) that no index serves, so each update costs a
  // scan of the collection: one per batch, never one per message (tried: per-_id updates were slower, and a
  // bulk of them hung FerretDB, which holds a PostgreSQL connection per statement of an update command).
  // The equality on `published` narrows that scan to unpublished documents in PostgreSQL ($in is not pushed
  // down).
  Bson filter = BsonBuilder()
                    .Append("published", false)
                    .BeginDocument("_id")
                    .AppendArray("$in", message_ids)
                    .EndDocument()
                    .Build();
  Bson update = BsonBuilder().BeginDocument("$set").Append("published", true).EndDocument().Build();
  return messages.UpdateMany(filter, update).status();
}

}  // namespace messenger::chat
