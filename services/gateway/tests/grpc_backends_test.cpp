// The gateway in-process against fake Auth and Users gRPC servers (real gRPC, real Redis of the test stack):
// success paths, reasons and retry delays travelling in trailing metadata, request IDs travelling as
// metadata, readiness, and the whole bearer chain (a token signed with the stack's key, a session in Redis).
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <gtest/gtest.h>

#include <fstream>
#include <mutex>
#include <sstream>

#include "messenger/auth/v1/auth.grpc.pb.h"
#include "messenger/common/grpc_status.hpp"
#include "messenger/common/ids.hpp"
#include "messenger/redis/client.hpp"
#include "messenger/token/revocation.hpp"
#include "messenger/users/v1/users.grpc.pb.h"
#include "test_gateway.hpp"

namespace messenger::gateway {
namespace {

namespace authpb = messenger::auth::v1;
namespace userspb = messenger::users::v1;
using testing::Connection;
using testing::GatewayConfig;
using testing::Reply;
using testing::TestGateway;

const std::string kUserId = NewUuid();

// What the fake services saw, guarded: gRPC calls them on its own threads.
struct Seen {
  std::mutex mu;
  std::string request_id;
  std::string client_ip;
  std::string logout_token;
  std::string update_user_id;
  bool update_has_nickname = false;
  int search_limit = 0;

  void RecordId(const grpc::ServerContext* ctx) {
    auto it = ctx->client_metadata().find(kRequestIdMetadataKey);
    std::lock_guard lock(mu);
    request_id = it == ctx->client_metadata().end() ? "" : std::string(it->second.data(), it->second.size());
  }
};

authpb::TokenPair Pair() {
  authpb::TokenPair p;
  p.set_access_token("access");
  p.set_refresh_token("refresh");
  p.set_token_type("Bearer");
  p.set_expires_in(900);
  p.set_user_id(kUserId);
  return p;
}

class FakeAuthService final : public authpb::AuthService::Service {
 public:
  explicit FakeAuthService(Seen& seen) : seen_(seen) {}

  grpc::Status Register(grpc::ServerContext* ctx, const authpb::RegisterRequest* req,
                        authpb::RegisterResponse* resp) override {
    seen_.RecordId(ctx);
    {
      std::lock_guard lock(seen_.mu);
      seen_.client_ip = req->client_ip();
    }
    if (req->email() == "taken@example.test") {
      return ToGrpcStatus(AlreadyExistsError("that email is taken", "EMAIL_TAKEN"), ctx);
    }
    resp->set_user_id(kUserId);
    return grpc::Status::OK;
  }

  grpc::Status Login(grpc::ServerContext* ctx, const authpb::LoginRequest* req,
                     authpb::TokenPair* resp) override {
    seen_.RecordId(ctx);
    if (req->email() == "throttled@example.test") {
      return ToGrpcStatus(ResourceExhaustedError("too many failed logins", "RATE_LIMITED"), ctx,
                          std::chrono::seconds(77));
    }
    if (req->password() != "the right password") {
      return ToGrpcStatus(UnauthenticatedError("invalid email or password", "INVALID_CREDENTIALS"), ctx);
    }
    *resp = Pair();
    return grpc::Status::OK;
  }

  grpc::Status Logout(grpc::ServerContext* ctx, const authpb::LogoutRequest* req,
                      authpb::LogoutResponse*) override {
    std::lock_guard lock(seen_.mu);
    seen_.logout_token = req->access_token();
    return grpc::Status::OK;
  }

 private:
  Seen& seen_;
};

class FakeUsersService final : public userspb::UsersService::Service {
 public:
  explicit FakeUsersService(Seen& seen) : seen_(seen) {}

  grpc::Status GetUserProfile(grpc::ServerContext* ctx, const userspb::GetUserProfileRequest* req,
                              userspb::UserProfile* resp) override {
    if (req->user_id() != kUserId) return ToGrpcStatus(NotFoundError("no such user"), ctx);
    resp->set_user_id(kUserId);
    resp->set_nickname("alice");
    resp->set_bio("hello — привет");
    return grpc::Status::OK;
  }

