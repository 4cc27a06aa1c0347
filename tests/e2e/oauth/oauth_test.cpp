// OpenID Connect sign-in through the gateway and the real local provider, as a browser does it: authorize
// (302 to the provider), the provider's login and consent pages, the callback (200 with tokens), the profile.
#include <gtest/gtest.h>

#include <chrono>

#include "oauth/oauth_flow.hpp"
#include "support/api.hpp"

namespace messenger::e2e {
namespace {

using namespace std::chrono_literals;

std::string String(const boost::json::value& v, const char* key) {
  if (!v.is_object() || !v.as_object().contains(key) || !v.at(key).is_string()) return {};
  return std::string(v.at(key).as_string());
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : "";
}

TEST(OAuthE2E, AuthorizeRedirectsToTheProviderWithStatePkceAndNonce) {
  Browser browser;
  BrowserResponse r = Authorize(browser, "local");
  ASSERT_EQ(r.status, 302) << r.body;
  const std::string location = r.Location();
  EXPECT_EQ(location.rfind(Env("OIDC_URL") + "/", 0), 0u) << location;
  EXPECT_EQ(r.Header("cache-control"), "no-store");
  EXPECT_EQ(QueryParam(location, "response_type"), "code");
  EXPECT_EQ(QueryParam(location, "client_id"), "messenger-local");
  EXPECT_EQ(QueryParam(location, "redirect_uri"), GatewayBase() + "/v1/auth/oauth/local/callback");
  EXPECT_EQ(QueryParam(location, "code_challenge_method"), "S256");
  EXPECT_EQ(QueryParam(location, "code_challenge").size(), 43u);
  EXPECT_GE(QueryParam(location, "state").size(), 32u);
  EXPECT_GE(QueryParam(location, "nonce").size(), 32u);
  // Every start is a new one.
  BrowserResponse again = Authorize(browser, "local");
  EXPECT_NE(QueryParam(again.Location(), "state"), QueryParam(location, "state"));
  EXPECT_NE(QueryParam(again.Location(), "nonce"), QueryParam(location, "nonce"));
}

TEST(OAuthE2E, FirstSignInCreatesTheAccountAndItsProfile) {
  const std::string login = UniqueLogin("oa");
  BrowserResponse callback = SignInWithProvider("local", login);
  ASSERT_EQ(callback.status, 200) << callback.body;
  EXPECT_EQ(callback.Header("cache-control"), "no-store");
  const auto body = callback.Json();
  EXPECT_EQ(String(body, "token_type"), "Bearer");
  EXPECT_FALSE(String(body, "refresh_token").empty());
  EXPECT_GT(body.at("expires_in").to_number<int64_t>(), 0);
  const std::string user_id = String(body, "user_id");

  const auto profile = WaitForProfile(String(body, "access_token"));
  EXPECT_EQ(String(profile, "user_id"), user_id);
  EXPECT_EQ(String(profile, "nickname"), login) << "the nickname is the provider's preferred_username";
  EXPECT_FALSE(profile.as_object().contains("email")) << "a profile never shows the email";
}

TEST(OAuthE2E, SecondSignInReturnsTheSameUser) {
  const std::string login = UniqueLogin("oa");
  const ProviderSession first = MustSignIn("local", login);
  ASSERT_FALSE(first.user_id.empty());
  const ProviderSession second = MustSignIn("local", login);
  EXPECT_EQ(second.user_id, first.user_id);
  EXPECT_NE(second.access_token, first.access_token) << "a new session";
  const auto profile = WaitForProfile(second.access_token);
  EXPECT_EQ(String(profile, "nickname"), login) << "no second account took a suffixed nickname";
}

TEST(OAuthE2E, AVerifiedEmailSignsInToTheExistingPasswordAccount) {
  const std::string login = UniqueLogin("oa");
  const std::string password = "correct horse battery " + login;
  const std::string nickname = "pw" + UniqueSuffix();
  auto reg = Gateway().Post("/v1/auth/register", RegisterBody(login + "@example.test", password, nickname));
  ASSERT_EQ(reg.status, 201) << reg.body;
  const std::string user_id(reg.Json().at("user_id").as_string());

  const ProviderSession session = MustSignIn("local", login);
  EXPECT_EQ(session.user_id, user_id);
  EXPECT_EQ(String(WaitForProfile(session.access_token), "nickname"), nickname)
      << "the account's own profile";
  // The password still works, for the same user; and the provider keeps signing in to it.
  auto login_again = Gateway().Post("/v1/auth/login", LoginBody(login + "@example.test", password));
  ASSERT_EQ(login_again.status, 200) << login_again.body;
  EXPECT_EQ(login_again.Json().at("user_id").as_string(), user_id);
  EXPECT_EQ(MustSignIn("local", login).user_id, user_id);
}

TEST(OAuthE2E, AnUnverifiedEmailIsRefusedAndCreatesNoSecondAccount) {
  const std::string login = UniqueLogin("unverified");
  const std::string password = "correct horse battery " + login;
  auto reg = Gateway().Post("/v1/auth/register",
                            RegisterBody(login + "@example.test", password, "uv" + UniqueSuffix()));
  ASSERT_EQ(reg.status, 201) << reg.body;
  const std::string user_id(reg.Json().at("user_id").as_string());

  BrowserResponse refused = SignInWithProvider("local", login);
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(refused.ErrorCode(), "EMAIL_NOT_VERIFIED");
  // Still refused the second time: nothing was linked or created meanwhile.
  EXPECT_EQ(SignInWithProvider("local", login).status, 403);
  // The password account is untouched and still the only one with that email.
  auto login_again = Gateway().Post("/v1/auth/login", LoginBody(login + "@example.test", password));
  ASSERT_EQ(login_again.status, 200) << login_again.body;
  EXPECT_EQ(login_again.Json().at("user_id").as_string(), user_id);
  auto taken = Gateway().Post("/v1/auth/register",
                              RegisterBody(login + "@example.test", password, "uw" + UniqueSuffix()));
  EXPECT_EQ(taken.ErrorCode(), "EMAIL_TAKEN");
}

TEST(OAuthE2E, ATakenNicknameGetsASuffix) {
  const std::string login = UniqueLogin("oa");
  // Someone else holds the nickname the provider suggests.
  auto reg = Gateway().Post("/v1/auth/register",
                            RegisterBody("other." + login + "@example.test", "correct horse battery", login));
  ASSERT_EQ(reg.status, 201) << reg.body;
  const ProviderSession session = MustSignIn("local", login);
  ASSERT_FALSE(session.user_id.empty());
  EXPECT_NE(session.user_id, std::string(reg.Json().at("user_id").as_string()));
  EXPECT_EQ(String(WaitForProfile(session.access_token), "nickname"), login + "_2");
}

TEST(OAuthE2E, TheSessionIsAPasswordLoginsSessionAndLogoutEndsIt) {
  const ProviderSession session = MustSignIn("local", UniqueLogin("oa"));
  ASSERT_FALSE(session.access_token.empty());
  WaitForProfile(session.access_token);
  auto refreshed =
      Gateway().Post("/v1/auth/refresh", boost::json::object{{"refresh_token", session.refresh_token}});
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  EXPECT_EQ(refreshed.Json().at("user_id").as_string(), session.user_id);
  const std::string access(refreshed.Json().at("access_token").as_string());
  const std::string refresh(refreshed.Json().at("refresh_token").as_string());

  auto out = Gateway().Send({"POST", "/v1/auth/logout", "", {}, access});
  EXPECT_EQ(out.status, 204) << out.body;
  EXPECT_EQ(Gateway().Get("/v1/me", access).status, 401);
  EXPECT_EQ(Gateway().Get("/v1/me", session.access_token).status, 401);
  EXPECT_EQ(Gateway().Post("/v1/auth/refresh", boost::json::object{{"refresh_token", refresh}}).status, 401);
}

TEST(OAuthE2E, UnknownProviderIs404) {
  Browser browser;
  BrowserResponse authorize = Authorize(browser, "nope");
  EXPECT_EQ(authorize.status, 404) << authorize.body;
  EXPECT_EQ(authorize.ErrorCode(), "UNKNOWN_PROVIDER");
  BrowserResponse callback =
      browser.Get(GatewayBase() + "/v1/auth/oauth/nope/callback?code=c&state=" + std::string(43, 'a'));
  EXPECT_EQ(callback.status, 404) << callback.body;
}

TEST(OAuthE2E, ARedirectUriThatIsNotRegisteredIs400) {
  Browser browser;
  BrowserResponse r = Authorize(browser, "local", "?redirect_uri=" + UrlEncode("http://evil.test/cb"));
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.ErrorCode(), "REDIRECT_URI_NOT_ALLOWED");
}

TEST(OAuthE2E, AnUnknownStateIs400) {
  Browser browser;
  for (const std::string& state : {std::string(43, 'a'), std::string("short"), std::string(200, 'b')}) {
    BrowserResponse r = browser.Get(GatewayBase() + "/v1/auth/oauth/local/callback?code=c&state=" + state);
    EXPECT_EQ(r.status, 400) << state << ": " << r.body;
    EXPECT_EQ(r.ErrorCode(), "INVALID_STATE") << state;
  }
}

TEST(OAuthE2E, AReplayedStateIs400) {
  Browser browser;
  const std::string callback = SignInUpToCallback(browser, "local", UniqueLogin("oa"));
  ASSERT_FALSE(callback.empty());
  BrowserResponse first = browser.Get(callback);
  ASSERT_EQ(first.status, 200) << first.body;
  BrowserResponse replay = browser.Get(callback);
  EXPECT_EQ(replay.status, 400) << replay.body;
  EXPECT_EQ(replay.ErrorCode(), "INVALID_STATE");
}

TEST(OAuthE2E, AStateSpentOnAFailedCallbackCannotBeUsedAgain) {
  Browser browser;
  const std::string callback = SignInUpToCallback(browser, "local", UniqueLogin("oa"));
  ASSERT_FALSE(callback.empty());
  // A wrong code with the right state: the provider refuses it, and the state is gone.
  BrowserResponse wrong = browser.Get(WithQueryParam(callback, "code", "not-the-code-" + UniqueSuffix()));
  EXPECT_EQ(wrong.status, 401) << wrong.body;
  EXPECT_EQ(wrong.ErrorCode(), "OAUTH_REFUSED");
  BrowserResponse right = browser.Get(callback);
  EXPECT_EQ(right.status, 400) << right.body;
  EXPECT_EQ(right.ErrorCode(), "INVALID_STATE");
}

TEST(OAuthE2E, AReplayedCodeIsRefused) {
  Browser browser;
  const std::string login = UniqueLogin("oa");
  const std::string callback = SignInUpToCallback(browser, "local", login);
  ASSERT_FALSE(callback.empty());
  ASSERT_EQ(browser.Get(callback).status, 200);
  // The code again, under a fresh state of a new sign-in.
  BrowserResponse start = Authorize(browser, "local");
  ASSERT_EQ(start.status, 302);
  const std::string replay = WithQueryParam(callback, "state", QueryParam(start.Location(), "state"));
  BrowserResponse r = browser.Get(replay);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.ErrorCode(), "CODE_REPLAYED");
}

TEST(OAuthE2E, AStateOfOneProviderDoesNotWorkAtAnother) {
  if (Env("OAUTH_PROVIDERS").find("tamper") == std::string::npos) {
    FAIL() << "provider 'tamper' is not configured (OAUTH_PROVIDERS); see services/auth/README.md";
  }
  Browser browser;
  const std::string callback = SignInUpToCallback(browser, "local", UniqueLogin("oa"));
  ASSERT_FALSE(callback.empty());
  std::string elsewhere = callback;
  elsewhere.replace(elsewhere.find("/oauth/local/"), 13, "/oauth/tamper/");
  BrowserResponse r = browser.Get(elsewhere);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.ErrorCode(), "INVALID_STATE");
}

}  // namespace
}  // namespace messenger::e2e
