// Told by the logout route that a session ended, so that the session's WebSockets close (4001) at once, on
// every gateway instance.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>

namespace messenger::gateway {

class SessionEndNotifier {
 public:
  virtual ~SessionEndNotifier() = default;
  // Never fails the caller: the session has already ended in Auth; a notification that cannot be sent is
  // logged, and the heartbeat's session check closes the remaining sockets within one ping interval.
  virtual boost::asio::awaitable<void> SessionEnded(std::string session_id, std::string request_id) = 0;
};

}  // namespace messenger::gateway
