// Storage of friendships. State changes go through a transaction that locks the pair's row, so that two
// users acting on the same pair at the same moment are serialised (see FriendshipService).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "friends/domain/event_sink.hpp"
#include "friends/domain/friendship.hpp"
#include "messenger/common/status.hpp"

namespace messenger::friends {

// One open transaction. Every method fails (and the transaction rolls back) when the database does.
class FriendshipTransaction {
 public:
  virtual ~FriendshipTransaction() = default;

  // The pair's row, locked until the transaction ends (no other transaction can change it meanwhile), or
  // nullopt when the pair has no row. The absence of a row is not locked: create rows with Insert only.
  virtual StatusOr<std::optional<Friendship>> LockPair(const UserPair& pair) = 0;

  // Creates the pair's row, which this transaction found absent. Returns false and changes nothing when
  // another transaction created the pair's row meanwhile (it waits for that one to end first); the caller
  // then calls LockPair again, which sees that row, and decides again.
  virtual StatusOr<bool> Insert(const Friendship& row) = 0;

  // Overwrites requester_id, status, created_at and updated_at of a row locked by this transaction.
  virtual Status Update(const Friendship& row) = 0;

  // Deletes a row locked by this transaction.
  virtual Status Delete(const UserPair& pair) = 0;

  // The sink whose events are published if and only if this transaction commits.
  virtual EventSink& Events() = 0;
};

class FriendshipRepository {
 public:
  using Work = std::function<Status(FriendshipTransaction&)>;

  virtual ~FriendshipRepository() = default;

  // Runs `work` in one transaction, committing when it returns OK and rolling back otherwise (its Status is
  // returned). `work` may run more than once, each time in a fresh transaction, when the database aborts
  // one (serialization failure, deadlock) — so it must have no effect outside the transaction.
  virtual Status InTransaction(const Work& work) = 0;

  // The accepted friends of `user_id`, with when each friendship was accepted, in no particular order.
  // One database query whatever the number of friends. An unknown user simply has none.
  virtual StatusOr<std::vector<FriendRecord>> ListFriends(const std::string& user_id) = 0;

  // The requests still waiting for an answer (status requested) that `user_id` received (incoming) or sent
  // (outgoing), in no particular order. One database query. Rejected requests are not pending.
  virtual StatusOr<std::vector<PendingRecord>> ListPending(const std::string& user_id,
                                                           Direction direction) = 0;
};

}  // namespace messenger::friends
