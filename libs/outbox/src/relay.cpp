#include "messenger/outbox/relay.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "messenger/common/logging.hpp"
#include "messenger/outbox/outbox.hpp"

namespace messenger::outbox {
namespace {

// Only the relay holding this (transaction-scoped) lock publishes; it keeps two relays from publishing
// rows of one key concurrently, out of order. Advisory locks are per database, so per service.
constexpr long long kRelayLockKey = 0x6f7574626f787265;  // "outboxre"

constexpr char kTryLockSql[] = "SELECT pg_try_advisory_xact_lock($1)";
constexpr char kPickSql[] =
    "SELECT id, topic, key, payload FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1 "
    "FOR UPDATE SKIP LOCKED";
constexpr char kMarkSql[] = "UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])";
constexpr int kPruneChunk = 1000;
constexpr char kPruneSql[] =
    "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE published_at < now() - $1::interval "
    "ORDER BY published_at LIMIT 1000)";
// How often a lost LISTEN connection is re-opened at most.
constexpr std::chrono::seconds kListenRetry{1};

// "{1,2,3}": a bigint[] literal passed as one parameter.
std::string IdArray(const std::vector<std::int64_t>& ids, std::size_t count) {
  std::string out = "{";
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) out += ',';
    out += std::to_string(ids[i]);
  }
  return out + "}";
}

}  // namespace

// A dedicated connection LISTENing on kNotifyChannel.
class Relay::Listener {
 public:
  explicit Listener(std::unique_ptr<pqxx::connection> conn)
      : conn_(std::move(conn)), receiver_(*conn_, kNotifyChannel) {}
  pqxx::connection& conn() { return *conn_; }

 private:
  class Receiver final : public pqxx::notification_receiver {
   public:
    using pqxx::notification_receiver::notification_receiver;
    // Waking up is all a notification is for; the table says what to publish.
    void operator()(const std::string&, int) override {}
  };
  std::unique_ptr<pqxx::connection> conn_;
  Receiver receiver_;
};

Relay::Relay(pg::Pool& pool, Publisher& publisher, RelayOptions options)
    : pool_(pool), publisher_(publisher), options_(std::move(options)) {
  if (::pipe2(wake_pipe_, O_CLOEXEC | O_NONBLOCK) != 0) {
    wake_pipe_[0] = wake_pipe_[1] = -1;  // Wait() then falls back to plain timeouts
  }
}

Relay::~Relay() {
  Stop();
  for (int fd : wake_pipe_) {
    if (fd >= 0) ::close(fd);
  }
}

