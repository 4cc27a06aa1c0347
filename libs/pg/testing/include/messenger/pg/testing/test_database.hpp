// Test support: a throw-away PostgreSQL database per test, on the server named by the environment.
#pragma once

#include <memory>
#include <string>

#include "messenger/common/config.hpp"
#include "messenger/common/status.hpp"
#include "messenger/pg/pool.hpp"

namespace messenger::pg::testing {

// Creates database `t_<random>` (PG_HOST, PG_PORT, PG_USER, PG_PASSWORD from the environment) and drops it,
// with any sessions still connected, when destroyed. Typical use in a fixture:
//   auto db = TestDatabase::Create();  ASSERT_TRUE(db.ok()) << db.status();
//   auto pool = (*db)->NewPool();
class TestDatabase {
 public:
  static StatusOr<std::unique_ptr<TestDatabase>> Create();
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  const std::string& name() const { return settings_.database; }
  // Settings pointing at the new database.
  const PgSettings& settings() const { return settings_; }
  // A pool on the new database.
  StatusOr<std::unique_ptr<Pool>> NewPool(int pool_size = 4) const;

 private:
  explicit TestDatabase(PgSettings settings) : settings_(std::move(settings)) {}
  PgSettings settings_;
};

}  // namespace messenger::pg::testing
