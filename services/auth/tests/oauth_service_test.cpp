// The rules of OpenID Connect sign-in (state, code, account rules, nicknames) over in-memory fakes and a
// fake clock. The provider is a FakeIdentityProvider: what it would verify is tested in oidc_test.cpp.
#include "auth/domain/oauth_service.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <thread>

#include "auth/domain/oauth_nickname.hpp"
#include "auth/domain/validation.hpp"
#include "auth/tests/fakes.hpp"
#include "auth/tests/test_keys.hpp"
#include "messenger/events/v1/events.pb.h"

namespace messenger::auth {
namespace {

using namespace std::chrono_literals;
using testing::FakeClock;

constexpr char kIssuer[] = "https://idp.test";
constexpr char kCallback[] = "https://api.test/v1/auth/oauth/idp/callback";
constexpr char kOtherCallback[] = "https://api2.test/v1/auth/oauth/idp/callback";
constexpr char kPassword[] = "correct horse battery";

ProviderIdentity Identity(const std::string& subject, std::optional<std::string> email, bool verified = true,
                          std::optional<std::string> preferred_username = std::nullopt) {
  return ProviderIdentity{kIssuer, subject, std::move(email), verified, std::move(preferred_username)};
}

void ExpectStatus(const Status& s, StatusCode code, const std::string& reason) {
  EXPECT_EQ(s.code(), code) << s;
  EXPECT_EQ(s.reason(), reason) << s;
}

class OAuthServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static const testing::TestKeyPair keys = testing::NewEs256KeyPair();
    signer_ = *token::Signer::Create(keys.private_pem, "messenger-auth", "messenger-api", 900s, clock_);
    verifier_ = *token::Verifier::Create(keys.public_pem, "messenger-auth", "messenger-api", clock_);
    AuthDependencies auth_deps{&accounts_,  &sessions_,    &throttle_,      &hasher_,
                               &nicknames_, signer_.get(), verifier_.get(), &clock_};
    auth_ = std::move(AuthService::Create(auth_deps, AuthConfig{})).value();
    Build(&accounts_);
  }

  // Builds the service over `accounts` (the plain fake, or a wrapper that stages a race).
  void Build(AccountRepository* accounts) {
    OAuthDependencies deps;
    deps.providers["idp"] = OAuthProvider{&idp_, {kCallback, kOtherCallback}};
    deps.providers["other"] = OAuthProvider{&other_idp_, {"https://api.test/v1/auth/oauth/other/callback"}};
    deps.accounts = accounts;
    deps.nicknames = &nicknames_;
    deps.states = &states_;
    deps.sessions = auth_.get();
    deps.clock = &clock_;
    auto service = OAuthService::Create(std::move(deps), OAuthConfig{});
    ASSERT_TRUE(service.ok()) << service.status();
    oauth_ = std::move(service).value();
  }

  // Authorize, then the state it saved (as the provider would hand it back).
  std::string StartSignIn(const std::string& provider = "idp") {
    auto url = oauth_->Authorize(provider, "");
    EXPECT_TRUE(url.ok()) << url.status();
    FakeIdentityProvider& idp = provider == "idp" ? idp_ : other_idp_;
    auto requests = idp.Requests();
    return requests.empty() ? std::string() : requests.back().state;
  }

  StatusOr<TokenPair> SignInAs(const ProviderIdentity& identity) {
    idp_.SetIdentity(identity);
    const std::string state = StartSignIn();
    return oauth_->Callback("idp", "code-" + RandomToken(8), state);
  }

  std::string MustSignIn(const ProviderIdentity& identity) {
    auto pair = SignInAs(identity);
    EXPECT_TRUE(pair.ok()) << pair.status();
    return pair.ok() ? pair->user_id : std::string();
  }

  std::string NicknameInEvent(std::size_t index) {
    auto outbox = accounts_.Outbox();
    if (index >= outbox.size()) return {};
    events::v1::Envelope envelope;
    EXPECT_TRUE(envelope.ParseFromString(outbox[index].payload));
    return envelope.user_registered().nickname();
  }

  using FakeIdentityProvider = testing::FakeIdentityProvider;

