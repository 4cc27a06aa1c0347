// PgAccountRepository against the real PostgreSQL, each test in its own throw-away database.
#include "auth/storage/pg_account_repository.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "auth/domain/events.hpp"
#include "messenger/common/ids.hpp"
#include "messenger/outbox/outbox.hpp"
#include "messenger/pg/migrations.hpp"
#include "messenger/pg/testing/test_database.hpp"

namespace messenger::auth {
namespace {

OutboxMessage Event(const std::string& user_id, const std::string& nickname, int64_t at_ms) {
  return UserRegisteredMessage("messenger.users.v1", user_id, nickname, at_ms);
}

class PgAccountRepositoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = pg::testing::TestDatabase::Create();
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(db).value();
    auto pool = db_->NewPool(8);
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = std::move(pool).value();
    ASSERT_TRUE(pg::RunMigrations(*pool_, AUTH_MIGRATIONS_DIR).ok());
    ASSERT_TRUE(outbox::EnsureSchema(*pool_).ok());
    auto repo = PgAccountRepository::Create(*pool_);
    ASSERT_TRUE(repo.ok()) << repo.status();
    repo_ = std::move(repo).value();
  }

  static Account NewAccount(const std::string& email, std::optional<std::string> hash = "$argon2id$fake") {
    std::string lower = email;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return Account{NewUuid(), email, lower, std::move(hash), 1'800'000'000'123};
  }

  int64_t CountRows(const std::string& table) {
    int64_t n = -1;
    EXPECT_TRUE(pool_
                    ->ReadOnly([&](pqxx::work& txn) {
                      n = txn.exec1("SELECT count(*) FROM " + txn.quote_name(table))[0].as<int64_t>();
                      return OkStatus();
                    })
                    .ok());
    return n;
  }

  std::unique_ptr<pg::testing::TestDatabase> db_;
  std::unique_ptr<pg::Pool> pool_;
  std::unique_ptr<PgAccountRepository> repo_;
};

TEST_F(PgAccountRepositoryTest, StoresAndFindsAnAccountByLowercasedEmail) {
  const Account account = NewAccount("Mixed.Case@Example.test");
  ASSERT_TRUE(repo_->CreateWithEvent(account, Event(account.id, "mixed", 1)).ok());

  auto found = repo_->FindByEmail("mixed.case@example.test");
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->id, account.id);
  EXPECT_EQ(found->email, "Mixed.Case@Example.test");
  EXPECT_EQ(found->email_lower, "mixed.case@example.test");
  EXPECT_EQ(found->password_hash, account.password_hash);
  EXPECT_EQ(found->created_at_unix_ms, 1'800'000'000'123);
  EXPECT_EQ(repo_->FindByEmail("nobody@example.test").status().code(), StatusCode::kNotFound);
}

TEST_F(PgAccountRepositoryTest, TheEventIsWrittenWithTheAccount) {
  const Account account = NewAccount("evt@example.test");
  const OutboxMessage event = Event(account.id, "evt_user", 42);
  ASSERT_TRUE(repo_->CreateWithEvent(account, event).ok());
  std::string topic, key, payload;
  ASSERT_TRUE(pool_
                  ->ReadOnly([&](pqxx::work& txn) {
                    pqxx::row row = txn.exec1("SELECT topic, key, payload, event_id::text FROM outbox");
                    topic = row[0].as<std::string>();
                    key = row[1].as<std::string>();
                    payload = pqxx::binarystring(row[2]).str();
                    EXPECT_EQ(row[3].as<std::string>(), event.event_id);
                    return OkStatus();
                  })
                  .ok());
  EXPECT_EQ(topic, "messenger.users.v1");
  EXPECT_EQ(key, account.id);
  EXPECT_EQ(payload, event.payload);
}

