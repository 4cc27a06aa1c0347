// ProfileCache on Redis. Keys (prefix from USERS_REDIS_PREFIX, default "users:"):
//   <prefix>profile:<user_id>   the profile as JSON, TTL profile_ttl
//   <prefix>nick:<nickname_lower> -> user_id, TTL profile_ttl
//   <prefix>gen:<user_id>       a random token replaced by every invalidation, TTL generation_ttl; a fill
//                               (PutProfile) only writes when the token is still the one its lookup saw
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "messenger/redis/client.hpp"
#include "users/domain/profile_cache.hpp"
#include "users/storage/lazy_redis_client.hpp"

namespace messenger::users {

struct RedisProfileCacheOptions {
  std::string key_prefix = "users:";
  std::chrono::milliseconds profile_ttl{std::chrono::minutes(10)};
  // Must exceed the longest time between a cache lookup and its fill (a database read); an hour is plenty.
  std::chrono::milliseconds generation_ttl{std::chrono::hours(1)};
};

class RedisProfileCache final : public ProfileCache {
 public:
  // `client` must outlive the cache. While it cannot connect, every call fails with UNAVAILABLE.
  RedisProfileCache(LazyRedisClient& client, RedisProfileCacheOptions options);

  StatusOr<CachedProfile> GetProfile(const std::string& user_id) override;
  StatusOr<std::vector<CachedProfile>> GetProfiles(const std::vector<std::string>& user_ids) override;
  Status PutProfile(const Profile& profile, const std::string& fill_token) override;
  Status PutProfiles(const std::vector<Profile>& profiles,
                     const std::vector<std::string>& fill_tokens) override;
  StatusOr<std::optional<std::string>> GetUserIdByNickname(const std::string& nickname_lower) override;
  Status PutNickname(const std::string& nickname_lower, const std::string& user_id) override;
  // One round trip (a script reading the nickname, then the profile and generation keys it leads to).
  StatusOr<CachedNickname> GetByNickname(const std::string& nickname_lower) override;
  Status Invalidate(const std::string& user_id, const std::vector<std::string>& nicknames_lower) override;

  std::string ProfileKey(const std::string& user_id) const {
    return options_.key_prefix + "profile:" + user_id;
  }
  std::string NicknameKey(const std::string& lower) const { return options_.key_prefix + "nick:" + lower; }
  std::string GenerationKey(const std::string& user_id) const {
    return options_.key_prefix + "gen:" + user_id;
  }

 private:
  std::vector<std::string> PutCommand(const Profile& profile, const std::string& fill_token) const;

  LazyRedisClient& client_;
  const RedisProfileCacheOptions options_;
};

// The JSON form of a cached profile, and back (nullopt for anything malformed).
std::string SerializeProfile(const Profile& profile);
std::optional<Profile> ParseProfile(std::string_view json);

}  // namespace messenger::users
