#include "users/domain/validation.hpp"

#include <gtest/gtest.h>

#include <string>

namespace messenger::users {
namespace {

std::string Repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

struct Case {
  const char* name;
  std::string value;
  bool valid;
};

TEST(UsersValidationTest, Nicknames) {
  const Case cases[] = {
      {"three letters", "abc", true},
      {"two letters", "ab", false},
      {"32 characters", std::string(32, 'a'), true},
      {"33 characters", std::string(33, 'a'), false},
      {"underscore and digits", "a_b_42", true},
      {"mixed case", "AlIcE", true},
      {"only underscores", "___", true},
      {"hyphen", "a-b", false},
      {"space", "ali ce", false},
      {"dot", "ali.ce", false},
      {"non-ASCII letter", "zo\xc3\xab", false},
      {"empty", "", false},
      {"percent", "ab%", false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(IsValidNickname(c.value), c.valid) << c.name;
    EXPECT_EQ(ValidateNickname(c.value).ok(), c.valid) << c.name;
    if (!c.valid) {
      EXPECT_EQ(ValidateNickname(c.value).code(), StatusCode::kInvalidArgument) << c.name;
    }
  }
}

TEST(UsersValidationTest, BioCountsCodePointsNotBytes) {
  const std::string e_acute = "\xc3\xa9";        // é, 2 bytes
  const std::string cjk = "\xe4\xb8\xad";        // 中, 3 bytes
  const std::string emoji = "\xf0\x9f\x98\x80";  // 😀, 4 bytes
  const Case cases[] = {
      {"empty", "", true},
      {"500 ASCII", std::string(500, 'x'), true},
      {"501 ASCII", std::string(501, 'x'), false},
      {"500 two-byte characters (1000 bytes)", Repeat(e_acute, 500), true},
      {"501 two-byte characters", Repeat(e_acute, 501), false},
      {"500 three-byte characters", Repeat(cjk, 500), true},
      {"501 three-byte characters", Repeat(cjk, 501), false},
      {"500 four-byte characters (2000 bytes)", Repeat(emoji, 500), true},
      {"501 four-byte characters", Repeat(emoji, 501), false},
      {"499 ASCII and one emoji", std::string(499, 'x') + emoji, true},
      {"truncated sequence", "abc\xc3", false},
      {"overlong slash", "\xc0\xaf", false},
      {"surrogate", "\xed\xa0\x80", false},
      {"above U+10FFFF", "\xf4\x90\x80\x80", false},
      {"stray continuation byte", "a\x80z", false},
      {"NUL character", std::string("a\0b", 3), false},
      {"newlines are fine", "line one\nline two", true},
  };
  for (const Case& c : cases) {
    Status s = ValidateBio(c.value);
    EXPECT_EQ(s.ok(), c.valid) << c.name << ": " << s;
    if (!c.valid) {
      EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.name;
    }
  }
}

TEST(UsersValidationTest, CountCodePoints) {
  EXPECT_EQ(CountCodePoints(""), 0u);
  EXPECT_EQ(CountCodePoints("abc"), 3u);
  EXPECT_EQ(CountCodePoints("\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80"), 3u);
  EXPECT_EQ(CountCodePoints("\xff"), std::nullopt);
}

TEST(UsersValidationTest, AvatarUrls) {
  const Case cases[] = {
      {"empty clears the avatar", "", true},
      {"https", "https://cdn.example.test/a/b.png", true},
      {"http with port, query and fragment", "http://example.test:8080/x.png?size=64#top", true},
      {"scheme in capitals", "HTTPS://example.test/x", true},
      {"host only", "https://example.test", true},
      {"IPv6 literal", "https://[::1]:8443/a.png", true},
      {"2048 bytes", "https://example.test/" + std::string(2048 - 21, 'a'), true},
      {"2049 bytes", "https://example.test/" + std::string(2049 - 21, 'a'), false},
      {"ftp", "ftp://example.test/a.png", false},
      {"javascript", "javascript:alert(1)", false},
      {"data", "data:image/png;base64,AAAA", false},
      {"relative", "/avatars/a.png", false},
      {"scheme-relative", "//example.test/a.png", false},
      {"no host", "https:///a.png", false},
      {"nothing after scheme", "https://", false},
      {"space in host", "https://exa mple.test/", false},
      {"newline", "https://example.test/\n", false},
      {"user information", "https://user:pw@example.test/", false},
      {"port out of range", "https://example.test:99999/", false},
      {"empty port", "https://example.test:/", false},
      {"non-ASCII",
       "https://b\xc3\xbc"
       "cher.test/",
       false},
      {"host starting with a dot", "https://.example.test/", false},
  };
  for (const Case& c : cases) {
    Status s = ValidateAvatarUrl(c.value);
    EXPECT_EQ(s.ok(), c.valid) << c.name << ": " << s;
    if (!c.valid) {
      EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.name;
    }
  }
}

}  // namespace
}  // namespace messenger::users
