// Where the outbox relay sends events. Implemented over Kafka (KafkaPublisher) and, in tests, in memory.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "messenger/common/status.hpp"

namespace messenger::outbox {

struct Message {
  std::string topic;
  std::string key;
  std::string payload;
};

class Publisher {
 public:
  virtual ~Publisher() = default;

  // Returns OK only once the broker acknowledged the record durably (acks=all). A failure means the record
  // may or may not have been stored: the relay publishes it again later (at-least-once).
  virtual Status Publish(const std::string& topic, const std::string& key, const std::string& payload) = 0;

  // Publishes `messages` in order and sets *acknowledged to the length of the leading run of acknowledged
  // messages. OK when all of them were acknowledged, the first failure otherwise. Messages after the first
  // failure may have been published too (they will be published again). The default publishes one at a
  // time and stops at the first failure; an implementation may pipeline as long as records of one key stay
  // in order.
  virtual Status PublishBatch(const std::vector<Message>& messages, std::size_t* acknowledged);
};

}  // namespace messenger::outbox
