// Integration tests against the MongoDB-compatible server of the running stack (MONGO_URI, FerretDB 1.24).
// Every test works in its own randomly named database, dropped afterwards.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <thread>

#include "messenger/common/config.hpp"
#include "messenger/mongo/client.hpp"
#include "messenger/mongo/sequence.hpp"

namespace messenger::mongo {
namespace {

using namespace std::chrono_literals;

std::string RandomDatabaseName() {
  std::random_device rd;
  std::uniform_int_distribution<int> hex(0, 15);
  std::string name = "test_mongo_";
  for (int i = 0; i < 12; ++i) name += "0123456789abcdef"[hex(rd)];
  return name;
}

// True when the server is FerretDB (it adds ferretdbVersion to buildInfo). Used only where FerretDB 1.24
// is known to differ from MongoDB; each such place is described in libs/mongo/README.md.
bool IsFerretDb(Lease& lease) {
  Bson command = BsonBuilder().Append("buildInfo", int32_t{1}).Build();
  bson_t reply;
  bson_error_t error;
  bool ok = mongoc_client_command_simple(lease.get(), "admin", command.get(), nullptr, &reply, &error);
  Bson info = Bson::Copy(&reply);
  bson_destroy(&reply);
  return ok && info.Has("ferretdbVersion");
}

class MongoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    database_ = RandomDatabaseName();
    auto pool = ClientPool::Create(MongoSettings::FromEnv(database_));
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = std::move(*pool);
  }
  void TearDown() override {
    if (pool_) (void)pool_->Acquire().DropDatabase(database_);
  }

  std::string database_;
  std::unique_ptr<ClientPool> pool_;
};

TEST_F(MongoTest, PingSucceeds) { EXPECT_TRUE(pool_->Ping().ok()); }

TEST_F(MongoTest, InsertThenFindReturnsTheSameDocument) {
  Lease lease = pool_->Acquire();
  Collection users = lease.GetCollection("users");
  auto id = users.InsertOne(BsonBuilder()
                                .Append("email", "a@example.com")
                                .Append("age", int64_t{33})
                                .AppendDateTime("created_at", 1700000000123)
                                .AppendArray("tags", {"x", "y"})
                                .Build());
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(id->size(), 24u) << *id;  // a generated ObjectId

  auto found = users.FindOne(BsonBuilder().Append("email", "a@example.com").Build());
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_TRUE(found->has_value());
  const Bson& doc = **found;
  EXPECT_EQ(doc.IdString(), *id);
  EXPECT_EQ(doc.GetInt64("age"), 33);
  EXPECT_EQ(doc.GetDateTimeMs("created_at"), 1700000000123);
  EXPECT_EQ(doc.GetStringArray("tags"), (std::vector<std::string>{"x", "y"}));

  auto explicit_id = users.InsertOne(BsonBuilder().Append("_id", "user-7").Append("email", "b@x").Build());
  ASSERT_TRUE(explicit_id.ok()) << explicit_id.status();
  EXPECT_EQ(*explicit_id, "user-7");

  auto missing = users.FindOne(BsonBuilder().Append("email", "nobody@example.com").Build());
  ASSERT_TRUE(missing.ok()) << missing.status();
  EXPECT_FALSE(missing->has_value());
}

TEST_F(MongoTest, DuplicateIdIsAlreadyExists) {
  Lease lease = pool_->Acquire();
  Collection c = lease.GetCollection("things");
  ASSERT_TRUE(c.InsertOne(BsonBuilder().Append("_id", "same").Build()).ok());
  auto again = c.InsertOne(BsonBuilder().Append("_id", "same").Build());
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists) << again.status();
}

