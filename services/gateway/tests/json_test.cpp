#include "http/json.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace messenger::gateway {
namespace {

boost::json::object Obj(std::string_view text) { return boost::json::parse(text).as_object(); }

TEST(GatewayParseJsonObjectTest, AcceptsAnObject) {
  auto o = ParseJsonObject(R"({"email": "a@b.test", "n": 1})");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->at("email").as_string(), "a@b.test");
}

TEST(GatewayParseJsonObjectTest, RefusesEverythingElseAsInvalidArgument) {
  for (std::string_view body : {"", "{\"email\": ", "not json", "[1,2,3]", "\"text\"", "42", "null", "{} {}",
                                "{\"a\": 1,}", "\xff\xfe"}) {
    auto o = ParseJsonObject(body);
    ASSERT_FALSE(o.ok()) << body;
    EXPECT_EQ(o.status().code(), StatusCode::kInvalidArgument) << body;
  }
}

TEST(GatewayParseJsonObjectTest, DeepNestingIsRefusedNotACrash) {
  std::string deep(100000, '[');
  auto o = ParseJsonObject("{\"a\":" + deep + "}");
  EXPECT_FALSE(o.ok());
}

TEST(GatewayRequiredStringTest, PresentString) {
  auto v = RequiredString(Obj(R"({"email": "x@y.test"})"), "email");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, "x@y.test");
  EXPECT_EQ(*RequiredString(Obj(R"({"email": ""})"), "email"), "");
}

TEST(GatewayRequiredStringTest, MissingOrWrongTypeIsInvalidArgumentNamingTheField) {
  auto missing = RequiredString(Obj(R"({"other": "x"})"), "email");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(missing.status().message().find("email"), std::string::npos);
  for (std::string_view body : {R"({"email": 5})", R"({"email": null})", R"({"email": ["x"]})",
                                R"({"email": {"a": "b"}})", R"({"email": true})", R"({"email": 1.5})"}) {
    auto v = RequiredString(Obj(body), "email");
    ASSERT_FALSE(v.ok()) << body;
    EXPECT_EQ(v.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(v.status().message().find("email"), std::string::npos);
  }
}

TEST(GatewayOptionalStringTest, AbsentIsNulloptPresentMustBeAString) {
  auto absent = OptionalString(Obj(R"({})"), "bio");
  ASSERT_TRUE(absent.ok());
  EXPECT_FALSE(absent->has_value());
  auto present = OptionalString(Obj(R"({"bio": "hi"})"), "bio");
  ASSERT_TRUE(present.ok());
  EXPECT_EQ(**present, "hi");
  EXPECT_FALSE(OptionalString(Obj(R"({"bio": null})"), "bio").ok());
  EXPECT_FALSE(OptionalString(Obj(R"({"bio": 42})"), "bio").ok());
  EXPECT_EQ(OptionalString(Obj(R"({"bio": false})"), "bio").status().code(), StatusCode::kInvalidArgument);
}

TEST(GatewayInt64Test, IntegersOnly) {
  EXPECT_EQ(*RequiredInt64(Obj(R"({"seq": 7})"), "seq"), 7);
  EXPECT_EQ(*RequiredInt64(Obj(R"({"seq": -3})"), "seq"), -3);
  EXPECT_EQ(*RequiredInt64(Obj(R"({"seq": 5.0})"), "seq"), 5);
  EXPECT_EQ(*RequiredInt64(Obj(R"({"seq": 9223372036854775807})"), "seq"), INT64_MAX);
  EXPECT_FALSE(RequiredInt64(Obj(R"({"seq": 18446744073709551615})"), "seq").ok());
  EXPECT_FALSE(RequiredInt64(Obj(R"({"seq": 5.5})"), "seq").ok());
  EXPECT_FALSE(RequiredInt64(Obj(R"({"seq": 1e300})"), "seq").ok());
  EXPECT_FALSE(RequiredInt64(Obj(R"({"seq": "7"})"), "seq").ok());
  EXPECT_FALSE(RequiredInt64(Obj(R"({})"), "seq").ok());
  EXPECT_FALSE(OptionalInt64(Obj(R"({})"), "seq")->has_value());
  EXPECT_EQ(**OptionalInt64(Obj(R"({"seq": 3})"), "seq"), 3);
  EXPECT_FALSE(OptionalInt64(Obj(R"({"seq": null})"), "seq").ok());
}

TEST(GatewayStringArrayTest, EveryElementMustBeAString) {
  auto v = RequiredStringArray(Obj(R"({"participants": ["a", "b"]})"), "participants");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(RequiredStringArray(Obj(R"({"participants": []})"), "participants")->empty());
  EXPECT_FALSE(RequiredStringArray(Obj(R"({"participants": ["a", 1]})"), "participants").ok());
  EXPECT_FALSE(RequiredStringArray(Obj(R"({"participants": "a"})"), "participants").ok());
  EXPECT_FALSE(RequiredStringArray(Obj(R"({})"), "participants").ok());
}

}  // namespace
}  // namespace messenger::gateway
