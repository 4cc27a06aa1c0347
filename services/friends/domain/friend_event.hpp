// The events a change of friendship produces; exactly one per change, published through the outbox.
#pragma once

#include <string>

#include "friends/domain/friendship.hpp"

namespace messenger::friends {

struct FriendEvent {
  enum class Kind { kRequestSent, kRequestAccepted, kRequestRejected, kRemoved };
  Kind kind = Kind::kRequestSent;
  // Who acted: the sender, the accepter, the rejecter, the user who removed the friend.
  std::string actor_id;
  // The other user: the receiver of the request, the requester (accepted/rejected), the removed friend.
  std::string subject_id;
  TimePoint occurred_at;

  // The record key: the lower ID of the pair, so that every event of one friendship lands on the same
  // partition, in the order the changes committed.
  const std::string& PartitionKey() const { return actor_id < subject_id ? actor_id : subject_id; }
  friend bool operator==(const FriendEvent&, const FriendEvent&) = default;
};

std::string_view FriendEventKindName(FriendEvent::Kind kind);

}  // namespace messenger::friends
