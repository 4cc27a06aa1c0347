// SessionStore over Redis, the source of truth for revocation that the gateway also reads.
//
// Keys (messenger/token/revocation.hpp):
//   auth:session:{sid}      hash, TTL = refresh lifetime (restarted by each rotation)
//                             user_id        the session's user
//                             refresh        SHA-256 (hex) of the current refresh token
//                             used:{sha256}  one field per refresh token already rotated away
//   auth:revoked-jti:{jti}  string "1", TTL = the access token's remaining life (set by logout)
// Rotation is one Lua script, so concurrent refreshes with one token cannot both win.
#pragma once

#include "auth/domain/session_store.hpp"
#include "messenger/redis/client.hpp"

namespace messenger::auth {

class RedisSessionStore final : public SessionStore {
 public:
  // `redis` must outlive the store.
  explicit RedisSessionStore(redis::Client& redis) : redis_(redis) {}

  Status Create(const std::string& session_id, const std::string& user_id, const std::string& refresh_hash,
                std::chrono::seconds ttl) override;
  StatusOr<RotateResult> Rotate(const std::string& session_id, const std::string& presented_hash,
                                const std::string& next_hash, std::chrono::seconds ttl) override;
  Status Delete(const std::string& session_id) override;
  Status RevokeAccessToken(const std::string& jti, std::chrono::seconds ttl) override;
  StatusOr<bool> IsAccessTokenLive(const std::string& session_id, const std::string& jti) override;

 private:
  redis::Client& redis_;
};

}  // namespace messenger::auth
