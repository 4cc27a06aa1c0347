// The auth, profile and ops handlers through the real route table and dispatcher, with fake clients.
#include <gtest/gtest.h>

#include "api/routes.hpp"
#include "http/dispatcher.hpp"
#include "test_support.hpp"

namespace messenger::gateway {
namespace {

using namespace messenger::gateway::testing;
namespace authpb = messenger::auth::v1;
namespace userspb = messenger::users::v1;

constexpr char kAlice[] = "0b6a3c1e-2f41-4f57-9a0e-7b8d9c1e2f30";

authpb::TokenPair Pair(std::string user_id) {
  authpb::TokenPair p;
  p.set_access_token("access-1");
  p.set_refresh_token("refresh-1");
  p.set_token_type("Bearer");
  p.set_expires_in(900);
  p.set_user_id(std::move(user_id));
  return p;
}

class GatewayHandlersTest : public ::testing::Test {
 protected:
  GatewayHandlersTest() {
    AddAllRoutes(router_, RouteDependencies{auth_, users_, metrics_, {&auth_probe_, &redis_probe_}});
    Principal alice;
    alice.user_id = kAlice;
    alice.session_id = "s-1";
    authenticator_.tokens["alice-token"] = alice;
  }

  Response Call(std::string method, std::string path, std::string body = {}, bool as_alice = false) {
    NameValueList headers;
    if (as_alice) headers.emplace_back("authorization", "Bearer alice-token");
    Request request = MakeRequest(std::move(method), std::move(path), std::move(body), std::move(headers));
    return RunSync(dispatcher_.Dispatch(request));
  }

