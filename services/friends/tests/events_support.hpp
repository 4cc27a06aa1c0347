// A FriendshipService publishing through the real outbox relay to a Kafka topic of its own, for the event
// tests (events_test.cpp, kafka_outage_test.cpp).
#pragma once

#include <gtest/gtest.h>

#include <set>

#include "friends/domain/friendship_service.hpp"
#include "friends/storage/pg_friendship_repository.hpp"
#include "friends/storage/redis_friend_cache.hpp"
#include "friends/storage/redis_presence.hpp"
#include "friends/tests/fake_user_directory.hpp"
#include "friends/tests/integration_support.hpp"
#include "messenger/outbox/kafka_publisher.hpp"
#include "messenger/outbox/relay.hpp"

namespace messenger::friends::testing {

class EventsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(topic_.Create().ok());
    auto schema = TestSchema::Create(4);
    ASSERT_TRUE(schema.ok()) << schema.status();
    schema_ = std::move(*schema);
    auto repository = PgFriendshipRepository::Create(*schema_.pool, topic_.name());
    ASSERT_TRUE(repository.ok()) << repository.status();
    repository_ = std::move(*repository);
    RedisFriendCacheOptions options;
    options.prefix = redis_.prefix();
    cache_ = std::make_unique<RedisFriendCache>(redis_.connection(), options);
    presence_ = std::make_unique<RedisPresence>(redis_.connection(), redis_.prefix() + "presence:");
    service_ = std::make_unique<FriendshipService>(*repository_, *cache_, directory_, *presence_, clock_);

    outbox::KafkaPublisherOptions publisher_options;
    publisher_options.brokers = Brokers();
    publisher_options.message_timeout = std::chrono::seconds(5);
    auto publisher = outbox::KafkaPublisher::Create(publisher_options);
    ASSERT_TRUE(publisher.ok()) << publisher.status();
    publisher_ = std::move(*publisher);
    outbox::RelayOptions relay_options;
    relay_options.initial_backoff = std::chrono::milliseconds(200);
    relay_options.max_backoff = std::chrono::seconds(2);
    relay_ = std::make_unique<outbox::Relay>(*schema_.pool, *publisher_, relay_options);
    relay_->Start();
  }
  void TearDown() override {
    if (relay_) relay_->Stop();
  }

  std::string NewUser(const std::string& nickname) {
    std::string id = NewUuid();
    directory_.Add(id, nickname);
    return id;
  }
  std::int64_t Unpublished() {
    auto n = QueryInt(*schema_.pool, "SELECT count(*) FROM outbox WHERE published_at IS NULL");
    return n.ok() ? *n : -1;
  }

  // The records' envelopes, decoded, keyed by event_id (a record delivered twice counts once).
  struct Seen {
    std::vector<std::string> names;  // in topic order, one per distinct event
    std::vector<std::string> keys;
    std::vector<events::v1::Envelope> envelopes;
    std::size_t raw_records = 0;
  };
  static Seen Decode(const std::vector<kafka::Record>& records) {
    Seen seen;
    std::set<std::string> ids;
    for (const kafka::Record& r : records) {
      ++seen.raw_records;
      events::v1::Envelope e;
      EXPECT_TRUE(e.ParseFromString(r.value));
      if (!ids.insert(e.event_id()).second) continue;
      seen.names.push_back(PayloadName(e));
      seen.keys.push_back(r.key);
      seen.envelopes.push_back(e);
    }
    return seen;
  }

  SystemClock clock_;
  TestTopic topic_;
  TestSchema schema_;
  TestRedis redis_;
  FakeUserDirectory directory_;
  std::unique_ptr<PgFriendshipRepository> repository_;
  std::unique_ptr<RedisFriendCache> cache_;
  std::unique_ptr<RedisPresence> presence_;
  std::unique_ptr<FriendshipService> service_;
  std::unique_ptr<outbox::KafkaPublisher> publisher_;
  std::unique_ptr<outbox::Relay> relay_;
};

}  // namespace messenger::friends::testing
