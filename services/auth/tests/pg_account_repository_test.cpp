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

}  // namespace
}  // namespace messenger::auth
