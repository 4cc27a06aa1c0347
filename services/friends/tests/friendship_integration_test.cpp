// FriendshipService over the real PostgreSQL (PgFriendshipRepository, outbox) and Redis (RedisFriendCache,
// RedisPresence); the Users service is a fake directory. Each test has its own database and key prefix.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <map>
#include <thread>

#include "friends/domain/friendship_service.hpp"
#include "friends/storage/pg_friendship_repository.hpp"
#include "friends/storage/redis_friend_cache.hpp"
#include "friends/storage/redis_presence.hpp"
#include "friends/tests/fake_user_directory.hpp"
#include "friends/tests/integration_support.hpp"

namespace messenger::friends {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAreArray;
using namespace std::chrono_literals;

class FriendshipIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto schema = testing::TestSchema::Create(/*pool_size=*/12);
    ASSERT_TRUE(schema.ok()) << schema.status();
    schema_ = std::move(*schema);
    auto repository = PgFriendshipRepository::Create(*schema_.pool, "test.friends");
    ASSERT_TRUE(repository.ok()) << repository.status();
    repository_ = std::move(*repository);
    RedisFriendCacheOptions options;
    options.prefix = redis_.prefix();
    cache_ = std::make_unique<RedisFriendCache>(redis_.connection(), options);
    presence_ = std::make_unique<RedisPresence>(redis_.connection(), redis_.prefix() + "presence:");
    service_ = std::make_unique<FriendshipService>(*repository_, *cache_, directory_, *presence_, clock_);
  }

  // A new user with a nickname known to the directory.
  std::string NewUser(const std::string& nickname) {
    std::string id = NewUuid();
    directory_.Add(id, nickname);
    return id;
  }

  std::vector<std::string> FriendIds(const std::string& user_id) {
    auto friends = service_->ListFriends(user_id);
    EXPECT_TRUE(friends.ok()) << friends.status();
    std::vector<std::string> ids;
    if (friends.ok()) {
      for (const FriendView& f : *friends) ids.push_back(f.user_id);
    }
    return ids;
  }
  std::vector<std::string> PendingIds(const std::string& user_id, Direction direction) {
    auto pending = service_->ListPending(user_id, direction);
    EXPECT_TRUE(pending.ok()) << pending.status();
    std::vector<std::string> ids;
    if (pending.ok()) {
      for (const PendingView& p : *pending) ids.push_back(p.user_id);
    }
    return ids;
  }
  bool Friends(const std::string& a, const std::string& b) {
    auto r = service_->AreFriends(a, {b});
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() && r->are_friends;
  }
  std::int64_t Rows(const std::string& where) {
    auto n = testing::QueryInt(*schema_.pool, "SELECT count(*) FROM friendships WHERE " + where);
    EXPECT_TRUE(n.ok()) << n.status();
    return n.ok() ? *n : -1;
  }
  std::vector<std::string> EventNames() {
    auto rows = testing::ReadOutbox(*schema_.pool);
    EXPECT_TRUE(rows.ok()) << rows.status();
    std::vector<std::string> names;
    if (rows.ok()) {
      for (const auto& r : *rows) names.push_back(testing::PayloadName(r.envelope));
    }
    return names;
  }

  SystemClock clock_;
  testing::TestSchema schema_;
  testing::TestRedis redis_;
  FakeUserDirectory directory_;
  std::unique_ptr<PgFriendshipRepository> repository_;
  std::unique_ptr<RedisFriendCache> cache_;
  std::unique_ptr<RedisPresence> presence_;
  std::unique_ptr<FriendshipService> service_;
};

