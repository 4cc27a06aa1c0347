#include "chat/storage/mongo_chat_store.hpp"

#include <functional>
#include <map>

#include "chat/storage/mongo_documents.hpp"

namespace messenger::chat {
namespace {

using mongo::Bson;
using mongo::BsonBuilder;

Bson ById(const std::string& id) { return BsonBuilder().Append("_id", id).Build(); }

}  // namespace

std::mutex& MongoChatStore::LockFor(const std::string& chat_id) {
  return stripes_[std::hash<std::string>{}(chat_id) % stripes_.size()];
}

Status MongoChatStore::EnsureIndexes() {
  mongo::Lease lease = pool_.Acquire();
  mongo::Collection chats = lease.GetCollection(documents::kChats);
  MESSENGER_RETURN_IF_ERROR(
      chats.CreateIndex(BsonBuilder().Append("direct_key", int32_t{1}).Build(), true, "direct_key_unique"));
  MESSENGER_RETURN_IF_ERROR(chats.CreateIndex(
      BsonBuilder().Append("participants", int32_t{1}).Append("last_activity_at", int32_t{-1}).Build(), false,
      "participants_activity"));
  mongo::Collection outbox = lease.GetCollection(documents::kReadOutbox);
  return outbox.CreateIndex(BsonBuilder().Append("occurred_at", int32_t{1}).Build(), false, "occurred_at");
}

StatusOr<CreatedChat> MongoChatStore::Create(const ChatInfo& chat) {
  mongo::Lease lease = pool_.Acquire();
  mongo::Collection chats = lease.GetCollection(documents::kChats);
  StatusOr<std::string> inserted = chats.InsertOne(documents::ChatDocument(chat));
  if (inserted.ok()) return CreatedChat{chat, true};
  if (inserted.status().code() != StatusCode::kAlreadyExists || chat.kind != ChatKind::kDirect) {
    return inserted.status();
  }
  // The pair's direct chat exists (maybe created a moment ago by a racing call): return that one. Inserts
  // are checked against the unique index atomically, also on FerretDB, so exactly one insert won.
  Bson by_key = BsonBuilder().Append("direct_key", documents::DirectKey(chat)).Build();
  MESSENGER_ASSIGN_OR_RETURN(std::optional<Bson> existing, chats.FindOne(by_key));
  if (!existing) return inserted.status();
  MESSENGER_ASSIGN_OR_RETURN(Chat found, documents::ChatFromDocument(*existing));
  return CreatedChat{std::move(found.info), false};
}

StatusOr<std::optional<Chat>> MongoChatStore::Get(const std::string& chat_id) {
  mongo::Lease lease = pool_.Acquire();
  mongo::Collection chats = lease.GetCollection(documents::kChats);
  MESSENGER_ASSIGN_OR_RETURN(std::optional<Bson> doc, chats.FindOne(ById(chat_id)));
  if (!doc) return std::optional<Chat>();
  MESSENGER_ASSIGN_OR_RETURN(Chat chat, documents::ChatFromDocument(*doc));
  return std::optional<Chat>(std::move(chat));
}

StatusOr<std::vector<Chat>> MongoChatStore::ListForUser(const std::string& user_id) {
  mongo::Lease lease = pool_.Acquire();
  mongo::Collection chats = lease.GetCollection(documents::kChats);
  // kListUserChats: {participants: user_id} sorted by {last_activity_at: -1, _id: 1}.
  Bson filter = BsonBuilder().Append("participants", user_id).Build();
  Bson options = BsonBuilder()
                     .BeginDocument("sort")
                     .Append("last_activity_at", int32_t{-1})
                     .Append("_id", int32_t{1})
                     .EndDocument()
                     .Build();
  MESSENGER_ASSIGN_OR_RETURN(std::vector<Bson> docs, chats.Find(filter, options));
  std::vector<Chat> out;
  out.reserve(docs.size());
  for (const Bson& doc : docs) {
    MESSENGER_ASSIGN_OR_RETURN(Chat chat, documents::ChatFromDocument(doc));
    out.push_back(std::move(chat));
  }
  return out;
}

Status MongoChatStore::ApplyMessages(const std::vector<Message>& messages) {
  if (messages.empty()) return OkStatus();
  const std::string& chat_id = messages.front().chat_id;
  const Message* newest = &messages.front();
  std::map<std::string, int64_t> marks;  // author -> highest seq they wrote
  for (const Message& m : messages) {
    if (m.seq > newest->seq) newest = &m;
    int64_t& mark = marks[m.author_id];
    mark = std::max(mark, m.seq);
  }
  BsonBuilder max_marks;
  max_marks.BeginDocument("$max");
  for (const auto& [author, seq] : marks) max_marks.Append("read." + author, seq);
  max_marks.EndDocument();
  Bson marks_only = max_marks.Build();

  std::lock_guard lock(LockFor(chat_id));
  mongo::Lease lease = pool_.Acquire();
  mongo::Collection chats = lease.GetCollection(documents::kChats);
  // kApplyNewestMessage: only forward (filter last_seq < seq), with the authors' marks in the same write.
  Bson forward = BsonBuilder()
                     .Append("_id", chat_id)
                     .BeginDocument("last_seq")
                     .Append("$lt", newest->seq)
                     .EndDocument()
                     .Build();
  BsonBuilder update;
  update.BeginDocument("$set")
      .Append("last_seq", newest->seq)
      .Append("last_message", documents::MessageSummary(*newest))
      .AppendDateTime("last_activity_at", newest->created_at_ms)
      .EndDocument()
      .BeginDocument("$max");
  for (const auto& [author, seq] : marks) update.Append("read." + author, seq);
  update.EndDocument();
  MESSENGER_ASSIGN_OR_RETURN(mongo::UpdateResult moved, chats.UpdateOne(forward, update.Build()));
  if (moved.matched > 0) return OkStatus();
  // Already at or beyond that seq (a re-application, or a later message got there first): marks only.
  MESSENGER_ASSIGN_OR_RETURN(mongo::UpdateResult marked, chats.UpdateOne(ById(chat_id), marks_only));
  if (marked.matched == 0) return NotFoundError("no chat " + chat_id);
  return OkStatus();
}

Status MongoChatStore::AdvanceReadMark(const std::string& chat_id, const std::string& user_id, int64_t seq) {
  std::lock_guard lock(LockFor(chat_id));
  mongo::Lease lease = pool_.Acquire();
  mongo::Collection chats = lease.GetCollection(documents::kChats);
  Bson update = BsonBuilder().BeginDocument("$max").Append("read." + user_id, seq).EndDocument().Build();
  MESSENGER_ASSIGN_OR_RETURN(mongo::UpdateResult result, chats.UpdateOne(ById(chat_id), update));
  if (result.matched == 0) return NotFoundError("no chat " + chat_id);
  return OkStatus();
}

Status MongoChatStore::AddReadEvent(const ReadEvent& event) {
  mongo::Lease lease = pool_.Acquire();
  mongo::Collection outbox = lease.GetCollection(documents::kReadOutbox);
  StatusOr<std::string> inserted = outbox.InsertOne(documents::ReadEventDocument(event));
  if (!inserted.ok() && inserted.status().code() == StatusCode::kAlreadyExists) return OkStatus();
  return inserted.status();
}

StatusOr<std::vector<ReadEvent>> MongoChatStore::ListReadEvents(std::size_t limit) {
  mongo::Lease lease = pool_.Acquire();
  mongo::Collection outbox = lease.GetCollection(documents::kReadOutbox);
  Bson options = BsonBuilder()
                     .BeginDocument("sort")
                     .Append("occurred_at", int32_t{1})
                     .Append("_id", int32_t{1})
                     .EndDocument()
                     .Append("limit", static_cast<int64_t>(limit))
                     .Build();
  MESSENGER_ASSIGN_OR_RETURN(std::vector<Bson> docs, outbox.Find(Bson(), options));
  std::vector<ReadEvent> out;
  for (const Bson& doc : docs) {
    MESSENGER_ASSIGN_OR_RETURN(ReadEvent event, documents::ReadEventFromDocument(doc));
    out.push_back(std::move(event));
  }
  return out;
}

Status MongoChatStore::RemoveReadEvents(const std::vector<std::string>& event_ids) {
  if (event_ids.empty()) return OkStatus();
  mongo::Lease lease = pool_.Acquire();
  mongo::Collection outbox = lease.GetCollection(documents::kReadOutbox);
  Bson filter = BsonBuilder().BeginDocument("_id").AppendArray("$in", event_ids).EndDocument().Build();
  return outbox.DeleteMany(filter).status();
}

}  // namespace messenger::chat
