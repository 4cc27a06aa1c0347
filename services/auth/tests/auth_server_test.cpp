// The Auth gRPC service in process, over the real PostgreSQL and Redis, real argon2id hashing and real
// ES256 keys (made for the test). Only the Users service is faked (InMemoryNicknameRegistry).
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "auth/api/auth_grpc_service.hpp"
#include "auth/domain/auth_service.hpp"
#include "auth/domain/oauth_service.hpp"
#include "auth/security/argon2_password_hasher.hpp"
#include "auth/security/bounded_executor.hpp"
#include "auth/security/pooled_password_hasher.hpp"
#include "auth/storage/pg_account_repository.hpp"
#include "auth/storage/redis_oauth_state_store.hpp"
#include "auth/storage/redis_session_store.hpp"
#include "auth/storage/redis_throttle.hpp"
#include "auth/tests/fakes.hpp"
#include "auth/tests/redis_test_support.hpp"
#include "auth/tests/test_keys.hpp"
#include "messenger/common/grpc_status.hpp"
#include "messenger/common/ids.hpp"
#include "messenger/outbox/outbox.hpp"
#include "messenger/pg/migrations.hpp"
#include "messenger/pg/testing/test_database.hpp"

namespace messenger::auth {
namespace {

using namespace std::chrono_literals;
namespace v1 = messenger::auth::v1;

constexpr char kPassword[] = "correct horse battery";

// A clock an hour behind, to mint tokens that are already expired.
class HourAgoClock final : public Clock {
 public:
  std::chrono::system_clock::time_point Now() const override { return std::chrono::system_clock::now() - 1h; }
};

struct CallResult {
  grpc::StatusCode code = grpc::StatusCode::OK;
  std::string message;
  std::string reason;
  std::optional<std::chrono::seconds> retry_after;
};

class AuthServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { keys_ = new testing::TestKeyPair(testing::NewEs256KeyPair()); }
  static void TearDownTestSuite() { delete keys_; }

  void SetUp() override {
    auto db = pg::testing::TestDatabase::Create();
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(db).value();
    pool_ = std::move(db_->NewPool(4)).value();
    ASSERT_TRUE(pg::RunMigrations(*pool_, AUTH_MIGRATIONS_DIR).ok());
    ASSERT_TRUE(outbox::EnsureSchema(*pool_).ok());
    accounts_ = std::move(PgAccountRepository::Create(*pool_)).value();

    redis_ = testing::ConnectRedisOrFail();
    ASSERT_NE(redis_, nullptr);
    sessions_ = std::make_unique<RedisSessionStore>(*redis_);
    throttle_ = std::make_unique<RedisThrottle>(*redis_, "auth-test:" + RandomToken(8) + ":");

    argon2_ = std::move(Argon2PasswordHasher::Create(Argon2Params{})).value();
    executor_ = std::make_unique<BoundedExecutor>(2, 64);
    hasher_ = std::make_unique<PooledPasswordHasher>(*argon2_, *executor_);

    signer_ =
        std::move(token::Signer::Create(keys_->private_pem, "messenger-auth", "messenger-api", 900s, clock_))
            .value();
    verifier_ =
        std::move(token::Verifier::Create(keys_->public_pem, "messenger-auth", "messenger-api", clock_))
            .value();

    AuthDependencies deps{accounts_.get(), sessions_.get(), throttle_.get(), hasher_.get(),
                          &nicknames_,     signer_.get(),   verifier_.get(), &clock_};
    service_ = std::move(AuthService::Create(deps, AuthConfig{})).value();
    oauth_states_ =
        std::make_unique<RedisOAuthStateStore>(*redis_, "auth-test:" + RandomToken(8) + ":oauth:");
    OAuthDependencies oauth_deps;
    oauth_deps.providers["idp"] = OAuthProvider{&idp_, {"https://api.test/v1/auth/oauth/idp/callback"}};
    oauth_deps.accounts = accounts_.get();
    oauth_deps.nicknames = &nicknames_;
    oauth_deps.states = oauth_states_.get();
    oauth_deps.sessions = service_.get();
    oauth_deps.clock = &clock_;
    oauth_ = std::move(OAuthService::Create(std::move(oauth_deps), OAuthConfig{})).value();
    grpc_service_ = std::make_unique<AuthGrpcService>(*service_, *oauth_);

    grpc::ServerBuilder builder;
    builder.RegisterService(grpc_service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = v1::AuthService::NewStub(server_->InProcessChannel(grpc::ChannelArguments()));
  }

  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  template <typename Request, typename Response, typename Method>
  CallResult Call(Method method, const Request& request, Response* response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 30s);
    const grpc::Status status = ((*stub_).*method)(&context, request, response);
    const Status mapped = FromGrpcStatus(status, context);
    return CallResult{status.error_code(), status.error_message(), mapped.reason(),
                      RetryAfterFromContext(context)};
  }

