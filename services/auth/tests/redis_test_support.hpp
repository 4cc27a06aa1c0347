// A Redis client on the server named by the environment, for integration tests.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "messenger/common/config.hpp"
#include "messenger/redis/client.hpp"

namespace messenger::auth::testing {

inline std::unique_ptr<redis::Client> ConnectRedisOrFail() {
  RedisSettings settings = RedisSettings::FromEnv();
  redis::ClientOptions options = redis::ClientOptions::FromSettings(settings);
  options.pool_size = 16;
  auto client = redis::Client::Create(settings, options);
  EXPECT_TRUE(client.ok()) << client.status();
  return client.ok() ? std::move(client).value() : nullptr;
}

}  // namespace messenger::auth::testing
