// FriendCache over Redis. Keys (prefix defaults to "friends:"):
//   {p}ids:{uid}               set of friend IDs, plus the sentinel member "-" so that an empty set exists
//   {p}list:{uid}              friend list: "id:since_ms" entries joined by ","
//   {p}pending:{uid}:{dir}     pending list (dir incoming|outgoing): "id:created_ms" entries joined by ","
//   {p}gen:{uid}               generation counter; the fill token is its value, read in the same script as
//                              the miss; Invalidate INCRs it, so a fill started before a change is dropped
// Lookups, fills and invalidations are each one Lua script (atomic, one round trip). Entries live `ttl`;
// generations live `generation_ttl` (renewed by every invalidation), far longer than any fill takes.
#pragma once

#include <chrono>
#include <string>

#include "friends/domain/friend_cache.hpp"
#include "friends/storage/redis_connection.hpp"

namespace messenger::friends {

struct RedisFriendCacheOptions {
  std::string prefix = "friends:";
  std::chrono::milliseconds ttl{std::chrono::minutes(10)};
  std::chrono::milliseconds generation_ttl{std::chrono::hours(24)};
};

class RedisFriendCache final : public FriendCache {
 public:
  RedisFriendCache(RedisConnection& redis, RedisFriendCacheOptions options)
      : redis_(redis), options_(std::move(options)) {}

  StatusOr<CacheLookup<std::vector<bool>>> CheckFriends(const std::string& user_id,
                                                        const std::vector<std::string>& other_ids) override;
  Status StoreFriendIds(const std::string& user_id, const std::vector<std::string>& friend_ids,
                        const std::string& fill_token) override;
  StatusOr<CacheLookup<std::vector<FriendRecord>>> GetFriends(const std::string& user_id) override;
  Status StoreFriends(const std::string& user_id, const std::vector<FriendRecord>& friends,
                      const std::string& fill_token) override;
  StatusOr<CacheLookup<std::vector<PendingRecord>>> GetPending(const std::string& user_id,
                                                               Direction direction) override;
  Status StorePending(const std::string& user_id, Direction direction,
                      const std::vector<PendingRecord>& pending, const std::string& fill_token) override;
  Status Invalidate(const std::vector<std::string>& user_ids) override;

  std::string IdsKey(const std::string& user_id) const { return options_.prefix + "ids:" + user_id; }
  std::string ListKey(const std::string& user_id) const { return options_.prefix + "list:" + user_id; }
  std::string PendingKey(const std::string& user_id, Direction d) const {
    return options_.prefix + "pending:" + user_id + ":" + std::string(DirectionName(d));
  }
  std::string GenerationKey(const std::string& user_id) const { return options_.prefix + "gen:" + user_id; }

 private:
  StatusOr<CacheLookup<std::string>> GetString(const std::string& key, const std::string& user_id);
  StatusOr<redis::Reply> Eval(const char* script, const std::vector<std::string>& keys,
                              const std::vector<std::string>& args);
  Status StoreString(const std::string& key, const std::string& user_id, const std::string& value,
                     const std::string& fill_token);

  RedisConnection& redis_;
  const RedisFriendCacheOptions options_;
};

}  // namespace messenger::friends
