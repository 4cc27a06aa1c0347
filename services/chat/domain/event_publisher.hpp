// Where the relay sends chat events: Kafka topic messenger.chat.v1, key chat_id, value an Envelope whose
// event_id is the message_id (MessageSent) or the read event's id (ChatRead).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
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

  // Queues one event and returns at once. `done` runs exactly once with the outcome (OK: the broker
  // acknowledged it durably), on a publisher thread, or inline when the event cannot even be queued; it must
  // not block. Events of one chat queued one after another are delivered in that order.
  virtual void PublishAsync(const ChatEvent& event, std::function<void(Status)> done) = 0;
};

// How the send path hands its writes to the relay (in-process), so that events go out with low latency.
class OutboxSignal {
 public:
  virtual ~OutboxSignal() = default;
  // Something may be waiting in the outbox: look now.
  virtual void Notify() = 0;
  // `message` is stored (and applied to its chat): publish it now when the chat's order allows, otherwise
  // leave it to the relay.
  virtual void MessageStored(const Message& message, const std::vector<std::string>& participants) {
    (void)message;
    (void)participants;
    Notify();
  }
};

}  // namespace messenger::chat
