#include "messenger/redis/client.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <thread>

#include "messenger/common/ids.hpp"

namespace messenger::redis {
namespace {

using std::chrono::milliseconds;

class RedisClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    prefix_ = "test:" + NewUuid() + ":";
    options_ = ClientOptions::FromSettings(RedisSettings::FromEnv());
    options_.pool_size = 2;
    options_.client_name = "t-" + NewUuid();
    auto client = Client::Create(RedisSettings::FromEnv(), options_);
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = std::move(client).value();
  }

  void TearDown() override {
    if (!client_) return;
    auto keys = client_->Command({"KEYS", prefix_ + "*"});
    if (keys.ok() && keys->type == Reply::Type::kArray && !keys->elements.empty()) {
      std::vector<std::string> names;
      for (const Reply& k : keys->elements) names.push_back(k.str);
      (void)client_->Del(names);
    }
  }

  std::string Key(const std::string& name) const { return prefix_ + name; }

  // Closes, from another connection, every connection our client opened (found by its client name).
  int KillOurConnections() {
    auto admin = Client::Create(RedisSettings::FromEnv());
    EXPECT_TRUE(admin.ok()) << admin.status();
    if (!admin.ok()) return 0;
    auto list = (*admin)->Command({"CLIENT", "LIST"});
    EXPECT_TRUE(list.ok()) << list.status();
    int killed = 0;
    std::istringstream lines(list->str);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.find(" name=" + options_.client_name + " ") == std::string::npos) continue;
      std::string id = line.substr(3, line.find(' ') - 3);  // "id=<n> ..."
      auto r = (*admin)->Command({"CLIENT", "KILL", "ID", id});
      if (r.ok() && r->type == Reply::Type::kInteger) killed += static_cast<int>(r->integer);
    }
    return killed;
  }

  std::string prefix_;
  ClientOptions options_;
  std::unique_ptr<Client> client_;
};

TEST_F(RedisClientTest, KeyRoundTripAndTtlExpiry) {
  EXPECT_EQ(client_->Get(Key("missing")).value(), std::nullopt);
  ASSERT_TRUE(client_->Set(Key("plain"), "v1").ok());
  EXPECT_EQ(client_->Get(Key("plain")).value(), "v1");
  EXPECT_EQ(client_->PttlMillis(Key("plain")).value(), -1);
  EXPECT_EQ(client_->PttlMillis(Key("missing")).value(), -2);

  ASSERT_TRUE(client_->Set(Key("short"), "v2", milliseconds(300)).ok());
  EXPECT_EQ(client_->Get(Key("short")).value(), "v2");
  int64_t pttl = client_->PttlMillis(Key("short")).value();
  EXPECT_GT(pttl, 0);
  EXPECT_LE(pttl, 300);
  EXPECT_TRUE(client_->Exists(Key("short")).value());

  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (client_->Exists(Key("short")).value() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_EQ(client_->Get(Key("short")).value(), std::nullopt);
  EXPECT_EQ(client_->Get(Key("plain")).value(), "v1");

  ASSERT_TRUE(client_->Expire(Key("plain"), milliseconds(10000)).ok());
  EXPECT_GT(client_->PttlMillis(Key("plain")).value(), 5000);
  EXPECT_EQ(client_->Expire(Key("missing"), milliseconds(1000)).code(), StatusCode::kNotFound);

  EXPECT_EQ(client_->Del({Key("plain"), Key("missing")}).value(), 1);
  EXPECT_FALSE(client_->Exists(Key("plain")).value());
}

TEST_F(RedisClientTest, SetNxSetsOnlyOnce) {
  EXPECT_TRUE(client_->SetNx(Key("lock"), "first", milliseconds(10000)).value());
  EXPECT_FALSE(client_->SetNx(Key("lock"), "second", milliseconds(10000)).value());
  EXPECT_EQ(client_->Get(Key("lock")).value(), "first");
  EXPECT_GT(client_->PttlMillis(Key("lock")).value(), 0);
}

TEST_F(RedisClientTest, Counters) {
  EXPECT_EQ(client_->Incr(Key("n")).value(), 1);
  EXPECT_EQ(client_->Incr(Key("n")).value(), 2);

  EXPECT_EQ(client_->IncrWithExpire(Key("window"), milliseconds(60000)).value(), 1);
  int64_t first_ttl = client_->PttlMillis(Key("window")).value();
  EXPECT_GT(first_ttl, 50000);
  ASSERT_TRUE(client_->Expire(Key("window"), milliseconds(30000)).ok());
  // Later increments keep the window's TTL instead of restarting it.
  EXPECT_EQ(client_->IncrWithExpire(Key("window"), milliseconds(60000)).value(), 2);
  int64_t ttl = client_->PttlMillis(Key("window")).value();
  EXPECT_GT(ttl, 0);
  EXPECT_LE(ttl, 30000);

  // A counter that lost its TTL gets one again.
  ASSERT_TRUE(client_->Command({"PERSIST", Key("window")}).ok());
  EXPECT_EQ(client_->IncrWithExpire(Key("window"), milliseconds(60000)).value(), 3);
  EXPECT_GT(client_->PttlMillis(Key("window")).value(), 0);

  ASSERT_TRUE(client_->Set(Key("text"), "abc").ok());
  EXPECT_EQ(client_->Incr(Key("text")).status().code(), StatusCode::kInternal);
  auto raw = client_->Command({"INCR", Key("text")});
  ASSERT_TRUE(raw.ok()) << raw.status();
  EXPECT_TRUE(raw->is_error()) << raw->DebugString();
}

TEST_F(RedisClientTest, CountersFromManyThreads) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) EXPECT_TRUE(client_->Incr(Key("shared")).ok());
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(client_->Get(Key("shared")).value(), "200");
  EXPECT_LE(client_->OpenConnectionsForTest(), 2);
}