TEST_F(MongoTest, UniqueIndexRejectsDuplicateWithAlreadyExists) {
  Lease lease = pool_->Acquire();
  Collection users = lease.GetCollection("users");
  ASSERT_TRUE(
      users.CreateIndex(BsonBuilder().Append("email", int32_t{1}).Build(), true, "email_unique").ok());
  // Creating the same index again is fine (services do it at every start).
  Status again = users.CreateIndex(BsonBuilder().Append("email", int32_t{1}).Build(), true, "email_unique");
  ASSERT_TRUE(again.ok()) << again;

  ASSERT_TRUE(users.InsertOne(BsonBuilder().Append("email", "a@x").Build()).ok());
  ASSERT_TRUE(users.InsertOne(BsonBuilder().Append("email", "b@x").Build()).ok());
  auto dup = users.InsertOne(BsonBuilder().Append("email", "a@x").Build());
  EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists) << dup.status();
  EXPECT_EQ(*users.CountDocuments(Bson()), 2);

  // An update that would create a duplicate is rejected too, and changes nothing. MongoDB reports it as
  // a duplicate key (ALREADY_EXISTS); FerretDB 1.24 as InternalError (code 1) holding PostgreSQL's
  // unique_violation text, which maps to INTERNAL (README.md).
  auto clash = users.UpdateOne(BsonBuilder().Append("email", "b@x").Build(),
                               *Bson::FromJson(R"({"$set": {"email": "a@x"}})"));
  EXPECT_FALSE(clash.ok());
  EXPECT_EQ(clash.status().code(), IsFerretDb(lease) ? StatusCode::kInternal : StatusCode::kAlreadyExists)
      << clash.status();
  EXPECT_EQ(*users.CountDocuments(BsonBuilder().Append("email", "b@x").Build()), 1);
}

TEST_F(MongoTest, CompoundUniqueIndexRejectsOnlyTheSamePair) {
  Lease lease = pool_->Acquire();
  Collection messages = lease.GetCollection("messages");
  Bson keys = BsonBuilder().Append("chat_id", int32_t{1}).Append("seq", int32_t{1}).Build();
  ASSERT_TRUE(messages.CreateIndex(keys, true, "chat_seq_unique").ok());
  auto message = [](const char* chat, int64_t seq) {
    return BsonBuilder().Append("chat_id", chat).Append("seq", seq).Build();
  };
  ASSERT_TRUE(messages.InsertOne(message("c1", 1)).ok());
  ASSERT_TRUE(messages.InsertOne(message("c1", 2)).ok());
  ASSERT_TRUE(messages.InsertOne(message("c2", 1)).ok());
  auto dup = messages.InsertOne(message("c1", 2));
  EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists) << dup.status();
}

TEST_F(MongoTest, UniqueIndexOnCollectionWithDuplicatesFails) {
  Lease lease = pool_->Acquire();
  Collection c = lease.GetCollection("dups");
  ASSERT_TRUE(c.InsertOne(BsonBuilder().Append("k", "v").Build()).ok());
  ASSERT_TRUE(c.InsertOne(BsonBuilder().Append("k", "v").Build()).ok());
  Status s = c.CreateIndex(BsonBuilder().Append("k", int32_t{1}).Build(), true, "k_unique");
  // MongoDB: duplicate key; FerretDB 1.24: InternalError with PostgreSQL's text (README.md).
  EXPECT_EQ(s.code(), IsFerretDb(lease) ? StatusCode::kInternal : StatusCode::kAlreadyExists) << s;
}

StatusOr<int64_t> NextSeq(Collection& counters, const std::string& name) {
  MESSENGER_ASSIGN_OR_RETURN(
      std::optional<Bson> doc,
      counters.FindAndModify(BsonBuilder().Append("_id", name).Build(),
                             *Bson::FromJson(R"({"$inc": {"seq": {"$numberLong": "1"}}})"),
                             /*upsert=*/true, /*return_new=*/true));
  if (!doc) return InternalError("findAndModify returned no document");
  std::optional<int64_t> seq = doc->GetInt64("seq");
  if (!seq) return InternalError("counter without seq: " + doc->ToJson());
  return *seq;
}

