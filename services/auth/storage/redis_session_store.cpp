#include "auth/storage/redis_session_store.hpp"

#include "messenger/token/revocation.hpp"

namespace messenger::auth {
namespace {

using std::chrono::milliseconds;

// KEYS[1] session key; ARGV[1] user_id, ARGV[2] refresh hash, ARGV[3] ttl ms.
constexpr char kCreateScript[] = R"lua(
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'user_id', ARGV[1], 'refresh', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
)lua";

// KEYS[1] session key; ARGV[1] presented hash, ARGV[2] next hash, ARGV[3] ttl ms.
// Returns {1, user_id} rotated, {2} replayed (session deleted), {0} unknown.
constexpr char kRotateScript[] = R"lua(
local current = redis.call('HGET', KEYS[1], 'refresh')
if not current then return {0} end
if current == ARGV[1] then
  redis.call('HSET', KEYS[1], 'refresh', ARGV[2], 'used:' .. ARGV[1], '1')
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return {1, redis.call('HGET', KEYS[1], 'user_id')}
end
if redis.call('HEXISTS', KEYS[1], 'used:' .. ARGV[1]) == 1 then
  redis.call('DEL', KEYS[1])
  return {2}
end
return {0}
)lua";

std::string Millis(std::chrono::seconds ttl) { return std::to_string(milliseconds(ttl).count()); }

Status Unexpected(const redis::Reply& reply) {
  return InternalError("unexpected Redis reply: " + reply.DebugString());
}

}  // namespace

Status RedisSessionStore::Create(const std::string& session_id, const std::string& user_id,
                                 const std::string& refresh_hash, std::chrono::seconds ttl) {
  return redis_.Eval(kCreateScript, {token::SessionKey(session_id)}, {user_id, refresh_hash, Millis(ttl)})
      .status();
}

StatusOr<RotateResult> RedisSessionStore::Rotate(const std::string& session_id,
                                                 const std::string& presented_hash,
                                                 const std::string& next_hash, std::chrono::seconds ttl) {
  MESSENGER_ASSIGN_OR_RETURN(redis::Reply reply, redis_.Eval(kRotateScript, {token::SessionKey(session_id)},
                                                             {presented_hash, next_hash, Millis(ttl)}));
  if (reply.type != redis::Reply::Type::kArray || reply.elements.empty() ||
      reply.elements[0].type != redis::Reply::Type::kInteger) {
    return Unexpected(reply);
  }
  switch (reply.elements[0].integer) {
    case 0:
      return RotateResult{RotateOutcome::kUnknown, {}};
    case 1:
      if (reply.elements.size() != 2 || reply.elements[1].type != redis::Reply::Type::kString) {
        return Unexpected(reply);
      }
      return RotateResult{RotateOutcome::kRotated, reply.elements[1].str};
    case 2:
      return RotateResult{RotateOutcome::kReplayed, {}};
    default:
      return Unexpected(reply);
  }
}

Status RedisSessionStore::Delete(const std::string& session_id) {
  return redis_.Del({token::SessionKey(session_id)}).status();
}

Status RedisSessionStore::RevokeAccessToken(const std::string& jti, std::chrono::seconds ttl) {
  return redis_.Set(token::RevokedJtiKey(jti), "1", milliseconds(ttl));
}

StatusOr<bool> RedisSessionStore::IsAccessTokenLive(const std::string& session_id, const std::string& jti) {
  MESSENGER_ASSIGN_OR_RETURN(
      std::vector<redis::Reply> replies,
      redis_.Pipeline({{"EXISTS", token::SessionKey(session_id)}, {"EXISTS", token::RevokedJtiKey(jti)}}));
  if (replies.size() != 2) return InternalError("pipeline answered the wrong number of replies");
  for (const redis::Reply& r : replies) {
    if (r.type != redis::Reply::Type::kInteger) return Unexpected(r);
  }
  return replies[0].integer == 1 && replies[1].integer == 0;
}

}  // namespace messenger::auth