TEST_F(FriendshipIntegrationTest, FullLifecycleIsStoredAsOneRowWithOneEventPerChange) {
  const std::string alice = NewUser("alice"), bob = NewUser("bob");
  ASSERT_EQ(*service_->SendRequest(alice, "bob"), FriendshipStatus::kRequested);
  EXPECT_EQ(service_->SendRequest(alice, "bob").status().code(), StatusCode::kAlreadyExists);
  ASSERT_EQ(*service_->RejectRequest(bob, "alice"), FriendshipStatus::kRejected);
  ASSERT_EQ(*service_->SendRequest(alice, "bob"), FriendshipStatus::kRequested);
  EXPECT_EQ(service_->AcceptRequest(alice, "bob").status().code(), StatusCode::kNotFound);
  ASSERT_EQ(*service_->AcceptRequest(bob, "alice"), FriendshipStatus::kAccepted);
  EXPECT_EQ(Rows("status = 'accepted'"), 1);
  ASSERT_EQ(*service_->RemoveFriend(bob, "alice"), FriendshipStatus::kRemoved);
  EXPECT_EQ(Rows("true"), 0);
  EXPECT_EQ(service_->RemoveFriend(alice, "bob").status().code(), StatusCode::kNotFound);

  auto rows = testing::ReadOutbox(*schema_.pool);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 5u);
  const std::string low = std::min(alice, bob);
  std::set<std::string> event_ids;
  for (const auto& r : *rows) {
    EXPECT_EQ(r.key, low);
    event_ids.insert(r.envelope.event_id());
  }
  EXPECT_EQ(event_ids.size(), 5u);
  EXPECT_EQ((*rows)[0].envelope.friend_request_sent().from_user_id(), alice);
  EXPECT_EQ((*rows)[0].envelope.friend_request_sent().to_user_id(), bob);
  EXPECT_EQ((*rows)[1].envelope.friend_request_rejected().rejecter_id(), bob);
  EXPECT_EQ((*rows)[1].envelope.friend_request_rejected().requester_id(), alice);
  EXPECT_EQ((*rows)[3].envelope.friend_request_accepted().accepter_id(), bob);
  EXPECT_EQ((*rows)[3].envelope.friend_request_accepted().requester_id(), alice);
  EXPECT_EQ((*rows)[4].envelope.friend_removed().user_id(), bob);
  EXPECT_EQ((*rows)[4].envelope.friend_removed().friend_id(), alice);
  EXPECT_THAT(EventNames(), ElementsAre("FriendRequestSent", "FriendRequestRejected", "FriendRequestSent",
                                        "FriendRequestAccepted", "FriendRemoved"));
}

