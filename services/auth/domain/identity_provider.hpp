// An OpenID Connect provider as the sign-in rules see it. Implemented by OidcIdentityProvider (oidc/);
// FakeIdentityProvider in tests.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "messenger/common/status.hpp"

namespace messenger::auth {

// One authorization request (authorization code flow with PKCE).
struct AuthorizationRequest {
  std::string state;
  std::string nonce;
  std::string code_verifier;  // the provider is sent its S256 challenge, never the verifier itself
  std::string redirect_uri;
};

// What a verified ID token says about the user.
struct ProviderIdentity {
  std::string issuer;
  std::string subject;
  std::optional<std::string> email;
  bool email_verified = false;
  std::optional<std::string> preferred_username;
};

// Everything that goes wrong with a provider is one of these (reason in brackets):
//   UNAVAILABLE (PROVIDER_UNAVAILABLE)  the provider cannot be reached in time, or answers something that is
//                                       not OpenID Connect (a 5xx, a broken discovery document...)
//   UNAUTHENTICATED (OAUTH_REFUSED)     the token endpoint refused the code (used, expired, wrong verifier)
//   UNAUTHENTICATED (INVALID_ID_TOKEN)  the ID token fails a check: signature, algorithm, iss, aud, exp,
//   nonce
// `budget` bounds the time spent on outbound HTTP by one call.
class IdentityProvider {
 public:
  virtual ~IdentityProvider() = default;

  // The URL of the provider's authorization endpoint to send the browser to, carrying the client ID, the
  // scopes, `request.state`, `request.nonce` and the S256 challenge of `request.code_verifier`.
  virtual StatusOr<std::string> AuthorizationUrl(const AuthorizationRequest& request,
                                                 std::chrono::milliseconds budget) = 0;

  // Exchanges `code` at the token endpoint (with `code_verifier` and `redirect_uri`) and verifies the ID
  // token it returns: signed by a key of the provider's JWKS, issued by the provider for this client, not
  // expired, carrying `expected_nonce`.
  virtual StatusOr<ProviderIdentity> Redeem(const std::string& code, const std::string& code_verifier,
                                            const std::string& redirect_uri,
                                            const std::string& expected_nonce,
                                            std::chrono::milliseconds budget) = 0;
};

}  // namespace messenger::auth
