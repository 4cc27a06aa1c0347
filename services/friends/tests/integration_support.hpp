// Shared by the Friends integration tests: a throw-away database with the service's schema, a Redis key
// prefix and a Kafka topic of its own, and helpers to read what the service published.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "friends/domain/friend_event.hpp"
#include "friends/storage/redis_connection.hpp"
#include "messenger/common/config.hpp"
#include "messenger/common/ids.hpp"
#include "messenger/events/v1/events.pb.h"
#include "messenger/kafka/admin.hpp"
#include "messenger/kafka/consumer.hpp"
#include "messenger/outbox/outbox.hpp"
#include "messenger/pg/migrations.hpp"
#include "messenger/pg/testing/test_database.hpp"

#ifndef FRIENDS_MIGRATIONS_DIR
#error "FRIENDS_MIGRATIONS_DIR must point at services/friends/migrations"
#endif

namespace messenger::friends::testing {

inline std::string Brokers() { return KafkaSettings::FromEnv().brokers; }

// Lowercase letters and digits only, safe in database names, key prefixes and topic names.
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

// A database t_<random> with the friendships table and the outbox, dropped at the end of the test.
struct TestSchema {
  std::unique_ptr<pg::testing::TestDatabase> db;
  std::unique_ptr<pg::Pool> pool;

  static StatusOr<TestSchema> Create(int pool_size = 8) {
    TestSchema out;
    MESSENGER_ASSIGN_OR_RETURN(out.db, pg::testing::TestDatabase::Create());
    MESSENGER_ASSIGN_OR_RETURN(out.pool, out.db->NewPool(pool_size));
    MESSENGER_RETURN_IF_ERROR(pg::RunMigrations(*out.pool, FRIENDS_MIGRATIONS_DIR));
    MESSENGER_RETURN_IF_ERROR(outbox::EnsureSchema(*out.pool));
    return out;
  }
};

// Runs one SQL statement returning one integer.
inline StatusOr<std::int64_t> QueryInt(pg::Pool& pool, const std::string& sql) {
  return pool.TransactValue(
      [&](pqxx::work& txn) -> StatusOr<std::int64_t> { return txn.exec1(sql)[0].as<std::int64_t>(); });
}

// The outbox rows, decoded, in commit order.
struct OutboxRow {
  std::string key;
  events::v1::Envelope envelope;
};
inline StatusOr<std::vector<OutboxRow>> ReadOutbox(pg::Pool& pool) {
  return pool.TransactValue([&](pqxx::work& txn) -> StatusOr<std::vector<OutboxRow>> {
    std::vector<OutboxRow> out;
    for (const pqxx::row& row : txn.exec("SELECT key, payload FROM outbox ORDER BY id")) {
      OutboxRow r;
      r.key = row[0].as<std::string>();
      pqxx::binarystring bytes(row[1]);
      if (!r.envelope.ParseFromString(bytes.str())) return InternalError("undecodable outbox payload");
      out.push_back(std::move(r));
    }
    return out;
  });
}

// The Envelope payload case as a FriendEvent kind (for readable assertions).
inline std::string PayloadName(const events::v1::Envelope& e) {
  switch (e.payload_case()) {
    case events::v1::Envelope::kFriendRequestSent:
      return "FriendRequestSent";
    case events::v1::Envelope::kFriendRequestAccepted:
      return "FriendRequestAccepted";
    case events::v1::Envelope::kFriendRequestRejected:
      return "FriendRequestRejected";
    case events::v1::Envelope::kFriendRemoved:
      return "FriendRemoved";
    default:
      return "other";
  }
}

// A Redis connection on the test stack, and a prefix of its own whose keys are deleted at the end.
class TestRedis {
 public:
  TestRedis() : prefix_("friends-test-" + RandomSuffix() + ":"), connection_(Settings(), Options()) {}
  ~TestRedis() { DeleteKeys(prefix_); }

  const std::string& prefix() const { return prefix_; }
  RedisConnection& connection() { return connection_; }
  redis::Client& client() { return **connection_.Client(); }

  void DeleteKeys(const std::string& prefix) {
    auto client = connection_.Client();
    if (!client.ok()) return;
    std::string cursor = "0";
    do {
      auto reply = (*client)->Command({"SCAN", cursor, "MATCH", prefix + "*", "COUNT", "1000"});
      if (!reply.ok() || reply->elements.size() != 2) return;
      cursor = reply->elements[0].str;
      std::vector<std::string> keys;
      for (const redis::Reply& k : reply->elements[1].elements) keys.push_back(k.str);
      if (!keys.empty()) (void)(*client)->Del(keys);
    } while (cursor != "0");
  }

 private:
  static RedisSettings Settings() { return RedisSettings::FromEnv(); }
  static redis::ClientOptions Options() {
    redis::ClientOptions options = redis::ClientOptions::FromSettings(RedisSettings::FromEnv());
    options.pool_size = 8;
    options.command_timeout = std::chrono::milliseconds(2000);
    return options;
  }
  std::string prefix_;
  RedisConnection connection_;
};

// A topic of its own (1 partition, so that records come back in publish order), deleted at the end.
class TestTopic {
 public:
  TestTopic() : name_("test.friends-" + RandomSuffix()) {}
  ~TestTopic() { (void)kafka::DeleteTopics(Brokers(), {name_}, std::chrono::seconds(10)); }
  Status Create() {
    return kafka::EnsureTopics(Brokers(), {kafka::TopicSpec{name_, 1, 1}}, std::chrono::seconds(30));
  }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

// Reads a topic from the beginning and keeps every record seen.
class TopicReader {
 public:
  static StatusOr<std::unique_ptr<TopicReader>> Create(const std::string& topic) {
    kafka::ConsumerOptions options;
    options.brokers = Brokers();
    options.group_id = "friends-test-" + RandomSuffix();
    options.topics = {topic};
    options.from_beginning = true;
    MESSENGER_ASSIGN_OR_RETURN(auto consumer, kafka::Consumer::Create(options));
    return std::unique_ptr<TopicReader>(new TopicReader(std::move(consumer)));
  }

  // Polls until at least `count` records were seen or `within` passed; returns whether they were.
  bool ReadAtLeast(std::size_t count, std::chrono::milliseconds within) {
    auto deadline = std::chrono::steady_clock::now() + within;
    while (records_.size() < count) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      Poll(std::chrono::milliseconds(200));
    }
    return true;
  }
  void Poll(std::chrono::milliseconds timeout) {
    (void)consumer_->PollOnce(
        [&](const kafka::Record& r) {
          records_.push_back(r);
          return OkStatus();
        },
        timeout);
  }
  const std::vector<kafka::Record>& records() const { return records_; }

 private:
  explicit TopicReader(std::unique_ptr<kafka::Consumer> consumer) : consumer_(std::move(consumer)) {}
  std::unique_ptr<kafka::Consumer> consumer_;
  std::vector<kafka::Record> records_;
};

}  // namespace messenger::friends::testing
