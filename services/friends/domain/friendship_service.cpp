#include "friends/domain/friendship_service.hpp"

#include <algorithm>
#include <cctype>
#include <tuple>
#include <unordered_set>
#include <utility>

#include "messenger/common/logging.hpp"

namespace messenger::friends {
namespace {

// A lost insert race leaves the pair's row in place, so the second LockPair finds it; the bound only guards
// against a bug looping forever.
constexpr int kMaxLockAttempts = 3;
constexpr std::size_t kMaxNicknameLength = 64;
constexpr int kInvalidateAttempts = 3;

Status ValidateUserId(const std::string& user_id) {
  if (!IsUuid(user_id)) return InvalidArgumentError("user_id must be a UUID", "INVALID_ARGUMENT");
  return OkStatus();
}

// Lowercase, as PostgreSQL prints UUIDs, so that pairs and cache keys have one spelling.
std::string Lowercase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

StatusOr<FriendshipStatus> FriendshipService::SendRequest(const std::string& user_id,
                                                          const std::string& nickname) {
  return Change(FriendAction::kSend, user_id, nickname);
}

StatusOr<FriendshipStatus> FriendshipService::AcceptRequest(const std::string& user_id,
                                                            const std::string& nickname) {
  return Change(FriendAction::kAccept, user_id, nickname);
}

StatusOr<FriendshipStatus> FriendshipService::RejectRequest(const std::string& user_id,
                                                            const std::string& nickname) {
  return Change(FriendAction::kReject, user_id, nickname);
}

StatusOr<FriendshipStatus> FriendshipService::RemoveFriend(const std::string& user_id,
                                                           const std::string& nickname) {
  return Change(FriendAction::kRemove, user_id, nickname);
}

StatusOr<FriendshipStatus> FriendshipService::Change(FriendAction action, const std::string& raw_user_id,
                                                     const std::string& nickname) {
  MESSENGER_RETURN_IF_ERROR(ValidateUserId(raw_user_id));
  if (nickname.empty() || nickname.size() > kMaxNicknameLength) {
    return InvalidArgumentError("friend_nickname must be a nickname", "INVALID_ARGUMENT");
  }
  const std::string user_id = Lowercase(raw_user_id);
  MESSENGER_ASSIGN_OR_RETURN(std::string other_raw, directory_.FindUserIdByNickname(nickname));
  const std::string other = Lowercase(std::move(other_raw));
  if (other == user_id) {
    if (action == FriendAction::kSend) {
      return InvalidArgumentError("cannot send a friend request to oneself", "INVALID_ARGUMENT");
    }
    return action == FriendAction::kRemove
               ? NotFoundError("not friends with that user", kReasonNotFriends)
               : NotFoundError("no pending request from that user", kReasonRequestNotFound);
  }
  const UserPair pair = UserPair::Of(user_id, other);

  FriendshipStatus result = FriendshipStatus::kRequested;
  Status status = repository_.InTransaction([&](FriendshipTransaction& txn) -> Status {
    for (int attempt = 0; attempt < kMaxLockAttempts; ++attempt) {
      MESSENGER_ASSIGN_OR_RETURN(std::optional<Friendship> current, txn.LockPair(pair));
      MESSENGER_ASSIGN_OR_RETURN(Transition transition, Decide(action, user_id, pair, current, clock_.Now()));
      switch (transition.write) {
        case Transition::Write::kInsert: {
          MESSENGER_ASSIGN_OR_RETURN(bool inserted, txn.Insert(transition.row));
          if (!inserted) continue;  // the other user created the row first: decide again on it
          break;
        }
        case Transition::Write::kUpdate:
          MESSENGER_RETURN_IF_ERROR(txn.Update(transition.row));
          break;
        case Transition::Write::kDelete:
          MESSENGER_RETURN_IF_ERROR(txn.Delete(pair));
          break;
      }
      MESSENGER_RETURN_IF_ERROR(txn.Events().Emit(transition.event));
      result = transition.result;
      return OkStatus();
    }
    return AbortedError("the friendship changed concurrently; try again");
  });
  if (!status.ok()) return status;

  InvalidateAfterCommit({user_id, other});
  return result;
}

void FriendshipService::InvalidateAfterCommit(const std::vector<std::string>& user_ids) {
  Status status;
  for (int attempt = 0; attempt < kInvalidateAttempts; ++attempt) {
    status = cache_.Invalidate(user_ids);
    if (status.ok()) return;
  }
  // The change is committed; cached entries written before it expire with their TTL.
  log::Warn("friend cache invalidation failed", {{"error", status.ToString()}});
}

StatusOr<std::vector<FriendRecord>> FriendshipService::LoadFriends(const std::string& user_id) {
  auto cached = cache_.GetFriends(user_id);
  if (cached.ok() && cached->value) return std::move(*cached->value);
  MESSENGER_ASSIGN_OR_RETURN(std::vector<FriendRecord> records, repository_.ListFriends(user_id));
  if (cached.ok()) {
    Status stored = cache_.StoreFriends(user_id, records, cached->fill_token);
    if (!stored.ok()) log::Debug("friend list not cached", {{"error", stored.ToString()}});
  } else {
    log::Debug("friend cache unavailable", {{"error", cached.status().ToString()}});
  }
  return records;
}

StatusOr<std::vector<PendingRecord>> FriendshipService::LoadPending(const std::string& user_id,
                                                                    Direction direction) {
  auto cached = cache_.GetPending(user_id, direction);
  if (cached.ok() && cached->value) return std::move(*cached->value);
  MESSENGER_ASSIGN_OR_RETURN(std::vector<PendingRecord> records, repository_.ListPending(user_id, direction));
  if (cached.ok()) {
    Status stored = cache_.StorePending(user_id, direction, records, cached->fill_token);
    if (!stored.ok()) log::Debug("pending list not cached", {{"error", stored.ToString()}});
  } else {
    log::Debug("friend cache unavailable", {{"error", cached.status().ToString()}});
  }
  return records;
}

StatusOr<std::vector<FriendView>> FriendshipService::ListFriends(const std::string& raw_user_id) {
  MESSENGER_RETURN_IF_ERROR(ValidateUserId(raw_user_id));
  const std::string user_id = Lowercase(raw_user_id);
  MESSENGER_ASSIGN_OR_RETURN(std::vector<FriendRecord> records, LoadFriends(user_id));
  if (records.empty()) return std::vector<FriendView>{};

  std::vector<std::string> ids;
  ids.reserve(records.size());
  for (const FriendRecord& r : records) ids.push_back(r.user_id);
  MESSENGER_ASSIGN_OR_RETURN(auto nicknames, directory_.GetNicknames(ids));

  std::vector<bool> online(ids.size(), false);
  auto presence = presence_.AreOnline(ids);
  if (presence.ok() && presence->size() == ids.size()) {
    online = std::move(*presence);
  } else if (!presence.ok()) {
    log::Warn("presence unavailable; friends shown offline", {{"error", presence.status().ToString()}});
  }

  std::vector<FriendView> views;
  views.reserve(records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    auto name = nicknames.find(records[i].user_id);
    views.push_back(FriendView{records[i].user_id, name == nicknames.end() ? std::string() : name->second,
                               records[i].since, static_cast<bool>(online[i])});
  }
  std::sort(views.begin(), views.end(), [](const FriendView& a, const FriendView& b) {
    return std::tie(a.nickname, a.user_id) < std::tie(b.nickname, b.user_id);
  });
  return views;
}

StatusOr<std::vector<PendingView>> FriendshipService::ListPending(const std::string& raw_user_id,
                                                                  Direction direction) {
  MESSENGER_RETURN_IF_ERROR(ValidateUserId(raw_user_id));
  const std::string user_id = Lowercase(raw_user_id);
  MESSENGER_ASSIGN_OR_RETURN(std::vector<PendingRecord> records, LoadPending(user_id, direction));
  if (records.empty()) return std::vector<PendingView>{};

  std::vector<std::string> ids;
  ids.reserve(records.size());
  for (const PendingRecord& r : records) ids.push_back(r.user_id);
  MESSENGER_ASSIGN_OR_RETURN(auto nicknames, directory_.GetNicknames(ids));

  std::vector<PendingView> views;
  views.reserve(records.size());
  for (const PendingRecord& r : records) {
    auto name = nicknames.find(r.user_id);
    views.push_back(PendingView{r.user_id, name == nicknames.end() ? std::string() : name->second,
                                FriendshipStatus::kRequested, r.created_at});
  }
  std::sort(views.begin(), views.end(), [](const PendingView& a, const PendingView& b) {
    return a.created_at != b.created_at ? a.created_at > b.created_at : a.user_id < b.user_id;
  });
  return views;
}

StatusOr<AreFriendsResult> FriendshipService::AreFriends(const std::string& raw_user_id,
                                                         const std::vector<std::string>& raw_other_ids) {
  MESSENGER_RETURN_IF_ERROR(ValidateUserId(raw_user_id));
  if (raw_other_ids.size() > kMaxAreFriendsIds) {
    return InvalidArgumentError("too many other_user_ids", "INVALID_ARGUMENT");
  }
  AreFriendsResult result;
  if (raw_other_ids.empty()) return result;
  const std::string user_id = Lowercase(raw_user_id);
  std::vector<std::string> other_ids;
  other_ids.reserve(raw_other_ids.size());
  for (const std::string& id : raw_other_ids) other_ids.push_back(Lowercase(id));

  std::vector<bool> member;
  auto cached = cache_.CheckFriends(user_id, other_ids);
  if (cached.ok() && cached->value && cached->value->size() == other_ids.size()) {
    member = std::move(*cached->value);
  } else {
    MESSENGER_ASSIGN_OR_RETURN(std::vector<FriendRecord> records, repository_.ListFriends(user_id));
    std::unordered_set<std::string> friends;
    std::vector<std::string> friend_ids;
    friend_ids.reserve(records.size());
    for (FriendRecord& r : records) {
      friends.insert(r.user_id);
      friend_ids.push_back(std::move(r.user_id));
    }
    if (cached.ok()) {
      Status stored = cache_.StoreFriendIds(user_id, friend_ids, cached->fill_token);
      if (!stored.ok()) log::Debug("friend set not cached", {{"error", stored.ToString()}});
    }
    for (const std::string& id : other_ids) member.push_back(friends.count(id) > 0);
  }

  std::unordered_set<std::string> reported;
  for (std::size_t i = 0; i < other_ids.size(); ++i) {
    if (member[i] && other_ids[i] != user_id) continue;
    if (reported.insert(other_ids[i]).second) result.not_friends.push_back(raw_other_ids[i]);
  }
  result.are_friends = result.not_friends.empty();
  return result;
}

}  // namespace messenger::friends