TEST_F(FriendshipIntegrationTest, DatabaseRefusesASecondRowForAPairOrAReversedPair) {
  const std::string a = "00000000-0000-4000-8000-00000000000a", b = "00000000-0000-4000-8000-00000000000b";
  auto insert = [&](const std::string& low, const std::string& high) {
    return schema_.pool->Transact([&](pqxx::work& txn) {
      txn.exec_params0("INSERT INTO friendships VALUES ($1, $2, $1, 'requested', now(), now())", low, high);
      return OkStatus();
    });
  };
  ASSERT_TRUE(insert(a, b).ok());
  EXPECT_EQ(insert(a, b).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(insert(b, a).code(), StatusCode::kFailedPrecondition);  // user_low < user_high
  EXPECT_EQ(insert(a, a).code(), StatusCode::kFailedPrecondition);
}

// N threads, half asking one way and half the other, all at once: the first commit creates the request,
// the first opposite one accepts it, everyone else is told it already exists. One row, accepted, and one
// event per change.
class MutualRequestRace : public FriendshipIntegrationTest, public ::testing::WithParamInterface<int> {};

TEST_P(MutualRequestRace, LeavesExactlyOneAcceptedFriendship) {
  const int threads = GetParam();
  constexpr int kRounds = 10;
  for (int round = 0; round < kRounds; ++round) {
    const std::string a = NewUser("a" + std::to_string(round)), b = NewUser("b" + std::to_string(round));
    std::latch start(threads);
    std::vector<StatusOr<FriendshipStatus>> results(threads, InternalError("not run"));
    std::vector<std::thread> workers;
    for (int i = 0; i < threads; ++i) {
      workers.emplace_back([&, i] {
        start.arrive_and_wait();
        results[i] = i % 2 == 0 ? service_->SendRequest(a, "b" + std::to_string(round))
                                : service_->SendRequest(b, "a" + std::to_string(round));
      });
    }
    for (auto& w : workers) w.join();

    int requested = 0, accepted = 0, already = 0;
    for (const auto& r : results) {
      if (r.ok() && *r == FriendshipStatus::kRequested) ++requested;
      if (r.ok() && *r == FriendshipStatus::kAccepted) ++accepted;
      if (r.status().code() == StatusCode::kAlreadyExists) ++already;
    }
    EXPECT_EQ(requested, 1) << "round " << round;
    EXPECT_EQ(accepted, 1) << "round " << round;
    EXPECT_EQ(already, threads - 2) << "round " << round;
    EXPECT_TRUE(Friends(a, b));
    EXPECT_TRUE(Friends(b, a));
  }
  EXPECT_EQ(Rows("true"), kRounds);
  EXPECT_EQ(Rows("status = 'accepted'"), kRounds);
  auto names = EventNames();
  EXPECT_EQ(std::count(names.begin(), names.end(), "FriendRequestSent"), kRounds);
  EXPECT_EQ(std::count(names.begin(), names.end(), "FriendRequestAccepted"), kRounds);
  EXPECT_EQ(names.size(), 2u * kRounds);
}

INSTANTIATE_TEST_SUITE_P(Threads, MutualRequestRace, ::testing::Values(2, 8));

TEST_F(FriendshipIntegrationTest, SimultaneousAnswersLeaveOneRowAndOneEvent) {
  constexpr int kThreads = 8;
  for (int round = 0; round < 5; ++round) {
    const std::string a = NewUser("x" + std::to_string(round)), b = NewUser("y" + std::to_string(round));
    ASSERT_TRUE(service_->SendRequest(a, "y" + std::to_string(round)).ok());
    // Round 0..2: everyone accepts. Later rounds: half accept, half reject; exactly one answer wins.
    const bool mixed = round >= 3;
    std::latch start(kThreads);
    std::vector<StatusOr<FriendshipStatus>> results(kThreads, InternalError("not run"));
    std::vector<std::thread> workers;
    for (int i = 0; i < kThreads; ++i) {
      workers.emplace_back([&, i] {
        start.arrive_and_wait();
        const std::string nick = "x" + std::to_string(round);
        results[i] =
            (mixed && i % 2 == 1) ? service_->RejectRequest(b, nick) : service_->AcceptRequest(b, nick);
      });
    }
    for (auto& w : workers) w.join();
    int won = 0, not_found = 0;
    FriendshipStatus winner = FriendshipStatus::kRequested;
    for (const auto& r : results) {
      if (r.ok()) {
        ++won;
        winner = *r;
      }
      if (r.status().code() == StatusCode::kNotFound) ++not_found;
    }
    EXPECT_EQ(won, 1);
    EXPECT_EQ(not_found, kThreads - 1);
    const std::string pair = "user_low = '" + std::min(a, b) + "' AND user_high = '" + std::max(a, b) + "'";
    EXPECT_EQ(Rows(pair), 1);
    EXPECT_EQ(Rows(pair + " AND status = '" + std::string(FriendshipStatusName(winner)) + "'"), 1);
    EXPECT_EQ(Friends(a, b), winner == FriendshipStatus::kAccepted);
  }
  auto names = EventNames();
  EXPECT_EQ(std::count(names.begin(), names.end(), "FriendRequestSent"), 5);
  EXPECT_EQ(std::count(names.begin(), names.end(), "FriendRequestAccepted") +
                std::count(names.begin(), names.end(), "FriendRequestRejected"),
            5);
  EXPECT_EQ(names.size(), 10u);
}

TEST_F(FriendshipIntegrationTest, ReadsAreFreshRightAfterEveryChange) {
  const std::string alice = NewUser("alice"), bob = NewUser("bob");
  // Warm every cached entry of both users.
  EXPECT_THAT(FriendIds(alice), IsEmpty());
  EXPECT_THAT(FriendIds(bob), IsEmpty());
  EXPECT_FALSE(Friends(alice, bob));
  EXPECT_FALSE(Friends(bob, alice));
  EXPECT_THAT(PendingIds(bob, Direction::kIncoming), IsEmpty());
  EXPECT_THAT(PendingIds(alice, Direction::kOutgoing), IsEmpty());
  ASSERT_TRUE(*redis_.client().Exists(cache_->ListKey(alice)));  // really cached
  ASSERT_TRUE(*redis_.client().Exists(cache_->IdsKey(bob)));

  ASSERT_TRUE(service_->SendRequest(alice, "bob").ok());
  EXPECT_THAT(PendingIds(bob, Direction::kIncoming), ElementsAre(alice));
  EXPECT_THAT(PendingIds(alice, Direction::kOutgoing), ElementsAre(bob));
  EXPECT_FALSE(Friends(alice, bob));

  ASSERT_TRUE(service_->AcceptRequest(bob, "alice").ok());
  EXPECT_THAT(PendingIds(bob, Direction::kIncoming), IsEmpty());
  EXPECT_THAT(PendingIds(alice, Direction::kOutgoing), IsEmpty());
  EXPECT_THAT(FriendIds(alice), ElementsAre(bob));
  EXPECT_THAT(FriendIds(bob), ElementsAre(alice));
  EXPECT_TRUE(Friends(alice, bob));
  EXPECT_TRUE(Friends(bob, alice));
  // Served from the cache now, still right.
  EXPECT_TRUE(Friends(alice, bob));
  EXPECT_THAT(FriendIds(alice), ElementsAre(bob));

  ASSERT_TRUE(service_->RemoveFriend(alice, "bob").ok());
  EXPECT_THAT(FriendIds(alice), IsEmpty());
  EXPECT_THAT(FriendIds(bob), IsEmpty());
  EXPECT_FALSE(Friends(alice, bob));
  EXPECT_FALSE(Friends(bob, alice));
}

TEST_F(FriendshipIntegrationTest, ConcurrentReadersNeverCacheAStaleAnswer) {
  // Readers keep missing and refilling the cache while a writer flips the friendship; right after each of
  // the writer's calls returns, its own read must see the change. A fill that loaded rows before a commit
  // and stored them after the invalidation would show up here as a stale answer.
  const std::string alice = NewUser("alice"), bob = NewUser("bob");
  std::atomic<bool> stop{false};
  std::vector<std::thread> readers;
  for (int i = 0; i < 4; ++i) {
    readers.emplace_back([&, i] {
      while (!stop) {
        if (i % 2 == 0) {
          (void)service_->AreFriends(alice, {bob});
        } else {
          (void)service_->ListFriends(bob);
        }
      }
    });
  }
  int stale = 0;
  for (int cycle = 0; cycle < 40; ++cycle) {
    ASSERT_TRUE(service_->SendRequest(alice, "bob").ok());
    ASSERT_TRUE(service_->AcceptRequest(bob, "alice").ok());
    if (!Friends(alice, bob)) ++stale;
    if (FriendIds(bob) != std::vector<std::string>{alice}) ++stale;
    ASSERT_TRUE(service_->RemoveFriend(bob, "alice").ok());
    if (Friends(alice, bob)) ++stale;
    if (!FriendIds(bob).empty()) ++stale;
  }
  stop = true;
  for (auto& r : readers) r.join();
  EXPECT_EQ(stale, 0);
}

TEST_F(FriendshipIntegrationTest, FiveThousandFriendsInOneQueryAndOneDirectoryCall) {
  const std::string me = NewUser("popular");
  ASSERT_TRUE(
      schema_.pool
          ->Transact([&](pqxx::work& txn) {
            txn.exec_params0(
                "INSERT INTO friendships (user_low, user_high, requester_id, status, created_at, updated_at) "
                "SELECT least($1::uuid, f), greatest($1::uuid, f), f, 'accepted', now(), now() "
                "FROM (SELECT gen_random_uuid() AS f FROM generate_series(1, 5000)) s",
                me);
            return OkStatus();
          })
          .ok());
  auto ids = schema_.pool->TransactValue([&](pqxx::work& txn) -> StatusOr<std::vector<std::string>> {
    std::vector<std::string> out;
    for (const pqxx::row& row :
         txn.exec_params("SELECT requester_id::text FROM friendships WHERE status = 'accepted'")) {
      out.push_back(row[0].as<std::string>());
    }
    return out;
  });
  ASSERT_TRUE(ids.ok()) << ids.status();
  ASSERT_EQ(ids->size(), 5000u);
  for (std::size_t i = 0; i < ids->size(); ++i) directory_.Add((*ids)[i], "friend" + std::to_string(i));
  ASSERT_TRUE(redis_.client().Set(redis_.prefix() + "presence:" + (*ids)[42], "1").ok());

  const std::int64_t queries = repository_->QueryCountForTest();
  const int directory_calls = directory_.BatchCallsForTest();
  auto list = service_->ListFriends(me);
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->size(), 5000u);
  EXPECT_EQ(repository_->QueryCountForTest() - queries, 1);
  EXPECT_EQ(directory_.BatchCallsForTest() - directory_calls, 1);
  std::vector<std::string> listed;
  int online = 0;
  for (const FriendView& f : *list) {
    listed.push_back(f.user_id);
    EXPECT_FALSE(f.nickname.empty());
    if (f.online) {
      ++online;
      EXPECT_EQ(f.user_id, (*ids)[42]);
    }
  }
  EXPECT_EQ(online, 1);
  EXPECT_THAT(listed, UnorderedElementsAreArray(*ids));

  // Again: from the cache, no query at all.
  auto again = service_->ListFriends(me);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->size(), 5000u);
  EXPECT_EQ(repository_->QueryCountForTest() - queries, 1);

  // AreFriends over 1000 of them: one query to fill the set, then none.
  std::vector<std::string> thousand(ids->begin(), ids->begin() + 1000);
  auto check = service_->AreFriends(me, thousand);
  ASSERT_TRUE(check.ok()) << check.status();
  EXPECT_TRUE(check->are_friends);
  thousand.back() = NewUuid();
  check = service_->AreFriends(me, thousand);
  ASSERT_TRUE(check.ok());
  EXPECT_THAT(check->not_friends, ElementsAre(thousand.back()));
  EXPECT_EQ(repository_->QueryCountForTest() - queries, 2);
}

