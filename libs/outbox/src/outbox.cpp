#include "messenger/outbox/outbox.hpp"

#include "messenger/common/ids.hpp"
#include "messenger/pg/errors.hpp"

namespace messenger::outbox {
namespace {

// Serialises concurrent EnsureSchema calls: CREATE ... IF NOT EXISTS is not safe against itself.
constexpr long long kSchemaLockKey = 0x6f7574626f787363;  // "outboxsc"

constexpr char kInsertSql[] = "INSERT INTO outbox (event_id, topic, key, payload) VALUES ($1, $2, $3, $4)";
constexpr char kNotifySql[] = "NOTIFY outbox";  // kNotifyChannel

}  // namespace

Status EnsureSchema(pg::Pool& pool) {
  return pool.Transact([](pqxx::work& txn) {
    txn.exec_params("SELECT pg_advisory_xact_lock($1)", kSchemaLockKey);
    txn.exec0(kSchemaSql);
    return OkStatus();
  });
}

Status Enqueue(pqxx::work& txn, const Event& event) {
  if (!IsUuid(event.event_id)) return InvalidArgumentError("outbox event_id must be a UUID");
  if (event.topic.empty()) return InvalidArgumentError("outbox event needs a topic");
  try {
    txn.exec_params0(kInsertSql, event.event_id, event.topic, event.key, pqxx::binarystring(event.payload));
    txn.exec0(kNotifySql);
  } catch (const std::exception& e) {
    return pg::FromPqxxException(e);
  }
  return OkStatus();
}

}  // namespace messenger::outbox
