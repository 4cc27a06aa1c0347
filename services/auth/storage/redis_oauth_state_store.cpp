#include "auth/storage/redis_oauth_state_store.hpp"

#include "messenger/common/ids.hpp"

namespace messenger::auth {
namespace {

using std::chrono::milliseconds;

// KEYS[1] state key; ARGV[1] ttl ms, ARGV[2..] field/value pairs.
constexpr char kSaveScript[] = R"lua(
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
)lua";

// KEYS[1] state key. The fields and values, and the key gone; an empty array when there was none.
constexpr char kTakeScript[] = R"lua(
local fields = redis.call('HGETALL', KEYS[1])
redis.call('DEL', KEYS[1])
return fields
)lua";

}  // namespace

std::string RedisOAuthStateStore::CodeKey(const std::string& provider, const std::string& code) const {
  // A digest: the code itself never sits in Redis. The provider is part of it (codes are per provider).
  return prefix_ + "code:" + Sha256Hex(provider + '\n' + code);
}

Status RedisOAuthStateStore::Save(const std::string& state, const PendingSignIn& pending,
                                  std::chrono::seconds ttl) {
  return redis_
      .Eval(kSaveScript, {StateKey(state)},
            {std::to_string(milliseconds(ttl).count()), "provider", pending.provider, "verifier",
             pending.code_verifier, "nonce", pending.nonce, "redirect_uri", pending.redirect_uri})
      .status();
}

StatusOr<PendingSignIn> RedisOAuthStateStore::Take(const std::string& state) {
  MESSENGER_ASSIGN_OR_RETURN(redis::Reply reply, redis_.Eval(kTakeScript, {StateKey(state)}, {}));
  if (reply.type != redis::Reply::Type::kArray || reply.elements.size() % 2 != 0) {
    return InternalError("unexpected Redis reply: " + reply.DebugString());
  }
  if (reply.elements.empty()) return NotFoundError("no such sign-in in progress");
  PendingSignIn pending;
  for (std::size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
    const std::string& field = reply.elements[i].str;
    const std::string& value = reply.elements[i + 1].str;
    if (field == "provider") pending.provider = value;
    if (field == "verifier") pending.code_verifier = value;
    if (field == "nonce") pending.nonce = value;
    if (field == "redirect_uri") pending.redirect_uri = value;
  }
  if (pending.provider.empty() || pending.code_verifier.empty() || pending.nonce.empty()) {
    return InternalError("incomplete sign-in state in Redis");
  }
  return pending;
}

StatusOr<bool> RedisOAuthStateStore::RememberCode(const std::string& provider, const std::string& code,
                                                  std::chrono::seconds ttl) {
  return redis_.SetNx(CodeKey(provider, code), "1", milliseconds(ttl));
}

}  // namespace messenger::auth
