#include "messenger/kafka/consumer.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <tuple>

#include "errors.hpp"
#include "handle.hpp"

namespace messenger::kafka {

using internal::FromKafkaError;

namespace {

using Clock = std::chrono::steady_clock;

struct TopicPartition {
  std::string topic;
  int partition = 0;
  friend auto operator<=>(const TopicPartition&, const TopicPartition&) = default;
};

internal::PartitionListPtr OneOffset(const TopicPartition& tp, int64_t offset) {
  internal::PartitionListPtr list(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition)->offset = offset;
  return list;
}

int MillisUntil(Clock::time_point t) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(t - Clock::now()).count();
  return static_cast<int>(std::clamp<int64_t>(left, 0, 1'000'000));
}

}  // namespace

class Consumer::Impl {
 public:
  explicit Impl(ConsumerOptions options) : options_(std::move(options)) {}

  ~Impl() { Close(); }

  void Start(internal::HandlePtr rk) { rk_ = std::move(rk); }

  Status Subscribe() {
    internal::PartitionListPtr topics(
        rd_kafka_topic_partition_list_new(static_cast<int>(options_.topics.size())));
    for (const std::string& t : options_.topics) {
      rd_kafka_topic_partition_list_add(topics.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
    }
    return FromKafkaError(rd_kafka_subscribe(rk_.get(), topics.get()), "subscribe");
  }

  Status PollOnce(const RecordHandler& handler, std::chrono::milliseconds timeout) {
    if (closed_) return FailedPreconditionError("kafka consumer is closed");
    last_error_from_handler_ = false;
    const Clock::time_point deadline = Clock::now() + timeout;
    Status handler_error;
    Status consumer_error;
    int handled = 0;
    while (handled < options_.max_batch) {
      MESSENGER_RETURN_IF_ERROR(ResumeDue());
      // Wait for the first record only; once records flow, take what is already fetched and stop.
      int wait_ms = 0;
      if (handled == 0) {
        wait_ms = MillisUntil(deadline);
        if (!paused_.empty()) wait_ms = std::min(wait_ms, MillisUntil(NextResume()));
      }
      internal::MessagePtr message(rd_kafka_consumer_poll(rk_.get(), wait_ms));
      if (!message) {
        if (handled > 0 || Clock::now() >= deadline) break;
        continue;
      }
      if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
      if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        consumer_error = FromKafkaError(message->err, "consume");
        break;
      }
      TopicPartition tp{rd_kafka_topic_name(message->rkt), message->partition};
      if (paused_.contains(tp)) continue;  // fetched before the pause took effect; it will come again
      Record record = ToRecord(tp, *message);
      ++handled;
      Status status = handler(record);
      if (status.ok()) {
        to_commit_[tp] = record.offset + 1;
        continue;
      }
      if (handler_error.ok()) handler_error = status;
      MESSENGER_RETURN_IF_ERROR(Rewind(tp, record.offset));
    }
    Status commit = CommitPending();
    if (!consumer_error.ok()) return consumer_error;
    if (!handler_error.ok()) {
      last_error_from_handler_ = true;
      return handler_error;
    }
    return commit;
  }

  void Run(const RecordHandler& handler, std::stop_token stop,
           const std::function<void(const Status&)>& on_error) {
    std::mutex mu;
    std::condition_variable_any wake;
    while (!stop.stop_requested()) {
      Status status = PollOnce(handler, std::chrono::milliseconds(500));
      if (status.ok()) continue;
      if (on_error) on_error(status);
      if (closed_) return;
      if (!last_error_from_handler_) {
        std::unique_lock lock(mu);
        wake.wait_for(lock, stop, options_.retry_backoff, [] { return false; });
      }
    }
  }

  void Close() {
    if (closed_ || !rk_) return;
    closed_ = true;
    // Runs the revoke callback (committing what was handled) and leaves the group.
    (void)rd_kafka_consumer_close(rk_.get());
  }