  FakeAuthClient auth_;
  FakeUsersClient users_;
  Metrics metrics_;
  FakeProbe auth_probe_{"auth", OkStatus()};
  FakeProbe redis_probe_{"redis", OkStatus()};
  Router router_;
  FakeAuthenticator authenticator_;
  Dispatcher dispatcher_{router_, authenticator_};
};

TEST_F(GatewayHandlersTest, RegisterForwardsTheFieldsAndTheClientAddress) {
  authpb::RegisterRequest seen;
  auth_.on_register = [&](const authpb::RegisterRequest& r) {
    seen = r;
    authpb::RegisterResponse resp;
    resp.set_user_id(kAlice);
    return Ok(resp);
  };
  Response r = Call("POST", "/v1/auth/register",
                    R"({"email": "a@example.test", "password": "long enough pw", "nickname": "alice"})");
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(BodyJson(r), boost::json::parse(std::string(R"({"user_id": ")") + kAlice + "\"}"));
  EXPECT_EQ(seen.email(), "a@example.test");
  EXPECT_EQ(seen.password(), "long enough pw");
  EXPECT_EQ(seen.nickname(), "alice");
  EXPECT_EQ(seen.client_ip(), "192.0.2.7");
  EXPECT_EQ(auth_.request_ids, std::vector<std::string>{"test-request"});
}

TEST_F(GatewayHandlersTest, RegisterRefusesBadBodiesWithoutCalling) {
  for (const char* body : {"", "{\"email\": ", "[1]", R"({"email": 5, "password": "x", "nickname": "y"})",
                           R"({"email": "a@b.test", "password": "x"})",
                           R"({"email": "a@b.test", "password": null, "nickname": "y"})"}) {
    Response r = Call("POST", "/v1/auth/register", body);
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_EQ(ErrorCodeOf(r), "INVALID_ARGUMENT") << body;
  }
  EXPECT_TRUE(auth_.calls.empty());
}

TEST_F(GatewayHandlersTest, RegisterConflictCarriesTheReason) {
  auth_.on_register = [](const authpb::RegisterRequest&) {
    return Fail<authpb::RegisterResponse>(AlreadyExistsError("taken", "EMAIL_TAKEN"));
  };
  Response r =
      Call("POST", "/v1/auth/register", R"({"email": "a@b.test", "password": "p", "nickname": "n"})");
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(ErrorCodeOf(r), "EMAIL_TAKEN");
}

TEST_F(GatewayHandlersTest, LoginAnswersTheTokenPair) {
  authpb::LoginRequest seen;
  auth_.on_login = [&](const authpb::LoginRequest& r) {
    seen = r;
    return Ok(Pair(kAlice));
  };
  Response r = Call("POST", "/v1/auth/login", R"({"email": "a@b.test", "password": "secret pw"})");
  ASSERT_EQ(r.status, 200);
  auto body = BodyJson(r).as_object();
  EXPECT_EQ(body.at("access_token").as_string(), "access-1");
  EXPECT_EQ(body.at("refresh_token").as_string(), "refresh-1");
  EXPECT_EQ(body.at("token_type").as_string(), "Bearer");
  EXPECT_EQ(body.at("expires_in").as_int64(), 900);
  EXPECT_EQ(body.at("user_id").as_string(), kAlice);
  EXPECT_EQ(r.Header("Cache-Control"), "no-store");
  EXPECT_EQ(seen.client_ip(), "192.0.2.7");
}

TEST_F(GatewayHandlersTest, LoginThrottledIs429WithTheServicesRetryAfter) {
  auth_.on_login = [](const authpb::LoginRequest&) {
    return Fail<authpb::TokenPair>(ResourceExhaustedError("too many", "RATE_LIMITED"),
                                   std::chrono::seconds(600));
  };
  Response r = Call("POST", "/v1/auth/login", R"({"email": "a@b.test", "password": "x"})");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(ErrorCodeOf(r), "RATE_LIMITED");
  EXPECT_EQ(r.Header("Retry-After"), "600");
}

TEST_F(GatewayHandlersTest, LoginWithAuthDownIs503AndTimeoutIs504) {
  auth_.on_login = [](const authpb::LoginRequest&) {
    return Fail<authpb::TokenPair>(UnavailableError("failed to connect to 127.0.0.1:51051"));
  };
  Response r = Call("POST", "/v1/auth/login", R"({"email": "a@b.test", "password": "x"})");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body.find("51051"), std::string::npos);
  auth_.on_login = [](const authpb::LoginRequest&) {
    return Fail<authpb::TokenPair>(DeadlineExceededError("Deadline Exceeded"));
  };
  EXPECT_EQ(Call("POST", "/v1/auth/login", R"({"email": "a@b.test", "password": "x"})").status, 504);
}

TEST_F(GatewayHandlersTest, RefreshNeedsAStringToken) {
  auth_.on_refresh = [](const authpb::RefreshRequest& r) {
    if (r.refresh_token() != "refresh-0") return Fail<authpb::TokenPair>(UnauthenticatedError("no"));
    return Ok(Pair(kAlice));
  };
  EXPECT_EQ(Call("POST", "/v1/auth/refresh", R"({"refresh_token": ["x"]})").status, 400);
  EXPECT_EQ(Call("POST", "/v1/auth/refresh", R"({})").status, 400);
  EXPECT_EQ(Call("POST", "/v1/auth/refresh", R"({"refresh_token": "nope"})").status, 401);
  EXPECT_EQ(Call("POST", "/v1/auth/refresh", R"({"refresh_token": "refresh-0"})").status, 200);
}

TEST_F(GatewayHandlersTest, LogoutNeedsATokenAndPassesItOn) {
  EXPECT_EQ(Call("POST", "/v1/auth/logout").status, 401);
  EXPECT_TRUE(auth_.calls.empty());
  authpb::LogoutRequest seen;
  auth_.on_logout = [&](const authpb::LogoutRequest& r) {
    seen = r;
    return Ok(authpb::LogoutResponse());
  };
  Response r = Call("POST", "/v1/auth/logout", "", true);
  EXPECT_EQ(r.status, 204);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(seen.access_token(), "alice-token");
}

TEST_F(GatewayHandlersTest, OAuthAuthorizeRedirects) {
  authpb::OAuthAuthorizeRequest seen;
  auth_.on_authorize = [&](const authpb::OAuthAuthorizeRequest& r) {
    seen = r;
    authpb::OAuthAuthorizeResponse resp;
    resp.set_authorization_url("https://idp.example.test/authorize?state=s&code_challenge=c");
    return Ok(resp);
  };
  Response r = Call("GET", "/v1/auth/oauth/google/authorize?redirect_uri=https%3A%2F%2Fapp.test%2Fcb");
  EXPECT_EQ(r.status, 302);
  EXPECT_EQ(r.Header("Location"), "https://idp.example.test/authorize?state=s&code_challenge=c");
  EXPECT_EQ(seen.provider(), "google");
  EXPECT_EQ(seen.redirect_uri(), "https://app.test/cb");
  auth_.on_authorize = [](const authpb::OAuthAuthorizeRequest&) {
    return Fail<authpb::OAuthAuthorizeResponse>(NotFoundError("unknown provider"));
  };
  EXPECT_EQ(Call("GET", "/v1/auth/oauth/nope/authorize").status, 404);
}

TEST_F(GatewayHandlersTest, OAuthCallbackNeedsCodeAndState) {
  auth_.on_callback = [](const authpb::OAuthCallbackRequest& r) {
    if (r.state() != "good") return Fail<authpb::TokenPair>(InvalidArgumentError("bad state"));
    return Ok(Pair(kAlice));
  };
  EXPECT_EQ(Call("GET", "/v1/auth/oauth/google/callback?state=good").status, 400);
  EXPECT_EQ(Call("GET", "/v1/auth/oauth/google/callback?code=c").status, 400);
  EXPECT_EQ(Call("GET", "/v1/auth/oauth/google/callback?code=c&state=bad").status, 400);
  Response ok = Call("GET", "/v1/auth/oauth/google/callback?code=c&state=good");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(BodyJson(ok).at("token_type").as_string(), "Bearer");
}

TEST_F(GatewayHandlersTest, MeIsTheTokensUser) {
  EXPECT_EQ(Call("GET", "/v1/me").status, 401);
  userspb::GetUserProfileRequest seen;
  users_.on_get = [&](const userspb::GetUserProfileRequest& r) {
    seen = r;
    return Ok(Profile(kAlice, "alice", "hi", "https://img.test/a.png"));
  };
  Response r = Call("GET", "/v1/me", "", true);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(seen.user_id(), kAlice);
  auto body = BodyJson(r).as_object();
  EXPECT_EQ(body.size(), 4u);  // the profile and nothing else
  EXPECT_EQ(body.at("user_id").as_string(), kAlice);
  EXPECT_EQ(body.at("nickname").as_string(), "alice");
  EXPECT_EQ(body.at("bio").as_string(), "hi");
  EXPECT_EQ(body.at("avatar_url").as_string(), "https://img.test/a.png");
}

TEST_F(GatewayHandlersTest, PatchMeSendsOnlyTheGivenFields) {
  userspb::UpdateUserProfileRequest seen;
  users_.on_update = [&](const userspb::UpdateUserProfileRequest& r) {
    seen = r;
    return Ok(Profile(kAlice, "alice", r.bio()));
  };
  Response r = Call("PATCH", "/v1/me", R"({"bio": "new bio", "user_id": "someone-else"})", true);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(seen.user_id(), kAlice);  // never the body's
  EXPECT_TRUE(seen.has_bio());
  EXPECT_FALSE(seen.has_nickname());
  EXPECT_FALSE(seen.has_avatar_url());
  EXPECT_EQ(BodyJson(r).at("bio").as_string(), "new bio");
}

TEST_F(GatewayHandlersTest, PatchMeWithAnEmptyObjectAnswersTheProfile) {
  users_.on_get = [](const userspb::GetUserProfileRequest&) { return Ok(Profile(kAlice, "alice")); };
  Response r = Call("PATCH", "/v1/me", "{}", true);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(users_.calls, std::vector<std::string>{"GetUserProfile"});
}

TEST_F(GatewayHandlersTest, PatchMeRefusesWrongTypes) {
  for (const char* body :
       {R"({"bio": 42})", R"({"nickname": null})", R"({"avatar_url": ["x"]})", "[]", "nope"}) {
    Response r = Call("PATCH", "/v1/me", body, true);
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_EQ(ErrorCodeOf(r), "INVALID_ARGUMENT");
  }
  EXPECT_TRUE(users_.calls.empty());
}

TEST_F(GatewayHandlersTest, PatchMeNicknameTakenIs409) {
  users_.on_update = [](const userspb::UpdateUserProfileRequest&) {
    return Fail<userspb::UserProfile>(AlreadyExistsError("taken", "NICKNAME_TAKEN"));
  };
  Response r = Call("PATCH", "/v1/me", R"({"nickname": "bob"})", true);
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(ErrorCodeOf(r), "NICKNAME_TAKEN");
}

TEST_F(GatewayHandlersTest, UserByIdIs404ForANonUuidWithoutCalling) {
  EXPECT_EQ(Call("GET", "/v1/users/not-a-uuid", "", true).status, 404);
  EXPECT_TRUE(users_.calls.empty());
  users_.on_get = [](const userspb::GetUserProfileRequest& r) {
    if (r.user_id() == kAlice) return Ok(Profile(kAlice, "alice"));
    return Fail<userspb::UserProfile>(NotFoundError("no such user"));
  };
  EXPECT_EQ(Call("GET", std::string("/v1/users/") + kAlice, "", true).status, 200);
  EXPECT_EQ(Call("GET", "/v1/users/00000000-0000-4000-8000-000000000000", "", true).status, 404);
  EXPECT_EQ(Call("GET", std::string("/v1/users/") + kAlice).status, 401);
}

TEST_F(GatewayHandlersTest, UserByNickname) {
  userspb::GetUserProfileByNicknameRequest seen;
  users_.on_get_by_nickname = [&](const userspb::GetUserProfileByNicknameRequest& r) {
    seen = r;
    return Ok(Profile(kAlice, "Alice"));
  };
  EXPECT_EQ(Call("GET", "/v1/users/by-nickname/ALICE", "", true).status, 200);
  EXPECT_EQ(seen.nickname(), "ALICE");
  EXPECT_EQ(Call("GET", "/v1/users/by-nickname/a%20b", "", true).status, 404);
  EXPECT_EQ(Call("GET", "/v1/users/by-nickname/ab", "", true).status, 404);
  EXPECT_EQ(users_.calls.size(), 1u);
}

TEST_F(GatewayHandlersTest, SearchValidatesQAndLimit) {
  userspb::SearchUsersRequest seen;
  users_.on_search = [&](const userspb::SearchUsersRequest& r) {
    seen = r;
    userspb::SearchUsersResponse resp;
    *resp.add_users() = Profile(kAlice, "alice_1");
    return Ok(resp);
  };
  Response r = Call("GET", "/v1/users?q=ALI%5F", "", true);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(seen.prefix(), "ALI_");
  EXPECT_EQ(seen.limit(), 20);
  EXPECT_EQ(BodyJson(r).at("users").as_array().size(), 1u);
  EXPECT_EQ(Call("GET", "/v1/users?q=a&limit=100", "", true).status, 200);
  EXPECT_EQ(seen.limit(), 100);
  EXPECT_EQ(Call("GET", "/v1/users?q=a&limit=1", "", true).status, 200);
  int calls = static_cast<int>(users_.calls.size());
  for (const char* bad : {"/v1/users", "/v1/users?q=", "/v1/users?q=a&limit=0", "/v1/users?q=a&limit=101",
                          "/v1/users?q=a&limit=-5", "/v1/users?q=a&limit=ten", "/v1/users?q=a&limit="}) {
    Response b = Call("GET", bad, "", true);
    EXPECT_EQ(b.status, 400) << bad;
    EXPECT_EQ(ErrorCodeOf(b), "INVALID_ARGUMENT") << bad;
  }
  EXPECT_EQ(static_cast<int>(users_.calls.size()), calls);
}

TEST_F(GatewayHandlersTest, HealthzAlwaysReadyzFollowsTheProbes) {
  EXPECT_EQ(Call("GET", "/healthz").status, 200);
  EXPECT_EQ(Call("GET", "/readyz").status, 200);
  redis_probe_.set_status(UnavailableError("connection refused"));
  Response r = Call("GET", "/readyz");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(ErrorCodeOf(r), "UNAVAILABLE");
  EXPECT_NE(r.body.find("redis"), std::string::npos);
  EXPECT_EQ(r.body.find("auth"), std::string::npos);
  EXPECT_EQ(Call("GET", "/healthz").status, 200);
}

TEST_F(GatewayHandlersTest, MetricsAndOpenApiArePublic) {
  metrics_.Observe("/v1/me", "GET", 200, std::chrono::milliseconds(1));
  Response m = Call("GET", "/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_EQ(m.content_type.rfind("text/plain", 0), 0u);
  EXPECT_NE(m.body.find("http_requests_total{route=\"/v1/me\""), std::string::npos);
  Response doc = Call("GET", "/openapi.json");
  EXPECT_EQ(doc.status, 200);
  EXPECT_EQ(doc.content_type, "application/json");
  EXPECT_TRUE(BodyJson(doc).as_object().contains("paths"));
}

}  // namespace
}  // namespace messenger::gateway
