#include "users/domain/validation.hpp"

#include <cstdint>

namespace messenger::users {
namespace {

bool IsNicknameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

bool EqualsIgnoringCase(std::string_view a, std::string_view b) { return LowerAscii(a) == LowerAscii(b); }

// A host name (letters, digits, '-', '.') or a bracketed IPv6 literal.
bool IsValidHost(std::string_view host) {
  if (host.empty()) return false;
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return false;
    for (char c : host.substr(1, host.size() - 2)) {
      bool hex = IsAsciiDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      if (!hex && c != ':' && c != '.') return false;
    }
    return true;
  }
  if (host.front() == '.' || host.front() == '-') return false;
  for (char c : host) {
    if (!IsAsciiAlpha(c) && !IsAsciiDigit(c) && c != '-' && c != '.') return false;
  }
  return true;
}

}  // namespace

bool IsValidNickname(std::string_view nickname) {
  if (nickname.size() < kNicknameMinLength || nickname.size() > kNicknameMaxLength) return false;
  for (char c : nickname) {
    if (!IsNicknameChar(c)) return false;
  }
  return true;
}

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::optional<std::size_t> CountCodePoints(std::string_view utf8) {
  std::size_t count = 0;
  std::size_t i = 0;
  while (i < utf8.size()) {
    auto b0 = static_cast<std::uint8_t>(utf8[i]);
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (b0 < 0x80) {
      len = 1;
      cp = b0;
    } else if ((b0 & 0xE0) == 0xC0) {
      len = 2;
      cp = b0 & 0x1F;
    } else if ((b0 & 0xF0) == 0xE0) {
      len = 3;
      cp = b0 & 0x0F;
    } else if ((b0 & 0xF8) == 0xF0) {
      len = 4;
      cp = b0 & 0x07;
    } else {
      return std::nullopt;
    }
    if (i + len > utf8.size()) return std::nullopt;
    for (std::size_t k = 1; k < len; ++k) {
      auto b = static_cast<std::uint8_t>(utf8[i + k]);
      if ((b & 0xC0) != 0x80) return std::nullopt;
      cp = (cp << 6) | (b & 0x3F);
    }
    static constexpr std::uint32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[len]) return std::nullopt;       // overlong
    if (cp > 0x10FFFF) return std::nullopt;                 // beyond Unicode
    if (cp >= 0xD800 && cp <= 0xDFFF) return std::nullopt;  // surrogate
    i += len;
    ++count;
  }
  return count;
}

Status ValidateNickname(std::string_view nickname) {
  if (IsValidNickname(nickname)) return OkStatus();
  return InvalidArgumentError("nickname must be 3 to 32 characters of A-Z, a-z, 0-9 and _");
}

Status ValidateBio(std::string_view bio) {
  std::optional<std::size_t> length = CountCodePoints(bio);
  if (!length) return InvalidArgumentError("bio is not valid UTF-8");
  if (bio.find('\0') != std::string_view::npos) return InvalidArgumentError("bio contains a NUL character");
  if (*length > kBioMaxCodePoints) {
    return InvalidArgumentError("bio is longer than " + std::to_string(kBioMaxCodePoints) + " characters");
  }
  return OkStatus();
}

Status ValidateAvatarUrl(std::string_view url) {
  if (url.empty()) return OkStatus();
  if (url.size() > kAvatarUrlMaxBytes) {
    return InvalidArgumentError("avatar_url is longer than " + std::to_string(kAvatarUrlMaxBytes) + " bytes");
  }
  for (char c : url) {
    auto b = static_cast<unsigned char>(c);
    if (b <= 0x20 || b >= 0x7F)
      return InvalidArgumentError("avatar_url contains spaces or non-URL characters");
  }
  std::size_t colon = url.find("://");
  if (colon == std::string_view::npos) return InvalidArgumentError("avatar_url is not an absolute URL");
  std::string_view scheme = url.substr(0, colon);
  if (!EqualsIgnoringCase(scheme, "http") && !EqualsIgnoringCase(scheme, "https")) {
    return InvalidArgumentError("avatar_url must use http or https");
  }
  std::string_view rest = url.substr(colon + 3);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.find('@') != std::string_view::npos) {
    return InvalidArgumentError("avatar_url must not carry user information");
  }
  std::string_view host = authority;
  // A port follows the last ':' that is outside an IPv6 literal.
  std::size_t port_colon = authority.rfind(':');
  std::size_t bracket = authority.rfind(']');
  if (port_colon != std::string_view::npos && (bracket == std::string_view::npos || port_colon > bracket)) {
    std::string_view port = authority.substr(port_colon + 1);
    if (port.empty() || port.size() > 5) return InvalidArgumentError("avatar_url has a bad port");
    long value = 0;
    for (char c : port) {
      if (!IsAsciiDigit(c)) return InvalidArgumentError("avatar_url has a bad port");
      value = value * 10 + (c - '0');
    }
    if (value > 65535) return InvalidArgumentError("avatar_url has a bad port");
    host = authority.substr(0, port_colon);
  }
  if (!IsValidHost(host)) return InvalidArgumentError("avatar_url has no valid host");
  return OkStatus();
}

}  // namespace messenger::users
