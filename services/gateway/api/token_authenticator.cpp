#include "api/token_authenticator.hpp"

#include "messenger/common/logging.hpp"

namespace messenger::gateway {

namespace {

constexpr char kRejected[] = "the access token is invalid, expired or revoked";

}  // namespace

boost::asio::awaitable<StatusOr<Principal>> TokenAuthenticator::Authenticate(std::string token,
                                                                             std::string request_id) {
  StatusOr<token::AccessClaims> claims = verifier_.Verify(token);
  if (!claims.ok()) {
    log::RequestScope scope(request_id);
    log::Debug("access token refused", {{"why", claims.status().message()}});
    co_return UnauthenticatedError(kRejected, "UNAUTHENTICATED");
  }
  Status alive = co_await liveness_.CheckAlive(claims->session_id, claims->jti);
  if (!alive.ok()) {
    if (alive.code() == StatusCode::kUnauthenticated) {
      log::RequestScope scope(request_id);
      log::Debug("access token refused", {{"why", alive.message()}});
      co_return UnauthenticatedError(kRejected, "UNAUTHENTICATED");
    }
    co_return alive;
  }
  Principal principal;
  principal.user_id = std::move(claims->user_id);
  principal.session_id = std::move(claims->session_id);
  principal.jti = std::move(claims->jti);
  principal.access_token = std::move(token);
  co_return principal;
}

}  // namespace messenger::gateway
