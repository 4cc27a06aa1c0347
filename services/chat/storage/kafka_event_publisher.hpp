// EventPublisher over Kafka: every event becomes a messenger.events.v1.Envelope on the chat topic
// (messenger.chat.v1 unless configured), keyed by chat_id so that one chat's events stay in order.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "chat/domain/event_publisher.hpp"
#include "messenger/kafka/producer.hpp"

namespace messenger::chat {

struct KafkaEventPublisherOptions {
  std::string brokers;
  std::string topic = "messenger.chat.v1";
  std::string client_id = "messenger-chat";
  // How long a record may wait in the producer for the broker. A failed publish then means the record is
  // finished in the producer, so retries while Kafka is down do not pile up copies of it.
  std::chrono::milliseconds message_timeout{10000};
};

// The Envelope bytes of an event (event_id = message_id for MessageSent, the read event's id for ChatRead).
std::string EncodeEnvelope(const ChatEvent& event);
const std::string& EventChatId(const ChatEvent& event);

class KafkaEventPublisher final : public EventPublisher {
 public:
  // Does not connect: the first publish does.
  static StatusOr<std::unique_ptr<KafkaEventPublisher>> Create(KafkaEventPublisherOptions options);

  // Sends the whole batch at once (the idempotent producer keeps the order of one key) and waits for every
  // delivery report. A producer that failed fatally is replaced before the next publish.
  Status Publish(const std::vector<ChatEvent>& events, std::size_t* acknowledged) override;
  void PublishAsync(const ChatEvent& event, std::function<void(Status)> done) override;

 private:
  explicit KafkaEventPublisher(KafkaEventPublisherOptions options) : options_(std::move(options)) {}
  StatusOr<std::shared_ptr<kafka::Producer>> CurrentProducer();
  // Drops `producer` after a fatal failure, so that the next publish creates a fresh one.
  void Retire(const std::shared_ptr<kafka::Producer>& producer);

  const KafkaEventPublisherOptions options_;
  std::mutex mu_;
  std::shared_ptr<kafka::Producer> producer_;
  // Set by a delivery report when the producer failed fatally (see PublishAsync).
  std::shared_ptr<std::atomic<bool>> fatal_ = std::make_shared<std::atomic<bool>>(false);
};

}  // namespace messenger::chat