  FakeClock clock_;
  testing::InMemoryAccountRepository accounts_;
  testing::InMemorySessionStore sessions_{clock_};
  testing::InMemoryThrottle throttle_{clock_};
  testing::FakePasswordHasher hasher_;
  testing::InMemoryNicknameRegistry nicknames_;
  testing::InMemoryOAuthStateStore states_{clock_};
  FakeIdentityProvider idp_;
  FakeIdentityProvider other_idp_;
  std::unique_ptr<token::Signer> signer_;
  std::unique_ptr<token::Verifier> verifier_;
  std::unique_ptr<AuthService> auth_;
  std::unique_ptr<OAuthService> oauth_;
};

// ---------------------------------------------------------------------------------------------------------
// Authorize

TEST_F(OAuthServiceTest, AuthorizeKeepsAFreshStateNonceAndVerifierForTheCallback) {
  ASSERT_TRUE(oauth_->Authorize("idp", "").ok());
  ASSERT_TRUE(oauth_->Authorize("idp", "").ok());
  auto requests = idp_.Requests();
  ASSERT_EQ(requests.size(), 2u);
  const std::regex token43("^[A-Za-z0-9_-]{43}$");  // 32 random bytes, base64url
  std::set<std::string> seen;
  for (const auto& r : requests) {
    EXPECT_TRUE(std::regex_match(r.state, token43)) << r.state;
    EXPECT_TRUE(std::regex_match(r.nonce, token43)) << r.nonce;
    EXPECT_TRUE(std::regex_match(r.code_verifier, token43)) << r.code_verifier;
    EXPECT_EQ(r.redirect_uri, kCallback);  // the first registered one by default
    seen.insert({r.state, r.nonce, r.code_verifier});
    auto pending = states_.Peek(r.state);
    ASSERT_TRUE(pending.has_value());
    EXPECT_EQ(pending->provider, "idp");
    EXPECT_EQ(pending->nonce, r.nonce);
    EXPECT_EQ(pending->code_verifier, r.code_verifier);
    EXPECT_EQ(pending->redirect_uri, kCallback);
  }
  EXPECT_EQ(seen.size(), 6u) << "every value is fresh";
}

TEST_F(OAuthServiceTest, AuthorizeAcceptsOnlyRegisteredRedirectUris) {
  ASSERT_TRUE(oauth_->Authorize("idp", kOtherCallback).ok());
  EXPECT_EQ(idp_.Requests().back().redirect_uri, kOtherCallback);
  ExpectStatus(oauth_->Authorize("idp", "https://evil.test/cb").status(), StatusCode::kInvalidArgument,
               "REDIRECT_URI_NOT_ALLOWED");
  EXPECT_EQ(states_.Size(), 1u);
}

TEST_F(OAuthServiceTest, UnknownProviderIsNotFound) {
  ExpectStatus(oauth_->Authorize("nope", "").status(), StatusCode::kNotFound, "UNKNOWN_PROVIDER");
  ExpectStatus(oauth_->Callback("nope", "code", RandomToken(32)).status(), StatusCode::kNotFound,
               "UNKNOWN_PROVIDER");
}

TEST_F(OAuthServiceTest, AnUnreachableProviderLeavesNoStateBehind) {
  idp_.FailUrlWith(UnavailableError("discovery failed", "PROVIDER_UNAVAILABLE"));
  ExpectStatus(oauth_->Authorize("idp", "").status(), StatusCode::kUnavailable, "PROVIDER_UNAVAILABLE");
  EXPECT_EQ(states_.Size(), 0u);
}

// ---------------------------------------------------------------------------------------------------------
// Callback: state and code

TEST_F(OAuthServiceTest, CallbackRedeemsWithWhatAuthorizeKept) {
  idp_.SetIdentity(Identity("s1", "one@example.test"));
  ASSERT_TRUE(oauth_->Authorize("idp", kOtherCallback).ok());
  const AuthorizationRequest request = idp_.Requests().back();
  auto pair = oauth_->Callback("idp", "the-code", request.state);
  ASSERT_TRUE(pair.ok()) << pair.status();
  auto redeemed = idp_.Redeemed();
  ASSERT_EQ(redeemed.size(), 1u);
  EXPECT_EQ(redeemed[0].code, "the-code");
  EXPECT_EQ(redeemed[0].code_verifier, request.code_verifier);
  EXPECT_EQ(redeemed[0].nonce, request.nonce);
  EXPECT_EQ(redeemed[0].redirect_uri, kOtherCallback);
}

