// Unit tests of the BSON wrappers (no server).
#include "messenger/mongo/bson.hpp"

#include <gtest/gtest.h>

namespace messenger::mongo {
namespace {

TEST(BsonTest, BuilderWritesEveryTypeAndGettersReadThemBack) {
  Bson profile = BsonBuilder().Append("nickname", "neo").Build();
  Bson doc = BsonBuilder()
                 .Append("_id", "chat-1")
                 .Append("title", std::string("Hello"))
                 .Append("small", int32_t{7})
                 .Append("seq", int64_t{1} << 40)
                 .Append("ratio", 0.5)
                 .Append("archived", true)
                 .AppendDateTime("created_at", 1700000000123)
                 .AppendNull("deleted_at")
                 .Append("profile", profile)
                 .AppendArray("members", {"u1", "u2"})
                 .BeginArray("reads")
                 .BeginDocument("")
                 .Append("user", "u1")
                 .Append("seq", int64_t{3})
                 .EndDocument()
                 .EndArray()
                 .Build();
  EXPECT_EQ(doc.IdString(), "chat-1");
  EXPECT_EQ(doc.GetString("title"), "Hello");
  EXPECT_EQ(doc.GetInt64("small"), 7);
  EXPECT_EQ(doc.GetInt64("seq"), int64_t{1} << 40);
  EXPECT_EQ(doc.GetDouble("ratio"), 0.5);
  EXPECT_EQ(doc.GetBool("archived"), true);
  EXPECT_EQ(doc.GetDateTimeMs("created_at"), 1700000000123);
  EXPECT_TRUE(doc.Has("deleted_at"));
  EXPECT_EQ(doc.GetString("profile.nickname"), "neo");
  EXPECT_EQ(doc.GetStringArray("members"), (std::vector<std::string>{"u1", "u2"}));
  EXPECT_EQ(doc.GetString("reads.0.user"), "u1");
  EXPECT_EQ(doc.GetInt64("reads.0.seq"), 3);
  // Wrong type or missing: nullopt, not a conversion.
  EXPECT_EQ(doc.GetString("seq"), std::nullopt);
  EXPECT_EQ(doc.GetInt64("title"), std::nullopt);
  EXPECT_EQ(doc.GetString("nope"), std::nullopt);
  EXPECT_FALSE(doc.Has("profile.missing"));
  ASSERT_TRUE(doc.GetDocument("profile").has_value());
  EXPECT_EQ(doc.GetDocument("profile")->GetString("nickname"), "neo");
}

TEST(BsonTest, FromJsonParsesExtendedJsonAndRejectsGarbage) {
  auto doc =
      Bson::FromJson(R"({"n": {"$numberLong": "5"}, "s": "x", "d": {"$date": {"$numberLong": "1000"}}})");
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(doc->GetInt64("n"), 5);
  EXPECT_EQ(doc->GetString("s"), "x");
  EXPECT_EQ(doc->GetDateTimeMs("d"), 1000);
  EXPECT_EQ(Bson::FromJson("{not json").status().code(), StatusCode::kInvalidArgument);
}

TEST(BsonTest, IdStringFormsByType) {
  EXPECT_EQ(BsonBuilder().Append("_id", int64_t{42}).Build().IdString(), "42");
  EXPECT_EQ(Bson().IdString(), "");
  auto oid = Bson::FromJson(R"({"_id": {"$oid": "65a1b2c3d4e5f60718293a4b"}})");
  ASSERT_TRUE(oid.ok());
  EXPECT_EQ(oid->IdString(), "65a1b2c3d4e5f60718293a4b");
}

TEST(BsonTest, MovedFromIsEmptyAndCloneIsIndependent) {
  Bson a = BsonBuilder().Append("k", "v").Build();
  Bson copy = a.Clone();
  Bson b = std::move(a);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): documented state
  EXPECT_EQ(b.GetString("k"), "v");
  EXPECT_EQ(copy.GetString("k"), "v");
  EXPECT_EQ(b.ToJson(), R"({ "k" : "v" })");
}

}  // namespace
}  // namespace messenger::mongo
