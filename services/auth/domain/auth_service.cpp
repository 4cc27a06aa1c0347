#include "auth/domain/auth_service.hpp"

#include <algorithm>

#include "auth/domain/events.hpp"
#include "auth/domain/validation.hpp"
#include "messenger/common/logging.hpp"

namespace messenger::auth {

namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr std::size_t kRefreshRandomBytes = 32;

Status InvalidCredentials() {
  return UnauthenticatedError("unknown email or wrong password", "INVALID_CREDENTIALS");
}

Status NotAuthenticated(std::string why) { return UnauthenticatedError(std::move(why), "UNAUTHENTICATED"); }

// RESOURCE_EXHAUSTED with the whole seconds left in the window (at least 1).
Status RateLimited(std::string what, milliseconds remaining, seconds* retry_after) {
  if (retry_after != nullptr) {
    *retry_after = std::max(seconds(1), duration_cast<seconds>(remaining + milliseconds(999)));
  }
  return ResourceExhaustedError(std::move(what), "RATE_LIMITED");
}

std::string AddressOrUnknown(const std::string& client_ip) {
  return client_ip.empty() ? "unknown" : client_ip;
}

}  // namespace

std::string LoginEmailThrottleKey(const std::string& email_lower) {
  return "login-email:" + Sha256Hex(email_lower);
}
std::string LoginIpThrottleKey(const std::string& client_ip) {
  return "login-ip:" + AddressOrUnknown(client_ip);
}
std::string RegisterIpThrottleKey(const std::string& client_ip) {
  return "register-ip:" + AddressOrUnknown(client_ip);
}

std::string SessionIdOfRefreshToken(const std::string& refresh_token) {
  const std::size_t dot = refresh_token.find('.');
  if (dot == std::string::npos || dot + 1 >= refresh_token.size()) return {};
  std::string session_id = refresh_token.substr(0, dot);
  return IsUuid(session_id) ? session_id : std::string();
}

StatusOr<std::unique_ptr<AuthService>> AuthService::Create(const AuthDependencies& deps,
                                                           const AuthConfig& config) {
  if (!deps.accounts || !deps.sessions || !deps.throttle || !deps.hasher || !deps.nicknames || !deps.signer ||
      !deps.verifier || !deps.clock) {
    return InvalidArgumentError("AuthService needs every dependency");
  }
  if (config.refresh_token_ttl.count() <= 0 || config.login_failure_window.count() <= 0 ||
      config.register_window.count() <= 0 || config.login_max_failures_per_email <= 0 ||
      config.login_max_failures_per_ip <= 0 || config.register_max_per_ip <= 0 ||
      config.users_topic.empty()) {
    return InvalidArgumentError("limits, windows and the topic must be set");
  }
  // Unknown emails are checked against this hash so that they cost what a wrong password costs.
  MESSENGER_ASSIGN_OR_RETURN(std::string dummy_hash, deps.hasher->Hash(RandomToken(16)));
  return std::unique_ptr<AuthService>(new AuthService(deps, config, std::move(dummy_hash)));
}

AuthService::AuthService(const AuthDependencies& deps, const AuthConfig& config, std::string dummy_hash)
    : deps_(deps), config_(config), dummy_hash_(std::move(dummy_hash)) {}

StatusOr<std::string> AuthService::Register(const std::string& email, const std::string& password,
                                            const std::string& nickname, const std::string& client_ip,
                                            seconds* retry_after) {
  MESSENGER_RETURN_IF_ERROR(ValidateRegistration(email, password, nickname));

  MESSENGER_ASSIGN_OR_RETURN(WindowCount attempts,
                             deps_.throttle->Hit(RegisterIpThrottleKey(client_ip), config_.register_window));
  if (attempts.count > config_.register_max_per_ip) {
    return RateLimited("too many registrations from this address", attempts.remaining, retry_after);
  }

  const std::string email_lower = NormalizeEmail(email);
  StatusOr<Account> existing = deps_.accounts->FindByEmail(email_lower);
  if (existing.ok()) return AlreadyExistsError("email already registered", "EMAIL_TAKEN");
  if (existing.status().code() != StatusCode::kNotFound) return existing.status();

  // Hash before reserving, so that a busy hasher does not leave a reservation behind.
  MESSENGER_ASSIGN_OR_RETURN(std::string password_hash, deps_.hasher->Hash(password));

  const std::string user_id = NewUuid();
  MESSENGER_RETURN_IF_ERROR(deps_.nicknames->Reserve(nickname, user_id));

  const int64_t now_ms = ToUnixMillis(deps_.clock->Now());
  const Account account{user_id, email, email_lower, std::move(password_hash), now_ms};
  const Status created = deps_.accounts->CreateWithEvent(
      account, UserRegisteredMessage(config_.users_topic, user_id, nickname, now_ms));
  if (!created.ok()) {
    // The reservation would expire by itself; giving it back frees the nickname at once.
    const Status released = deps_.nicknames->Release(nickname, user_id);
    if (!released.ok()) {
      log::Warn("nickname release failed; the reservation will expire",
                {{"user_id", user_id}, {"error", released.ToString()}});
    }
    return created;
  }
  return user_id;
}

