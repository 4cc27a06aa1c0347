#include "messenger/common/ids.hpp"

#include <gtest/gtest.h>

#include <set>

namespace messenger {
namespace {

TEST(IdsTest, UuidsAreVersion4AndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = NewUuid();
    ASSERT_TRUE(IsUuid(id)) << id;
    EXPECT_EQ(id[14], '4');
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(IdsTest, RejectsMalformedUuids) {
  EXPECT_FALSE(IsUuid(""));
  EXPECT_FALSE(IsUuid("not-a-uuid"));
  EXPECT_FALSE(IsUuid("123e4567e89b12d3a456426614174000"));
  EXPECT_FALSE(IsUuid("123e4567-e89b-12d3-a456-42661417400g"));
  EXPECT_TRUE(IsUuid("123E4567-e89b-12d3-a456-426614174000"));
}

TEST(IdsTest, Base64UrlRoundTrips) {
  std::string raw("\x00\xff\xfe hello", 9);
  bool ok = false;
  EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(raw), &ok), raw);
  EXPECT_TRUE(ok);
  Base64UrlDecode("***", &ok);
  EXPECT_FALSE(ok);
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
}

TEST(IdsTest, Sha256MatchesKnownVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(IdsTest, Rfc3339IsUtcWithMilliseconds) {
  EXPECT_EQ(FormatRfc3339Millis(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339Millis(1795909286123), "2026-11-28T23:41:26.123Z");
}

}  // namespace
}  // namespace messenger
