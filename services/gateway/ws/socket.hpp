// An open WebSocket as the rest of the gateway sees it: frames go in without blocking, and it can be told to
// close. Implemented by WebSocketSession; registry and fan-out tests use a recording fake.
#pragma once

#include <cstdint>
#include <string>

#include "ws/outbound_queue.hpp"

namespace messenger::gateway {

// WebSocket close codes the gateway sends (API.md "Real time").
enum class CloseCode : std::uint16_t {
  kGoingAway = 1001,     // the gateway shuts down
  kSessionEnded = 4001,  // logout, refresh-token replay, session expiry
  kSlowConsumer = 4008,  // the outgoing queue overflowed
};

class Socket {
 public:
  virtual ~Socket() = default;

  // Unique within this gateway instance.
  virtual std::uint64_t id() const = 0;
  virtual const std::string& user_id() const = 0;
  virtual const std::string& session_id() const = 0;
  // The access token's jti (its revocation is checked with the session's liveness).
  virtual const std::string& token_id() const = 0;

  // Queues a frame; never blocks. An overflow closes the socket with 4008; a closing socket drops it.
  virtual void Send(Frame frame) = 0;
  // Starts the closing handshake with `code`; the socket leaves the registry when it is closed.
  virtual void Close(CloseCode code) = 0;
};

}  // namespace messenger::gateway