TEST_F(RedisClientTest, PipelineRepliesInOrder) {
  auto replies = client_->Pipeline({{"SET", Key("a"), "1"},
                                    {"INCR", Key("a")},
                                    {"GET", Key("a")},
                                    {"GET", Key("none")},
                                    {"HGET", Key("a"), "field"},
                                    {"RPUSH", Key("list"), "x", "y"},
                                    {"LRANGE", Key("list"), "0", "-1"}});
  ASSERT_TRUE(replies.ok()) << replies.status();
  ASSERT_EQ(replies->size(), 7u);
  EXPECT_EQ((*replies)[0], Reply::Status("OK"));
  EXPECT_EQ((*replies)[1], Reply::Integer(2));
  EXPECT_EQ((*replies)[2], Reply::String("2"));
  EXPECT_EQ((*replies)[3], Reply::Nil());
  EXPECT_TRUE((*replies)[4].is_error());  // WRONGTYPE does not stop the pipeline
  EXPECT_EQ((*replies)[5], Reply::Integer(2));
  EXPECT_EQ((*replies)[6], Reply::Array({Reply::String("x"), Reply::String("y")}));

  EXPECT_EQ(client_->Pipeline({}).value().size(), 0u);
  EXPECT_EQ(client_->Pipeline({{"GET", Key("a")}, {}}).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(RedisClientTest, ValuesAndKeysAreBinarySafe) {
  std::string value("a\0b\r\n\xff\x00z", 8);
  std::string key = Key(std::string("bin\0key", 7));
  ASSERT_TRUE(client_->Set(key, value).ok());
  auto got = client_->Get(key);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ(**got, value);
  EXPECT_FALSE(client_->Exists(Key("bin")).value());

  std::string big(1 << 20, 'x');
  big[12345] = '\0';
  ASSERT_TRUE(client_->Set(Key("big"), big).ok());
  EXPECT_EQ(client_->Get(Key("big")).value(), big);
}

TEST_F(RedisClientTest, EvalRunsScripts) {
  auto r = client_->Eval("return {KEYS[1], ARGV[1], tonumber(ARGV[2]) + 1}", {Key("k")}, {"v", "41"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, Reply::Array({Reply::String(Key("k")), Reply::String("v"), Reply::Integer(42)}));
  EXPECT_EQ(client_->Eval("return redis.call('NOSUCHCOMMAND')", {}, {}).status().code(),
            StatusCode::kInternal);
}

TEST_F(RedisClientTest, ReconnectsAfterTheServerClosedTheConnections) {
  // Open both pooled connections by using them at once.
  auto pipeline_on_each = [&] {
    std::thread other([&] { EXPECT_TRUE(client_->Command({"BLPOP", Key("nothing"), "0.1"}).ok()); });
    EXPECT_TRUE(client_->Command({"BLPOP", Key("nothing"), "0.1"}).ok());
    other.join();
  };
  pipeline_on_each();
  ASSERT_EQ(client_->OpenConnectionsForTest(), 2);
  ASSERT_EQ(KillOurConnections(), 2);

  // A write right after: must not be lost to a dead connection.
  Status set = client_->Set(Key("after"), "kill");
  EXPECT_TRUE(set.ok()) << set;
  EXPECT_EQ(client_->Incr(Key("counter")).value(), 1);
  EXPECT_EQ(client_->Get(Key("after")).value(), "kill");

  ASSERT_GE(KillOurConnections(), 1);
  EXPECT_TRUE(client_->Ping().ok());
}

TEST_F(RedisClientTest, SlowCommandIsDeadlineExceededAndTheClientRecovers) {
  ClientOptions options = options_;
  options.command_timeout = milliseconds(200);
  auto client = Client::Create(RedisSettings::FromEnv(), options);
  ASSERT_TRUE(client.ok()) << client.status();
  auto start = std::chrono::steady_clock::now();
  auto blocked = (*client)->Command({"BLPOP", Key("empty"), "3"});
  EXPECT_EQ(blocked.status().code(), StatusCode::kDeadlineExceeded) << blocked.status();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_TRUE((*client)->Set(Key("x"), "y").ok());
  EXPECT_EQ((*client)->Get(Key("x")).value(), "y");
}

TEST(RedisClientCreateTest, UnreachableServerIsUnavailable) {
  RedisSettings settings = RedisSettings::FromEnv();
  settings.port = 1;
  auto client = Client::Create(settings);
  EXPECT_EQ(client.status().code(), StatusCode::kUnavailable) << client.status();
}

}  // namespace
}  // namespace messenger::redis
