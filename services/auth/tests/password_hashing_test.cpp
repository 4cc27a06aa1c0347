// argon2id hashing and the bounded pool it runs on.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "auth/security/argon2_password_hasher.hpp"
#include "auth/security/bounded_executor.hpp"
#include "auth/security/pooled_password_hasher.hpp"

namespace messenger::auth {
namespace {

using namespace std::chrono_literals;

TEST(Argon2PasswordHasherTest, HashesWithArgon2idAtTheConfiguredParameters) {
  auto hasher = Argon2PasswordHasher::Create(Argon2Params{});
  ASSERT_TRUE(hasher.ok()) << hasher.status();
  auto hash = (*hasher)->Hash("correct horse battery");
  ASSERT_TRUE(hash.ok()) << hash.status();
  EXPECT_EQ(hash->rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u) << *hash;
  EXPECT_EQ(hash->find("correct"), std::string::npos);
  // A random salt per hash.
  EXPECT_NE(*(*hasher)->Hash("correct horse battery"), *hash);
}

TEST(Argon2PasswordHasherTest, VerifiesTheRightPasswordOnly) {
  auto hasher = *Argon2PasswordHasher::Create(Argon2Params{});
  const std::string hash = *hasher->Hash("correct horse battery");
  EXPECT_TRUE(*hasher->Verify(hash, "correct horse battery"));
  EXPECT_FALSE(*hasher->Verify(hash, "correct horse batterY"));
  EXPECT_FALSE(*hasher->Verify(hash, ""));
  EXPECT_FALSE(*hasher->Verify("not a hash", "correct horse battery"));
  EXPECT_FALSE(*hasher->Verify("", ""));
  // Embedded NUL bytes count: "a\0b" is not "a".
  const std::string with_nul("pass\0word-long", 14);
  const std::string nul_hash = *hasher->Hash(with_nul);
  EXPECT_TRUE(*hasher->Verify(nul_hash, with_nul));
  EXPECT_FALSE(*hasher->Verify(nul_hash, "pass"));
}

TEST(Argon2PasswordHasherTest, RaisedParametersMakeOldHashesNeedRehash) {
  auto current = *Argon2PasswordHasher::Create(Argon2Params{});
  auto stronger = *Argon2PasswordHasher::Create(Argon2Params{19 * 1024, 3});
  const std::string old_hash = *current->Hash("correct horse battery");
  EXPECT_FALSE(current->NeedsRehash(old_hash));
  EXPECT_TRUE(stronger->NeedsRehash(old_hash));
  EXPECT_TRUE(*stronger->Verify(old_hash, "correct horse battery")) << "old hashes still verify";
  EXPECT_TRUE(current->NeedsRehash("garbage"));
}

TEST(Argon2PasswordHasherTest, RefusesParametersBelowTheOwaspMinimum) {
  EXPECT_EQ(Argon2PasswordHasher::Create(Argon2Params{19 * 1024 - 1, 2}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Argon2PasswordHasher::Create(Argon2Params{64 * 1024, 1}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(Argon2PasswordHasher::Create(Argon2Params{46 * 1024, 2}).ok());
}

// Blocks every call until Open() is called, to fill a pool deterministically.
class GatedHasher final : public PasswordHasher {
 public:
  StatusOr<std::string> Hash(std::string_view password) override {
    Enter();
    return std::string("h:") + std::string(password);
  }
  StatusOr<bool> Verify(std::string_view hash, std::string_view password) override {
    Enter();
    return hash == "h:" + std::string(password);
  }
  bool NeedsRehash(std::string_view) const override { return false; }

  void Open() {
    {
      std::lock_guard lock(mu_);
      open_ = true;
    }
    cv_.notify_all();
  }
  // Waits (with a deadline) until `n` calls are inside.
  bool WaitForInside(int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 10s, [&] { return inside_ >= n; });
  }

 private:
  void Enter() {
    std::unique_lock lock(mu_);
    ++inside_;
    cv_.notify_all();
    cv_.wait(lock, [&] { return open_; });
  }
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
  int inside_ = 0;
};

TEST(BoundedExecutorTest, RefusesWorkBeyondTheQueueAndRunsWhatItAccepted) {
  std::promise<void> gate;
  std::shared_future<void> opened = gate.get_future().share();
  std::atomic<int> ran{0};
  std::promise<void> first_started;
  {
    BoundedExecutor executor(1, 2);
    ASSERT_TRUE(executor.TrySubmit([&] {
      first_started.set_value();
      opened.wait();
      ++ran;
    }));
    first_started.get_future().wait();  // the worker is busy now; the queue is empty
    EXPECT_TRUE(executor.TrySubmit([&] { ++ran; }));
    EXPECT_TRUE(executor.TrySubmit([&] { ++ran; }));
    EXPECT_FALSE(executor.TrySubmit([&] { ++ran; })) << "the queue holds only two";
    gate.set_value();
  }  // the destructor drains the queue
  EXPECT_EQ(ran.load(), 3);
}

TEST(PooledPasswordHasherTest, AnswersUnavailableAtOnceWhenThePoolIsFull) {
  GatedHasher inner;
  BoundedExecutor executor(2, 1);
  PooledPasswordHasher pooled(inner, executor);

  std::vector<std::future<StatusOr<bool>>> waiting;
  // Opens the gate however the test ends, so that no worker stays blocked.
  struct Opener {
    GatedHasher& gate;
    ~Opener() { gate.Open(); }
  } opener{inner};
  for (int i = 1; i <= 2; ++i) {
    waiting.push_back(std::async(std::launch::async, [&] { return pooled.Verify("h:pw", "pw"); }));
    ASSERT_TRUE(inner.WaitForInside(i));
  }
  // Both workers are busy now.
  ASSERT_TRUE(executor.TrySubmit([] {}));  // and the one queue slot is taken

  const auto start = std::chrono::steady_clock::now();
  auto refused = pooled.Hash("pw");
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  EXPECT_LT(took, 100ms) << "a full pool answers at once";
  EXPECT_EQ(pooled.Verify("h:pw", "pw").status().code(), StatusCode::kUnavailable);

  inner.Open();
  for (auto& f : waiting) {
    auto r = f.get();
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_TRUE(*r);
  }
  EXPECT_EQ(*pooled.Hash("pw"), "h:pw");
}

}  // namespace
}  // namespace messenger::auth
