// The rules of OpenID Connect sign-in: the authorization request (state, nonce, PKCE), the callback (state
// taken once, code used once, ID token verified by the provider adapter), and the account rules that map a
// provider identity to exactly one user. Sessions are AuthService's, the same as after a password login.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "auth/domain/account_repository.hpp"
#include "auth/domain/auth_service.hpp"
#include "auth/domain/identity_provider.hpp"
#include "auth/domain/nickname_registry.hpp"
#include "auth/domain/oauth_state_store.hpp"
#include "messenger/common/ids.hpp"
#include "messenger/common/status.hpp"

namespace messenger::auth {

// A provider the service offers, under the name that appears in the URL (/v1/auth/oauth/{name}/...).
struct OAuthProvider {
  IdentityProvider* provider = nullptr;
  // The callback URLs registered at the provider (the gateway's /v1/auth/oauth/{name}/callback); a client may
  // ask for any of them, and gets the first when it asks for none.
  std::vector<std::string> redirect_uris;
};

struct OAuthConfig {
  // How long a started sign-in may wait for its callback.
  std::chrono::seconds state_ttl{300};
  // How long a presented authorization code is remembered (longer than any provider lets a code live).
  std::chrono::seconds used_code_ttl{600};
  // Outbound HTTP time of one Authorize or Callback; keep it below the gateway's gRPC deadline.
  std::chrono::milliseconds provider_budget{2500};
  // Where UserRegistered goes.
  std::string users_topic = "messenger.users.v1";
};

struct OAuthDependencies {
  std::map<std::string, OAuthProvider> providers;
  AccountRepository* accounts = nullptr;
  NicknameRegistry* nicknames = nullptr;
  OAuthStateStore* states = nullptr;
  AuthService* sessions = nullptr;  // starts the session once the user is known
  const Clock* clock = nullptr;
};

// Thread-safe. Errors carry a reason:
//   NOT_FOUND (UNKNOWN_PROVIDER)                 no provider of that name
//   INVALID_ARGUMENT (REDIRECT_URI_NOT_ALLOWED)  a redirect URI the provider does not know us by
//   INVALID_ARGUMENT (INVALID_STATE)             unknown, expired, already used, or another provider's state
//   INVALID_ARGUMENT (CODE_REPLAYED)             an authorization code presented before
//   UNAUTHENTICATED (OAUTH_REFUSED, INVALID_ID_TOKEN), UNAVAILABLE (PROVIDER_UNAVAILABLE)  see
//   IdentityProvider PERMISSION_DENIED (EMAIL_NOT_VERIFIED)        the provider does not vouch for the email
//   (see SignIn) PERMISSION_DENIED (EMAIL_REQUIRED)            the provider gave no usable email for a new
//   account
class OAuthService {
 public:
  // INVALID_ARGUMENT when a dependency or a provider is missing, or a provider has no redirect URI.
  static StatusOr<std::unique_ptr<OAuthService>> Create(OAuthDependencies deps, const OAuthConfig& config);

  // Starts a sign-in: a fresh state, nonce and PKCE verifier are kept for state_ttl, and the provider's
  // authorization URL carrying them is returned. `redirect_uri` empty means the provider's first one.
  StatusOr<std::string> Authorize(const std::string& provider, const std::string& redirect_uri);

  // Finishes a sign-in: takes the state (once), refuses a code seen before, redeems the code, finds or
  // creates the user (see SignIn) and starts a session as a password login does.
  StatusOr<TokenPair> Callback(const std::string& provider, const std::string& code,
                               const std::string& state);

  // The account rules, for a verified identity; the user ID.
  //  - an identity linked before signs in to its account, whatever its email says now;
  //  - otherwise the email must be present and verified by the provider (EMAIL_REQUIRED,
  //    EMAIL_NOT_VERIFIED): an unverified address neither creates an account (it would squat on someone's
  //    email) nor reaches an existing one;
  //  - an account with that email gets the identity linked to it;
  //  - else a new account is created with a nickname derived from preferred_username or the email (reserved
  //    at Users, suffixed while taken) and UserRegistered goes out through the outbox, as at registration.
  // Concurrent first sign-ins of one identity end in one account.
  StatusOr<std::string> SignIn(const ProviderIdentity& identity);

 private:
  OAuthService(OAuthDependencies deps, const OAuthConfig& config) : deps_(std::move(deps)), config_(config) {}

  StatusOr<const OAuthProvider*> Find(const std::string& provider) const;
  StatusOr<std::string> CreateAccount(const ProviderIdentity& identity, const std::string& email);
  StatusOr<std::string> ReserveNickname(const ProviderIdentity& identity, const std::string& user_id);

  OAuthDependencies deps_;
  OAuthConfig config_;
};

}  // namespace messenger::auth
