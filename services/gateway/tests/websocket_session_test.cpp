// An open WebSocket end to end through the real HTTP server and RealtimeService, against nothing (a fake
// authenticator and store, no Kafka, no Redis): frames in order, client messages ignored, the message limit
// (1009), a close with its code, and the memory an idle socket keeps (the S6 benchmark's figure, as live
// heap bytes instead of RSS).
#include <gtest/gtest.h>
#include <malloc.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "api/realtime_routes.hpp"
#include "clients/blocking_pool.hpp"
#include "events/presence_tracker.hpp"
#include "http/dispatcher.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "realtime_fakes.hpp"
#include "test_support.hpp"
#include "ws/connection_registry.hpp"
#include "ws/realtime_service.hpp"

namespace messenger::gateway {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds within = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

Frame F(std::string text) { return std::make_shared<const std::string>(std::move(text)); }

// One gateway's WebSocket side on an ephemeral port, served by one I/O thread.
class GatewayWebSocketTest : public ::testing::Test {
 protected:
  void Start(WebSocketSettings socket = {}) {
    RealtimeOptions options;
    options.socket = socket;
    options.instance_id = "ws-test";
    service_ = std::make_unique<RealtimeService>(ioc_.get_executor(), options, registry_, presence_, store_,
                                                 pool_, [] { return true; });
    AddRealtimeRoutes(router_, *service_);
    for (int i = 0; i < 20; ++i) {
      const std::string n = std::to_string(i);
      authenticator_.tokens["token-" + n] = Principal{"user-" + n, "session-" + n, "jti-" + n, {}};
    }
    dispatcher_ = std::make_unique<Dispatcher>(router_, authenticator_);
    ServerOptions server_options;
    server_options.port = 0;
    server_ = std::make_unique<HttpServer>(ioc_, server_options, *dispatcher_, metrics_);
    ASSERT_TRUE(server_->Start().ok());
    io_ = std::thread([this] { ioc_.run(); });
  }

  void TearDown() override {
    if (!server_) return;
    server_->StopAccepting();
    service_->Shutdown(2s);
    work_.reset();
    ioc_.stop();
    io_.join();
  }

  // A browser's socket (Beast, synchronous) for user-<n>.
  std::unique_ptr<websocket::stream<tcp::socket>> Connect(int n) {
    auto ws = std::make_unique<websocket::stream<tcp::socket>>(client_ioc_);
    ws->next_layer().connect(
        tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(server_->port())));
    const std::string token = "token-" + std::to_string(n);
    ws->set_option(websocket::stream_base::decorator([token](websocket::request_type& r) {
      r.set(beast::http::field::authorization, "Bearer " + token);
    }));
    ws->handshake("127.0.0.1", "/v1/ws");
    return ws;
  }

  // Reads until the server closes; returns the close code (0 when the connection ended without one).
  static int ReadUntilClosed(websocket::stream<tcp::socket>& ws, std::vector<std::string>* frames = nullptr) {
    beast::flat_buffer buffer;
    while (true) {
      boost::system::error_code ec;
      ws.read(buffer, ec);
      if (ec) return ec == websocket::error::closed ? static_cast<int>(ws.reason().code) : 0;
      if (frames) frames->push_back(beast::buffers_to_string(buffer.data()));
      buffer.consume(buffer.size());
    }
  }

  asio::io_context ioc_{1};
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(ioc_);
  asio::io_context client_ioc_;
  BlockingPool pool_{1};
  RecordingRealtimeStore store_;
  PresenceTracker presence_{store_, 1h};
  ConnectionRegistry registry_;
  std::unique_ptr<RealtimeService> service_;
  Router router_;
  testing::FakeAuthenticator authenticator_;
  std::unique_ptr<Dispatcher> dispatcher_;
  Metrics metrics_;
  std::unique_ptr<HttpServer> server_;
  std::thread io_;
};

TEST_F(GatewayWebSocketTest, FramesArriveInOrderAndClientMessagesAreIgnored) {
  Start();
  auto ws = Connect(1);
  ASSERT_TRUE(WaitFor([&] { return registry_.size() == 1; }));
  for (int i = 0; i < 50; ++i) registry_.SendToUsers({"user-1"}, F("frame " + std::to_string(i)));
  beast::flat_buffer buffer;
  for (int i = 0; i < 50; ++i) {
    ws->read(buffer);
    EXPECT_TRUE(ws->got_text());
    EXPECT_EQ(beast::buffers_to_string(buffer.data()), "frame " + std::to_string(i));
    buffer.consume(buffer.size());
  }
  // What a client sends (below the limit, whole or in fragments) is read and dropped; the socket stays.
  ws->write(asio::buffer(std::string(300, 'a')));
  ws->write_some(false, asio::buffer(std::string(1000, 'b')));
  ws->write_some(true, asio::buffer(std::string(1000, 'c')));
  ws->ping({});
  registry_.SendToUsers({"user-1"}, F("after"));
  ws->read(buffer);
  EXPECT_EQ(beast::buffers_to_string(buffer.data()), "after");
  EXPECT_EQ(registry_.size(), 1u);
}

