#include "events/kafka_event_source.hpp"

#include <condition_variable>
#include <mutex>

#include "messenger/common/logging.hpp"
#include "messenger/kafka/admin.hpp"
#include "messenger/kafka/consumer.hpp"

namespace messenger::gateway {

namespace {

// Sleeps up to `time`, waking early when a stop is requested.
void Pause(std::stop_token stop, std::chrono::milliseconds time) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  cv.wait_for(lock, stop, time, [] { return false; });
}

}  // namespace

KafkaEventSource::KafkaEventSource(EventSourceOptions options, Handler handler)
    : options_(std::move(options)), handler_(std::move(handler)) {
  thread_ = std::jthread([this](std::stop_token stop) { Loop(stop); });
}

KafkaEventSource::~KafkaEventSource() { Stop(); }

void KafkaEventSource::Stop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();
  thread_.join();
  positioned_ = false;
}

boost::asio::awaitable<Status> KafkaEventSource::Check(std::string /*request_id*/) {
  if (positioned_.load()) co_return OkStatus();
  co_return UnavailableError("the events consumer has no positioned partitions yet");
}

void KafkaEventSource::Loop(std::stop_token stop) {
  std::vector<kafka::TopicSpec> specs;
  for (const std::string& topic : options_.topics) {
    specs.push_back(kafka::TopicSpec{topic, options_.partitions_if_created, 1});
  }
  while (!stop.stop_requested()) {
    Status ensured = kafka::EnsureTopics(options_.brokers, specs, std::chrono::seconds(10));
    if (ensured.ok()) break;
    log::Warn("cannot ensure the event topics; retrying", {{"error", ensured.ToString()}});
    Pause(stop, options_.retry_backoff);
  }

  std::unique_ptr<kafka::Consumer> consumer;
  while (!stop.stop_requested() && !consumer) {
    kafka::ConsumerOptions consumer_options;
    consumer_options.brokers = options_.brokers;
    consumer_options.group_id = options_.group_id;
    consumer_options.topics = options_.topics;
    consumer_options.from_beginning = false;  // only if pinning failed: then "latest", never a replay
    consumer_options.client_id = options_.group_id;
    consumer_options.retry_backoff = options_.retry_backoff;
    consumer_options.session_timeout = options_.session_timeout;
    consumer_options.start_not_before = options_.start_not_before;
    auto created = kafka::Consumer::Create(consumer_options);
    if (!created.ok()) {
      log::Error("cannot create the events consumer; retrying", {{"error", created.status().ToString()}});
      Pause(stop, options_.retry_backoff);
      continue;
    }
    consumer = std::move(created).value();
  }
  if (!consumer) return;
  log::Info("events consumer started", {{"group", options_.group_id}});

  const kafka::RecordHandler handle = [this](const kafka::Record& record) {
    handler_(record.value);
    return OkStatus();
  };
  auto last_error_log = std::chrono::steady_clock::time_point{};
  while (!stop.stop_requested()) {
    Status polled = consumer->PollOnce(handle, std::chrono::milliseconds(200));
    const int assigned = consumer->AssignedPartitions();
    const bool now_positioned = assigned > 0 && consumer->PositionedPartitions() == assigned;
    if (now_positioned != positioned_.load()) {
      positioned_ = now_positioned;
      log::Info(now_positioned ? "events consumer positioned" : "events consumer lost its partitions",
                {{"partitions", assigned}});
    }
    if (polled.ok()) continue;
    // Consumer errors (broker down ...): log at most every 10 s, keep polling after a pause.
    if (std::chrono::steady_clock::now() - last_error_log > std::chrono::seconds(10)) {
      log::Warn("events consumer error", {{"error", polled.ToString()}});
      last_error_log = std::chrono::steady_clock::now();
    }
    Pause(stop, options_.retry_backoff);
  }
  consumer->Close();
  positioned_ = false;
}

}  // namespace messenger::gateway
