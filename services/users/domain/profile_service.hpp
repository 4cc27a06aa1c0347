// The rules of public profiles: validation, nickname reservations, and the cache-aside read path.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "messenger/common/ids.hpp"
#include "messenger/common/status.hpp"
#include "users/domain/profile.hpp"
#include "users/domain/profile_cache.hpp"
#include "users/domain/profile_repository.hpp"

namespace messenger::users {

struct ProfileServiceOptions {
  // How long a nickname reservation lives (RESERVATION_TTL_S). Long enough to outlast a Kafka outage
  // between Auth publishing UserRegistered and this service consuming it.
  std::chrono::seconds reservation_ttl{86400};
  // SearchUsers limit when the request gives none (0).
  int default_search_limit = 20;
};

inline constexpr int kSearchMaxLimit = 100;
inline constexpr std::size_t kBatchGetMaxIds = 1000;

// Thread-safe when its repository and cache are.
class ProfileService {
 public:
  ProfileService(ProfileRepository& repository, ProfileCache& cache, const Clock& clock,
                 ProfileServiceOptions options = {});

  // NOT_FOUND for an unknown (or malformed) user ID.
  StatusOr<Profile> GetProfile(std::string_view user_id);

  // Case-insensitive. NOT_FOUND for an unknown nickname, including one given up by a rename, and for a
  // string that cannot be a nickname.
  StatusOr<Profile> GetProfileByNickname(std::string_view nickname);

  // Applies the fields that are set. INVALID_ARGUMENT for a bad value, NOT_FOUND for an unknown user,
  // ALREADY_EXISTS (NICKNAME_TAKEN) when the new nickname is someone else's. The change is visible to every
  // reader once this returns (the cache is invalidated after the commit).
  StatusOr<Profile> UpdateProfile(std::string_view user_id, const ProfileChanges& changes);

  // Nicknames starting with `prefix` (case-insensitive; '_' is a literal), ordered by nickname.
  // INVALID_ARGUMENT for an empty prefix or a limit outside 1..100; limit 0 means the default (20).
  StatusOr<std::vector<Profile>> SearchUsers(std::string_view prefix, int limit);

  // The profiles of the IDs that exist; unknown or malformed IDs are left out. INVALID_ARGUMENT for more
  // than 1000 IDs.
  StatusOr<std::vector<Profile>> BatchGetProfiles(const std::vector<std::string>& user_ids);

  // Reserves a nickname for a user about to be registered, for reservation_ttl. INVALID_ARGUMENT for a bad
  // nickname or user ID; ALREADY_EXISTS (NICKNAME_TAKEN) when someone else holds it.
  StatusOr<Reservation> ReserveNickname(std::string_view nickname, std::string_view user_id);

  // Gives up the user's reservation of the nickname; idempotent. INVALID_ARGUMENT for a malformed input.
  Status ReleaseNickname(std::string_view nickname, std::string_view user_id);

  // Housekeeping: deletes reservations that have expired; returns how many.
  StatusOr<std::int64_t> DeleteExpiredReservations();

 private:
  // Reads the profile through the cache, filling the cache on a miss.
  StatusOr<Profile> LoadProfile(const std::string& user_id);
  // Reads the profile from the repository and caches it with the token of the lookup that missed.
  StatusOr<Profile> FillProfile(const std::string& user_id, const std::string& fill_token);
  // Logs a cache failure, at most once per 10 seconds, and otherwise ignores it.
  void NoteCacheFailure(std::string_view operation, const Status& status);

  ProfileRepository& repository_;
  ProfileCache& cache_;
  const Clock& clock_;
  const ProfileServiceOptions options_;
  std::atomic<std::int64_t> last_cache_warning_ms_{0};
};

}  // namespace messenger::users
