// RedisThrottle against the real Redis, under a random key prefix per test.
#include "auth/storage/redis_throttle.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "auth/tests/redis_test_support.hpp"
#include "messenger/common/ids.hpp"

namespace messenger::auth {
namespace {

using namespace std::chrono_literals;

class RedisThrottleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    redis_ = testing::ConnectRedisOrFail();
    ASSERT_NE(redis_, nullptr);
    prefix_ = "auth-test:" + RandomToken(8) + ":";
    throttle_ = std::make_unique<RedisThrottle>(*redis_, prefix_);
  }
  void TearDown() override {
    if (redis_) (void)redis_->Del({prefix_ + "k", prefix_ + "other", prefix_ + "short", prefix_ + "many"});
  }

  std::unique_ptr<redis::Client> redis_;
  std::string prefix_;
  std::unique_ptr<RedisThrottle> throttle_;
};

TEST_F(RedisThrottleTest, CountsHitsInAWindowOpenedByTheFirstHit) {
  EXPECT_EQ(throttle_->Peek("k")->count, 0);
  auto first = throttle_->Hit("k", 900s);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->count, 1);
  EXPECT_GT(first->remaining, 899s);
  EXPECT_LE(first->remaining, 900s);
  // Later hits count on and do not extend the window.
  ASSERT_TRUE(throttle_->Hit("k", 900s).ok());
  auto third = throttle_->Hit("k", 3600s);
  EXPECT_EQ(third->count, 3);
  EXPECT_LE(third->remaining, 900s);
  auto peek = throttle_->Peek("k");
  EXPECT_EQ(peek->count, 3);
  EXPECT_LE(peek->remaining, 900s);
  EXPECT_GT(*redis_->PttlMillis(prefix_ + "k"), 0) << "the counter lives under the prefix, with a TTL";
  EXPECT_EQ(throttle_->Peek("other")->count, 0);
}

TEST_F(RedisThrottleTest, ResetDropsTheCount) {
  ASSERT_TRUE(throttle_->Hit("k", 900s).ok());
  ASSERT_TRUE(throttle_->Reset("k").ok());
  EXPECT_EQ(throttle_->Peek("k")->count, 0);
  EXPECT_EQ(throttle_->Hit("k", 900s)->count, 1);
}

TEST_F(RedisThrottleTest, TheCountEndsWithTheWindow) {
  ASSERT_EQ(throttle_->Hit("short", 1s)->count, 1);
  ASSERT_EQ(throttle_->Hit("short", 1s)->count, 2);
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  int64_t count = -1;
  while (std::chrono::steady_clock::now() < deadline) {
    count = throttle_->Peek("short")->count;
    if (count == 0) break;
    std::this_thread::sleep_for(50ms);  // polling a TTL; nothing else to wait on
  }
  EXPECT_EQ(count, 0);
  EXPECT_EQ(throttle_->Hit("short", 1s)->count, 1) << "a new window starts";
}

TEST_F(RedisThrottleTest, ConcurrentHitsAreAllCounted) {
  constexpr int kThreads = 8, kHits = 25;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < kHits; ++j) {
        if (!throttle_->Hit("many", 900s).ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(throttle_->Peek("many")->count, kThreads * kHits);
}

}  // namespace
}  // namespace messenger::auth
