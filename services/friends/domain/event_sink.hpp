// Where the domain hands the events of a change. An EventSink belongs to one transaction: what is emitted is
// published if and only if that transaction commits (the PostgreSQL implementation writes to the outbox).
#pragma once

#include "friends/domain/friend_event.hpp"
#include "messenger/common/status.hpp"

namespace messenger::friends {

class EventSink {
 public:
  virtual ~EventSink() = default;
  // Records the event in the current transaction. Fails only when the transaction does (then it rolls back).
  virtual Status Emit(const FriendEvent& event) = 0;
};

}  // namespace messenger::friends
