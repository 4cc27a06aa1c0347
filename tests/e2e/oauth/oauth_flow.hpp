// The browser side of OpenID Connect sign-in through the gateway and the local provider
// (deploy/local/oidc/server.mjs): authorize at the gateway, the provider's login and consent pages, and the
// redirect back to the gateway's callback.
#pragma once

#include <string>

#include "support/browser.hpp"

namespace messenger::e2e {

// With OIDC_TEST_ACCOUNTS=1 the provider signs in any lowercase login with this password; the account's email
// is <login>@example.test, verified unless the login starts with "unverified"; its subject is "test-<login>".
inline constexpr char kProviderPassword[] = "test-password";

// A login unique to this run: prefix + [a-z0-9].
std::string UniqueLogin(const std::string& prefix);

// The gateway's base URL (GATEWAY_URL).
std::string GatewayBase();

// GET /v1/auth/oauth/{provider}/authorize, not followed.
BrowserResponse Authorize(Browser& browser, const std::string& provider, const std::string& query = {});

// From `authorization_url` (the provider's authorization endpoint, or anything that redirects to it), walks
// the provider's pages as a user would: follows redirects, fills the login form, confirms the consent form,
// and stops at the redirect back to the gateway. Returns that callback URL (code, state, iss) without calling
// it, or "" after recording a test failure.
std::string WalkProviderPages(Browser& browser, const std::string& authorization_url,
                              const std::string& login, const std::string& password = kProviderPassword);

// Authorize + WalkProviderPages.
std::string SignInUpToCallback(Browser& browser, const std::string& provider, const std::string& login);

// The whole flow with a fresh browser: the callback's answer (200 with tokens when all went well).
BrowserResponse SignInWithProvider(const std::string& provider, const std::string& login);

struct ProviderSession {
  std::string user_id;
  std::string access_token;
  std::string refresh_token;
};
// SignInWithProvider expecting 200; fills the session (empty after recording a failure).
ProviderSession MustSignIn(const std::string& provider, const std::string& login);

// GET /v1/me with the token until it answers 200 (the profile is created from UserRegistered); the profile,
// or null after recording a failure.
boost::json::value WaitForProfile(const std::string& access_token);

}  // namespace messenger::e2e
