// RedisSessionStore against the real Redis. Session IDs and token IDs are fresh UUIDs, so tests do not meet.
#include "auth/storage/redis_session_store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "auth/tests/redis_test_support.hpp"
#include "messenger/common/ids.hpp"
#include "messenger/token/revocation.hpp"

namespace messenger::auth {
namespace {

using namespace std::chrono_literals;

class RedisSessionStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    redis_ = testing::ConnectRedisOrFail();
    ASSERT_NE(redis_, nullptr);
    store_ = std::make_unique<RedisSessionStore>(*redis_);
    sid_ = NewUuid();
  }
  void TearDown() override {
    if (redis_) (void)redis_->Del({token::SessionKey(sid_)});
  }

  std::unique_ptr<redis::Client> redis_;
  std::unique_ptr<RedisSessionStore> store_;
  std::string sid_;
};

TEST_F(RedisSessionStoreTest, CreateWritesTheContractKeyWithTheRefreshLifetime) {
  ASSERT_TRUE(store_->Create(sid_, "user-1", "hash-1", 3600s).ok());
  EXPECT_TRUE(*redis_->Exists("auth:session:" + sid_));
  const int64_t ttl = *redis_->PttlMillis(token::SessionKey(sid_));
  EXPECT_GT(ttl, 3590 * 1000);
  EXPECT_LE(ttl, 3600 * 1000);
}

TEST_F(RedisSessionStoreTest, RotateReplacesTheCurrentHashAndRestartsTheLifetime) {
  ASSERT_TRUE(store_->Create(sid_, "user-1", "hash-1", 60s).ok());
  auto rotated = store_->Rotate(sid_, "hash-1", "hash-2", 3600s);
  ASSERT_TRUE(rotated.ok()) << rotated.status();
  EXPECT_EQ(rotated->outcome, RotateOutcome::kRotated);
  EXPECT_EQ(rotated->user_id, "user-1");
  EXPECT_GT(*redis_->PttlMillis(token::SessionKey(sid_)), 3590 * 1000);
  auto again = store_->Rotate(sid_, "hash-2", "hash-3", 3600s);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->outcome, RotateOutcome::kRotated);
}

TEST_F(RedisSessionStoreTest, ReplayOfARotatedHashDeletesTheSession) {
  ASSERT_TRUE(store_->Create(sid_, "user-1", "hash-1", 3600s).ok());
  ASSERT_EQ(store_->Rotate(sid_, "hash-1", "hash-2", 3600s)->outcome, RotateOutcome::kRotated);
  auto replay = store_->Rotate(sid_, "hash-1", "hash-x", 3600s);
  ASSERT_TRUE(replay.ok());
  EXPECT_EQ(replay->outcome, RotateOutcome::kReplayed);
  EXPECT_FALSE(*redis_->Exists(token::SessionKey(sid_)));
  EXPECT_EQ(store_->Rotate(sid_, "hash-2", "hash-3", 3600s)->outcome, RotateOutcome::kUnknown);
}

TEST_F(RedisSessionStoreTest, UnknownHashesAndSessionsChangeNothing) {
  ASSERT_TRUE(store_->Create(sid_, "user-1", "hash-1", 3600s).ok());
  EXPECT_EQ(store_->Rotate(sid_, "forged", "hash-x", 3600s)->outcome, RotateOutcome::kUnknown);
  EXPECT_EQ(store_->Rotate(NewUuid(), "hash-1", "hash-x", 3600s)->outcome, RotateOutcome::kUnknown);
  EXPECT_EQ(store_->Rotate(sid_, "hash-1", "hash-2", 3600s)->outcome, RotateOutcome::kRotated);
}

TEST_F(RedisSessionStoreTest, ConcurrentRotationsWithOneTokenHaveExactlyOneWinner) {
  ASSERT_TRUE(store_->Create(sid_, "user-1", "hash-1", 3600s).ok());
  constexpr int kThreads = 12;
  std::atomic<int> rotated{0}, replayed{0}, other{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      while (!go.load()) std::this_thread::yield();
      auto r = store_->Rotate(sid_, "hash-1", "next-" + std::to_string(i), 3600s);
      if (!r.ok()) {
        ++other;
      } else if (r->outcome == RotateOutcome::kRotated) {
        ++rotated;
      } else if (r->outcome == RotateOutcome::kReplayed) {
        ++replayed;
      } else {
        ++other;  // kUnknown: the session was already deleted by a replay
      }
    });
  }
  go = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(rotated.load(), 1);
  // The others presented a token that had just been rotated away: a replay. The first of them ends the
  // session; the rest find it gone.
  EXPECT_GE(replayed.load(), 1);
  EXPECT_EQ(rotated.load() + replayed.load() + other.load(), kThreads);
  EXPECT_FALSE(*redis_->Exists(token::SessionKey(sid_)));
}

TEST_F(RedisSessionStoreTest, LivenessFollowsTheSessionAndTheRevokedTokenId) {
  const std::string jti = NewUuid();
  const std::string other_jti = NewUuid();
  EXPECT_FALSE(*store_->IsAccessTokenLive(sid_, jti)) << "no session yet";
  ASSERT_TRUE(store_->Create(sid_, "user-1", "hash-1", 3600s).ok());
  EXPECT_TRUE(*store_->IsAccessTokenLive(sid_, jti));

  ASSERT_TRUE(store_->RevokeAccessToken(jti, 120s).ok());
  EXPECT_FALSE(*store_->IsAccessTokenLive(sid_, jti));
  EXPECT_TRUE(*store_->IsAccessTokenLive(sid_, other_jti));
  const int64_t ttl = *redis_->PttlMillis("auth:revoked-jti:" + jti);
  EXPECT_GT(ttl, 110 * 1000);
  EXPECT_LE(ttl, 120 * 1000);

  ASSERT_TRUE(store_->Delete(sid_).ok());
  EXPECT_FALSE(*store_->IsAccessTokenLive(sid_, other_jti));
  EXPECT_TRUE(store_->Delete(sid_).ok()) << "deleting twice is fine";
  (void)redis_->Del({token::RevokedJtiKey(jti)});
}

}  // namespace
}  // namespace messenger::auth
