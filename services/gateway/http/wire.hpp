// The HTTP/1.1 wire side of the gateway, kept apart from the socket loop so it can be tested on bytes:
// parser limits, what a read error answers, and Beast messages <-> Request / Response.
#pragma once

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "http/request.hpp"
#include "http/response.hpp"
#include "messenger/common/status.hpp"

namespace messenger::gateway {

using WireRequest = boost::beast::http::request<boost::beast::http::string_body>;
using WireResponse = boost::beast::http::response<boost::beast::http::string_body>;
using RequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

struct WireLimits {
  std::size_t body_limit = 64 * 1024;    // bytes of (decoded) body; more answers 413, chunked or not
  std::size_t header_limit = 16 * 1024;  // bytes of request line + headers; more answers 431
};

// Before reading: the header limit. The body limit is armed once the header is in (ArmBodyLimit), so that a
// too-large Content-Length is refused with the whole header known (method, path, X-Request-Id).
void ConfigureParser(RequestParser& parser, const WireLimits& limits);

// After the header: body_limit when the announced Content-Length is over the limit (the body is not waited
// for); otherwise limits the body still to come, which catches chunked bodies as they grow.
boost::beast::error_code ArmBodyLimit(RequestParser& parser, const WireLimits& limits);

// The answer to a failed read, or nullopt when the connection should just be closed (peer gone, timeout).
// body_limit -> 413 PAYLOAD_TOO_LARGE, header_limit -> 431 HEADERS_TOO_LARGE, any other parse error -> 400.
std::optional<Response> ResponseForReadError(const boost::beast::error_code& ec, const WireLimits& limits);

// The handler's view of a complete wire request; `body` is moved out of `wire`. INVALID_ARGUMENT for a target
// that is not origin-form or a broken query escape.
StatusOr<Request> ToRequest(WireRequest& wire, std::string request_id, std::string peer_ip,
                            bool trusted_proxy);

// The wire answer, with X-Request-Id, Server, Content-Type/-Length and keep-alive set. For a HEAD request
// (`head`), the headers of the answer without its body.
WireResponse ToWire(Response response, const std::string& request_id, unsigned version, bool keep_alive,
                    bool head = false);

// "GET", "POST" ... for a method Beast knows, "OTHER" for any other token (keeps metric labels bounded).
std::string MethodLabel(const WireRequest& wire);

}  // namespace messenger::gateway
