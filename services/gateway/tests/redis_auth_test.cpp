// Bearer authentication against the real Redis of the test stack: tokens signed with the stack's ES256 key,
// sessions and revocations written the way Auth writes them (messenger/token/revocation.hpp). Every test uses
// fresh random session and token IDs, so tests can run in parallel and again.
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <fstream>
#include <sstream>
#include <thread>

#include "api/token_authenticator.hpp"
#include "clients/redis_checks.hpp"
#include "messenger/common/config.hpp"
#include "messenger/common/ids.hpp"
#include "messenger/token/revocation.hpp"
#include "messenger/token/token.hpp"
#include "test_support.hpp"

namespace messenger::gateway {
namespace {

using testing::RunSync;

std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class GatewayRedisAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string private_pem = ReadFileOrEmpty(EnvString("JWT_PRIVATE_KEY_FILE", ""));
    std::string public_pem = ReadFileOrEmpty(EnvString("JWT_PUBLIC_KEY_FILE", ""));
    ASSERT_FALSE(private_pem.empty()) << "JWT_PRIVATE_KEY_FILE (./dev env test) is needed";
    auto signer = token::Signer::Create(private_pem, "messenger-auth", "messenger-api",
                                        std::chrono::seconds(900), clock_);
    ASSERT_TRUE(signer.ok()) << signer.status();
    signer_ = std::move(signer).value();
    auto verifier = token::Verifier::Create(public_pem, "messenger-auth", "messenger-api", clock_);
    ASSERT_TRUE(verifier.ok()) << verifier.status();
    verifier_ = std::move(verifier).value();
    auto admin = redis::Client::Create(RedisSettings::FromEnv());
    ASSERT_TRUE(admin.ok()) << admin.status();
    admin_ = std::move(admin).value();
    user_id_ = NewUuid();
    session_id_ = NewUuid();
    jti_ = NewUuid();
  }

  void TearDown() override {
    if (admin_) (void)admin_->Del({token::SessionKey(session_id_), token::RevokedJtiKey(jti_)});
    // main.cpp's order: the io_context stops before the Redis client is destroyed.
    work_.reset();
    ioc_.stop();
    runner_.join();
  }

  std::string Token() { return signer_->Issue(user_id_, session_id_, jti_).value(); }

  void StartSession() {
    ASSERT_TRUE(admin_->Set(token::SessionKey(session_id_), user_id_, std::chrono::minutes(5)).ok());
  }

  StatusOr<Principal> Authenticate(const std::string& token) {
    TokenAuthenticator authenticator(*verifier_, liveness_);
    return RunSync(authenticator.Authenticate(token, "rid"));
  }

  SystemClock clock_;
  std::unique_ptr<token::Signer> signer_;
  std::unique_ptr<token::Verifier> verifier_;
  std::unique_ptr<redis::Client> admin_;
  boost::asio::io_context ioc_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_ =
      boost::asio::make_work_guard(ioc_);
  std::thread runner_{[this] { ioc_.run(); }};
  AsyncRedisClient redis_{ioc_.get_executor(), AsyncRedisOptions::FromSettings(RedisSettings::FromEnv())};
  AsyncRedisSessionLiveness liveness_{redis_};
  std::string user_id_, session_id_, jti_;
};

TEST_F(GatewayRedisAuthTest, ALiveSessionAuthenticatesAsTheTokensUser) {
  StartSession();
  auto principal = Authenticate(Token());
  ASSERT_TRUE(principal.ok()) << principal.status();
  EXPECT_EQ(principal->user_id, user_id_);
  EXPECT_EQ(principal->session_id, session_id_);
  EXPECT_EQ(principal->jti, jti_);
}

TEST_F(GatewayRedisAuthTest, AWellSignedTokenWithoutItsSessionIsRefused) {
  auto principal = Authenticate(Token());  // never started, or logged out, or revoked by a replay
  ASSERT_FALSE(principal.ok());
  EXPECT_EQ(principal.status().code(), StatusCode::kUnauthenticated);
}

TEST_F(GatewayRedisAuthTest, ARevokedTokenIsRefusedWhileItsSessionLives) {
  StartSession();
  std::string token = Token();
  ASSERT_TRUE(Authenticate(token).ok());
  ASSERT_TRUE(admin_->Set(token::RevokedJtiKey(jti_), "1", std::chrono::minutes(5)).ok());
  EXPECT_EQ(Authenticate(token).status().code(), StatusCode::kUnauthenticated);
}

TEST_F(GatewayRedisAuthTest, EndingTheSessionEndsItsTokensAtOnce) {
  StartSession();
  std::string token = Token();
  ASSERT_TRUE(Authenticate(token).ok());
  ASSERT_TRUE(admin_->Del({token::SessionKey(session_id_)}).ok());
  EXPECT_EQ(Authenticate(token).status().code(), StatusCode::kUnauthenticated);
}

TEST_F(GatewayRedisAuthTest, ForgedOrForeignTokensNeverReachRedis) {
  StartSession();
  std::string token = Token();
  std::string tampered = token;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_EQ(Authenticate(tampered).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(Authenticate("not.a.token").status().code(), StatusCode::kUnauthenticated);
  auto other_audience =
      token::Signer::Create(ReadFileOrEmpty(EnvString("JWT_PRIVATE_KEY_FILE", "")), "messenger-auth",
                            "other-api", std::chrono::seconds(900), clock_);
  ASSERT_TRUE(other_audience.ok());
  EXPECT_EQ(Authenticate((*other_audience)->Issue(user_id_, session_id_, jti_).value()).status().code(),
            StatusCode::kUnauthenticated);
}

TEST_F(GatewayRedisAuthTest, RedisUnreachableIsUnavailableNotUnauthenticated) {
  RedisSettings nowhere = RedisSettings::FromEnv();
  nowhere.host = "127.0.0.1";
  nowhere.port = 1;  // nothing listens on port 1
  AsyncRedisClient redis(ioc_.get_executor(), AsyncRedisOptions::FromSettings(nowhere));
  AsyncRedisSessionLiveness liveness(redis);
  TokenAuthenticator authenticator(*verifier_, liveness);
  StartSession();
  auto principal = RunSync(authenticator.Authenticate(Token(), "rid"));
  ASSERT_FALSE(principal.ok());
  EXPECT_EQ(principal.status().code(), StatusCode::kUnavailable);
  AsyncRedisPingProbe probe(redis);
  EXPECT_EQ(RunSync(probe.Check("rid")).code(), StatusCode::kUnavailable);
}

TEST_F(GatewayRedisAuthTest, PingProbeSeesTheRealRedis) {
  AsyncRedisPingProbe probe(redis_);
  EXPECT_TRUE(RunSync(probe.Check("rid")).ok());
}

}  // namespace
}  // namespace messenger::gateway