  static void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                          rd_kafka_topic_partition_list_t* partitions, void* opaque) {
    static_cast<Impl*>(opaque)->Rebalance(rk, err, partitions);
  }

  int assigned() const { return assigned_.load(); }
  int positioned() const { return positioned_.load(); }

  bool last_error_from_handler_ = false;

 private:
  static Record ToRecord(const TopicPartition& tp, const rd_kafka_message_t& m) {
    Record r;
    r.topic = tp.topic;
    r.partition = tp.partition;
    r.offset = m.offset;
    if (m.key != nullptr) r.key.assign(static_cast<const char*>(m.key), m.key_len);
    if (m.payload != nullptr) r.value.assign(static_cast<const char*>(m.payload), m.len);
    rd_kafka_timestamp_type_t type;
    int64_t ts = rd_kafka_message_timestamp(&m, &type);
    r.timestamp_ms = type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? 0 : ts;
    return r;
  }

  // Stops the partition and points it back at `offset`, to be resumed after the backoff.
  Status Rewind(const TopicPartition& tp, int64_t offset) {
    internal::PartitionListPtr list = OneOffset(tp, offset);
    MESSENGER_RETURN_IF_ERROR(FromKafkaError(rd_kafka_pause_partitions(rk_.get(), list.get()), "pause"));
    MESSENGER_RETURN_IF_ERROR(Seek(list.get()));
    paused_[tp] = Paused{Clock::now() + options_.retry_backoff, offset};
    return OkStatus();
  }

  Status Seek(rd_kafka_topic_partition_list_t* list) {
    MESSENGER_RETURN_IF_ERROR(
        internal::FromKafkaErrorObject(rd_kafka_seek_partitions(rk_.get(), list, 5000), "seek"));
    for (int i = 0; i < list->cnt; ++i) {
      MESSENGER_RETURN_IF_ERROR(FromKafkaError(list->elems[i].err, "seek"));
    }
    return OkStatus();
  }

  Clock::time_point NextResume() const {
    Clock::time_point next = Clock::time_point::max();
    for (const auto& [tp, p] : paused_) next = std::min(next, p.resume_at);
    return next;
  }

  // Resumes partitions whose backoff is over. Resuming restarts from the last position handed to the
  // application, so the partition is pointed at the rejected record again.
  Status ResumeDue() {
    const Clock::time_point now = Clock::now();
    for (auto it = paused_.begin(); it != paused_.end();) {
      if (it->second.resume_at > now) {
        ++it;
        continue;
      }
      internal::PartitionListPtr list = OneOffset(it->first, it->second.offset);
      MESSENGER_RETURN_IF_ERROR(FromKafkaError(rd_kafka_resume_partitions(rk_.get(), list.get()), "resume"));
      MESSENGER_RETURN_IF_ERROR(Seek(list.get()));
      it = paused_.erase(it);
    }
    return OkStatus();
  }

  Status CommitPending() {
    if (to_commit_.empty()) return OkStatus();
    internal::PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(to_commit_.size())));
    for (const auto& [tp, offset] : to_commit_) {
      rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition)->offset = offset;
    }
    to_commit_.clear();
    // Synchronous: when PollOnce returns OK, the offsets are stored by the group coordinator. A failed commit
    // only means the records will be handled again (at-least-once).
    MESSENGER_RETURN_IF_ERROR(FromKafkaError(rd_kafka_commit(rk_.get(), list.get(), /*async=*/0), "commit"));
    for (int i = 0; i < list->cnt; ++i) {
      MESSENGER_RETURN_IF_ERROR(FromKafkaError(list->elems[i].err, "commit"));
    }
    return OkStatus();
  }

  void Rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions) {
    const bool cooperative = std::string_view(rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE";
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      Forget(partitions);
      bool pinned = false;
      for (int attempt = 0; options_.start_not_before && !pinned && attempt < 3; ++attempt) {
        pinned = Pin(rk, partitions);
      }
      if (cooperative) {
        rd_kafka_error_t* e = rd_kafka_incremental_assign(rk, partitions);
        if (e != nullptr) rd_kafka_error_destroy(e);
      } else {
        rd_kafka_assign(rk, partitions);
      }
      // A partition paused under an earlier assignment must not stay paused.
      rd_kafka_resume_partitions(rk, partitions);
      assigned_.fetch_add(partitions->cnt);
      if (pinned) positioned_.fetch_add(partitions->cnt);
      return;
    }
    // Revoked (or lost): commit what was handled while the partitions are still ours, then let them go.
    if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS && !rd_kafka_assignment_lost(rk)) (void)CommitPending();
    Forget(partitions);
    if (cooperative) {
      rd_kafka_error_t* e = rd_kafka_incremental_unassign(rk, partitions);
      if (e != nullptr) rd_kafka_error_destroy(e);
      assigned_.fetch_sub(partitions->cnt);
      positioned_.store(std::min(positioned_.load(), assigned_.load()));
    } else {
      rd_kafka_assign(rk, nullptr);
      assigned_.store(0);
      positioned_.store(0);
    }
  }

  // Sets every partition's offset to where it must start (ConsumerOptions::start_not_before): the committed
  // offset, but not before the first record at or after the time; without either, the high watermark. The
  // watermark is read before the time lookup, so a record produced in between is not skipped. False (and the
  // list untouched) when a query failed; the partitions then start as librdkafka would have them start.
  bool Pin(rd_kafka_t* rk, rd_kafka_topic_partition_list_t* partitions) {
    if (partitions->cnt == 0) return true;
    const int timeout_ms = static_cast<int>(options_.position_timeout.count());
    internal::PartitionListPtr committed(rd_kafka_topic_partition_list_copy(partitions));
    if (rd_kafka_committed(rk, committed.get(), timeout_ms) != RD_KAFKA_RESP_ERR_NO_ERROR) return false;
    std::vector<int64_t> high(partitions->cnt);
    for (int i = 0; i < partitions->cnt; ++i) {
      int64_t low = 0;
      if (rd_kafka_query_watermark_offsets(rk, partitions->elems[i].topic, partitions->elems[i].partition,
                                           &low, &high[i], timeout_ms) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return false;
      }
    }
    const int64_t since_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(options_.start_not_before->time_since_epoch())
            .count();
    internal::PartitionListPtr by_time(rd_kafka_topic_partition_list_copy(partitions));
    for (int i = 0; i < by_time->cnt; ++i) by_time->elems[i].offset = since_ms;
    if (rd_kafka_offsets_for_times(rk, by_time.get(), timeout_ms) != RD_KAFKA_RESP_ERR_NO_ERROR) return false;
    for (int i = 0; i < partitions->cnt; ++i) {
      if (committed->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR ||
          by_time->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return false;
      }
    }
    for (int i = 0; i < partitions->cnt; ++i) {
      // offsets_for_times answers -1 (the end) when no record is that recent: everything up to the watermark
      // read above is older.
      int64_t start = by_time->elems[i].offset >= 0 ? by_time->elems[i].offset : high[i];
      start = std::min(start, high[i]);
      if (committed->elems[i].offset >= 0) start = std::max(start, committed->elems[i].offset);
      partitions->elems[i].offset = start;
    }
    return true;
  }

  void Forget(const rd_kafka_topic_partition_list_t* partitions) {
    for (int i = 0; i < partitions->cnt; ++i) {
      TopicPartition tp{partitions->elems[i].topic, partitions->elems[i].partition};
      paused_.erase(tp);
      to_commit_.erase(tp);
    }
  }

  struct Paused {
    Clock::time_point resume_at;
    int64_t offset = 0;  // the rejected record, delivered again on resume
  };

  ConsumerOptions options_;
  internal::HandlePtr rk_;
  // Written by the rebalance callback (on the polling thread), read by any thread.
  std::atomic<int> assigned_{0};
  std::atomic<int> positioned_{0};
  bool closed_ = false;
  std::map<TopicPartition, Paused> paused_;
  std::map<TopicPartition, int64_t> to_commit_;  // next offset to commit, per partition handled this poll
};