TEST_F(GatewayWebSocketTest, AClientMessageOverTheLimitClosesWith1009) {
  WebSocketSettings socket;
  socket.max_incoming_message = 200;
  Start(socket);
  auto whole = Connect(1);
  whole->write(asio::buffer(std::string(201, 'x')));
  EXPECT_EQ(ReadUntilClosed(*whole), 1009);
  // The limit is on the message, not on the frame: fragments adding up past it close the socket too.
  auto fragmented = Connect(2);
  fragmented->write_some(false, asio::buffer(std::string(150, 'y')));
  fragmented->write_some(true, asio::buffer(std::string(150, 'y')));
  EXPECT_EQ(ReadUntilClosed(*fragmented), 1009);
  EXPECT_TRUE(WaitFor([&] { return registry_.size() == 0; }));
}

TEST_F(GatewayWebSocketTest, AClosedSessionEndsWithItsCodeAndLeavesRegistryAndPresence) {
  Start();
  auto ws = Connect(3);
  ASSERT_TRUE(WaitFor([&] { return registry_.size() == 1; }));
  registry_.SendToUsers({"user-3"}, F("one"));
  registry_.SendToUsers({"user-3"}, F("two"));
  beast::flat_buffer buffer;
  ws->read(buffer);
  EXPECT_EQ(beast::buffers_to_string(buffer.data()), "one");
  buffer.consume(buffer.size());
  ws->read(buffer);
  EXPECT_EQ(beast::buffers_to_string(buffer.data()), "two");
  EXPECT_EQ(registry_.CloseSession("session-3", CloseCode::kSessionEnded), 1u);
  EXPECT_EQ(ReadUntilClosed(*ws), 4001);
  EXPECT_TRUE(WaitFor([&] { return registry_.size() == 0; }));
  presence_.Stop();
  bool connected = false, disconnected = false;
  for (const auto& batch : store_.Batches()) {
    for (const PresenceChange& change : batch) {
      if (change.user_id != "user-3") continue;
      connected = connected || change.kind == PresenceChange::Kind::kConnect;
      disconnected = disconnected || change.kind == PresenceChange::Kind::kDisconnect;
    }
  }
  EXPECT_TRUE(connected);
  EXPECT_TRUE(disconnected);
}

TEST_F(GatewayWebSocketTest, AClientThatClosesLeavesTheRegistry) {
  Start();
  auto ws = Connect(4);
  ASSERT_TRUE(WaitFor([&] { return registry_.size() == 1; }));
  ws->close(websocket::close_code::normal);
  EXPECT_TRUE(WaitFor([&] { return registry_.size() == 0; }));
}

#if defined(__SANITIZE_ADDRESS__)
// The ASan runtime's (sanitizer/allocator_interface.h, not installed with GCC here).
extern "C" std::size_t __sanitizer_get_current_allocated_bytes();
#endif

// Live heap bytes of the whole process: every malloc arena, or the sanitizer's allocator under ASan.
std::size_t HeapInUse() {
#if defined(__SANITIZE_ADDRESS__)
  return __sanitizer_get_current_allocated_bytes();
#else
  return mallinfo2().uordblks;
#endif
}

TEST_F(GatewayWebSocketTest, AnIdleSocketKeepsLittleMemory) {
  // An idle authenticated socket kept ~26 KiB before the upgrade released the HTTP connection's state
  // (its coroutine frame with an 8 KiB drain array, the 8 KiB read buffer, request and response), Beast's
  // read buffer, an empty deque and the writer's coroutine; it keeps ~6 KiB now. Counted: live heap, server
  // and client sides (the client below is raw TCP after the handshake and allocates little).
  Start();
  const std::string handshake_head =
      "GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
  std::vector<std::unique_ptr<tcp::socket>> sockets;
  auto open = [&](int count) {
    for (int i = 0; i < count; ++i) {
      auto socket = std::make_unique<tcp::socket>(client_ioc_);
      socket->connect(
          tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(server_->port())));
      const std::string request =
          handshake_head + "Authorization: Bearer token-" + std::to_string(i % 20) + "\r\n\r\n";
      asio::write(*socket, asio::buffer(request));
      std::string answer;
      asio::read_until(*socket, asio::dynamic_buffer(answer), "\r\n\r\n");
      ASSERT_EQ(answer.rfind("HTTP/1.1 101", 0), 0u) << answer;
      sockets.push_back(std::move(socket));
    }
  };
  open(20);  // warms up what is made once (strand implementations, the reactor's descriptor pool ...)
  ASSERT_TRUE(WaitFor([&] { return registry_.size() == 20; }));
  std::this_thread::sleep_for(200ms);
  const std::size_t before = HeapInUse();
  constexpr int kSockets = 300;
  open(kSockets);
  ASSERT_TRUE(WaitFor([&] { return registry_.size() == 20 + kSockets; }));
  std::this_thread::sleep_for(200ms);  // the session checks after each upgrade finish
  const std::size_t after = HeapInUse();
  const double per_socket = (static_cast<double>(after) - static_cast<double>(before)) / kSockets;
  RecordProperty("heap_bytes_per_idle_socket", std::to_string(static_cast<long>(per_socket)));
  EXPECT_LT(per_socket, 12 * 1024) << "live heap per idle socket";
}

}  // namespace
}  // namespace messenger::gateway