  CallResult Register(const std::string& email, const std::string& nickname, std::string* user_id = nullptr) {
    v1::RegisterRequest request;
    request.set_email(email);
    request.set_password(kPassword);
    request.set_nickname(nickname);
    request.set_client_ip("192.0.2.10");
    v1::RegisterResponse response;
    CallResult r = Call(&v1::AuthService::Stub::Register, request, &response);
    if (user_id) *user_id = response.user_id();
    return r;
  }

  CallResult Login(const std::string& email, const std::string& password, v1::TokenPair* pair = nullptr) {
    v1::LoginRequest request;
    request.set_email(email);
    request.set_password(password);
    request.set_client_ip("192.0.2.10");
    v1::TokenPair response;
    CallResult r = Call(&v1::AuthService::Stub::Login, request, &response);
    if (pair) *pair = response;
    return r;
  }

  CallResult Validate(const std::string& token, v1::ValidateTokenResponse* out = nullptr) {
    v1::ValidateTokenRequest request;
    request.set_access_token(token);
    v1::ValidateTokenResponse response;
    CallResult r = Call(&v1::AuthService::Stub::ValidateToken, request, &response);
    if (out) *out = response;
    return r;
  }

  CallResult Refresh(const std::string& refresh_token, v1::TokenPair* pair = nullptr) {
    v1::RefreshRequest request;
    request.set_refresh_token(refresh_token);
    v1::TokenPair response;
    CallResult r = Call(&v1::AuthService::Stub::Refresh, request, &response);
    if (pair) *pair = response;
    return r;
  }

  CallResult Logout(const std::string& access_token) {
    v1::LogoutRequest request;
    request.set_access_token(access_token);
    v1::LogoutResponse response;
    return Call(&v1::AuthService::Stub::Logout, request, &response);
  }

  // A registered user with a live session.
  v1::TokenPair SignedInUser(const std::string& tag) {
    const std::string email = tag + "." + RandomToken(6) + "@example.test";
    EXPECT_EQ(Register(email, tag).code, grpc::StatusCode::OK);
    v1::TokenPair pair;
    EXPECT_EQ(Login(email, kPassword, &pair).code, grpc::StatusCode::OK);
    return pair;
  }

  static void ExpectUnauthenticated(const CallResult& r, const std::string& what) {
    EXPECT_EQ(r.code, grpc::StatusCode::UNAUTHENTICATED) << what << ": " << r.message;
    EXPECT_EQ(r.reason, "UNAUTHENTICATED") << what;
  }

