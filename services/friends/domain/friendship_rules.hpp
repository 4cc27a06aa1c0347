// The friendship state machine as a pure function: given the pair's current row (locked by the caller),
// what an action does to it. No I/O, so every rule is tested directly.
//
//   action   current row                       result
//   Send     none                              insert requested(actor)               FriendRequestSent
//            requested by actor                ALREADY_EXISTS ALREADY_REQUESTED
//            requested by the other user       accepted (their request)              FriendRequestAccepted
//            accepted                          ALREADY_EXISTS ALREADY_FRIENDS
//            rejected (either way)             requested(actor) again                FriendRequestSent
//   Accept   requested by the other user       accepted                              FriendRequestAccepted
//            anything else                     NOT_FOUND REQUEST_NOT_FOUND
//   Reject   requested by the other user       rejected                              FriendRequestRejected
//            anything else                     NOT_FOUND REQUEST_NOT_FOUND
//   Remove   accepted                          row deleted                           FriendRemoved
//            anything else                     NOT_FOUND NOT_FRIENDS
#pragma once

#include <optional>
#include <string>

#include "friends/domain/friend_event.hpp"
#include "friends/domain/friendship.hpp"
#include "messenger/common/status.hpp"

namespace messenger::friends {

enum class FriendAction { kSend, kAccept, kReject, kRemove };

inline constexpr char kReasonAlreadyRequested[] = "ALREADY_REQUESTED";
inline constexpr char kReasonAlreadyFriends[] = "ALREADY_FRIENDS";
inline constexpr char kReasonRequestNotFound[] = "REQUEST_NOT_FOUND";
inline constexpr char kReasonNotFriends[] = "NOT_FRIENDS";

struct Transition {
  enum class Write { kInsert, kUpdate, kDelete };
  Write write = Write::kInsert;
  Friendship row;  // the row to insert or update to; for kDelete, the row deleted
  FriendEvent event;
  FriendshipStatus result = FriendshipStatus::kRequested;  // what the caller is told
};

// `actor` acts on `pair` (of which it is a member) whose current row is `current`.
StatusOr<Transition> Decide(FriendAction action, const std::string& actor, const UserPair& pair,
                            const std::optional<Friendship>& current, TimePoint now);

}  // namespace messenger::friends
