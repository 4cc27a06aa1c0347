// Request IDs: every request carries one, echoed in X-Request-Id, sent to gRPC services as x-request-id
// metadata and written on every log line about the request.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace messenger::gateway {

inline constexpr std::size_t kMaxRequestIdLength = 64;

// 1 to 64 characters of [A-Za-z0-9_-]: safe in a header, a log line and gRPC metadata.
bool IsSaneRequestId(std::string_view id);

// The client's ID when it is sane, else a new random one (a UUID).
std::string RequestIdFor(std::optional<std::string_view> incoming);

}  // namespace messenger::gateway
