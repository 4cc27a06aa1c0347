// The claims checks of an OpenID Connect ID token (OpenID Connect Core 1.0, 3.1.3.7), once its signature
// has been verified.
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <string>

#include "auth/domain/identity_provider.hpp"
#include "messenger/common/status.hpp"

namespace messenger::auth {

struct IdTokenExpectations {
  std::string issuer;     // iss must equal it
  std::string client_id;  // aud must be or contain it; azp, when present, must equal it
  std::string nonce;      // nonce must equal it
  std::chrono::system_clock::time_point now;
  std::chrono::seconds leeway{60};  // tolerated clock difference for exp, iat and nbf
};

// The identity the claims describe, or UNAUTHENTICATED (reason INVALID_ID_TOKEN) naming the first claim that
// fails: iss, aud, azp, exp (required, in the future), iat (required, not in the future), nbf, nonce, sub.
// email_verified may be a boolean or the string "true"; anything else counts as not verified.
StatusOr<ProviderIdentity> CheckIdTokenClaims(const boost::json::object& claims,
                                              const IdTokenExpectations& expected);

}  // namespace messenger::auth
