// The Redis keys through which Auth tells every verifier that a session or an access token is over.
//
// A token is alive when its signature and claims verify (token.hpp), SessionKey(sid) EXISTS (Auth keeps it
// for the refresh lifetime and deletes it on logout or refresh-token replay) and RevokedJtiKey(jti) does NOT
// exist (Logout sets it with a TTL equal to the token's remaining life). Check both in one round trip.
#pragma once

#include <string>
#include <string_view>

namespace messenger::token {

inline constexpr std::string_view kSessionKeyPrefix = "auth:session:";
inline constexpr std::string_view kRevokedJtiKeyPrefix = "auth:revoked-jti:";

inline std::string SessionKey(std::string_view session_id) {
  return std::string(kSessionKeyPrefix) + std::string(session_id);
}

inline std::string RevokedJtiKey(std::string_view jti) {
  return std::string(kRevokedJtiKeyPrefix) + std::string(jti);
}

}  // namespace messenger::token
