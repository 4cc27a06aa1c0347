// Turns a bearer access token into the Principal a request acts for.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>

#include "http/request.hpp"
#include "messenger/common/status.hpp"

namespace messenger::gateway {

class Authenticator {
 public:
  virtual ~Authenticator() = default;

  // The principal of a valid, live access token. UNAUTHENTICATED for a malformed, badly signed, expired or
  // revoked token (or one whose session ended); UNAVAILABLE when liveness cannot be checked right now, so an
  // outage is a 503 and never looks like a logout.
  virtual boost::asio::awaitable<StatusOr<Principal>> Authenticate(std::string token,
                                                                   std::string request_id) = 0;
};

}  // namespace messenger::gateway
