// The real server, in-process on an ephemeral port, against nothing: Auth, Users and Redis addresses point to
// closed ports (or to a socket that never answers). A real HTTP client talks to it over loopback.
#include "http/server.hpp"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <future>
#include <map>
#include <thread>

#include "api/routes.hpp"
#include "api/token_authenticator.hpp"
#include "clients/blocking_pool.hpp"
#include "clients/grpc_clients.hpp"
#include "clients/grpc_health_probe.hpp"
#include "clients/redis_checks.hpp"
#include "http/dispatcher.hpp"
#include "messenger/common/ids.hpp"
#include "messenger/token/token.hpp"
#include "test_support.hpp"

namespace messenger::gateway {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A P-256 public key for the verifier. No token in these tests is signed with its private half, which is why
// the private half is not kept anywhere.
constexpr char kPublicKeyPem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEBEZ3/zKYywEhlHtsIuSZn5kCdE37\n"
    "ZvmTeLM8W9UmMSCfPGpQ8p+Klt+lSF5UvR0mynS56cNNxDTCgenZnae+CQ==\n"
    "-----END PUBLIC KEY-----\n";

// A loopback port nothing listens on: bound, read, released.
int ClosedPort() {
  asio::io_context ioc;
  tcp::acceptor a(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

struct GatewayConfig {
  int threads = 2;
  std::string auth_addr;   // default: a closed port
  std::string users_addr;  // default: a closed port
  milliseconds rpc_deadline{3000};
  milliseconds header_timeout{10'000};
};

// The same wiring as main.cpp, with test addresses and an ephemeral port.
class TestGateway {
 public:
  explicit TestGateway(GatewayConfig config)
      : ioc_(config.threads), blocking_(2), redis_(RedisSettingsAtClosedPort()) {
    std::string closed = "127.0.0.1:" + std::to_string(ClosedPort());
    auto auth_channel = MakeChannel(config.auth_addr.empty() ? closed : config.auth_addr);
    auto users_channel = MakeChannel(config.users_addr.empty() ? closed : config.users_addr);
    auth_ = std::make_unique<GrpcAuthClient>(auth_channel, config.rpc_deadline, in_flight_);
    users_ = std::make_unique<GrpcUsersClient>(users_channel, config.rpc_deadline, in_flight_);
    auth_probe_ = std::make_unique<GrpcHealthProbe>("auth", auth_channel, milliseconds(500), in_flight_);
    users_probe_ = std::make_unique<GrpcHealthProbe>("users", users_channel, milliseconds(500), in_flight_);
    liveness_ = std::make_unique<RedisSessionLiveness>(redis_, blocking_);
    redis_probe_ = std::make_unique<RedisPingProbe>(redis_, blocking_);
    verifier_ =
        std::move(token::Verifier::Create(kPublicKeyPem, "messenger-auth", "messenger-api", clock_).value());
    AddAllRoutes(router_,
                 RouteDependencies{
                     *auth_, *users_, metrics_, {auth_probe_.get(), users_probe_.get(), redis_probe_.get()}});
    authenticator_ = std::make_unique<TokenAuthenticator>(*verifier_, *liveness_);
    dispatcher_ = std::make_unique<Dispatcher>(router_, *authenticator_);
    ServerOptions options;
    options.port = 0;
    options.header_timeout = config.header_timeout;
    server_ = std::make_unique<HttpServer>(ioc_, options, *dispatcher_, metrics_);
    Status started = server_->Start();
    EXPECT_TRUE(started.ok()) << started;
    for (int i = 0; i < config.threads; ++i) threads_.emplace_back([this] { ioc_.run(); });
  }

  ~TestGateway() {
    server_->StopAccepting();
    work_.reset();
    ioc_.stop();
    for (auto& t : threads_) t.join();
    in_flight_.WaitIdle(std::chrono::seconds(10));
    blocking_.Stop();
  }

  int port() const { return server_->port(); }
  std::size_t active_requests() const { return server_->active_requests(); }

 private:
  static RedisSettings RedisSettingsAtClosedPort() {
    RedisSettings s;
    s.host = "127.0.0.1";
    s.port = ClosedPort();
    s.pool_size = 2;
    s.timeout = milliseconds(200);
    return s;
  }

  asio::io_context ioc_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(ioc_);
  InFlightCalls in_flight_;
  BlockingPool blocking_;
  LazyRedisClient redis_;
  SystemClock clock_;
  std::unique_ptr<GrpcAuthClient> auth_;
  std::unique_ptr<GrpcUsersClient> users_;
  std::unique_ptr<GrpcHealthProbe> auth_probe_;
  std::unique_ptr<GrpcHealthProbe> users_probe_;
  std::unique_ptr<RedisSessionLiveness> liveness_;
  std::unique_ptr<RedisPingProbe> redis_probe_;
  std::unique_ptr<token::Verifier> verifier_;
  Metrics metrics_;
  Router router_;
  std::unique_ptr<TokenAuthenticator> authenticator_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<HttpServer> server_;
  std::vector<std::thread> threads_;
};

struct Reply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;
  bool keep_alive = false;

  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
  std::string Code() const {
    boost::system::error_code ec;
    auto v = boost::json::parse(body, ec);
    if (ec || !v.is_object() || !v.as_object().contains("error")) return {};
    return std::string(v.at("error").at("code").as_string());
  }
};

// One client connection to the gateway.
class Connection {
 public:
  explicit Connection(int port) : stream_(ioc_) {
    stream_.expires_after(std::chrono::seconds(20));
    stream_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
  }

  Reply Send(const std::string& method, const std::string& target, const std::string& body = {},
             std::map<std::string, std::string> headers = {}) {
    bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers) req.set(k, v);
    if (!body.empty()) req.set(bhttp::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    bhttp::write(stream_, req);
    return Read();
  }

  void WriteRaw(const std::string& bytes) { asio::write(stream_, asio::buffer(bytes)); }

  Reply Read() {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(1 << 20);
    bhttp::read(stream_, buffer_, parser);
    auto res = parser.release();
    Reply r;
    r.status = static_cast<int>(res.result_int());
    for (const auto& f : res) {
      std::string name(f.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers[name] = std::string(f.value());
    }
    r.body = res.body();
    r.keep_alive = res.keep_alive();
    return r;
  }

  // True when the server closed the connection (EOF) within `within`.
  bool ClosedByServer(milliseconds within) {
    stream_.expires_after(within);
    char byte;
    beast::error_code ec;
    stream_.read_some(asio::buffer(&byte, 1), ec);
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }

 private:
  asio::io_context ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

class ServerTest : public ::testing::Test {
 protected:
  Reply Send(const std::string& method, const std::string& target, const std::string& body = {},
             std::map<std::string, std::string> headers = {}) {
    return Connection(gateway_.port()).Send(method, target, body, std::move(headers));
  }

  void ExpectErrorBody(const Reply& r, int status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.Code(), code) << r.body;
    EXPECT_EQ(r.Header("content-type"), "application/json");
    EXPECT_FALSE(r.Header("x-request-id").empty());
  }

  TestGateway gateway_{GatewayConfig{}};
};

TEST_F(ServerTest, MalformedJsonIs400) {
  ExpectErrorBody(Send("POST", "/v1/auth/login", "{\"email\": "), 400, "INVALID_ARGUMENT");
  ExpectErrorBody(Send("POST", "/v1/auth/register", "[1,2,3]"), 400, "INVALID_ARGUMENT");
  ExpectErrorBody(Send("POST", "/v1/auth/register", R"({"email": 5, "password": "p", "nickname": "n"})"), 400,
                  "INVALID_ARGUMENT");
}

TEST_F(ServerTest, UnknownRouteIs404WithoutAToken) {
  ExpectErrorBody(Send("GET", "/v1/no/such/route"), 404, "NOT_FOUND");
  ExpectErrorBody(Send("DELETE", "/nothing-here"), 404, "NOT_FOUND");
}

TEST_F(ServerTest, WrongMethodIs405WithAllow) {
  Reply r = Send("GET", "/v1/auth/login");
  ExpectErrorBody(r, 405, "METHOD_NOT_ALLOWED");
  EXPECT_EQ(r.Header("allow"), "POST");
  EXPECT_EQ(Send("PUT", "/v1/me").Header("allow"), "GET, PATCH");
}

TEST_F(ServerTest, OversizeBodyIs413) {
  std::string huge = "{\"email\":\"" + std::string(70 * 1024, 'a') + "\"}";
  Reply r = Send("POST", "/v1/auth/login", huge, {{"X-Request-Id", "big-one"}});
  ExpectErrorBody(r, 413, "PAYLOAD_TOO_LARGE");
  EXPECT_EQ(r.Header("x-request-id"), "big-one");
  EXPECT_FALSE(r.keep_alive);
}

TEST_F(ServerTest, OversizeChunkedBodyIs413) {
  Connection c(gateway_.port());
  std::string chunk(32 * 1024, 'a');
  std::string bytes = "POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 3; ++i) bytes += "8000\r\n" + chunk + "\r\n";
  bytes += "0\r\n\r\n";
  c.WriteRaw(bytes);
  ExpectErrorBody(c.Read(), 413, "PAYLOAD_TOO_LARGE");
}

TEST_F(ServerTest, ALyingContentLengthIs413WithoutWaitingForTheBody) {
  Connection c(gateway_.port());
  auto start = Clock::now();
  c.WriteRaw("POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n{\"a\":1}");
  ExpectErrorBody(c.Read(), 413, "PAYLOAD_TOO_LARGE");
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
}

TEST_F(ServerTest, GarbageRequestIs400AndTheConnectionCloses) {
  Connection c(gateway_.port());
  c.WriteRaw("THIS IS NOT HTTP\r\n\r\n");
  ExpectErrorBody(c.Read(), 400, "INVALID_ARGUMENT");
  EXPECT_TRUE(c.ClosedByServer(milliseconds(3000)));
}

TEST_F(ServerTest, MeWithoutOrWithABadTokenIs401) {
  Reply r = Send("GET", "/v1/me");
  ExpectErrorBody(r, 401, "UNAUTHENTICATED");
  EXPECT_EQ(r.Header("www-authenticate"), "Bearer");
  ExpectErrorBody(Send("GET", "/v1/me", "", {{"Authorization", "Bearer garbage.token.here"}}), 401,
                  "UNAUTHENTICATED");
  ExpectErrorBody(Send("POST", "/v1/auth/logout"), 401, "UNAUTHENTICATED");
}

TEST_F(ServerTest, LoginWithAuthDownIs503Promptly) {
  auto start = Clock::now();
  Reply r = Send("POST", "/v1/auth/login", R"({"email": "a@example.test", "password": "long enough pw"})");
  ExpectErrorBody(r, 503, "UNAVAILABLE");
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(3));
  EXPECT_EQ(r.body.find("127.0.0.1"), std::string::npos) << "no internal detail: " << r.body;
}

TEST_F(ServerTest, HealthzIs200ReadyzIs503) {
  Reply health = Send("GET", "/healthz");
  EXPECT_EQ(health.status, 200);
  Reply ready = Send("GET", "/readyz");
  ExpectErrorBody(ready, 503, "UNAVAILABLE");
  EXPECT_NE(ready.body.find("auth"), std::string::npos);
  EXPECT_NE(ready.body.find("users"), std::string::npos);
  EXPECT_NE(ready.body.find("redis"), std::string::npos);
}

TEST_F(ServerTest, RequestIdIsEchoedWhenSaneAndGeneratedOtherwise) {
  EXPECT_EQ(Send("GET", "/healthz", "", {{"X-Request-Id", "client-id_42"}}).Header("x-request-id"),
            "client-id_42");
  std::string replaced =
      Send("GET", "/healthz", "", {{"X-Request-Id", "bad id with spaces"}}).Header("x-request-id");
  EXPECT_TRUE(IsUuid(replaced)) << replaced;
  EXPECT_TRUE(IsUuid(Send("GET", "/v1/nope").Header("x-request-id")));
}

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  Connection c(gateway_.port());
  for (int i = 0; i < 3; ++i) {
    Reply r = c.Send("GET", "/healthz");
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(r.keep_alive);
  }
  EXPECT_EQ(c.Send("GET", "/v1/nope").status, 404);
  EXPECT_EQ(c.Send("POST", "/v1/auth/login", "nope").status, 400);
  EXPECT_EQ(c.Send("GET", "/healthz").status, 200);
}

TEST_F(ServerTest, MetricsCountByRoutePattern) {
  Send("GET", "/healthz");
  Send("GET", "/v1/users/some-id", "", {{"Authorization", "Bearer x.y.z"}});
  Reply m = Send("GET", "/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_NE(m.body.find(R"(http_requests_total{route="/healthz",method="GET",status="200"} 1)"),
            std::string::npos)
      << m.body;
  EXPECT_NE(m.body.find(R"(http_requests_total{route="/v1/users/{user_id}",method="GET",status="401"} 1)"),
            std::string::npos);
  EXPECT_EQ(m.body.find("some-id"), std::string::npos);
  EXPECT_NE(m.body.find("http_request_duration_seconds_bucket{route=\"/healthz\""), std::string::npos);
}

TEST_F(ServerTest, OpenApiIsServed) {
  Reply r = Send("GET", "/openapi.json");
  ASSERT_EQ(r.status, 200);
  auto doc = boost::json::parse(r.body).as_object();
  EXPECT_EQ(std::string(doc.at("openapi").as_string()).rfind("3.1", 0), 0u);
}

TEST(ServerTimeoutTest, AnUnfinishedHeaderIsCutOff) {
  GatewayConfig config;
  config.header_timeout = milliseconds(300);
  TestGateway gateway(config);
  Connection c(gateway.port());
  c.WriteRaw("GET /healthz HTTP/1.1\r\nHost: x\r\n");  // and never the blank line
  auto start = Clock::now();
  EXPECT_TRUE(c.ClosedByServer(milliseconds(5000)));
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(3));
}

TEST(ServerThreadingTest, ASlowBackendCallDoesNotBlockTheIoThread) {
  // Auth "listens" but never answers (the connection is never accepted), so a login waits for its deadline.
  asio::io_context blackhole_ioc;
  tcp::acceptor blackhole(blackhole_ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  GatewayConfig config;
  config.threads = 1;  // one I/O thread: had the call blocked it, nothing else would be served
  config.auth_addr = "127.0.0.1:" + std::to_string(blackhole.local_endpoint().port());
  config.rpc_deadline = milliseconds(1500);
  TestGateway gateway(config);

  auto login = std::async(std::launch::async, [&] {
    auto start = Clock::now();
    Reply r = Connection(gateway.port())
                  .Send("POST", "/v1/auth/login", R"({"email": "a@b.test", "password": "p"})");
    return std::make_pair(r, Clock::now() - start);
  });
  // Wait until the login is in flight (read, and waiting on Auth).
  for (auto give_up = Clock::now() + std::chrono::seconds(5);
       gateway.active_requests() == 0 && Clock::now() < give_up;) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  ASSERT_EQ(gateway.active_requests(), 1u);
  auto start = Clock::now();
  EXPECT_EQ(Connection(gateway.port()).Send("GET", "/healthz").status, 200);
  EXPECT_LT(Clock::now() - start, milliseconds(700));

  auto [reply, took] = login.get();
  EXPECT_EQ(reply.status, 504) << reply.body;
  EXPECT_EQ(reply.Code(), "DEADLINE_EXCEEDED");
  EXPECT_GE(took, milliseconds(1300));
}

TEST(ServerUpgradeTest, AnUpgradingHandlerTakesTheConnectionOver) {
  // The hook the WebSocket route uses: the handler gets the stream and answers the upgrade itself.
  Router router;
  router.Add("GET", "/v1/upgrade", Access::kPublic, [](Request& request) -> asio::awaitable<Response> {
    Response r;
    r.upgrade = [](Upgrade& up) -> asio::awaitable<void> {
      std::string hello = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\n" +
                          std::string(up.request.target());
      co_await asio::async_write(up.stream, asio::buffer(hello), asio::use_awaitable);
      up.stream.socket().shutdown(tcp::socket::shutdown_send);
    };
    co_return r;
  });
  testing::FakeAuthenticator authenticator;
  Dispatcher dispatcher(router, authenticator);
  Metrics metrics;
  asio::io_context ioc;
  ServerOptions options;
  options.port = 0;
  HttpServer server(ioc, options, dispatcher, metrics);
  ASSERT_TRUE(server.Start().ok());
  std::thread io([&ioc] { ioc.run(); });

  Connection c(server.port());
  c.WriteRaw("GET /v1/upgrade HTTP/1.1\r\nHost: x\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\n");
  Reply r = c.Read();
  EXPECT_EQ(r.status, 101);
  EXPECT_EQ(r.Header("upgrade"), "test");

  server.StopAccepting();
  ioc.stop();
  io.join();
}

}  // namespace
}  // namespace messenger::gateway
