// How chat domain values look as MongoDB documents (collections `chats`, `messages`, `read_outbox`).
// Storage-internal: only storage/ includes this.
#pragma once

#include <optional>
#include <string>

#include "chat/domain/types.hpp"
#include "messenger/common/status.hpp"
#include "messenger/mongo/bson.hpp"

namespace messenger::chat::documents {

inline constexpr char kChats[] = "chats";
inline constexpr char kMessages[] = "messages";
inline constexpr char kReadOutbox[] = "read_outbox";

// The unique key that keeps a pair from having two direct chats: "<lower id>:<higher id>". A group chat gets
// "group:<chat_id>", unique by construction, so the unique index needs no partial filter (FerretDB has none).
std::string DirectKey(const ChatInfo& chat);

// The stored form of a client_message_id: "c:<sha256 hex of the key>" for the client's key (fixed length,
// whatever the client sent, U+0000 included), "auto:<uuid>" when the client sent none (so every message has a
// distinct value and the unique index needs neither a partial filter nor sparse-ness).
std::string StoredClientMessageId(const std::string& client_message_id);

// A message without chat_id/seq (the claim loop adds those): _id, author_id, content, created_at,
// client_message_id, published=false. `content` is a string, or binary when the text holds U+0000 (which
// FerretDB cannot store in a string).
mongo::Bson MessageBody(const NewMessage& message);
// The `last_message` summary kept in a chat document.
mongo::Bson MessageSummary(const Message& message);

// Documents -> domain values; INTERNAL for a document that lacks a field (written by something else).
StatusOr<Message> MessageFromDocument(const mongo::Bson& document);
StatusOr<Chat> ChatFromDocument(const mongo::Bson& document);
StatusOr<ReadEvent> ReadEventFromDocument(const mongo::Bson& document);

mongo::Bson ChatDocument(const ChatInfo& chat);
mongo::Bson ReadEventDocument(const ReadEvent& event);

}  // namespace messenger::chat::documents
