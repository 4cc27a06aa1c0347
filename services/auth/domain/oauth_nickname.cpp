#include "auth/domain/oauth_nickname.hpp"

#include <cctype>
#include <random>

namespace messenger::auth {
namespace {

constexpr std::size_t kMaxNickname = 32;
constexpr std::size_t kMinNickname = 3;
constexpr int kCountedSuffixes = 5;  // base_2 .. base_5

bool IsNicknameChar(unsigned char c) { return std::isalnum(c) != 0 || c == '_'; }

std::string Sanitize(const std::string& source) {
  std::string out;
  for (unsigned char c : source) {
    if (c < 0x80 && IsNicknameChar(c)) {
      out += static_cast<char>(c);
    } else if (out.empty() || out.back() != '_') {
      out += '_';  // one underscore for a run of other characters (a multi-byte letter is one run)
    }
    if (out.size() >= kMaxNickname) break;
  }
  return out.substr(0, kMaxNickname);
}

bool HasLetterOrDigit(const std::string& s) {
  for (unsigned char c : s) {
    if (std::isalnum(c) != 0) return true;
  }
  return false;
}

std::string RandomDigits(int n) {
  thread_local std::mt19937 rng{std::random_device{}()};
  std::uniform_int_distribution<int> digit(0, 9);
  std::string out;
  for (int i = 0; i < n; ++i) out += static_cast<char>('0' + digit(rng));
  return out;
}

}  // namespace

std::string NicknameBase(const std::optional<std::string>& preferred_username,
                         const std::optional<std::string>& email) {
  std::string source;
  if (preferred_username && !preferred_username->empty()) {
    source = *preferred_username;
  } else if (email) {
    source = email->substr(0, email->find('@'));
  }
  std::string base = Sanitize(source);
  if (!HasLetterOrDigit(base)) return "user";
  if (base.size() < kMinNickname) base += "_user";
  return base;
}

std::string NicknameCandidate(const std::string& base, int attempt) {
  if (attempt <= 0) return base.substr(0, kMaxNickname);
  const std::string suffix =
      "_" + (attempt < kCountedSuffixes ? std::to_string(attempt + 1) : RandomDigits(6));
  return base.substr(0, kMaxNickname - suffix.size()) + suffix;
}

}  // namespace messenger::auth
