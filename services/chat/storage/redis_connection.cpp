#include "chat/storage/redis_connection.hpp"

namespace messenger::chat {

StatusOr<redis::Client*> RedisConnection::Client() {
  std::lock_guard lock(mu_);
  if (client_) return client_.get();
  const auto now = std::chrono::steady_clock::now();
  if (now < next_attempt_) return UnavailableError("redis unavailable: " + last_error_.message());
  next_attempt_ = now + retry_interval_;
  StatusOr<std::unique_ptr<redis::Client>> created = redis::Client::Create(settings_, options_);
  if (!created.ok()) {
    last_error_ = created.status();
    return last_error_;
  }
  client_ = *std::move(created);
  return client_.get();
}

}  // namespace messenger::chat
