// The route table: method + path pattern -> handler. Areas (auth, profiles, later friends, chats, WebSocket)
// add their routes at startup; the table is read-only while serving.
//
// Patterns are literal segments and {name} parameters: "/v1/users/{user_id}". A parameter matches exactly one
// non-empty segment and is percent-decoded. When several patterns match a path, the most specific wins: at
// the first segment where they differ, a literal beats a parameter (so "/v1/friends/requests" is not the
// friend called "requests" for GET, but DELETE on it, which only "/v1/friends/{nickname}" has, still reaches
// that route). A path no pattern matches is 404; a path some pattern matches but not for this method is 405
// with the allowed methods.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "http/request.hpp"
#include "http/response.hpp"

namespace messenger::gateway {

using Handler = std::function<boost::asio::awaitable<Response>(Request&)>;

enum class Access {
  kPublic,  // no token needed
  kBearer,  // Authorization: Bearer <access token>; the dispatcher fills Request::principal
  // kBearer, or else the access_token query parameter: for WebSocket upgrades, which browsers cannot give
  // headers. Verified the same way. (The access log never shows the query string.)
  kBearerOrQuery,
};

struct Route {
  std::string method;
  std::string pattern;
  Access access = Access::kBearer;
  Handler handler;

  struct Segment {
    std::string text;  // the literal, or the parameter's name
    bool is_param = false;
  };
  std::vector<Segment> segments;
};

struct RouteMatch {
  enum class Kind { kFound, kNotFound, kMethodNotAllowed };
  Kind kind = Kind::kNotFound;
  const Route* route = nullptr;      // kFound
  NameValueList params;              // kFound: decoded parameters
  std::vector<std::string> allowed;  // kMethodNotAllowed: the methods the path has, sorted
};

class Router {
 public:
  // Throws std::invalid_argument for a malformed pattern or a method + pattern already taken: both are
  // programming errors caught at startup (and by the route-table tests).
  void Add(std::string method, std::string pattern, Access access, Handler handler);

  RouteMatch Match(std::string_view method, std::string_view path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace messenger::gateway
