// OAuthStateStore over Redis:
//   <prefix>state:{state}  hash {provider, verifier, nonce, redirect_uri}, TTL = the state's life; taken with
//                          one Lua script (HGETALL + DEL), so a state is handed out once
//   <prefix>code:{sha256}  "1", TTL = how long a used code is remembered; SET NX, so only the first use wins
// The prefix is "auth:oauth:" in production.
#pragma once

#include <string>

#include "auth/domain/oauth_state_store.hpp"
#include "messenger/redis/client.hpp"

namespace messenger::auth {

class RedisOAuthStateStore final : public OAuthStateStore {
 public:
  // `redis` must outlive the store.
  RedisOAuthStateStore(redis::Client& redis, std::string key_prefix)
      : redis_(redis), prefix_(std::move(key_prefix)) {}

  Status Save(const std::string& state, const PendingSignIn& pending, std::chrono::seconds ttl) override;
  StatusOr<PendingSignIn> Take(const std::string& state) override;
  StatusOr<bool> RememberCode(const std::string& provider, const std::string& code,
                              std::chrono::seconds ttl) override;

  std::string StateKey(const std::string& state) const { return prefix_ + "state:" + state; }
  std::string CodeKey(const std::string& provider, const std::string& code) const;

 private:
  redis::Client& redis_;
  std::string prefix_;
};

}  // namespace messenger::auth
