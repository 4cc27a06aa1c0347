#include "messenger/mongo/bson.hpp"

#include <cassert>
#include <cmath>
#include <memory>
#include <utility>

namespace messenger::mongo {
namespace {

// Finds `path` (dotted) in `doc`; false when it is not there.
bool FindPath(const bson_t* doc, std::string_view path, bson_iter_t* out) {
  bson_iter_t iter;
  std::string key(path);
  return bson_iter_init(&iter, doc) && bson_iter_find_descendant(&iter, key.c_str(), out);
}

std::string Json(const bson_t* doc) {
  size_t length = 0;
  char* json = bson_as_relaxed_extended_json(doc, &length);
  if (json == nullptr) return "<invalid bson>";
  std::string out(json, length);
  bson_free(json);
  return out;
}

}  // namespace

Bson::Bson() : doc_(bson_new()) {}

Bson::~Bson() {
  if (doc_ != nullptr) bson_destroy(doc_);
}

Bson::Bson(Bson&& other) noexcept : doc_(std::exchange(other.doc_, bson_new())) {}

Bson& Bson::operator=(Bson&& other) noexcept {
  if (this != &other) std::swap(doc_, other.doc_);
  return *this;
}

Bson Bson::Adopt(bson_t* document) { return Bson(document != nullptr ? document : bson_new()); }

Bson Bson::Copy(const bson_t* document) { return Bson(bson_copy(document)); }

StatusOr<Bson> Bson::FromJson(std::string_view json) {
  bson_error_t error;
  bson_t* doc = bson_new_from_json(reinterpret_cast<const uint8_t*>(json.data()),
                                   static_cast<ssize_t>(json.size()), &error);
  if (doc == nullptr) return InvalidArgumentError(std::string("bson from json: ") + error.message);
  return Bson(doc);
}

Bson Bson::Clone() const { return Copy(doc_); }

std::string Bson::ToJson() const { return Json(doc_); }

bool Bson::Has(std::string_view path) const {
  bson_iter_t it;
  return FindPath(doc_, path, &it);
}

std::optional<std::string> Bson::GetString(std::string_view path) const {
  bson_iter_t it;
  if (!FindPath(doc_, path, &it) || !BSON_ITER_HOLDS_UTF8(&it)) return std::nullopt;
  uint32_t length = 0;
  const char* s = bson_iter_utf8(&it, &length);
  return std::string(s, length);
}

std::optional<int64_t> Bson::GetInt64(std::string_view path) const {
  bson_iter_t it;
  if (!FindPath(doc_, path, &it)) return std::nullopt;
  if (BSON_ITER_HOLDS_INT32(&it)) return bson_iter_int32(&it);
  if (BSON_ITER_HOLDS_INT64(&it)) return bson_iter_int64(&it);
  if (BSON_ITER_HOLDS_DOUBLE(&it)) {
    double d = bson_iter_double(&it);
    if (std::trunc(d) == d && std::fabs(d) < 9.2e18) return static_cast<int64_t>(d);
  }
  return std::nullopt;
}

std::optional<double> Bson::GetDouble(std::string_view path) const {
  bson_iter_t it;
  if (!FindPath(doc_, path, &it) || !BSON_ITER_HOLDS_NUMBER(&it)) return std::nullopt;
  return bson_iter_as_double(&it);
}

std::optional<bool> Bson::GetBool(std::string_view path) const {
  bson_iter_t it;
  if (!FindPath(doc_, path, &it) || !BSON_ITER_HOLDS_BOOL(&it)) return std::nullopt;
  return bson_iter_bool(&it);
}

std::optional<int64_t> Bson::GetDateTimeMs(std::string_view path) const {
  bson_iter_t it;
  if (!FindPath(doc_, path, &it) || !BSON_ITER_HOLDS_DATE_TIME(&it)) return std::nullopt;
  return bson_iter_date_time(&it);
}

std::optional<Bson> Bson::GetDocument(std::string_view path) const {
  bson_iter_t it;
  if (!FindPath(doc_, path, &it)) return std::nullopt;
  if (!BSON_ITER_HOLDS_DOCUMENT(&it) && !BSON_ITER_HOLDS_ARRAY(&it)) return std::nullopt;
  uint32_t length = 0;
  const uint8_t* data = nullptr;
  if (BSON_ITER_HOLDS_DOCUMENT(&it)) {
    bson_iter_document(&it, &length, &data);
  } else {
    bson_iter_array(&it, &length, &data);
  }
  bson_t* copy = bson_new_from_data(data, length);
  if (copy == nullptr) return std::nullopt;
  return Bson(copy);
}

std::optional<std::vector<std::string>> Bson::GetStringArray(std::string_view path) const {
  bson_iter_t it;
  if (!FindPath(doc_, path, &it) || !BSON_ITER_HOLDS_ARRAY(&it)) return std::nullopt;
  bson_iter_t child;
  if (!bson_iter_recurse(&it, &child)) return std::nullopt;
  std::vector<std::string> out;
  while (bson_iter_next(&child)) {
    if (!BSON_ITER_HOLDS_UTF8(&child)) return std::nullopt;
    uint32_t length = 0;
    const char* s = bson_iter_utf8(&child, &length);
    out.emplace_back(s, length);
  }
  return out;
}

std::string Bson::IdString() const {
  bson_iter_t it;
  if (!bson_iter_init_find(&it, doc_, "_id")) return "";
  switch (bson_iter_type(&it)) {
    case BSON_TYPE_UTF8: {
      uint32_t length = 0;
      const char* s = bson_iter_utf8(&it, &length);
      return std::string(s, length);
    }
    case BSON_TYPE_OID: {
      char hex[25];
      bson_oid_to_string(bson_iter_oid(&it), hex);
      return hex;
    }
    case BSON_TYPE_INT32:
      return std::to_string(bson_iter_int32(&it));
    case BSON_TYPE_INT64:
      return std::to_string(bson_iter_int64(&it));
    default: {
      bson_t holder = BSON_INITIALIZER;
      bson_append_iter(&holder, "_id", 3, &it);
      std::string json = Json(&holder);
      bson_destroy(&holder);
      return json;
    }
  }
}

// One open document or array of the builder. The root owns its heap bson_t; a child is written into its
// parent's buffer between bson_append_*_begin and _end and only needs stable storage until then.
struct ChildStorage {
  bson_t doc;
};

struct BsonBuilder::Level {
  bson_t* doc = nullptr;
  std::unique_ptr<ChildStorage> child_storage;
  bool is_array = false;
  uint32_t next_index = 0;
};

BsonBuilder::BsonBuilder() { levels_.push_back(Level{bson_new(), nullptr, false, 0}); }

BsonBuilder::~BsonBuilder() {
  if (!levels_.empty() && levels_.front().doc != nullptr) bson_destroy(levels_.front().doc);
}

bson_t* BsonBuilder::Current() { return levels_.back().doc; }

std::string BsonBuilder::KeyFor(std::string_view key) {
  Level& level = levels_.back();
  if (!level.is_array) return std::string(key);
  return std::to_string(level.next_index++);
}

BsonBuilder& BsonBuilder::Append(std::string_view key, std::string_view value) {
  std::string k = KeyFor(key);
  bool ok = bson_append_utf8(Current(), k.data(), static_cast<int>(k.size()), value.data(),
                             static_cast<int>(value.size()));
  assert(ok && "bson append failed");
  (void)ok;
  return *this;
}

BsonBuilder& BsonBuilder::Append(std::string_view key, const std::string& value) {
  return Append(key, std::string_view(value));
}

BsonBuilder& BsonBuilder::Append(std::string_view key, const char* value) {
  return Append(key, std::string_view(value));
}

BsonBuilder& BsonBuilder::Append(std::string_view key, int32_t value) {
  std::string k = KeyFor(key);
  bson_append_int32(Current(), k.data(), static_cast<int>(k.size()), value);
  return *this;
}

BsonBuilder& BsonBuilder::Append(std::string_view key, int64_t value) {
  std::string k = KeyFor(key);
  bson_append_int64(Current(), k.data(), static_cast<int>(k.size()), value);
  return *this;
}

BsonBuilder& BsonBuilder::Append(std::string_view key, double value) {
  std::string k = KeyFor(key);
  bson_append_double(Current(), k.data(), static_cast<int>(k.size()), value);
  return *this;
}

BsonBuilder& BsonBuilder::Append(std::string_view key, bool value) {
  std::string k = KeyFor(key);
  bson_append_bool(Current(), k.data(), static_cast<int>(k.size()), value);
  return *this;
}

BsonBuilder& BsonBuilder::Append(std::string_view key, const Bson& document) {
  std::string k = KeyFor(key);
  bson_append_document(Current(), k.data(), static_cast<int>(k.size()), document.get());
  return *this;
}

BsonBuilder& BsonBuilder::AppendArray(std::string_view key, const std::vector<std::string>& values) {
  BeginArray(key);
  for (const std::string& v : values) Append("", v);
  return EndArray();
}

BsonBuilder& BsonBuilder::AppendDateTime(std::string_view key, int64_t unix_ms) {
  std::string k = KeyFor(key);
  bson_append_date_time(Current(), k.data(), static_cast<int>(k.size()), unix_ms);
  return *this;
}

BsonBuilder& BsonBuilder::AppendNull(std::string_view key) {
  std::string k = KeyFor(key);
  bson_append_null(Current(), k.data(), static_cast<int>(k.size()));
  return *this;
}

BsonBuilder& BsonBuilder::BeginDocument(std::string_view key) {
  std::string k = KeyFor(key);
  auto child = std::make_unique<ChildStorage>();
  bson_t* raw = &child->doc;
  bson_append_document_begin(Current(), k.data(), static_cast<int>(k.size()), raw);
  levels_.push_back(Level{raw, std::move(child), false, 0});
  return *this;
}

BsonBuilder& BsonBuilder::BeginArray(std::string_view key) {
  std::string k = KeyFor(key);
  auto child = std::make_unique<ChildStorage>();
  bson_t* raw = &child->doc;
  bson_append_array_begin(Current(), k.data(), static_cast<int>(k.size()), raw);
  levels_.push_back(Level{raw, std::move(child), true, 0});
  return *this;
}

BsonBuilder& BsonBuilder::EndDocument() {
  assert(levels_.size() > 1 && !levels_.back().is_array && "EndDocument without BeginDocument");
  Level child = std::move(levels_.back());
  levels_.pop_back();
  bson_append_document_end(Current(), child.doc);
  return *this;
}

BsonBuilder& BsonBuilder::EndArray() {
  assert(levels_.size() > 1 && levels_.back().is_array && "EndArray without BeginArray");
  Level child = std::move(levels_.back());
  levels_.pop_back();
  bson_append_array_end(Current(), child.doc);
  return *this;
}

Bson BsonBuilder::Build() {
  assert(levels_.size() == 1 && "Build with an open document or array");
  bson_t* done = std::exchange(levels_.front().doc, bson_new());
  return Bson::Adopt(done);
}

}  // namespace messenger::mongo
