// A WebSocket client for end-to-end tests (Boost.Beast), as a browser or app would hold it: it opens GET
// /v1/ws with a token, collects the JSON text frames the gateway sends on a thread of its own, and tells how
// the connection ended (the close code). A client can also be made to not read at all (a stalled app) until
// told.
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/http_client.hpp"

namespace messenger::e2e {

struct WsOptions {
  bool token_in_query = false;  // ?access_token= instead of the Authorization header
  std::string origin;           // Origin header, when set
  bool read = true;             // false: read nothing until StartReading()
  int receive_buffer_bytes =
      0;  // SO_RCVBUF before connecting (0: the kernel's); small = a stalled reader fills up fast

  static WsOptions TokenInQuery(bool in_query = true) {
    WsOptions o;
    o.token_in_query = in_query;
    return o;
  }
  static WsOptions WithOrigin(std::string origin) {
    WsOptions o;
    o.origin = std::move(origin);
    return o;
  }
  // An app that hangs: reads nothing, and its socket takes little from the network.
  static WsOptions Stalled(int receive_buffer_bytes) {
    WsOptions o;
    o.read = false;
    o.receive_buffer_bytes = receive_buffer_bytes;
    return o;
  }
};

class WsClient {
 public:
  // Opens the WebSocket (waits for the 101). nullptr, and a test failure naming the answer, when refused.
  static std::unique_ptr<WsClient> Open(const std::string& base_url, const std::string& token,
                                        WsOptions options = {});
  // The gateway's answer to an upgrade attempt (for refusals: 401, 403 ...); status 101 when it upgraded.
  static HttpResponse TryUpgrade(const std::string& base_url, const std::string& token,
                                 WsOptions options = {});

  ~WsClient();
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  // The next frame not yet taken, waiting up to `within`; nullopt on timeout or when the socket closed first.
  std::optional<boost::json::value> Next(std::chrono::milliseconds within = std::chrono::seconds(5));
  // Takes frames until one satisfies `match` (others are kept aside, see Skipped()).
  std::optional<boost::json::value> NextMatching(const std::function<bool(const boost::json::value&)>& match,
                                                 std::chrono::milliseconds within = std::chrono::seconds(5));
  // Takes frames until one has this "type".
  std::optional<boost::json::value> NextOfType(const std::string& type,
                                               std::chrono::milliseconds within = std::chrono::seconds(5));
  // Frames NextMatching passed over.
  std::vector<boost::json::value> Skipped() const;
  // Frames received and not taken yet.
  std::size_t Pending() const;

  // Waits until the server closed the connection (or it failed); the close code, or nullopt on timeout.
  // 0 means the connection ended without a close frame.
  std::optional<std::uint16_t> WaitClosed(std::chrono::milliseconds within = std::chrono::seconds(10));
  bool closed() const;

  // Starts reading for a client opened with read = false.
  void StartReading();
  // Closes normally (1000) and waits for the server's answer, up to 5 s.
  void Close();

  class Impl;

 private:
  explicit WsClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The second gateway of the running stack (GATEWAY2_URL), or empty when the stack has only one.
std::string Gateway2Url();
// GATEWAY_URL (default http://127.0.0.1:18080).
std::string GatewayUrl();

}  // namespace messenger::e2e