  static testing::TestKeyPair* keys_;
  SystemClock clock_;
  std::unique_ptr<pg::testing::TestDatabase> db_;
  std::unique_ptr<pg::Pool> pool_;
  std::unique_ptr<PgAccountRepository> accounts_;
  std::unique_ptr<redis::Client> redis_;
  std::unique_ptr<RedisSessionStore> sessions_;
  std::unique_ptr<RedisThrottle> throttle_;
  std::unique_ptr<Argon2PasswordHasher> argon2_;
  std::unique_ptr<BoundedExecutor> executor_;
  std::unique_ptr<PooledPasswordHasher> hasher_;
  testing::InMemoryNicknameRegistry nicknames_;
  testing::FakeIdentityProvider idp_;
  std::unique_ptr<RedisOAuthStateStore> oauth_states_;
  std::unique_ptr<OAuthService> oauth_;
  std::unique_ptr<token::Signer> signer_;
  std::unique_ptr<token::Verifier> verifier_;
  std::unique_ptr<AuthService> service_;
  std::unique_ptr<AuthGrpcService> grpc_service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::AuthService::Stub> stub_;
};

testing::TestKeyPair* AuthServerTest::keys_ = nullptr;

TEST_F(AuthServerTest, RegisterLoginAndValidate) {
  std::string user_id;
  ASSERT_EQ(Register("flow@example.test", "flow_user", &user_id).code, grpc::StatusCode::OK);
  ASSERT_TRUE(IsUuid(user_id));
  v1::TokenPair pair;
  ASSERT_EQ(Login("FLOW@example.test", kPassword, &pair).code, grpc::StatusCode::OK);
  EXPECT_EQ(pair.token_type(), "Bearer");
  EXPECT_EQ(pair.expires_in(), 900);
  EXPECT_EQ(pair.user_id(), user_id);
  v1::ValidateTokenResponse who;
  ASSERT_EQ(Validate(pair.access_token(), &who).code, grpc::StatusCode::OK);
  EXPECT_EQ(who.user_id(), user_id);
  EXPECT_EQ(who.session_id(), SessionIdOfRefreshToken(pair.refresh_token()));
  EXPECT_GT(who.expires_at_unix(), 0);

  // The stored hash is argon2id, and the event waits in the outbox.
  EXPECT_EQ(accounts_->FindByEmail("flow@example.test")->password_hash->rfind("$argon2id$", 0), 0u);
  int64_t events = 0;
  ASSERT_TRUE(
      pool_
          ->ReadOnly([&](pqxx::work& txn) {
            events =
                txn.exec1("SELECT count(*) FROM outbox WHERE key = " + txn.quote(user_id))[0].as<int64_t>();
            return OkStatus();
          })
          .ok());
  EXPECT_EQ(events, 1);
}

TEST_F(AuthServerTest, DuplicateEmailAndBadInputCarryTheirReasons) {
  ASSERT_EQ(Register("dup@example.test", "dup_one").code, grpc::StatusCode::OK);
  const CallResult dup = Register("Dup@Example.test", "dup_two");
  EXPECT_EQ(dup.code, grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(dup.reason, "EMAIL_TAKEN");
  const CallResult nick = Register("other@example.test", "DUP_ONE");
  EXPECT_EQ(nick.code, grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(nick.reason, "NICKNAME_TAKEN");
  const CallResult bad = Register("user@localhost", "fine_nick");
  EXPECT_EQ(bad.code, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(bad.reason, "INVALID_ARGUMENT");
}

TEST_F(AuthServerTest, ForgedExpiredAndAlgNoneTokensAreRefused) {
  const v1::TokenPair pair = SignedInUser("victim");
  ASSERT_EQ(Validate(pair.access_token()).code, grpc::StatusCode::OK);
  const auto claims = verifier_->Verify(pair.access_token());
  ASSERT_TRUE(claims.ok());

  // Forged: the payload claims another user, the signature is the original's.
  const std::string& t = pair.access_token();
  const std::size_t dot1 = t.find('.'), dot2 = t.rfind('.');
  std::string payload = Base64UrlDecode(t.substr(dot1 + 1, dot2 - dot1 - 1));
  payload.replace(payload.find(claims->user_id), claims->user_id.size(), NewUuid());
  ExpectUnauthenticated(Validate(t.substr(0, dot1) + "." + Base64UrlEncode(payload) + t.substr(dot2)),
                        "forged");

  // Signed by a key that is not ours, for a live session.
  const testing::TestKeyPair stranger = testing::NewEs256KeyPair();
  auto stranger_signer =
      token::Signer::Create(stranger.private_pem, "messenger-auth", "messenger-api", 900s, clock_);
  ExpectUnauthenticated(Validate(*(*stranger_signer)->Issue(claims->user_id, claims->session_id, NewUuid())),
                        "another key");

  // Expired: our key, a live session, but minted an hour ago with a 15-minute life.
  HourAgoClock hour_ago;
  auto old_signer =
      token::Signer::Create(keys_->private_pem, "messenger-auth", "messenger-api", 900s, hour_ago);
  ExpectUnauthenticated(Validate(*(*old_signer)->Issue(claims->user_id, claims->session_id, NewUuid())),
                        "expired");

  // alg=none with perfect claims for the live session.
  const std::string none =
      Base64UrlEncode(R"({"alg":"none","typ":"JWT"})") + "." +
      Base64UrlEncode(payload.replace(payload.find("\"sub\":\"") + 7, 36, claims->user_id)) + ".";
  ExpectUnauthenticated(Validate(none), "alg none");
  ExpectUnauthenticated(Validate(""), "empty");
  EXPECT_EQ(Validate(pair.access_token()).code, grpc::StatusCode::OK) << "the real token still works";
}

TEST_F(AuthServerTest, UnknownEmailAndWrongPasswordLookAlikeInAnswerAndTime) {
  ASSERT_EQ(Register("timing@example.test", "timing").code, grpc::StatusCode::OK);
  auto median_ms = [&](const std::string& email) {
    std::vector<double> ms;
    CallResult last;
    for (int i = 0; i < 5; ++i) {
      const auto start = std::chrono::steady_clock::now();
      last = Login(email, "wrong password here");
      ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
      EXPECT_EQ(last.code, grpc::StatusCode::UNAUTHENTICATED);
      EXPECT_EQ(last.reason, "INVALID_CREDENTIALS");
    }
    std::sort(ms.begin(), ms.end());
    return std::make_pair(ms[2], last.message);
  };
  const auto [known_ms, known_message] = median_ms("timing@example.test");
  const auto [unknown_ms, unknown_message] = median_ms("nobody@example.test");
  EXPECT_EQ(known_message, unknown_message);
  // Both pay for one argon2id verification; without the dummy hash an unknown email would answer many
  // times faster. The bound is loose because the machine is shared.
  EXPECT_GT(unknown_ms, known_ms / 3) << "known " << known_ms << " ms, unknown " << unknown_ms << " ms";
  EXPECT_GT(known_ms, unknown_ms / 3) << "known " << known_ms << " ms, unknown " << unknown_ms << " ms";
}

TEST_F(AuthServerTest, TenFailuresThrottleTheEmailWithRetryAfter) {
  ASSERT_EQ(Register("throttled@example.test", "throttled").code, grpc::StatusCode::OK);
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(Login("throttled@example.test", "guess number " + std::to_string(i)).code,
              grpc::StatusCode::UNAUTHENTICATED);
  }
  const CallResult blocked = Login("throttled@example.test", kPassword);
  EXPECT_EQ(blocked.code, grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(blocked.reason, "RATE_LIMITED");
  ASSERT_TRUE(blocked.retry_after.has_value());
  EXPECT_GT(blocked.retry_after->count(), 0);
  EXPECT_LE(blocked.retry_after->count(), 900);
}

TEST_F(AuthServerTest, RefreshRotatesAndReplayEndsTheSession) {
  const v1::TokenPair first = SignedInUser("rotator");
  v1::TokenPair second;
  ASSERT_EQ(Refresh(first.refresh_token(), &second).code, grpc::StatusCode::OK);
  EXPECT_NE(second.refresh_token(), first.refresh_token());
  EXPECT_EQ(Validate(second.access_token()).code, grpc::StatusCode::OK);

  ExpectUnauthenticated(Refresh(first.refresh_token()), "replay");
  ExpectUnauthenticated(Refresh(second.refresh_token()), "newest token after replay");
  ExpectUnauthenticated(Validate(second.access_token()), "access token after replay");
  ExpectUnauthenticated(Refresh("garbage"), "garbage");
}

TEST_F(AuthServerTest, LogoutEndsTheSession) {
  const v1::TokenPair pair = SignedInUser("leaver");
  const v1::TokenPair other = [&] {
    v1::TokenPair p;
    EXPECT_EQ(Refresh(pair.refresh_token(), &p).code, grpc::StatusCode::OK);
    return p;
  }();
  ASSERT_EQ(Logout(other.access_token()).code, grpc::StatusCode::OK);
  ExpectUnauthenticated(Validate(other.access_token()), "after logout");
  ExpectUnauthenticated(Refresh(other.refresh_token()), "refresh after logout");
  ExpectUnauthenticated(Logout(other.access_token()), "second logout");
}

// OpenID Connect through gRPC, over the real PostgreSQL and Redis; the provider is scripted (the real one is
// exercised by tests/e2e/oauth).
class AuthServerOAuthTest : public AuthServerTest {
 protected:
  CallResult Authorize(const std::string& provider, std::string* url = nullptr) {
    v1::OAuthAuthorizeRequest request;
    request.set_provider(provider);
    v1::OAuthAuthorizeResponse response;
    CallResult r = Call(&v1::AuthService::Stub::OAuthAuthorize, request, &response);
    if (url) *url = response.authorization_url();
    return r;
  }
  CallResult Callback(const std::string& provider, const std::string& code, const std::string& state,
                      v1::TokenPair* pair = nullptr) {
    v1::OAuthCallbackRequest request;
    request.set_provider(provider);
    request.set_code(code);
    request.set_state(state);
    v1::TokenPair response;
    CallResult r = Call(&v1::AuthService::Stub::OAuthCallback, request, &response);
    if (pair) *pair = response;
    return r;
  }
  // Authorize, then the state the provider would hand back.
  std::string StartSignIn() {
    std::string url;
    EXPECT_EQ(Authorize("idp", &url).code, grpc::StatusCode::OK);
    auto requests = idp_.Requests();
    return requests.empty() ? std::string() : requests.back().state;
  }
};

TEST_F(AuthServerOAuthTest, SignInCreatesAnAccountWithASessionAndSignsInToItAgain) {
  const std::string email = "oidc." + RandomToken(6) + "@example.test";
  idp_.SetIdentity(ProviderIdentity{"https://idp.test", "sub-" + RandomToken(6), email, true, "oidc_user"});
  v1::TokenPair first;
  ASSERT_EQ(Callback("idp", "code-1", StartSignIn(), &first).code, grpc::StatusCode::OK);
  EXPECT_EQ(first.token_type(), "Bearer");
  v1::ValidateTokenResponse who;
  ASSERT_EQ(Validate(first.access_token(), &who).code, grpc::StatusCode::OK);
  EXPECT_EQ(who.user_id(), first.user_id());

  v1::TokenPair second;
  ASSERT_EQ(Callback("idp", "code-2", StartSignIn(), &second).code, grpc::StatusCode::OK);
  EXPECT_EQ(second.user_id(), first.user_id());
  EXPECT_NE(second.access_token(), first.access_token());
  // The account has no password: password login is refused like an unknown email.
  EXPECT_EQ(Login(email, kPassword).reason, "INVALID_CREDENTIALS");
}

TEST_F(AuthServerOAuthTest, ReasonsReachTheCaller) {
  CallResult unknown = Authorize("nope");
  EXPECT_EQ(unknown.code, grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(unknown.reason, "UNKNOWN_PROVIDER");

  CallResult bad_state = Callback("idp", "code", RandomToken(32));
  EXPECT_EQ(bad_state.code, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(bad_state.reason, "INVALID_STATE");

  const std::string email = "taken." + RandomToken(6) + "@example.test";
  ASSERT_EQ(Register(email, "taken_" + Sha256Hex(RandomToken()).substr(0, 8)).code, grpc::StatusCode::OK);
  idp_.SetIdentity(ProviderIdentity{"https://idp.test", "sub-" + RandomToken(6), email, false, std::nullopt});
  CallResult unverified = Callback("idp", "code-3", StartSignIn());
  EXPECT_EQ(unverified.code, grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(unverified.reason, "EMAIL_NOT_VERIFIED");
  EXPECT_FALSE(unverified.message.empty());

  idp_.FailRedeemWith(UnavailableError("connection refused", "PROVIDER_UNAVAILABLE"));
  CallResult down = Callback("idp", "code-4", StartSignIn());
  EXPECT_EQ(down.code, grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(down.reason, "PROVIDER_UNAVAILABLE");
  EXPECT_EQ(down.message.find("connection refused"), std::string::npos)
      << "infrastructure detail stays in the log";
}

}  // namespace
}  // namespace messenger::auth
