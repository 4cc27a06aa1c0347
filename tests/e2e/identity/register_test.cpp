// Registration through the public API: the rules of API.md "Authentication".
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "support/api.hpp"

namespace messenger::e2e {
namespace {

const char* kPassword = "a perfectly fine password";

TEST(RegisterE2E, CreatesAUserAndAnswers201WithItsId) {
  std::string s = UniqueSuffix();
  auto r = Gateway().Post("/v1/auth/register", RegisterBody("new." + s + "@example.test", kPassword, "new" + s));
  ASSERT_EQ(r.status, 201) << r.body;
  auto body = r.Json().as_object();
  ASSERT_TRUE(body.contains("user_id"));
  EXPECT_EQ(body.at("user_id").as_string().size(), 36u);
}

TEST(RegisterE2E, EmailIsUniqueInAnyLetterCase) {
  std::string s = UniqueSuffix();
  ASSERT_EQ(Gateway().Post("/v1/auth/register", RegisterBody("Case." + s + "@Example.test", kPassword, "ca" + s)).status,
            201);
  auto dup = Gateway().Post("/v1/auth/register", RegisterBody("case." + s + "@EXAMPLE.TEST", kPassword, "cb" + s));
  EXPECT_EQ(dup.status, 409) << dup.body;
  EXPECT_EQ(dup.ErrorCode(), "EMAIL_TAKEN");
}

TEST(RegisterE2E, NicknameIsUniqueInAnyLetterCase) {
  std::string s = UniqueSuffix();
  ASSERT_EQ(Gateway().Post("/v1/auth/register", RegisterBody("n1." + s + "@example.test", kPassword, "Nick_" + s)).status,
            201);
  auto dup = Gateway().Post("/v1/auth/register", RegisterBody("n2." + s + "@example.test", kPassword, "nICK_" + s));
  EXPECT_EQ(dup.status, 409) << dup.body;
  EXPECT_EQ(dup.ErrorCode(), "NICKNAME_TAKEN");
}

TEST(RegisterE2E, EmailTakenWinsWhenBothAreTaken) {
  std::string s = UniqueSuffix();
  ASSERT_EQ(Gateway().Post("/v1/auth/register", RegisterBody("both." + s + "@example.test", kPassword, "both" + s)).status,
            201);
  auto dup = Gateway().Post("/v1/auth/register", RegisterBody("both." + s + "@example.test", kPassword, "both" + s));
  EXPECT_EQ(dup.status, 409);
  EXPECT_EQ(dup.ErrorCode(), "EMAIL_TAKEN");
}

struct InvalidCase {
  std::string name;
  std::string email;
  std::string password;
  std::string nickname;
};

TEST(RegisterE2E, RejectsInvalidInputWith400) {
  std::string s = UniqueSuffix();
  std::string ok_email = "valid." + s + "@example.test";
  std::vector<InvalidCase> cases = {
      {"no at", "invalid.example.test", kPassword, "v1" + s},
      {"empty local part", "@example.test", kPassword, "v2" + s},
      {"two ats", "a@b@example.test", kPassword, "v3" + s},
      {"domain without dot", "user@localhost", kPassword, "v4" + s},
      {"password of 11", ok_email, std::string(11, 'p'), "v5" + s},
      {"password of 129", ok_email, std::string(129, 'p'), "v6" + s},
      {"nickname too short", ok_email, kPassword, "ab"},
      {"nickname too long", ok_email, kPassword, std::string(33, 'n')},
      {"nickname with dash", ok_email, kPassword, "bad-" + s},
      {"nickname with space", ok_email, kPassword, "bad " + s},
  };
  for (const auto& c : cases) {
    auto r = Gateway().Post("/v1/auth/register", RegisterBody(c.email, c.password, c.nickname));
    EXPECT_EQ(r.status, 400) << c.name << ": " << r.body;
    EXPECT_EQ(r.ErrorCode(), "INVALID_ARGUMENT") << c.name;
  }
  // The boundaries themselves are accepted: 12 and 128 characters, 3 and 32 character nicknames.
  EXPECT_EQ(Gateway().Post("/v1/auth/register", RegisterBody("b12." + s + "@example.test", std::string(12, 'p'),
                                                             "b3" + s.substr(0, 1))).status,
            201);
  std::string long_nick = ("L" + s + std::string(32, 'x')).substr(0, 32);
  EXPECT_EQ(Gateway().Post("/v1/auth/register", RegisterBody("b128." + s + "@example.test", std::string(128, 'p'),
                                                             long_nick)).status,
            201);
}

TEST(RegisterE2E, ConcurrentRegistrationsOfOneNicknameGiveExactlyOne201) {
  std::string s = UniqueSuffix();
  std::string nickname = "race" + s;
  constexpr int kClients = 8;
  std::atomic<int> created{0}, taken{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      // Mix letter cases: the uniqueness is case-insensitive.
      std::string nick = nickname;
      if (i % 2) std::transform(nick.begin(), nick.end(), nick.begin(), ::toupper);
      auto r = Gateway().Post("/v1/auth/register",
                              RegisterBody("race" + std::to_string(i) + "." + s + "@example.test", kPassword, nick));
      if (r.status == 201) created++;
      else if (r.status == 409 && r.ErrorCode() == "NICKNAME_TAKEN") taken++;
      else other++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(taken.load(), kClients - 1);
  EXPECT_EQ(other.load(), 0);
}

}  // namespace
}  // namespace messenger::e2e
