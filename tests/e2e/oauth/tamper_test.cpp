// Sign-in failures a real provider cannot be asked for, made by altering one thing between the real local
// provider and Auth (see tamper_proxy.hpp). Auth reaches the provider as "tamper" through the proxy.
#include <gtest/gtest.h>

#include "oauth/oauth_flow.hpp"
#include "oauth/tamper_proxy.hpp"

namespace messenger::e2e {
namespace {

class TamperE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    proxy_ = TamperProxy::Start();
    ASSERT_NE(proxy_, nullptr);
  }

  // A whole sign-in through the proxy with `mode`.
  BrowserResponse SignInWith(Tamper mode) {
    proxy_->Set(mode);
    return SignInWithProvider("tamper", UniqueLogin("tp"));
  }

  void ExpectRefusedToken(const BrowserResponse& r) {
    EXPECT_EQ(r.status, 401) << r.body;
    EXPECT_EQ(r.ErrorCode(), "INVALID_ID_TOKEN");
    EXPECT_EQ(proxy_->TokenRequests(), 1) << "the provider did issue a token; Auth refused it";
  }

  std::unique_ptr<TamperProxy> proxy_;
};

TEST_F(TamperE2E, UntouchedThroughTheProxySignInWorks) {
  BrowserResponse r = SignInWith(Tamper::kNone);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(proxy_->TokenRequests(), 1) << "the code was redeemed through the proxy";
}

// The control for the re-signed cases: the proxy's own key is trusted (it is in the JWKS it serves), so a
// refusal below is about the one claim changed, not about the key.
TEST_F(TamperE2E, AReSignedTokenWithTheSameClaimsIsAccepted) {
  BrowserResponse r = SignInWith(Tamper::kResign);
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(TamperE2E, AWrongNonceIsRefused) { ExpectRefusedToken(SignInWith(Tamper::kNonce)); }

TEST_F(TamperE2E, ATamperedSignatureIsRefused) { ExpectRefusedToken(SignInWith(Tamper::kSignature)); }

TEST_F(TamperE2E, TheWrongAudienceIsRefused) { ExpectRefusedToken(SignInWith(Tamper::kAudience)); }

TEST_F(TamperE2E, AnExpiredIdTokenIsRefused) { ExpectRefusedToken(SignInWith(Tamper::kExpired)); }

}  // namespace
}  // namespace messenger::e2e
