// The rules of sign-in, with in-memory fakes and a fake clock.
#include "auth/domain/auth_service.hpp"

#include <gtest/gtest.h>

#include "auth/domain/validation.hpp"
#include "auth/tests/fakes.hpp"
#include "auth/tests/test_keys.hpp"
#include "messenger/events/v1/events.pb.h"

namespace messenger::auth {
namespace {

using namespace std::chrono_literals;
using testing::FakeClock;

constexpr char kPassword[] = "correct horse battery";
constexpr char kIp[] = "203.0.113.7";

class AuthServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { Build(AuthConfig{}); }

  void Build(const AuthConfig& limits) {
    static const testing::TestKeyPair keys = testing::NewEs256KeyPair();
    limits_ = limits;
    signer_ = *token::Signer::Create(keys.private_pem, "messenger-auth", "messenger-api", 900s, clock_);
    verifier_ = *token::Verifier::Create(keys.public_pem, "messenger-auth", "messenger-api", clock_);
    AuthDependencies deps{&accounts_,  &sessions_,    &throttle_,      &hasher_,
                          &nicknames_, signer_.get(), verifier_.get(), &clock_};
    auto service = AuthService::Create(deps, limits);
    ASSERT_TRUE(service.ok()) << service.status();
    service_ = std::move(service).value();
  }

  std::string MustRegister(const std::string& email, const std::string& nickname,
                           const std::string& password = kPassword) {
    auto id = service_->Register(email, password, nickname, kIp);
    EXPECT_TRUE(id.ok()) << id.status();
    return id.ok() ? *id : std::string();
  }

  TokenPair MustLogin(const std::string& email, const std::string& password = kPassword) {
    auto pair = service_->Login(email, password, kIp);
    EXPECT_TRUE(pair.ok()) << pair.status();
    return pair.ok() ? *pair : TokenPair{};
  }