StatusOr<std::unique_ptr<Consumer>> Consumer::Create(const ConsumerOptions& options) {
  if (options.brokers.empty()) return InvalidArgumentError("kafka consumer: brokers are empty");
  if (options.group_id.empty()) return InvalidArgumentError("kafka consumer: group_id is empty");
  if (options.topics.empty()) return InvalidArgumentError("kafka consumer: no topics");
  if (options.max_batch < 1) return InvalidArgumentError("kafka consumer: max_batch < 1");
  // librdkafka 2.0 speaks only the classic group protocol (group.protocol=classic in newer clients).
  internal::Properties props = {
      {"bootstrap.servers", options.brokers},
      {"group.id", options.group_id},
      {"auto.offset.reset", options.from_beginning ? "earliest" : "latest"},
      {"session.timeout.ms", std::to_string(options.session_timeout.count())},
      {"allow.auto.create.topics", "false"},
  };
  if (!options.client_id.empty()) props.emplace_back("client.id", options.client_id);
  for (const auto& kv : options.extra) props.emplace_back(kv);
  // Forced last: offsets are committed by PollOnce only, after the handler accepted the record.
  props.emplace_back("enable.auto.commit", "false");
  props.emplace_back("enable.auto.offset.store", "false");
  MESSENGER_ASSIGN_OR_RETURN(internal::ConfPtr conf, internal::NewConf(props));

  auto impl = std::make_unique<Impl>(options);
  rd_kafka_conf_set_opaque(conf.get(), impl.get());
  rd_kafka_conf_set_rebalance_cb(conf.get(), &Impl::OnRebalance);
  MESSENGER_ASSIGN_OR_RETURN(internal::HandlePtr rk, internal::NewHandle(RD_KAFKA_CONSUMER, std::move(conf)));
  rd_kafka_poll_set_consumer(rk.get());
  impl->Start(std::move(rk));
  MESSENGER_RETURN_IF_ERROR(impl->Subscribe());
  return std::unique_ptr<Consumer>(new Consumer(std::move(impl)));
}

Consumer::Consumer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Consumer::~Consumer() = default;

Status Consumer::PollOnce(const RecordHandler& handler, std::chrono::milliseconds timeout) {
  return impl_->PollOnce(handler, timeout);
}

void Consumer::Run(const RecordHandler& handler, std::stop_token stop,
                   const std::function<void(const Status&)>& on_error) {
  impl_->Run(handler, std::move(stop), on_error);
}

void Consumer::Close() { impl_->Close(); }

int Consumer::AssignedPartitions() const { return impl_->assigned(); }

int Consumer::PositionedPartitions() const { return impl_->positioned(); }

}  // namespace messenger::kafka
