// GET /v1/ws and everything around the open sockets of this instance (README "Real time"):
//   - the upgrade: the dispatcher has verified the token exactly as for REST (Access::kBearerOrQuery:
//     Authorization header or access_token query parameter); here the Origin is checked (403), a request that
//     is no WebSocket upgrade gets 426, and upgrades wait (503) until the event consumer is positioned, so
//     that every event after the 101 reaches the socket. The socket is registered BEFORE the 101 is written.
//   - presence (PresenceTracker) for each socket, and one session re-check right after the 101 (a logout that
//     raced the upgrade);
//   - session end: the logout route's notification closes this instance's sockets of the session and is
//     broadcast to the others (RealtimeStore::PublishSessionEnded; the subscriber calls EndSession); every
//     ping interval the sessions of all open sockets are checked (refresh-token replay, expiry, a missed
//     broadcast) and dead ones closed with 4001. An outage of the store never closes a socket.
//   - access-token expiry does not close a socket: the token is checked once, at the upgrade; the socket then
//     lives as long as its session (docs/decisions/0002-realtime-routing.md).
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <string>

#include "clients/blocking_pool.hpp"
#include "events/presence_tracker.hpp"
#include "events/realtime_store.hpp"
#include "http/request.hpp"
#include "http/response.hpp"
#include "http/server.hpp"
#include "ws/connection_registry.hpp"
#include "ws/origin_policy.hpp"
#include "ws/session_end_notifier.hpp"
#include "ws/websocket_session.hpp"

namespace messenger::gateway {

struct RealtimeOptions {
  WebSocketSettings socket;
  std::string allowed_origins{kDefaultAllowedOrigins};
  std::string instance_id = "gateway";

  // WS_QUEUE_MAX_FRAMES, WS_QUEUE_MAX_BYTES, WS_PING_INTERVAL_S, WS_CLOSE_TIMEOUT_MS, WS_MAX_MESSAGE_BYTES,
  // WS_SEND_BUFFER_BYTES, WS_ALLOWED_ORIGINS; instance_id is given by the caller.
  static RealtimeOptions FromEnv(std::string instance_id);
};

class RealtimeService final : public SessionEndNotifier {
 public:
  // Everything must outlive the service. `ready` says whether upgrades may be accepted (the event consumer
  // is positioned).
  RealtimeService(boost::asio::any_io_executor executor, RealtimeOptions options,
                  ConnectionRegistry& registry, PresenceTracker& presence, RealtimeStore& store,
                  BlockingPool& pool, std::function<bool()> ready);
  ~RealtimeService() override;

  // The GET /v1/ws handler (route access kBearerOrQuery).
  boost::asio::awaitable<Response> HandleUpgrade(Request& request);

  // SessionEndNotifier (the logout route): closes this instance's sockets of the session, then broadcasts.
  boost::asio::awaitable<void> SessionEnded(std::string session_id, std::string request_id) override;
  // A broadcast from any instance: closes this instance's sockets of the session.
  void EndSession(const std::string& session_id);
  // Checks the sessions of all open sockets now (after the broadcast channel (re)subscribed).
  void CheckAllSessionsSoon();

  // Starts the periodic session check.
  void Start();
  // Refuses new upgrades, closes every socket (1001) and waits up to `grace` for them to go. Stops the check.
  void Shutdown(std::chrono::milliseconds grace);

  const ConnectionRegistry& registry() const { return registry_; }

 private:
  // The upgrade: registers the socket, answers the handshake, then hands the open socket to a coroutine of
  // its own (which unregisters it when it closes) and returns.
  boost::asio::awaitable<void> Serve(Upgrade& upgrade, Principal principal);
  // The socket's member in the presence sets: "<instance>:<socket id>".
  std::string PresenceMember(const WebSocketSession& session) const;
  boost::asio::awaitable<void> CheckSessions(std::vector<std::shared_ptr<Socket>> sockets);
  boost::asio::awaitable<void> SweepLoop();

  boost::asio::any_io_executor executor_;  // a strand: the sweep and its timer
  const RealtimeOptions options_;
  const OriginPolicy origins_;
  ConnectionRegistry& registry_;
  PresenceTracker& presence_;
  RealtimeStore& store_;
  BlockingPool& pool_;
  const std::function<bool()> ready_;
  std::atomic<std::uint64_t> next_id_{1};
  std::atomic<bool> draining_{false};
  std::shared_ptr<boost::asio::steady_timer> sweep_timer_;
};

}  // namespace messenger::gateway