TEST_F(MongoTest, FindAndModifyIncrementsCounterSequentially) {
  Lease lease = pool_->Acquire();
  Collection counters = lease.GetCollection("counters");
  for (int64_t expected = 1; expected <= 3; ++expected) {
    auto seq = NextSeq(counters, "chat-1");
    ASSERT_TRUE(seq.ok()) << seq.status();
    EXPECT_EQ(*seq, expected);
  }
  // Another counter starts at 1 again.
  auto other = NextSeq(counters, "chat-2");
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ(*other, 1);

  // return_new=false returns the document before the update; no document when it did not exist.
  auto before = counters.FindAndModify(BsonBuilder().Append("_id", "chat-1").Build(),
                                       *Bson::FromJson(R"({"$inc": {"seq": 1}})"), false, false);
  ASSERT_TRUE(before.ok()) << before.status();
  ASSERT_TRUE(before->has_value());
  EXPECT_EQ((*before)->GetInt64("seq"), 3);
  auto none = counters.FindAndModify(BsonBuilder().Append("_id", "nope").Build(),
                                     *Bson::FromJson(R"({"$inc": {"seq": 1}})"), false, true);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_FALSE(none->has_value());
}

TEST_F(MongoTest, ConcurrentFindAndModifyNeverHandsOutTheSameValue) {
  bool ferret = false;
  {
    Lease lease = pool_->Acquire();
    ferret = IsFerretDb(lease);
  }
  if (ferret) {
    GTEST_SKIP() << "FerretDB 1.24 runs findAndModify as read-then-write without isolation and hands out "
                    "duplicates (README.md); Sequencer is the portable counter, tested below";
  }
  constexpr int kPerThread = 40;
  std::vector<int64_t> got[2];
  Status failure[2];
  auto worker = [&](int t) {
    Lease lease = pool_->Acquire();  // one client per thread
    Collection counters = lease.GetCollection("counters");
    for (int i = 0; i < kPerThread; ++i) {
      auto seq = NextSeq(counters, "shared");
      if (!seq.ok()) {
        failure[t] = seq.status();
        return;
      }
      got[t].push_back(*seq);
    }
  };
  std::thread a(worker, 0), b(worker, 1);
  a.join();
  b.join();
  ASSERT_TRUE(failure[0].ok()) << failure[0];
  ASSERT_TRUE(failure[1].ok()) << failure[1];
  std::vector<int64_t> all = got[0];
  all.insert(all.end(), got[1].begin(), got[1].end());
  std::sort(all.begin(), all.end());
  std::vector<int64_t> expected(2 * kPerThread);
  for (int i = 0; i < 2 * kPerThread; ++i) expected[i] = i + 1;
  EXPECT_EQ(all, expected);  // 1..80, each exactly once
  // Each thread saw its own values increase.
  EXPECT_TRUE(std::is_sorted(got[0].begin(), got[0].end()));
  EXPECT_TRUE(std::is_sorted(got[1].begin(), got[1].end()));
}

