#include "http/dispatcher.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "http/metrics.hpp"
#include "test_support.hpp"

namespace messenger::gateway {
namespace {

using testing::ErrorCodeOf;
using testing::FakeAuthenticator;
using testing::MakeRequest;
using testing::RunSync;

class GatewayDispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Add("GET", "/open", Access::kPublic, [this](Request& r) -> boost::asio::awaitable<Response> {
      seen_ = r;
      co_return EmptyResponse(204);
    });
    router_.Add("GET", "/private/{id}", Access::kBearer,
                [this](Request& r) -> boost::asio::awaitable<Response> {
                  seen_ = r;
                  co_return EmptyResponse(200);
                });
    router_.Add("POST", "/private/{id}", Access::kBearer,
                [](Request&) -> boost::asio::awaitable<Response> { co_return EmptyResponse(201); });
    router_.Add("GET", "/boom", Access::kPublic, [](Request&) -> boost::asio::awaitable<Response> {
      throw std::runtime_error("secret internal detail");
      co_return EmptyResponse(200);
    });
    Principal alice;
    alice.user_id = "u-alice";
    alice.session_id = "s-1";
    authenticator_.tokens["good-token"] = alice;
  }

  Response Dispatch(Request request) {
    Response r = RunSync(dispatcher_.Dispatch(request));
    last_ = request;
    return r;
  }

  Router router_;
  FakeAuthenticator authenticator_;
  Dispatcher dispatcher_{router_, authenticator_};
  Request seen_;
  Request last_;
};

TEST_F(GatewayDispatcherTest, PublicRouteRunsWithoutAToken) {
  Response r = Dispatch(MakeRequest("GET", "/open"));
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(authenticator_.calls, 0);
  EXPECT_EQ(last_.route, "/open");
  EXPECT_FALSE(seen_.principal.has_value());
}

TEST_F(GatewayDispatcherTest, HeadIsRoutedAsGet) {
  EXPECT_EQ(Dispatch(MakeRequest("HEAD", "/open")).status, 204);
  EXPECT_EQ(last_.route, "/open");
}

TEST_F(GatewayDispatcherTest, UnknownRouteIs404WithoutAskingForAToken) {
  Response r = Dispatch(MakeRequest("GET", "/private/x/y"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(ErrorCodeOf(r), "NOT_FOUND");
  EXPECT_EQ(authenticator_.calls, 0);
  EXPECT_EQ(last_.route, "unmatched");
}

TEST_F(GatewayDispatcherTest, WrongMethodIs405WithAllowAndNoTokenNeeded) {
  Response r = Dispatch(MakeRequest("DELETE", "/private/x"));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(ErrorCodeOf(r), "METHOD_NOT_ALLOWED");
  EXPECT_EQ(r.Header("Allow"), "GET, POST");
  EXPECT_EQ(authenticator_.calls, 0);
}

TEST_F(GatewayDispatcherTest, BearerRouteWithoutTokenIs401) {
  Response r = Dispatch(MakeRequest("GET", "/private/x"));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(ErrorCodeOf(r), "UNAUTHENTICATED");
  EXPECT_EQ(r.Header("WWW-Authenticate"), "Bearer");
  EXPECT_EQ(authenticator_.calls, 0);
  r = Dispatch(MakeRequest("GET", "/private/x", "", {{"authorization", "Basic abc"}}));
  EXPECT_EQ(r.status, 401);
}

TEST_F(GatewayDispatcherTest, BadTokenIs401) {
  Response r = Dispatch(MakeRequest("GET", "/private/x", "", {{"authorization", "Bearer forged"}}));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(ErrorCodeOf(r), "UNAUTHENTICATED");
  EXPECT_EQ(authenticator_.calls, 1);
}

TEST_F(GatewayDispatcherTest, GoodTokenSetsThePrincipalAndParams) {
  Response r = Dispatch(MakeRequest("GET", "/private/a%20b", "", {{"authorization", "Bearer good-token"}}));
  EXPECT_EQ(r.status, 200);
  ASSERT_TRUE(seen_.principal.has_value());
  EXPECT_EQ(seen_.principal->user_id, "u-alice");
  EXPECT_EQ(seen_.principal->access_token, "good-token");
  EXPECT_EQ(seen_.Param("id"), "a b");
  EXPECT_EQ(seen_.route, "/private/{id}");
}

TEST_F(GatewayDispatcherTest, RevocationStoreOutageIs503NotA401) {
  authenticator_.outage = true;
  Response r = Dispatch(MakeRequest("GET", "/private/x", "", {{"authorization", "Bearer good-token"}}));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(ErrorCodeOf(r), "UNAVAILABLE");
}

TEST_F(GatewayDispatcherTest, ThrowingHandlerIs500WithoutDetail) {
  Response r = Dispatch(MakeRequest("GET", "/boom"));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(ErrorCodeOf(r), "INTERNAL");
  EXPECT_EQ(r.body.find("secret"), std::string::npos);
}

}  // namespace
}  // namespace messenger::gateway