  FakeClock clock_;
  testing::InMemoryAccountRepository accounts_;
  testing::InMemorySessionStore sessions_{clock_};
  testing::InMemoryThrottle throttle_{clock_};
  testing::FakePasswordHasher hasher_;
  testing::InMemoryNicknameRegistry nicknames_;
  std::unique_ptr<token::Signer> signer_;
  std::unique_ptr<token::Verifier> verifier_;
  AuthConfig limits_;
  std::unique_ptr<AuthService> service_;
};

void ExpectStatus(const Status& s, StatusCode code, const std::string& reason) {
  EXPECT_EQ(s.code(), code) << s;
  EXPECT_EQ(s.reason(), reason) << s;
}

// ---------------------------------------------------------------------------------------------------------
// Validation

struct ValidationCase {
  const char* name;
  std::string email;
  std::string password;
  std::string nickname;
  bool valid;
};

std::string Repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

TEST(ValidationTest, RegistrationRulesTable) {
  const std::string pw(12, 'p');
  const std::vector<ValidationCase> cases = {
      {"plain", "user@example.test", pw, "nick_1", true},
      {"subdomain", "a.b+c@mail.example.test", pw, "abc", true},
      {"no at", "user.example.test", pw, "nick", false},
      {"empty local part", "@example.test", pw, "nick", false},
      {"two ats", "a@b@example.test", pw, "nick", false},
      {"domain without dot", "user@localhost", pw, "nick", false},
      {"domain starting with dot", "user@.test", pw, "nick", false},
      {"domain ending with dot", "user@example.", pw, "nick", false},
      {"space in email", "us er@example.test", pw, "nick", false},
      {"empty email", "", pw, "nick", false},
      {"email of 255 bytes", std::string(243, 'a') + "@example.test", pw, "nick", false},
      {"password of 11", "user@example.test", std::string(11, 'p'), "nick", false},
      {"password of 12", "user@example.test", std::string(12, 'p'), "nick", true},
      {"password of 128", "user@example.test", std::string(128, 'p'), "nick", true},
      {"password of 129", "user@example.test", std::string(129, 'p'), "nick", false},
      // Characters, not bytes: 12 two-byte letters are 24 bytes and valid; 11 four-byte emoji are 44 bytes.
      {"12 accented letters", "user@example.test", Repeat("\xc3\xa9", 12), "nick", true},
      {"11 emoji", "user@example.test", Repeat("\xf0\x9f\x98\x80", 11), "nick", false},
      {"128 accented letters", "user@example.test", Repeat("\xc3\xa9", 128), "nick", true},
      {"129 accented letters", "user@example.test", Repeat("\xc3\xa9", 129), "nick", false},
      {"invalid UTF-8", "user@example.test", std::string(12, 'p') + "\xff", "nick", false},
      {"overlong UTF-8", "user@example.test", std::string(11, 'p') + "\xc0\xaf", "nick", false},
      {"nickname of 2", "user@example.test", pw, "ab", false},
      {"nickname of 3", "user@example.test", pw, "abc", true},
      {"nickname of 32", "user@example.test", pw, std::string(32, 'n'), true},
      {"nickname of 33", "user@example.test", pw, std::string(33, 'n'), false},
      {"nickname with dash", "user@example.test", pw, "bad-nick", false},
      {"nickname with space", "user@example.test", pw, "bad nick", false},
      {"nickname with letter beyond ASCII", "user@example.test", pw, "nick\xc3\xa9", false},
  };
  for (const auto& c : cases) {
    const Status s = ValidateRegistration(c.email, c.password, c.nickname);
    EXPECT_EQ(s.ok(), c.valid) << c.name << ": " << s;
    if (!c.valid) ExpectStatus(s, StatusCode::kInvalidArgument, "INVALID_ARGUMENT");
  }
}

TEST(ValidationTest, EmailKeyLowercasesAsciiOnly) {
  EXPECT_EQ(NormalizeEmail("Case.User@Example.TEST"), "case.user@example.test");
  EXPECT_EQ(NormalizeEmail("\xc3\x89lise@example.test"), "\xc3\x89lise@example.test");
}

// ---------------------------------------------------------------------------------------------------------
// Register

TEST_F(AuthServiceTest, RegisterStoresTheAccountAndAUserRegisteredEvent) {
  const std::string id = MustRegister("New.User@Example.test", "NewUser");
  ASSERT_TRUE(IsUuid(id));
  const auto accounts = accounts_.Accounts();
  ASSERT_EQ(accounts.size(), 1u);
  EXPECT_EQ(accounts[0].email, "New.User@Example.test");
  EXPECT_EQ(accounts[0].email_lower, "new.user@example.test");
  ASSERT_TRUE(accounts[0].password_hash.has_value());
  EXPECT_NE(*accounts[0].password_hash, kPassword);
  EXPECT_EQ(nicknames_.Holder("newuser"), id);

  const auto outbox = accounts_.Outbox();
  ASSERT_EQ(outbox.size(), 1u);
  EXPECT_EQ(outbox[0].topic, "messenger.users.v1");
  EXPECT_EQ(outbox[0].key, id);
  events::v1::Envelope envelope;
  ASSERT_TRUE(envelope.ParseFromString(outbox[0].payload));
  EXPECT_EQ(envelope.event_id(), outbox[0].event_id);
  ASSERT_TRUE(envelope.has_user_registered());
  EXPECT_EQ(envelope.user_registered().user_id(), id);
  EXPECT_EQ(envelope.user_registered().nickname(), "NewUser");
  EXPECT_EQ(envelope.user_registered().registered_at_unix_ms(), ToUnixMillis(clock_.Now()));
}

TEST_F(AuthServiceTest, RegisterRejectsBadInputBeforeTouchingAnything) {
  auto r = service_->Register("not-an-email", kPassword, "nick", kIp);
  ExpectStatus(r.status(), StatusCode::kInvalidArgument, "INVALID_ARGUMENT");
  EXPECT_TRUE(accounts_.Accounts().empty());
  EXPECT_FALSE(nicknames_.Holder("nick").has_value());
  EXPECT_EQ(hasher_.HashCalls(), 1);  // the dummy hash made at Create
}

TEST_F(AuthServiceTest, EmailIsUniqueCaseInsensitivelyAndWinsOverNickname) {
  MustRegister("taken@example.test", "first");
  // Both the email (in other letters) and the nickname are taken: EMAIL_TAKEN.
  auto both = service_->Register("TAKEN@example.TEST", kPassword, "FIRST", kIp);
  ExpectStatus(both.status(), StatusCode::kAlreadyExists, "EMAIL_TAKEN");
  auto email_only = service_->Register("Taken@Example.test", kPassword, "second", kIp);
  ExpectStatus(email_only.status(), StatusCode::kAlreadyExists, "EMAIL_TAKEN");
  EXPECT_FALSE(nicknames_.Holder("second").has_value()) << "no reservation for a refused email";
  EXPECT_EQ(accounts_.Accounts().size(), 1u);
}

TEST_F(AuthServiceTest, TakenNicknamePassesThroughAndStoresNothing) {
  MustRegister("one@example.test", "Shared_Nick");
  auto r = service_->Register("two@example.test", kPassword, "shared_NICK", kIp);
  ExpectStatus(r.status(), StatusCode::kAlreadyExists, "NICKNAME_TAKEN");
  EXPECT_EQ(accounts_.Accounts().size(), 1u);
  EXPECT_EQ(accounts_.Outbox().size(), 1u);
}

TEST_F(AuthServiceTest, FailedInsertReleasesTheNickname) {
  accounts_.FailCreateWith(UnavailableError("database down"));
  auto r = service_->Register("late@example.test", kPassword, "latecomer", kIp);
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_FALSE(nicknames_.Holder("latecomer").has_value());
  EXPECT_EQ(nicknames_.Releases(), 1);
}

TEST_F(AuthServiceTest, UsersDownIsUnavailableAndStoresNothing) {
  nicknames_.SetUnavailable(true);
  auto r = service_->Register("who@example.test", kPassword, "whoever", kIp);
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(accounts_.Accounts().empty());
}

TEST_F(AuthServiceTest, RegistrationsPerAddressAreLimited) {
  AuthConfig limits;
  limits.register_max_per_ip = 3;
  limits.register_window = 600s;
  Build(limits);
  for (int i = 0; i < 3; ++i)
    MustRegister("r" + std::to_string(i) + "@example.test", "reg" + std::to_string(i));
  std::chrono::seconds retry{0};
  auto r = service_->Register("r9@example.test", kPassword, "reg9", kIp, &retry);
  ExpectStatus(r.status(), StatusCode::kResourceExhausted, "RATE_LIMITED");
  EXPECT_EQ(retry, 600s);
  // Another address is not affected; this one is free again once its window is over.
  EXPECT_TRUE(service_->Register("r9@example.test", kPassword, "reg9", "198.51.100.1").ok());
  clock_.Advance(600s);
  EXPECT_TRUE(service_->Register("r10@example.test", kPassword, "reg10", kIp).ok());
}

// ---------------------------------------------------------------------------------------------------------
// Login

TEST_F(AuthServiceTest, LoginIssuesTokensThatValidate) {
  const std::string id = MustRegister("login@example.test", "loginuser");
  const TokenPair pair = MustLogin("LOGIN@example.test");
  EXPECT_EQ(pair.user_id, id);
  EXPECT_EQ(pair.expires_in, 900);
  EXPECT_EQ(SessionIdOfRefreshToken(pair.refresh_token).size(), 36u);
  auto who = service_->ValidateToken(pair.access_token);
  ASSERT_TRUE(who.ok()) << who.status();
  EXPECT_EQ(who->user_id, id);
  EXPECT_EQ(who->session_id, SessionIdOfRefreshToken(pair.refresh_token));
  EXPECT_EQ(who->expires_at_unix,
            std::chrono::duration_cast<std::chrono::seconds>(clock_.Now().time_since_epoch()).count() + 900);
}

TEST_F(AuthServiceTest, UnknownEmailAndWrongPasswordGetTheSameAnswerForTheSameWork) {
  MustRegister("known@example.test", "known");
  const int before = hasher_.VerifyCalls();
  auto wrong = service_->Login("known@example.test", "not the password", kIp);
  EXPECT_EQ(hasher_.VerifyCalls(), before + 1);
  auto unknown = service_->Login("unknown@example.test", "not the password", kIp);
  EXPECT_EQ(hasher_.VerifyCalls(), before + 2) << "an unknown email is checked against a dummy hash";
  ExpectStatus(wrong.status(), StatusCode::kUnauthenticated, "INVALID_CREDENTIALS");
  EXPECT_EQ(wrong.status(), unknown.status()) << "code, message and reason are identical";
  // The dummy hash is not a password anyone can log in with, including an empty one.
  EXPECT_FALSE(service_->Login("unknown@example.test", "", kIp).ok());
}

TEST_F(AuthServiceTest, TenFailuresBlockTheEmailEvenForTheRightPassword) {
  MustRegister("victim@example.test", "victim");
  for (int i = 0; i < 10; ++i) {
    auto r = service_->Login("victim@example.test", "guess " + std::to_string(i), kIp);
    ExpectStatus(r.status(), StatusCode::kUnauthenticated, "INVALID_CREDENTIALS");
  }
  clock_.Advance(100s);
  std::chrono::seconds retry{0};
  auto blocked = service_->Login("Victim@Example.test", kPassword, kIp, &retry);
  ExpectStatus(blocked.status(), StatusCode::kResourceExhausted, "RATE_LIMITED");
  EXPECT_EQ(retry, 800s) << "the rest of the 15-minute window";
  // From another address too: the limit belongs to the email.
  EXPECT_EQ(service_->Login("victim@example.test", kPassword, "198.51.100.2").status().code(),
            StatusCode::kResourceExhausted);
  clock_.Advance(800s);
  EXPECT_TRUE(service_->Login("victim@example.test", kPassword, kIp).ok());
}

TEST_F(AuthServiceTest, UnknownEmailsAreThrottledTheSameWay) {
  for (int i = 0; i < 10; ++i) {
    ExpectStatus(service_->Login("ghost@example.test", "whatever pass", kIp).status(),
                 StatusCode::kUnauthenticated, "INVALID_CREDENTIALS");
  }
  std::chrono::seconds retry{0};
  ExpectStatus(service_->Login("ghost@example.test", "whatever pass", kIp, &retry).status(),
               StatusCode::kResourceExhausted, "RATE_LIMITED");
  EXPECT_EQ(retry, 900s);
}

TEST_F(AuthServiceTest, SuccessResetsTheEmailCount) {
  MustRegister("reset@example.test", "resetter");
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 9; ++i) EXPECT_FALSE(service_->Login("reset@example.test", "nope nope", kIp).ok());
    EXPECT_TRUE(service_->Login("reset@example.test", kPassword, kIp).ok()) << "round " << round;
  }
}