Status AuthService::CheckLoginThrottle(const std::string& email_key, const std::string& ip_key,
                                       seconds* retry_after) {
  MESSENGER_ASSIGN_OR_RETURN(WindowCount ip, deps_.throttle->Peek(ip_key));
  if (ip.count >= config_.login_max_failures_per_ip) {
    return RateLimited("too many failed logins from this address", ip.remaining, retry_after);
  }
  // The email's attempt is counted before the password is checked, so that concurrent guesses cannot slip
  // past the limit; a successful login resets the count.
  MESSENGER_ASSIGN_OR_RETURN(WindowCount email, deps_.throttle->Hit(email_key, config_.login_failure_window));
  if (email.count > config_.login_max_failures_per_email) {
    return RateLimited("too many failed logins for this email", email.remaining, retry_after);
  }
  return OkStatus();
}

StatusOr<TokenPair> AuthService::Login(const std::string& email, const std::string& password,
                                       const std::string& client_ip, seconds* retry_after) {
  const std::string email_lower = NormalizeEmail(email);
  const std::string email_key = LoginEmailThrottleKey(email_lower);
  const std::string ip_key = LoginIpThrottleKey(client_ip);
  MESSENGER_RETURN_IF_ERROR(CheckLoginThrottle(email_key, ip_key, retry_after));

  StatusOr<Account> account = deps_.accounts->FindByEmail(email_lower);
  if (!account.ok() && account.status().code() != StatusCode::kNotFound) return account.status();
  const bool has_password = account.ok() && account->password_hash.has_value();

  // An unknown email (or an OAuth-only account) is verified against the dummy hash: same work, same answer.
  MESSENGER_ASSIGN_OR_RETURN(
      bool matches, deps_.hasher->Verify(has_password ? *account->password_hash : dummy_hash_, password));
  if (!has_password || !matches) {
    MESSENGER_RETURN_IF_ERROR(deps_.throttle->Hit(ip_key, config_.login_failure_window).status());
    return InvalidCredentials();
  }

  MESSENGER_RETURN_IF_ERROR(deps_.throttle->Reset(email_key));
  MaybeRehash(*account, password);
  return StartSession(account->id);
}

void AuthService::MaybeRehash(const Account& account, const std::string& password) {
  if (!deps_.hasher->NeedsRehash(*account.password_hash)) return;
  StatusOr<std::string> stronger = deps_.hasher->Hash(password);
  Status stored =
      stronger.ok() ? deps_.accounts->UpdatePasswordHash(account.id, *stronger) : stronger.status();
  // Not worth failing a good login over: the next one tries again.
  if (!stored.ok())
    log::Warn("password rehash skipped", {{"user_id", account.id}, {"error", stored.ToString()}});
}

StatusOr<TokenPair> AuthService::StartSession(const std::string& user_id) {
  const std::string session_id = NewUuid();
  std::string refresh_token = session_id + "." + RandomToken(kRefreshRandomBytes);
  MESSENGER_RETURN_IF_ERROR(
      deps_.sessions->Create(session_id, user_id, Sha256Hex(refresh_token), config_.refresh_token_ttl));
  return IssuePair(user_id, session_id, std::move(refresh_token));
}

StatusOr<TokenPair> AuthService::IssuePair(const std::string& user_id, const std::string& session_id,
                                           std::string refresh_token) {
  MESSENGER_ASSIGN_OR_RETURN(std::string access_token, deps_.signer->Issue(user_id, session_id, NewUuid()));
  return TokenPair{std::move(access_token), std::move(refresh_token), user_id, deps_.signer->ttl().count()};
}

StatusOr<TokenPair> AuthService::Refresh(const std::string& refresh_token) {
  const std::string session_id = SessionIdOfRefreshToken(refresh_token);
  if (session_id.empty()) return NotAuthenticated("malformed refresh token");
  std::string next_token = session_id + "." + RandomToken(kRefreshRandomBytes);
  MESSENGER_ASSIGN_OR_RETURN(RotateResult rotated,
                             deps_.sessions->Rotate(session_id, Sha256Hex(refresh_token),
                                                    Sha256Hex(next_token), config_.refresh_token_ttl));
  switch (rotated.outcome) {
    case RotateOutcome::kRotated:
      return IssuePair(rotated.user_id, session_id, std::move(next_token));
    case RotateOutcome::kReplayed:
      log::Warn("rotated refresh token presented again; session revoked", {{"session_id", session_id}});
      return NotAuthenticated("refresh token already used; session revoked");
    case RotateOutcome::kUnknown:
      break;
  }
  return NotAuthenticated("unknown refresh token");
}

StatusOr<Identity> AuthService::ValidateToken(const std::string& access_token) {
  MESSENGER_ASSIGN_OR_RETURN(token::AccessClaims claims, deps_.verifier->Verify(access_token));
  MESSENGER_ASSIGN_OR_RETURN(bool live, deps_.sessions->IsAccessTokenLive(claims.session_id, claims.jti));
  if (!live) return NotAuthenticated("session ended or token revoked");
  return Identity{claims.user_id, claims.session_id, claims.expires_at};
}

Status AuthService::Logout(const std::string& access_token) {
  MESSENGER_ASSIGN_OR_RETURN(token::AccessClaims claims, deps_.verifier->Verify(access_token));
  MESSENGER_ASSIGN_OR_RETURN(bool live, deps_.sessions->IsAccessTokenLive(claims.session_id, claims.jti));
  if (!live) return NotAuthenticated("session ended or token revoked");
  const int64_t now = duration_cast<seconds>(deps_.clock->Now().time_since_epoch()).count();
  const seconds remaining(std::max<int64_t>(1, claims.expires_at - now));
  MESSENGER_RETURN_IF_ERROR(deps_.sessions->RevokeAccessToken(claims.jti, remaining));
  return deps_.sessions->Delete(claims.session_id);
}

}  // namespace messenger::auth
