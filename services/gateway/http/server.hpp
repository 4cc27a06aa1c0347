// The HTTP/1.1 server: Boost.Beast on Asio, one C++20 coroutine per connection, on a strand of a shared
// io_context that GATEWAY_THREADS threads run (see README "Threading model").
//
// Per connection: keep-alive with an idle timeout, a header read timeout, a body timeout, the body limit
// (64 KiB by default; Content-Length over it or a chunked body growing past it answer 413 and close), request
// IDs, one access-log line and one metrics observation per answered request.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "http/dispatcher.hpp"
#include "http/metrics.hpp"
#include "http/wire.hpp"
#include "messenger/common/status.hpp"

namespace messenger::gateway {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0 picks a free port (tests)
  WireLimits limits;
  std::chrono::milliseconds header_timeout{10'000};  // from a request's first byte to its complete header
  std::chrono::milliseconds body_timeout{30'000};    // to read the body once the header is in
  std::chrono::milliseconds idle_timeout{60'000};    // keep-alive: waiting for the next request's first byte
  std::chrono::milliseconds write_timeout{30'000};
  bool trusted_proxy = false;  // take the client address from X-Forwarded-For

  // LISTEN_HOST, LISTEN_PORT, HTTP_BODY_LIMIT_BYTES, HTTP_HEADER_TIMEOUT_MS, HTTP_BODY_TIMEOUT_MS,
  // HTTP_IDLE_TIMEOUT_MS, HTTP_WRITE_TIMEOUT_MS, TRUSTED_PROXY.
  static ServerOptions FromEnv();
};

// What an upgrading handler (WebSocket) receives: the connection, the bytes already read past the request,
// and the request itself.
struct Upgrade {
  boost::beast::tcp_stream stream;
  boost::beast::flat_buffer buffer;
  WireRequest request;
};

class HttpServer {
 public:
  // `dispatcher` and `metrics` must outlive the server and every connection (i.e. the io_context's run).
  HttpServer(boost::asio::io_context& ioc, ServerOptions options, const Dispatcher& dispatcher,
             Metrics& metrics);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens now, then accepts on the io_context. UNAVAILABLE when the address cannot be bound.
  Status Start();
  // The bound port (useful with port 0).
  int port() const { return port_; }

  // Stops accepting and makes every connection close after its current response.
  void StopAccepting();
  // Requests read but not yet answered.
  std::size_t active_requests() const;

 private:
  struct Shared {
    std::atomic<std::size_t> active_requests{0};
    std::atomic<bool> draining{false};
  };
  class ActiveRequest;

  boost::asio::awaitable<void> AcceptLoop(std::shared_ptr<boost::asio::ip::tcp::acceptor> acceptor);
  boost::asio::awaitable<void> Session(boost::beast::tcp_stream stream, std::shared_ptr<Shared> shared);

  boost::asio::io_context& ioc_;
  const ServerOptions options_;
  const Dispatcher& dispatcher_;
  Metrics& metrics_;
  std::shared_ptr<Shared> shared_;
  std::shared_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
  int port_ = 0;
};

}  // namespace messenger::gateway