TEST_F(AuthServiceTest, EmailThrottleKeysCarryNoEmail) {
  (void)service_->Login("Secret.Person@example.test", "whatever pass", kIp);
  for (const std::string& key : throttle_.KeysSeen()) {
    EXPECT_EQ(key.find("secret"), std::string::npos) << key;
    EXPECT_EQ(key.find("example"), std::string::npos) << key;
  }
  EXPECT_EQ(throttle_.KeysSeen().count(LoginEmailThrottleKey("secret.person@example.test")), 1u);
}

TEST_F(AuthServiceTest, FailuresPerAddressAreLimited) {
  AuthConfig limits;
  limits.login_max_failures_per_ip = 5;
  Build(limits);
  MustRegister("someone@example.test", "someone");
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(
        service_->Login("spray" + std::to_string(i) + "@example.test", "pass word", kIp).status().code(),
        StatusCode::kUnauthenticated);
  }
  std::chrono::seconds retry{0};
  ExpectStatus(service_->Login("someone@example.test", kPassword, kIp, &retry).status(),
               StatusCode::kResourceExhausted, "RATE_LIMITED");
  EXPECT_GT(retry.count(), 0);
  EXPECT_TRUE(service_->Login("someone@example.test", kPassword, "198.51.100.3").ok());
}

