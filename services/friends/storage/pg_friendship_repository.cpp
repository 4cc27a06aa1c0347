#include "friends/storage/pg_friendship_repository.hpp"

#include "friends/storage/outbox_event_sink.hpp"
#include "messenger/common/ids.hpp"
#include "messenger/pg/errors.hpp"

namespace messenger::friends {
namespace {

// Each statement is prepared under its name, which is what shows up in pg_stat_activity and logs.
constexpr char kLockPair[] = "friends_lock_pair";
constexpr char kLockPairSql[] = R"sql(
SELECT requester_id::text, status,
       (extract(epoch FROM created_at) * 1000)::bigint,
       (extract(epoch FROM updated_at) * 1000)::bigint
  FROM friendships
 WHERE user_low = $1 AND user_high = $2
   FOR UPDATE)sql";

constexpr char kInsert[] = "friends_insert";
constexpr char kInsertSql[] = R"sql(
INSERT INTO friendships (user_low, user_high, requester_id, status, created_at, updated_at)
VALUES ($1, $2, $3, $4,
        timestamptz 'epoch' + $5::bigint * interval '1 millisecond',
        timestamptz 'epoch' + $6::bigint * interval '1 millisecond')
ON CONFLICT (user_low, user_high) DO NOTHING)sql";

constexpr char kUpdate[] = "friends_update";
constexpr char kUpdateSql[] = R"sql(
UPDATE friendships
   SET requester_id = $3, status = $4,
       created_at = timestamptz 'epoch' + $5::bigint * interval '1 millisecond',
       updated_at = timestamptz 'epoch' + $6::bigint * interval '1 millisecond'
 WHERE user_low = $1 AND user_high = $2)sql";

constexpr char kDelete[] = "friends_delete";
constexpr char kDeleteSql[] = "DELETE FROM friendships WHERE user_low = $1 AND user_high = $2";

// Two index scans (primary key for user_low, friendships_user_high_idx for user_high) in one statement.
constexpr char kListFriends[] = "friends_list_accepted";
constexpr char kListFriendsSql[] = R"sql(
SELECT user_high::text, (extract(epoch FROM updated_at) * 1000)::bigint
  FROM friendships WHERE user_low = $1 AND status = 'accepted'
UNION ALL
SELECT user_low::text, (extract(epoch FROM updated_at) * 1000)::bigint
  FROM friendships WHERE user_high = $1 AND status = 'accepted')sql";

// Incoming: requested by the other member of the pair; outgoing ($2 = true): requested by $1.
constexpr char kListPending[] = "friends_list_pending";
constexpr char kListPendingSql[] = R"sql(
SELECT user_high::text, (extract(epoch FROM created_at) * 1000)::bigint
  FROM friendships
 WHERE user_low = $1 AND status = 'requested' AND (requester_id = $1) = $2
UNION ALL
SELECT user_low::text, (extract(epoch FROM created_at) * 1000)::bigint
  FROM friendships
 WHERE user_high = $1 AND status = 'requested' AND (requester_id = $1) = $2)sql";

constexpr int kMaxAttempts = 3;

class PgFriendshipTransaction final : public FriendshipTransaction {
 public:
  PgFriendshipTransaction(pqxx::work& txn, const std::string& topic, std::atomic<std::int64_t>& queries)
      : txn_(txn), sink_(txn, topic), queries_(queries) {}

  StatusOr<std::optional<Friendship>> LockPair(const UserPair& pair) override {
    try {
      ++queries_;
      pqxx::result rows = txn_.exec_prepared(kLockPair, pair.low(), pair.high());
      if (rows.empty()) return std::optional<Friendship>();
      const pqxx::row& row = rows[0];
      auto status = ParseFriendshipStatus(row[1].as<std::string>());
      if (!status) return InternalError("friendships row with unknown status " + row[1].as<std::string>());
      return std::optional<Friendship>(Friendship{pair, row[0].as<std::string>(), *status,
                                                  FromUnixMillis(row[2].as<std::int64_t>()),
                                                  FromUnixMillis(row[3].as<std::int64_t>())});
    } catch (const std::exception& e) {
      return pg::FromPqxxException(e);
    }
  }

