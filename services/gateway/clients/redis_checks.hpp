// The gateway's use of Redis: the revocation check on every authenticated request (the keys Auth maintains,
// see messenger/token/revocation.hpp) and the /readyz PING.
//
// Both run on AsyncRedisClient (the io_context, no thread hand-off). LazyRedisClient is the blocking libs/redis
// client the real-time presence store uses (on a BlockingPool).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>

#include "clients/async_redis_client.hpp"
#include "clients/readiness_probe.hpp"
#include "clients/session_liveness.hpp"
#include "messenger/common/config.hpp"
#include "messenger/redis/client.hpp"

namespace messenger::gateway {

// The Redis client, created on first use so that the gateway starts (and answers /healthz, and 503 on
// /readyz) while Redis is down. Creation is retried at most once per `retry_interval`; in between, callers
// get UNAVAILABLE at once instead of each waiting for a connect timeout. Blocking; thread-safe.
class LazyRedisClient {
 public:
  explicit LazyRedisClient(RedisSettings settings,
                           std::chrono::milliseconds retry_interval = std::chrono::milliseconds(1000));

  StatusOr<redis::Client*> Get();

 private:
  const RedisSettings settings_;
  const std::chrono::milliseconds retry_interval_;
  std::mutex mu_;
  std::unique_ptr<redis::Client> client_;
  std::chrono::steady_clock::time_point next_attempt_{};
  Status last_error_;
};

// One round trip: EXISTS auth:session:<sid> and EXISTS auth:revoked-jti:<jti> in a pipeline.
class AsyncRedisSessionLiveness final : public SessionLiveness {
 public:
  explicit AsyncRedisSessionLiveness(AsyncRedisClient& redis) : redis_(redis) {}
  boost::asio::awaitable<Status> CheckAlive(std::string session_id, std::string jti) override;

 private:
  AsyncRedisClient& redis_;
};

class AsyncRedisPingProbe final : public ReadinessProbe {
 public:
  explicit AsyncRedisPingProbe(AsyncRedisClient& redis) : redis_(redis) {}
  std::string_view name() const override { return "redis"; }
  boost::asio::awaitable<Status> Check(std::string request_id) override;

 private:
  AsyncRedisClient& redis_;
};

}  // namespace messenger::gateway
