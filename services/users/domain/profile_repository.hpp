// Where profiles and nickname ownership are stored. The only implementation that matters is
// PgProfileRepository; tests use InMemoryProfileRepository.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "messenger/common/status.hpp"
#include "users/domain/profile.hpp"

namespace messenger::users {

// Nickname ownership. Every nickname (lowercased) is held by at most one user, in one of two ways:
//  - a reservation (made by Auth before registering a user) that lapses at its expiry time;
//  - ownership through that user's profile (no expiry).
// A nickname is "free for user U" when nobody holds it, when U holds it, or when it is held by an expired
// reservation of someone else. Taking a nickname that is free for U is atomic with respect to every other
// taker: two concurrent takers of one nickname (in any letter case) never both succeed.
//
// Arguments named *_lower are already lowercased; user IDs are lowercase UUIDs. `now` is the caller's clock
// (reservation expiry is judged against it, not against the database's clock).
class ProfileRepository {
 public:
  virtual ~ProfileRepository() = default;

  // NOT_FOUND when the user has no profile.
  virtual StatusOr<Profile> FindById(const std::string& user_id) = 0;

  // The profile whose nickname equals `nickname_lower` case-insensitively. NOT_FOUND when there is none
  // (a nickname given up by a rename, or only reserved, has no profile).
  virtual StatusOr<Profile> FindByNickname(const std::string& nickname_lower) = 0;

  // Profiles whose lowercased nickname starts with `prefix_lower`, taken literally ('_' and '%' are not
  // wildcards), ordered by lowercased nickname, at most `limit` (1..100) of them.
  virtual StatusOr<std::vector<Profile>> SearchByNicknamePrefix(const std::string& prefix_lower,
                                                                int limit) = 0;

  // The profiles of the given IDs that exist, in no particular order, read in one query. Unknown IDs are
  // left out; duplicates are allowed in the input and yield one profile.
  virtual StatusOr<std::vector<Profile>> FindByIds(const std::vector<std::string>& user_ids) = 0;

  // Applies validated `changes` to the user's profile in one transaction and returns it before and after.
  // A nickname that differs from the current one other than in letter case must be free for the user:
  // it is taken and the old nickname is given up in the same transaction; otherwise ALREADY_EXISTS with
  // reason NICKNAME_TAKEN and nothing changes. A change of letter case only is always allowed.
  // NOT_FOUND when the user has no profile. updated_at becomes `now`.
  virtual StatusOr<ProfileUpdate> Update(const std::string& user_id, const ProfileChanges& changes,
                                         TimePoint now) = 0;

  // Reserves `nickname_lower` for `user_id` until `expires_at` when it is free for the user (see above);
  // a live reservation of the same user is extended. When the user already owns it through a profile the
  // ownership stays and the result has no expiry. ALREADY_EXISTS with reason NICKNAME_TAKEN otherwise.
  virtual StatusOr<Reservation> ReserveNickname(const std::string& nickname_lower, const std::string& user_id,
                                                TimePoint now, TimePoint expires_at) = 0;

  // Deletes the user's reservation of the nickname, if there is one. Never touches an owned nickname or
  // another user's reservation. OK whether or not something was deleted.
  virtual Status ReleaseNickname(const std::string& nickname_lower, const std::string& user_id) = 0;

  // Creates the profile of a newly registered user in one transaction. When the user already has a profile,
  // nothing changes (kAlreadyExists): a replayed registration never takes a nickname again. Otherwise the
  // candidates are tried in order and the first one free for the user becomes the profile's nickname (its
  // reservation turns into ownership); kCandidatesTaken, with nothing changed, when none is free.
  // Candidates are valid nicknames in their display case.
  virtual StatusOr<RegistrationResult> CreateRegisteredProfile(const std::string& user_id,
                                                               const std::vector<std::string>& candidates,
                                                               TimePoint now) = 0;

  // Deletes reservations that expired before `now`; returns how many.
  virtual StatusOr<std::int64_t> DeleteExpiredReservations(TimePoint now) = 0;
};

}  // namespace messenger::users
