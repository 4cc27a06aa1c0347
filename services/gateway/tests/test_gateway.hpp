// An in-process gateway wired like main.cpp (real server, clients and authenticator) with test addresses on
// an ephemeral port, and a small blocking HTTP client for it. For the integration tests.
#pragma once

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
#include <map>
#include <memory>
#include <optional>
#include <thread>

#include "api/routes.hpp"
#include "api/token_authenticator.hpp"
#include "clients/grpc_clients.hpp"
#include "clients/grpc_health_probe.hpp"
#include "clients/redis_checks.hpp"
#include "http/dispatcher.hpp"
#include "http/server.hpp"
#include "messenger/common/config.hpp"
#include "messenger/token/token.hpp"

namespace messenger::gateway::testing {

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
inline int ClosedPort() {
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
  std::optional<RedisSettings> redis;  // default: a closed port
  std::string public_key_pem;          // default: kPublicKeyPem
};

// The same wiring as main.cpp, with test addresses and an ephemeral port.
class TestGateway {
 public:
  explicit TestGateway(GatewayConfig config)
      : ioc_(config.threads),
        redis_(ioc_.get_executor(),
               AsyncRedisOptions::FromSettings(config.redis ? *config.redis : RedisSettingsAtClosedPort())) {
    std::string closed = "127.0.0.1:" + std::to_string(ClosedPort());
    auto auth_channel = MakeChannel(config.auth_addr.empty() ? closed : config.auth_addr);
    auto users_channel = MakeChannel(config.users_addr.empty() ? closed : config.users_addr);
    auth_ = std::make_unique<GrpcAuthClient>(auth_channel, config.rpc_deadline, in_flight_);
    users_ = std::make_unique<GrpcUsersClient>(users_channel, config.rpc_deadline, in_flight_);
    auth_probe_ = std::make_unique<GrpcHealthProbe>("auth", auth_channel, milliseconds(500), in_flight_);
    users_probe_ = std::make_unique<GrpcHealthProbe>("users", users_channel, milliseconds(500), in_flight_);
    liveness_ = std::make_unique<AsyncRedisSessionLiveness>(redis_);
    redis_probe_ = std::make_unique<AsyncRedisPingProbe>(redis_);
    verifier_ = std::move(
        token::Verifier::Create(config.public_key_pem.empty() ? kPublicKeyPem : config.public_key_pem,
                                "messenger-auth", "messenger-api", clock_)
            .value());
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
  AsyncRedisClient redis_;
  SystemClock clock_;
  std::unique_ptr<GrpcAuthClient> auth_;
  std::unique_ptr<GrpcUsersClient> users_;
  std::unique_ptr<GrpcHealthProbe> auth_probe_;
  std::unique_ptr<GrpcHealthProbe> users_probe_;
  std::unique_ptr<AsyncRedisSessionLiveness> liveness_;
  std::unique_ptr<AsyncRedisPingProbe> redis_probe_;
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

  Reply Read() { return ReadResponse(false); }
  // The answer to a HEAD request: headers only, whatever Content-Length says.
  Reply ReadHead() { return ReadResponse(true); }

  Reply ReadResponse(bool head) {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.skip(head);
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

}  // namespace messenger::gateway::testing
