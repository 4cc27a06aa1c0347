// The gateway's feed of events: one Kafka consumer, on its own thread, reading the chat and friends topics
// in this instance's own consumer group ("gateway-<GATEWAY_INSTANCE_ID>"), so that every instance reads
// every event and keeps those of its own sockets (docs/decisions/0002-realtime-routing.md).
//
// "Every event after the 101 reaches the socket" needs the consumer to be positioned before the first
// upgrade: partitions are pinned to concrete offsets when assigned (kafka::ConsumerOptions::
// start_not_before = the instance's start minus a margin), and positioned() — which /readyz and the upgrade
// route check — only turns true once every assigned partition is pinned. A restarted instance resumes from
// its committed offsets, but never from before its own start (minus the margin): what happened while it was
// down had no socket here to go to.
//
// The handler runs on the consumer thread, one record at a time, in partition order; the record's offset is
// committed after it returns.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "clients/readiness_probe.hpp"

namespace messenger::gateway {

struct EventSourceOptions {
  std::string brokers;
  std::string group_id;
  std::vector<std::string> topics;
  // Created when missing (with this many partitions), like every service creates the topics it uses.
  int partitions_if_created = 4;
  std::chrono::system_clock::time_point start_not_before;
  std::chrono::milliseconds retry_backoff{1000};
  std::chrono::milliseconds session_timeout{10'000};
};

class KafkaEventSource final : public ReadinessProbe {
 public:
  using Handler = std::function<void(std::string_view value)>;

  // Starts the thread: creates the topics if needed, joins the group, then consumes until Stop().
  KafkaEventSource(EventSourceOptions options, Handler handler);
  ~KafkaEventSource() override;
  KafkaEventSource(const KafkaEventSource&) = delete;
  KafkaEventSource& operator=(const KafkaEventSource&) = delete;

  // Leaves the group and joins the thread. Idempotent.
  void Stop();

  // True once the consumer holds partitions and every one of them is pinned to its start offset.
  bool positioned() const { return positioned_.load(); }

  std::string_view name() const override { return "events"; }
  // OK when positioned(), else UNAVAILABLE.
  boost::asio::awaitable<Status> Check(std::string request_id) override;

 private:
  void Loop(std::stop_token stop);

  const EventSourceOptions options_;
  const Handler handler_;
  std::atomic<bool> positioned_{false};
  std::jthread thread_;
};

}  // namespace messenger::gateway
