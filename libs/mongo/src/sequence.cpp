#include "messenger/mongo/sequence.hpp"

#include <algorithm>
#include <utility>

namespace messenger::mongo {
namespace {

// Each lost race means another writer got a number; this bounds the work of one call under a stampede.
constexpr int kMaxAttempts = 64;

}  // namespace

Sequencer::Sequencer(std::string scope_field, std::string number_field)
    : scope_field_(std::move(scope_field)), number_field_(std::move(number_field)) {}

Status Sequencer::EnsureIndex(Collection& collection) const {
  Bson keys = BsonBuilder().Append(scope_field_, int32_t{1}).Append(number_field_, int32_t{1}).Build();
  return collection.CreateIndex(keys, /*unique=*/true, scope_field_ + "_" + number_field_ + "_unique");
}

StatusOr<int64_t> Sequencer::Last(Collection& collection, std::string_view scope) const {
  Bson filter = BsonBuilder().Append(scope_field_, scope).Build();
  Bson options = BsonBuilder()
                     .BeginDocument("sort")
                     .Append(number_field_, int32_t{-1})
                     .EndDocument()
                     .BeginDocument("projection")
                     .Append(number_field_, int32_t{1})
                     .EndDocument()
                     .Build();
  MESSENGER_ASSIGN_OR_RETURN(std::optional<Bson> last, collection.FindOne(filter, options));
  if (!last) return int64_t{0};
  std::optional<int64_t> number = last->GetInt64(number_field_);
  if (!number) return InternalError("sequence: " + number_field_ + " is not an integer in " + last->ToJson());
  return *number;
}

StatusOr<int64_t> Sequencer::Insert(Collection& collection, std::string_view scope,
                                    const Bson& document) const {
  MESSENGER_ASSIGN_OR_RETURN(int64_t last, Last(collection, scope));
  int64_t candidate = last + 1;
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    Bson numbered = BsonBuilder().Append(scope_field_, scope).Append(number_field_, candidate).Build();
    bson_concat(numbered.mutable_get(), document.get());
    StatusOr<std::string> inserted = collection.InsertOne(numbered);
    if (inserted.ok()) return candidate;
    if (inserted.status().code() != StatusCode::kAlreadyExists) return inserted.status();
    // Lost the number to another writer, or rejected by some other unique index? Only the first is retried.
    Bson claim = BsonBuilder().Append(scope_field_, scope).Append(number_field_, candidate).Build();
    MESSENGER_ASSIGN_OR_RETURN(std::optional<Bson> taken, collection.FindOne(claim));
    if (!taken) return inserted.status();
    MESSENGER_ASSIGN_OR_RETURN(last, Last(collection, scope));
    candidate = std::max(candidate + 1, last + 1);
  }
  return AbortedError("sequence: lost " + std::to_string(kMaxAttempts) + " races in a row in scope " +
                      std::string(scope));
}

}  // namespace messenger::mongo
