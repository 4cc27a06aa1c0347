// Input rules of profiles (see API.md, "Profiles").
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "messenger/common/status.hpp"

namespace messenger::users {

inline constexpr std::size_t kNicknameMinLength = 3;
inline constexpr std::size_t kNicknameMaxLength = 32;
inline constexpr std::size_t kBioMaxCodePoints = 500;
inline constexpr std::size_t kAvatarUrlMaxBytes = 2048;

// ^[A-Za-z0-9_]{3,32}$
bool IsValidNickname(std::string_view nickname);
// ASCII lowercase (nicknames are ASCII, so this is their case folding).
std::string LowerAscii(std::string_view s);

// The number of Unicode code points of well-formed UTF-8 text; nullopt when the text is not well-formed
// (overlong forms, surrogates and values above U+10FFFF are not).
std::optional<std::size_t> CountCodePoints(std::string_view utf8);

// INVALID_ARGUMENT with a developer-facing message when the value breaks the rules.
Status ValidateNickname(std::string_view nickname);
// Well-formed UTF-8 without NUL characters, at most 500 code points.
Status ValidateBio(std::string_view bio);
// Empty, or an absolute http/https URL with a host, without spaces or control characters, <= 2048 bytes.
Status ValidateAvatarUrl(std::string_view url);

}  // namespace messenger::users
