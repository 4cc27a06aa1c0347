// Sign-ins in progress (between the authorize redirect and the callback) and the authorization codes
// already presented. Implemented by RedisOAuthStateStore; InMemoryOAuthStateStore in tests.
#pragma once

#include <chrono>
#include <string>

#include "messenger/common/status.hpp"

namespace messenger::auth {

// What the callback needs to finish a sign-in started by Authorize.
struct PendingSignIn {
  std::string provider;
  std::string code_verifier;
  std::string nonce;
  std::string redirect_uri;
};

class OAuthStateStore {
 public:
  virtual ~OAuthStateStore() = default;

  // Keeps `pending` under `state` for `ttl`.
  virtual Status Save(const std::string& state, const PendingSignIn& pending, std::chrono::seconds ttl) = 0;

  // Removes and returns what was saved under `state`, atomically: of concurrent calls with one state at most
  // one gets it. NOT_FOUND when the state is unknown, expired or already taken.
  virtual StatusOr<PendingSignIn> Take(const std::string& state) = 0;

  // Remembers for `ttl` that `code` was presented for `provider`. True the first time, false when it is
  // already remembered (a replayed code). Only a digest of the code is kept.
  virtual StatusOr<bool> RememberCode(const std::string& provider, const std::string& code,
                                      std::chrono::seconds ttl) = 0;
};

}  // namespace messenger::auth
