// Gapless sequence numbers assigned at insert time, safe with concurrent writers on MongoDB and FerretDB.
#pragma once

#include <string>
#include <string_view>

#include "messenger/common/status.hpp"
#include "messenger/mongo/bson.hpp"
#include "messenger/mongo/collection.hpp"

namespace messenger::mongo {

// Numbers the documents of a scope 1, 2, 3, ... (e.g. the messages of one chat: scope field "chat_id",
// number field "seq"), without gaps or duplicates, also with concurrent writers in several processes.
//
// Why not the usual counter document with findAndModify {$inc: {seq: 1}}: on FerretDB 1.24 that (like
// every update there, also a compare-and-set with the old value in the filter) is a read followed by a
// write without isolation, so two concurrent callers get the same value (see libs/mongo/README.md). The
// write FerretDB does check atomically is an insert against a unique index, so the number is claimed by
// the insert itself: the document goes in with the scope's highest number + 1, and a duplicate key on
// {scope, number} means another writer took that number, so the next one is tried.
//
// A plain counter is the same thing with empty documents: Sequencer("counter", "n").Insert(counters,
// "chat-1", Bson()) returns 1, 2, 3, ... (one small document per value handed out).
class Sequencer {
 public:
  Sequencer(std::string scope_field, std::string number_field);

  // Creates the unique index {scope_field: 1, number_field: 1} the numbering relies on (without it numbers
  // can repeat). Idempotent; call at startup.
  Status EnsureIndex(Collection& collection) const;

  // Inserts `document` with scope_field = scope and number_field = the next number, and returns that
  // number. `document` must not contain those two fields. ALREADY_EXISTS when another unique index (or
  // _id) rejects the document; ABORTED after many lost races in a row (retry later).
  StatusOr<int64_t> Insert(Collection& collection, std::string_view scope, const Bson& document) const;

  // The highest number in use in `scope`, 0 when the scope has no document.
  StatusOr<int64_t> Last(Collection& collection, std::string_view scope) const;

 private:
  std::string scope_field_;
  std::string number_field_;
};

}  // namespace messenger::mongo
