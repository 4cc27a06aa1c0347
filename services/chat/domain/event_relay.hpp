// The relay that turns stored messages and read marks into Kafka events, without an outbox table: a
// message document is stored unpublished and is its own outbox entry; read-mark events wait in a small
// outbox collection. The relay publishes them in (chat_id, seq) order and then marks them published.
//
// Before publishing a message it re-applies the chat update (last message, the author's read mark) and the
// cache append, both idempotent: so a process that died between storing a message and updating the chat
// leaves nothing wrong behind once a relay has run. Likewise a read event's mark is re-applied.
//
// Delivery is at-least-once: a crash between Kafka's acknowledgement and the marking publishes again, and
// consumers de-duplicate by event_id (= message_id for MessageSent).
//
// It lives in domain/ (not storage/) because it is rules over the domain's interfaces: which events, in
// which order, what is repaired first. It is unit-tested with the in-memory fakes.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <stop_token>
#include <thread>

#include "chat/domain/chat_cache.hpp"
#include "chat/domain/chat_store.hpp"
#include "chat/domain/event_publisher.hpp"
#include "chat/domain/message_store.hpp"
#include "messenger/common/status.hpp"

namespace messenger::chat {

struct EventRelayOptions {
  std::size_t batch_size = 500;
  // How often the relay looks for leftovers (a crash between a write and its publication) without a wake-up.
  std::chrono::milliseconds scan_interval{1000};
  // How long it waits after a failed pass (Kafka or MongoDB down) before trying again.
  std::chrono::milliseconds retry_backoff{1000};
};

struct RelayPass {
  std::size_t messages = 0;     // MessageSent events published
  std::size_t read_events = 0;  // ChatRead events published
  bool more = false;            // a batch was full: there may be more waiting
};

class EventRelay final : public OutboxSignal {
 public:
  EventRelay(MessageStore& messages, ChatStore& chats, ChatCache& cache, EventPublisher& publisher,
             EventRelayOptions options = {})
      : messages_(messages), chats_(chats), cache_(cache), publisher_(publisher), options_(options) {}
  ~EventRelay() override { Stop(); }
  EventRelay(const EventRelay&) = delete;
  EventRelay& operator=(const EventRelay&) = delete;

  // Runs passes on a background thread: at once when notified, every scan_interval otherwise.
  void Start();
  // Stops the thread (an ongoing pass finishes first). Idempotent.
  void Stop();
  // Wakes the relay (called by the send path after a write). Cheap; never blocks on I/O.
  void Notify() override;

  // One pass: up to batch_size messages and batch_size read events. Stops at the first failure; what was
  // acknowledged before it is marked published.
  StatusOr<RelayPass> RunOnce();

 private:
  StatusOr<std::size_t> PublishMessages(bool* full);
  StatusOr<std::size_t> PublishReadEvents(bool* full);
  void Loop(std::stop_token stop);

  MessageStore& messages_;
  ChatStore& chats_;
  ChatCache& cache_;
  EventPublisher& publisher_;
  const EventRelayOptions options_;

  std::mutex mu_;
  std::condition_variable_any wake_;
  bool notified_ = false;
  std::jthread thread_;
};

}  // namespace messenger::chat
