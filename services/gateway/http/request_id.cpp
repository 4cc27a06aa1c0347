#include "http/request_id.hpp"

#include <algorithm>

#include "messenger/common/ids.hpp"

namespace messenger::gateway {

bool IsSaneRequestId(std::string_view id) {
  return !id.empty() && id.size() <= kMaxRequestIdLength && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

std::string RequestIdFor(std::optional<std::string_view> incoming) {
  if (incoming && IsSaneRequestId(*incoming)) return std::string(*incoming);
  return NewUuid();
}

}  // namespace messenger::gateway
