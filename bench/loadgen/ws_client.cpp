#include "loadgen/ws_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "loadgen/api.hpp"

namespace messenger::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using tcp = asio::ip::tcp;

namespace {
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
}

WsClient::WsClient(asio::any_io_executor executor, Endpoint endpoint, std::string source_address)
    : endpoint_(std::move(endpoint)), source_address_(std::move(source_address)), ws_(std::move(executor)) {}

asio::awaitable<WsConnectResult> WsClient::Connect(const std::string& access_token,
                                                   std::chrono::milliseconds timeout) {
  WsConnectResult result;
  boost::system::error_code ec;
  const tcp::endpoint remote(asio::ip::make_address(endpoint_.host, ec), endpoint_.port);
  if (ec) {
    result.failure = "bad address: " + ec.message();
    co_return result;
  }
  beast::tcp_stream& stream = beast::get_lowest_layer(ws_);
  stream.socket().open(remote.protocol(), ec);
  if (!ec && !source_address_.empty()) {
    const auto local = asio::ip::make_address(source_address_, ec);
    if (!ec) stream.socket().bind(tcp::endpoint(local, 0), ec);
  }
  if (ec) {
    result.failure = "connect: " + ec.message();
    Close();
    co_return result;
  }
  stream.expires_after(timeout);
  auto [connect_ec] = co_await stream.async_connect(remote, kTuple);
  if (connect_ec) {
    result.failure = "connect: " + connect_ec.message();
    Close();
    co_return result;
  }
  stream.socket().set_option(tcp::no_delay(true), ec);
  websocket::response_type response;
  const std::string host = endpoint_.host + ":" + std::to_string(endpoint_.port);
  auto [handshake_ec] =
      co_await ws_.async_handshake(response, host, "/v1/ws?access_token=" + UrlEncode(access_token), kTuple);
  if (handshake_ec) {
    result.status = static_cast<int>(response.result_int());
    if (handshake_ec != websocket::error::upgrade_declined || result.status == 0) {
      result.failure = "handshake: " + handshake_ec.message();
    }
    Close();
    co_return result;
  }
  // The tcp_stream's own timer would cut an idle socket: from here on the websocket's timeouts rule.
  stream.expires_never();
  ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  ws_.read_message_max(1024 * 1024);
  result.upgraded = true;
  result.status = 101;
  co_return result;
}

asio::awaitable<int> WsClient::ReadLoop(std::function<void(std::string_view)> on_text) {
  beast::flat_buffer buffer;
  for (;;) {
    auto [ec, n] = co_await ws_.async_read(buffer, kTuple);
    if (ec) {
      if (ec == websocket::error::closed) co_return static_cast<int>(ws_.reason().code);
      co_return 0;
    }
    if (ws_.got_text()) on_text(beast::buffers_to_string(buffer.data()));
    buffer.consume(buffer.size());
  }
}

void WsClient::Close() {
  boost::system::error_code ignored;
  beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ignored);
  beast::get_lowest_layer(ws_).socket().close(ignored);
}

}  // namespace messenger::bench
