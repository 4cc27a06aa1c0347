// The transactional outbox: events are written in the same PostgreSQL transaction as the change they
// describe, and a Relay publishes them to Kafka afterwards. See libs/outbox/README.md for the guarantees.
#pragma once

#include <pqxx/pqxx>
#include <string>

#include "messenger/common/status.hpp"
#include "messenger/pg/pool.hpp"

namespace messenger::outbox {

// The table and its indexes, idempotent (IF NOT EXISTS). Services may run EnsureSchema at startup or put
// the same statements in one of their migrations.
inline constexpr char kSchemaSql[] = R"sql(
CREATE TABLE IF NOT EXISTS outbox (
  id           bigserial   PRIMARY KEY,
  event_id     uuid        NOT NULL UNIQUE,
  topic        text        NOT NULL,
  key          text        NOT NULL,
  payload      bytea       NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz
);
CREATE INDEX IF NOT EXISTS outbox_unpublished_idx ON outbox (id) WHERE published_at IS NULL;
CREATE INDEX IF NOT EXISTS outbox_published_at_idx ON outbox (published_at) WHERE published_at IS NOT NULL;
)sql";

// The NOTIFY channel that wakes the relay when a transaction with events commits.
inline constexpr char kNotifyChannel[] = "outbox";

struct Event {
  std::string event_id;  // a UUID; also the id consumers deduplicate by (Envelope.event_id)
  std::string topic;
  std::string key;      // Kafka record key: records of one key keep their order
  std::string payload;  // bytes (a serialized Envelope)
};

Status EnsureSchema(pg::Pool& pool);

// Adds `event` to the outbox inside the caller's transaction and notifies the relay (delivered at commit).
// INVALID_ARGUMENT for a malformed event_id or an empty topic; ALREADY_EXISTS when the event_id was enqueued
// before. After a non-OK status the transaction is unusable: return the status from the transaction fn.
Status Enqueue(pqxx::work& txn, const Event& event);

}  // namespace messenger::outbox
