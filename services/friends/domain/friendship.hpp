// The friendship between two users: one row per pair of users, whichever of them asked.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace messenger::friends {

using TimePoint = std::chrono::system_clock::time_point;

// The state of a pair's row. kRemoved is never stored (removal deletes the row); it is what RemoveFriend
// reports.
enum class FriendshipStatus { kRequested, kAccepted, kRejected, kRemoved };

// "requested", "accepted", "rejected", "removed": the words the database and the logs use.
std::string_view FriendshipStatusName(FriendshipStatus status);
std::optional<FriendshipStatus> ParseFriendshipStatus(std::string_view name);

enum class Direction { kIncoming, kOutgoing };
std::string_view DirectionName(Direction direction);

// Two distinct user IDs in a canonical order (low < high, compared as strings; lowercase UUIDs compare the
// same way as PostgreSQL's uuid type), so that a pair has one identity whichever user names it.
class UserPair {
 public:
  // a != b is the caller's responsibility.
  static UserPair Of(const std::string& a, const std::string& b);
  const std::string& low() const { return low_; }
  const std::string& high() const { return high_; }
  // The member of the pair that is not `user_id`.
  const std::string& Other(const std::string& user_id) const { return user_id == low_ ? high_ : low_; }
  friend bool operator==(const UserPair&, const UserPair&) = default;

 private:
  UserPair(std::string low, std::string high) : low_(std::move(low)), high_(std::move(high)) {}
  std::string low_;
  std::string high_;
};

// One row of the friendships table.
struct Friendship {
  UserPair pair;
  // Who made the request the row stands for (the latest one, after a rejection and a new request).
  std::string requester_id;
  FriendshipStatus status = FriendshipStatus::kRequested;
  // When the current request was made.
  TimePoint created_at;
  // When the status last changed; for an accepted row, when the friendship began.
  TimePoint updated_at;

  // The user the current request was sent to.
  const std::string& ReceiverId() const { return pair.Other(requester_id); }
};

// An accepted friend of some user, as stored.
struct FriendRecord {
  std::string user_id;
  TimePoint since;
  friend bool operator==(const FriendRecord&, const FriendRecord&) = default;
};

// A pending request to (incoming) or from (outgoing) some user, as stored: user_id is the other user.
struct PendingRecord {
  std::string user_id;
  TimePoint created_at;
  friend bool operator==(const PendingRecord&, const PendingRecord&) = default;
};

// What the service answers: records joined with profile names and presence.
struct FriendView {
  std::string user_id;
  std::string nickname;  // empty when the Users service does not know the ID (should not happen)
  TimePoint since;
  bool online = false;
};

struct PendingView {
  std::string user_id;
  std::string nickname;
  FriendshipStatus status = FriendshipStatus::kRequested;
  TimePoint created_at;
};

struct AreFriendsResult {
  bool are_friends = true;
  // The asked IDs that are not friends of the user, in the order asked, without repetitions.
  std::vector<std::string> not_friends;
};

}  // namespace messenger::friends
