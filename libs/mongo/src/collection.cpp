#include "messenger/mongo/collection.hpp"

#include <memory>
#include <utility>

#include "errors.hpp"

namespace messenger::mongo {

using internal::FromBsonError;

namespace {

// A reply document that is always destroyed; libmongoc initializes it even when the call fails.
class Reply {
 public:
  Reply() = default;
  ~Reply() { bson_destroy(&doc_); }
  Reply(const Reply&) = delete;
  Reply& operator=(const Reply&) = delete;
  bson_t* out() { return &doc_; }
  const bson_t* get() const { return &doc_; }
  int64_t Int(const char* key) const {
    bson_iter_t it;
    return bson_iter_init_find(&it, &doc_, key) ? bson_iter_as_int64(&it) : 0;
  }

 private:
  bson_t doc_ = BSON_INITIALIZER;
};

std::string Op(const char* verb, const Collection& c) { return std::string(verb) + " " + c.name(); }

}  // namespace

Cursor::~Cursor() {
  if (cursor_ != nullptr) mongoc_cursor_destroy(cursor_);
}

Cursor::Cursor(Cursor&& other) noexcept : cursor_(std::exchange(other.cursor_, nullptr)) {}

Cursor& Cursor::operator=(Cursor&& other) noexcept {
  if (this != &other) std::swap(cursor_, other.cursor_);
  return *this;
}

StatusOr<std::optional<Bson>> Cursor::Next() {
  if (cursor_ == nullptr) return std::optional<Bson>();
  const bson_t* doc = nullptr;
  if (mongoc_cursor_next(cursor_, &doc)) return std::optional<Bson>(Bson::Copy(doc));
  bson_error_t error;
  if (mongoc_cursor_error(cursor_, &error)) return FromBsonError(error, "cursor");
  return std::optional<Bson>();
}

Collection::~Collection() {
  if (collection_ != nullptr) mongoc_collection_destroy(collection_);
}

Collection::Collection(Collection&& other) noexcept
    : collection_(std::exchange(other.collection_, nullptr)) {}

Collection& Collection::operator=(Collection&& other) noexcept {
  if (this != &other) std::swap(collection_, other.collection_);
  return *this;
}

std::string Collection::name() const {
  return collection_ != nullptr ? mongoc_collection_get_name(collection_) : "";
}

StatusOr<std::string> Collection::InsertOne(const Bson& document) {
  Bson with_id;
  const bson_t* to_insert = document.get();
  if (!bson_has_field(document.get(), "_id")) {
    bson_oid_t oid;
    bson_oid_init(&oid, nullptr);
    BSON_APPEND_OID(with_id.mutable_get(), "_id", &oid);
    bson_concat(with_id.mutable_get(), document.get());
    to_insert = with_id.get();
  }
  bson_error_t error;
  if (!mongoc_collection_insert_one(collection_, to_insert, nullptr, nullptr, &error)) {
    return FromBsonError(error, Op("insert into", *this));
  }
  return Bson::Copy(to_insert).IdString();
}

Cursor Collection::FindCursor(const Bson& filter, const Bson& options) {
  return Cursor(mongoc_collection_find_with_opts(collection_, filter.get(), options.get(), nullptr));
}

StatusOr<std::vector<Bson>> Collection::Find(const Bson& filter, const Bson& options) {
  Cursor cursor = FindCursor(filter, options);
  std::vector<Bson> out;
  while (true) {
    MESSENGER_ASSIGN_OR_RETURN(std::optional<Bson> doc, cursor.Next());
    if (!doc) return out;
    out.push_back(std::move(*doc));
  }
}

StatusOr<std::optional<Bson>> Collection::FindOne(const Bson& filter, const Bson& options) {
  Bson one;
  bson_copy_to_excluding_noinit(options.get(), one.mutable_get(), "limit", "singleBatch", nullptr);
  BSON_APPEND_INT64(one.mutable_get(), "limit", 1);
  BSON_APPEND_BOOL(one.mutable_get(), "singleBatch", true);
  Cursor cursor = FindCursor(filter, one);
  return cursor.Next();
}

StatusOr<int64_t> Collection::CountDocuments(const Bson& filter) {
  bson_error_t error;
  int64_t n = mongoc_collection_count_documents(collection_, filter.get(), nullptr, nullptr, nullptr, &error);
  if (n < 0) return FromBsonError(error, Op("count in", *this));
  return n;
}

StatusOr<std::optional<Bson>> Collection::FindAndModify(const Bson& query, const Bson& update, bool upsert,
                                                        bool return_new) {
  std::unique_ptr<mongoc_find_and_modify_opts_t, void (*)(mongoc_find_and_modify_opts_t*)> opts(
      mongoc_find_and_modify_opts_new(), mongoc_find_and_modify_opts_destroy);
  mongoc_find_and_modify_opts_set_update(opts.get(), update.get());
  int flags = MONGOC_FIND_AND_MODIFY_NONE;
  if (upsert) flags |= MONGOC_FIND_AND_MODIFY_UPSERT;
  if (return_new) flags |= MONGOC_FIND_AND_MODIFY_RETURN_NEW;
  mongoc_find_and_modify_opts_set_flags(opts.get(), static_cast<mongoc_find_and_modify_flags_t>(flags));

  bson_error_t error;
  // Two upserts racing on a missing document may both try to insert it; the loser gets a duplicate key
  // error although its update can now apply to the winner's document. One retry settles that.
  for (int attempt = 0;; ++attempt) {
    Reply reply;
    if (mongoc_collection_find_and_modify_with_opts(collection_, query.get(), opts.get(), reply.out(),
                                                    &error)) {
      bson_iter_t it;
      if (!bson_iter_init_find(&it, reply.get(), "value") || !BSON_ITER_HOLDS_DOCUMENT(&it)) {
        return std::optional<Bson>();
      }
      uint32_t length = 0;
      const uint8_t* data = nullptr;
      bson_iter_document(&it, &length, &data);
      return std::optional<Bson>(Bson::Adopt(bson_new_from_data(data, length)));
    }
    if (!(upsert && attempt == 0 && internal::IsDuplicateKey(error))) break;
  }
  return FromBsonError(error, Op("findAndModify in", *this));
}

StatusOr<UpdateResult> Collection::UpdateOne(const Bson& filter, const Bson& update, bool upsert) {
  Bson opts;
  BSON_APPEND_BOOL(opts.mutable_get(), "upsert", upsert);
  Reply reply;
  bson_error_t error;
  if (!mongoc_collection_update_one(collection_, filter.get(), update.get(), opts.get(), reply.out(),
                                    &error)) {
    return FromBsonError(error, Op("update in", *this));
  }
  UpdateResult result;
  result.matched = reply.Int("matchedCount");
  result.modified = reply.Int("modifiedCount");
  bson_iter_t it;
  if (bson_iter_init_find(&it, reply.get(), "upsertedId")) {
    Bson holder;
    bson_append_iter(holder.mutable_get(), "_id", 3, &it);
    result.upserted_id = holder.IdString();
  }
  return result;
}

StatusOr<UpdateResult> Collection::UpdateMany(const Bson& filter, const Bson& update) {
  Reply reply;
  bson_error_t error;
  if (!mongoc_collection_update_many(collection_, filter.get(), update.get(), nullptr, reply.out(), &error)) {
    return FromBsonError(error, Op("update in", *this));
  }
  UpdateResult result;
  result.matched = reply.Int("matchedCount");
  result.modified = reply.Int("modifiedCount");
  return result;
}

StatusOr<int64_t> Collection::DeleteOne(const Bson& filter) {
  Reply reply;
  bson_error_t error;
  if (!mongoc_collection_delete_one(collection_, filter.get(), nullptr, reply.out(), &error)) {
    return FromBsonError(error, Op("delete from", *this));
  }
  return reply.Int("deletedCount");
}

StatusOr<int64_t> Collection::DeleteMany(const Bson& filter) {
  Reply reply;
  bson_error_t error;
  if (!mongoc_collection_delete_many(collection_, filter.get(), nullptr, reply.out(), &error)) {
    return FromBsonError(error, Op("delete from", *this));
  }
  return reply.Int("deletedCount");
}

Status Collection::CreateIndex(const Bson& keys, bool unique, const std::string& name) {
  BsonBuilder command;
  command.Append("createIndexes", this->name()).BeginArray("indexes").BeginDocument("");
  command.Append("key", keys).Append("name", name);
  if (unique) command.Append("unique", true);
  Bson cmd = command.EndDocument().EndArray().Build();
  Reply reply;
  bson_error_t error;
  if (!mongoc_collection_write_command_with_opts(collection_, cmd.get(), nullptr, reply.out(), &error)) {
    return FromBsonError(error, "create index " + name + " on " + this->name());
  }
  return OkStatus();
}

Status Collection::Drop() {
  bson_error_t error;
  if (!mongoc_collection_drop_with_opts(collection_, nullptr, &error) &&
      !(error.domain == MONGOC_ERROR_SERVER && error.code == internal::kNamespaceNotFound)) {
    return FromBsonError(error, Op("drop", *this));
  }
  return OkStatus();
}

Status Collection::Ping() {
  Bson ping = BsonBuilder().Append("ping", int32_t{1}).Build();
  Reply reply;
  bson_error_t error;
  if (!mongoc_collection_command_simple(collection_, ping.get(), nullptr, reply.out(), &error)) {
    return FromBsonError(error, "ping");
  }
  return OkStatus();
}

}  // namespace messenger::mongo
