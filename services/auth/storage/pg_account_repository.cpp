#include "auth/storage/pg_account_repository.hpp"

#include "messenger/common/ids.hpp"
#include "messenger/outbox/outbox.hpp"

namespace messenger::auth {
namespace {

// Each statement is prepared under its name, which is what pg_stat_activity and the logs show.
constexpr char kFindByEmail[] = "auth_account_find_by_email";
constexpr char kFindByEmailSql[] = R"sql(
SELECT id::text, email, email_lower, password_hash, (extract(epoch FROM created_at) * 1000)::bigint
  FROM accounts
 WHERE email_lower = $1)sql";

// ON CONFLICT instead of catching the unique violation: no row back means the email is taken.
constexpr char kInsert[] = "auth_account_insert";
constexpr char kInsertSql[] = R"sql(
INSERT INTO accounts (id, email, email_lower, password_hash, created_at)
VALUES ($1::uuid, $2, $3, CASE WHEN $4::boolean THEN $5 END,
        timestamptz 'epoch' + $6::bigint * interval '1 millisecond')
ON CONFLICT (email_lower) DO NOTHING
RETURNING id)sql";

constexpr char kUpdatePasswordHash[] = "auth_account_update_password_hash";
constexpr char kUpdatePasswordHashSql[] = "UPDATE accounts SET password_hash = $2 WHERE id = $1::uuid";

constexpr char kFindByIdentity[] = "auth_identity_find_user";
constexpr char kFindByIdentitySql[] =
    "SELECT user_id::text FROM oauth_identities WHERE issuer = $1 AND subject = $2";

// No row back: the identity is linked already. The account must exist (SELECT ... FROM accounts), so that
// linking to a deleted account inserts nothing instead of failing on the foreign key; the caller tells the
// two apart by looking the account up (kAccountExists).
constexpr char kInsertIdentity[] = "auth_identity_insert";
constexpr char kInsertIdentitySql[] = R"sql(
INSERT INTO oauth_identities (issuer, subject, user_id, email)
SELECT $1, $2, id, CASE WHEN $4::boolean THEN $5 END FROM accounts WHERE id = $3::uuid
ON CONFLICT (issuer, subject) DO NOTHING
RETURNING user_id)sql";

constexpr char kAccountExists[] = "auth_account_exists";
constexpr char kAccountExistsSql[] = "SELECT 1 FROM accounts WHERE id = $1::uuid";

}  // namespace

StatusOr<std::unique_ptr<PgAccountRepository>> PgAccountRepository::Create(pg::Pool& pool) {
  MESSENGER_RETURN_IF_ERROR(pool.Prepare(kFindByEmail, kFindByEmailSql));
  MESSENGER_RETURN_IF_ERROR(pool.Prepare(kInsert, kInsertSql));
  MESSENGER_RETURN_IF_ERROR(pool.Prepare(kUpdatePasswordHash, kUpdatePasswordHashSql));
  MESSENGER_RETURN_IF_ERROR(pool.Prepare(kFindByIdentity, kFindByIdentitySql));
  MESSENGER_RETURN_IF_ERROR(pool.Prepare(kInsertIdentity, kInsertIdentitySql));
  MESSENGER_RETURN_IF_ERROR(pool.Prepare(kAccountExists, kAccountExistsSql));
  return std::unique_ptr<PgAccountRepository>(new PgAccountRepository(pool));
}

StatusOr<Account> PgAccountRepository::FindByEmail(std::string_view email_lower) {
  return pool_.ReadOnlyValue([&](pqxx::work& txn) -> StatusOr<Account> {
    const pqxx::result rows = txn.exec_prepared(kFindByEmail, std::string(email_lower));
    if (rows.empty()) return NotFoundError("no account with that email");
    const pqxx::row row = rows[0];
    Account account;
    account.id = row[0].as<std::string>();
    account.email = row[1].as<std::string>();
    account.email_lower = row[2].as<std::string>();
    if (!row[3].is_null()) account.password_hash = row[3].as<std::string>();
    account.created_at_unix_ms = row[4].as<int64_t>();
    return account;
  });
}

Status PgAccountRepository::CreateWithEvent(const Account& account, const OutboxMessage& event) {
  if (!IsUuid(account.id)) return InvalidArgumentError("account ID must be a UUID");
  return pool_.Transact([&](pqxx::work& txn) -> Status {
    const pqxx::result inserted = txn.exec_prepared(
        kInsert, account.id, account.email, account.email_lower, account.password_hash.has_value(),
        account.password_hash.value_or(std::string()), account.created_at_unix_ms);
    if (inserted.empty()) return AlreadyExistsError("email already registered", "EMAIL_TAKEN");
    return outbox::Enqueue(txn, outbox::Event{event.event_id, event.topic, event.key, event.payload});
  });
}

Status PgAccountRepository::UpdatePasswordHash(std::string_view user_id, std::string_view password_hash) {
  if (!IsUuid(user_id)) return NotFoundError("no account with that ID");
  return pool_.Transact([&](pqxx::work& txn) -> Status {
    const pqxx::result updated =
        txn.exec_prepared(kUpdatePasswordHash, std::string(user_id), std::string(password_hash));
    if (updated.affected_rows() == 0) return NotFoundError("no account with that ID");
    return OkStatus();
  });
}

namespace {

pqxx::result InsertIdentity(pqxx::work& txn, const ExternalIdentity& identity, std::string_view user_id) {
  // A NULL email when the provider gave none.
  return txn.exec_prepared(kInsertIdentity, identity.issuer, identity.subject, std::string(user_id),
                           identity.email.has_value(), identity.email.value_or(std::string()));
}

Status IdentityTaken() { return AlreadyExistsError("identity already linked", "IDENTITY_TAKEN"); }

}  // namespace

StatusOr<std::string> PgAccountRepository::FindUserByIdentity(std::string_view issuer,
                                                              std::string_view subject) {
  return pool_.ReadOnlyValue([&](pqxx::work& txn) -> StatusOr<std::string> {
    const pqxx::result rows = txn.exec_prepared(kFindByIdentity, std::string(issuer), std::string(subject));
    if (rows.empty()) return NotFoundError("no account has that identity");
    return rows[0][0].as<std::string>();
  });
}

Status PgAccountRepository::CreateWithIdentity(const Account& account, const ExternalIdentity& identity,
                                               const OutboxMessage& event) {
  if (!IsUuid(account.id)) return InvalidArgumentError("account ID must be a UUID");
  return pool_.Transact([&](pqxx::work& txn) -> Status {
    const pqxx::result inserted = txn.exec_prepared(
        kInsert, account.id, account.email, account.email_lower, account.password_hash.has_value(),
        account.password_hash.value_or(std::string()), account.created_at_unix_ms);
    if (inserted.empty()) return AlreadyExistsError("email already registered", "EMAIL_TAKEN");
    // Returning an error rolls the account back with it.
    if (InsertIdentity(txn, identity, account.id).empty()) return IdentityTaken();
    return outbox::Enqueue(txn, outbox::Event{event.event_id, event.topic, event.key, event.payload});
  });
}

Status PgAccountRepository::LinkIdentity(const ExternalIdentity& identity, std::string_view user_id) {
  if (!IsUuid(user_id)) return NotFoundError("no account with that ID");
  return pool_.Transact([&](pqxx::work& txn) -> Status {
    if (!InsertIdentity(txn, identity, user_id).empty()) return OkStatus();
    if (txn.exec_prepared(kAccountExists, std::string(user_id)).empty()) {
      return NotFoundError("no account with that ID");
    }
    return IdentityTaken();
  });
}

}  // namespace messenger::auth
