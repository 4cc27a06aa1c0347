// Which browser pages may open a WebSocket (cross-site WebSocket hijacking defence: a browser sends cookies
// and the page's Origin with the upgrade, and WebSockets are not covered by CORS). Clients that are not
// browsers send no Origin and are not affected; tokens are still required from everyone.
//
// WS_ALLOWED_ORIGINS is a comma-separated list of origins: "https://app.example.com", a port wildcard
// "http://localhost:*" (any port, or none), or "*" (any origin). Scheme and host compare case-insensitively.
// The default allows local development pages: "http://127.0.0.1:*,http://localhost:*".
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace messenger::gateway {

inline constexpr std::string_view kDefaultAllowedOrigins = "http://127.0.0.1:*,http://localhost:*";

class OriginPolicy {
 public:
  // Parses the list; blank entries are ignored (an empty list allows no browser origin).
  explicit OriginPolicy(std::string_view allowed = kDefaultAllowedOrigins);

  // True when an upgrade carrying this Origin header may proceed.
  bool Allows(std::string_view origin) const;

 private:
  struct Pattern {
    std::string prefix;     // "scheme://host", lowercase
    std::string port;       // exact port, or empty for none
    bool any_port = false;  // ":*"
  };
  bool any_ = false;
  std::vector<Pattern> patterns_;
};

}  // namespace messenger::gateway