TEST_F(OAuthServiceTest, AStateWorksOnce) {
  idp_.SetIdentity(Identity("s1", "one@example.test"));
  const std::string state = StartSignIn();
  ASSERT_TRUE(oauth_->Callback("idp", "code-1", state).ok());
  ExpectStatus(oauth_->Callback("idp", "code-2", state).status(), StatusCode::kInvalidArgument,
               "INVALID_STATE");
  EXPECT_EQ(idp_.Redeemed().size(), 1u);
}

TEST_F(OAuthServiceTest, UnknownMalformedAndExpiredStatesAreRefused) {
  ExpectStatus(oauth_->Callback("idp", "code", RandomToken(32)).status(), StatusCode::kInvalidArgument,
               "INVALID_STATE");
  ExpectStatus(oauth_->Callback("idp", "code", "short").status(), StatusCode::kInvalidArgument,
               "INVALID_STATE");
  ExpectStatus(oauth_->Callback("idp", "code", std::string(43, '*')).status(), StatusCode::kInvalidArgument,
               "INVALID_STATE");

  idp_.SetIdentity(Identity("s1", "one@example.test"));
  const std::string fresh = StartSignIn();
  const std::string stale = StartSignIn();
  clock_.Advance(299s);
  EXPECT_TRUE(oauth_->Callback("idp", "code-1", fresh).ok());
  clock_.Advance(2s);  // 301 s after Authorize
  ExpectStatus(oauth_->Callback("idp", "code-2", stale).status(), StatusCode::kInvalidArgument,
               "INVALID_STATE");
  EXPECT_EQ(idp_.Redeemed().size(), 1u) << "a refused state never reaches the provider";
}

TEST_F(OAuthServiceTest, AStateOfAnotherProviderIsRefusedAndSpent) {
  const std::string state = StartSignIn("other");
  ExpectStatus(oauth_->Callback("idp", "code", state).status(), StatusCode::kInvalidArgument,
               "INVALID_STATE");
  ExpectStatus(oauth_->Callback("other", "code", state).status(), StatusCode::kInvalidArgument,
               "INVALID_STATE");
  EXPECT_TRUE(idp_.Redeemed().empty());
  EXPECT_TRUE(other_idp_.Redeemed().empty());
}

TEST_F(OAuthServiceTest, AReplayedCodeIsRefusedBeforeReachingTheProvider) {
  idp_.SetIdentity(Identity("s1", "one@example.test"));
  ASSERT_TRUE(oauth_->Callback("idp", "same-code", StartSignIn()).ok());
  ExpectStatus(oauth_->Callback("idp", "same-code", StartSignIn()).status(), StatusCode::kInvalidArgument,
               "CODE_REPLAYED");
  EXPECT_EQ(idp_.Redeemed().size(), 1u);
  // Remembered for a while, then forgotten (the provider refuses old codes by itself).
  clock_.Advance(601s);
  EXPECT_TRUE(oauth_->Callback("idp", "same-code", StartSignIn()).ok());
}

TEST_F(OAuthServiceTest, AProviderRefusalPassesThroughAndSpendsTheState) {
  idp_.FailRedeemWith(UnauthenticatedError("invalid_grant", "OAUTH_REFUSED"));
  const std::string state = StartSignIn();
  ExpectStatus(oauth_->Callback("idp", "code", state).status(), StatusCode::kUnauthenticated,
               "OAUTH_REFUSED");
  idp_.FailRedeemWith(OkStatus());
  ExpectStatus(oauth_->Callback("idp", "code-2", state).status(), StatusCode::kInvalidArgument,
               "INVALID_STATE");
  EXPECT_TRUE(accounts_.Accounts().empty());
}

// ---------------------------------------------------------------------------------------------------------
// Account rules

