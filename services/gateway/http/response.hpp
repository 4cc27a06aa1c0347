// What a handler answers: status, body and extra headers. The server adds X-Request-Id, Content-Length,
// keep-alive and the server name.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/fwd.hpp>
#include <functional>
#include <string>
#include <string_view>

#include "http/request.hpp"

namespace messenger::gateway {

// The connection handed over to a handler that upgrades the protocol (WebSocket). Defined in http/server.hpp.
struct Upgrade;
using UpgradeHandler = std::function<boost::asio::awaitable<void>(Upgrade&)>;

struct Response {
  int status = 200;
  std::string content_type;  // empty for an empty body
  std::string body;
  NameValueList headers;  // extra headers: Location, Allow, Retry-After, WWW-Authenticate ...
  bool close = false;     // close the connection after this response
  // When set, the server does not write this response but gives the connection to the handler, which then
  // owns it (it answers the upgrade itself).
  UpgradeHandler upgrade;

  // The first extra header with this exact (lowercase-insensitive) name, or empty.
  std::string_view Header(std::string_view name) const;
};

inline constexpr std::string_view kJsonContentType = "application/json";

// `body` serialised as JSON.
Response JsonResponse(int status, const boost::json::value& body);
// No body (204, 302 ...).
Response EmptyResponse(int status);
// {"error": {"code": code, "message": message}}
Response ErrorResponse(int status, std::string_view code, std::string_view message);

}  // namespace messenger::gateway
