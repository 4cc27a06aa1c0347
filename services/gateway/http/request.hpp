// One HTTP request as handlers see it: a plain value, built by the server from the wire (or by a test by
// hand).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "messenger/common/status.hpp"

namespace messenger::gateway {

using NameValueList = std::vector<std::pair<std::string, std::string>>;

// Who a request acts for, set by the dispatcher after the bearer token verified. Never taken from a body or a
// path.
struct Principal {
  std::string user_id;
  std::string session_id;
  std::string jti;
  std::string access_token;  // the raw token, for calls that need it (logout); never logged
};

struct Request {
  std::string method;     // "GET", "POST", ... as sent
  std::string path;       // the target's path, still percent-encoded ("/v1/users/abc")
  NameValueList query;    // decoded query parameters, in order
  NameValueList headers;  // names lowercased
  std::string body;

  std::string request_id;  // sanitised X-Request-Id or a generated one
  std::string client_ip;   // peer address (or the trusted proxy's X-Forwarded-For entry)

  // Filled by the dispatcher.
  std::string route;     // the matched route pattern ("/v1/users/{user_id}"), the metrics label
  NameValueList params;  // decoded path parameters
  std::optional<Principal> principal;

  // The first header with this (case-insensitive) name.
  std::optional<std::string_view> Header(std::string_view name) const;
  // The first query parameter with this name.
  std::optional<std::string_view> Query(std::string_view name) const;
  // A path parameter of the matched route; empty when the route has none by that name.
  std::string_view Param(std::string_view name) const;
};

// Percent-decodes a URL component. `plus_is_space` for query strings (application/x-www-form-urlencoded).
// INVALID_ARGUMENT for a broken escape ("%4", "%zz").
StatusOr<std::string> PercentDecode(std::string_view in, bool plus_is_space);

// A query parameter that must be a decimal integer when present (INVALID_ARGUMENT otherwise).
StatusOr<std::optional<std::int64_t>> QueryInt64(const Request& request, std::string_view name);

// "a=1&b=x%20y&flag" -> {{"a","1"},{"b","x y"},{"flag",""}}. Empty pieces are skipped.
StatusOr<NameValueList> ParseQuery(std::string_view query);

}  // namespace messenger::gateway
