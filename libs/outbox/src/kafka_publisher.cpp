#include "messenger/outbox/kafka_publisher.hpp"

#include <condition_variable>
#include <optional>

namespace messenger::outbox {

StatusOr<std::unique_ptr<kafka::Producer>> KafkaPublisher::NewProducer(const KafkaPublisherOptions& options) {
  kafka::ProducerOptions p;
  p.brokers = options.brokers;
  p.client_id = options.client_id;
  p.message_timeout = options.message_timeout;
  p.linger = std::chrono::milliseconds(0);
  return kafka::Producer::Create(p);
}

StatusOr<std::unique_ptr<KafkaPublisher>> KafkaPublisher::Create(const KafkaPublisherOptions& options) {
  if (options.brokers.empty()) return InvalidArgumentError("KafkaPublisher needs brokers");
  if (options.message_timeout.count() <= 0) return InvalidArgumentError("message_timeout must be positive");
  MESSENGER_ASSIGN_OR_RETURN(std::unique_ptr<kafka::Producer> producer, NewProducer(options));
  std::unique_ptr<KafkaPublisher> publisher(new KafkaPublisher(options));
  publisher->producer_ = std::move(producer);
  return publisher;
}

StatusOr<std::shared_ptr<kafka::Producer>> KafkaPublisher::CurrentProducer() {
  std::lock_guard lock(mu_);
  if (fatal_ || !producer_) {
    producer_.reset();
    MESSENGER_ASSIGN_OR_RETURN(std::unique_ptr<kafka::Producer> fresh, NewProducer(options_));
    producer_ = std::move(fresh);
    fatal_ = false;
  }
  return producer_;
}

void KafkaPublisher::NoteResult(const Status& status) {
  if (status.reason() == kafka::kReasonProducerFatal) {
    std::lock_guard lock(mu_);
    fatal_ = true;
  }
}

Status KafkaPublisher::Publish(const std::string& topic, const std::string& key, const std::string& payload) {
  MESSENGER_ASSIGN_OR_RETURN(std::shared_ptr<kafka::Producer> producer, CurrentProducer());
  Status status = producer->Send(topic, key, payload, SendTimeout());
  NoteResult(status);
  return status;
}

Status KafkaPublisher::PublishBatch(const std::vector<Message>& messages, std::size_t* acknowledged) {
  *acknowledged = 0;
  if (messages.empty()) return OkStatus();
  MESSENGER_ASSIGN_OR_RETURN(std::shared_ptr<kafka::Producer> producer, CurrentProducer());

  // Shared with the delivery callbacks, which may outlive this call when it gives up waiting.
  struct Pending {
    std::mutex mu;
    std::condition_variable done_cv;
    std::vector<std::optional<Status>> results;
    std::size_t done = 0;
  };
  auto pending = std::make_shared<Pending>();
  pending->results.resize(messages.size());
  for (std::size_t i = 0; i < messages.size(); ++i) {
    producer->SendAsync(messages[i].topic, messages[i].key, messages[i].payload, [pending, i](Status s) {
      std::lock_guard lock(pending->mu);
      pending->results[i] = std::move(s);
      ++pending->done;
      pending->done_cv.notify_all();
    });
  }
  std::unique_lock lock(pending->mu);
  pending->done_cv.wait_for(lock, SendTimeout(), [&] { return pending->done == messages.size(); });
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const std::optional<Status>& result = pending->results[i];
    if (!result.has_value()) {
      return DeadlineExceededError("no delivery report for an outbox record in time",
                                   kafka::kReasonDeliveryPending);
    }
    if (!result->ok()) {
      Status failure = *result;
      lock.unlock();
      NoteResult(failure);
      return failure;
    }
    ++*acknowledged;
  }
  return OkStatus();
}

}  // namespace messenger::outbox
