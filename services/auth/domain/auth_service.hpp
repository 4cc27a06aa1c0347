// The rules of password sign-in: registration, login with throttling, refresh-token rotation, logout and
// access-token validation. Depends only on the interfaces beside it, the token codec and a Clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "auth/domain/account_repository.hpp"
#include "auth/domain/nickname_registry.hpp"
#include "auth/domain/password_hasher.hpp"
#include "auth/domain/session_store.hpp"
#include "auth/domain/throttle.hpp"
#include "messenger/common/ids.hpp"
#include "messenger/common/status.hpp"
#include "messenger/token/token.hpp"

namespace messenger::auth {

struct AuthConfig {
  std::chrono::seconds refresh_token_ttl{30 * 24 * 3600};
  // Consecutive failed logins for one email (known or not) within the window, after which that email is
  // refused (RATE_LIMITED) until the window ends, whatever the password.
  int64_t login_max_failures_per_email = 10;
  // Failed logins from one client address within the window.
  int64_t login_max_failures_per_ip = 500;
  std::chrono::seconds login_failure_window{900};
  // Registration attempts (that pass validation) from one client address within the window.
  int64_t register_max_per_ip = 300;
  std::chrono::seconds register_window{900};
  // Where UserRegistered goes.
  std::string users_topic = "messenger.users.v1";
};

struct TokenPair {
  std::string access_token;
  std::string refresh_token;
  std::string user_id;
  int64_t expires_in = 0;  // seconds until the access token expires
};

struct Identity {
  std::string user_id;
  std::string session_id;
  int64_t expires_at_unix = 0;
};

struct AuthDependencies {
  AccountRepository* accounts = nullptr;
  SessionStore* sessions = nullptr;
  Throttle* throttle = nullptr;
  PasswordHasher* hasher = nullptr;
  NicknameRegistry* nicknames = nullptr;
  const token::Signer* signer = nullptr;
  const token::Verifier* verifier = nullptr;
  const Clock* clock = nullptr;
};

// Thread-safe: every method may be called from many threads at once. Every failure is a Status with a
// reason; RATE_LIMITED answers also fill *retry_after when it is given.
class AuthService {
 public:
  // Hashes a dummy password once (to answer unknown emails as slowly as wrong passwords), so it may take a
  // moment. INVALID_ARGUMENT when a dependency is missing.
  static StatusOr<std::unique_ptr<AuthService>> Create(const AuthDependencies& deps,
                                                       const AuthConfig& config);

  // The new account's user ID. INVALID_ARGUMENT for bad input; RESOURCE_EXHAUSTED (RATE_LIMITED) when the
  // address registered too often; ALREADY_EXISTS with EMAIL_TAKEN (checked first) or NICKNAME_TAKEN.
  // The account is stored together with a UserRegistered event for the Users service.
  StatusOr<std::string> Register(const std::string& email, const std::string& password,
                                 const std::string& nickname, const std::string& client_ip,
                                 std::chrono::seconds* retry_after = nullptr);

  // A new session. UNAUTHENTICATED (INVALID_CREDENTIALS) for an unknown email and a wrong password alike,
  // taking about the same time; RESOURCE_EXHAUSTED (RATE_LIMITED) when the email or the address failed too
  // often, even for the right password.
  StatusOr<TokenPair> Login(const std::string& email, const std::string& password,
                            const std::string& client_ip, std::chrono::seconds* retry_after = nullptr);

  // A new pair for the presented refresh token, which stops working. UNAUTHENTICATED for an unknown token,
  // and for a token already rotated, in which case the whole session is ended.
  StatusOr<TokenPair> Refresh(const std::string& refresh_token);

  // Ends the session of a live access token. UNAUTHENTICATED when the token is not live.
  Status Logout(const std::string& access_token);

  // Who a live access token speaks for: valid signature and claims, session alive, token not revoked.
  // UNAUTHENTICATED otherwise.
  StatusOr<Identity> ValidateToken(const std::string& access_token);

  // A new session for a user whose identity another rule has established (OpenID Connect sign-in): the
  // same session and token pair a password login gives.
  StatusOr<TokenPair> StartSessionFor(const std::string& user_id) { return StartSession(user_id); }

 private:
  AuthService(const AuthDependencies& deps, const AuthConfig& config, std::string dummy_hash);

  Status CheckLoginThrottle(const std::string& email_key, const std::string& ip_key,
                            std::chrono::seconds* retry_after);
  StatusOr<TokenPair> StartSession(const std::string& user_id);
  StatusOr<TokenPair> IssuePair(const std::string& user_id, const std::string& session_id,
                                std::string refresh_token);
  void MaybeRehash(const Account& account, const std::string& password);

  AuthDependencies deps_;
  AuthConfig config_;
  std::string dummy_hash_;
};

// The throttle keys; email keys carry a hash, never the address itself.
std::string LoginEmailThrottleKey(const std::string& email_lower);
std::string LoginIpThrottleKey(const std::string& client_ip);
std::string RegisterIpThrottleKey(const std::string& client_ip);

// A refresh token is "<session_id>.<random>"; the session ID, or empty when the token has another shape.
std::string SessionIdOfRefreshToken(const std::string& refresh_token);

}  // namespace messenger::auth
