// The query plans of the service's reads, as the server reports them (explain). On FerretDB 1.24 every plan
// is a PostgreSQL Seq Scan and what matters is whether the filter is pushed down to PostgreSQL; on MongoDB
// the plans use the service's indexes. Prints the plans (README.md quotes them) and pins what the code relies
// on.
#include <gtest/gtest.h>

#include <iostream>

#include "chat/tests/integration_support.hpp"

namespace messenger::chat {
namespace {

using mongo::Bson;
using mongo::BsonBuilder;
using testing::TestMongo;

bool IsFerretDb(mongo::Lease& lease) {
  Bson command = BsonBuilder().Append("buildInfo", int32_t{1}).Build();
  bson_t reply;
  bson_error_t error;
  bool ok = mongoc_client_command_simple(lease.get(), "admin", command.get(), nullptr, &reply, &error);
  Bson info = Bson::Copy(&reply);
  bson_destroy(&reply);
  return ok && info.Has("ferretdbVersion");
}

class QueryPlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto messages = mongo_.NewMessageStore();
    auto chats = mongo_.NewChatStore();
    for (int c = 0; c < 5; ++c) {
      ChatInfo info{NewUuid(), ChatKind::kGroup, {user_, NewUuid()}, 1'700'000'000'000 + c};
      std::sort(info.participants.begin(), info.participants.end());
      ASSERT_TRUE(chats->Create(info).ok());
      chat_ = info.chat_id;
      for (int i = 0; i < 60; ++i) {
        NewMessage m{NewUuid(), chat_, user_, "message " + std::to_string(i), "", 1'700'000'000'000 + i};
        ASSERT_TRUE(messages->Append(m).ok());
      }
    }
  }

  // explain of a find, at queryPlanner verbosity.
  Bson Explain(const std::string& collection, const Bson& filter, const Bson& sort, int64_t limit) {
    mongo::Lease lease = mongo_.pool().Acquire();
    BsonBuilder find;
    find.BeginDocument("explain").Append("find", collection).Append("filter", filter).Append("sort", sort);
    if (limit > 0) find.Append("limit", limit);
    find.EndDocument().Append("verbosity", "queryPlanner");
    Bson command = find.Build();
    bson_t reply;
    bson_error_t error;
    bool ok = mongoc_client_command_simple(lease.get(), mongo_.database().c_str(), command.get(), nullptr,
                                           &reply, &error);
    Bson out = Bson::Copy(&reply);
    bson_destroy(&reply);
    EXPECT_TRUE(ok) << error.message;
    return out;
  }

  void Show(const std::string& name, const Bson& plan) {
    std::cout << "=== " << name << "\n" << plan.ToJson() << "\n";
  }

  TestMongo mongo_;
  std::string user_ = NewUuid();
  std::string chat_;
};

TEST_F(QueryPlanTest, PlansOfTheServiceQueries) {
  mongo::Lease lease = mongo_.pool().Acquire();
  const bool ferretdb = IsFerretDb(lease);

  Bson history = Explain("messages", BsonBuilder().Append("chat_id", chat_).Build(),
                         BsonBuilder().Append("seq", int32_t{-1}).Build(), 51);
  Show("history, newest page: {chat_id} sort {seq: -1} limit 51", history);
  Bson catch_up = Explain("messages",
                          BsonBuilder()
                              .Append("chat_id", chat_)
                              .BeginDocument("seq")
                              .Append("$gt", int64_t{40})
                              .EndDocument()
                              .Build(),
                          BsonBuilder().Append("seq", int32_t{1}).Build(), 51);
  Show("history, catching up: {chat_id, seq: {$gt: 40}} sort {seq: 1} limit 51", catch_up);
  Bson user_chats =
      Explain("chats", BsonBuilder().Append("participants", user_).Build(),
              BsonBuilder().Append("last_activity_at", int32_t{-1}).Append("_id", int32_t{1}).Build(), 0);
  Show("user's chats: {participants: user} sort {last_activity_at: -1, _id: 1}", user_chats);
  Bson probe = Explain("messages", BsonBuilder().Append("chat_id", chat_).Append("seq", int64_t{30}).Build(),
                       Bson(), 1);
  Show("seq probe: {chat_id, seq}", probe);
  Bson unpublished =
      Explain("messages", BsonBuilder().Append("published", false).Build(),
              BsonBuilder().Append("chat_id", int32_t{1}).Append("seq", int32_t{1}).Build(), 500);
  Show("relay: {published: false} sort {chat_id: 1, seq: 1} limit 500", unpublished);

  if (ferretdb) {
    // What the code relies on: equality filters reach PostgreSQL (the seq probe, the user's chats, the
    // relay's scan), sort and limit never do (hence the Redis window for history).
    for (const Bson* plan : {&history, &catch_up, &user_chats, &probe, &unpublished}) {
      EXPECT_EQ(plan->GetBool("filterPushdown"), true) << plan->ToJson();
      EXPECT_EQ(plan->GetBool("sortPushdown"), false) << plan->ToJson();
      EXPECT_EQ(plan->GetString("queryPlanner.Plan.Node Type"), "Seq Scan") << plan->ToJson();
    }
    EXPECT_NE(probe.GetString("queryPlanner.Plan.Filter").value_or("").find("'seq'"), std::string::npos)
        << "the seq probe must be filtered by PostgreSQL";
    EXPECT_NE(user_chats.GetString("queryPlanner.Plan.Filter").value_or("").find("'participants'"),
              std::string::npos);
    EXPECT_EQ(catch_up.GetString("queryPlanner.Plan.Filter").value_or("").find("'seq'"), std::string::npos)
        << "ranges are not pushed down (if this fails, FerretDB improved: update README.md)";
  } else {
    for (const Bson* plan : {&history, &catch_up, &user_chats, &probe, &unpublished}) {
      EXPECT_NE(plan->ToJson().find("IXSCAN"), std::string::npos) << plan->ToJson();
    }
  }
}

}  // namespace
}  // namespace messenger::chat
