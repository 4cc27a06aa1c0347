// Shared set-up of the Users integration tests: a throw-away PostgreSQL database with the service's
// migrations applied, and a Redis key prefix of its own that is cleaned up afterwards.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "messenger/common/testing/fake_clock.hpp"
#include "messenger/common/config.hpp"
#include "messenger/common/ids.hpp"
#include "messenger/pg/migrations.hpp"
#include "messenger/pg/testing/test_database.hpp"
#include "messenger/redis/client.hpp"
#include "users/domain/profile_service.hpp"
#include "users/domain/validation.hpp"
#include "users/storage/lazy_redis_client.hpp"
#include "users/storage/pg_profile_repository.hpp"
#include "users/storage/redis_profile_cache.hpp"

namespace messenger::users {

class UsersIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = pg::testing::TestDatabase::Create();
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(db).value();
    auto pool = db_->NewPool(16);
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = std::move(pool).value();
    Status migrated = pg::RunMigrations(*pool_, USERS_MIGRATIONS_DIR);
    ASSERT_TRUE(migrated.ok()) << migrated;
    auto repo = PgProfileRepository::Create(*pool_);
    ASSERT_TRUE(repo.ok()) << repo.status();
    repo_ = std::move(repo).value();

    prefix_ = "test:users:" + RandomToken(8) + ":";
    auto client = redis::Client::Create(RedisSettings::FromEnv());
    ASSERT_TRUE(client.ok()) << client.status();
    redis_ = std::make_unique<LazyRedisClient>(std::move(client).value());
    RedisProfileCacheOptions options;
    options.key_prefix = prefix_;
    cache_ = std::make_unique<RedisProfileCache>(*redis_, options);
    service_ = std::make_unique<ProfileService>(*repo_, *cache_, clock_);
  }

  void TearDown() override {
    if (!redis_) return;
    auto client = redis_->Get();
    if (!client.ok()) return;
    auto keys = (*client)->Command({"KEYS", prefix_ + "*"});
    if (keys.ok() && keys->type == redis::Reply::Type::kArray && !keys->elements.empty()) {
      std::vector<std::string> names;
      for (const auto& k : keys->elements) names.push_back(k.str);
      (void)(*client)->Del(names);
    }
  }

  redis::Client& RedisForTest() { return **redis_->Get(); }

  std::unique_ptr<pg::testing::TestDatabase> db_;
  std::unique_ptr<pg::Pool> pool_;
  std::unique_ptr<PgProfileRepository> repo_;
  std::string prefix_;
  std::unique_ptr<LazyRedisClient> redis_;
  std::unique_ptr<RedisProfileCache> cache_;
  messenger::testing::FakeClock clock_;
  std::unique_ptr<ProfileService> service_;
};

}  // namespace messenger::users
