#include "ws/origin_policy.hpp"

#include <algorithm>
#include <cctype>

namespace messenger::gateway {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// Splits "scheme://host[:port]" into ("scheme://host", "port"); false when it is not of that shape (a path,
// a query, credentials or an empty host make it no origin).
bool SplitOrigin(std::string_view origin, std::string& prefix, std::string& port) {
  const std::size_t scheme_end = origin.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) return false;
  std::string_view authority = origin.substr(scheme_end + 3);
  if (authority.empty() || authority.find_first_of("/?#@") != std::string_view::npos) return false;
  // IPv6 literals: "[::1]:8080".
  std::size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']') != std::string_view::npos &&
      colon < authority.find(']')) {
    colon = std::string_view::npos;
  }
  std::string_view host = colon == std::string_view::npos ? authority : authority.substr(0, colon);
  if (host.empty()) return false;
  prefix = Lower(origin.substr(0, scheme_end + 3)) + Lower(host);
  port = colon == std::string_view::npos ? std::string() : std::string(authority.substr(colon + 1));
  return true;
}

}  // namespace

OriginPolicy::OriginPolicy(std::string_view allowed) {
  while (!allowed.empty()) {
    const std::size_t comma = allowed.find(',');
    std::string_view entry = Trim(allowed.substr(0, comma));
    allowed = comma == std::string_view::npos ? std::string_view() : allowed.substr(comma + 1);
    if (entry.empty()) continue;
    if (entry == "*") {
      any_ = true;
      continue;
    }
    while (!entry.empty() && entry.back() == '/') entry.remove_suffix(1);
    Pattern p;
    if (!SplitOrigin(entry, p.prefix, p.port)) continue;
    if (p.port == "*") {
      p.any_port = true;
      p.port.clear();
    }
    patterns_.push_back(std::move(p));
  }
}

bool OriginPolicy::Allows(std::string_view origin) const {
  if (any_) return true;
  std::string prefix, port;
  if (!SplitOrigin(Trim(origin), prefix, port)) return false;
  for (const Pattern& p : patterns_) {
    if (p.prefix != prefix) continue;
    if (p.any_port || p.port == port) return true;
  }
  return false;
}

}  // namespace messenger::gateway
