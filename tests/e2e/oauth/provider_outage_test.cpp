// The provider going away and coming back with a new key. SERIAL: it stops the stack's OpenID provider
// ("$MESSENGER_DEV" ctl "$MESSENGER_PROFILE" stop oidc) and always starts it again.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>

#include "oauth/oauth_flow.hpp"

namespace messenger::e2e {
namespace {

using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

bool Ctl(const std::string& action) {
  const char* dev = std::getenv("MESSENGER_DEV");
  const char* profile = std::getenv("MESSENGER_PROFILE");
  if (dev == nullptr || profile == nullptr) {
    ADD_FAILURE() << "MESSENGER_DEV and MESSENGER_PROFILE must be set (./dev env test)";
    return false;
  }
  const std::string command =
      "'" + std::string(dev) + "' ctl '" + profile + "' " + action + " oidc >/dev/null 2>&1";
  return std::system(command.c_str()) == 0;
}

// Stops the provider for the scope; starts it again however the test ends.
class ProviderStopped {
 public:
  ProviderStopped() { stopped_ = Ctl("stop"); }
  ~ProviderStopped() { Start(); }
  void Start() {
    if (stopped_) {
      EXPECT_TRUE(Ctl("start")) << "could not start the provider again";
    }
    stopped_ = false;
  }
  bool stopped() const { return stopped_; }

 private:
  bool stopped_ = false;
};

TEST(OAuthProviderOutageE2E, ProviderDownIsACleanQuick503) {
  const std::string login = UniqueLogin("out");
  ASSERT_FALSE(MustSignIn("local", login).user_id.empty()) << "discovery and keys are cached now";
  Browser browser;
  const std::string callback = SignInUpToCallback(browser, "local", login);
  ASSERT_FALSE(callback.empty());
  {
    ProviderStopped down;
    ASSERT_TRUE(down.stopped());
    const auto start = Steady::now();
    BrowserResponse r = browser.Get(callback);
    EXPECT_LT(Steady::now() - start, 3s) << "no hang: within Auth's provider budget";
    EXPECT_EQ(r.status, 503) << r.body;
    EXPECT_EQ(r.ErrorCode(), "UNAVAILABLE");  // the gateway shows no reason on a 5xx
  }
  // Back up: sign-in works again, to the same user.
  const ProviderSession after = MustSignIn("local", login);
  EXPECT_FALSE(after.user_id.empty());
}

// The key IDs the provider publishes.
std::string ProviderKeyIds() {
  const char* url = std::getenv("OIDC_URL");
  BrowserResponse jwks = SendHttp("GET", std::string(url ? url : "") + "/jwks");
  std::string kids;
  const boost::json::value doc = jwks.Json();
  if (!doc.is_object()) return kids;
  for (const auto& key : doc.at("keys").as_array()) kids += std::string(key.at("kid").as_string()) + " ";
  return kids;
}

TEST(OAuthProviderOutageE2E, ANewSigningKeyIsPickedUp) {
  const std::string login = UniqueLogin("rot");
  const ProviderSession before = MustSignIn("local", login);
  ASSERT_FALSE(before.user_id.empty()) << "the provider's JWKS is cached now";
  const std::string old_kids = ProviderKeyIds();
  {
    // A restart makes the provider sign with a new key (new kid) that Auth has not seen.
    ProviderStopped restart;
    ASSERT_TRUE(restart.stopped());
    restart.Start();
  }
  ASSERT_FALSE(old_kids.empty());
  ASSERT_NE(ProviderKeyIds(), old_kids) << "the provider kept its key: this test would prove nothing";
  const ProviderSession after = MustSignIn("local", login);
  EXPECT_EQ(after.user_id, before.user_id) << "JWKS fetched again for the unknown kid, same identity";
}

}  // namespace
}  // namespace messenger::e2e
