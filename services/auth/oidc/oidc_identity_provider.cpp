#include "auth/oidc/oidc_identity_provider.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>

#include "auth/oidc/id_token.hpp"
#include "messenger/common/config.hpp"

namespace messenger::auth {
namespace json = boost::json;

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kWellKnown[] = "/.well-known/openid-configuration";
constexpr std::size_t kMaxProviderName = 32;

Status Unreachable(std::string why) { return UnavailableError(std::move(why), "PROVIDER_UNAVAILABLE"); }
Status InvalidToken(std::string why) { return UnauthenticatedError(std::move(why), "INVALID_ID_TOKEN"); }

// RFC 3986 percent-encoding: unreserved characters stay, everything else is %XX. Good for query strings and
// for application/x-www-form-urlencoded bodies alike.
std::string PercentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string Sha256(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(digest), size);
}

std::string Base64(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(data.data()), static_cast<int>(data.size()));
  out.resize(static_cast<std::size_t>(std::max(0, n)));
  return out;
}

bool IsHttpUrl(std::string_view url) { return url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0; }

std::optional<json::object> ParseObject(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

std::string StringMember(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

// nullopt when the member is absent (not a list); the strings of the list otherwise.
std::optional<std::set<std::string>> StringList(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr || !v->is_array()) return std::nullopt;
  std::set<std::string> out;
  for (const json::value& entry : v->as_array()) {
    if (entry.is_string()) out.insert(std::string(entry.as_string()));
  }
  return out;
}

// The OAuth error code of a token endpoint answer, reduced to [a-z_] so that it is safe in a message.
std::string OAuthErrorCode(const std::optional<json::object>& answer) {
  std::string code = answer ? StringMember(*answer, "error") : std::string();
  code.erase(
      std::remove_if(code.begin(), code.end(), [](unsigned char c) { return !std::islower(c) && c != '_'; }),
      code.end());
  return code.empty() ? "unspecified" : code.substr(0, 64);
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

bool HasScope(const std::string& scopes, std::string_view scope) {
  std::stringstream in(scopes);
  std::string word;
  while (in >> word) {
    if (word == scope) return true;
  }
  return false;
}

}  // namespace

StatusOr<std::vector<OidcProviderConfig>> OidcProviderConfig::ListFromEnv() {
  std::vector<OidcProviderConfig> out;
  std::set<std::string> seen;
  for (const std::string& name : SplitList(EnvString("OAUTH_PROVIDERS", ""))) {
    const bool valid_name =
        name.size() <= kMaxProviderName && std::all_of(name.begin(), name.end(), [](unsigned char c) {
          return std::islower(c) != 0 || std::isdigit(c) != 0 || c == '_';
        });
    if (!valid_name) return InvalidArgumentError("OAUTH_PROVIDERS: bad provider name '" + name + "'");
    if (!seen.insert(name).second) return InvalidArgumentError("OAUTH_PROVIDERS: '" + name + "' twice");
    std::string prefix = "OAUTH_";
    for (char c : name) prefix += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    prefix += "_";

    OidcProviderConfig config;
    config.name = name;
    config.issuer = EnvString(prefix + "ISSUER", "");
    config.discovery_url = EnvString(prefix + "DISCOVERY_URL", "");
    config.client_id = EnvString(prefix + "CLIENT_ID", "");
    config.client_secret = EnvString(prefix + "CLIENT_SECRET", "");
    config.scopes = EnvString(prefix + "SCOPES", config.scopes);
    config.redirect_uris = SplitList(EnvString(prefix + "REDIRECT_URI", ""));
    config.http_timeout = EnvMillis("OAUTH_HTTP_TIMEOUT_MS", config.http_timeout);
    config.metadata_ttl = seconds(EnvInt("OAUTH_METADATA_TTL_S", config.metadata_ttl.count()));
    config.clock_leeway = seconds(EnvInt("OAUTH_CLOCK_LEEWAY_S", config.clock_leeway.count()));
    for (const auto& [value, variable] : {std::pair{&config.issuer, "ISSUER"},
                                          {&config.client_id, "CLIENT_ID"},
                                          {&config.client_secret, "CLIENT_SECRET"}}) {
      if (value->empty()) return InvalidArgumentError(prefix + variable + " is not set");
    }
    if (config.redirect_uris.empty()) return InvalidArgumentError(prefix + "REDIRECT_URI is not set");
    out.push_back(std::move(config));
  }
  return out;
}

StatusOr<std::unique_ptr<OidcIdentityProvider>> OidcIdentityProvider::Create(OidcProviderConfig config,
                                                                             HttpClient& http,
                                                                             const Clock& clock) {
  if (!IsHttpUrl(config.issuer))
    return InvalidArgumentError(config.name + ": the issuer must be an http(s) URL");
  if (config.client_id.empty() || config.client_secret.empty()) {
    return InvalidArgumentError(config.name + ": client ID and secret are required");
  }
  if (config.redirect_uris.empty()) return InvalidArgumentError(config.name + ": a redirect URI is required");
  for (const std::string& uri : config.redirect_uris) {
    if (!IsHttpUrl(uri)) return InvalidArgumentError(config.name + ": redirect URIs must be http(s) URLs");
  }
  if (!HasScope(config.scopes, "openid")) config.scopes = "openid " + config.scopes;
  if (config.discovery_url.empty()) {
    std::string base = config.issuer;
    while (!base.empty() && base.back() == '/') base.pop_back();
    config.discovery_url = base + kWellKnown;
  }
  if (!IsHttpUrl(config.discovery_url)) {
    return InvalidArgumentError(config.name + ": the discovery URL must be an http(s) URL");
  }
  if (config.http_timeout.count() <= 0 || config.metadata_ttl.count() <= 0 ||
      config.clock_leeway.count() < 0) {
    return InvalidArgumentError(config.name + ": timeouts must be positive");
  }
  return std::unique_ptr<OidcIdentityProvider>(new OidcIdentityProvider(std::move(config), http, clock));
}

StatusOr<HttpResponse> OidcIdentityProvider::Fetch(HttpRequest request, Deadline deadline) {
  const auto left = std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return Unreachable("out of time for the provider");
  request.timeout = std::min(config_.http_timeout, left);
  request.headers.emplace_back("Accept", "application/json");
  return http_.Send(request);
}

StatusOr<OidcIdentityProvider::Discovery> OidcIdentityProvider::FetchDiscovery(Deadline deadline) {
  HttpRequest request;
  request.url = config_.discovery_url;
  MESSENGER_ASSIGN_OR_RETURN(HttpResponse response, Fetch(std::move(request), deadline));
  if (response.status != 200) {
    return Unreachable("discovery document answered HTTP " + std::to_string(response.status));
  }
  std::optional<json::object> doc = ParseObject(response.body);
  if (!doc) return Unreachable("discovery document is not a JSON object");
  // OpenID Connect Discovery 1.0, 4.3: the document must name exactly the issuer we expect.
  if (StringMember(*doc, "issuer") != config_.issuer) {
    return Unreachable("discovery document names another issuer");
  }
  Discovery discovery;
  discovery.authorization_endpoint = StringMember(*doc, "authorization_endpoint");
  discovery.token_endpoint = StringMember(*doc, "token_endpoint");
  discovery.jwks_uri = StringMember(*doc, "jwks_uri");
  if (!IsHttpUrl(discovery.authorization_endpoint) || !IsHttpUrl(discovery.token_endpoint) ||
      !IsHttpUrl(discovery.jwks_uri)) {
    return Unreachable("discovery document lacks an endpoint");
  }
  if (auto methods = StringList(*doc, "code_challenge_methods_supported");
      methods && !methods->count("S256")) {
    return Unreachable("provider does not support PKCE with S256");
  }
  if (auto auth = StringList(*doc, "token_endpoint_auth_methods_supported")) {
    discovery.client_secret_post = !auth->count("client_secret_basic") && auth->count("client_secret_post");
  }
  return discovery;
}

StatusOr<OidcIdentityProvider::Discovery> OidcIdentityProvider::GetDiscovery(Deadline deadline) {
  {
    std::lock_guard lock(mu_);
    if (discovery_ && clock_.Now() - discovery_fetched_at_ < config_.metadata_ttl) return *discovery_;
  }
  StatusOr<Discovery> fetched = FetchDiscovery(deadline);
  std::lock_guard lock(mu_);
  if (!fetched.ok()) {
    if (discovery_) return *discovery_;  // stale beats nothing; the next call tries again
    return fetched.status();
  }
  discovery_ = *fetched;
  discovery_fetched_at_ = clock_.Now();
  return fetched;
}

StatusOr<std::shared_ptr<const JsonWebKeySet>> OidcIdentityProvider::FetchKeys(const Discovery& discovery,
                                                                               Deadline deadline) {
  HttpRequest request;
  request.url = discovery.jwks_uri;
  MESSENGER_ASSIGN_OR_RETURN(HttpResponse response, Fetch(std::move(request), deadline));
  if (response.status != 200) return Unreachable("JWKS answered HTTP " + std::to_string(response.status));
  StatusOr<std::shared_ptr<const JsonWebKeySet>> keys = JsonWebKeySet::Parse(response.body);
  if (!keys.ok()) return Unreachable("JWKS is not a key set");
  return keys;
}

StatusOr<std::shared_ptr<const JsonWebKeySet>> OidcIdentityProvider::KeysFor(const std::string& kid,
                                                                             const std::string& alg,
                                                                             const Discovery& discovery,
                                                                             Deadline deadline) {
  std::shared_ptr<const JsonWebKeySet> cached;
  {
    std::lock_guard lock(mu_);
    const auto now = clock_.Now();
    cached = keys_;
    if (cached) {
      const bool fresh = now - keys_fetched_at_ < config_.metadata_ttl;
      const bool known = cached->HasKeyFor(kid, alg);
      auto unknown = unknown_kids_.find(kid);
      const bool recently_missing = unknown != unknown_kids_.end() && unknown->second > now;
      // A known key from a fresh set, or a key ID the provider did not have a moment ago: no fetch.
      if ((known && fresh) || (!known && recently_missing)) return cached;
    }
  }
  StatusOr<std::shared_ptr<const JsonWebKeySet>> fetched = FetchKeys(discovery, deadline);
  std::lock_guard lock(mu_);
  if (!fetched.ok()) {
    if (cached) return cached;
    return fetched.status();
  }
  const auto now = clock_.Now();
  keys_ = *fetched;
  keys_fetched_at_ = now;
  std::erase_if(unknown_kids_, [&](const auto& entry) { return entry.second <= now; });
  if (!keys_->HasKeyFor(kid, alg)) {
    unknown_kids_[kid] = now + std::max(seconds(10), config_.metadata_ttl / 60);
  }
  return keys_;
}

StatusOr<std::string> OidcIdentityProvider::AuthorizationUrl(const AuthorizationRequest& request,
                                                             milliseconds budget) {
  MESSENGER_ASSIGN_OR_RETURN(Discovery discovery, GetDiscovery(std::chrono::steady_clock::now() + budget));
  std::string url = discovery.authorization_endpoint;
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += "response_type=code";
  url += "&client_id=" + PercentEncode(config_.client_id);
  url += "&redirect_uri=" + PercentEncode(request.redirect_uri);
  url += "&scope=" + PercentEncode(config_.scopes);
  url += "&state=" + PercentEncode(request.state);
  url += "&nonce=" + PercentEncode(request.nonce);
  url += "&code_challenge=" + Base64UrlEncode(Sha256(request.code_verifier));
  url += "&code_challenge_method=S256";
  return url;
}

StatusOr<std::string> OidcIdentityProvider::ExchangeCode(const Discovery& discovery, const std::string& code,
                                                         const std::string& code_verifier,
                                                         const std::string& redirect_uri, Deadline deadline) {
  HttpRequest request;
  request.method = "POST";
  request.url = discovery.token_endpoint;
  request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  request.body = "grant_type=authorization_code&code=" + PercentEncode(code) +
                 "&redirect_uri=" + PercentEncode(redirect_uri) +
                 "&code_verifier=" + PercentEncode(code_verifier);
  if (discovery.client_secret_post) {
    request.body += "&client_id=" + PercentEncode(config_.client_id) +
                    "&client_secret=" + PercentEncode(config_.client_secret);
  } else {
    // RFC 6749, 2.3.1: both parts form-encoded before Base64.
    request.headers.emplace_back("Authorization", "Basic " + Base64(PercentEncode(config_.client_id) + ":" +
                                                                    PercentEncode(config_.client_secret)));
  }
  MESSENGER_ASSIGN_OR_RETURN(HttpResponse response, Fetch(std::move(request), deadline));
  std::optional<json::object> answer = ParseObject(response.body);

  if (response.status == 200) {
    std::string id_token = answer ? StringMember(*answer, "id_token") : std::string();
    if (id_token.empty()) return InvalidToken("the token endpoint answered without an ID token");
    return id_token;
  }
  if (response.status >= 500) {
    return Unreachable("token endpoint answered HTTP " + std::to_string(response.status));
  }
  const std::string error = OAuthErrorCode(answer);
  if (error == "invalid_client") {
    // Our credentials are wrong: a configuration fault, not the user's.
    return InternalError("the provider does not accept the client credentials of '" + config_.name + "'");
  }
  if (response.status == 400 || response.status == 401) {
    return UnauthenticatedError("the token endpoint refused the code: " + error, "OAUTH_REFUSED");
  }
  return Unreachable("token endpoint answered HTTP " + std::to_string(response.status));
}

StatusOr<ProviderIdentity> OidcIdentityProvider::Redeem(const std::string& code,
                                                        const std::string& code_verifier,
                                                        const std::string& redirect_uri,
                                                        const std::string& expected_nonce,
                                                        milliseconds budget) {
  const Deadline deadline = std::chrono::steady_clock::now() + budget;
  MESSENGER_ASSIGN_OR_RETURN(Discovery discovery, GetDiscovery(deadline));
  MESSENGER_ASSIGN_OR_RETURN(std::string id_token,
                             ExchangeCode(discovery, code, code_verifier, redirect_uri, deadline));

  StatusOr<Jws> jws = ParseJws(id_token);
  if (!jws.ok()) return InvalidToken("the ID token is not a JWS: " + jws.status().message());
  // Decided by us, not by the token's header: "none", HMAC and the rest never reach a key.
  if (!IsSupportedAlgorithm(jws->alg)) return InvalidToken("the ID token's algorithm is not allowed");
  MESSENGER_ASSIGN_OR_RETURN(std::shared_ptr<const JsonWebKeySet> keys,
                             KeysFor(jws->kid, jws->alg, discovery, deadline));
  if (!keys->Verify(jws->kid, jws->alg, jws->signing_input, jws->signature).ok()) {
    return InvalidToken("the ID token's signature does not verify with the provider's keys");
  }
  return CheckIdTokenClaims(
      jws->payload, IdTokenExpectations{config_.issuer, config_.client_id, expected_nonce, clock_.Now(),
                                        config_.clock_leeway});
}

}  // namespace messenger::auth
