#include "auth/domain/validation.hpp"

#include <cstdint>

namespace messenger::auth {

namespace {

bool IsAsciiControlOrSpace(unsigned char c) { return c <= 0x20 || c == 0x7f; }

}  // namespace

std::size_t CountCodePoints(std::string_view text) {
  std::size_t count = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    uint32_t code_point = 0;
    if (lead < 0x80) {
      length = 1;
      code_point = lead;
    } else if ((lead & 0xe0) == 0xc0) {
      length = 2;
      code_point = lead & 0x1f;
    } else if ((lead & 0xf0) == 0xe0) {
      length = 3;
      code_point = lead & 0x0f;
    } else if ((lead & 0xf8) == 0xf0) {
      length = 4;
      code_point = lead & 0x07;
    } else {
      return std::string_view::npos;
    }
    if (i + length > text.size()) return std::string_view::npos;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xc0) != 0x80) return std::string_view::npos;
      code_point = (code_point << 6) | (next & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and values past U+10FFFF are not valid UTF-8.
    static constexpr uint32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code_point < kMinForLength[length] || code_point > 0x10ffff ||
        (code_point >= 0xd800 && code_point <= 0xdfff)) {
      return std::string_view::npos;
    }
    i += length;
    ++count;
  }
  return count;
}

bool IsValidEmail(std::string_view email) {
  if (email.empty() || email.size() > kMaxEmailBytes) return false;
  for (char c : email) {
    if (IsAsciiControlOrSpace(static_cast<unsigned char>(c))) return false;
  }
  if (CountCodePoints(email) == std::string_view::npos) return false;
  const std::size_t at = email.find('@');
  if (at == std::string_view::npos || at == 0) return false;
  if (email.find('@', at + 1) != std::string_view::npos) return false;
  const std::string_view domain = email.substr(at + 1);
  const std::size_t dot = domain.find('.');
  // The domain needs a dot with a label on each side of it: "example.test", not ".test" or "example.".
  if (dot == std::string_view::npos || dot == 0 || domain.back() == '.') return false;
  return domain.find("..") == std::string_view::npos;
}

bool IsValidPassword(std::string_view password) {
  const std::size_t n = CountCodePoints(password);
  return n != std::string_view::npos && n >= kMinPasswordCodePoints && n <= kMaxPasswordCodePoints;
}

bool IsValidNickname(std::string_view nickname) {
  if (nickname.size() < 3 || nickname.size() > 32) return false;
  for (char c : nickname) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string NormalizeEmail(std::string_view email) {
  std::string out(email);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

Status ValidateRegistration(std::string_view email, std::string_view password, std::string_view nickname) {
  if (!IsValidEmail(email)) {
    return InvalidArgumentError("email must be local@domain.tld", "INVALID_ARGUMENT");
  }
  if (!IsValidPassword(password)) {
    return InvalidArgumentError("password must be 12 to 128 characters of valid UTF-8", "INVALID_ARGUMENT");
  }
  if (!IsValidNickname(nickname)) {
    return InvalidArgumentError("nickname must match ^[A-Za-z0-9_]{3,32}$", "INVALID_ARGUMENT");
  }
  return OkStatus();
}

}  // namespace messenger::auth
