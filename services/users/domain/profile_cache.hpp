// A cache in front of the profile repository (cache-aside). Every method may fail (the cache server is
// down); callers then fall back to the repository and never report the failure to their clients.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "messenger/common/status.hpp"
#include "users/domain/profile.hpp"

namespace messenger::users {

// The result of looking a profile up: the profile when cached, and a fill token to hand to PutProfile after
// reading the profile from the repository. The token makes a fill that raced with an invalidation a no-op,
// so that a profile read before an update was committed is never cached after the update's invalidation.
struct CachedProfile {
  std::optional<Profile> profile;
  std::string fill_token;
};

// A nickname lookup: the user ID the nickname was cached for, and that user's cache entry.
struct CachedNickname {
  std::optional<std::string> user_id;  // nullopt: the nickname is not cached
  CachedProfile entry;                 // meaningful when user_id is set
};

class ProfileCache {
 public:
  virtual ~ProfileCache() = default;

  virtual StatusOr<CachedProfile> GetProfile(const std::string& user_id) = 0;
  // One lookup per ID, in the order given, in one round trip.
  virtual StatusOr<std::vector<CachedProfile>> GetProfiles(const std::vector<std::string>& user_ids) = 0;

  // Caches the profile unless its entry was invalidated since the lookup that produced `fill_token`.
  virtual Status PutProfile(const Profile& profile, const std::string& fill_token) = 0;
  // PutProfile for several profiles, in one round trip; fill_tokens[i] belongs to profiles[i].
  virtual Status PutProfiles(const std::vector<Profile>& profiles,
                             const std::vector<std::string>& fill_tokens) = 0;

  // The user ID a lowercased nickname resolved to when it was cached. May be stale: callers check that the
  // profile they then load still carries that nickname.
  virtual StatusOr<std::optional<std::string>> GetUserIdByNickname(const std::string& nickname_lower) = 0;
  virtual Status PutNickname(const std::string& nickname_lower, const std::string& user_id) = 0;
  // GetUserIdByNickname and then GetProfile of that ID; a cache may answer both in one round trip. The same
  // staleness caveat applies.
  virtual StatusOr<CachedNickname> GetByNickname(const std::string& nickname_lower) {
    CachedNickname out;
    MESSENGER_ASSIGN_OR_RETURN(out.user_id, GetUserIdByNickname(nickname_lower));
    if (out.user_id) {
      MESSENGER_ASSIGN_OR_RETURN(out.entry, GetProfile(*out.user_id));
    }
    return out;
  }

  // Forgets the user's profile and the given nickname mappings, and voids outstanding fill tokens of the
  // user. Called after an update committed.
  virtual Status Invalidate(const std::string& user_id, const std::vector<std::string>& nicknames_lower) = 0;
};

}  // namespace messenger::users
