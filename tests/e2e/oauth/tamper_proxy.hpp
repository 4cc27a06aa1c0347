// A tampering proxy in front of the real local OpenID provider, for the failure tests of OpenID Connect
// sign-in. Auth knows it as provider "tamper": same issuer and client as "local", but its discovery document
// comes from the proxy (OAUTH_TAMPER_DISCOVERY_URL), which points the authorization endpoint, the token
// endpoint and the JWKS at itself and keeps everything else. Then, per mode, it alters exactly one thing:
//   kNone       nothing (the control: sign-in through the proxy works)
//   kNonce      the nonce of the authorization request, before the provider sees it
//   kSignature  one bit of the ID token's signature in the token response
//   kResign     the ID token is signed again with the proxy's own key (published in the JWKS it serves),
//               claims unchanged (the control for the next two)
//   kAudience   as kResign, with aud set to another client
//   kExpired    as kResign, with exp an hour in the past
//
// Auth is configured once, so the proxy listens on the fixed port of OAUTH_TAMPER_DISCOVERY_URL. Only one
// process can listen there; Start waits for the port, which makes tests in parallel processes take turns.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

namespace messenger::e2e {

enum class Tamper { kNone, kNonce, kSignature, kResign, kAudience, kExpired };

class TamperProxy {
 public:
  // Null (after recording a test failure) when OAUTH_TAMPER_DISCOVERY_URL or OIDC_URL is not set or the port
  // stays busy for `wait`.
  static std::unique_ptr<TamperProxy> Start(std::chrono::seconds wait = std::chrono::seconds(120));
  ~TamperProxy();
  TamperProxy(const TamperProxy&) = delete;
  TamperProxy& operator=(const TamperProxy&) = delete;

  void Set(Tamper mode) { mode_ = mode; }
  // Token requests forwarded so far (to show a refused sign-in did reach the provider).
  int TokenRequests() const { return token_requests_; }

 private:
  struct Impl;
  explicit TamperProxy(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
  std::atomic<Tamper> mode_{Tamper::kNone};
  std::atomic<int> token_requests_{0};
};

}  // namespace messenger::e2e
