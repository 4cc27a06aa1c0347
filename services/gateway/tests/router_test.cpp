#include "http/router.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace messenger::gateway {
namespace {

Handler Answer(int status) {
  return [status](Request&) -> boost::asio::awaitable<Response> { co_return EmptyResponse(status); };
}

std::string Param(const RouteMatch& m, const std::string& name) {
  for (const auto& [k, v] : m.params) {
    if (k == name) return v;
  }
  return "<missing>";
}

class GatewayRouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Add("GET", "/v1/me", Access::kBearer, Answer(200));
    router_.Add("PATCH", "/v1/me", Access::kBearer, Answer(200));
    router_.Add("GET", "/v1/users/{user_id}", Access::kBearer, Answer(200));
    router_.Add("GET", "/v1/users/by-nickname/{nickname}", Access::kBearer, Answer(200));
    router_.Add("GET", "/v1/friends/requests", Access::kBearer, Answer(200));
    router_.Add("POST", "/v1/friends/requests", Access::kBearer, Answer(201));
    router_.Add("DELETE", "/v1/friends/{nickname}", Access::kBearer, Answer(204));
    router_.Add("POST", "/v1/friends/requests/{nickname}/accept", Access::kBearer, Answer(200));
    router_.Add("GET", "/v1/chats/{chat_id}/messages", Access::kBearer, Answer(200));
    router_.Add("POST", "/v1/chats/{chat_id}/messages", Access::kBearer, Answer(201));
  }
  Router router_;
};

TEST_F(GatewayRouterTest, MatchesLiteralRoutes) {
  RouteMatch m = router_.Match("GET", "/v1/me");
  ASSERT_EQ(m.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(m.route->pattern, "/v1/me");
  EXPECT_EQ(m.route->method, "GET");
  EXPECT_TRUE(m.params.empty());
  EXPECT_EQ(router_.Match("PATCH", "/v1/me").route->method, "PATCH");
}

TEST_F(GatewayRouterTest, ExtractsAndDecodesParameters) {
  RouteMatch m = router_.Match("GET", "/v1/users/abc-123");
  ASSERT_EQ(m.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(m.route->pattern, "/v1/users/{user_id}");
  EXPECT_EQ(Param(m, "user_id"), "abc-123");

  m = router_.Match("GET", "/v1/users/by-nickname/J%C3%BCrgen%2Fx");
  ASSERT_EQ(m.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(Param(m, "nickname"), "Jürgen/x");  // %2F stays inside the segment

  m = router_.Match("POST", "/v1/chats/c1/messages");
  ASSERT_EQ(m.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(Param(m, "chat_id"), "c1");
  EXPECT_EQ(m.route->method, "POST");
}

TEST_F(GatewayRouterTest, UnknownPathIs404WhateverTheMethod) {
  EXPECT_EQ(router_.Match("GET", "/v1/nothing").kind, RouteMatch::Kind::kNotFound);
  EXPECT_EQ(router_.Match("POST", "/v1/me/extra").kind, RouteMatch::Kind::kNotFound);
  EXPECT_EQ(router_.Match("GET", "/").kind, RouteMatch::Kind::kNotFound);
  EXPECT_EQ(router_.Match("GET", "").kind, RouteMatch::Kind::kNotFound);
  EXPECT_EQ(router_.Match("GET", "v1/me").kind, RouteMatch::Kind::kNotFound);
}

TEST_F(GatewayRouterTest, TrailingSlashAndEmptyParameterDoNotMatch) {
  EXPECT_EQ(router_.Match("GET", "/v1/me/").kind, RouteMatch::Kind::kNotFound);
  EXPECT_EQ(router_.Match("GET", "/v1/users/").kind, RouteMatch::Kind::kNotFound);
  EXPECT_EQ(router_.Match("GET", "/v1/users//x").kind, RouteMatch::Kind::kNotFound);
}

TEST_F(GatewayRouterTest, BrokenEscapeInParameterIsNotAMatch) {
  EXPECT_EQ(router_.Match("GET", "/v1/users/%zz").kind, RouteMatch::Kind::kNotFound);
}

TEST_F(GatewayRouterTest, KnownPathWithWrongMethodIs405WithTheAllowedMethods) {
  RouteMatch m = router_.Match("DELETE", "/v1/me");
  ASSERT_EQ(m.kind, RouteMatch::Kind::kMethodNotAllowed);
  EXPECT_EQ(m.allowed, (std::vector<std::string>{"GET", "PATCH"}));

  m = router_.Match("PUT", "/v1/chats/c1/messages");
  ASSERT_EQ(m.kind, RouteMatch::Kind::kMethodNotAllowed);
  EXPECT_EQ(m.allowed, (std::vector<std::string>{"GET", "POST"}));
}

TEST_F(GatewayRouterTest, LiteralSegmentBeatsParameterButOtherMethodsStillReachTheParameterRoute) {
  // GET /v1/friends/requests is the request list, not a friend called "requests".
  RouteMatch m = router_.Match("GET", "/v1/friends/requests");
  ASSERT_EQ(m.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(m.route->pattern, "/v1/friends/requests");
  // DELETE exists only on the parameter route, so a friend nicknamed "requests" can be removed.
  m = router_.Match("DELETE", "/v1/friends/requests");
  ASSERT_EQ(m.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(m.route->pattern, "/v1/friends/{nickname}");
  EXPECT_EQ(Param(m, "nickname"), "requests");
  // A method neither has: 405 listing both routes' methods.
  m = router_.Match("PUT", "/v1/friends/requests");
  ASSERT_EQ(m.kind, RouteMatch::Kind::kMethodNotAllowed);
  EXPECT_EQ(m.allowed, (std::vector<std::string>{"DELETE", "GET", "POST"}));
}

TEST_F(GatewayRouterTest, MethodsAreCaseSensitive) {
  EXPECT_EQ(router_.Match("get", "/v1/me").kind, RouteMatch::Kind::kMethodNotAllowed);
}

TEST(GatewayRouterAddTest, RefusesDuplicatesAndMalformedPatterns) {
  Router router;
  router.Add("GET", "/v1/users/{user_id}", Access::kBearer, Answer(200));
  EXPECT_THROW(router.Add("GET", "/v1/users/{id}", Access::kBearer, Answer(200)), std::invalid_argument);
  EXPECT_NO_THROW(router.Add("DELETE", "/v1/users/{id}", Access::kBearer, Answer(200)));
  EXPECT_THROW(router.Add("GET", "no-slash", Access::kBearer, Answer(200)), std::invalid_argument);
  EXPECT_THROW(router.Add("GET", "/a//b", Access::kBearer, Answer(200)), std::invalid_argument);
  EXPECT_THROW(router.Add("GET", "/a/{}", Access::kBearer, Answer(200)), std::invalid_argument);
  EXPECT_THROW(router.Add("G T", "/a", Access::kBearer, Answer(200)), std::invalid_argument);
  EXPECT_THROW(router.Add("GET", "/a", Access::kBearer, Handler()), std::invalid_argument);
  EXPECT_EQ(router.routes().size(), 2u);
}

}  // namespace
}  // namespace messenger::gateway
