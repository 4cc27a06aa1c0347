// An event on its way to Kafka: written to the outbox in the same transaction as the change it reports,
// published later by the relay.
#pragma once

#include <string>

namespace messenger::auth {

struct OutboxMessage {
  std::string event_id;  // the Envelope's event_id, for consumers to de-duplicate
  std::string topic;
  std::string key;      // the record key (the aggregate ID) that keeps one aggregate's events in order
  std::string payload;  // a serialized messenger.events.v1.Envelope
};

}  // namespace messenger::auth