TEST_F(MongoTest, SequencerNumbersConcurrentInsertsWithoutGapsOrDuplicates) {
  const Sequencer sequencer("chat_id", "seq");
  {
    Lease lease = pool_->Acquire();
    Collection messages = lease.GetCollection("messages");
    ASSERT_TRUE(sequencer.EnsureIndex(messages).ok());
  }
  constexpr int kPerThread = 40;
  std::vector<int64_t> got[2];
  Status failure[2];
  auto worker = [&](int t) {
    Lease lease = pool_->Acquire();
    Collection messages = lease.GetCollection("messages");
    for (int i = 0; i < kPerThread; ++i) {
      Bson body = BsonBuilder().Append("author", "t" + std::to_string(t)).Append("i", int32_t{i}).Build();
      auto seq = sequencer.Insert(messages, "chat-1", body);
      if (!seq.ok()) {
        failure[t] = seq.status();
        return;
      }
      got[t].push_back(*seq);
    }
  };
  std::thread a(worker, 0), b(worker, 1);
  a.join();
  b.join();
  ASSERT_TRUE(failure[0].ok()) << failure[0];
  ASSERT_TRUE(failure[1].ok()) << failure[1];
  std::vector<int64_t> all = got[0];
  all.insert(all.end(), got[1].begin(), got[1].end());
  std::sort(all.begin(), all.end());
  std::vector<int64_t> expected(2 * kPerThread);
  for (int i = 0; i < 2 * kPerThread; ++i) expected[i] = i + 1;
  EXPECT_EQ(all, expected);  // 1..80, each exactly once

  // The stored documents carry the numbers handed out, with their own fields.
  Lease lease = pool_->Acquire();
  Collection messages = lease.GetCollection("messages");
  auto stored = messages.Find(BsonBuilder().Append("chat_id", "chat-1").Build(),
                              *Bson::FromJson(R"({"sort": {"seq": 1}})"));
  ASSERT_TRUE(stored.ok()) << stored.status();
  ASSERT_EQ(stored->size(), expected.size());
  for (size_t i = 0; i < stored->size(); ++i) {
    EXPECT_EQ((*stored)[i].GetInt64("seq"), expected[i]);
    EXPECT_TRUE((*stored)[i].GetString("author").has_value());
  }
  // Another scope starts at 1.
  auto other = sequencer.Insert(messages, "chat-2", Bson());
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ(*other, 1);
  EXPECT_EQ(*sequencer.Last(messages, "chat-1"), 80);
}

TEST_F(MongoTest, SequencerReportsOtherUniqueConflictsWithoutRetrying) {
  const Sequencer sequencer("chat_id", "seq");
  Lease lease = pool_->Acquire();
  Collection messages = lease.GetCollection("messages");
  ASSERT_TRUE(sequencer.EnsureIndex(messages).ok());
  // Idempotency key of a client's message: sending the same message twice must not number it twice.
  Bson client_key = BsonBuilder().Append("client_id", int32_t{1}).Build();
  ASSERT_TRUE(messages.CreateIndex(client_key, true, "client_unique").ok());
  auto first = sequencer.Insert(messages, "c", BsonBuilder().Append("client_id", "m-1").Build());
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*first, 1);
  auto again = sequencer.Insert(messages, "c", BsonBuilder().Append("client_id", "m-1").Build());
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists) << again.status();
  auto next = sequencer.Insert(messages, "c", BsonBuilder().Append("client_id", "m-2").Build());
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(*next, 2);  // no number was burnt by the rejected insert
}

TEST_F(MongoTest, FindWithSortAndLimit) {
  Lease lease = pool_->Acquire();
  Collection messages = lease.GetCollection("messages");
  for (int64_t seq : {3, 1, 4, 10, 5, 9, 2, 6, 8, 7}) {
    ASSERT_TRUE(messages.InsertOne(BsonBuilder().Append("chat_id", "c1").Append("seq", seq).Build()).ok());
  }
  ASSERT_TRUE(
      messages.InsertOne(BsonBuilder().Append("chat_id", "c2").Append("seq", int64_t{100}).Build()).ok());

  auto page = messages.Find(*Bson::FromJson(R"({"chat_id": "c1", "seq": {"$lt": 9}})"),
                            *Bson::FromJson(R"({"sort": {"seq": -1}, "limit": 3})"));
  ASSERT_TRUE(page.ok()) << page.status();
  std::vector<int64_t> seqs;
  for (const Bson& d : *page) seqs.push_back(d.GetInt64("seq").value_or(-1));
  EXPECT_EQ(seqs, (std::vector<int64_t>{8, 7, 6}));

  // FindOne honours the sort too.
  auto latest = messages.FindOne(BsonBuilder().Append("chat_id", "c1").Build(),
                                 *Bson::FromJson(R"({"sort": {"seq": -1}})"));
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->GetInt64("seq"), 10);

  // A cursor walks the whole result.
  Cursor cursor = messages.FindCursor(BsonBuilder().Append("chat_id", "c1").Build(),
                                      *Bson::FromJson(R"({"sort": {"seq": 1}})"));
  int64_t count = 0;
  while (true) {
    auto next = cursor.Next();
    ASSERT_TRUE(next.ok()) << next.status();
    if (!next->has_value()) break;
    EXPECT_EQ((*next)->GetInt64("seq"), ++count);
  }
  EXPECT_EQ(count, 10);
}

