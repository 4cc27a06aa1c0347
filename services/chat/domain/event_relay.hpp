// The relay that turns stored messages and read marks into Kafka events, without an outbox table: a
// message document is stored unpublished and is its own outbox entry; read-mark events wait in a small
// outbox collection. Events of one chat go out in seq order; published messages are then marked.
//
// Two paths publish messages:
// - Direct: the send path hands each stored message over (MessageStored) and it is queued to the publisher
//   at once when it is the next one of its chat (seq = the last queued + 1); a message that arrives ahead
//   of its predecessor is parked until that one is queued. Delivery reports come back asynchronously and the
//   relay thread marks the delivered messages in batches. So the delivery latency is one Kafka round trip,
//   and the per-message database work is the insert, the chat update and a share of one batched mark.
// - Relay thread: a chat this process knows nothing of (its first message after a restart), or whose
//   predecessor does not arrive, gets a check: its unpublished messages are listed (one small query) and
//   published from the oldest. A full scan (ListUnpublished) runs at start, when asked (Notify: a read
//   mark), after failed deliveries, and every scan_interval as a safety net (a process that died between the
//   insert and the publication).
// Both paths queue under one lock and record the last queued seq per chat, so one chat's order holds across
// them. When a delivery fails the chat's record is dropped and a pass publishes what is left, oldest first;
// messages of that chat queued after the failed one may already be out, so during a broker failure a
// consumer can see a chat's events out of order (never lost: each is published until it is marked).
// Several Chat instances: each orders what it queues; when they interleave in one chat, the gap sends the
// chat to a check, which publishes from what the store says is unpublished (correct, but slower than the
// direct path: route one chat's sends to one instance).
//
// It lives in domain/ (not storage/) because it is rules over the domain's interfaces: which events, in
// which order, what is repaired first. It is unit-tested with the in-memory fakes.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <map>
#include <set>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>
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
  std::chrono::milliseconds scan_interval{10000};
  // How long it waits after a failed pass (Kafka or MongoDB down) before trying again.
  std::chrono::milliseconds retry_backoff{1000};
  // How long delivered messages gather before they are marked published in one write. Marking is only
  // bookkeeping for recovery (nobody waits for it), and on FerretDB every marking write reads the whole
  // collection's unpublished messages (see MongoMessageStore::MarkPublished): few large writes, then.
  std::chrono::milliseconds mark_linger{500};
  // How long a scan pass waits for the delivery reports of what it queued (past the publisher's own
  // message timeout, the reports are late and the pass counts them as failed).
  std::chrono::milliseconds publish_timeout{40000};
  // Chats whose last queued seq is remembered; past it the memory is dropped and each chat's next message
  // takes the scan path once.
  std::size_t max_tracked_chats = 100000;
  // Chats checked one query each; more waiting at once are settled by one scan.
  std::size_t max_chat_checks = 16;
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
  // Asks for a scan pass at once. Cheap; never blocks on I/O.
  void Notify() override;
  // The direct path (see above). Never blocks on I/O: queuing to the publisher is in-memory.
  void MessageStored(const Message& message, const std::vector<std::string>& participants) override;

  // One pass: up to batch_size messages and batch_size read events. Stops at the first failure; what was
  // acknowledged before it is marked published.
  StatusOr<RelayPass> RunOnce();

  // Marks the messages the direct path saw delivered so far (the relay thread does this on its own).
  Status FlushDeliveredForTest() { return FlushDelivered(); }
  // Runs the chat checks the direct path asked for (the relay thread does this on its own).
  Status CheckChatsForTest() { return CheckChats(); }

 private:
  // What delivery reports leave for the relay thread. Shared with the reports, which can outlive the relay.
  struct Inbox {
    std::mutex mu;
    std::condition_variable_any wake;
    bool scan_requested = true;  // the first pass runs at start
    std::vector<std::string> delivered;  // message IDs to mark published
    std::vector<std::string> failed_chats;
    std::set<std::string> chats_to_check;
  };
  // A message that arrived ahead of its predecessor.
  struct Parked {
    Message message;
    std::vector<std::string> participants;
  };

  StatusOr<std::size_t> PublishMessages(bool* full);
  // Publishes `pending` (ordered by chat, then seq): per chat the gapless run from its oldest, skipping what
  // the direct path already queued.
  StatusOr<std::size_t> PublishPending(const std::vector<Message>& pending);
  // The checks the direct path asked for (see above).
  Status CheckChats();
  void AskCheck(const std::string& chat_id);
  StatusOr<std::size_t> PublishReadEvents(bool* full);
  // Queues `message` to the publisher with a report that feeds the inbox, then any parked successors.
  // Caller holds order_mu_ (so do the two below).
  void QueueDirectLocked(const Message& message, const std::vector<std::string>& participants);
  void SendDirectLocked(const Message& message, const std::vector<std::string>& participants);
  // Records that the chat's messages up to `seq` are queued, and queues the parked ones that follow.
  void AdvanceLocked(const std::string& chat_id, int64_t seq);
  void ForgetChatsLocked(const std::vector<std::string>& chats);
  Status FlushDelivered();
  void Loop(std::stop_token stop);

  MessageStore& messages_;
  ChatStore& chats_;
  ChatCache& cache_;
  EventPublisher& publisher_;
  const EventRelayOptions options_;

  std::shared_ptr<Inbox> inbox_ = std::make_shared<Inbox>();

  // The order of each chat's events: the last seq queued to the publisher, by either path, and the messages
  // waiting for a predecessor.
  std::mutex order_mu_;
  std::unordered_map<std::string, int64_t> queued_;
  std::unordered_map<std::string, std::map<int64_t, Parked>> parked_;

  std::jthread thread_;
};

}  // namespace messenger::chat