TEST_F(OAuthServiceTest, FirstSignInCreatesTheAccountAndPublishesUserRegistered) {
  auto pair = SignInAs(Identity("sub-1", "Alice.Smith@Example.test", true, "alice"));
  ASSERT_TRUE(pair.ok()) << pair.status();
  auto accounts = accounts_.Accounts();
  ASSERT_EQ(accounts.size(), 1u);
  EXPECT_EQ(accounts[0].id, pair->user_id);
  EXPECT_EQ(accounts[0].email, "Alice.Smith@Example.test");
  EXPECT_EQ(accounts[0].email_lower, "alice.smith@example.test");
  EXPECT_FALSE(accounts[0].password_hash.has_value()) << "an OAuth-only account has no password";
  EXPECT_EQ(accounts_.Identities().at({kIssuer, "sub-1"}), pair->user_id);

  auto outbox = accounts_.Outbox();
  ASSERT_EQ(outbox.size(), 1u);
  EXPECT_EQ(outbox[0].topic, "messenger.users.v1");
  EXPECT_EQ(outbox[0].key, pair->user_id);
  events::v1::Envelope envelope;
  ASSERT_TRUE(envelope.ParseFromString(outbox[0].payload));
  EXPECT_EQ(envelope.user_registered().user_id(), pair->user_id);
  EXPECT_EQ(envelope.user_registered().nickname(), "alice");
  EXPECT_EQ(nicknames_.Holder("alice"), pair->user_id);

  // The session is a real one: the access token validates, and refresh works.
  auto identity = auth_->ValidateToken(pair->access_token);
  ASSERT_TRUE(identity.ok()) << identity.status();
  EXPECT_EQ(identity->user_id, pair->user_id);
  EXPECT_TRUE(auth_->Refresh(pair->refresh_token).ok());
}

TEST_F(OAuthServiceTest, SecondSignInReturnsTheSameUser) {
  const std::string first = MustSignIn(Identity("sub-1", "alice@example.test", true, "alice"));
  const std::string second = MustSignIn(Identity("sub-1", "alice@example.test", true, "alice"));
  EXPECT_EQ(first, second);
  EXPECT_EQ(accounts_.Accounts().size(), 1u);
  EXPECT_EQ(accounts_.Outbox().size(), 1u) << "no second UserRegistered";
}

TEST_F(OAuthServiceTest, ALinkedIdentitySignsInWhateverItsEmailSaysNow) {
  const std::string user = MustSignIn(Identity("sub-1", "alice@example.test"));
  EXPECT_EQ(MustSignIn(Identity("sub-1", "changed@example.test", false)), user);
  EXPECT_EQ(MustSignIn(Identity("sub-1", std::nullopt, false)), user);
}

TEST_F(OAuthServiceTest, SameSubjectAtAnotherIssuerIsAnotherIdentity) {
  const std::string a = MustSignIn(Identity("sub-1", "a@example.test"));
  ProviderIdentity other = Identity("sub-1", "b@example.test");
  other.issuer = "https://other-idp.test";
  EXPECT_NE(MustSignIn(other), a);
}

TEST_F(OAuthServiceTest, AVerifiedEmailLinksToTheExistingPasswordAccount) {
  auto registered = auth_->Register("Bob@Example.test", kPassword, "bob", "192.0.2.1");
  ASSERT_TRUE(registered.ok()) << registered.status();
  EXPECT_EQ(MustSignIn(Identity("sub-bob", "bob@example.TEST", true, "bobby")), *registered);
  EXPECT_EQ(accounts_.Accounts().size(), 1u);
  EXPECT_EQ(accounts_.Outbox().size(), 1u) << "only the registration's event";
  EXPECT_EQ(accounts_.Identities().at({kIssuer, "sub-bob"}), *registered);
  // The password still works, for the same user.
  auto login = auth_->Login("bob@example.test", kPassword, "192.0.2.1");
  ASSERT_TRUE(login.ok()) << login.status();
  EXPECT_EQ(login->user_id, *registered);
}

