#include "loadgen/http_connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace messenger::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

HttpReply Failure(HttpFailure kind, const boost::system::error_code& ec) {
  HttpReply reply;
  reply.failure = kind;
  reply.detail = ec.message();
  return reply;
}

HttpFailure Classify(const boost::system::error_code& ec) {
  if (ec == beast::error::timeout) return HttpFailure::kTimeout;
  if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
      ec == asio::error::broken_pipe) {
    return HttpFailure::kClosed;
  }
  return HttpFailure::kIo;
}

}  // namespace

std::string HttpReply::Kind() const {
  switch (failure) {
    case HttpFailure::kNone:
      return "http_" + std::to_string(status);
    case HttpFailure::kConnect:
      return "connect";
    case HttpFailure::kTimeout:
      return "timeout";
    case HttpFailure::kClosed:
      return "closed";
    case HttpFailure::kIo:
      return "io";
  }
  return "io";
}

HttpConnection::HttpConnection(asio::any_io_executor executor, Endpoint endpoint, std::string source_address)
    : endpoint_(std::move(endpoint)),
      source_address_(std::move(source_address)),
      host_header_(endpoint_.host + ":" + std::to_string(endpoint_.port)),
      stream_(std::move(executor)) {}

void HttpConnection::Close() {
  boost::system::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream_.socket().close(ignored);
  buffer_.clear();
  connected_ = false;
}

asio::awaitable<HttpReply> HttpConnection::Connect(std::chrono::milliseconds timeout) {
  if (connected_) co_return HttpReply{};
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(endpoint_.host, ec);
  if (ec) co_return Failure(HttpFailure::kConnect, ec);
  const tcp::endpoint remote(address, endpoint_.port);
  tcp::socket& socket = stream_.socket();
  socket.open(remote.protocol(), ec);
  if (ec) co_return Failure(HttpFailure::kConnect, ec);
  if (!source_address_.empty()) {
    const auto local = asio::ip::make_address(source_address_, ec);
    if (!ec) socket.bind(tcp::endpoint(local, 0), ec);
    if (ec) {
      Close();
      co_return Failure(HttpFailure::kConnect, ec);
    }
  }
  stream_.expires_after(timeout);
  auto [connect_ec] = co_await stream_.async_connect(remote, kTuple);
  if (connect_ec) {
    Close();
    co_return Failure(connect_ec == beast::error::timeout ? HttpFailure::kTimeout : HttpFailure::kConnect,
                      connect_ec);
  }
  socket.set_option(tcp::no_delay(true), ec);
  connected_ = true;
  reuse_ = 0;
  co_return HttpReply{};
}

asio::awaitable<HttpReply> HttpConnection::Send(const HttpRequestSpec& spec,
                                                std::chrono::milliseconds timeout) {
  if (!connected_) {
    HttpReply connected = co_await Connect(timeout);
    if (!connected.transport_ok()) co_return connected;
  }
  http::request<http::string_body> request{spec.method, spec.target, 11};
  request.set(http::field::host, host_header_);
  request.set(http::field::user_agent, "messenger-loadgen");
  if (!spec.bearer.empty()) request.set(http::field::authorization, "Bearer " + spec.bearer);
  if (!spec.body.empty()) {
    request.set(http::field::content_type, "application/json");
    request.body() = spec.body;
  }
  request.keep_alive(true);
  request.prepare_payload();

  ++reuse_;
  stream_.expires_after(timeout);
  auto [write_ec, written] = co_await http::async_write(stream_, request, kTuple);
  if (write_ec) {
    Close();
    co_return Failure(Classify(write_ec), write_ec);
  }
  http::response_parser<http::string_body> parser;
  parser.body_limit(16 * 1024 * 1024);
  auto [read_ec, read] = co_await http::async_read(stream_, buffer_, parser, kTuple);
  if (read_ec) {
    Close();
    co_return Failure(Classify(read_ec), read_ec);
  }
  stream_.expires_never();
  http::response<http::string_body> response = parser.release();
  HttpReply reply;
  reply.status = static_cast<int>(response.result_int());
  reply.body = std::move(response.body());
  if (!response.keep_alive()) Close();
  co_return reply;
}

}  // namespace messenger::bench
