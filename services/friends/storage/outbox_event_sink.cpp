#include "friends/storage/outbox_event_sink.hpp"

#include "messenger/common/ids.hpp"
#include "messenger/events/v1/events.pb.h"
#include "messenger/outbox/outbox.hpp"

namespace messenger::friends {

std::string EncodeFriendEvent(const FriendEvent& event, const std::string& event_id) {
  events::v1::Envelope envelope;
  envelope.set_event_id(event_id);
  envelope.set_occurred_at_unix_ms(ToUnixMillis(event.occurred_at));
  switch (event.kind) {
    case FriendEvent::Kind::kRequestSent: {
      auto* e = envelope.mutable_friend_request_sent();
      e->set_from_user_id(event.actor_id);
      e->set_to_user_id(event.subject_id);
      break;
    }
    case FriendEvent::Kind::kRequestAccepted: {
      auto* e = envelope.mutable_friend_request_accepted();
      e->set_requester_id(event.subject_id);
      e->set_accepter_id(event.actor_id);
      break;
    }
    case FriendEvent::Kind::kRequestRejected: {
      auto* e = envelope.mutable_friend_request_rejected();
      e->set_requester_id(event.subject_id);
      e->set_rejecter_id(event.actor_id);
      break;
    }
    case FriendEvent::Kind::kRemoved: {
      auto* e = envelope.mutable_friend_removed();
      e->set_user_id(event.actor_id);
      e->set_friend_id(event.subject_id);
      break;
    }
  }
  return envelope.SerializeAsString();
}

Status OutboxEventSink::Emit(const FriendEvent& event) {
  const std::string event_id = NewUuid();
  return outbox::Enqueue(
      txn_, outbox::Event{event_id, topic_, event.PartitionKey(), EncodeFriendEvent(event, event_id)});
}

}  // namespace messenger::friends
