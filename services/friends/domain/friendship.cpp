#include "friends/domain/friendship.hpp"

#include "friends/domain/friend_event.hpp"

namespace messenger::friends {

std::string_view FriendshipStatusName(FriendshipStatus status) {
  switch (status) {
    case FriendshipStatus::kRequested:
      return "requested";
    case FriendshipStatus::kAccepted:
      return "accepted";
    case FriendshipStatus::kRejected:
      return "rejected";
    case FriendshipStatus::kRemoved:
      return "removed";
  }
  return "unknown";
}

std::optional<FriendshipStatus> ParseFriendshipStatus(std::string_view name) {
  if (name == "requested") return FriendshipStatus::kRequested;
  if (name == "accepted") return FriendshipStatus::kAccepted;
  if (name == "rejected") return FriendshipStatus::kRejected;
  if (name == "removed") return FriendshipStatus::kRemoved;
  return std::nullopt;
}

std::string_view DirectionName(Direction direction) {
  return direction == Direction::kIncoming ? "incoming" : "outgoing";
}

UserPair UserPair::Of(const std::string& a, const std::string& b) {
  return a < b ? UserPair(a, b) : UserPair(b, a);
}

std::string_view FriendEventKindName(FriendEvent::Kind kind) {
  switch (kind) {
    case FriendEvent::Kind::kRequestSent:
      return "FriendRequestSent";
    case FriendEvent::Kind::kRequestAccepted:
      return "FriendRequestAccepted";
    case FriendEvent::Kind::kRequestRejected:
      return "FriendRequestRejected";
    case FriendEvent::Kind::kRemoved:
      return "FriendRemoved";
  }
  return "Unknown";
}

}  // namespace messenger::friends
