// Presence over Redis: a user is online while the key "{prefix}{user_id}" exists (prefix "presence:").
// The gateway writes those keys (with a TTL it refreshes while the WebSocket is open); Friends only reads.
#pragma once

#include <string>

#include "friends/domain/presence.hpp"
#include "friends/storage/redis_connection.hpp"

namespace messenger::friends {

class RedisPresence final : public Presence {
 public:
  explicit RedisPresence(RedisConnection& redis, std::string prefix = "presence:")
      : redis_(redis), prefix_(std::move(prefix)) {}

  // One MGET for all the IDs.
  StatusOr<std::vector<bool>> AreOnline(const std::vector<std::string>& user_ids) override;

 private:
  RedisConnection& redis_;
  const std::string prefix_;
};

}  // namespace messenger::friends
