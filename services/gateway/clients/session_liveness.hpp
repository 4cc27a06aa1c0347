// Whether the session behind a verified access token is still alive (not logged out, not revoked).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>

#include "messenger/common/status.hpp"

namespace messenger::gateway {

class SessionLiveness {
 public:
  virtual ~SessionLiveness() = default;
  // OK when session `session_id` lives and token `jti` was not revoked; UNAUTHENTICATED when either is over;
  // UNAVAILABLE (or DEADLINE_EXCEEDED) when the store cannot tell right now.
  virtual boost::asio::awaitable<Status> CheckAlive(std::string session_id, std::string jti) = 0;
};

}  // namespace messenger::gateway
