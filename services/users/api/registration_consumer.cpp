#include "users/api/registration_consumer.hpp"

#include <condition_variable>
#include <mutex>

#include "messenger/common/logging.hpp"
#include "messenger/events/v1/events.pb.h"
#include "messenger/kafka/admin.hpp"

namespace messenger::users {
namespace {

// Sleeps for `d` unless `stop` is requested first; returns false when stopped.
bool SleepUnlessStopped(std::stop_token stop, std::chrono::milliseconds d) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  return !cv.wait_for(lock, stop, d, [] { return false; }) && !stop.stop_requested();
}

}  // namespace

RegistrationConsumer::RegistrationConsumer(RegistrationConsumerOptions options, RegistrationHandler& handler)
    : options_(std::move(options)), handler_(handler) {}

Status RegistrationConsumer::HandleRecord(const kafka::Record& record) {
  events::v1::Envelope envelope;
  if (!envelope.ParseFromString(record.value)) {
    log::Warn("skipping a record that is not an Envelope",
              {{"topic", record.topic}, {"partition", record.partition}, {"offset", record.offset}});
    return OkStatus();
  }
  if (envelope.payload_case() != events::v1::Envelope::kUserRegistered) return OkStatus();
  const events::v1::UserRegistered& event = envelope.user_registered();
  Status status = handler_.Handle({envelope.event_id(), event.user_id(), event.nickname()});
  if (status.code() == StatusCode::kInvalidArgument) {
    log::Warn("skipping a UserRegistered event that cannot be applied",
              {{"event_id", envelope.event_id()}, {"offset", record.offset}, {"error", status.ToString()}});
    return OkStatus();
  }
  return status;
}

void RegistrationConsumer::Run(std::stop_token stop) {
  const std::chrono::milliseconds kEnsureTimeout{10000};
  while (!stop.stop_requested()) {
    Status ensured = kafka::EnsureTopics(
        options_.brokers, {kafka::TopicSpec{options_.topic, options_.topic_partitions, 1}}, kEnsureTimeout);
    if (ensured.ok()) break;
    log::Warn("cannot create the users topic yet; retrying",
              {{"topic", options_.topic}, {"error", ensured.ToString()}});
    if (!SleepUnlessStopped(stop, options_.retry_backoff)) return;
  }
  if (stop.stop_requested()) return;

  kafka::ConsumerOptions consumer_options;
  consumer_options.brokers = options_.brokers;
  consumer_options.group_id = options_.group_id;
  consumer_options.topics = {options_.topic};
  consumer_options.client_id = options_.client_id;
  consumer_options.from_beginning = true;
  consumer_options.retry_backoff = options_.retry_backoff;
  StatusOr<std::unique_ptr<kafka::Consumer>> consumer = kafka::Consumer::Create(consumer_options);
  if (!consumer.ok()) {
    log::Error("cannot create the Kafka consumer", {{"error", consumer.status().ToString()}});
    return;
  }
  log::Info("consuming registrations", {{"topic", options_.topic}, {"group", options_.group_id}});
  (*consumer)->Run([this](const kafka::Record& r) { return HandleRecord(r); }, stop,
                   [](const Status& s) {
                     log::Warn("registration consumer: will retry", {{"error", s.ToString()}});
                   });
  (*consumer)->Close();
}

}  // namespace messenger::users
