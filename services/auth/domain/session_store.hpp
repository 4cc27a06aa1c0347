// Sessions and access-token revocation: the source of truth every verifier consults. Implemented by
// RedisSessionStore (keys from messenger/token/revocation.hpp); InMemorySessionStore in tests.
#pragma once

#include <chrono>
#include <string>

#include "messenger/common/status.hpp"

namespace messenger::auth {

enum class RotateOutcome {
  kRotated,   // the presented hash was the current one; the next hash replaced it
  kReplayed,  // the presented hash was an earlier one of this session; the session is now deleted
  kUnknown,   // no such session, or a hash it never had; nothing changed
};

struct RotateResult {
  RotateOutcome outcome = RotateOutcome::kUnknown;
  std::string user_id;  // set when kRotated
};

class SessionStore {
 public:
  virtual ~SessionStore() = default;

  // Starts a session whose current refresh-token hash is `refresh_hash`; it lives `ttl` unless rotated.
  virtual Status Create(const std::string& session_id, const std::string& user_id,
                        const std::string& refresh_hash, std::chrono::seconds ttl) = 0;

  // Atomically, for the session `session_id`: when `presented_hash` is the current hash, makes `next_hash`
  // current, remembers `presented_hash` as used and restarts the session's lifetime at `ttl`. When it is a
  // hash that was current before, deletes the session (the refresh token was stolen or replayed). Of
  // concurrent calls with the same hash exactly one sees kRotated. Errors only for storage failures.
  virtual StatusOr<RotateResult> Rotate(const std::string& session_id, const std::string& presented_hash,
                                        const std::string& next_hash, std::chrono::seconds ttl) = 0;

  // Ends a session: its refresh token stops working and every access token of it stops validating.
  // Deleting a session that does not exist is OK.
  virtual Status Delete(const std::string& session_id) = 0;

  // Marks one access token as revoked for `ttl` (its remaining lifetime; after that it is expired anyway).
  virtual Status RevokeAccessToken(const std::string& jti, std::chrono::seconds ttl) = 0;

  // True when the session exists and the access token `jti` is not revoked.
  virtual StatusOr<bool> IsAccessTokenLive(const std::string& session_id, const std::string& jti) = 0;
};

}  // namespace messenger::auth
