#include "friends/domain/friendship_rules.hpp"

namespace messenger::friends {
namespace {

bool RequestedBy(const std::optional<Friendship>& row, const std::string& user_id) {
  return row && row->status == FriendshipStatus::kRequested && row->requester_id == user_id;
}

Transition Make(Transition::Write write, Friendship row, FriendEvent::Kind kind, const std::string& actor,
                TimePoint now, FriendshipStatus result) {
  FriendEvent event{kind, actor, row.pair.Other(actor), now};
  return Transition{write, std::move(row), std::move(event), result};
}

StatusOr<Transition> DecideSend(const std::string& actor, const UserPair& pair,
                                const std::optional<Friendship>& current, TimePoint now) {
  if (!current) {
    Friendship row{pair, actor, FriendshipStatus::kRequested, now, now};
    return Make(Transition::Write::kInsert, std::move(row), FriendEvent::Kind::kRequestSent, actor, now,
                FriendshipStatus::kRequested);
  }
  switch (current->status) {
    case FriendshipStatus::kAccepted:
      return AlreadyExistsError("already friends", kReasonAlreadyFriends);
    case FriendshipStatus::kRequested:
      if (current->requester_id == actor) {
        return AlreadyExistsError("friend request already sent", kReasonAlreadyRequested);
      } else {
        // They asked us first: sending a request back accepts theirs.
        Friendship row = *current;
        row.status = FriendshipStatus::kAccepted;
        row.updated_at = now;
        return Make(Transition::Write::kUpdate, std::move(row), FriendEvent::Kind::kRequestAccepted, actor,
                    now, FriendshipStatus::kAccepted);
      }
    case FriendshipStatus::kRejected:
    case FriendshipStatus::kRemoved: {
      // A rejected request may be made again, by either user; it is a new request.
      Friendship row{pair, actor, FriendshipStatus::kRequested, now, now};
      return Make(Transition::Write::kUpdate, std::move(row), FriendEvent::Kind::kRequestSent, actor, now,
                  FriendshipStatus::kRequested);
    }
  }
  return InternalError("unknown friendship status");
}

}  // namespace

StatusOr<Transition> Decide(FriendAction action, const std::string& actor, const UserPair& pair,
                            const std::optional<Friendship>& current, TimePoint now) {
  const std::string& other = pair.Other(actor);
  switch (action) {
    case FriendAction::kSend:
      return DecideSend(actor, pair, current, now);
    case FriendAction::kAccept: {
      if (!RequestedBy(current, other)) {
        return NotFoundError("no pending request from that user", kReasonRequestNotFound);
      }
      Friendship row = *current;
      row.status = FriendshipStatus::kAccepted;
      row.updated_at = now;
      return Make(Transition::Write::kUpdate, std::move(row), FriendEvent::Kind::kRequestAccepted, actor, now,
                  FriendshipStatus::kAccepted);
    }
    case FriendAction::kReject: {
      if (!RequestedBy(current, other)) {
        return NotFoundError("no pending request from that user", kReasonRequestNotFound);
      }
      Friendship row = *current;
      row.status = FriendshipStatus::kRejected;
      row.updated_at = now;
      return Make(Transition::Write::kUpdate, std::move(row), FriendEvent::Kind::kRequestRejected, actor, now,
                  FriendshipStatus::kRejected);
    }
    case FriendAction::kRemove: {
      if (!current || current->status != FriendshipStatus::kAccepted) {
        return NotFoundError("not friends with that user", kReasonNotFriends);
      }
      return Make(Transition::Write::kDelete, *current, FriendEvent::Kind::kRemoved, actor, now,
                  FriendshipStatus::kRemoved);
    }
  }
  return InternalError("unknown friend action");
}

}  // namespace messenger::friends
