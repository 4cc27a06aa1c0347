// Throttle over Redis: one counter per key, "<prefix><key>", whose TTL is the window (fixed window opened
// by the first hit). The default prefix is "auth:throttle:".
#pragma once

#include <string>

#include "auth/domain/throttle.hpp"
#include "messenger/redis/client.hpp"

namespace messenger::auth {

class RedisThrottle final : public Throttle {
 public:
  // `redis` must outlive the throttle.
  explicit RedisThrottle(redis::Client& redis, std::string prefix = "auth:throttle:")
      : redis_(redis), prefix_(std::move(prefix)) {}

  StatusOr<WindowCount> Hit(const std::string& key, std::chrono::seconds window) override;
  StatusOr<WindowCount> Peek(const std::string& key) override;
  Status Reset(const std::string& key) override;

 private:
  redis::Client& redis_;
  const std::string prefix_;
};

}  // namespace messenger::auth
