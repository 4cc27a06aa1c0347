#include "auth/domain/events.hpp"

#include "messenger/common/ids.hpp"
#include "messenger/events/v1/events.pb.h"

namespace messenger::auth {

OutboxMessage UserRegisteredMessage(const std::string& topic, const std::string& user_id,
                                    const std::string& nickname, int64_t registered_at_unix_ms) {
  events::v1::Envelope envelope;
  envelope.set_event_id(NewUuid());
  envelope.set_occurred_at_unix_ms(registered_at_unix_ms);
  events::v1::UserRegistered* event = envelope.mutable_user_registered();
  event->set_user_id(user_id);
  event->set_nickname(nickname);
  event->set_registered_at_unix_ms(registered_at_unix_ms);
  return OutboxMessage{envelope.event_id(), topic, user_id, envelope.SerializeAsString()};
}

}  // namespace messenger::auth
