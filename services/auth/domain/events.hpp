// The events Auth publishes, as outbox messages.
#pragma once

#include <cstdint>
#include <string>

#include "auth/domain/outbox_message.hpp"

namespace messenger::auth {

// UserRegistered for `topic` (messenger.users.v1 in production), keyed by the user ID, wrapped in an
// Envelope with a fresh event ID.
OutboxMessage UserRegisteredMessage(const std::string& topic, const std::string& user_id,
                                    const std::string& nickname, int64_t registered_at_unix_ms);

}  // namespace messenger::auth