  grpc::Status UpdateUserProfile(grpc::ServerContext* ctx, const userspb::UpdateUserProfileRequest* req,
                                 userspb::UserProfile* resp) override {
    {
      std::lock_guard lock(seen_.mu);
      seen_.update_user_id = req->user_id();
      seen_.update_has_nickname = req->has_nickname();
    }
    if (req->has_bio() && req->bio().size() > 500)
      return ToGrpcStatus(InvalidArgumentError("bio too long"), ctx);
    resp->set_user_id(req->user_id());
    resp->set_nickname("alice");
    resp->set_bio(req->bio());
    return grpc::Status::OK;
  }

  grpc::Status SearchUsers(grpc::ServerContext*, const userspb::SearchUsersRequest* req,
                           userspb::SearchUsersResponse* resp) override {
    {
      std::lock_guard lock(seen_.mu);
      seen_.search_limit = req->limit();
    }
    for (int i = 0; i < std::min(req->limit(), 3); ++i) {
      auto* p = resp->add_users();
      p->set_user_id(NewUuid());
      p->set_nickname(req->prefix() + std::to_string(i));
    }
    return grpc::Status::OK;
  }

 private:
  Seen& seen_;
};

std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class GatewayGrpcBackendsTest : public ::testing::Test {
 protected:
  GatewayGrpcBackendsTest() {
    grpc::EnableDefaultHealthCheckService(true);
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&auth_service_);
    builder.RegisterService(&users_service_);
    backend_ = builder.BuildAndStart();
    GatewayConfig config;
    config.auth_addr = config.users_addr = "127.0.0.1:" + std::to_string(port);
    config.redis = RedisSettings::FromEnv();
    config.public_key_pem = ReadFileOrEmpty(EnvString("JWT_PUBLIC_KEY_FILE", ""));
    gateway_ = std::make_unique<TestGateway>(config);
  }

  ~GatewayGrpcBackendsTest() override {
    gateway_.reset();
    backend_->Shutdown();
  }

  Reply Send(const std::string& method, const std::string& target, const std::string& body = {},
             std::map<std::string, std::string> headers = {}) {
    return Connection(gateway_->port()).Send(method, target, body, std::move(headers));
  }