TEST_F(AuthServiceTest, BusyHasherIsUnavailableNotInvalidCredentials) {
  MustRegister("busy@example.test", "busybee");
  hasher_.SetBusy(true);
  EXPECT_EQ(service_->Login("busy@example.test", kPassword, kIp).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(service_->Register("b2@example.test", kPassword, "busy2", kIp).status().code(),
            StatusCode::kUnavailable);
  EXPECT_FALSE(nicknames_.Holder("busy2").has_value());
}

TEST_F(AuthServiceTest, LoginRehashesWhenParametersWereRaised) {
  MustRegister("old@example.test", "oldhash");
  const std::string before = *accounts_.Accounts()[0].password_hash;
  hasher_.RaiseParameters();
  MustLogin("old@example.test");
  const std::string after = *accounts_.Accounts()[0].password_hash;
  EXPECT_NE(after, before);
  EXPECT_FALSE(hasher_.NeedsRehash(after));
  MustLogin("old@example.test");  // and the new hash still takes the same password
}

// ---------------------------------------------------------------------------------------------------------
// Refresh, logout, validation

TEST_F(AuthServiceTest, RefreshRotatesAndTheOldTokenStopsWorking) {
  const std::string id = MustRegister("rot@example.test", "rotator");
  const TokenPair first = MustLogin("rot@example.test");
  clock_.Advance(60s);
  auto second = service_->Refresh(first.refresh_token);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->user_id, id);
  EXPECT_NE(second->refresh_token, first.refresh_token);
  EXPECT_NE(second->access_token, first.access_token);
  EXPECT_EQ(SessionIdOfRefreshToken(second->refresh_token), SessionIdOfRefreshToken(first.refresh_token));
  auto third = service_->Refresh(second->refresh_token);
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_TRUE(service_->ValidateToken(third->access_token).ok());
}

