// Publishes the outbox's events in id order, in the background. See libs/outbox/README.md.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "messenger/common/status.hpp"
#include "messenger/outbox/publisher.hpp"
#include "messenger/pg/pool.hpp"

namespace messenger::outbox {

struct RelayOptions {
  // Rows picked (and published) per transaction.
  int batch_size = 100;
  // Longest time between two looks at the table when no NOTIFY arrives.
  std::chrono::milliseconds poll_interval{200};
  // After a failed batch the relay waits initial_backoff, doubling up to max_backoff while failures last.
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{10000};
  // Published rows are kept this long (for inspection and re-publishing by hand), then deleted.
  std::chrono::milliseconds retention{std::chrono::hours(24)};
  std::chrono::milliseconds prune_interval{std::chrono::minutes(1)};
};

struct RelayStats {
  std::int64_t published = 0;       // events published and marked
  std::int64_t failed_batches = 0;  // batches stopped by a publish or database failure
  std::int64_t pruned = 0;          // published rows deleted after retention
  std::string last_error;           // the latest failure, empty once a batch succeeds again
};

// Thread-safe. One relay per service process is the usual setup; several (one per replica) are safe: a
// transaction-scoped advisory lock lets one of them publish at a time, and FOR UPDATE SKIP LOCKED keeps a
// row from being picked by two batches. The pool and the publisher must outlive the relay.
class Relay {
 public:
  Relay(pg::Pool& pool, Publisher& publisher, RelayOptions options = {});
  ~Relay();  // Stop()s
  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;

  // Starts the background thread: it publishes whenever a NOTIFY arrives or poll_interval passed, backs off
  // while publishing or the database fails, and prunes old rows every prune_interval. Never gives up.
  void Start();
  // Stops the thread (within a moment; an in-flight publish is waited for). Idempotent.
  void Stop();

  // One batch, on the calling thread: picks up to batch_size unpublished rows in id order, publishes them
  // in order and marks those acknowledged. Returns how many were published, 0 also when another relay holds
  // the batch lock. When a publish fails the rows before it stay marked, the batch stops there (later rows
  // keep waiting, so one key's order holds) and the failure is returned.
  StatusOr<int> RunOnce();
  // Deletes rows published more than `retention` ago; returns how many.
  StatusOr<std::int64_t> PruneOnce();

  RelayStats stats() const;

 private:
  void Loop();
  // Waits until `timeout` passed, Stop() was called or (when wake_on_notify) a NOTIFY arrived.
  void Wait(std::chrono::milliseconds timeout, bool wake_on_notify);
  void EnsureListening();
  void RecordFailure(const Status& status);

  class Listener;

  pg::Pool& pool_;
  Publisher& publisher_;
  const RelayOptions options_;

  std::mutex run_mu_;  // Start/Stop
  std::thread thread_;
  std::atomic<bool> stop_{false};
  int wake_pipe_[2] = {-1, -1};
  std::unique_ptr<Listener> listener_;  // used by the relay thread only
  std::chrono::steady_clock::time_point next_listen_attempt_{};

  mutable std::mutex stats_mu_;
  RelayStats stats_;
};

}  // namespace messenger::outbox
