// Everything between a parsed request and a response: route lookup (404 / 405), bearer authentication for
// protected routes (401 / 503), the handler, and a last-resort 500 for a handler that throws. The server does
// the wire; this class is testable without sockets. HEAD is routed as GET (the server drops the body).
#pragma once

#include <boost/asio/awaitable.hpp>

#include "http/authenticator.hpp"
#include "http/request.hpp"
#include "http/response.hpp"
#include "http/router.hpp"

namespace messenger::gateway {

class Dispatcher {
 public:
  // Both must outlive the dispatcher.
  Dispatcher(const Router& router, Authenticator& authenticator);

  // Never throws. Sets request.route (kUnmatchedRoute when nothing matched), request.params and, for a bearer
  // route, request.principal.
  boost::asio::awaitable<Response> Dispatch(Request& request) const;

 private:
  const Router& router_;
  Authenticator& authenticator_;
};

// The token of "Authorization: Bearer <token>" (scheme case-insensitive), or empty.
std::string_view BearerToken(const Request& request);

}  // namespace messenger::gateway
