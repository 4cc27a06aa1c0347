// Where accounts live. Implemented by PgAccountRepository; InMemoryAccountRepository in tests.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auth/domain/outbox_message.hpp"
#include "messenger/common/status.hpp"

namespace messenger::auth {

struct Account {
  std::string id;                            // UUID
  std::string email;                         // as the user typed it
  std::string email_lower;                   // the unique key; see NormalizeEmail
  std::optional<std::string> password_hash;  // absent for an account that only signs in with OAuth
  int64_t created_at_unix_ms = 0;
};

// An account's sign-in at an OpenID Connect provider: (issuer, subject) names it, for good.
struct ExternalIdentity {
  std::string issuer;
  std::string subject;
  std::optional<std::string> email;  // what the provider said at linking time, for support; not a key
};

class AccountRepository {
 public:
  virtual ~AccountRepository() = default;

  // The account whose lowercased email is `email_lower`. NOT_FOUND when there is none; UNAVAILABLE when the
  // database cannot be reached.
  virtual StatusOr<Account> FindByEmail(std::string_view email_lower) = 0;

  // Inserts `account` and enqueues `event` for publication, in one transaction: either both happen or
  // neither. ALREADY_EXISTS (reason EMAIL_TAKEN) when another account has the same email_lower, even one
  // inserted concurrently.
  virtual Status CreateWithEvent(const Account& account, const OutboxMessage& event) = 0;

  // Replaces the password hash of an account (a stronger hash after a successful login). NOT_FOUND for an
  // unknown ID.
  virtual Status UpdatePasswordHash(std::string_view user_id, std::string_view password_hash) = 0;

  // The ID of the account that `issuer`/`subject` signs in to. NOT_FOUND when that identity is linked to no
  // account.
  virtual StatusOr<std::string> FindUserByIdentity(std::string_view issuer, std::string_view subject) = 0;

  // Inserts `account`, links `identity` to it and enqueues `event`, in one transaction: all or nothing.
  // ALREADY_EXISTS (reason EMAIL_TAKEN) when another account has the email; ALREADY_EXISTS (reason
  // IDENTITY_TAKEN) when the identity is linked already (a concurrent first sign-in won).
  virtual Status CreateWithIdentity(const Account& account, const ExternalIdentity& identity,
                                    const OutboxMessage& event) = 0;

  // Links `identity` to the existing account `user_id`. ALREADY_EXISTS (reason IDENTITY_TAKEN) when the
  // identity is linked already (to any account); NOT_FOUND when there is no such account.
  virtual Status LinkIdentity(const ExternalIdentity& identity, std::string_view user_id) = 0;
};

}  // namespace messenger::auth
