#include "chat/storage/mongo_documents.hpp"

#include <bson/bson.h>

#include <vector>

#include "messenger/common/ids.hpp"

namespace messenger::chat::documents {
namespace {

using mongo::Bson;
using mongo::BsonBuilder;

Status Malformed(const Bson& document, const char* what) {
  return InternalError(std::string("malformed document (") + what + "): " + document.ToJson());
}

// Message text is a UTF-8 string field, except when it contains U+0000: FerretDB keeps documents in
// PostgreSQL jsonb, which cannot hold that character (insert fails with SQLSTATE 22P05), so such text is
// stored as binary (subtype 0) holding the same UTF-8 bytes. MongoDB would take the string; the binary form
// works on both.
void AppendContent(Bson& document, const char* key, const std::string& content) {
  if (content.find('\0') == std::string::npos) {
    bson_append_utf8(document.mutable_get(), key, -1, content.data(), static_cast<int>(content.size()));
  } else {
    bson_append_binary(document.mutable_get(), key, -1, BSON_SUBTYPE_BINARY,
                       reinterpret_cast<const uint8_t*>(content.data()),
                       static_cast<uint32_t>(content.size()));
  }
}

std::optional<std::string> ReadContent(const Bson& document, const char* key) {
  bson_iter_t it;
  if (!bson_iter_init_find(&it, document.get(), key)) return std::nullopt;
  if (BSON_ITER_HOLDS_UTF8(&it)) {
    uint32_t length = 0;
    const char* text = bson_iter_utf8(&it, &length);
    return std::string(text, length);
  }
  if (BSON_ITER_HOLDS_BINARY(&it)) {
    bson_subtype_t subtype;
    uint32_t length = 0;
    const uint8_t* data = nullptr;
    bson_iter_binary(&it, &subtype, &length, &data);
    return std::string(reinterpret_cast<const char*>(data), length);
  }
  return std::nullopt;
}

}  // namespace

std::string DirectKey(const ChatInfo& chat) {
  if (chat.kind == ChatKind::kGroup || chat.participants.size() != 2) return "group:" + chat.chat_id;
  const std::string& a = chat.participants[0];
  const std::string& b = chat.participants[1];
  return a < b ? a + ":" + b : b + ":" + a;
}

std::string StoredClientMessageId(const std::string& client_message_id) {
  return client_message_id.empty() ? "auto:" + NewUuid() : "c:" + Sha256Hex(client_message_id);
}

Bson MessageBody(const NewMessage& message) {
  Bson body = BsonBuilder()
                  .Append("_id", message.message_id)
                  .Append("author_id", message.author_id)
                  .AppendDateTime("created_at", message.created_at_ms)
                  .Append("client_message_id", StoredClientMessageId(message.client_message_id))
                  .Append("published", false)
                  .Build();
  AppendContent(body, "content", message.content);
  return body;
}

Bson MessageSummary(const Message& message) {
  Bson summary = BsonBuilder()
                     .Append("message_id", message.message_id)
                     .Append("seq", message.seq)
                     .Append("author_id", message.author_id)
                     .AppendDateTime("created_at", message.created_at_ms)
                     .Build();
  AppendContent(summary, "content", message.content);
  return summary;
}

StatusOr<Message> MessageFromDocument(const Bson& document) {
  Message m;
  m.message_id = document.IdString();
  auto chat_id = document.GetString("chat_id");
  auto seq = document.GetInt64("seq");
  auto author = document.GetString("author_id");
  auto content = ReadContent(document, "content");
  auto created = document.GetDateTimeMs("created_at");
  if (m.message_id.empty() || !chat_id || !seq || !author || !content || !created) {
    return Malformed(document, "message");
  }
  m.chat_id = *std::move(chat_id);
  m.seq = *seq;
  m.author_id = *std::move(author);
  m.content = *std::move(content);
  m.created_at_ms = *created;
  return m;
}

StatusOr<Chat> ChatFromDocument(const Bson& document) {
  Chat chat;
  chat.info.chat_id = document.IdString();
  auto kind = document.GetString("kind");
  auto participants = document.GetStringArray("participants");
  auto created = document.GetDateTimeMs("created_at");
  auto last_seq = document.GetInt64("last_seq");
  auto activity = document.GetDateTimeMs("last_activity_at");
  if (chat.info.chat_id.empty() || !kind || !participants || !created || !last_seq || !activity) {
    return Malformed(document, "chat");
  }
  chat.info.kind = *kind == "direct" ? ChatKind::kDirect : ChatKind::kGroup;
  chat.info.participants = *std::move(participants);
  chat.info.created_at_ms = *created;
  chat.last_seq = *last_seq;
  chat.last_activity_ms = *activity;

  if (std::optional<Bson> last = document.GetDocument("last_message")) {
    Message m;
    auto id = last->GetString("message_id");
    auto seq = last->GetInt64("seq");
    auto author = last->GetString("author_id");
    auto content = ReadContent(*last, "content");
    auto at = last->GetDateTimeMs("created_at");
    if (!id || !seq || !author || !content || !at) return Malformed(document, "last_message");
    m.message_id = *std::move(id);
    m.chat_id = chat.info.chat_id;
    m.seq = *seq;
    m.author_id = *std::move(author);
    m.content = *std::move(content);
    m.created_at_ms = *at;
    chat.last_message = std::move(m);
  }

  if (std::optional<Bson> read = document.GetDocument("read")) {
    bson_iter_t it;
    if (bson_iter_init(&it, read->get())) {
      while (bson_iter_next(&it)) {
        if (BSON_ITER_HOLDS_INT32(&it) || BSON_ITER_HOLDS_INT64(&it) || BSON_ITER_HOLDS_DOUBLE(&it)) {
          chat.read[bson_iter_key(&it)] = bson_iter_as_int64(&it);
        }
      }
    }
  }
  return chat;
}

StatusOr<ReadEvent> ReadEventFromDocument(const Bson& document) {
  ReadEvent e;
  e.event_id = document.IdString();
  auto chat_id = document.GetString("chat_id");
  auto user_id = document.GetString("user_id");
  auto seq = document.GetInt64("seq");
  auto participants = document.GetStringArray("participants");
  auto at = document.GetDateTimeMs("occurred_at");
  if (e.event_id.empty() || !chat_id || !user_id || !seq || !participants || !at) {
    return Malformed(document, "read event");
  }
  e.chat_id = *std::move(chat_id);
  e.user_id = *std::move(user_id);
  e.seq = *seq;
  e.participants = *std::move(participants);
  e.occurred_at_ms = *at;
  return e;
}

Bson ChatDocument(const ChatInfo& chat) {
  return BsonBuilder()
      .Append("_id", chat.chat_id)
      .Append("kind", chat.kind == ChatKind::kDirect ? "direct" : "group")
      .AppendArray("participants", chat.participants)
      .AppendDateTime("created_at", chat.created_at_ms)
      .Append("last_seq", int64_t{0})
      .AppendNull("last_message")
      .BeginDocument("read")
      .EndDocument()
      .Append("direct_key", DirectKey(chat))
      .AppendDateTime("last_activity_at", chat.created_at_ms)
      .Build();
}

Bson ReadEventDocument(const ReadEvent& event) {
  return BsonBuilder()
      .Append("_id", event.event_id)
      .Append("chat_id", event.chat_id)
      .Append("user_id", event.user_id)
      .Append("seq", event.seq)
      .AppendArray("participants", event.participants)
      .AppendDateTime("occurred_at", event.occurred_at_ms)
      .Build();
}

}  // namespace messenger::chat::documents
