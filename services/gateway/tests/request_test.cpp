#include "http/request.hpp"

#include <gtest/gtest.h>

#include "http/dispatcher.hpp"
#include "http/request_id.hpp"
#include "messenger/common/ids.hpp"

namespace messenger::gateway {
namespace {

TEST(GatewayRequestIdTest, SaneIncomingIdIsKept) {
  EXPECT_EQ(RequestIdFor(std::string_view("e2e-request-42")), "e2e-request-42");
  EXPECT_EQ(RequestIdFor(std::string_view("A_b-9")), "A_b-9");
  std::string longest(64, 'a');
  EXPECT_EQ(RequestIdFor(std::string_view(longest)), longest);
}

TEST(GatewayRequestIdTest, MissingOrInsaneIdIsReplacedByAFreshOne) {
  for (std::string_view bad :
       {std::string_view(""), std::string_view("has space"), std::string_view("a\r\nb"),
        std::string_view("quote\""), std::string_view("ünïcode"), std::string_view("{json}"),
        std::string_view("x/y")}) {
    std::string id = RequestIdFor(bad);
    EXPECT_NE(id, bad);
    EXPECT_TRUE(IsUuid(id)) << id;
  }
  std::string too_long(65, 'a');
  EXPECT_TRUE(IsUuid(RequestIdFor(std::string_view(too_long))));
  EXPECT_TRUE(IsUuid(RequestIdFor(std::nullopt)));
  EXPECT_NE(RequestIdFor(std::nullopt), RequestIdFor(std::nullopt));
}

TEST(GatewayPercentDecodeTest, DecodesEscapesAndOptionallyPlus) {
  EXPECT_EQ(*PercentDecode("a%20b%2Fc", false), "a b/c");
  EXPECT_EQ(*PercentDecode("J%C3%BCrgen", false), "Jürgen");
  EXPECT_EQ(*PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(*PercentDecode("a+b", true), "a b");
  EXPECT_EQ(*PercentDecode("%2B", true), "+");
}

TEST(GatewayPercentDecodeTest, BrokenEscapesAreInvalidArgument) {
  for (std::string_view bad : {"%", "%4", "abc%", "%zz", "%g1", "x%1"}) {
    auto r = PercentDecode(bad, true);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  }
}

TEST(GatewayParseQueryTest, SplitsAndDecodes) {
  auto q = ParseQuery("q=ab%5Fc&limit=5&flag&&empty=&sp=a+b");
  ASSERT_TRUE(q.ok());
  NameValueList want = {{"q", "ab_c"}, {"limit", "5"}, {"flag", ""}, {"empty", ""}, {"sp", "a b"}};
  EXPECT_EQ(*q, want);
  EXPECT_FALSE(ParseQuery("q=%").ok());
  EXPECT_TRUE(ParseQuery("")->empty());
}

TEST(GatewayRequestTest, LookupsAreCaseInsensitiveForHeadersOnly) {
  Request r;
  r.headers = {{"authorization", "Bearer x"}, {"x-request-id", "id"}};
  r.query = {{"q", "1"}, {"q", "2"}};
  r.params = {{"user_id", "u1"}};
  EXPECT_EQ(r.Header("Authorization"), "Bearer x");
  EXPECT_FALSE(r.Header("cookie").has_value());
  EXPECT_EQ(r.Query("q"), "1");  // the first one
  EXPECT_FALSE(r.Query("Q").has_value());
  EXPECT_EQ(r.Param("user_id"), "u1");
  EXPECT_EQ(r.Param("nope"), "");
}

TEST(GatewayQueryInt64Test, AbsentValidAndInvalid) {
  Request r;
  r.query = {
      {"limit", "20"}, {"neg", "-1"}, {"bad", "12abc"}, {"empty", ""}, {"huge", "99999999999999999999"},
      {"spaced", " 5"}};
  EXPECT_FALSE(QueryInt64(r, "missing")->has_value());
  EXPECT_EQ(**QueryInt64(r, "limit"), 20);
  EXPECT_EQ(**QueryInt64(r, "neg"), -1);
  for (const char* name : {"bad", "empty", "huge", "spaced"}) {
    auto v = QueryInt64(r, name);
    ASSERT_FALSE(v.ok()) << name;
    EXPECT_EQ(v.status().code(), StatusCode::kInvalidArgument);
  }
}

TEST(GatewayBearerTokenTest, ParsesTheSchemeCaseInsensitively) {
  auto token_of = [](std::string header) {
    Request r;
    r.headers = {{"authorization", std::move(header)}};
    return std::string(BearerToken(r));
  };
  EXPECT_EQ(token_of("Bearer abc.def.ghi"), "abc.def.ghi");
  EXPECT_EQ(token_of("bearer abc"), "abc");
  EXPECT_EQ(token_of("BEARER   abc  "), "abc");
  EXPECT_EQ(token_of("Basic dXNlcjpwYXNz"), "");
  EXPECT_EQ(token_of("Bearer"), "");
  EXPECT_EQ(token_of("Bearer "), "");
  EXPECT_EQ(token_of("Bearerabc"), "");
  EXPECT_EQ(BearerToken(Request{}), "");
}

}  // namespace
}  // namespace messenger::gateway
