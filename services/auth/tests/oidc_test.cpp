// The OpenID Connect adapter without a network: JWS and JWKS handling, the ID-token claim checks, and
// OidcIdentityProvider over a scripted HttpClient (discovery, token endpoint, JWKS caching and refetching).
// ID tokens are crafted and signed here with keys made for the run, so every way a token can be wrong is
// tried, including the ones a real provider cannot be made to produce.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <mutex>

#include "auth/oidc/id_token.hpp"
#include "auth/oidc/jws.hpp"
#include "auth/oidc/oidc_identity_provider.hpp"
#include "auth/tests/fakes.hpp"
#include "auth/tests/oidc_test_support.hpp"

namespace messenger::auth {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using testing::FakeClock;
using testing::TestSigningKey;

constexpr char kIssuer[] = "https://idp.test";
constexpr char kClientId[] = "messenger";
constexpr char kNonce[] = "nonce-123";

const TestSigningKey& RsaKey() {
  static const TestSigningKey key = TestSigningKey::Rsa("rsa-1");
  return key;
}
const TestSigningKey& EcKey() {
  static const TestSigningKey key = TestSigningKey::P256("ec-1");
  return key;
}

int64_t UnixSeconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

json::object GoodClaims(std::chrono::system_clock::time_point now) {
  return json::object{{"iss", kIssuer},
                      {"aud", kClientId},
                      {"sub", "user-1"},
                      {"exp", UnixSeconds(now) + 600},
                      {"iat", UnixSeconds(now)},
                      {"nonce", kNonce},
                      {"email", "user@example.test"},
                      {"email_verified", true},
                      {"preferred_username", "user_one"}};
}

// Flips one bit in the middle of the signature part.
std::string TamperSignature(std::string token) {
  const std::size_t at = token.rfind('.') + 10;
  token[at] = token[at] == 'A' ? 'B' : 'A';
  return token;
}

// ---------------------------------------------------------------------------------------------------------
// JWS and JWKS

TEST(OidcJwsTest, VerifiesRs256AndEs256AndNothingTampered) {
  auto keys = JsonWebKeySet::Parse(testing::KeySetJson({&RsaKey(), &EcKey()}));
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_EQ((*keys)->size(), 2u);
  for (const TestSigningKey* key : {&RsaKey(), &EcKey()}) {
    const std::string token = key->Sign(json::object{{"sub", "x"}});
    auto jws = ParseJws(token);
    ASSERT_TRUE(jws.ok()) << jws.status();
    EXPECT_EQ(jws->alg, key->alg());
    EXPECT_EQ(jws->kid, key->kid());
    EXPECT_TRUE((*keys)->Verify(jws->kid, jws->alg, jws->signing_input, jws->signature).ok()) << key->alg();

    auto tampered = ParseJws(TamperSignature(token));
    ASSERT_TRUE(tampered.ok());
    EXPECT_EQ(
        (*keys)->Verify(tampered->kid, tampered->alg, tampered->signing_input, tampered->signature).code(),
        StatusCode::kUnauthenticated);
    // Same signature over another payload.
    EXPECT_FALSE((*keys)->Verify(jws->kid, jws->alg, jws->signing_input + "x", jws->signature).ok());
  }
}

TEST(OidcJwsTest, AKeyOfAnotherIdOrTypeDoesNotVerify) {
  const TestSigningKey stranger = TestSigningKey::Rsa("rsa-1");  // same kid, other key
  auto keys = JsonWebKeySet::Parse(testing::KeySetJson({&RsaKey(), &EcKey()}));
  auto jws = ParseJws(stranger.Sign(json::object{{"sub", "x"}}));
  ASSERT_TRUE(jws.ok());
  EXPECT_FALSE((*keys)->Verify(jws->kid, jws->alg, jws->signing_input, jws->signature).ok());
  // An RSA signature presented as ES256, and an unknown kid.
  auto rsa = ParseJws(RsaKey().Sign(json::object{{"sub", "x"}}));
  EXPECT_FALSE((*keys)->Verify("rsa-1", "ES256", rsa->signing_input, rsa->signature).ok());
  EXPECT_FALSE((*keys)->Verify("other", "RS256", rsa->signing_input, rsa->signature).ok());
  EXPECT_FALSE((*keys)->HasKeyFor("other", "RS256"));
  EXPECT_TRUE((*keys)->HasKeyFor("", "ES256"));
}

TEST(OidcJwsTest, UnsupportedAlgorithmsAreRefusedBeforeAnyKey) {
  auto keys = JsonWebKeySet::Parse(testing::KeySetJson({&RsaKey()}));
  for (const char* alg : {"none", "HS256", "RS512", "PS256", ""}) {
    EXPECT_FALSE(IsSupportedAlgorithm(alg)) << alg;
    EXPECT_EQ((*keys)->Verify("rsa-1", alg, "a.b", "sig").code(), StatusCode::kInvalidArgument) << alg;
  }
}

TEST(OidcJwsTest, UnusableKeysAreSkipped) {
  const TestSigningKey weak = TestSigningKey::Rsa("weak", 1024);
  json::object encryption = RsaKey().Jwk();
  encryption["use"] = "enc";
  encryption["kid"] = "enc";
  json::object other_curve = EcKey().Jwk();
  other_curve["crv"] = "P-384";
  other_curve["kid"] = "p384";
  json::object broken = RsaKey().Jwk();
  broken["n"] = "***";
  broken["kid"] = "broken";
  const json::object doc{
      {"keys", json::array{weak.Jwk(), encryption, other_curve, broken,
                           json::object{{"kty", "oct"}, {"k", "c2VjcmV0"}}, "junk", EcKey().Jwk()}}};
  auto keys = JsonWebKeySet::Parse(json::serialize(doc));
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_EQ((*keys)->size(), 1u) << "only the P-256 signing key is usable";
  EXPECT_TRUE((*keys)->HasKeyFor("ec-1", "ES256"));

  EXPECT_FALSE(JsonWebKeySet::Parse("[]").ok());
  EXPECT_FALSE(JsonWebKeySet::Parse("{\"keys\": 1}").ok());
  EXPECT_FALSE(JsonWebKeySet::Parse("not json").ok());
}

TEST(OidcJwsTest, MalformedCompactFormsAreRefused) {
  const std::string good = RsaKey().Sign(json::object{{"sub", "x"}});
  const std::string header = good.substr(0, good.find('.'));
  const std::vector<std::string> bad_tokens = {
      "", "a.b", good + ".x", "...", header + ".!!!.sig", Base64UrlEncode("[1]") + ".e30.", "e30.e30."};
  for (const std::string& bad : bad_tokens) {
    EXPECT_EQ(ParseJws(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Claims

TEST(OidcClaimsTest, EveryRequiredCheck) {
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
  const IdTokenExpectations expected{kIssuer, kClientId, kNonce, now, 60s};
  auto with = [&](std::string_view name, json::value v) {
    json::object c = GoodClaims(now);
    c[name] = std::move(v);
    return c;
  };
  auto without = [&](std::string_view name) {
    json::object c = GoodClaims(now);
    c.erase(name);
    return c;
  };
  const int64_t t = UnixSeconds(now);
  struct Case {
    const char* name;
    json::object claims;
    bool valid;
  };
  const std::vector<Case> cases = {
      {"good", GoodClaims(now), true},
      {"other issuer", with("iss", "https://evil.test"), false},
      {"issuer with a trailing slash", with("iss", "https://idp.test/"), false},
      {"no issuer", without("iss"), false},
      {"other audience", with("aud", "someone-else"), false},
      {"no audience", without("aud"), false},
      {"audience list with us and azp",
       [&] {
         json::object c = with("aud", json::array{kClientId, "other"});
         c["azp"] = kClientId;
         return c;
       }(),
       true},
      {"audience list with us, no azp", with("aud", json::array{kClientId, "other"}), false},
      {"audience list of one", with("aud", json::array{kClientId}), true},
      {"audience list without us", with("aud", json::array{"a", "b"}), false},
      {"azp of another client", with("azp", "other"), false},
      {"expired beyond leeway", with("exp", t - 61), false},
      {"expired within leeway", with("exp", t - 59), true},
      {"no exp", without("exp"), false},
      {"exp as a string", with("exp", json::value(std::to_string(t + 600))), false},
      {"issued in the future", with("iat", t + 120), false},
      {"no iat", without("iat"), false},
      {"not valid yet", with("nbf", t + 120), false},
      {"valid since", with("nbf", t - 1), true},
      {"other nonce", with("nonce", "nonce-456"), false},
      {"no nonce", without("nonce"), false},
      {"no subject", without("sub"), false},
      {"empty subject", with("sub", ""), false},
  };
  for (const auto& c : cases) {
    auto identity = CheckIdTokenClaims(c.claims, expected);
    EXPECT_EQ(identity.ok(), c.valid) << c.name << ": " << identity.status();
    if (!c.valid) {
      EXPECT_EQ(identity.status().reason(), "INVALID_ID_TOKEN") << c.name;
    }
  }
}

TEST(OidcClaimsTest, TheIdentityCarriesEmailAndName) {
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
  const IdTokenExpectations expected{kIssuer, kClientId, kNonce, now, 60s};
  auto identity = CheckIdTokenClaims(GoodClaims(now), expected);
  ASSERT_TRUE(identity.ok()) << identity.status();
  EXPECT_EQ(identity->issuer, kIssuer);
  EXPECT_EQ(identity->subject, "user-1");
  EXPECT_EQ(identity->email, "user@example.test");
  EXPECT_TRUE(identity->email_verified);
  EXPECT_EQ(identity->preferred_username, "user_one");

  for (const auto& [value, verified] :
       std::vector<std::pair<json::value, bool>>{{json::value(false), false},
                                                 {json::value("true"), true},
                                                 {json::value("false"), false},
                                                 {json::value(1), false},
                                                 {json::value(nullptr), false}}) {
    json::object c = GoodClaims(now);
    c["email_verified"] = value;
    EXPECT_EQ(CheckIdTokenClaims(c, expected)->email_verified, verified) << json::serialize(value);
  }
  json::object bare = GoodClaims(now);
  bare.erase("email");
  bare.erase("email_verified");
  bare.erase("preferred_username");
  auto minimal = CheckIdTokenClaims(bare, expected);
  ASSERT_TRUE(minimal.ok());
  EXPECT_FALSE(minimal->email.has_value());
  EXPECT_FALSE(minimal->email_verified);
  EXPECT_FALSE(minimal->preferred_username.has_value());
}

// ---------------------------------------------------------------------------------------------------------
// OidcIdentityProvider over a scripted provider

// Answers by URL (without the query); remembers every request.
class ScriptedHttp final : public HttpClient {
 public:
  using Handler = std::function<StatusOr<HttpResponse>(const HttpRequest&)>;

  StatusOr<HttpResponse> Send(const HttpRequest& request) override {
    Handler handler;
    {
      std::lock_guard lock(mu_);
      requests_.push_back(request);
      const std::string url = request.url.substr(0, request.url.find('?'));
      auto it = handlers_.find(url);
      if (it == handlers_.end()) return HttpResponse{404, "{}"};
      handler = it->second;
    }
    return handler(request);
  }

  void On(const std::string& url, Handler handler) {
    std::lock_guard lock(mu_);
    handlers_[url] = std::move(handler);
  }
  void Json(const std::string& url, int status, const std::string& body) {
    On(url, [=](const HttpRequest&) { return StatusOr<HttpResponse>(HttpResponse{status, body}); });
  }
  void Down(const std::string& url) {
    On(url, [](const HttpRequest&) {
      return StatusOr<HttpResponse>(UnavailableError("connection refused", "PROVIDER_UNAVAILABLE"));
    });
  }
  int Count(const std::string& url) {
    std::lock_guard lock(mu_);
    int n = 0;
    for (const auto& r : requests_) n += r.url.substr(0, r.url.find('?')) == url ? 1 : 0;
    return n;
  }
  std::vector<HttpRequest> Requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  std::mutex mu_;
  std::map<std::string, Handler> handlers_;
  std::vector<HttpRequest> requests_;
};

std::map<std::string, std::string> QueryOf(const std::string& url_or_body) {
  auto decode = [](const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '%' && i + 2 < s.size()) {
        out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
        i += 2;
      } else {
        out += s[i] == '+' ? ' ' : s[i];
      }
    }
    return out;
  };
  std::map<std::string, std::string> out;
  const std::size_t q = url_or_body.find('?');
  std::string rest = q == std::string::npos ? url_or_body : url_or_body.substr(q + 1);
  std::size_t start = 0;
  while (start <= rest.size()) {
    std::size_t end = rest.find('&', start);
    if (end == std::string::npos) end = rest.size();
    const std::string pair = rest.substr(start, end - start);
    const std::size_t eq = pair.find('=');
    if (eq != std::string::npos) out[decode(pair.substr(0, eq))] = decode(pair.substr(eq + 1));
    start = end + 1;
  }
  return out;
}

std::string HeaderOf(const HttpRequest& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return {};
}

class OidcProviderTest : public ::testing::Test {
 protected:
  static constexpr char kDiscovery[] = "https://idp.test/.well-known/openid-configuration";
  static constexpr char kAuthorize[] = "https://idp.test/authorize";
  static constexpr char kToken[] = "https://idp.test/token";
  static constexpr char kJwks[] = "https://idp.test/jwks";
  static constexpr char kCallback[] = "https://api.test/v1/auth/oauth/idp/callback";

  void SetUp() override {
    discovery_ = json::object{
        {"issuer", kIssuer},
        {"authorization_endpoint", kAuthorize},
        {"token_endpoint", kToken},
        {"jwks_uri", kJwks},
        {"code_challenge_methods_supported", json::array{"S256"}},
        {"token_endpoint_auth_methods_supported", json::array{"client_secret_basic", "client_secret_post"}}};
    http_.Json(kDiscovery, 200, json::serialize(discovery_));
    http_.Json(kJwks, 200, testing::KeySetJson({&RsaKey(), &EcKey()}));
    IssueWith(RsaKey());
    Build();
  }

  void Build() {
    OidcProviderConfig config;
    config.name = "idp";
    config.issuer = kIssuer;
    config.client_id = kClientId;
    config.client_secret = "s3cret:&";
    config.redirect_uris = {kCallback};
    config.http_timeout = 2000ms;
    auto provider = OidcIdentityProvider::Create(config, http_, clock_);
    ASSERT_TRUE(provider.ok()) << provider.status();
    provider_ = std::move(provider).value();
  }

  // The token endpoint answers with an ID token made by `make` from good claims.
  void IssueToken(std::function<std::string(const json::object&)> make) {
    http_.On(kToken, [this, make](const HttpRequest&) {
      const std::string id_token = make(GoodClaims(clock_.Now()));
      return StatusOr<HttpResponse>(
          HttpResponse{200, json::serialize(json::object{
                                {"access_token", "at"}, {"token_type", "Bearer"}, {"id_token", id_token}})});
    });
  }
  void IssueWith(const TestSigningKey& key, std::function<void(json::object&)> edit = {}) {
    IssueToken([&key, edit](const json::object& good) {
      json::object claims = good;
      if (edit) edit(claims);
      return key.Sign(claims);
    });
  }

  StatusOr<ProviderIdentity> Redeem(const std::string& nonce = kNonce) {
    return provider_->Redeem("the-code", "the-verifier", kCallback, nonce, 2500ms);
  }

  FakeClock clock_;
  ScriptedHttp http_;
  json::object discovery_;
  std::unique_ptr<OidcIdentityProvider> provider_;
};

TEST_F(OidcProviderTest, TheAuthorizationUrlCarriesStateNonceAndAnS256Challenge) {
  // The RFC 7636 appendix B example: this verifier has this challenge.
  const AuthorizationRequest request{"st-1", "no-1", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
                                     kCallback};
  auto url = provider_->AuthorizationUrl(request, 2500ms);
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->rfind(std::string(kAuthorize) + "?", 0), 0u) << *url;
  auto query = QueryOf(*url);
  EXPECT_EQ(query["response_type"], "code");
  EXPECT_EQ(query["client_id"], kClientId);
  EXPECT_EQ(query["redirect_uri"], kCallback);
  EXPECT_EQ(query["scope"], "openid email profile");
  EXPECT_EQ(query["state"], "st-1");
  EXPECT_EQ(query["nonce"], "no-1");
  EXPECT_EQ(query["code_challenge"], "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  EXPECT_EQ(query["code_challenge_method"], "S256");
  EXPECT_EQ(url->find("dBjftJeZ4CVP"), std::string::npos) << "the verifier never leaves";
}

TEST_F(OidcProviderTest, RedeemSendsACodeExchangeAndReturnsTheVerifiedIdentity) {
  auto identity = Redeem();
  ASSERT_TRUE(identity.ok()) << identity.status();
  EXPECT_EQ(identity->subject, "user-1");
  EXPECT_EQ(identity->issuer, kIssuer);
  EXPECT_EQ(identity->email, "user@example.test");

  HttpRequest exchange;
  for (const auto& r : http_.Requests()) {
    if (r.url == kToken) exchange = r;
  }
  EXPECT_EQ(exchange.method, "POST");
  EXPECT_EQ(HeaderOf(exchange, "Content-Type"), "application/x-www-form-urlencoded");
  // client_secret_basic with both parts form-encoded: "messenger:s3cret%3A%26".
  EXPECT_EQ(HeaderOf(exchange, "Authorization"), "Basic bWVzc2VuZ2VyOnMzY3JldCUzQSUyNg==");
  auto form = QueryOf(exchange.body);
  EXPECT_EQ(form["grant_type"], "authorization_code");
  EXPECT_EQ(form["code"], "the-code");
  EXPECT_EQ(form["code_verifier"], "the-verifier");
  EXPECT_EQ(form["redirect_uri"], kCallback);
  EXPECT_EQ(form.count("client_secret"), 0u);
}

TEST_F(OidcProviderTest, ClientSecretPostWhenThatIsAllTheProviderTakes) {
  discovery_["token_endpoint_auth_methods_supported"] = json::array{"client_secret_post"};
  http_.Json(kDiscovery, 200, json::serialize(discovery_));
  ASSERT_TRUE(Redeem().ok());
  for (const auto& r : http_.Requests()) {
    if (r.url != kToken) continue;
    EXPECT_EQ(HeaderOf(r, "Authorization"), "");
    EXPECT_EQ(QueryOf(r.body)["client_secret"], "s3cret:&");
    EXPECT_EQ(QueryOf(r.body)["client_id"], kClientId);
  }
}

TEST_F(OidcProviderTest, EveryBadTokenIsInvalid) {
  const TestSigningKey stranger = TestSigningKey::Rsa("rsa-1");
  struct Case {
    const char* name;
    std::function<void()> arrange;
  };
  const std::vector<Case> cases = {
      {"tampered signature",
       [&] { IssueToken([](const json::object& c) { return TamperSignature(RsaKey().Sign(c)); }); }},
      {"signed by a stranger with a known kid", [&] { IssueWith(stranger); }},
      {"wrong audience", [&] { IssueWith(RsaKey(), [](json::object& c) { c["aud"] = "other-client"; }); }},
      {"wrong issuer", [&] { IssueWith(RsaKey(), [](json::object& c) { c["iss"] = "https://evil.test"; }); }},
      {"wrong nonce", [&] { IssueWith(RsaKey(), [](json::object& c) { c["nonce"] = "replayed"; }); }},
      {"expired",
       [&] { IssueWith(RsaKey(), [](json::object& c) { c["exp"] = c["iat"].as_int64() - 3600; }); }},
      {"alg none",
       [&] {
         IssueToken([](const json::object& c) {
           return Base64UrlEncode(R"({"alg":"none"})") + "." + Base64UrlEncode(json::serialize(c)) + ".";
         });
       }},
      {"HS256 with the public key as secret",
       [&] {
         IssueToken([](const json::object& c) {
           return Base64UrlEncode(R"({"alg":"HS256","kid":"rsa-1"})") + "." +
                  Base64UrlEncode(json::serialize(c)) + ".c2ln";
         });
       }},
      {"not a JWS", [&] { IssueToken([](const json::object&) { return std::string("garbage"); }); }},
  };
  for (const auto& c : cases) {
    c.arrange();
    auto identity = Redeem();
    EXPECT_EQ(identity.status().code(), StatusCode::kUnauthenticated) << c.name;
    EXPECT_EQ(identity.status().reason(), "INVALID_ID_TOKEN") << c.name << ": " << identity.status();
  }
  IssueWith(EcKey());
  EXPECT_TRUE(Redeem().ok()) << "ES256 is fine";
}

TEST_F(OidcProviderTest, DocumentsAreFetchedOnceAndCached) {
  ASSERT_TRUE(provider_->AuthorizationUrl({"s", "n", "v", kCallback}, 2500ms).ok());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Redeem().ok());
  EXPECT_EQ(http_.Count(kDiscovery), 1);
  EXPECT_EQ(http_.Count(kJwks), 1);
  // After metadata_ttl both are fetched again.
  clock_.Advance(3601s);
  ASSERT_TRUE(Redeem().ok());
  EXPECT_EQ(http_.Count(kDiscovery), 2);
  EXPECT_EQ(http_.Count(kJwks), 2);
}

TEST_F(OidcProviderTest, AnUnknownKeyIdFetchesTheKeySetAgain) {
  ASSERT_TRUE(Redeem().ok());
  // The provider rotates: a new key, published in its JWKS, signs from now on.
  const TestSigningKey rotated = TestSigningKey::Rsa("rsa-2");
  http_.Json(kJwks, 200, testing::KeySetJson({&rotated}));
  IssueWith(rotated);
  auto identity = Redeem();
  ASSERT_TRUE(identity.ok()) << identity.status();
  EXPECT_EQ(http_.Count(kJwks), 2);
  ASSERT_TRUE(Redeem().ok());
  EXPECT_EQ(http_.Count(kJwks), 2) << "the new key is cached";
}

TEST_F(OidcProviderTest, AKeyIdStillUnknownAfterARefetchIsNotFetchedForAgainAtOnce) {
  ASSERT_TRUE(Redeem().ok());
  const TestSigningKey unpublished = TestSigningKey::Rsa("ghost");
  IssueWith(unpublished);
  EXPECT_EQ(Redeem().status().reason(), "INVALID_ID_TOKEN");
  EXPECT_EQ(http_.Count(kJwks), 2);
  EXPECT_EQ(Redeem().status().reason(), "INVALID_ID_TOKEN");
  EXPECT_EQ(http_.Count(kJwks), 2) << "remembered as missing";
  clock_.Advance(61s);
  EXPECT_EQ(Redeem().status().reason(), "INVALID_ID_TOKEN");
  EXPECT_EQ(http_.Count(kJwks), 3) << "looked for again once the memory ends";
}

TEST_F(OidcProviderTest, TheDiscoveryDocumentMustNameOurIssuer) {
  discovery_["issuer"] = "https://evil.test";
  http_.Json(kDiscovery, 200, json::serialize(discovery_));
  auto url = provider_->AuthorizationUrl({"s", "n", "v", kCallback}, 2500ms);
  EXPECT_EQ(url.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(url.status().reason(), "PROVIDER_UNAVAILABLE");
}

TEST_F(OidcProviderTest, AProviderWithoutS256IsRefused) {
  discovery_["code_challenge_methods_supported"] = json::array{"plain"};
  http_.Json(kDiscovery, 200, json::serialize(discovery_));
  EXPECT_EQ(provider_->AuthorizationUrl({"s", "n", "v", kCallback}, 2500ms).status().code(),
            StatusCode::kUnavailable);
}

TEST_F(OidcProviderTest, TokenEndpointAnswersMapToReasons) {
  http_.Json(kToken, 400, R"({"error":"invalid_grant","error_description":"grant request is invalid"})");
  auto refused = Redeem();
  EXPECT_EQ(refused.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(refused.status().reason(), "OAUTH_REFUSED");
  http_.Json(kToken, 401, R"({"error":"invalid_client"})");
  EXPECT_EQ(Redeem().status().code(), StatusCode::kInternal) << "our credentials are wrong: our fault";
  http_.Json(kToken, 503, "<html>busy</html>");
  EXPECT_EQ(Redeem().status().reason(), "PROVIDER_UNAVAILABLE");
  http_.Json(kToken, 200, R"({"access_token":"at","token_type":"Bearer"})");
  EXPECT_EQ(Redeem().status().reason(), "INVALID_ID_TOKEN");
}

TEST_F(OidcProviderTest, AProviderThatIsDownIsUnavailableButCachedDocumentsStillServe) {
  ASSERT_TRUE(Redeem().ok());
  http_.Down(kToken);
  EXPECT_EQ(Redeem().status().reason(), "PROVIDER_UNAVAILABLE");

  // Documents past their TTL whose refetch fails: the old ones keep serving.
  IssueWith(RsaKey());
  clock_.Advance(3601s);
  http_.Down(kDiscovery);
  http_.Down(kJwks);
  EXPECT_TRUE(Redeem().ok());
  EXPECT_TRUE(provider_->AuthorizationUrl({"s", "n", "v", kCallback}, 2500ms).ok());
}

TEST_F(OidcProviderTest, NothingCachedAndProviderDownIsUnavailable) {
  http_.Down(kDiscovery);
  auto url = provider_->AuthorizationUrl({"s", "n", "v", kCallback}, 2500ms);
  EXPECT_EQ(url.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(url.status().reason(), "PROVIDER_UNAVAILABLE");
}

TEST_F(OidcProviderTest, EachRequestGetsAtMostTheTimeLeftInTheBudget) {
  ASSERT_TRUE(provider_->Redeem("c", "v", kCallback, kNonce, 300ms).ok());
  for (const auto& r : http_.Requests()) EXPECT_LE(r.timeout, 300ms) << r.url;
  ASSERT_TRUE(provider_->Redeem("c", "v", kCallback, kNonce, 60s).ok());
  EXPECT_EQ(http_.Requests().back().timeout, 2000ms) << "capped by the per-request timeout";
  EXPECT_EQ(provider_->Redeem("c", "v", kCallback, kNonce, 0ms).status().reason(), "PROVIDER_UNAVAILABLE");
}

TEST(OidcConfigTest, ProvidersComeFromTheEnvironment) {
  setenv("OAUTH_PROVIDERS", "alpha, beta_2", 1);
  for (const std::string p : {"ALPHA", "BETA_2"}) {
    setenv(("OAUTH_" + p + "_ISSUER").c_str(), ("https://" + p + ".test").c_str(), 1);
    setenv(("OAUTH_" + p + "_CLIENT_ID").c_str(), "id", 1);
    setenv(("OAUTH_" + p + "_CLIENT_SECRET").c_str(), "secret", 1);
    setenv(("OAUTH_" + p + "_REDIRECT_URI").c_str(), "https://a.test/cb, https://b.test/cb", 1);
  }
  setenv("OAUTH_BETA_2_SCOPES", "email", 1);
  setenv("OAUTH_BETA_2_DISCOVERY_URL", "https://elsewhere.test/oidc.json", 1);
  auto configs = OidcProviderConfig::ListFromEnv();
  ASSERT_TRUE(configs.ok()) << configs.status();
  ASSERT_EQ(configs->size(), 2u);
  EXPECT_EQ((*configs)[0].name, "alpha");
  EXPECT_EQ((*configs)[0].scopes, "openid email profile");
  EXPECT_EQ((*configs)[0].redirect_uris,
            (std::vector<std::string>{"https://a.test/cb", "https://b.test/cb"}));
  EXPECT_EQ((*configs)[1].discovery_url, "https://elsewhere.test/oidc.json");

  ScriptedHttp http;
  FakeClock clock;
  auto beta = OidcIdentityProvider::Create((*configs)[1], http, clock);
  ASSERT_TRUE(beta.ok());
  EXPECT_EQ((*beta)->config().scopes, "openid email") << "openid is always asked for";
  auto alpha = OidcIdentityProvider::Create((*configs)[0], http, clock);
  EXPECT_EQ((*alpha)->config().discovery_url, "https://ALPHA.test/.well-known/openid-configuration");

  unsetenv("OAUTH_BETA_2_CLIENT_SECRET");
  EXPECT_EQ(OidcProviderConfig::ListFromEnv().status().code(), StatusCode::kInvalidArgument);
  setenv("OAUTH_PROVIDERS", "Bad-Name", 1);
  EXPECT_EQ(OidcProviderConfig::ListFromEnv().status().code(), StatusCode::kInvalidArgument);
  setenv("OAUTH_PROVIDERS", "", 1);
  EXPECT_TRUE(OidcProviderConfig::ListFromEnv()->empty());
  unsetenv("OAUTH_PROVIDERS");
}

}  // namespace
}  // namespace messenger::auth
