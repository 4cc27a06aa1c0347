// Kafka consumer over librdkafka with at-least-once semantics: an offset is committed only after the handler
// accepted the record, and a rejected record is delivered again after a backoff. Classic group protocol.
// No librdkafka type appears in this header.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "messenger/common/status.hpp"

namespace messenger::kafka {

struct Record {
  std::string topic;
  int partition = 0;
  int64_t offset = 0;
  std::string key;  // empty for a null key
  std::string value;
  int64_t timestamp_ms = 0;  // producer (create) timestamp, 0 when unknown
};

struct ConsumerOptions {
  std::string brokers;
  std::string group_id;
  std::vector<std::string> topics;
  // auto.offset.reset when the group has no committed offset: earliest when true, latest otherwise.
  bool from_beginning = true;
  std::string client_id;
  // How long a partition is paused after its handler rejected a record, before the record is delivered again.
  std::chrono::milliseconds retry_backoff{1000};
  // session.timeout.ms of the classic group protocol.
  std::chrono::milliseconds session_timeout{10000};
  // Most records handled by one PollOnce call.
  int max_batch = 500;
  // Extra librdkafka properties, applied last (enable.auto.commit stays false).
  std::map<std::string, std::string> extra;
  // When set, every partition assigned to this consumer is pinned to a concrete start offset during the
  // assignment (see PositionedPartitions): the group's committed offset, but never before the first record
  // stamped at or after this time; a partition with neither starts at its end as of the assignment (its high
  // watermark read before the time lookup, so nothing produced after the assignment is skipped). For a
  // consumer that must see everything from a moment on (e.g. its own start) without replaying a long past.
  std::optional<std::chrono::system_clock::time_point> start_not_before;
  // Deadline of each broker query made to pin a partition (committed offsets, watermarks, time lookup).
  std::chrono::milliseconds position_timeout{5000};
};

// Handler contract: return OK when the record's effect is durable (its offset may be committed); return an
// error to have the same record delivered again after retry_backoff. Records of other partitions keep
// flowing meanwhile. Handlers must be idempotent: a record can be seen again after a crash or rebalance.
using RecordHandler = std::function<Status(const Record&)>;

class Consumer {
 public:
  // Subscribes to options.topics. Fails with INVALID_ARGUMENT on bad configuration or empty topics/group.
  static StatusOr<std::unique_ptr<Consumer>> Create(const ConsumerOptions& options);

  ~Consumer();  // Close()s if needed.
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  // Waits up to `timeout` for records, then hands each fetched record (up to max_batch, without waiting
  // further) to `handler` in partition order. Offsets of accepted records are committed synchronously before
  // PollOnce returns (strictly after the handler returned OK). When the handler fails for a record, its
  // partition is paused and re-positioned (seek) to that record, which is delivered again once retry_backoff
  // has passed; no later offset of that partition is committed first.
  // Returns OK when everything fetched was accepted and committed (also when nothing arrived), the first
  // handler error otherwise, or the consumer/commit error (UNAVAILABLE, NOT_FOUND for a missing topic, ...).
  Status PollOnce(const RecordHandler& handler, std::chrono::milliseconds timeout);

  // Calls PollOnce until `stop` is requested. Non-OK results are passed to `on_error` (when set), and after a
  // consumer error (not a handler error) the loop waits retry_backoff before polling again.
  void Run(const RecordHandler& handler, std::stop_token stop,
           const std::function<void(const Status&)>& on_error = {});

  // Leaves the group (partitions go to the other members at once). Idempotent; PollOnce fails afterwards.
  void Close();

  // Partitions currently assigned to this consumer. Thread-safe.
  int AssignedPartitions() const;
  // Of those, the ones pinned to a concrete start offset (only with start_not_before; 0 while a pinning
  // query failed, in which case the partition starts from the committed offset or auto.offset.reset).
  // Thread-safe: another thread may poll this to tell when "everything from now on" is guaranteed.
  int PositionedPartitions() const;

  class Impl;

 private:
  explicit Consumer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace messenger::kafka
