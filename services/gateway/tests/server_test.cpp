// The real server, in-process on an ephemeral port, against nothing: Auth, Users and Redis addresses point to
// closed ports (or to a socket that never answers). A real HTTP client talks to it over loopback.
#include "http/server.hpp"

#include <gtest/gtest.h>

#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <future>
#include <thread>

#include "messenger/common/ids.hpp"
#include "test_gateway.hpp"
#include "test_support.hpp"

namespace messenger::gateway {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using testing::Connection;
using testing::GatewayConfig;
using testing::Reply;
using testing::TestGateway;

class GatewayServerTest : public ::testing::Test {
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

TEST_F(GatewayServerTest, MalformedJsonIs400) {
  ExpectErrorBody(Send("POST", "/v1/auth/login", "{\"email\": "), 400, "INVALID_ARGUMENT");
  ExpectErrorBody(Send("POST", "/v1/auth/register", "[1,2,3]"), 400, "INVALID_ARGUMENT");
  ExpectErrorBody(Send("POST", "/v1/auth/register", R"({"email": 5, "password": "p", "nickname": "n"})"), 400,
                  "INVALID_ARGUMENT");
}

TEST_F(GatewayServerTest, UnknownRouteIs404WithoutAToken) {
  ExpectErrorBody(Send("GET", "/v1/no/such/route"), 404, "NOT_FOUND");
  ExpectErrorBody(Send("DELETE", "/nothing-here"), 404, "NOT_FOUND");
}

TEST_F(GatewayServerTest, WrongMethodIs405WithAllow) {
  Reply r = Send("GET", "/v1/auth/login");
  ExpectErrorBody(r, 405, "METHOD_NOT_ALLOWED");
  EXPECT_EQ(r.Header("allow"), "POST");
  EXPECT_EQ(Send("PUT", "/v1/me").Header("allow"), "GET, PATCH");
}

TEST_F(GatewayServerTest, OversizeBodyIs413) {
  std::string huge = "{\"email\":\"" + std::string(70 * 1024, 'a') + "\"}";
  Reply r = Send("POST", "/v1/auth/login", huge, {{"X-Request-Id", "big-one"}});
  ExpectErrorBody(r, 413, "PAYLOAD_TOO_LARGE");
  EXPECT_EQ(r.Header("x-request-id"), "big-one");
  EXPECT_FALSE(r.keep_alive);
}

TEST_F(GatewayServerTest, OversizeChunkedBodyIs413) {
  Connection c(gateway_.port());
  std::string chunk(32 * 1024, 'a');
  std::string bytes = "POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 3; ++i) bytes += "8000\r\n" + chunk + "\r\n";
  bytes += "0\r\n\r\n";
  c.WriteRaw(bytes);
  ExpectErrorBody(c.Read(), 413, "PAYLOAD_TOO_LARGE");
}

TEST_F(GatewayServerTest, ALyingContentLengthIs413WithoutWaitingForTheBody) {
  Connection c(gateway_.port());
  auto start = Clock::now();
  c.WriteRaw("POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n{\"a\":1}");
  ExpectErrorBody(c.Read(), 413, "PAYLOAD_TOO_LARGE");
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
}

TEST_F(GatewayServerTest, GarbageRequestIs400AndTheConnectionCloses) {
  Connection c(gateway_.port());
  c.WriteRaw("THIS IS NOT HTTP\r\n\r\n");
  ExpectErrorBody(c.Read(), 400, "INVALID_ARGUMENT");
  EXPECT_TRUE(c.ClosedByServer(milliseconds(3000)));
}

TEST_F(GatewayServerTest, MeWithoutOrWithABadTokenIs401) {
  Reply r = Send("GET", "/v1/me");
  ExpectErrorBody(r, 401, "UNAUTHENTICATED");
  EXPECT_EQ(r.Header("www-authenticate"), "Bearer");
  ExpectErrorBody(Send("GET", "/v1/me", "", {{"Authorization", "Bearer garbage.token.here"}}), 401,
                  "UNAUTHENTICATED");
  ExpectErrorBody(Send("POST", "/v1/auth/logout"), 401, "UNAUTHENTICATED");
}

TEST_F(GatewayServerTest, LoginWithAuthDownIs503Promptly) {
  auto start = Clock::now();
  Reply r = Send("POST", "/v1/auth/login", R"({"email": "a@example.test", "password": "long enough pw"})");
  ExpectErrorBody(r, 503, "UNAVAILABLE");
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(3));
  EXPECT_EQ(r.body.find("127.0.0.1"), std::string::npos) << "no internal detail: " << r.body;
}

TEST_F(GatewayServerTest, HealthzIs200ReadyzIs503) {
  Reply health = Send("GET", "/healthz");
  EXPECT_EQ(health.status, 200);
  Reply ready = Send("GET", "/readyz");
  ExpectErrorBody(ready, 503, "UNAVAILABLE");
  EXPECT_NE(ready.body.find("auth"), std::string::npos);
  EXPECT_NE(ready.body.find("users"), std::string::npos);
  EXPECT_NE(ready.body.find("redis"), std::string::npos);
}

TEST_F(GatewayServerTest, RequestIdIsEchoedWhenSaneAndGeneratedOtherwise) {
  EXPECT_EQ(Send("GET", "/healthz", "", {{"X-Request-Id", "client-id_42"}}).Header("x-request-id"),
            "client-id_42");
  std::string replaced =
      Send("GET", "/healthz", "", {{"X-Request-Id", "bad id with spaces"}}).Header("x-request-id");
  EXPECT_TRUE(IsUuid(replaced)) << replaced;
  EXPECT_TRUE(IsUuid(Send("GET", "/v1/nope").Header("x-request-id")));
}

TEST_F(GatewayServerTest, HeadAnswersHeadersOnlyAndTheConnectionStaysUsable) {
  Connection c(gateway_.port());
  c.WriteRaw("HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  Reply head = c.ReadHead();
  EXPECT_EQ(head.status, 200);
  EXPECT_NE(head.Header("content-length"), "0");
  EXPECT_TRUE(head.body.empty());
  EXPECT_EQ(c.Send("GET", "/healthz").status, 200);  // no stray body bytes were left on the connection
}

TEST_F(GatewayServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
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

TEST_F(GatewayServerTest, MetricsCountByRoutePattern) {
  Send("GET", "/healthz");
  Send("GET", "/v1/users/some-id", "", {{"Authorization", "Bearer x.y.z"}});
  Reply m = Send("GET", "/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_NE(m.body.find(R"(http_requests_total{route="/healthz",method="GET",status="200"} 1)"),
            std::string::npos)
      << m.body;
  EXPECT_NE(m.body.find(R"(http_requests_total{route="/v1/users/{user_id}",method="GET",status="401"} 1)"),
            std::string::npos)
      << m.body;
  EXPECT_EQ(m.body.find("some-id"), std::string::npos);
  EXPECT_NE(m.body.find("http_request_duration_seconds_bucket{route=\"/healthz\""), std::string::npos);
}

TEST_F(GatewayServerTest, OpenApiIsServed) {
  Reply r = Send("GET", "/openapi.json");
  ASSERT_EQ(r.status, 200);
  auto doc = boost::json::parse(r.body).as_object();
  EXPECT_EQ(std::string(doc.at("openapi").as_string()).rfind("3.1", 0), 0u);
}

TEST(GatewayServerTimeoutTest, AnUnfinishedHeaderIsCutOff) {
  GatewayConfig config;
  config.header_timeout = milliseconds(300);
  TestGateway gateway(config);
  Connection c(gateway.port());
  c.WriteRaw("GET /healthz HTTP/1.1\r\nHost: x\r\n");  // and never the blank line
  auto start = Clock::now();
  EXPECT_TRUE(c.ClosedByServer(milliseconds(5000)));
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(3));
}

TEST(GatewayServerThreadingTest, ASlowBackendCallDoesNotBlockTheIoThread) {
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
  // Answered while the login still waits for its 1.5 s deadline.
  EXPECT_LT(Clock::now() - start, milliseconds(1000));
  EXPECT_EQ(login.wait_for(std::chrono::seconds(0)), std::future_status::timeout);

  auto [reply, took] = login.get();
  EXPECT_EQ(reply.status, 504) << reply.body;
  EXPECT_EQ(reply.Code(), "DEADLINE_EXCEEDED");
  EXPECT_GE(took, milliseconds(1300));
}

TEST(GatewayServerUpgradeTest, AnUpgradingHandlerTakesTheConnectionOver) {
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
