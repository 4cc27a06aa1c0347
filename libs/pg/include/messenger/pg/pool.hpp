// A fixed-size pool of PostgreSQL connections and the one way to run a transaction on it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "messenger/common/config.hpp"
#include "messenger/common/status.hpp"
#include "messenger/pg/errors.hpp"

namespace messenger::pg {

struct PoolOptions {
  // Connections opened at most; settings.pool_size when that is > 0.
  int pool_size = 8;
  // How long a caller waits for a free connection before getting UNAVAILABLE.
  std::chrono::milliseconds checkout_timeout{5000};
  // Server-side statement_timeout of every pooled connection (0 = none). A statement that runs longer is
  // cancelled and reported as DEADLINE_EXCEEDED.
  std::chrono::milliseconds statement_timeout{5000};

  // pool_size from settings; PG_CHECKOUT_TIMEOUT_MS (default 5000); PG_STATEMENT_TIMEOUT_MS (default 5000).
  static PoolOptions FromEnv(const PgSettings& settings);
};

struct TransactOptions {
  // Runs the transaction READ ONLY: any write fails (INTERNAL, it is a programming error).
  bool read_only = false;
  // Runs at SERIALIZABLE isolation instead of READ COMMITTED.
  bool serializable = false;
  // Total attempts when the transaction fails with ABORTED (serialization failure, deadlock). 1 = no retry.
  int max_attempts = 1;
  // Runs fn once more, on a fresh connection, when the connection turns out to be broken before COMMIT was
  // sent (nothing was committed then). A pooled connection can break while idle (server restart), so this
  // is on by default.
  bool retry_broken_connection = true;
};

// Thread-safe. Connections are opened lazily up to pool_size; a caller waits (up to checkout_timeout) for a
// free one. A connection that breaks is discarded and replaced by a fresh one on a later checkout.
//
// About `fn` in Transact and friends: it may be called more than once (see TransactOptions), each time in a
// new transaction, so keep side effects outside the database out of it, or make them idempotent. It returns
// OK to commit; any other Status rolls the transaction back and is returned as is. Exceptions it throws (any
// std::exception, including pqxx ones) roll back and are mapped once by FromPqxxException.
class Pool {
 public:
  using TxnFn = std::function<Status(pqxx::work&)>;
  using ConnectionFn = std::function<Status(pqxx::connection&)>;

  // Opens one connection at once, so a wrong address or database fails here (UNAVAILABLE / INTERNAL).
  static StatusOr<std::unique_ptr<Pool>> Create(const PgSettings& settings);
  static StatusOr<std::unique_ptr<Pool>> Create(const PgSettings& settings, const PoolOptions& options);

  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // Runs fn in one transaction: commits when fn returns OK, rolls back otherwise.
  Status Transact(const TxnFn& fn, const TransactOptions& options = {});
  // Transact with read_only set.
  Status ReadOnly(const TxnFn& fn, TransactOptions options = {});

  // Like Transact for a fn returning StatusOr<T>; returns fn's value once the transaction committed.
  template <typename Fn>
  auto TransactValue(Fn&& fn, const TransactOptions& options = {}) -> std::invoke_result_t<Fn&, pqxx::work&>;
  template <typename Fn>
  auto ReadOnlyValue(Fn&& fn, TransactOptions options = {}) -> std::invoke_result_t<Fn&, pqxx::work&> {
    options.read_only = true;
    return TransactValue(std::forward<Fn>(fn), options);
  }

  // Registers a prepared statement on every connection of the pool (present and future); run it with
  // txn.exec_prepared(name, args...). Register before first use, typically right after Create. Names are
  // global to the pool: registering a name twice with another statement is an error.
  Status Prepare(const std::string& name, const std::string& sql);

  // Lends a pooled connection to fn, outside any transaction, for session-level work (advisory locks).
  // Leave the session as you found it.
  Status WithConnection(const ConnectionFn& fn);

  // Opens a connection that does not belong to the pool (e.g. for LISTEN), with the pool's settings.
  StatusOr<std::unique_ptr<pqxx::connection>> OpenDedicatedConnection() const;

  const PgSettings& settings() const { return settings_; }
  const PoolOptions& options() const { return options_; }

  // Connections currently open (idle + lent).
  int OpenConnectionsForTest() const;

 private:
  struct Slot {
    std::unique_ptr<pqxx::connection> conn;
    std::size_t prepared = 0;  // how many of statements_ this connection knows
  };
  class Lease;

  Pool(PgSettings settings, PoolOptions options);
  StatusOr<std::unique_ptr<pqxx::connection>> Open() const;
  StatusOr<Slot> Checkout();
  void Return(Slot slot, bool healthy);
  // One attempt of fn on one connection; *retryable_break tells whether the connection broke before COMMIT.
  Status RunOnce(const TxnFn& fn, const TransactOptions& options, bool* retryable_break);

  const PgSettings settings_;
  const PoolOptions options_;
  std::string connection_string_;

  mutable std::mutex mu_;
  std::condition_variable freed_;
  std::vector<Slot> idle_;
  int open_ = 0;
  std::vector<std::pair<std::string, std::string>> statements_;
};

template <typename Fn>
auto Pool::TransactValue(Fn&& fn, const TransactOptions& options) -> std::invoke_result_t<Fn&, pqxx::work&> {
  using Result = std::invoke_result_t<Fn&, pqxx::work&>;
  std::optional<Result> out;
  Status status = Transact(
      [&](pqxx::work& txn) -> Status {
        out.emplace(fn(txn));
        return out->status();
      },
      options);
  if (!status.ok()) return status;
  return std::move(*out);
}

}  // namespace messenger::pg