TEST_F(PgAccountRepositoryTest, EmailIsUniqueCaseInsensitivelyAndARefusalWritesNoEvent) {
  const Account first = NewAccount("dup@example.test");
  ASSERT_TRUE(repo_->CreateWithEvent(first, Event(first.id, "dup1", 1)).ok());
  const Account second = NewAccount("DUP@Example.TEST");
  const Status taken = repo_->CreateWithEvent(second, Event(second.id, "dup2", 1));
  EXPECT_EQ(taken.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(taken.reason(), "EMAIL_TAKEN");
  EXPECT_EQ(CountRows("accounts"), 1);
  EXPECT_EQ(CountRows("outbox"), 1) << "the refused registration's event must not be published";
}

TEST_F(PgAccountRepositoryTest, ConcurrentRegistrationsOfOneEmailGiveExactlyOneAccount) {
  constexpr int kThreads = 8;
  std::atomic<int> created{0}, taken{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      const Account a = NewAccount(i % 2 ? "Race@Example.test" : "race@example.test");
      const Status s = repo_->CreateWithEvent(a, Event(a.id, "race" + std::to_string(i), 1));
      if (s.ok()) {
        ++created;
      } else if (s.reason() == "EMAIL_TAKEN") {
        ++taken;
      } else {
        ++other;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(taken.load(), kThreads - 1);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(CountRows("outbox"), 1);
}

TEST_F(PgAccountRepositoryTest, AnAccountWithoutPasswordKeepsNoHash) {
  const Account oauth_only = NewAccount("oauth@example.test", std::nullopt);
  ASSERT_TRUE(repo_->CreateWithEvent(oauth_only, Event(oauth_only.id, "oauthy", 1)).ok());
  auto found = repo_->FindByEmail("oauth@example.test");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->password_hash.has_value());
}

TEST_F(PgAccountRepositoryTest, UpdatesThePasswordHash) {
  const Account account = NewAccount("rehash@example.test");
  ASSERT_TRUE(repo_->CreateWithEvent(account, Event(account.id, "rehash", 1)).ok());
  ASSERT_TRUE(repo_->UpdatePasswordHash(account.id, "$argon2id$stronger").ok());
  EXPECT_EQ(repo_->FindByEmail("rehash@example.test")->password_hash, "$argon2id$stronger");
  EXPECT_EQ(repo_->UpdatePasswordHash(NewUuid(), "x").code(), StatusCode::kNotFound);
  EXPECT_EQ(repo_->UpdatePasswordHash("not-a-uuid", "x").code(), StatusCode::kNotFound);
}

// ---------------------------------------------------------------------------------------------------------
// Provider identities (oauth_identities)

ExternalIdentity Identity(const std::string& subject, std::optional<std::string> email = std::nullopt) {
  return ExternalIdentity{"https://idp.test", subject, std::move(email)};
}

TEST_F(PgAccountRepositoryTest, CreatesAnAccountWithItsIdentityAndEvent) {
  const Account account = NewAccount("first@example.test", std::nullopt);
  ASSERT_TRUE(repo_
                  ->CreateWithIdentity(account, Identity("sub-1", "first@example.test"),
                                       Event(account.id, "first", 1))
                  .ok());
  EXPECT_EQ(repo_->FindUserByIdentity("https://idp.test", "sub-1").value(), account.id);
  EXPECT_EQ(repo_->FindUserByIdentity("https://other.test", "sub-1").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(repo_->FindUserByIdentity("https://idp.test", "sub-2").status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(repo_->FindByEmail("first@example.test")->password_hash.has_value());
  EXPECT_EQ(CountRows("outbox"), 1);
}

TEST_F(PgAccountRepositoryTest, CreateWithIdentityIsAllOrNothing) {
  const Account first = NewAccount("one@example.test", std::nullopt);
  ASSERT_TRUE(repo_->CreateWithIdentity(first, Identity("sub-1"), Event(first.id, "one", 1)).ok());

  // The identity is linked already: the second account is not kept either.
  const Account second = NewAccount("two@example.test", std::nullopt);
  const Status taken = repo_->CreateWithIdentity(second, Identity("sub-1"), Event(second.id, "two", 1));
  EXPECT_EQ(taken.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(taken.reason(), "IDENTITY_TAKEN");
  EXPECT_EQ(repo_->FindByEmail("two@example.test").status().code(), StatusCode::kNotFound);

  // The email is taken: nothing of the identity is kept.
  const Account third = NewAccount("ONE@example.test", std::nullopt);
  const Status email = repo_->CreateWithIdentity(third, Identity("sub-3"), Event(third.id, "three", 1));
  EXPECT_EQ(email.reason(), "EMAIL_TAKEN");
  EXPECT_EQ(repo_->FindUserByIdentity("https://idp.test", "sub-3").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(CountRows("accounts"), 1);
  EXPECT_EQ(CountRows("oauth_identities"), 1);
  EXPECT_EQ(CountRows("outbox"), 1);
}

TEST_F(PgAccountRepositoryTest, LinksAnIdentityToAnExistingAccountOnce) {
  const Account account = NewAccount("linked@example.test");
  ASSERT_TRUE(repo_->CreateWithEvent(account, Event(account.id, "linked", 1)).ok());
  ASSERT_TRUE(repo_->LinkIdentity(Identity("sub-l", "linked@example.test"), account.id).ok());
  EXPECT_EQ(repo_->FindUserByIdentity("https://idp.test", "sub-l").value(), account.id);
  EXPECT_EQ(repo_->FindByEmail("linked@example.test")->password_hash, "$argon2id$fake") << "password kept";

  const Account other = NewAccount("other@example.test");
  ASSERT_TRUE(repo_->CreateWithEvent(other, Event(other.id, "other", 1)).ok());
  const Status again = repo_->LinkIdentity(Identity("sub-l"), other.id);
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(again.reason(), "IDENTITY_TAKEN");
  EXPECT_EQ(repo_->FindUserByIdentity("https://idp.test", "sub-l").value(), account.id) << "still the first";

  EXPECT_EQ(repo_->LinkIdentity(Identity("sub-x"), NewUuid()).code(), StatusCode::kNotFound);
  EXPECT_EQ(repo_->LinkIdentity(Identity("sub-x"), "not-a-uuid").code(), StatusCode::kNotFound);
  // Several identities may sign in to one account.
  EXPECT_TRUE(repo_->LinkIdentity(Identity("sub-l2"), account.id).ok());
}

TEST_F(PgAccountRepositoryTest, ConcurrentFirstSignInsOfOneIdentityStoreOneAccount) {
  constexpr int kThreads = 8;
  std::atomic<int> created{0}, identity_taken{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      const Account account = NewAccount("racer" + std::to_string(i) + "@example.test", std::nullopt);
      const Status s = repo_->CreateWithIdentity(account, Identity("sub-race"), Event(account.id, "r", 1));
      if (s.ok()) {
        ++created;
      } else if (s.reason() == "IDENTITY_TAKEN") {
        ++identity_taken;
      } else {
        ++other;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(identity_taken.load(), kThreads - 1);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(CountRows("accounts"), 1);
  EXPECT_EQ(CountRows("outbox"), 1);
}

}  // namespace
}  // namespace messenger::auth
