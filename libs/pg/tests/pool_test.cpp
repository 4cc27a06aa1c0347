#include "messenger/pg/pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <vector>

#include "messenger/pg/testing/test_database.hpp"

namespace messenger::pg {
namespace {

class PoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = testing::TestDatabase::Create();
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(db).value();
    auto pool = db_->NewPool(2);
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = std::move(pool).value();
    ASSERT_TRUE(pool_
                    ->Transact([](pqxx::work& txn) {
                      txn.exec0("CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)");
                      txn.exec0("CREATE TABLE tags (item_id int NOT NULL REFERENCES items(id), tag text)");
                      return OkStatus();
                    })
                    .ok());
  }

  int CountItems() {
    auto count = pool_->ReadOnlyValue([](pqxx::work& txn) -> StatusOr<int> {
      return txn.exec1("SELECT count(*) FROM items")[0].as<int>();
    });
    EXPECT_TRUE(count.ok()) << count.status();
    return count.ok() ? *count : -1;
  }

  std::unique_ptr<testing::TestDatabase> db_;
  std::unique_ptr<Pool> pool_;
};

TEST_F(PoolTest, QueryRoundTrip) {
  ASSERT_TRUE(pool_
                  ->Transact([](pqxx::work& txn) {
                    txn.exec_params0("INSERT INTO items (id, name) VALUES ($1, $2)", 7,
                                     "caf\xc3\xa9 'quoted'");
                    return OkStatus();
                  })
                  .ok());
  auto name = pool_->TransactValue([](pqxx::work& txn) -> StatusOr<std::string> {
    return txn.exec_params1("SELECT name FROM items WHERE id = $1", 7)[0].as<std::string>();
  });
  ASSERT_TRUE(name.ok()) << name.status();
  EXPECT_EQ(*name, "caf\xc3\xa9 'quoted'");
}

TEST_F(PoolTest, CommitsOnOkAndRollsBackOnError) {
  Status ok = pool_->Transact([](pqxx::work& txn) {
    txn.exec0("INSERT INTO items (id, name) VALUES (1, 'kept')");
    return OkStatus();
  });
  ASSERT_TRUE(ok.ok()) << ok;

  Status refused = pool_->Transact([](pqxx::work& txn) {
    txn.exec0("INSERT INTO items (id, name) VALUES (2, 'dropped')");
    return InvalidArgumentError("changed my mind", "NOPE");
  });
  EXPECT_EQ(refused.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(refused.reason(), "NOPE");

  Status thrown = pool_->Transact([](pqxx::work& txn) -> Status {
    txn.exec0("INSERT INTO items (id, name) VALUES (3, 'dropped too')");
    throw std::runtime_error("boom");
  });
  EXPECT_EQ(thrown.code(), StatusCode::kInternal);

  EXPECT_EQ(CountItems(), 1);
}

TEST_F(PoolTest, UniqueViolationIsAlreadyExists) {
  auto insert = [](pqxx::work& txn) {
    txn.exec0("INSERT INTO items (id, name) VALUES (1, 'a')");
    return OkStatus();
  };
  ASSERT_TRUE(pool_->Transact(insert).ok());
  Status again = pool_->Transact(insert);
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists) << again;
  EXPECT_EQ(CountItems(), 1);
}

TEST_F(PoolTest, ForeignKeyViolationIsFailedPrecondition) {
  Status s = pool_->Transact([](pqxx::work& txn) {
    txn.exec0("INSERT INTO tags (item_id, tag) VALUES (404, 'orphan')");
    return OkStatus();
  });
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s;
}

TEST_F(PoolTest, StatementTimeoutIsDeadlineExceeded) {
  PoolOptions options;
  options.pool_size = 1;
  options.statement_timeout = std::chrono::milliseconds(100);
  auto pool = Pool::Create(db_->settings(), options);
  ASSERT_TRUE(pool.ok()) << pool.status();
  auto start = std::chrono::steady_clock::now();
  Status s = (*pool)->Transact([](pqxx::work& txn) {
    txn.exec("SELECT pg_sleep(5)");
    return OkStatus();
  });
  EXPECT_EQ(s.code(), StatusCode::kDeadlineExceeded) << s;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  // The connection is still usable afterwards.
  EXPECT_TRUE((*pool)
                  ->Transact([](pqxx::work& txn) {
                    txn.exec1("SELECT 1");
                    return OkStatus();
                  })
                  .ok());
}

TEST_F(PoolTest, ReadOnlyRefusesWrites) {
  Status s = pool_->ReadOnly([](pqxx::work& txn) {
    txn.exec0("INSERT INTO items (id, name) VALUES (1, 'a')");
    return OkStatus();
  });
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(CountItems(), 0);
}

