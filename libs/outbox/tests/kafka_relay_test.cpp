// The relay with KafkaPublisher against the real PostgreSQL and Kafka (broker up the whole time).
#include <gtest/gtest.h>

#include "kafka_support.hpp"
#include "messenger/kafka/admin.hpp"
#include "messenger/outbox/kafka_publisher.hpp"
#include "messenger/outbox/outbox.hpp"
#include "messenger/outbox/relay.hpp"
#include "messenger/pg/testing/test_database.hpp"

namespace messenger::outbox {
namespace {

using namespace std::chrono_literals;

TEST(KafkaRelayTest, PublishesEveryEventOnceInOrder) {
  const std::string topic = testing::RandomTopic();
  ASSERT_TRUE(kafka::EnsureTopics(testing::Brokers(), {kafka::TopicSpec{topic, 1, 1}}, 30s).ok());
  auto db = pg::testing::TestDatabase::Create();
  ASSERT_TRUE(db.ok()) << db.status();
  auto pool = (*db)->NewPool(2);
  ASSERT_TRUE(pool.ok()) << pool.status();
  ASSERT_TRUE(EnsureSchema(**pool).ok());

  constexpr int kEvents = 30;
  std::vector<std::string> expected;
  for (int i = 0; i < kEvents; ++i) {
    std::string payload = "event-" + std::to_string(i) + std::string("\0\xff", 2);
    expected.push_back(payload);
    Status s = (*pool)->Transact([&](pqxx::work& txn) {
      return Enqueue(txn, Event{NewUuid(), topic, "key-" + std::to_string(i % 3), payload});
    });
    ASSERT_TRUE(s.ok()) << s;
  }

  KafkaPublisherOptions publisher_options;
  publisher_options.brokers = testing::Brokers();
  auto publisher = KafkaPublisher::Create(publisher_options);
  ASSERT_TRUE(publisher.ok()) << publisher.status();
  RelayOptions options;
  options.batch_size = 8;  // several batches
  Relay relay(**pool, **publisher, options);
  int published = 0;
  while (published < kEvents) {
    StatusOr<int> n = relay.RunOnce();
    ASSERT_TRUE(n.ok()) << n.status();
    ASSERT_GT(*n, 0);
    published += *n;
  }
  EXPECT_EQ(published, kEvents);

  kafka::ConsumerOptions consumer_options;
  consumer_options.brokers = testing::Brokers();
  consumer_options.group_id = "test.outbox-" + RandomToken(6);
  consumer_options.topics = {topic};
  auto consumer = kafka::Consumer::Create(consumer_options);
  ASSERT_TRUE(consumer.ok()) << consumer.status();
  std::vector<kafka::Record> seen;
  ASSERT_TRUE(testing::ConsumeUntil(
      **consumer, seen, [&] { return seen.size() >= kEvents; }, 60s));
  std::vector<std::string> values;
  for (const auto& r : seen) values.push_back(r.value);
  EXPECT_EQ(values, expected);  // one partition: the table's id order, each once
  EXPECT_EQ(seen[1].key, "key-1");
  (*consumer).reset();  // before the topic goes: destroying a consumer of a deleted topic can hang
  (void)kafka::DeleteTopics(testing::Brokers(), {topic}, 30s);
}

}  // namespace
}  // namespace messenger::outbox
