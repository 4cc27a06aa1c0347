#include "messenger/pg/pool.hpp"

#include <algorithm>
#include <thread>

namespace messenger::pg {

PoolOptions PoolOptions::FromEnv(const PgSettings& settings) {
  PoolOptions options;
  if (settings.pool_size > 0) options.pool_size = settings.pool_size;
  options.checkout_timeout = EnvMillis("PG_CHECKOUT_TIMEOUT_MS", options.checkout_timeout);
  options.statement_timeout = EnvMillis("PG_STATEMENT_TIMEOUT_MS", options.statement_timeout);
  return options;
}

// A connection lent to one caller; goes back to the pool (or is discarded when broken) on destruction.
class Pool::Lease {
 public:
  Lease(Pool* pool, Slot slot) : pool_(pool), slot_(std::move(slot)) {}
  ~Lease() {
    bool healthy = !broken_ && slot_.conn->is_open();
    pool_->Return(std::move(slot_), healthy);
  }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

  pqxx::connection& conn() { return *slot_.conn; }
  void MarkBroken() { broken_ = true; }

 private:
  Pool* pool_;
  Slot slot_;
  bool broken_ = false;
};

Pool::Pool(PgSettings settings, PoolOptions options)
    : settings_(std::move(settings)), options_(options), connection_string_(settings_.ConnectionString()) {
  if (options_.statement_timeout.count() > 0) {
    connection_string_ +=
        " options='-c statement_timeout=" + std::to_string(options_.statement_timeout.count()) + "'";
  }
}

Pool::~Pool() = default;

StatusOr<std::unique_ptr<Pool>> Pool::Create(const PgSettings& settings) {
  return Create(settings, PoolOptions::FromEnv(settings));
}

StatusOr<std::unique_ptr<Pool>> Pool::Create(const PgSettings& settings, const PoolOptions& options) {
  if (options.pool_size <= 0) return InvalidArgumentError("pg pool_size must be positive");
  std::unique_ptr<Pool> pool(new Pool(settings, options));
  MESSENGER_ASSIGN_OR_RETURN(Slot first, pool->Checkout());
  pool->Return(std::move(first), true);
  return pool;
}

StatusOr<std::unique_ptr<pqxx::connection>> Pool::Open() const {
  try {
    return std::make_unique<pqxx::connection>(connection_string_);
  } catch (const std::exception& e) {
    Status status = FromPqxxException(e);
    return Status(status.code(), "connecting to PostgreSQL " + settings_.host + ":" +
                                     std::to_string(settings_.port) + "/" + settings_.database + ": " +
                                     status.message());
  }
}

StatusOr<std::unique_ptr<pqxx::connection>> Pool::OpenDedicatedConnection() const { return Open(); }

StatusOr<Pool::Slot> Pool::Checkout() {
  std::unique_lock lock(mu_);
  bool available = freed_.wait_for(lock, options_.checkout_timeout,
                                   [&] { return !idle_.empty() || open_ < options_.pool_size; });
  if (!available) {
    return UnavailableError("no free PostgreSQL connection within " +
                            std::to_string(options_.checkout_timeout.count()) + "ms");
  }
  Slot slot;
  if (!idle_.empty()) {
    slot = std::move(idle_.back());
    idle_.pop_back();
  } else {
    ++open_;
    lock.unlock();
    StatusOr<std::unique_ptr<pqxx::connection>> conn = Open();
    lock.lock();
    if (!conn.ok()) {
      --open_;
      freed_.notify_one();
      return conn.status();
    }
    slot.conn = std::move(conn).value();
  }
  try {
    // Registration only: libpqxx prepares on first use, and again after it reconnects.
    for (; slot.prepared < statements_.size(); ++slot.prepared) {
      slot.conn->prepare(statements_[slot.prepared].first, statements_[slot.prepared].second);
    }
  } catch (const std::exception& e) {
    --open_;
    freed_.notify_one();
    return FromPqxxException(e);
  }
  return slot;
}

void Pool::Return(Slot slot, bool healthy) {
  std::lock_guard lock(mu_);
  if (healthy) {
    idle_.push_back(std::move(slot));
  } else {
    // The server is likely gone or restarted: idle connections are broken too, open fresh ones later.
    open_ -= 1 + static_cast<int>(idle_.size());
    idle_.clear();
  }
  freed_.notify_all();
}

int Pool::OpenConnectionsForTest() const {
  std::lock_guard lock(mu_);
  return open_;
}

Status Pool::Prepare(const std::string& name, const std::string& sql) {
  std::lock_guard lock(mu_);
  for (const auto& [existing_name, existing_sql] : statements_) {
    if (existing_name == name) {
      if (existing_sql == sql) return OkStatus();
      return AlreadyExistsError("prepared statement '" + name + "' is registered with another query");
    }
  }
  statements_.emplace_back(name, sql);
  return OkStatus();
}

Status Pool::RunOnce(const TxnFn& fn, const TransactOptions& options, bool* retryable_break) {
  *retryable_break = false;
  MESSENGER_ASSIGN_OR_RETURN(Slot slot, Checkout());
  Lease lease(this, std::move(slot));
  bool committing = false;
  try {
    pqxx::work txn(lease.conn());
    if (options.serializable) txn.exec0("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE");
    if (options.read_only) txn.exec0("SET TRANSACTION READ ONLY");
    Status status = fn(txn);
    if (!status.ok()) return status;  // ~work rolls back
    committing = true;
    txn.commit();
    return OkStatus();
  } catch (const pqxx::broken_connection& e) {
    lease.MarkBroken();
    *retryable_break = !committing;
    return FromPqxxException(e);
  } catch (const std::exception& e) {
    if (!lease.conn().is_open()) lease.MarkBroken();
    return FromPqxxException(e);
  }
}

Status Pool::Transact(const TxnFn& fn, const TransactOptions& options) {
  const int max_attempts = std::max(1, options.max_attempts);
  bool reconnected = false;
  int attempt = 1;
  while (true) {
    bool retryable_break = false;
    Status status = RunOnce(fn, options, &retryable_break);
    if (status.ok()) return status;
    if (retryable_break && options.retry_broken_connection && !reconnected) {
      reconnected = true;
      continue;
    }
    if (status.code() != StatusCode::kAborted || attempt >= max_attempts) return status;
    // Serialization failure or deadlock: the competing transaction usually finishes within milliseconds.
    std::this_thread::sleep_for(std::chrono::milliseconds(5 * attempt));
    ++attempt;
  }
}

Status Pool::ReadOnly(const TxnFn& fn, TransactOptions options) {
  options.read_only = true;
  return Transact(fn, options);
}

Status Pool::WithConnection(const ConnectionFn& fn) {
  MESSENGER_ASSIGN_OR_RETURN(Slot slot, Checkout());
  Lease lease(this, std::move(slot));
  try {
    Status status = fn(lease.conn());
    if (!lease.conn().is_open()) lease.MarkBroken();
    return status;
  } catch (const std::exception& e) {
    if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr || !lease.conn().is_open()) {
      lease.MarkBroken();
    }
    return FromPqxxException(e);
  }
}

}  // namespace messenger::pg