void Relay::Start() {
  std::lock_guard lock(run_mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void Relay::Stop() {
  std::lock_guard lock(run_mu_);
  if (!thread_.joinable()) return;
  stop_ = true;
  if (wake_pipe_[1] >= 0) {
    char c = 'x';
    [[maybe_unused]] ssize_t n = ::write(wake_pipe_[1], &c, 1);
  }
  thread_.join();
}

RelayStats Relay::stats() const {
  std::lock_guard lock(stats_mu_);
  return stats_;
}

void Relay::RecordFailure(const Status& status) {
  std::lock_guard lock(stats_mu_);
  ++stats_.failed_batches;
  stats_.last_error = status.ToString();
}

StatusOr<int> Relay::RunOnce() {
  std::size_t published = 0;
  Status publish_failure;
  pg::TransactOptions txn_options;
  txn_options.retry_broken_connection = false;  // the loop retries, after a backoff
  Status db = pool_.Transact(
      [&](pqxx::work& txn) -> Status {
        published = 0;
        publish_failure = OkStatus();
        if (!txn.exec_params1(kTryLockSql, kRelayLockKey)[0].as<bool>()) return OkStatus();
        pqxx::result rows = txn.exec_params(kPickSql, options_.batch_size);
        if (rows.empty()) return OkStatus();
        std::vector<std::int64_t> ids;
        std::vector<Message> messages;
        ids.reserve(rows.size());
        messages.reserve(rows.size());
        for (const auto& row : rows) {
          ids.push_back(row[0].as<std::int64_t>());
          messages.push_back(
              Message{row[1].as<std::string>(), row[2].as<std::string>(), pqxx::binarystring(row[3]).str()});
        }
        publish_failure = publisher_.PublishBatch(messages, &published);
        published = std::min(published, ids.size());
        if (published > 0) txn.exec_params0(kMarkSql, IdArray(ids, published));
        return OkStatus();
      },
      txn_options);
  if (!db.ok()) {
    // Whatever was published in this batch is not marked and will be published again.
    RecordFailure(db);
    return db;
  }
  {
    std::lock_guard lock(stats_mu_);
    stats_.published += static_cast<std::int64_t>(published);
    if (publish_failure.ok()) stats_.last_error.clear();
  }
  if (!publish_failure.ok()) {
    RecordFailure(publish_failure);
    return publish_failure;
  }
  return static_cast<int>(published);
}

StatusOr<std::int64_t> Relay::PruneOnce() {
  const std::string age = std::to_string(options_.retention.count()) + " milliseconds";
  std::int64_t total = 0;
  while (true) {
    std::int64_t deleted = 0;
    Status s = pool_.Transact([&](pqxx::work& txn) {
      deleted = static_cast<std::int64_t>(txn.exec_params0(kPruneSql, age).affected_rows());
      return OkStatus();
    });
    if (!s.ok()) return s;
    total += deleted;
    if (deleted < kPruneChunk || stop_) break;
  }
  std::lock_guard lock(stats_mu_);
  stats_.pruned += total;
  return total;
}

void Relay::EnsureListening() {
  if (listener_ || std::chrono::steady_clock::now() < next_listen_attempt_) return;
  next_listen_attempt_ = std::chrono::steady_clock::now() + kListenRetry;
  auto conn = pool_.OpenDedicatedConnection();
  if (!conn.ok()) return;  // polling covers for it; the failure shows up in RunOnce as well
  try {
    listener_ = std::make_unique<Listener>(std::move(conn).value());
  } catch (const std::exception&) {
    listener_.reset();
  }
}

void Relay::Wait(std::chrono::milliseconds timeout, bool wake_on_notify) {
  pollfd fds[2] = {};
  nfds_t count = 0;
  if (wake_pipe_[0] >= 0) fds[count++] = pollfd{wake_pipe_[0], POLLIN, 0};
  int listen_index = -1;
  if (wake_on_notify && listener_ && listener_->conn().sock() >= 0) {
    listen_index = static_cast<int>(count);
    fds[count++] = pollfd{listener_->conn().sock(), POLLIN, 0};
  }
  if (stop_) return;
  int ready = ::poll(fds, count, static_cast<int>(timeout.count()));
  if (ready <= 0) return;
  if (wake_pipe_[0] >= 0 && (fds[0].revents & POLLIN) != 0) {
    char buf[16];
    while (::read(wake_pipe_[0], buf, sizeof buf) > 0) {
    }
  }
  if (listen_index >= 0 && fds[listen_index].revents != 0) {
    if ((fds[listen_index].revents & (POLLERR | POLLHUP | POLLNVAL)) != 0) {
      listener_.reset();
      return;
    }
    try {
      listener_->conn().get_notifs();  // consumes the notifications; the caller looks at the table next
    } catch (const std::exception&) {
      listener_.reset();
    }
  }
}

void Relay::Loop() {
  std::chrono::milliseconds backoff = options_.initial_backoff;
  auto next_prune = std::chrono::steady_clock::now();
  while (!stop_) {
    EnsureListening();
    StatusOr<int> published = RunOnce();
    if (!published.ok()) {
      log::Warn("outbox relay: batch failed, will retry",
                {{"error", published.status().ToString()},
                 {"backoff_ms", static_cast<long long>(backoff.count())}});
      Wait(backoff, /*wake_on_notify=*/false);
      backoff = std::min(backoff * 2, options_.max_backoff);
      continue;
    }
    backoff = options_.initial_backoff;
    if (std::chrono::steady_clock::now() >= next_prune) {
      StatusOr<std::int64_t> pruned = PruneOnce();
      if (!pruned.ok()) log::Warn("outbox relay: pruning failed", {{"error", pruned.status().ToString()}});
      next_prune = std::chrono::steady_clock::now() + options_.prune_interval;
    }
    if (*published >= options_.batch_size) continue;  // more rows are waiting
    Wait(options_.poll_interval, /*wake_on_notify=*/true);
  }
  listener_.reset();
}

}  // namespace messenger::outbox
