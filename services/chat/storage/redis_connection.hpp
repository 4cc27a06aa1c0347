// The service's Redis client, created on first use, so that the service starts and serves (from MongoDB)
// while Redis is down. Once created, the client reconnects by itself.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>

#include "messenger/common/config.hpp"
#include "messenger/common/status.hpp"
#include "messenger/redis/client.hpp"

namespace messenger::chat {

class RedisConnection {
 public:
  // Tries to create the client at most once per `retry_interval`; in between Client() fails at once.
  RedisConnection(RedisSettings settings, redis::ClientOptions options,
                  std::chrono::milliseconds retry_interval = std::chrono::seconds(1))
      : settings_(std::move(settings)), options_(std::move(options)), retry_interval_(retry_interval) {}

  // The client, or UNAVAILABLE while it cannot be created. The pointer lives as long as this object.
  StatusOr<redis::Client*> Client();

 private:
  const RedisSettings settings_;
  const redis::ClientOptions options_;
  const std::chrono::milliseconds retry_interval_;
  std::mutex mu_;
  std::unique_ptr<redis::Client> client_;
  std::chrono::steady_clock::time_point next_attempt_{};
  Status last_error_;
};

}  // namespace messenger::chat