TEST_F(OAuthServiceTest, AnUnverifiedEmailNeverReachesTheExistingAccount) {
  auto registered = auth_->Register("carol@example.test", kPassword, "carol", "192.0.2.1");
  ASSERT_TRUE(registered.ok()) << registered.status();
  ExpectStatus(SignInAs(Identity("sub-carol", "carol@example.test", false)).status(),
               StatusCode::kPermissionDenied, "EMAIL_NOT_VERIFIED");
  EXPECT_EQ(accounts_.Accounts().size(), 1u) << "no second account for that email";
  EXPECT_TRUE(accounts_.Identities().empty()) << "nothing linked";
  auto login = auth_->Login("carol@example.test", kPassword, "192.0.2.1");
  ASSERT_TRUE(login.ok()) << login.status();
  EXPECT_EQ(login->user_id, *registered);
}

TEST_F(OAuthServiceTest, AnUnverifiedEmailDoesNotCreateAnAccountEither) {
  ExpectStatus(SignInAs(Identity("sub-dave", "dave@example.test", false)).status(),
               StatusCode::kPermissionDenied, "EMAIL_NOT_VERIFIED");
  EXPECT_TRUE(accounts_.Accounts().empty());
  EXPECT_FALSE(nicknames_.Holder("dave").has_value()) << "no nickname reserved";
}

TEST_F(OAuthServiceTest, ANewAccountNeedsAUsableEmail) {
  ExpectStatus(SignInAs(Identity("sub-x", std::nullopt, true)).status(), StatusCode::kPermissionDenied,
               "EMAIL_REQUIRED");
  ExpectStatus(SignInAs(Identity("sub-x", "not-an-email", true)).status(), StatusCode::kPermissionDenied,
               "EMAIL_REQUIRED");
  EXPECT_TRUE(accounts_.Accounts().empty());
}

TEST_F(OAuthServiceTest, ATakenNicknameGetsASuffix) {
  ASSERT_TRUE(nicknames_.Reserve("alice", NewUuid()).ok());
  ASSERT_TRUE(nicknames_.Reserve("alice_2", NewUuid()).ok());
  const std::string user = MustSignIn(Identity("sub-a", "alice@example.test", true, "alice"));
  EXPECT_EQ(NicknameInEvent(0), "alice_3");
  EXPECT_EQ(nicknames_.Holder("alice_3"), user);
}

TEST_F(OAuthServiceTest, ManyTakenNicknamesEndInARandomSuffix) {
  ASSERT_TRUE(nicknames_.Reserve("bob", NewUuid()).ok());
  for (int i = 2; i <= 5; ++i) ASSERT_TRUE(nicknames_.Reserve("bob_" + std::to_string(i), NewUuid()).ok());
  MustSignIn(Identity("sub-b", "bob@example.test", true, "bob"));
  EXPECT_TRUE(std::regex_match(NicknameInEvent(0), std::regex("^bob_[0-9]{6}$"))) << NicknameInEvent(0);
}

TEST_F(OAuthServiceTest, NicknameComesFromTheEmailWithoutPreferredUsername) {
  MustSignIn(Identity("sub-e", "erin.o-neil+tag@example.test"));
  EXPECT_EQ(NicknameInEvent(0), "erin_o_neil_tag");
}

TEST_F(OAuthServiceTest, UsersDownFailsCleanlyWithoutAnAccount) {
  nicknames_.SetUnavailable(true);
  ExpectStatus(SignInAs(Identity("sub-f", "f@example.test")).status(), StatusCode::kUnavailable, "");
  EXPECT_TRUE(accounts_.Accounts().empty());
}

TEST_F(OAuthServiceTest, AFailedInsertGivesTheNicknameBack) {
  accounts_.FailCreateWith(UnavailableError("database down"));
  EXPECT_EQ(SignInAs(Identity("sub-g", "gina@example.test", true, "gina")).status().code(),
            StatusCode::kUnavailable);
  EXPECT_FALSE(nicknames_.Holder("gina").has_value());
}

