// Where the relay sends chat events: Kafka topic messenger.chat.v1, key chat_id, value an Envelope whose
// event_id is the message_id (MessageSent) or the read event's id (ChatRead).
#pragma once

#include <cstddef>
#include <vector>

#include "chat/domain/types.hpp"
#include "messenger/common/status.hpp"

namespace messenger::chat {

class EventPublisher {
 public:
  virtual ~EventPublisher() = default;

  // Publishes `events` keeping the order of events of one chat, and sets *acknowledged to the length of the
  // leading run the broker acknowledged durably. OK when all were acknowledged, the first failure
  // otherwise. Events after the first failure may have been published too (at-least-once: they are
  // published again later, and consumers de-duplicate by event_id).
  virtual Status Publish(const std::vector<ChatEvent>& events, std::size_t* acknowledged) = 0;
};

// Lets the send path wake the relay at once (in-process), so that events go out with low latency.
class OutboxSignal {
 public:
  virtual ~OutboxSignal() = default;
  virtual void Notify() = 0;
};

}  // namespace messenger::chat
