// The Friends service's rules: friend requests and their answers, the friend list, and the friendship check
// other services use. Every call acts for `user_id` (the authenticated caller) and names the other user by
// nickname, as the public API does.
//
// Consistency: a change locks the pair's row (FriendshipTransaction) and emits its one event in the same
// transaction; after the commit it invalidates both users' cached entries. Reads go through FriendCache and
// fall back to the repository whenever the cache fails.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "friends/domain/friend_cache.hpp"
#include "friends/domain/friendship.hpp"
#include "friends/domain/friendship_repository.hpp"
#include "friends/domain/friendship_rules.hpp"
#include "friends/domain/presence.hpp"
#include "friends/domain/user_directory.hpp"
#include "messenger/common/ids.hpp"
#include "messenger/common/status.hpp"

namespace messenger::friends {

inline constexpr std::size_t kMaxAreFriendsIds = 1000;

class FriendshipService {
 public:
  FriendshipService(FriendshipRepository& repository, FriendCache& cache, UserDirectory& directory,
                    Presence& presence, const Clock& clock)
      : repository_(repository), cache_(cache), directory_(directory), presence_(presence), clock_(clock) {}

  // REQUESTED, or ACCEPTED when that user had already asked us (their request is accepted).
  // INVALID_ARGUMENT for oneself or a bad argument; NOT_FOUND for an unknown nickname; ALREADY_EXISTS
  // (ALREADY_FRIENDS, ALREADY_REQUESTED). After a rejection, either user may ask again.
  StatusOr<FriendshipStatus> SendRequest(const std::string& user_id, const std::string& nickname);
  // ACCEPTED. NOT_FOUND (REQUEST_NOT_FOUND) unless that user has a pending request to the caller.
  StatusOr<FriendshipStatus> AcceptRequest(const std::string& user_id, const std::string& nickname);
  // REJECTED. NOT_FOUND (REQUEST_NOT_FOUND) unless that user has a pending request to the caller.
  StatusOr<FriendshipStatus> RejectRequest(const std::string& user_id, const std::string& nickname);
  // REMOVED, for both users at once. NOT_FOUND (NOT_FRIENDS) when the two are not friends.
  StatusOr<FriendshipStatus> RemoveFriend(const std::string& user_id, const std::string& nickname);

  // The caller's friends, ordered by nickname, with their nicknames (one batched directory call) and
  // whether they are online (one presence round trip; offline for everyone when presence is unavailable).
  StatusOr<std::vector<FriendView>> ListFriends(const std::string& user_id);
  // Pending requests received (incoming) or sent (outgoing) by the caller, newest first.
  StatusOr<std::vector<PendingView>> ListPending(const std::string& user_id, Direction direction);
  // Whether every one of `other_ids` is a friend of `user_id` (nobody is their own friend). At most
  // kMaxAreFriendsIds IDs; an empty list is trivially true.
  StatusOr<AreFriendsResult> AreFriends(const std::string& user_id,
                                        const std::vector<std::string>& other_ids);

 private:
  StatusOr<FriendshipStatus> Change(FriendAction action, const std::string& user_id,
                                    const std::string& nickname);
  StatusOr<std::vector<FriendRecord>> LoadFriends(const std::string& user_id);
  StatusOr<std::vector<PendingRecord>> LoadPending(const std::string& user_id, Direction direction);
  void InvalidateAfterCommit(const std::vector<std::string>& user_ids);

  FriendshipRepository& repository_;
  FriendCache& cache_;
  UserDirectory& directory_;
  Presence& presence_;
  const Clock& clock_;
};

}  // namespace messenger::friends
