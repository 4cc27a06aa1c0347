// A WebSocket client of GET /v1/ws (Beast websocket over TCP), for the delivery and idle-socket scenarios.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "loadgen/http_connection.hpp"

namespace messenger::bench {

struct WsConnectResult {
  bool upgraded = false;
  int status = 0;       // the HTTP status when the upgrade was declined (401, 404...)
  std::string failure;  // transport failure, if any
};

class WsClient {
 public:
  WsClient(boost::asio::any_io_executor executor, Endpoint endpoint, std::string source_address = {});

  // Connects and upgrades GET /v1/ws?access_token=TOKEN.
  boost::asio::awaitable<WsConnectResult> Connect(const std::string& access_token,
                                                  std::chrono::milliseconds timeout);
  // Reads text frames, calling on_text for each, until the connection closes or Close is called.
  // Returns the close reason code (0 when the transport just ended).
  boost::asio::awaitable<int> ReadLoop(std::function<void(std::string_view)> on_text);
  // Closes the socket; call on the client's executor.
  void Close();

 private:
  Endpoint endpoint_;
  std::string source_address_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
};

}  // namespace messenger::bench