TEST_F(FriendshipIntegrationTest, RedisDownDegradesToPostgres) {
  // A Redis address nobody listens on: every cache and presence call fails, the service still answers.
  RedisSettings settings = RedisSettings::FromEnv();
  settings.port = 1;  // privileged and unused: connection refused at once
  redis::ClientOptions options = redis::ClientOptions::FromSettings(settings);
  RedisConnection dead(settings, options, 0ms);
  RedisFriendCache cache(dead, RedisFriendCacheOptions{});
  RedisPresence presence(dead);
  FriendshipService service(*repository_, cache, directory_, presence, clock_);

  const std::string alice = NewUser("alice"), bob = NewUser("bob");
  ASSERT_EQ(*service.SendRequest(alice, "bob"), FriendshipStatus::kRequested);
  auto incoming = service.ListPending(bob, Direction::kIncoming);
  ASSERT_TRUE(incoming.ok()) << incoming.status();
  ASSERT_EQ(incoming->size(), 1u);
  EXPECT_EQ((*incoming)[0].nickname, "alice");
  ASSERT_EQ(*service.AcceptRequest(bob, "alice"), FriendshipStatus::kAccepted);
  auto friends = service.ListFriends(alice);
  ASSERT_TRUE(friends.ok()) << friends.status();
  ASSERT_EQ(friends->size(), 1u);
  EXPECT_FALSE((*friends)[0].online);
  auto check = service.AreFriends(alice, {bob});
  ASSERT_TRUE(check.ok()) << check.status();
  EXPECT_TRUE(check->are_friends);
}

}  // namespace
}  // namespace messenger::friends
