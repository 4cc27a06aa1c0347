#include "friends/storage/redis_connection.hpp"

namespace messenger::friends {

StatusOr<redis::Client*> RedisConnection::Client() {
  std::lock_guard lock(mu_);
  if (client_) return client_.get();
  const auto now = std::chrono::steady_clock::now();
  if (now < next_attempt_) return UnavailableError("redis unavailable: " + last_error_.message());
  next_attempt_ = now + retry_interval_;
  auto created = redis::Client::Create(settings_, options_);
  if (!created.ok()) {
    last_error_ = created.status();
    return last_error_;
  }
  client_ = std::move(created).value();
  return client_.get();
}

}  // namespace messenger::friends