  Seen seen_;
  FakeAuthService auth_service_{seen_};
  FakeUsersService users_service_{seen_};
  std::unique_ptr<grpc::Server> backend_;
  std::unique_ptr<TestGateway> gateway_;
};

TEST_F(GatewayGrpcBackendsTest, RegisterPassesTheClientAddressAndTheRequestId) {
  Reply r = Send("POST", "/v1/auth/register",
                 R"({"email": "new@example.test", "password": "long enough password", "nickname": "alice"})",
                 {{"X-Request-Id", "trace-me-1"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(boost::json::parse(r.body).at("user_id").as_string(), kUserId);
  std::lock_guard lock(seen_.mu);
  EXPECT_EQ(seen_.request_id, "trace-me-1");
  EXPECT_EQ(seen_.client_ip, "127.0.0.1");
}

TEST_F(GatewayGrpcBackendsTest, ReasonsFromTrailingMetadataBecomeTheCode) {
  Reply taken =
      Send("POST", "/v1/auth/register",
           R"({"email": "taken@example.test", "password": "long enough password", "nickname": "a_b"})");
  EXPECT_EQ(taken.status, 409);
  EXPECT_EQ(taken.Code(), "EMAIL_TAKEN");
  EXPECT_NE(taken.body.find("that email is taken"), std::string::npos);
  Reply wrong = Send("POST", "/v1/auth/login", R"({"email": "a@example.test", "password": "nope"})");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.Code(), "INVALID_CREDENTIALS");
}

TEST_F(GatewayGrpcBackendsTest, ThrottledLoginIs429WithTheServicesRetryAfter) {
  Reply r = Send("POST", "/v1/auth/login", R"({"email": "throttled@example.test", "password": "x"})");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.Code(), "RATE_LIMITED");
  EXPECT_EQ(r.Header("retry-after"), "77");
}

TEST_F(GatewayGrpcBackendsTest, LoginAnswersTheTokenPair) {
  Reply r =
      Send("POST", "/v1/auth/login", R"({"email": "a@example.test", "password": "the right password"})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = boost::json::parse(r.body).as_object();
  EXPECT_EQ(body.at("token_type").as_string(), "Bearer");
  EXPECT_EQ(body.at("expires_in").as_int64(), 900);
  EXPECT_EQ(body.at("user_id").as_string(), kUserId);
}

TEST_F(GatewayGrpcBackendsTest, ReadyWhenBothServicesAndRedisAnswer) {
  Reply r = Send("GET", "/readyz");
  EXPECT_EQ(r.status, 200) << r.body;
}

class GatewaySignedInTest : public GatewayGrpcBackendsTest {
 protected:
  void SetUp() override {
    auto signer = token::Signer::Create(ReadFileOrEmpty(EnvString("JWT_PRIVATE_KEY_FILE", "")),
                                        "messenger-auth", "messenger-api", std::chrono::seconds(900), clock_);
    ASSERT_TRUE(signer.ok()) << signer.status();
    auto redis = redis::Client::Create(RedisSettings::FromEnv());
    ASSERT_TRUE(redis.ok()) << redis.status();
    redis_ = std::move(redis).value();
    session_id_ = NewUuid();
    ASSERT_TRUE(redis_->Set(token::SessionKey(session_id_), kUserId, std::chrono::minutes(5)).ok());
    token_ = (*signer)->Issue(kUserId, session_id_, NewUuid()).value();
  }
  void TearDown() override {
    if (redis_) (void)redis_->Del({token::SessionKey(session_id_)});
  }
  std::map<std::string, std::string> Bearer() const { return {{"Authorization", "Bearer " + token_}}; }

  SystemClock clock_;
  std::unique_ptr<redis::Client> redis_;
  std::string session_id_;
  std::string token_;
};

TEST_F(GatewaySignedInTest, MeIsTheTokensUser) {
  Reply r = Send("GET", "/v1/me", "", Bearer());
  ASSERT_EQ(r.status, 200) << r.body;
  auto me = boost::json::parse(r.body).as_object();
  EXPECT_EQ(me.at("user_id").as_string(), kUserId);
  EXPECT_EQ(me.at("bio").as_string(), "hello — привет");
  EXPECT_EQ(me.size(), 4u);
}

TEST_F(GatewaySignedInTest, PatchSendsTheTokensUserAndOnlyTheGivenFields) {
  Reply r = Send("PATCH", "/v1/me", R"({"bio": "new", "user_id": "someone-else"})", Bearer());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(boost::json::parse(r.body).at("bio").as_string(), "new");
  {
    std::lock_guard lock(seen_.mu);
    EXPECT_EQ(seen_.update_user_id, kUserId);
    EXPECT_FALSE(seen_.update_has_nickname);
  }
  Reply too_long = Send("PATCH", "/v1/me", "{\"bio\": \"" + std::string(501, 'b') + "\"}", Bearer());
  EXPECT_EQ(too_long.status, 400);
  EXPECT_EQ(too_long.Code(), "INVALID_ARGUMENT");
}

TEST_F(GatewaySignedInTest, UnknownUserIs404AndSearchHonoursTheLimit) {
  EXPECT_EQ(Send("GET", "/v1/users/" + NewUuid(), "", Bearer()).status, 404);
  EXPECT_EQ(Send("GET", "/v1/users/" + kUserId, "", Bearer()).status, 200);
  Reply found = Send("GET", "/v1/users?q=al%69&limit=2", "", Bearer());
  ASSERT_EQ(found.status, 200) << found.body;
  auto users = boost::json::parse(found.body).at("users").as_array();
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[0].at("nickname").as_string(), "ali0");
  std::lock_guard lock(seen_.mu);
  EXPECT_EQ(seen_.search_limit, 2);
}

TEST_F(GatewaySignedInTest, LogoutHandsTheTokenToAuthAndAnEndedSessionIs401) {
  EXPECT_EQ(Send("POST", "/v1/auth/logout", "", Bearer()).status, 204);
  {
    std::lock_guard lock(seen_.mu);
    EXPECT_EQ(seen_.logout_token, token_);
  }
  // What Auth's logout does to Redis: the session key goes away; the token is dead at once.
  ASSERT_TRUE(redis_->Del({token::SessionKey(session_id_)}).ok());
  Reply r = Send("GET", "/v1/me", "", Bearer());
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.Code(), "UNAUTHENTICATED");
}

}  // namespace
}  // namespace messenger::gateway
