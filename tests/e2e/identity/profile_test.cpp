// Profiles through the public API: API.md "Profiles".
#include <gtest/gtest.h>

#include "support/api.hpp"

namespace messenger::e2e {
namespace {

TEST(ProfileE2E, AppearsAfterRegistrationThroughKafka) {
  TestUser u = NewUser("p");
  ASSERT_TRUE(Eventually([&] { return Gateway().Get("/v1/me", u.access_token).status == 200; }));
  auto me = Gateway().Get("/v1/me", u.access_token).Json().as_object();
  EXPECT_EQ(me.at("user_id").as_string(), u.user_id);
  EXPECT_EQ(me.at("nickname").as_string(), u.nickname);
  EXPECT_EQ(me.at("bio").as_string(), "");
  EXPECT_EQ(me.at("avatar_url").as_string(), "");
  // A profile never shows private fields.
  EXPECT_FALSE(me.contains("email"));
  EXPECT_FALSE(me.contains("password_hash"));
}

TEST(ProfileE2E, MeWithoutTokenIs401) {
  auto r = Gateway().Get("/v1/me");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.ErrorCode(), "UNAUTHENTICATED");
  EXPECT_EQ(Gateway().Get("/v1/me", "garbage.token.here").status, 401);
}

TEST(ProfileE2E, PatchChangesWhatIsGivenAndIsVisibleAtOnce) {
  TestUser u = NewUserWithProfile("p");
  TestUser other = NewUserWithProfile("o");
  auto r = Gateway().Patch("/v1/me", boost::json::object{{"bio", "hello — привет"},
                                                         {"avatar_url", "https://img.example.test/a.png"}},
                           u.access_token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json().at("bio").as_string(), "hello — привет");
  auto seen = Gateway().Get("/v1/users/" + u.user_id, other.access_token);
  ASSERT_EQ(seen.status, 200);
  EXPECT_EQ(seen.Json().at("bio").as_string(), "hello — привет");
  EXPECT_EQ(seen.Json().at("avatar_url").as_string(), "https://img.example.test/a.png");
  EXPECT_EQ(seen.Json().at("nickname").as_string(), u.nickname);
}

TEST(ProfileE2E, PatchValidation) {
  TestUser u = NewUserWithProfile("p");
  std::string bio500, bio501;
  for (int i = 0; i < 500; ++i) bio500 += "ж";  // 500 characters, 1000 bytes
  bio501 = bio500 + "ж";
  EXPECT_EQ(Gateway().Patch("/v1/me", boost::json::object{{"bio", bio500}}, u.access_token).status, 200);
  auto too_long = Gateway().Patch("/v1/me", boost::json::object{{"bio", bio501}}, u.access_token);
  EXPECT_EQ(too_long.status, 400);
  EXPECT_EQ(too_long.ErrorCode(), "INVALID_ARGUMENT");
  EXPECT_EQ(Gateway().Patch("/v1/me", boost::json::object{{"avatar_url", "ftp://x.example.test/a"}}, u.access_token).status,
            400);
  EXPECT_EQ(Gateway().Patch("/v1/me", boost::json::object{{"avatar_url", "not a url"}}, u.access_token).status, 400);
  EXPECT_EQ(Gateway().Patch("/v1/me", boost::json::object{{"nickname", "no spaces allowed"}}, u.access_token).status, 400);
  EXPECT_EQ(Gateway().Patch("/v1/me", boost::json::object{{"bio", 42}}, u.access_token).status, 400);
}

TEST(ProfileE2E, LookupByNicknameInAnyCase) {
  TestUser u = NewUserWithProfile("Look");
  TestUser viewer = NewUserWithProfile("v");
  std::string upper = u.nickname, lower = u.nickname;
  for (auto& c : upper) c = static_cast<char>(toupper(c));
  for (auto& c : lower) c = static_cast<char>(tolower(c));
  for (const auto& nick : {u.nickname, upper, lower}) {
    auto r = Gateway().Get("/v1/users/by-nickname/" + nick, viewer.access_token);
    ASSERT_EQ(r.status, 200) << nick;
    EXPECT_EQ(r.Json().at("user_id").as_string(), u.user_id);
  }
  EXPECT_EQ(Gateway().Get("/v1/users/by-nickname/nobody_" + UniqueSuffix(), viewer.access_token).status, 404);
  EXPECT_EQ(Gateway().Get("/v1/users/00000000-0000-4000-8000-000000000000", viewer.access_token).status, 404);
  EXPECT_EQ(Gateway().Get("/v1/users/not-a-uuid", viewer.access_token).status, 404);
}

TEST(ProfileE2E, RenameLeavesTheOldNicknameUnresolvable) {
  TestUser u = NewUserWithProfile("old");
  TestUser viewer = NewUserWithProfile("v");
  // Warm any cache on the old nickname first.
  ASSERT_EQ(Gateway().Get("/v1/users/by-nickname/" + u.nickname, viewer.access_token).status, 200);
  std::string renamed = "new" + UniqueSuffix();
  auto r = Gateway().Patch("/v1/me", boost::json::object{{"nickname", renamed}}, u.access_token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json().at("nickname").as_string(), renamed);
  EXPECT_EQ(Gateway().Get("/v1/users/by-nickname/" + u.nickname, viewer.access_token).status, 404);
  auto found = Gateway().Get("/v1/users/by-nickname/" + renamed, viewer.access_token);
  ASSERT_EQ(found.status, 200);
  EXPECT_EQ(found.Json().at("user_id").as_string(), u.user_id);
  // The freed nickname can be taken by someone else.
  auto reuse = Gateway().Post("/v1/auth/register",
                              RegisterBody("reuse." + UniqueSuffix() + "@example.test", "a long enough password",
                                           u.nickname));
  EXPECT_EQ(reuse.status, 201) << reuse.body;
}

TEST(ProfileE2E, RenameToATakenNicknameIs409) {
  TestUser a = NewUserWithProfile("a");
  TestUser b = NewUserWithProfile("b");
  std::string upper = b.nickname;
  for (auto& c : upper) c = static_cast<char>(toupper(c));
  auto r = Gateway().Patch("/v1/me", boost::json::object{{"nickname", upper}}, a.access_token);
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.ErrorCode(), "NICKNAME_TAKEN");
}

