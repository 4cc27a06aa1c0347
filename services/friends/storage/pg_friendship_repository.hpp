// FriendshipRepository over PostgreSQL (table friendships, see migrations/V001__init.sql). Events go to the
// transactional outbox (libs/outbox) in the same transaction as the change.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "friends/domain/friendship_repository.hpp"
#include "messenger/common/status.hpp"
#include "messenger/pg/pool.hpp"

namespace messenger::friends {

class PgFriendshipRepository final : public FriendshipRepository {
 public:
  // Registers the prepared statements on the pool. `topic` is where the events are published.
  static StatusOr<std::unique_ptr<PgFriendshipRepository>> Create(pg::Pool& pool, std::string topic);

  // READ COMMITTED; a pair's row is locked with SELECT ... FOR UPDATE, a new one created with INSERT ...
  // ON CONFLICT DO NOTHING (which waits for a concurrent insert of the same pair and then reports it lost).
  // Transactions aborted by the server (deadlock, serialization failure) are retried up to 3 times.
  Status InTransaction(const Work& work) override;
  StatusOr<std::vector<FriendRecord>> ListFriends(const std::string& user_id) override;
  StatusOr<std::vector<PendingRecord>> ListPending(const std::string& user_id, Direction direction) override;

  // SQL statements this repository has executed (every statement counts once; BEGIN/COMMIT do not).
  std::int64_t QueryCountForTest() const { return queries_->load(); }

 private:
  PgFriendshipRepository(pg::Pool& pool, std::string topic) : pool_(pool), topic_(std::move(topic)) {}

  pg::Pool& pool_;
  const std::string topic_;
  std::shared_ptr<std::atomic<std::int64_t>> queries_ = std::make_shared<std::atomic<std::int64_t>>(0);
};

}  // namespace messenger::friends
