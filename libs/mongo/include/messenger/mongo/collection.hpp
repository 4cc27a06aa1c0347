// A collection handle with the operations storage code needs, errors mapped to Status once:
//   duplicate key (11000)                       -> ALREADY_EXISTS
//   server selection, network/stream, not primary -> UNAVAILABLE
//   server time limits (maxTimeMS, wtimeout)     -> DEADLINE_EXCEEDED
//   anything else                                -> INTERNAL
// A Collection (and a Cursor) borrows the client of the Lease it came from: use it only while that Lease
// lives, on one thread at a time.
#pragma once

#include <mongoc/mongoc.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "messenger/common/status.hpp"
#include "messenger/mongo/bson.hpp"

namespace messenger::mongo {

struct UpdateResult {
  int64_t matched = 0;
  int64_t modified = 0;
  std::optional<std::string> upserted_id;  // Bson::IdString() form
};

// Owns a mongoc_cursor_t.
class Cursor {
 public:
  explicit Cursor(mongoc_cursor_t* cursor) : cursor_(cursor) {}
  ~Cursor();
  Cursor(Cursor&& other) noexcept;
  Cursor& operator=(Cursor&& other) noexcept;
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;

  // The next document, nullopt at the end, or the error that ended the cursor.
  StatusOr<std::optional<Bson>> Next();

 private:
  mongoc_cursor_t* cursor_;
};

class Collection {
 public:
  explicit Collection(mongoc_collection_t* collection) : collection_(collection) {}
  ~Collection();
  Collection(Collection&& other) noexcept;
  Collection& operator=(Collection&& other) noexcept;
  Collection(const Collection&) = delete;
  Collection& operator=(const Collection&) = delete;

  mongoc_collection_t* get() const { return collection_; }
  std::string name() const;

  // Inserts a document and returns its _id (Bson::IdString form). A new ObjectId is added when the
  // document has no _id. ALREADY_EXISTS when a unique index (or _id) already has the value.
  StatusOr<std::string> InsertOne(const Bson& document);

  // `options` are the find command's options: {"sort": {...}, "limit": n, "skip": n, "projection": {...}}.
  StatusOr<std::optional<Bson>> FindOne(const Bson& filter, const Bson& options = Bson());
  StatusOr<std::vector<Bson>> Find(const Bson& filter, const Bson& options = Bson());
  // For large results: documents one at a time.
  Cursor FindCursor(const Bson& filter, const Bson& options = Bson());
  StatusOr<int64_t> CountDocuments(const Bson& filter);

  // Atomically updates the first document matching `query` with `update` (operators such as $inc, $set)
  // and returns it as it is after (return_new) or before the update; nullopt when nothing matched and
  // upsert is false (or return_new is false and the document was inserted). With upsert, a concurrent
  // insert of the same document is retried once, so parallel upserts of one counter all succeed.
  StatusOr<std::optional<Bson>> FindAndModify(const Bson& query, const Bson& update, bool upsert,
                                              bool return_new);

  StatusOr<UpdateResult> UpdateOne(const Bson& filter, const Bson& update, bool upsert = false);
  StatusOr<UpdateResult> UpdateMany(const Bson& filter, const Bson& update);
  // The number of documents deleted.
  StatusOr<int64_t> DeleteOne(const Bson& filter);
  StatusOr<int64_t> DeleteMany(const Bson& filter);

  // Creates an index on `keys` (e.g. {"chat_id": 1, "seq": -1}) named `name`; an identical existing index
  // is fine. A unique index fails with ALREADY_EXISTS when the collection already holds duplicates.
  Status CreateIndex(const Bson& keys, bool unique, const std::string& name);

  // Drops the collection; a collection that does not exist counts as success.
  Status Drop();
  // Round trip to the server ({ping: 1} on this collection's database).
  Status Ping();

 private:
  mongoc_collection_t* collection_;
};

}  // namespace messenger::mongo
