// The input rules of registration (shared/API.md, "Authentication").
#pragma once

#include <string>
#include <string_view>

#include "messenger/common/status.hpp"

namespace messenger::auth {

inline constexpr std::size_t kMinPasswordCodePoints = 12;
inline constexpr std::size_t kMaxPasswordCodePoints = 128;
inline constexpr std::size_t kMaxEmailBytes = 254;

// A non-empty local part, exactly one '@', and a domain that contains a dot with something on both sides;
// no whitespace or control characters; at most 254 bytes.
bool IsValidEmail(std::string_view email);
// 12 to 128 characters, counted as Unicode code points of valid UTF-8.
bool IsValidPassword(std::string_view password);
// ^[A-Za-z0-9_]{3,32}$
bool IsValidNickname(std::string_view nickname);

// The number of code points in `text`, or npos when it is not valid UTF-8.
std::size_t CountCodePoints(std::string_view text);

// The unique key of an email: ASCII letters lowercased, everything else kept.
std::string NormalizeEmail(std::string_view email);

// OK, or INVALID_ARGUMENT (reason INVALID_ARGUMENT) naming the first field that breaks its rule.
Status ValidateRegistration(std::string_view email, std::string_view password, std::string_view nickname);

}  // namespace messenger::auth
