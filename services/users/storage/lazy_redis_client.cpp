#include "users/storage/lazy_redis_client.hpp"

#include <utility>

namespace messenger::users {

LazyRedisClient::LazyRedisClient(RedisSettings settings, redis::ClientOptions options,
                                 std::chrono::milliseconds retry_interval)
    : settings_(std::move(settings)), options_(std::move(options)), retry_interval_(retry_interval) {}

LazyRedisClient::LazyRedisClient(std::unique_ptr<redis::Client> client) : client_(std::move(client)) {}

StatusOr<redis::Client*> LazyRedisClient::Get() {
  std::lock_guard lock(mu_);
  if (client_) return client_.get();
  auto now = std::chrono::steady_clock::now();
  if (now < next_attempt_) return last_error_;
  next_attempt_ = now + retry_interval_;
  StatusOr<std::unique_ptr<redis::Client>> created = redis::Client::Create(settings_, options_);
  if (!created.ok()) {
    last_error_ = created.status();
    return last_error_;
  }
  client_ = std::move(created).value();
  return client_.get();
}

}  // namespace messenger::users