TEST(ProfileE2E, PrefixSearchIsCaseInsensitiveAndBounded) {
  std::string stem = "srch" + UniqueSuffix();
  TestUser viewer = NewUserWithProfile("v");
  std::vector<TestUser> users;
  for (int i = 0; i < 3; ++i) users.push_back(NewUserWithProfile(stem + "_" + std::to_string(i) + "_"));
  std::string upper_stem = stem;
  for (auto& c : upper_stem) c = static_cast<char>(toupper(c));
  auto r = Gateway().Get("/v1/users?q=" + UrlEncode(upper_stem), viewer.access_token);
  ASSERT_EQ(r.status, 200) << r.body;
  auto list = r.Json().at("users").as_array();
  EXPECT_EQ(list.size(), 3u);
  for (const auto& p : list) EXPECT_EQ(std::string(p.at("nickname").as_string()).rfind(stem, 0), 0u);
  auto limited = Gateway().Get("/v1/users?q=" + stem + "&limit=2", viewer.access_token);
  ASSERT_EQ(limited.status, 200);
  EXPECT_EQ(limited.Json().at("users").as_array().size(), 2u);
  // '_' is a literal, not a wildcard.
  auto literal = Gateway().Get("/v1/users?q=" + stem + "_1", viewer.access_token);
  ASSERT_EQ(literal.status, 200);
  EXPECT_EQ(literal.Json().at("users").as_array().size(), 1u);
  EXPECT_EQ(Gateway().Get("/v1/users?q=", viewer.access_token).status, 400);
  EXPECT_EQ(Gateway().Get("/v1/users?q=" + stem + "&limit=0", viewer.access_token).status, 400);
  EXPECT_EQ(Gateway().Get("/v1/users?q=" + stem + "&limit=101", viewer.access_token).status, 400);
}

}  // namespace
}  // namespace messenger::e2e