TEST_F(PoolTest, SerializationFailureIsAbortedAndRetried) {
  ASSERT_TRUE(pool_
                  ->Transact([](pqxx::work& txn) {
                    txn.exec0("CREATE TABLE ledger (amount int NOT NULL)");
                    return OkStatus();
                  })
                  .ok());
  auto other = pool_->OpenDedicatedConnection();
  ASSERT_TRUE(other.ok()) << other.status();

  // Write skew: both transactions read the sum, then each inserts. The competing one commits first, so ours
  // fails to serialize.
  auto make_fn = [&](int* calls) {
    return [&, calls](pqxx::work& txn) {
      ++*calls;
      txn.exec1("SELECT sum(amount) FROM ledger");
      txn.exec0("INSERT INTO ledger VALUES (1)");
      if (*calls == 1) {
        pqxx::work competing(**other);
        competing.exec0("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE");
        competing.exec1("SELECT sum(amount) FROM ledger");
        competing.exec0("INSERT INTO ledger VALUES (100)");
        competing.commit();
      }
      return OkStatus();
    };
  };
  TransactOptions options;
  options.serializable = true;

  int calls = 0;
  Status once = pool_->Transact(make_fn(&calls), options);
  EXPECT_EQ(once.code(), StatusCode::kAborted) << once;
  EXPECT_EQ(calls, 1);

  ASSERT_TRUE(pool_
                  ->Transact([](pqxx::work& txn) {
                    txn.exec0("DELETE FROM ledger");
                    return OkStatus();
                  })
                  .ok());
  calls = 0;
  options.max_attempts = 3;
  Status retried = pool_->Transact(make_fn(&calls), options);
  EXPECT_TRUE(retried.ok()) << retried;
  EXPECT_EQ(calls, 2);
  auto sum = pool_->TransactValue([](pqxx::work& txn) -> StatusOr<int> {
    return txn.exec1("SELECT sum(amount) FROM ledger")[0].as<int>();
  });
  ASSERT_TRUE(sum.ok()) << sum.status();
  EXPECT_EQ(*sum, 101);
}

TEST_F(PoolTest, ReplacesConnectionsKilledByTheServer) {
  // Open both pooled connections.
  std::atomic<int> inside{0};
  ASSERT_TRUE(pool_
                  ->Transact([&](pqxx::work&) {
                    return pool_->Transact([&](pqxx::work&) {
                      ++inside;
                      return OkStatus();
                    });
                  })
                  .ok());
  ASSERT_EQ(pool_->OpenConnectionsForTest(), 2);

  auto admin = pool_->OpenDedicatedConnection();
  ASSERT_TRUE(admin.ok()) << admin.status();
  {
    pqxx::nontransaction n(**admin);
    auto killed = n.exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()");
    ASSERT_EQ(killed.size(), 2u);
  }

  for (int i = 0; i < 3; ++i) {
    Status s = pool_->Transact([i](pqxx::work& txn) {
      txn.exec_params0("INSERT INTO items (id, name) VALUES ($1, 'after restart')", i);
      return OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
  }
  EXPECT_EQ(CountItems(), 3);
}

TEST_F(PoolTest, CheckoutTimesOutWhenAllConnectionsAreLent) {
  PoolOptions options;
  options.pool_size = 1;
  options.checkout_timeout = std::chrono::milliseconds(100);
  auto pool = Pool::Create(db_->settings(), options);
  ASSERT_TRUE(pool.ok()) << pool.status();
  Status inner;
  Status outer = (*pool)->Transact([&](pqxx::work&) {
    inner = (*pool)->Transact([](pqxx::work&) { return OkStatus(); });
    return OkStatus();
  });
  EXPECT_TRUE(outer.ok()) << outer;
  EXPECT_EQ(inner.code(), StatusCode::kUnavailable) << inner;
}

TEST_F(PoolTest, PreparedStatementsWorkOnEveryConnection) {
  ASSERT_TRUE(pool_->Prepare("insert_item", "INSERT INTO items (id, name) VALUES ($1, $2)").ok());
  EXPECT_EQ(pool_->Prepare("insert_item", "SELECT 1").code(), StatusCode::kAlreadyExists);
  // Two nested transactions use both connections.
  Status s = pool_->Transact([&](pqxx::work& outer) {
    outer.exec_prepared0("insert_item", 1, "one");
    return pool_->Transact([](pqxx::work& inner) {
      inner.exec_prepared0("insert_item", 2, "two");
      return OkStatus();
    });
  });
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(CountItems(), 2);
}

TEST(PoolCreateTest, UnreachableServerIsUnavailable) {
  PgSettings settings = PgSettings::FromEnv("postgres");
  settings.port = 1;  // nothing listens there
  auto pool = Pool::Create(settings);
  EXPECT_EQ(pool.status().code(), StatusCode::kUnavailable) << pool.status();
}

}  // namespace
}  // namespace messenger::pg
