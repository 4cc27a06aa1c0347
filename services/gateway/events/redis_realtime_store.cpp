#include "events/redis_realtime_store.hpp"

#include "messenger/token/revocation.hpp"

namespace messenger::gateway {

namespace {

// Commands per pipelined round trip: big sweeps go in chunks, so one reply set stays small.
constexpr std::size_t kChunk = 512;

// KEYS[1] presence:{uid}, KEYS[2] conns:{uid}; ARGV[1] connect|refresh|disconnect, ARGV[2] ttl ms,
// ARGV[3..] members. Scores are expiry times on the Redis clock, so instances need no common clock.
// Returns 1 when the user is still online, 0 when not.
constexpr char kPresenceScript[] = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
local op = ARGV[1]
for i = 3, #ARGV do
  if op == 'disconnect' then
    redis.call('ZREM', KEYS[2], ARGV[i])
  else
    redis.call('ZADD', KEYS[2], now + ttl, ARGV[i])
  end
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[2]) == 0 then
  redis.call('DEL', KEYS[1], KEYS[2])
  return 0
end
redis.call('PEXPIRE', KEYS[2], ttl)
if op ~= 'disconnect' then
  redis.call('SET', KEYS[1], '1', 'PX', ttl)
end
return 1
)lua";

const char* OpName(PresenceChange::Kind kind) {
  switch (kind) {
    case PresenceChange::Kind::kConnect:
      return "connect";
    case PresenceChange::Kind::kRefresh:
      return "refresh";
    case PresenceChange::Kind::kDisconnect:
      return "disconnect";
  }
  return "refresh";
}

// Runs `commands` in pipelined chunks; every reply, in order.
StatusOr<std::vector<redis::Reply>> RunChunked(redis::Client& client,
                                               const std::vector<std::vector<std::string>>& commands) {
  std::vector<redis::Reply> replies;
  replies.reserve(commands.size());
  for (std::size_t begin = 0; begin < commands.size(); begin += kChunk) {
    const std::size_t end = std::min(commands.size(), begin + kChunk);
    std::vector<std::vector<std::string>> chunk(commands.begin() + static_cast<std::ptrdiff_t>(begin),
                                                commands.begin() + static_cast<std::ptrdiff_t>(end));
    MESSENGER_ASSIGN_OR_RETURN(std::vector<redis::Reply> part, client.Pipeline(chunk));
    for (redis::Reply& r : part) replies.push_back(std::move(r));
  }
  return replies;
}

}  // namespace

RedisRealtimeStore::RedisRealtimeStore(LazyRedisClient& redis, RedisRealtimeKeys keys,
                                       std::chrono::milliseconds ttl)
    : redis_(redis), keys_(std::move(keys)), ttl_(ttl) {}

Status RedisRealtimeStore::ApplyPresence(const std::vector<PresenceChange>& changes) {
  if (changes.empty()) return OkStatus();
  std::vector<std::vector<std::string>> commands;
  commands.reserve(changes.size());
  for (const PresenceChange& change : changes) {
    if (change.members.empty() && change.kind != PresenceChange::Kind::kRefresh) continue;
    std::vector<std::string> argv = {"EVAL",
                                     kPresenceScript,
                                     "2",
                                     keys_.presence_prefix + change.user_id,
                                     keys_.connections_prefix + change.user_id,
                                     OpName(change.kind),
                                     std::to_string(ttl_.count())};
    argv.insert(argv.end(), change.members.begin(), change.members.end());
    commands.push_back(std::move(argv));
  }
  MESSENGER_ASSIGN_OR_RETURN(redis::Client * client, redis_.Get());
  MESSENGER_ASSIGN_OR_RETURN(std::vector<redis::Reply> replies, RunChunked(*client, commands));
  for (const redis::Reply& reply : replies) {
    if (reply.is_error()) return InternalError("redis: presence script failed: " + reply.str);
  }
  return OkStatus();
}

StatusOr<std::vector<bool>> RedisRealtimeStore::SessionsAlive(const std::vector<SessionCheck>& checks) {
  if (checks.empty()) return std::vector<bool>{};
  std::vector<std::vector<std::string>> commands;
  commands.reserve(checks.size() * 2);
  for (const SessionCheck& check : checks) {
    commands.push_back({"EXISTS", token::SessionKey(check.session_id)});
    commands.push_back({"EXISTS", token::RevokedJtiKey(check.token_id)});
  }
  MESSENGER_ASSIGN_OR_RETURN(redis::Client * client, redis_.Get());
  MESSENGER_ASSIGN_OR_RETURN(std::vector<redis::Reply> replies, RunChunked(*client, commands));
  if (replies.size() != commands.size()) return UnavailableError("redis: short reply to the session check");
  std::vector<bool> alive(checks.size());
  for (std::size_t i = 0; i < checks.size(); ++i) {
    const redis::Reply& session = replies[2 * i];
    const redis::Reply& revoked = replies[2 * i + 1];
    if (session.type != redis::Reply::Type::kInteger || revoked.type != redis::Reply::Type::kInteger) {
      return UnavailableError("redis: unexpected reply to the session check");
    }
    alive[i] = session.integer == 1 && revoked.integer == 0;
  }
  return alive;
}

Status RedisRealtimeStore::PublishSessionEnded(const std::string& session_id) {
  MESSENGER_ASSIGN_OR_RETURN(redis::Client * client, redis_.Get());
  MESSENGER_ASSIGN_OR_RETURN(redis::Reply reply,
                             client->Command({"PUBLISH", keys_.session_channel, session_id}));
  if (reply.is_error()) return InternalError("redis: PUBLISH failed: " + reply.str);
  return OkStatus();
}

}  // namespace messenger::gateway
