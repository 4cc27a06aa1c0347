// A Redis client created on first use, so that the service starts, and serves from PostgreSQL, while Redis
// is down. Once created, the client reconnects by itself (see messenger/redis/client.hpp).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>

#include "messenger/common/config.hpp"
#include "messenger/common/status.hpp"
#include "messenger/redis/client.hpp"

namespace messenger::users {

class LazyRedisClient {
 public:
  // Tries to create the client at most once per `retry_interval`.
  LazyRedisClient(RedisSettings settings, redis::ClientOptions options,
                  std::chrono::milliseconds retry_interval = std::chrono::seconds(1));
  // Wraps a client that already exists.
  explicit LazyRedisClient(std::unique_ptr<redis::Client> client);

  // The client, or UNAVAILABLE while it cannot be created. The pointer lives as long as this object.
  StatusOr<redis::Client*> Get();

 private:
  const RedisSettings settings_;
  const redis::ClientOptions options_;
  const std::chrono::milliseconds retry_interval_{0};
  std::mutex mu_;
  std::unique_ptr<redis::Client> client_;
  Status last_error_;
  std::chrono::steady_clock::time_point next_attempt_{};
};

}  // namespace messenger::users
