#include "http/router.hpp"

#include <algorithm>
#include <stdexcept>

namespace messenger::gateway {
namespace {

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.empty() || path.front() != '/') return out;
  path.remove_prefix(1);
  while (true) {
    std::size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

bool IsToken(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

// Whether `route` matches `segments`; fills `params` when it does.
bool MatchSegments(const Route& route, const std::vector<std::string_view>& segments, NameValueList& params) {
  if (route.segments.size() != segments.size()) return false;
  params.clear();
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const Route::Segment& want = route.segments[i];
    if (!want.is_param) {
      if (want.text != segments[i]) return false;
      continue;
    }
    if (segments[i].empty()) return false;
    StatusOr<std::string> decoded = PercentDecode(segments[i], /*plus_is_space=*/false);
    if (!decoded.ok() || decoded->empty()) return false;
    params.emplace_back(want.text, std::move(decoded).value());
  }
  return true;
}

// True when `a` is more specific than `b` (both matched the same path, so they have equal length).
bool MoreSpecific(const Route& a, const Route& b) {
  for (std::size_t i = 0; i < a.segments.size(); ++i) {
    if (a.segments[i].is_param != b.segments[i].is_param) return !a.segments[i].is_param;
  }
  return false;
}

// Two patterns that match exactly the same paths ("/a/{x}" and "/a/{y}").
bool SameShape(const Route& a, const Route& b) {
  if (a.segments.size() != b.segments.size()) return false;
  for (std::size_t i = 0; i < a.segments.size(); ++i) {
    if (a.segments[i].is_param != b.segments[i].is_param) return false;
    if (!a.segments[i].is_param && a.segments[i].text != b.segments[i].text) return false;
  }
  return true;
}

}  // namespace

void Router::Add(std::string method, std::string pattern, Access access, Handler handler) {
  Route route;
  route.method = std::move(method);
  route.pattern = std::move(pattern);
  route.access = access;
  route.handler = std::move(handler);
  if (!IsToken(route.method)) throw std::invalid_argument("bad method for route " + route.pattern);
  if (!route.handler) throw std::invalid_argument("no handler for route " + route.pattern);
  std::vector<std::string_view> parts = SplitPath(route.pattern);
  if (parts.empty()) throw std::invalid_argument("a route pattern starts with '/': " + route.pattern);
  for (std::string_view part : parts) {
    Route::Segment seg;
    if (part.size() >= 2 && part.front() == '{' && part.back() == '}') {
      seg.is_param = true;
      seg.text = std::string(part.substr(1, part.size() - 2));
    } else {
      seg.text = std::string(part);
    }
    if (!IsToken(seg.text)) throw std::invalid_argument("bad segment in route pattern " + route.pattern);
    route.segments.push_back(std::move(seg));
  }
  for (const Route& existing : routes_) {
    if (existing.method == route.method && SameShape(existing, route)) {
      throw std::invalid_argument("route defined twice: " + route.method + " " + route.pattern);
    }
  }
  routes_.push_back(std::move(route));
}

RouteMatch Router::Match(std::string_view method, std::string_view path) const {
  RouteMatch result;
  std::vector<std::string_view> segments = SplitPath(path);
  if (segments.empty()) return result;
  NameValueList params;
  for (const Route& route : routes_) {
    if (!MatchSegments(route, segments, params)) continue;
    if (route.method != method) {
      result.allowed.push_back(route.method);
      continue;
    }
    if (result.route == nullptr || MoreSpecific(route, *result.route)) {
      result.route = &route;
      result.params = params;
    }
  }
  if (result.route != nullptr) {
    result.kind = RouteMatch::Kind::kFound;
    result.allowed.clear();
    return result;
  }
  if (!result.allowed.empty()) {
    std::sort(result.allowed.begin(), result.allowed.end());
    result.allowed.erase(std::unique(result.allowed.begin(), result.allowed.end()), result.allowed.end());
    result.kind = RouteMatch::Kind::kMethodNotAllowed;
  }
  return result;
}

}  // namespace messenger::gateway
