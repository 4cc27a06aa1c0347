#include "auth/storage/redis_throttle.hpp"

namespace messenger::auth {
namespace {

// KEYS[1] counter; ARGV[1] window ms. Returns {count, remaining ms}. A key without TTL (a new one, or one
// left behind by an interrupted call) gets the window.
constexpr char kHitScript[] = R"lua(
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
)lua";

}  // namespace

StatusOr<WindowCount> RedisThrottle::Hit(const std::string& key, std::chrono::seconds window) {
  MESSENGER_ASSIGN_OR_RETURN(
      redis::Reply reply,
      redis_.Eval(kHitScript, {prefix_ + key}, {std::to_string(std::chrono::milliseconds(window).count())}));
  if (reply.type != redis::Reply::Type::kArray || reply.elements.size() != 2 ||
      reply.elements[0].type != redis::Reply::Type::kInteger ||
      reply.elements[1].type != redis::Reply::Type::kInteger) {
    return InternalError("unexpected Redis reply: " + reply.DebugString());
  }
  return WindowCount{reply.elements[0].integer, std::chrono::milliseconds(reply.elements[1].integer)};
}

StatusOr<WindowCount> RedisThrottle::Peek(const std::string& key) {
  MESSENGER_ASSIGN_OR_RETURN(std::vector<redis::Reply> replies,
                             redis_.Pipeline({{"GET", prefix_ + key}, {"PTTL", prefix_ + key}}));
  if (replies.size() != 2 || replies[1].type != redis::Reply::Type::kInteger) {
    return InternalError("unexpected Redis reply to GET/PTTL");
  }
  if (replies[0].is_nil() || replies[1].integer < 0) return WindowCount{};
  if (replies[0].type != redis::Reply::Type::kString) {
    return InternalError("unexpected Redis reply: " + replies[0].DebugString());
  }
  int64_t count = 0;
  try {
    count = std::stoll(replies[0].str);
  } catch (const std::exception&) {
    return InternalError("throttle counter is not a number");
  }
  return WindowCount{count, std::chrono::milliseconds(replies[1].integer)};
}

Status RedisThrottle::Reset(const std::string& key) { return redis_.Del({prefix_ + key}).status(); }

}  // namespace messenger::auth
