// Bearer authentication: the token's signature and claims (messenger::token::Verifier, ES256, checked inline:
// one ECDSA verification is tens of microseconds), then session liveness (one Redis round trip, off the I/O
// thread).
#pragma once

#include "clients/session_liveness.hpp"
#include "http/authenticator.hpp"
#include "messenger/token/token.hpp"

namespace messenger::gateway {

class TokenAuthenticator final : public Authenticator {
 public:
  // Both must outlive the authenticator.
  TokenAuthenticator(const token::Verifier& verifier, SessionLiveness& liveness)
      : verifier_(verifier), liveness_(liveness) {}

  // UNAUTHENTICATED answers carry one fixed message; why a token failed goes to the debug log only.
  boost::asio::awaitable<StatusOr<Principal>> Authenticate(std::string token,
                                                           std::string request_id) override;

 private:
  const token::Verifier& verifier_;
  SessionLiveness& liveness_;
};

}  // namespace messenger::gateway