// An account repository that lets another sign-in of the same identity win just before our insert.
class RacingAccountRepository final : public AccountRepository {
 public:
  RacingAccountRepository(testing::InMemoryAccountRepository& inner, std::string winner)
      : inner_(inner), winner_(std::move(winner)) {}
  StatusOr<Account> FindByEmail(std::string_view e) override { return inner_.FindByEmail(e); }
  Status CreateWithEvent(const Account& a, const OutboxMessage& m) override {
    return inner_.CreateWithEvent(a, m);
  }
  Status UpdatePasswordHash(std::string_view id, std::string_view h) override {
    return inner_.UpdatePasswordHash(id, h);
  }
  StatusOr<std::string> FindUserByIdentity(std::string_view i, std::string_view s) override {
    return inner_.FindUserByIdentity(i, s);
  }
  Status CreateWithIdentity(const Account& a, const ExternalIdentity& id, const OutboxMessage& m) override {
    inner_.LinkForTest(id.issuer, id.subject, winner_);
    return inner_.CreateWithIdentity(a, id, m);
  }
  Status LinkIdentity(const ExternalIdentity& id, std::string_view user_id) override {
    return inner_.LinkIdentity(id, user_id);
  }

 private:
  testing::InMemoryAccountRepository& inner_;
  std::string winner_;
};

TEST_F(OAuthServiceTest, LosingAFirstSignInRaceSignsInToTheWinnersAccount) {
  const std::string winner = NewUuid();
  RacingAccountRepository racing(accounts_, winner);
  Build(&racing);
  EXPECT_EQ(MustSignIn(Identity("sub-r", "rae@example.test", true, "rae")), winner);
  EXPECT_FALSE(nicknames_.Holder("rae").has_value()) << "the loser's reservation is given back";
  EXPECT_TRUE(accounts_.Outbox().empty());
}

TEST_F(OAuthServiceTest, ConcurrentFirstSignInsOfOneIdentityEndInOneAccount) {
  constexpr int kThreads = 8;
  std::vector<std::string> users(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      auto user = oauth_->SignIn(Identity("sub-c", "conc@example.test", true, "conc"));
      users[i] = user.ok() ? *user : user.status().ToString();
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& u : users) EXPECT_EQ(u, users[0]);
  EXPECT_TRUE(IsUuid(users[0])) << users[0];
  EXPECT_EQ(accounts_.Accounts().size(), 1u);
  EXPECT_EQ(accounts_.Outbox().size(), 1u);
}

// ---------------------------------------------------------------------------------------------------------
// Nickname derivation

TEST(OAuthNicknameTest, BaseIsAlwaysAValidNickname) {
  struct Case {
    std::optional<std::string> preferred, email;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"alice", "x@example.test", "alice"},
      {"Alice_99", std::nullopt, "Alice_99"},
      {std::nullopt, "bob.smith@example.test", "bob_smith"},
      {"", "bob@example.test", "bob"},
      {"jo", std::nullopt, "jo_user"},
      {"x", std::nullopt, "x_user"},
      {"...", "zed@example.test", "user"},
      {std::nullopt, std::nullopt, "user"},
      {"J\xc3\xa9r\xc3\xb4me", std::nullopt, "J_r_me"},
      {"a--b  c", std::nullopt, "a_b_c"},
      {std::string(40, 'n'), std::nullopt, std::string(32, 'n')},
  };
  for (const auto& c : cases) {
    const std::string base = NicknameBase(c.preferred, c.email);
    EXPECT_EQ(base, c.expected) << c.preferred.value_or("-") << " / " << c.email.value_or("-");
    EXPECT_TRUE(IsValidNickname(base)) << base;
  }
}

TEST(OAuthNicknameTest, CandidatesStayValidAndDistinct) {
  for (const std::string& base : {std::string("abc"), std::string(32, 'z'), std::string("user")}) {
    std::set<std::string> seen;
    for (int attempt = 0; attempt < kNicknameAttempts; ++attempt) {
      const std::string candidate = NicknameCandidate(base, attempt);
      EXPECT_TRUE(IsValidNickname(candidate)) << candidate;
      seen.insert(candidate);
    }
    EXPECT_EQ(seen.size(), static_cast<std::size_t>(kNicknameAttempts)) << base;
    EXPECT_EQ(NicknameCandidate(base, 0), base);
    EXPECT_EQ(NicknameCandidate("abc", 1), "abc_2");
    EXPECT_EQ(NicknameCandidate(std::string(32, 'z'), 1), std::string(30, 'z') + "_2");
  }
}

}  // namespace
}  // namespace messenger::auth
