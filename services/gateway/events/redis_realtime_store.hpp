// RealtimeStore on Redis. Keys (prefixes configurable, see README "Real time"):
//   presence:{uid}          string "1" with a TTL: exists while the user is online. Friends reads it (MGET).
//   gateway:conns:{uid}     sorted set of the user's live sockets, member "<instance>:<conn>", score = the
//                           time (Redis TIME, ms) the member expires; refreshed by heartbeats.
//   gateway:session-ended   pub/sub channel; message = a session ID whose sockets must close (4001)
// Every presence change is one Lua script (atomic: add/refresh/remove the member, drop expired members, and
// set or delete presence:{uid} accordingly); a batch of changes is one pipelined round trip.
#pragma once

#include <chrono>
#include <string>

#include "clients/redis_checks.hpp"
#include "events/realtime_store.hpp"

namespace messenger::gateway {

struct RedisRealtimeKeys {
  std::string presence_prefix = "presence:";              // PRESENCE_KEY_PREFIX (shared with Friends)
  std::string connections_prefix = "gateway:conns:";      // GATEWAY_REDIS_PREFIX + "conns:"
  std::string session_channel = "gateway:session-ended";  // GATEWAY_REDIS_PREFIX + "session-ended"
};

class RedisRealtimeStore final : public RealtimeStore {
 public:
  // `redis` must outlive the store. `ttl`: how long a member (and presence:{uid}) lives without a refresh.
  RedisRealtimeStore(LazyRedisClient& redis, RedisRealtimeKeys keys, std::chrono::milliseconds ttl);

  Status ApplyPresence(const std::vector<PresenceChange>& changes) override;
  StatusOr<std::vector<bool>> SessionsAlive(const std::vector<SessionCheck>& checks) override;
  Status PublishSessionEnded(const std::string& session_id) override;

  const RedisRealtimeKeys& keys() const { return keys_; }

 private:
  LazyRedisClient& redis_;
  const RedisRealtimeKeys keys_;
  const std::chrono::milliseconds ttl_;
};

}  // namespace messenger::gateway
