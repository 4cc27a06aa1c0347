// Friend requests through the public API: API.md "Friends".
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "support/api.hpp"

namespace messenger::e2e {
namespace {

HttpResponse Ask(const TestUser& from, const std::string& nickname) {
  return Gateway().Post("/v1/friends/requests", boost::json::object{{"nickname", nickname}}, from.access_token);
}

HttpResponse Accept(const TestUser& who, const std::string& nickname) {
  return Gateway().Send({"POST", "/v1/friends/requests/" + nickname + "/accept", "", {}, who.access_token});
}

HttpResponse Reject(const TestUser& who, const std::string& nickname) {
  return Gateway().Send({"POST", "/v1/friends/requests/" + nickname + "/reject", "", {}, who.access_token});
}

boost::json::array Requests(const TestUser& who, const std::string& direction) {
  auto r = Gateway().Get("/v1/friends/requests?direction=" + direction, who.access_token);
  EXPECT_EQ(r.status, 200) << r.body;
  return r.status == 200 ? r.Json().at("requests").as_array() : boost::json::array{};
}

boost::json::array Friends(const TestUser& who) {
  auto r = Gateway().Get("/v1/friends", who.access_token);
  EXPECT_EQ(r.status, 200) << r.body;
  return r.status == 200 ? r.Json().at("friends").as_array() : boost::json::array{};
}

bool HasUser(const boost::json::array& list, const TestUser& u) {
  for (const auto& item : list) {
    if (item.at("user_id").as_string() == u.user_id) return true;
  }
  return false;
}

TEST(FriendsE2E, RequestAcceptAndBothSeeTheFriendship) {
  TestUser a = NewUserWithProfile("fa");
  TestUser b = NewUserWithProfile("fb");
  auto sent = Ask(a, b.nickname);
  ASSERT_EQ(sent.status, 201) << sent.body;
  EXPECT_EQ(sent.Json().at("status").as_string(), "requested");

  auto incoming = Requests(b, "incoming");
  ASSERT_EQ(incoming.size(), 1u);
  EXPECT_EQ(incoming[0].at("user_id").as_string(), a.user_id);
  EXPECT_EQ(incoming[0].at("nickname").as_string(), a.nickname);
  EXPECT_EQ(incoming[0].at("status").as_string(), "requested");
  EXPECT_TRUE(incoming[0].at("created_at").is_string());
  auto outgoing = Requests(a, "outgoing");
  ASSERT_EQ(outgoing.size(), 1u);
  EXPECT_EQ(outgoing[0].at("user_id").as_string(), b.user_id);
  EXPECT_TRUE(Requests(a, "incoming").empty());

  auto accepted = Accept(b, a.nickname);
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(accepted.Json().at("status").as_string(), "accepted");
  auto fa = Friends(a), fb = Friends(b);
  ASSERT_EQ(fa.size(), 1u);
  ASSERT_EQ(fb.size(), 1u);
  EXPECT_EQ(fa[0].at("nickname").as_string(), b.nickname);
  EXPECT_TRUE(fa[0].at("since").is_string());
  EXPECT_TRUE(fa[0].at("online").is_bool());
  EXPECT_EQ(fb[0].at("user_id").as_string(), a.user_id);
  EXPECT_TRUE(Requests(b, "incoming").empty());
  EXPECT_TRUE(Requests(a, "outgoing").empty());
}

TEST(FriendsE2E, NicknameIsCaseInsensitive) {
  TestUser a = NewUserWithProfile("fa");
  TestUser b = NewUserWithProfile("fb");
  std::string upper = b.nickname;
  for (auto& c : upper) c = static_cast<char>(toupper(c));
  EXPECT_EQ(Ask(a, upper).status, 201);
}

TEST(FriendsE2E, RequestRules) {
  TestUser a = NewUserWithProfile("fa");
  TestUser b = NewUserWithProfile("fb");
  auto self = Ask(a, a.nickname);
  EXPECT_EQ(self.status, 400) << self.body;
  auto unknown = Ask(a, "nobody_" + UniqueSuffix());
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  ASSERT_EQ(Ask(a, b.nickname).status, 201);
  auto dup = Ask(a, b.nickname);
  EXPECT_EQ(dup.status, 409) << dup.body;
  // Only the receiver may accept.
  EXPECT_EQ(Accept(a, b.nickname).status, 404);
  ASSERT_EQ(Accept(b, a.nickname).status, 200);
  auto again = Ask(a, b.nickname);
  EXPECT_EQ(again.status, 409) << "a request to a friend";
  EXPECT_EQ(Ask(b, a.nickname).status, 409);
  // Bad bodies.
  EXPECT_EQ(Gateway().PostRaw("/v1/friends/requests", R"({"nickname": 7})", a.access_token).status, 400);
  EXPECT_EQ(Gateway().PostRaw("/v1/friends/requests", "{}", a.access_token).status, 400);
  EXPECT_EQ(Gateway().Get("/v1/friends/requests?direction=sideways", a.access_token).status, 400);
  EXPECT_EQ(Gateway().Get("/v1/friends").status, 401);
}

TEST(FriendsE2E, ARequestToSomeoneWhoAlreadyAskedUsAcceptsTheirs) {
  TestUser a = NewUserWithProfile("fa");
  TestUser b = NewUserWithProfile("fb");
  ASSERT_EQ(Ask(a, b.nickname).status, 201);
  auto back = Ask(b, a.nickname);
  EXPECT_EQ(back.status, 200) << back.body;
  EXPECT_EQ(back.Json().at("status").as_string(), "accepted");
  EXPECT_TRUE(HasUser(Friends(a), b));
  EXPECT_TRUE(HasUser(Friends(b), a));
}

TEST(FriendsE2E, SimultaneousMutualRequestsEndInOneFriendship) {
  for (int round = 0; round < 5; ++round) {
    TestUser a = NewUserWithProfile("ma");
    TestUser b = NewUserWithProfile("mb");
    HttpResponse ra, rb;
    std::thread ta([&] { ra = Ask(a, b.nickname); });
    std::thread tb([&] { rb = Ask(b, a.nickname); });
    ta.join();
    tb.join();
    // One created the request (201), the other accepted it (200).
    std::vector<int> statuses = {ra.status, rb.status};
    std::sort(statuses.begin(), statuses.end());
    EXPECT_EQ(statuses, (std::vector<int>{200, 201})) << ra.body << " / " << rb.body;
    EXPECT_EQ(Friends(a).size(), 1u);
    EXPECT_EQ(Friends(b).size(), 1u);
    EXPECT_TRUE(Requests(a, "incoming").empty());
    EXPECT_TRUE(Requests(b, "incoming").empty());
  }
}

TEST(FriendsE2E, RejectionAndAskingAgain) {
  TestUser a = NewUserWithProfile("ra");
  TestUser b = NewUserWithProfile("rb");
  ASSERT_EQ(Ask(a, b.nickname).status, 201);
  EXPECT_EQ(Reject(a, b.nickname).status, 404) << "only the receiver may reject";
  auto rejected = Reject(b, a.nickname);
  ASSERT_EQ(rejected.status, 200) << rejected.body;
  EXPECT_EQ(rejected.Json().at("status").as_string(), "rejected");
  EXPECT_TRUE(Requests(b, "incoming").empty());
  EXPECT_TRUE(Friends(a).empty());
  EXPECT_EQ(Accept(b, a.nickname).status, 404) << "nothing pending after a rejection";
  // After a rejection the sender may ask again.
  auto again = Ask(a, b.nickname);
  EXPECT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(Requests(b, "incoming").size(), 1u);
  EXPECT_EQ(Reject(b, "nobody_" + UniqueSuffix()).status, 404);
}

TEST(FriendsE2E, RemovalIsSeenByTheOtherSide) {
  TestUser a = NewUserWithProfile("da");
  TestUser b = NewUserWithProfile("db");
  ASSERT_EQ(Ask(a, b.nickname).status, 201);
  ASSERT_EQ(Accept(b, a.nickname).status, 200);
  ASSERT_TRUE(HasUser(Friends(b), a));
  auto removed = Gateway().Delete("/v1/friends/" + b.nickname, a.access_token);
  EXPECT_EQ(removed.status, 204) << removed.body;
  EXPECT_TRUE(Friends(a).empty());
  EXPECT_TRUE(Friends(b).empty());
  EXPECT_EQ(Gateway().Delete("/v1/friends/" + b.nickname, a.access_token).status, 404);
  EXPECT_EQ(Gateway().Delete("/v1/friends/" + a.nickname, b.access_token).status, 404);
  // They can become friends again.
  EXPECT_EQ(Ask(b, a.nickname).status, 201);
}

}  // namespace
}  // namespace messenger::e2e
