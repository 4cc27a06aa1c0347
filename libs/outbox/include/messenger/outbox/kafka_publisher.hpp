// Publisher over the project's Kafka producer (idempotent, acks=all).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "messenger/kafka/producer.hpp"
#include "messenger/outbox/publisher.hpp"

namespace messenger::outbox {

struct KafkaPublisherOptions {
  std::string brokers;
  std::string client_id = "outbox-relay";
  // How long one record may take to be acknowledged. A failed publish then means the record is finished
  // in the producer (not still queued), so a retry by the relay cannot pile up copies while Kafka is down.
  std::chrono::milliseconds message_timeout{10000};
};

class KafkaPublisher final : public Publisher {
 public:
  // Owns its producer, created with linger 0 (the relay waits for every batch) and the timeout above. A
  // producer that enters a fatal state is replaced on the next publish.
  static StatusOr<std::unique_ptr<KafkaPublisher>> Create(const KafkaPublisherOptions& options);

  Status Publish(const std::string& topic, const std::string& key, const std::string& payload) override;
  // Sends the whole batch at once and waits for every acknowledgement (order per key is kept by the
  // idempotent producer).
  Status PublishBatch(const std::vector<Message>& messages, std::size_t* acknowledged) override;

 private:
  explicit KafkaPublisher(KafkaPublisherOptions options) : options_(std::move(options)) {}
  static StatusOr<std::unique_ptr<kafka::Producer>> NewProducer(const KafkaPublisherOptions& options);
  // The current producer, re-created first when the previous one failed fatally.
  StatusOr<std::shared_ptr<kafka::Producer>> CurrentProducer();
  void NoteResult(const Status& status);
  // Send timeout: past message_timeout, so that the delivery report has come.
  std::chrono::milliseconds SendTimeout() const { return options_.message_timeout + std::chrono::seconds(5); }

  const KafkaPublisherOptions options_;
  std::mutex mu_;
  std::shared_ptr<kafka::Producer> producer_;
  bool fatal_ = false;
};

}  // namespace messenger::outbox
