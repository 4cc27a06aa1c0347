// Shared by the Chat integration tests: a MongoDB database, a Redis key prefix and a Kafka topic of the
// test's own (random names, removed afterwards), the real stores on them, and a reader of the topic.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "chat/storage/mongo_chat_store.hpp"
#include "chat/storage/mongo_message_store.hpp"
#include "chat/storage/redis_chat_cache.hpp"
#include "chat/storage/redis_connection.hpp"
#include "messenger/common/config.hpp"
#include "messenger/common/ids.hpp"
#include "messenger/events/v1/events.pb.h"
#include "messenger/kafka/admin.hpp"
#include "messenger/kafka/consumer.hpp"
#include "messenger/mongo/client.hpp"

namespace messenger::chat::testing {

inline std::string Brokers() { return KafkaSettings::FromEnv().brokers; }

// Lowercase letters and digits only: safe in database names, key prefixes and topic names.
inline std::string RandomSuffix() {
  std::string out;
  for (char c : NewUuid()) {
    if (c != '-') out += c;
  }
  return out.substr(0, 12);
}

inline bool WaitUntil(const std::function<bool()>& done, std::chrono::milliseconds within) {
  auto deadline = std::chrono::steady_clock::now() + within;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

// A database test_chat_<random> on MONGO_URI with the service's indexes, dropped at the end.
class TestMongo {
 public:
  TestMongo() : database_("test_chat_" + RandomSuffix()) {
    mongo::PoolOptions options = mongo::PoolOptions::FromEnv();
    options.max_pool_size = 32;
    auto pool =
        mongo::ClientPool::Create(MongoSettings{MongoSettings::FromEnv("chat").uri, database_}, options);
    EXPECT_TRUE(pool.ok()) << pool.status();
    if (pool.ok()) pool_ = *std::move(pool);
  }
  ~TestMongo() {
    if (pool_) (void)pool_->Acquire().DropDatabase(database_);
  }
  // Fresh store objects on the database (a "process" of their own: own seq hints, own chat locks).
  std::unique_ptr<MongoChatStore> NewChatStore() {
    auto store = std::make_unique<MongoChatStore>(*pool_);
    Status s = store->EnsureIndexes();
    EXPECT_TRUE(s.ok()) << s;
    return store;
  }
  std::unique_ptr<MongoMessageStore> NewMessageStore() {
    auto store = std::make_unique<MongoMessageStore>(*pool_);
    Status s = store->EnsureIndexes();
    EXPECT_TRUE(s.ok()) << s;
    return store;
  }
  const std::string& database() const { return database_; }
  mongo::ClientPool& pool() { return *pool_; }

 private:
  std::string database_;
  std::unique_ptr<mongo::ClientPool> pool_;
};

inline redis::ClientOptions TestRedisOptions() {
  redis::ClientOptions options = redis::ClientOptions::FromSettings(RedisSettings::FromEnv());
  options.pool_size = 16;
  options.command_timeout = std::chrono::milliseconds(2000);
  return options;
}

// A Redis prefix chat-test-<random>: of its own, whose keys are deleted at the end.
class TestRedis {
 public:
  TestRedis()
      : prefix_("chat-test-" + RandomSuffix() + ":"),
        connection_(RedisSettings::FromEnv(), TestRedisOptions()) {}
  ~TestRedis() { DeleteKeys(); }

  const std::string& prefix() const { return prefix_; }
  RedisConnection& connection() { return connection_; }
  redis::Client& client() { return **connection_.Client(); }
  std::unique_ptr<RedisChatCache> NewCache(int window = 100) {
    RedisChatCacheOptions options;
    options.prefix = prefix_;
    options.window = window;
    return std::make_unique<RedisChatCache>(connection_, options);
  }

  void DeleteKeys() {
    auto client = connection_.Client();
    if (!client.ok()) return;
    std::string cursor = "0";
    do {
      auto reply = (*client)->Command({"SCAN", cursor, "MATCH", prefix_ + "*", "COUNT", "1000"});
      if (!reply.ok() || reply->elements.size() != 2) return;
      cursor = reply->elements[0].str;
      std::vector<std::string> keys;
      for (const redis::Reply& k : reply->elements[1].elements) keys.push_back(k.str);
      if (!keys.empty()) (void)(*client)->Del(keys);
    } while (cursor != "0");
  }

 private:
  std::string prefix_;
  RedisConnection connection_;
};

// A topic test.chat-<random> (1 partition: records come back in publish order), deleted at the end.
class TestTopic {
 public:
  TestTopic() : name_("test.chat-" + RandomSuffix()) {}
  ~TestTopic() { (void)kafka::DeleteTopics(Brokers(), {name_}, std::chrono::seconds(10)); }
  Status Create() {
    return kafka::EnsureTopics(Brokers(), {kafka::TopicSpec{name_, 1, 1}}, std::chrono::seconds(30));
  }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

// Reads a topic from the beginning, decoding every record.
class TopicReader {
 public:
  struct Event {
    std::string key;
    events::v1::Envelope envelope;
  };

  static StatusOr<std::unique_ptr<TopicReader>> Create(const std::string& topic) {
    kafka::ConsumerOptions options;
    options.brokers = Brokers();
    options.group_id = "chat-test-" + RandomSuffix();
    options.topics = {topic};
    options.from_beginning = true;
    MESSENGER_ASSIGN_OR_RETURN(auto consumer, kafka::Consumer::Create(options));
    return std::unique_ptr<TopicReader>(new TopicReader(std::move(consumer)));
  }

  // Polls until at least `count` records were read or `within` passed; returns whether they were.
  bool ReadAtLeast(std::size_t count, std::chrono::milliseconds within) {
    auto deadline = std::chrono::steady_clock::now() + within;
    while (events_.size() < count) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      Poll(std::chrono::milliseconds(200));
    }
    return true;
  }
  // Keeps polling for `quiet` to catch any extra (duplicate) record.
  void Drain(std::chrono::milliseconds quiet) {
    auto until = std::chrono::steady_clock::now() + quiet;
    while (std::chrono::steady_clock::now() < until) Poll(std::chrono::milliseconds(200));
  }
  void Poll(std::chrono::milliseconds timeout) {
    (void)consumer_->PollOnce(
        [&](const kafka::Record& r) {
          Event e;
          e.key = r.key;
          if (!e.envelope.ParseFromString(r.value)) return InternalError("undecodable record");
          events_.push_back(std::move(e));
          return OkStatus();
        },
        timeout);
  }
  const std::vector<Event>& events() const { return events_; }
  // How many MessageSent events each message_id got.
  std::map<std::string, int> MessageSentCounts() const {
    std::map<std::string, int> out;
    for (const Event& e : events_) {
      if (e.envelope.has_message_sent()) ++out[e.envelope.message_sent().message_id()];
    }
    return out;
  }

 private:
  explicit TopicReader(std::unique_ptr<kafka::Consumer> consumer) : consumer_(std::move(consumer)) {}
  std::unique_ptr<kafka::Consumer> consumer_;
  std::vector<Event> events_;
};

}  // namespace messenger::chat::testing
