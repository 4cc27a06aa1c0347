// AccountRepository over PostgreSQL (accounts and oauth_identities, migrations/V001__init.sql), with
// UserRegistered written to the libs/outbox table in the same transaction.
#pragma once

#include <memory>

#include "auth/domain/account_repository.hpp"
#include "messenger/pg/pool.hpp"

namespace messenger::auth {

class PgAccountRepository final : public AccountRepository {
 public:
  // Prepares the statements on `pool`, which must outlive the repository.
  static StatusOr<std::unique_ptr<PgAccountRepository>> Create(pg::Pool& pool);

  StatusOr<Account> FindByEmail(std::string_view email_lower) override;
  Status CreateWithEvent(const Account& account, const OutboxMessage& event) override;
  Status UpdatePasswordHash(std::string_view user_id, std::string_view password_hash) override;
  StatusOr<std::string> FindUserByIdentity(std::string_view issuer, std::string_view subject) override;
  Status CreateWithIdentity(const Account& account, const ExternalIdentity& identity,
                            const OutboxMessage& event) override;
  Status LinkIdentity(const ExternalIdentity& identity, std::string_view user_id) override;

 private:
  explicit PgAccountRepository(pg::Pool& pool) : pool_(pool) {}

  pg::Pool& pool_;
};

}  // namespace messenger::auth
