#include "messenger/pg/migrations.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "messenger/common/ids.hpp"
#include "messenger/pg/testing/test_database.hpp"

namespace messenger::pg {
namespace {

class MigrationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = testing::TestDatabase::Create();
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(db).value();
    auto pool = db_->NewPool(2);
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = std::move(pool).value();
    dir_ = std::filesystem::temp_directory_path() / ("migrations_" + NewUuid());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Write(const std::string& name, const std::string& sql) {
    std::ofstream out(dir_ / name, std::ios::binary | std::ios::trunc);
    out << sql;
  }

  // The values inserted by the migrations, in insertion order.
  std::vector<int> Log() {
    auto values = pool_->TransactValue([](pqxx::work& txn) -> StatusOr<std::vector<int>> {
      std::vector<int> out;
      for (const auto& row : txn.exec("SELECT v FROM log ORDER BY id")) out.push_back(row[0].as<int>());
      return out;
    });
    EXPECT_TRUE(values.ok()) << values.status();
    return values.ok() ? *values : std::vector<int>{};
  }

  std::vector<int> AppliedVersions() {
    auto values = pool_->TransactValue([](pqxx::work& txn) -> StatusOr<std::vector<int>> {
      std::vector<int> out;
      for (const auto& row : txn.exec("SELECT version FROM schema_migrations ORDER BY version")) {
        out.push_back(row[0].as<int>());
      }
      return out;
    });
    EXPECT_TRUE(values.ok()) << values.status();
    return values.ok() ? *values : std::vector<int>{};
  }

  std::unique_ptr<testing::TestDatabase> db_;
  std::unique_ptr<Pool> pool_;
  std::filesystem::path dir_;
};

TEST_F(MigrationsTest, AppliesEachFileOnceInNumericOrder) {
  Write("V1__create_log.sql", "CREATE TABLE log (id serial PRIMARY KEY, v int NOT NULL);");
  // "V10" sorts before "V2" as text; numeric order must win.
  Write("V10__ten.sql", "INSERT INTO log (v) VALUES (10);");
  Write("V2__two.sql", "INSERT INTO log (v) VALUES (2);\nINSERT INTO log (v) VALUES (3);");
  Write("README.md", "not a migration");

  Status first = RunMigrations(*pool_, dir_);
  ASSERT_TRUE(first.ok()) << first;
  EXPECT_EQ(Log(), (std::vector<int>{2, 3, 10}));
  EXPECT_EQ(AppliedVersions(), (std::vector<int>{1, 2, 10}));

  Status again = RunMigrations(*pool_, dir_);
  ASSERT_TRUE(again.ok()) << again;
  EXPECT_EQ(Log(), (std::vector<int>{2, 3, 10}));

  Write("V11__eleven.sql", "INSERT INTO log (v) VALUES (11);");
  ASSERT_TRUE(RunMigrations(*pool_, dir_).ok());
  EXPECT_EQ(Log(), (std::vector<int>{2, 3, 10, 11}));
  EXPECT_EQ(AppliedVersions(), (std::vector<int>{1, 2, 10, 11}));
}

TEST_F(MigrationsTest, RefusesWhenAnAppliedFileChanged) {
  Write("V001__create_log.sql", "CREATE TABLE log (id serial PRIMARY KEY, v int NOT NULL);");
  Write("V002__one.sql", "INSERT INTO log (v) VALUES (1);");
  ASSERT_TRUE(RunMigrations(*pool_, dir_).ok());

  Write("V002__one.sql", "INSERT INTO log (v) VALUES (100);");
  Write("V003__three.sql", "INSERT INTO log (v) VALUES (3);");
  Status s = RunMigrations(*pool_, dir_);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s;
  EXPECT_EQ(Log(), (std::vector<int>{1}));
  EXPECT_EQ(AppliedVersions(), (std::vector<int>{1, 2}));
}

TEST_F(MigrationsTest, FailingFileRollsBackAloneAndStops) {
  Write("V1__create_log.sql", "CREATE TABLE log (id serial PRIMARY KEY, v int NOT NULL);");
  Write("V2__broken.sql", "INSERT INTO log (v) VALUES (2);\nCREATE TABLE broken (;");
  Write("V3__three.sql", "INSERT INTO log (v) VALUES (3);");
  Status s = RunMigrations(*pool_, dir_);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("V2__broken.sql"), std::string::npos) << s;
  EXPECT_EQ(Log(), std::vector<int>{});
  EXPECT_EQ(AppliedVersions(), (std::vector<int>{1}));

  Write("V2__broken.sql", "INSERT INTO log (v) VALUES (2);");
  ASSERT_TRUE(RunMigrations(*pool_, dir_).ok());
  EXPECT_EQ(Log(), (std::vector<int>{2, 3}));
}

TEST_F(MigrationsTest, RefusesBadlyNamedAndDuplicateFiles) {
  Write("v1_create.sql", "SELECT 1;");
  EXPECT_EQ(RunMigrations(*pool_, dir_).code(), StatusCode::kFailedPrecondition);
  std::filesystem::remove(dir_ / "v1_create.sql");

  Write("V1__a.sql", "SELECT 1;");
  Write("V01__b.sql", "SELECT 1;");
  EXPECT_EQ(RunMigrations(*pool_, dir_).code(), StatusCode::kFailedPrecondition);

  EXPECT_EQ(RunMigrations(*pool_, dir_ / "missing").code(), StatusCode::kFailedPrecondition);
}

TEST_F(MigrationsTest, ConcurrentRunsApplyEachFileOnce) {
  // The first file is slow, so the second runner arrives while the first still holds the lock.
  Write("V1__create_log.sql",
        "CREATE TABLE log (id serial PRIMARY KEY, v int NOT NULL);\nSELECT pg_sleep(0.5);");
  Write("V2__two.sql", "INSERT INTO log (v) VALUES (2);");
  Write("V3__three.sql", "INSERT INTO log (v) VALUES (3);");

  // Two pools stand for two processes starting at once.
  auto other = db_->NewPool(1);
  ASSERT_TRUE(other.ok()) << other.status();
  Status a;
  Status b;
  std::thread first([&] { a = RunMigrations(*pool_, dir_); });
  std::thread second([&] { b = RunMigrations(**other, dir_); });
  first.join();
  second.join();
  EXPECT_TRUE(a.ok()) << a;
  EXPECT_TRUE(b.ok()) << b;
  EXPECT_EQ(Log(), (std::vector<int>{2, 3}));
  EXPECT_EQ(AppliedVersions(), (std::vector<int>{1, 2, 3}));
}

}  // namespace
}  // namespace messenger::pg