TEST_F(AuthServiceTest, ReplayingARotatedTokenRevokesTheWholeSession) {
  MustRegister("replay@example.test", "replayer");
  const TokenPair first = MustLogin("replay@example.test");
  const TokenPair other_session = MustLogin("replay@example.test");
  auto second = service_->Refresh(first.refresh_token);
  ASSERT_TRUE(second.ok());

  ExpectStatus(service_->Refresh(first.refresh_token).status(), StatusCode::kUnauthenticated,
               "UNAUTHENTICATED");
  // Everything of that session is dead: the newest refresh token and the access tokens, old and new.
  EXPECT_EQ(service_->Refresh(second->refresh_token).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(service_->ValidateToken(first.access_token).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(service_->ValidateToken(second->access_token).status().code(), StatusCode::kUnauthenticated);
  EXPECT_FALSE(sessions_.HasSession(SessionIdOfRefreshToken(first.refresh_token)));
  // Another session of the same user lives on.
  EXPECT_TRUE(service_->ValidateToken(other_session.access_token).ok());
  EXPECT_TRUE(service_->Refresh(other_session.refresh_token).ok());
}

TEST_F(AuthServiceTest, UnknownOrMalformedRefreshTokensAreUnauthenticated) {
  MustRegister("unk@example.test", "unknowner");
  const TokenPair pair = MustLogin("unk@example.test");
  const std::string sid = SessionIdOfRefreshToken(pair.refresh_token);
  for (const std::string& bad : {std::string(), std::string("not-a-token"), sid, sid + ".", sid + ".forged",
                                 NewUuid() + ".whatever", pair.access_token}) {
    ExpectStatus(service_->Refresh(bad).status(), StatusCode::kUnauthenticated, "UNAUTHENTICATED");
  }
  // A forged token for a real session does not end that session.
  EXPECT_TRUE(service_->Refresh(pair.refresh_token).ok());
}

TEST_F(AuthServiceTest, RefreshTokensExpireWithTheirSession) {
  MustRegister("exp@example.test", "expirer");
  const TokenPair pair = MustLogin("exp@example.test");
  clock_.Advance(limits_.refresh_token_ttl);
  EXPECT_EQ(service_->Refresh(pair.refresh_token).status().code(), StatusCode::kUnauthenticated);
}

TEST_F(AuthServiceTest, LogoutEndsOnlyThatSession) {
  MustRegister("out@example.test", "outgoer");
  const TokenPair mine = MustLogin("out@example.test");
  const TokenPair elsewhere = MustLogin("out@example.test");
  clock_.Advance(100s);
  const std::string jti = verifier_->Verify(mine.access_token)->jti;
  ASSERT_TRUE(service_->Logout(mine.access_token).ok());

  EXPECT_EQ(service_->ValidateToken(mine.access_token).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(service_->Refresh(mine.refresh_token).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(service_->Logout(mine.access_token).code(), StatusCode::kUnauthenticated);
  EXPECT_TRUE(service_->ValidateToken(elsewhere.access_token).ok());
  // The access token's ID stays revoked exactly as long as the token would have lived.
  const auto jti_until = sessions_.RevokedUntil(jti);
  ASSERT_TRUE(jti_until.has_value());
  EXPECT_EQ(*jti_until, clock_.Now() + 800s);
}

TEST_F(AuthServiceTest, ValidateTokenRefusesForgedAndExpiredTokens) {
  MustRegister("val@example.test", "validator");
  const TokenPair pair = MustLogin("val@example.test");
  std::string forged = pair.access_token;
  forged[forged.size() / 2] = forged[forged.size() / 2] == 'A' ? 'B' : 'A';
  ExpectStatus(service_->ValidateToken(forged).status(), StatusCode::kUnauthenticated, "UNAUTHENTICATED");
  ExpectStatus(service_->ValidateToken("").status(), StatusCode::kUnauthenticated, "UNAUTHENTICATED");
  clock_.Advance(900s);
  ExpectStatus(service_->ValidateToken(pair.access_token).status(), StatusCode::kUnauthenticated,
               "UNAUTHENTICATED");
  EXPECT_EQ(service_->Logout(pair.access_token).code(), StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace messenger::auth
