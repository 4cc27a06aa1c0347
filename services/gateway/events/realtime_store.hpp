// The shared state behind WebSockets, kept where every gateway instance sees it (Redis in production):
// presence (a user is online while any instance holds a socket of theirs), session liveness for open sockets
// (the same rule as REST), and the "session ended" broadcast. Blocking calls: callers run them off the I/O
// threads (PresenceTracker's thread, the BlockingPool).
#pragma once

#include <string>
#include <vector>

#include "messenger/common/status.hpp"

namespace messenger::gateway {

struct PresenceChange {
  enum class Kind {
    kConnect,     // a socket opened: `members` holds it
    kDisconnect,  // a socket closed: `members` holds it
    kRefresh,     // heartbeat: `members` are all the user's sockets on this instance
  };
  Kind kind = Kind::kConnect;
  std::string user_id;
  std::vector<std::string> members;  // "<instance>:<connection id>"
};

struct SessionCheck {
  std::string session_id;
  std::string token_id;  // the jti the socket was opened with
};

class RealtimeStore {
 public:
  virtual ~RealtimeStore() = default;

  // Applies the changes in order. A user is online while at least one member is live; members expire
  // unless refreshed, so a crashed instance's users go offline by themselves. UNAVAILABLE/DEADLINE_EXCEEDED
  // when the store cannot be reached.
  virtual Status ApplyPresence(const std::vector<PresenceChange>& changes) = 0;

  // One answer per check, in order: true while the session lives and the token is not revoked.
  virtual StatusOr<std::vector<bool>> SessionsAlive(const std::vector<SessionCheck>& checks) = 0;

  // Tells every gateway instance (through the store's broadcast channel) that a session ended.
  virtual Status PublishSessionEnded(const std::string& session_id) = 0;
};

}  // namespace messenger::gateway
