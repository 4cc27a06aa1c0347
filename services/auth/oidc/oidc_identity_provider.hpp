// IdentityProvider for one OpenID Connect provider, configured by its issuer and client credentials; the
// rest comes from its discovery document. Authorization code flow with PKCE (S256), state and nonce; the
// client authenticates at the token endpoint with client_secret_basic (client_secret_post when the provider
// supports only that).
//
// Caches, each shared by all calls: the discovery document and the JWKS are fetched on first use and kept
// for metadata_ttl; the JWKS is fetched again at once when an ID token names a key ID it does not hold (the
// provider rotated its keys). A key ID still unknown after that refetch is remembered for metadata_ttl /
// 60 (at least 10 s), so that tokens naming it cannot make every call fetch again. When a refetch fails,
// the previous document stays in use.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "auth/domain/identity_provider.hpp"
#include "auth/oidc/http_client.hpp"
#include "auth/oidc/jws.hpp"
#include "messenger/common/ids.hpp"

namespace messenger::auth {

struct OidcProviderConfig {
  std::string name;           // as it appears in /v1/auth/oauth/{name}/...
  std::string issuer;         // exactly as the provider writes it in its documents and tokens
  std::string discovery_url;  // empty: <issuer>/.well-known/openid-configuration
  std::string client_id;
  std::string client_secret;
  std::string scopes = "openid email profile";
  std::vector<std::string> redirect_uris;        // the first is the default
  std::chrono::milliseconds http_timeout{2000};  // one HTTP exchange at most
  std::chrono::seconds metadata_ttl{3600};
  std::chrono::seconds clock_leeway{60};

  // The providers named in OAUTH_PROVIDERS (comma-separated, [a-z0-9_]), each from
  // OAUTH_<NAME>_{ISSUER, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI (comma-separated), SCOPES, DISCOVERY_URL},
  // plus OAUTH_HTTP_TIMEOUT_MS, OAUTH_METADATA_TTL_S and OAUTH_CLOCK_LEEWAY_S for all of them.
  // INVALID_ARGUMENT naming the first missing or malformed variable.
  static StatusOr<std::vector<OidcProviderConfig>> ListFromEnv();
};

class OidcIdentityProvider final : public IdentityProvider {
 public:
  // `http` and `clock` must outlive the provider. INVALID_ARGUMENT for an incomplete configuration.
  static StatusOr<std::unique_ptr<OidcIdentityProvider>> Create(OidcProviderConfig config, HttpClient& http,
                                                                const Clock& clock);

  StatusOr<std::string> AuthorizationUrl(const AuthorizationRequest& request,
                                         std::chrono::milliseconds budget) override;
  StatusOr<ProviderIdentity> Redeem(const std::string& code, const std::string& code_verifier,
                                    const std::string& redirect_uri, const std::string& expected_nonce,
                                    std::chrono::milliseconds budget) override;

  const OidcProviderConfig& config() const { return config_; }

 private:
  using Deadline = std::chrono::steady_clock::time_point;
  struct Discovery {
    std::string authorization_endpoint;
    std::string token_endpoint;
    std::string jwks_uri;
    bool client_secret_post = false;  // the provider accepts client_secret_post but not client_secret_basic
  };

  OidcIdentityProvider(OidcProviderConfig config, HttpClient& http, const Clock& clock)
      : config_(std::move(config)), http_(http), clock_(clock) {}

  StatusOr<HttpResponse> Fetch(HttpRequest request, Deadline deadline);
  StatusOr<Discovery> GetDiscovery(Deadline deadline);
  StatusOr<Discovery> FetchDiscovery(Deadline deadline);
  // The key set to check a token signed with `alg` by key `kid`: the cached one, or a fresh one.
  StatusOr<std::shared_ptr<const JsonWebKeySet>> KeysFor(const std::string& kid, const std::string& alg,
                                                         const Discovery& discovery, Deadline deadline);
  StatusOr<std::shared_ptr<const JsonWebKeySet>> FetchKeys(const Discovery& discovery, Deadline deadline);
  StatusOr<std::string> ExchangeCode(const Discovery& discovery, const std::string& code,
                                     const std::string& code_verifier, const std::string& redirect_uri,
                                     Deadline deadline);

  const OidcProviderConfig config_;
  HttpClient& http_;
  const Clock& clock_;

  std::mutex mu_;  // guards the caches below; never held during HTTP
  std::optional<Discovery> discovery_;
  std::chrono::system_clock::time_point discovery_fetched_at_;
  std::shared_ptr<const JsonWebKeySet> keys_;
  std::chrono::system_clock::time_point keys_fetched_at_;
  std::map<std::string, std::chrono::system_clock::time_point> unknown_kids_;  // kid -> remembered until
};

}  // namespace messenger::auth
