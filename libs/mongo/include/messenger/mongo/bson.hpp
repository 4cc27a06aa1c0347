// RAII BSON documents and a builder. Storage code (libs/ and services/*/storage/) may use bson_t through
// these; domain code never sees them.
#pragma once

#include <bson/bson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "messenger/common/status.hpp"

namespace messenger::mongo {

// Owns one heap bson_t. Move-only; a moved-from Bson is an empty document again.
class Bson {
 public:
  Bson();  // {}
  ~Bson();
  Bson(Bson&& other) noexcept;
  Bson& operator=(Bson&& other) noexcept;
  Bson(const Bson&) = delete;
  Bson& operator=(const Bson&) = delete;

  // Takes ownership of a document from bson_new()/bson_copy()/bson_new_from_json() and the like.
  static Bson Adopt(bson_t* document);
  static Bson Copy(const bson_t* document);
  // Canonical or relaxed extended JSON, e.g. R"({"n": {"$numberLong": "5"}, "name": "x"})".
  // INVALID_ARGUMENT when the text is not a JSON object.
  static StatusOr<Bson> FromJson(std::string_view json);

  Bson Clone() const;
  const bson_t* get() const { return doc_; }
  bson_t* mutable_get() { return doc_; }
  bool empty() const { return bson_empty(doc_); }
  // Relaxed extended JSON, for logs and test failure messages.
  std::string ToJson() const;

  // Field access by dotted path ("profile.nickname", "members.0"). nullopt when the field is missing or
  // of another type.
  bool Has(std::string_view path) const;
  std::optional<std::string> GetString(std::string_view path) const;
  // int32, int64, or a double holding an integral value.
  std::optional<int64_t> GetInt64(std::string_view path) const;
  std::optional<double> GetDouble(std::string_view path) const;
  std::optional<bool> GetBool(std::string_view path) const;
  // A BSON date, as Unix milliseconds.
  std::optional<int64_t> GetDateTimeMs(std::string_view path) const;
  // An embedded document or array (an array is a document with keys "0", "1", ...).
  std::optional<Bson> GetDocument(std::string_view path) const;
  // An array of strings; nullopt when missing, not an array, or holding a non-string.
  std::optional<std::vector<std::string>> GetStringArray(std::string_view path) const;
  // The "_id" field as text: a string as is, an ObjectId as 24 hex digits, a number in decimal,
  // anything else as relaxed extended JSON. Empty when there is no _id.
  std::string IdString() const;

 private:
  explicit Bson(bson_t* document) : doc_(document) {}
  bson_t* doc_;
};

// Builds a document field by field:
//   Bson doc = BsonBuilder().Append("_id", chat_id).Append("seq", int64_t{1})
//                  .BeginArray("members").Append("", a).Append("", b).EndArray().Build();
// Inside an array the key argument is ignored and the index ("0", "1", ...) is used.
class BsonBuilder {
 public:
  BsonBuilder();
  ~BsonBuilder();
  BsonBuilder(const BsonBuilder&) = delete;
  BsonBuilder& operator=(const BsonBuilder&) = delete;

  BsonBuilder& Append(std::string_view key, std::string_view value);
  BsonBuilder& Append(std::string_view key, const std::string& value);
  BsonBuilder& Append(std::string_view key, const char* value);  // keeps a literal from becoming a bool
  BsonBuilder& Append(std::string_view key, int32_t value);
  BsonBuilder& Append(std::string_view key, int64_t value);
  BsonBuilder& Append(std::string_view key, double value);
  BsonBuilder& Append(std::string_view key, bool value);
  BsonBuilder& Append(std::string_view key, const Bson& document);  // embedded document
  BsonBuilder& AppendArray(std::string_view key, const std::vector<std::string>& values);
  BsonBuilder& AppendDateTime(std::string_view key, int64_t unix_ms);
  BsonBuilder& AppendNull(std::string_view key);
  BsonBuilder& BeginDocument(std::string_view key);
  BsonBuilder& EndDocument();
  BsonBuilder& BeginArray(std::string_view key);
  BsonBuilder& EndArray();

  // The finished document. Every Begin* must have been ended. The builder is empty afterwards.
  Bson Build();

 private:
  struct Level;
  bson_t* Current();
  std::string KeyFor(std::string_view key);
  std::vector<Level> levels_;
};

}  // namespace messenger::mongo
