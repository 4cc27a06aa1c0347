// FriendshipRepository in memory, for unit tests. Transactions run one at a time on a copy of the rows that
// replaces the rows on commit, so a failed transaction leaves nothing behind; committed events are kept in
// order. SimulateConcurrentInsertForTest makes the next Insert lose a race the way PostgreSQL would show it.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "friends/domain/friendship_repository.hpp"

namespace messenger::friends {

class InMemoryFriendshipRepository final : public FriendshipRepository {
 public:
  Status InTransaction(const Work& work) override {
    std::lock_guard lock(mu_);
    if (!fail_.ok()) return fail_;
    Txn txn(*this, rows_);
    Status status = work(txn);
    if (!status.ok()) return status;
    rows_ = std::move(txn.rows);
    for (FriendEvent& e : txn.events) events_.push_back(std::move(e));
    return OkStatus();
  }

  StatusOr<std::vector<FriendRecord>> ListFriends(const std::string& user_id) override {
    std::lock_guard lock(mu_);
    ++list_friends_calls_;
    if (!fail_.ok()) return fail_;
    std::vector<FriendRecord> out;
    for (const auto& [key, row] : rows_) {
      if (row.status != FriendshipStatus::kAccepted) continue;
      if (key.first == user_id || key.second == user_id) {
        out.push_back(FriendRecord{row.pair.Other(user_id), row.updated_at});
      }
    }
    return out;
  }

  StatusOr<std::vector<PendingRecord>> ListPending(const std::string& user_id, Direction direction) override {
    std::lock_guard lock(mu_);
    ++list_pending_calls_;
    if (!fail_.ok()) return fail_;
    std::vector<PendingRecord> out;
    for (const auto& [key, row] : rows_) {
      if (row.status != FriendshipStatus::kRequested) continue;
      if (key.first != user_id && key.second != user_id) continue;
      const bool outgoing = row.requester_id == user_id;
      if (outgoing == (direction == Direction::kOutgoing)) {
        out.push_back(PendingRecord{row.pair.Other(user_id), row.created_at});
      }
    }
    return out;
  }

  // Test controls and observations.
  void SimulateConcurrentInsertForTest(Friendship row) {
    std::lock_guard lock(mu_);
    concurrent_insert_ = std::move(row);
  }
  void SetFailureForTest(Status status) {
    std::lock_guard lock(mu_);
    fail_ = std::move(status);
  }
  std::optional<Friendship> RowForTest(const UserPair& pair) const {
    std::lock_guard lock(mu_);
    auto it = rows_.find({pair.low(), pair.high()});
    if (it == rows_.end()) return std::nullopt;
    return it->second;
  }
  std::size_t RowCountForTest() const {
    std::lock_guard lock(mu_);
    return rows_.size();
  }
  std::vector<FriendEvent> EventsForTest() const {
    std::lock_guard lock(mu_);
    return events_;
  }
  int ListFriendsCallsForTest() const {
    std::lock_guard lock(mu_);
    return list_friends_calls_;
  }
  int ListPendingCallsForTest() const {
    std::lock_guard lock(mu_);
    return list_pending_calls_;
  }

 private:
  using Key = std::pair<std::string, std::string>;
  using Rows = std::map<Key, Friendship>;

  class Txn final : public FriendshipTransaction, public EventSink {
   public:
    Txn(InMemoryFriendshipRepository& repo, Rows copy) : repo(repo), rows(std::move(copy)) {}

    StatusOr<std::optional<Friendship>> LockPair(const UserPair& pair) override {
      auto it = rows.find({pair.low(), pair.high()});
      if (it == rows.end()) return std::optional<Friendship>();
      return std::optional<Friendship>(it->second);
    }
    StatusOr<bool> Insert(const Friendship& row) override {
      const Key key{row.pair.low(), row.pair.high()};
      if (repo.concurrent_insert_ && repo.concurrent_insert_->pair == row.pair) {
        rows.emplace(key, *repo.concurrent_insert_);
        repo.events_.push_back(
            FriendEvent{FriendEvent::Kind::kRequestSent, repo.concurrent_insert_->requester_id,
                        repo.concurrent_insert_->ReceiverId(), repo.concurrent_insert_->created_at});
        // The winner committed before we looked again.
        repo.rows_.insert_or_assign(key, *repo.concurrent_insert_);
        repo.concurrent_insert_.reset();
        return false;
      }
      if (rows.count(key) > 0) return InternalError("insert of an existing row without a race");
      rows.emplace(key, row);
      return true;
    }
    Status Update(const Friendship& row) override {
      auto it = rows.find({row.pair.low(), row.pair.high()});
      if (it == rows.end()) return InternalError("update of a missing row");
      it->second = row;
      return OkStatus();
    }
    Status Delete(const UserPair& pair) override {
      if (rows.erase({pair.low(), pair.high()}) == 0) return InternalError("delete of a missing row");
      return OkStatus();
    }
    EventSink& Events() override { return *this; }
    Status Emit(const FriendEvent& event) override {
      events.push_back(event);
      return OkStatus();
    }

    InMemoryFriendshipRepository& repo;
    Rows rows;
    std::vector<FriendEvent> events;
  };

  mutable std::mutex mu_;
  Rows rows_;
  std::vector<FriendEvent> events_;
  std::optional<Friendship> concurrent_insert_;
  Status fail_;
  int list_friends_calls_ = 0;
  int list_pending_calls_ = 0;
};

}  // namespace messenger::friends