TEST_F(MongoTest, UpdateAndDeleteReportCounts) {
  Lease lease = pool_->Acquire();
  Collection c = lease.GetCollection("reads");
  auto up = c.UpdateOne(BsonBuilder().Append("_id", "u1:c1").Build(),
                        *Bson::FromJson(R"({"$max": {"seq": 5}})"), /*upsert=*/true);
  ASSERT_TRUE(up.ok()) << up.status();
  EXPECT_EQ(up->upserted_id, "u1:c1");
  up = c.UpdateOne(BsonBuilder().Append("_id", "u1:c1").Build(), *Bson::FromJson(R"({"$max": {"seq": 3}})"));
  ASSERT_TRUE(up.ok()) << up.status();
  EXPECT_EQ(up->matched, 1);
  EXPECT_EQ(up->modified, 0);  // 3 < 5: $max leaves it
  EXPECT_FALSE(up->upserted_id.has_value());
  auto doc = c.FindOne(BsonBuilder().Append("_id", "u1:c1").Build());
  ASSERT_TRUE(doc.ok() && doc->has_value());
  EXPECT_EQ((*doc)->GetInt64("seq"), 5);

  ASSERT_TRUE(c.InsertOne(BsonBuilder().Append("kind", "x").Build()).ok());
  ASSERT_TRUE(c.InsertOne(BsonBuilder().Append("kind", "x").Build()).ok());
  auto deleted = c.DeleteMany(BsonBuilder().Append("kind", "x").Build());
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_EQ(*deleted, 2);
  EXPECT_EQ(*c.CountDocuments(Bson()), 1);
  ASSERT_TRUE(c.Drop().ok());
  EXPECT_EQ(*c.CountDocuments(Bson()), 0);
  EXPECT_TRUE(c.Drop().ok());  // dropping a missing collection is fine
}

TEST(MongoPoolTest, UnreachableServerIsUnavailableQuickly) {
  MongoSettings settings{"mongodb://127.0.0.1:1/?appname=test", "x"};
  PoolOptions options;
  options.server_selection_timeout = 300ms;
  auto pool = ClientPool::Create(settings, options);
  ASSERT_TRUE(pool.ok()) << pool.status();
  auto start = std::chrono::steady_clock::now();
  Status s = (*pool)->Ping();
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  Lease lease = (*pool)->Acquire();
  auto insert = lease.GetCollection("c").InsertOne(Bson());
  EXPECT_EQ(insert.status().code(), StatusCode::kUnavailable) << insert.status();
}

TEST(MongoPoolTest, RejectsBadUriAndWriteConcern) {
  EXPECT_EQ(ClientPool::Create(MongoSettings{"not-a-uri", "x"}, PoolOptions()).status().code(),
            StatusCode::kInvalidArgument);
  PoolOptions options;
  options.write_concern = "most";
  EXPECT_EQ(ClientPool::Create(MongoSettings{"mongodb://127.0.0.1:1", "x"}, options).status().code(),
            StatusCode::kInvalidArgument);
  options.write_concern = "majority";
  EXPECT_TRUE(ClientPool::Create(MongoSettings{"mongodb://127.0.0.1:1", "x"}, options).ok());
}

}  // namespace
}  // namespace messenger::mongo