  StatusOr<bool> Insert(const Friendship& row) override {
    try {
      ++queries_;
      pqxx::result result = txn_.exec_prepared(kInsert, row.pair.low(), row.pair.high(), row.requester_id,
                                               std::string(FriendshipStatusName(row.status)),
                                               ToUnixMillis(row.created_at), ToUnixMillis(row.updated_at));
      return result.affected_rows() == 1;
    } catch (const std::exception& e) {
      return pg::FromPqxxException(e);
    }
  }

  Status Update(const Friendship& row) override {
    try {
      ++queries_;
      pqxx::result result = txn_.exec_prepared(kUpdate, row.pair.low(), row.pair.high(), row.requester_id,
                                               std::string(FriendshipStatusName(row.status)),
                                               ToUnixMillis(row.created_at), ToUnixMillis(row.updated_at));
      if (result.affected_rows() != 1) return InternalError("update of a friendships row that is not there");
      return OkStatus();
    } catch (const std::exception& e) {
      return pg::FromPqxxException(e);
    }
  }

  Status Delete(const UserPair& pair) override {
    try {
      ++queries_;
      pqxx::result result = txn_.exec_prepared(kDelete, pair.low(), pair.high());
      if (result.affected_rows() != 1) return InternalError("delete of a friendships row that is not there");
      return OkStatus();
    } catch (const std::exception& e) {
      return pg::FromPqxxException(e);
    }
  }

  EventSink& Events() override { return sink_; }

 private:
  pqxx::work& txn_;
  OutboxEventSink sink_;
  std::atomic<std::int64_t>& queries_;
};

}  // namespace

StatusOr<std::unique_ptr<PgFriendshipRepository>> PgFriendshipRepository::Create(pg::Pool& pool,
                                                                                 std::string topic) {
  for (const auto& [name, sql] :
       {std::pair{kLockPair, kLockPairSql}, std::pair{kInsert, kInsertSql}, std::pair{kUpdate, kUpdateSql},
        std::pair{kDelete, kDeleteSql}, std::pair{kListFriends, kListFriendsSql},
        std::pair{kListPending, kListPendingSql}}) {
    MESSENGER_RETURN_IF_ERROR(pool.Prepare(name, sql));
  }
  return std::unique_ptr<PgFriendshipRepository>(new PgFriendshipRepository(pool, std::move(topic)));
}

Status PgFriendshipRepository::InTransaction(const Work& work) {
  pg::TransactOptions options;
  options.max_attempts = kMaxAttempts;
  return pool_.Transact(
      [&](pqxx::work& txn) -> Status {
        PgFriendshipTransaction transaction(txn, topic_, *queries_);
        return work(transaction);
      },
      options);
}

StatusOr<std::vector<FriendRecord>> PgFriendshipRepository::ListFriends(const std::string& user_id) {
  return pool_.ReadOnlyValue([&](pqxx::work& txn) -> StatusOr<std::vector<FriendRecord>> {
    ++*queries_;
    pqxx::result rows = txn.exec_prepared(kListFriends, user_id);
    std::vector<FriendRecord> out;
    out.reserve(rows.size());
    for (const pqxx::row& row : rows) {
      out.push_back(FriendRecord{row[0].as<std::string>(), FromUnixMillis(row[1].as<std::int64_t>())});
    }
    return out;
  });
}

StatusOr<std::vector<PendingRecord>> PgFriendshipRepository::ListPending(const std::string& user_id,
                                                                         Direction direction) {
  return pool_.ReadOnlyValue([&](pqxx::work& txn) -> StatusOr<std::vector<PendingRecord>> {
    ++*queries_;
    pqxx::result rows = txn.exec_prepared(kListPending, user_id, direction == Direction::kOutgoing);
    std::vector<PendingRecord> out;
    out.reserve(rows.size());
    for (const pqxx::row& row : rows) {
      out.push_back(PendingRecord{row[0].as<std::string>(), FromUnixMillis(row[1].as<std::int64_t>())});
    }
    return out;
  });
}

}  // namespace messenger::friends
