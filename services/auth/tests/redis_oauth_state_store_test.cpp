// RedisOAuthStateStore against the real Redis, each test under its own key prefix.
#include "auth/storage/redis_oauth_state_store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "auth/tests/redis_test_support.hpp"
#include "messenger/common/ids.hpp"

namespace messenger::auth {
namespace {

using namespace std::chrono_literals;

class RedisOAuthStateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    redis_ = testing::ConnectRedisOrFail();
    ASSERT_NE(redis_, nullptr);
    store_ = std::make_unique<RedisOAuthStateStore>(*redis_, "auth-test:" + RandomToken(8) + ":oauth:");
  }

  std::unique_ptr<redis::Client> redis_;
  std::unique_ptr<RedisOAuthStateStore> store_;
};

const PendingSignIn kPending{"local", "verifier-abc", "nonce-xyz", "http://127.0.0.1:1/cb"};

TEST_F(RedisOAuthStateStoreTest, AStateIsTakenOnceWithEverythingSaved) {
  const std::string state = RandomToken();
  ASSERT_TRUE(store_->Save(state, kPending, 300s).ok());
  const auto ttl = redis_->PttlMillis(store_->StateKey(state));
  ASSERT_TRUE(ttl.ok());
  EXPECT_GT(*ttl, 290'000);
  EXPECT_LE(*ttl, 300'000);

  auto taken = store_->Take(state);
  ASSERT_TRUE(taken.ok()) << taken.status();
  EXPECT_EQ(taken->provider, "local");
  EXPECT_EQ(taken->code_verifier, "verifier-abc");
  EXPECT_EQ(taken->nonce, "nonce-xyz");
  EXPECT_EQ(taken->redirect_uri, "http://127.0.0.1:1/cb");
  EXPECT_EQ(store_->Take(state).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(redis_->Exists(store_->StateKey(state)).value(), false);
  EXPECT_EQ(store_->Take(RandomToken()).status().code(), StatusCode::kNotFound);
}

TEST_F(RedisOAuthStateStoreTest, AnExpiredStateIsGone) {
  const std::string state = RandomToken();
  ASSERT_TRUE(store_->Save(state, kPending, 1s).ok());
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < deadline) {
    auto exists = redis_->Exists(store_->StateKey(state));
    if (exists.ok() && !*exists) break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(store_->Take(state).status().code(), StatusCode::kNotFound);
}

TEST_F(RedisOAuthStateStoreTest, OfConcurrentTakesExactlyOneWins) {
  for (int round = 0; round < 20; ++round) {
    const std::string state = RandomToken();
    ASSERT_TRUE(store_->Save(state, kPending, 300s).ok());
    std::atomic<int> won{0}, lost{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i) {
      threads.emplace_back([&] {
        auto taken = store_->Take(state);
        (taken.ok() ? won : lost)++;
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(won.load(), 1);
    EXPECT_EQ(lost.load(), 7);
  }
}

TEST_F(RedisOAuthStateStoreTest, ACodeIsAcceptedOncePerProviderAndNotStoredInClear) {
  EXPECT_TRUE(store_->RememberCode("local", "code-1", 600s).value());
  EXPECT_FALSE(store_->RememberCode("local", "code-1", 600s).value());
  EXPECT_TRUE(store_->RememberCode("other", "code-1", 600s).value());
  const std::string key = store_->CodeKey("local", "code-1");
  EXPECT_EQ(key.find("code-1"), std::string::npos);
  EXPECT_GT(redis_->PttlMillis(key).value(), 590'000);
}

}  // namespace
}  // namespace messenger::auth
