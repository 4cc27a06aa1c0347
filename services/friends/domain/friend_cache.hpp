// A cache in front of FriendshipRepository's reads (cache-aside), per user: the set of friend IDs (for
// AreFriends), the friend list and the two pending lists.
//
// Every lookup that misses returns a fill token; the value read from the repository afterwards is stored
// with that token, and storing is a no-op when the user's entries were invalidated since the lookup. So a
// reader that loaded rows before a change committed can never cache them after the change's invalidation.
//
// Every method may fail (the cache server is down, a timeout); callers then use the repository and never
// report the failure to their clients.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "friends/domain/friendship.hpp"
#include "messenger/common/status.hpp"

namespace messenger::friends {

template <typename T>
struct CacheLookup {
  std::optional<T> value;  // the cached value; nullopt on a miss
  std::string fill_token;  // on a miss: hand it to the matching Store call
};

class FriendCache {
 public:
  virtual ~FriendCache() = default;

  // For each of `other_ids`, in order, whether it is in the user's cached friend set; nullopt when the set
  // is not cached. One round trip.
  virtual StatusOr<CacheLookup<std::vector<bool>>> CheckFriends(
      const std::string& user_id, const std::vector<std::string>& other_ids) = 0;
  virtual Status StoreFriendIds(const std::string& user_id, const std::vector<std::string>& friend_ids,
                                const std::string& fill_token) = 0;

  virtual StatusOr<CacheLookup<std::vector<FriendRecord>>> GetFriends(const std::string& user_id) = 0;
  virtual Status StoreFriends(const std::string& user_id, const std::vector<FriendRecord>& friends,
                              const std::string& fill_token) = 0;

  virtual StatusOr<CacheLookup<std::vector<PendingRecord>>> GetPending(const std::string& user_id,
                                                                       Direction direction) = 0;
  virtual Status StorePending(const std::string& user_id, Direction direction,
                              const std::vector<PendingRecord>& pending, const std::string& fill_token) = 0;

  // Forgets every cached entry of these users and voids their outstanding fill tokens. Called after a
  // change committed, for both users of the pair.
  virtual Status Invalidate(const std::vector<std::string>& user_ids) = 0;
};

}  // namespace messenger::friends
