// One HTTP/1.1 keep-alive client connection (Beast over a TCP stream), used by the load runner and by the
// seeding code. Connects lazily, reconnects after any failure, optionally binds a loopback source address so
// that many simulated clients do not all share one client address (the services limit per address).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <cstdint>
#include <string>

namespace messenger::bench {

struct Endpoint {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
};

struct HttpRequestSpec {
  boost::beast::http::verb method = boost::beast::http::verb::get;
  std::string target;
  std::string body;    // sent as application/json when not empty
  std::string bearer;  // access token, or empty
};

enum class HttpFailure { kNone, kConnect, kTimeout, kClosed, kIo };

struct HttpReply {
  int status = 0;
  std::string body;
  HttpFailure failure = HttpFailure::kNone;
  std::string detail;  // the failure's message

  bool transport_ok() const { return failure == HttpFailure::kNone; }
  // "http_<status>" for an answer, else the failure kind ("connect", "timeout", "closed", "io").
  std::string Kind() const;
};

class HttpConnection {
 public:
  HttpConnection(boost::asio::any_io_executor executor, Endpoint endpoint, std::string source_address = {});

  // Opens the connection now (Send would do it on first use). Returns a reply with only failure set.
  boost::asio::awaitable<HttpReply> Connect(std::chrono::milliseconds timeout);
  // One request and its answer; the timeout covers connecting (if needed), writing and reading.
  boost::asio::awaitable<HttpReply> Send(const HttpRequestSpec& spec, std::chrono::milliseconds timeout);
  bool connected() const { return connected_; }
  // How many requests went out on the current connection (0 right after a reconnect).
  uint64_t reuse_count() const { return reuse_; }

 private:
  void Close();

  Endpoint endpoint_;
  std::string source_address_;
  std::string host_header_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  bool connected_ = false;
  uint64_t reuse_ = 0;
};

}  // namespace messenger::bench
