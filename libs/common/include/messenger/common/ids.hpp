// Identifiers, random tokens and time formatting.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace messenger {

// A random (version 4) UUID in its lowercase 36-character form.
std::string NewUuid();
// True for a UUID in the canonical 8-4-4-4-12 hexadecimal form (either case).
bool IsUuid(std::string_view s);
// `bytes` random bytes from the OS CSPRNG, encoded as unpadded base64url.
std::string RandomToken(std::size_t bytes = 32);
// Unpadded base64url of arbitrary bytes, and its inverse (empty on malformed input).
std::string Base64UrlEncode(std::string_view bytes);
std::string Base64UrlDecode(std::string_view text, bool* ok = nullptr);
// SHA-256 of the input, as lowercase hex.
std::string Sha256Hex(std::string_view data);

// Abstract clock so that domain logic can be tested with an injected time.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::system_clock::time_point Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point Now() const override { return std::chrono::system_clock::now(); }
};

std::int64_t ToUnixMillis(std::chrono::system_clock::time_point t);
std::chrono::system_clock::time_point FromUnixMillis(std::int64_t ms);
// RFC 3339 in UTC with millisecond precision: 2026-11-28T23:41:26.123Z
std::string FormatRfc3339(std::chrono::system_clock::time_point t);
inline std::string FormatRfc3339Millis(std::int64_t ms) { return FormatRfc3339(FromUnixMillis(ms)); }

}  // namespace messenger
