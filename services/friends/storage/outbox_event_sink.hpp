// EventSink over the PostgreSQL outbox: encodes each FriendEvent as a messenger.events.v1.Envelope with a
// fresh event_id and enqueues it in the transaction the sink is bound to.
#pragma once

#include <pqxx/pqxx>
#include <string>

#include "friends/domain/event_sink.hpp"

namespace messenger::friends {

// The Envelope bytes of an event, with the given event_id. Exposed for tests.
std::string EncodeFriendEvent(const FriendEvent& event, const std::string& event_id);

class OutboxEventSink final : public EventSink {
 public:
  OutboxEventSink(pqxx::work& txn, std::string topic) : txn_(txn), topic_(std::move(topic)) {}
  // Record key: event.PartitionKey() (the lower user ID of the pair).
  Status Emit(const FriendEvent& event) override;

 private:
  pqxx::work& txn_;
  const std::string topic_;
};

}  // namespace messenger::friends
