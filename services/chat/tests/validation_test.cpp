#include "chat/domain/validation.hpp"

#include <gtest/gtest.h>

#include <string>

namespace messenger::chat {
namespace {

std::string Repeat(const std::string& s, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

TEST(Utf8Test, CountsCodePointsNotBytes) {
  EXPECT_EQ(CountUtf8CodePoints(""), 0u);
  EXPECT_EQ(CountUtf8CodePoints("abc"), 3u);
  EXPECT_EQ(CountUtf8CodePoints("h\xC3\xA9llo"), 5u);          // é: 2 bytes
  EXPECT_EQ(CountUtf8CodePoints("\xE2\x82\xAC"), 1u);          // €: 3 bytes
  EXPECT_EQ(CountUtf8CodePoints("\xF0\x9F\x98\x80!"), 2u);     // 😀: 4 bytes
  EXPECT_EQ(CountUtf8CodePoints(std::string("a\0b", 3)), 3u);  // NUL is a character
}

TEST(Utf8Test, RefusesMalformedInput) {
  EXPECT_FALSE(CountUtf8CodePoints("\x80"));              // continuation byte first
  EXPECT_FALSE(CountUtf8CodePoints("\xC3"));              // truncated
  EXPECT_FALSE(CountUtf8CodePoints("\xC3("));             // bad continuation
  EXPECT_FALSE(CountUtf8CodePoints("\xC0\x80"));          // overlong NUL
  EXPECT_FALSE(CountUtf8CodePoints("\xE0\x80\xAF"));      // overlong '/'
  EXPECT_FALSE(CountUtf8CodePoints("\xED\xA0\x80"));      // lone surrogate U+D800 ("\ud800" in JSON)
  EXPECT_FALSE(CountUtf8CodePoints("\xED\xBF\xBF"));      // U+DFFF
  EXPECT_FALSE(CountUtf8CodePoints("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(CountUtf8CodePoints("\xFF"));
  EXPECT_TRUE(CountUtf8CodePoints("\xF4\x8F\xBF\xBF"));  // U+10FFFF itself is fine
  EXPECT_TRUE(CountUtf8CodePoints("\xEE\x80\x80"));      // U+E000, right after the surrogates
}

TEST(ContentTest, AcceptsOneTo4096Characters) {
  EXPECT_TRUE(ValidateContent("x").ok());
  EXPECT_TRUE(ValidateContent(Repeat("a", 4096)).ok());
  // 4096 non-ASCII characters are 8192 / 16384 bytes: the limit is in characters.
  EXPECT_TRUE(ValidateContent(Repeat("\xC3\xA9", 4096)).ok());
  EXPECT_TRUE(ValidateContent(Repeat("\xF0\x9F\x98\x80", 4096)).ok());
}

TEST(ContentTest, RefusesEmptyTooLongAndInvalid) {
  EXPECT_EQ(ValidateContent("").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateContent(Repeat("a", 4097)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateContent(Repeat("\xC3\xA9", 4097)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateContent(Repeat("\xF0\x9F\x98\x80", 4097)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateContent("ok \xED\xA0\x80").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateContent("\xFE").code(), StatusCode::kInvalidArgument);
}

TEST(ClientMessageIdTest, OptionalBoundedUtf8) {
  EXPECT_TRUE(ValidateClientMessageId("").ok());
  EXPECT_TRUE(ValidateClientMessageId(Repeat("k", 128)).ok());
  EXPECT_EQ(ValidateClientMessageId(Repeat("k", 129)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateClientMessageId("\xC3").code(), StatusCode::kInvalidArgument);
}

TEST(HistoryLimitTest, DefaultsAndBounds) {
  EXPECT_EQ(*EffectiveHistoryLimit(0), 50);
  EXPECT_EQ(*EffectiveHistoryLimit(1), 1);
  EXPECT_EQ(*EffectiveHistoryLimit(100), 100);
  EXPECT_EQ(EffectiveHistoryLimit(101).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(EffectiveHistoryLimit(-1).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace messenger::chat
