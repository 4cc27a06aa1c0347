// Login, refresh, logout and throttling through the public API.
#include <gtest/gtest.h>

#include "support/api.hpp"

namespace messenger::e2e {
namespace {

TEST(LoginE2E, ReturnsABearerTokenPair) {
  TestUser u = NewUser();
  auto r = Gateway().Post("/v1/auth/login", LoginBody(u.email, u.password));
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = r.Json().as_object();
  EXPECT_EQ(body.at("token_type").as_string(), "Bearer");
  EXPECT_EQ(body.at("user_id").as_string(), u.user_id);
  EXPECT_GT(body.at("expires_in").to_number<int64_t>(), 0);
  EXPECT_LE(body.at("expires_in").to_number<int64_t>(), 3600);
  EXPECT_FALSE(body.at("access_token").as_string().empty());
  EXPECT_FALSE(body.at("refresh_token").as_string().empty());
}

TEST(LoginE2E, EmailIsCaseInsensitive) {
  TestUser u = NewUser();
  std::string upper = u.email;
  for (auto& c : upper) c = static_cast<char>(toupper(c));
  EXPECT_EQ(Gateway().Post("/v1/auth/login", LoginBody(upper, u.password)).status, 200);
}

TEST(LoginE2E, WrongPasswordAndUnknownEmailGetTheSameAnswer) {
  TestUser u = NewUser();
  auto wrong = Gateway().Post("/v1/auth/login", LoginBody(u.email, u.password + "x"));
  auto unknown = Gateway().Post("/v1/auth/login", LoginBody("nobody." + UniqueSuffix() + "@example.test", u.password));
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(wrong.ErrorCode(), "INVALID_CREDENTIALS");
  EXPECT_EQ(wrong.body, unknown.body);
}

TEST(RefreshE2E, RotatesAndTheOldRefreshTokenStopsWorking) {
  TestUser u = NewUser();
  auto r1 = Gateway().Post("/v1/auth/refresh", boost::json::object{{"refresh_token", u.refresh_token}});
  ASSERT_EQ(r1.status, 200) << r1.body;
  auto pair = r1.Json().as_object();
  std::string new_refresh(pair.at("refresh_token").as_string());
  std::string new_access(pair.at("access_token").as_string());
  EXPECT_NE(new_refresh, u.refresh_token);
  EXPECT_EQ(pair.at("token_type").as_string(), "Bearer");
  // The new access token works.
  EXPECT_NE(Gateway().Get("/v1/me", new_access).status, 401);
  // The new refresh token works once more.
  auto r2 = Gateway().Post("/v1/auth/refresh", boost::json::object{{"refresh_token", new_refresh}});
  EXPECT_EQ(r2.status, 200) << r2.body;
}

TEST(RefreshE2E, ReplayingARotatedTokenRevokesTheWholeSession) {
  TestUser u = NewUser();
  auto r1 = Gateway().Post("/v1/auth/refresh", boost::json::object{{"refresh_token", u.refresh_token}});
  ASSERT_EQ(r1.status, 200);
  std::string new_refresh(r1.Json().at("refresh_token").as_string());
  std::string new_access(r1.Json().at("access_token").as_string());

  auto replay = Gateway().Post("/v1/auth/refresh", boost::json::object{{"refresh_token", u.refresh_token}});
  EXPECT_EQ(replay.status, 401) << replay.body;
  EXPECT_EQ(replay.ErrorCode(), "UNAUTHENTICATED");
  // Every token of the session is dead now: the rotated refresh token, and old and new access tokens.
  EXPECT_EQ(Gateway().Post("/v1/auth/refresh", boost::json::object{{"refresh_token", new_refresh}}).status, 401);
  EXPECT_EQ(Gateway().Get("/v1/me", new_access).status, 401);
  EXPECT_EQ(Gateway().Get("/v1/me", u.access_token).status, 401);
}

TEST(RefreshE2E, GarbageRefreshTokenIs401) {
  auto r = Gateway().Post("/v1/auth/refresh", boost::json::object{{"refresh_token", "not-a-token"}});
  EXPECT_EQ(r.status, 401);
}

TEST(LogoutE2E, RevokesAccessAndRefreshTokensAtOnce) {
  TestUser u = NewUserWithProfile();
  ASSERT_EQ(Gateway().Get("/v1/me", u.access_token).status, 200);
  auto out = Gateway().Send({"POST", "/v1/auth/logout", "", {}, u.access_token});
  EXPECT_EQ(out.status, 204) << out.body;
  auto me = Gateway().Get("/v1/me", u.access_token);
  EXPECT_EQ(me.status, 401);
  EXPECT_EQ(me.ErrorCode(), "UNAUTHENTICATED");
  EXPECT_EQ(Gateway().Post("/v1/auth/refresh", boost::json::object{{"refresh_token", u.refresh_token}}).status, 401);
}

TEST(LogoutE2E, EndsOnlyThatSession) {
  TestUser u = NewUserWithProfile();
  auto second = Gateway().Post("/v1/auth/login", LoginBody(u.email, u.password));
  ASSERT_EQ(second.status, 200);
  std::string other_access(second.Json().at("access_token").as_string());
  ASSERT_EQ(Gateway().Send({"POST", "/v1/auth/logout", "", {}, u.access_token}).status, 204);
  EXPECT_EQ(Gateway().Get("/v1/me", u.access_token).status, 401);
  EXPECT_EQ(Gateway().Get("/v1/me", other_access).status, 200);
}

TEST(LogoutE2E, WithoutATokenIs401) {
  EXPECT_EQ(Gateway().Send({"POST", "/v1/auth/logout", "", {}, ""}).status, 401);
}

TEST(ThrottleE2E, TenFailuresBlockTheEmailEvenForTheRightPassword) {
  TestUser u = NewUser();
  for (int i = 0; i < 10; ++i) {
    auto r = Gateway().Post("/v1/auth/login", LoginBody(u.email, "wrong password " + std::to_string(i)));
    ASSERT_EQ(r.status, 401) << "attempt " << i << ": " << r.body;
  }
  auto blocked = Gateway().Post("/v1/auth/login", LoginBody(u.email, u.password));
  EXPECT_EQ(blocked.status, 429) << blocked.body;
  EXPECT_EQ(blocked.ErrorCode(), "RATE_LIMITED");
  ASSERT_FALSE(blocked.Header("retry-after").empty());
  int retry = std::stoi(blocked.Header("retry-after"));
  EXPECT_GT(retry, 0);
  EXPECT_LE(retry, 15 * 60);
}

TEST(ThrottleE2E, UnknownEmailsAreThrottledTheSameWay) {
  std::string email = "ghost." + UniqueSuffix() + "@example.test";
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(Gateway().Post("/v1/auth/login", LoginBody(email, "whatever password")).status, 401);
  }
  auto blocked = Gateway().Post("/v1/auth/login", LoginBody(email, "whatever password"));
  EXPECT_EQ(blocked.status, 429);
  EXPECT_FALSE(blocked.Header("retry-after").empty());
}

TEST(ThrottleE2E, NineFailuresThenSuccessResetsTheCount) {
  TestUser u = NewUser();
  for (int i = 0; i < 9; ++i) ASSERT_EQ(Gateway().Post("/v1/auth/login", LoginBody(u.email, "nope nope nope")).status, 401);
  ASSERT_EQ(Gateway().Post("/v1/auth/login", LoginBody(u.email, u.password)).status, 200);
  for (int i = 0; i < 9; ++i) ASSERT_EQ(Gateway().Post("/v1/auth/login", LoginBody(u.email, "nope nope nope")).status, 401);
  EXPECT_EQ(Gateway().Post("/v1/auth/login", LoginBody(u.email, u.password)).status, 200);
}

}  // namespace
}  // namespace messenger::e2e
