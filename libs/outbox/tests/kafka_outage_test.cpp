// The key scenario, against the real PostgreSQL and Kafka: an event committed while the broker is
// down is published once the broker is back, exactly once. This binary stops the shared broker, so it is
// registered SERIAL (ctest runs it alone).
#include <gtest/gtest.h>

#include <cstdlib>

#include "kafka_support.hpp"
#include "messenger/kafka/admin.hpp"
#include "messenger/outbox/kafka_publisher.hpp"
#include "messenger/outbox/outbox.hpp"
#include "messenger/outbox/relay.hpp"
#include "messenger/pg/testing/test_database.hpp"

namespace messenger::outbox {
namespace {

using namespace std::chrono_literals;

// Stops the broker of the test stack, and starts it again when destroyed, whatever happened in between.
class BrokerOutage {
 public:
  BrokerOutage() = default;
  ~BrokerOutage() {
    if (stopped_) (void)Ctl("start");
  }
  BrokerOutage(const BrokerOutage&) = delete;
  BrokerOutage& operator=(const BrokerOutage&) = delete;

  bool Stop() {
    stopped_ = true;  // even a failed stop may have stopped it
    return Ctl("stop");
  }
  bool Start() {
    bool ok = Ctl("start");
    if (ok) stopped_ = false;
    return ok;
  }

 private:
  static bool Ctl(const std::string& action) {
    const char* dev = std::getenv("MESSENGER_DEV");
    const char* profile = std::getenv("MESSENGER_PROFILE");
    if (dev == nullptr || profile == nullptr) return false;
    std::string command = "'" + std::string(dev) + "' ctl '" + profile + "' " + action + " kafka";
    return std::system(command.c_str()) == 0;
  }
  bool stopped_ = false;
};

TEST(KafkaOutageTest, EventCommittedWhileBrokerIsDownArrivesExactlyOnceAfterItReturns) {
  ASSERT_NE(std::getenv("MESSENGER_DEV"), nullptr) << "load the environment: eval \"$(./dev env test)\"";
  ASSERT_NE(std::getenv("MESSENGER_PROFILE"), nullptr);

  const std::string topic = testing::RandomTopic();
  ASSERT_TRUE(kafka::EnsureTopics(testing::Brokers(), {kafka::TopicSpec{topic, 1, 1}}, 30s).ok());
  auto db = pg::testing::TestDatabase::Create();
  ASSERT_TRUE(db.ok()) << db.status();
  auto pool = (*db)->NewPool(3);
  ASSERT_TRUE(pool.ok()) << pool.status();
  ASSERT_TRUE(EnsureSchema(**pool).ok());

  KafkaPublisherOptions publisher_options;
  publisher_options.brokers = testing::Brokers();
  publisher_options.message_timeout = 5s;
  auto publisher = KafkaPublisher::Create(publisher_options);
  ASSERT_TRUE(publisher.ok()) << publisher.status();
  RelayOptions relay_options;
  relay_options.initial_backoff = 200ms;
  relay_options.max_backoff = 2s;
  Relay relay(**pool, **publisher, relay_options);
  relay.Start();

  auto count_unpublished = [&](const std::string& event_id) {
    auto n = (*pool)->TransactValue([&](pqxx::work& txn) -> StatusOr<int> {
      return txn
          .exec_params1("SELECT count(*) FROM outbox WHERE event_id = $1 AND published_at IS NULL",
                        event_id)[0]
          .as<int>();
    });
    return n.ok() ? *n : -1;
  };

  BrokerOutage outage;
  ASSERT_TRUE(outage.Stop());

  const std::string event_id = NewUuid();
  const std::string payload = "outage-event " + event_id;
  ASSERT_TRUE((*pool)
                  ->Transact([&](pqxx::work& txn) {
                    return Enqueue(txn, Event{event_id, topic, "chat-42", payload});
                  })
                  .ok());

  // The relay tries, fails and keeps the event.
  const int64_t failures_before = relay.stats().failed_batches;
  ASSERT_TRUE(testing::WaitUntil([&] { return relay.stats().failed_batches > failures_before; }, 60s))
      << "the relay never failed while the broker was down";
  EXPECT_EQ(count_unpublished(event_id), 1) << "published while the broker was down?";

  ASSERT_TRUE(outage.Start());
  ASSERT_TRUE(testing::WaitUntil([&] { return count_unpublished(event_id) == 0; }, 120s))
      << "not published after the broker came back; last error: " << relay.stats().last_error;

  kafka::ConsumerOptions consumer_options;
  consumer_options.brokers = testing::Brokers();
  consumer_options.group_id = "test.outbox-" + RandomToken(6);
  consumer_options.topics = {topic};
  auto consumer = kafka::Consumer::Create(consumer_options);
  ASSERT_TRUE(consumer.ok()) << consumer.status();
  std::vector<kafka::Record> seen;
  auto copies = [&] {
    return std::count_if(seen.begin(), seen.end(),
                         [&](const kafka::Record& r) { return r.value == payload; });
  };
  ASSERT_TRUE(testing::ConsumeUntil(
      **consumer, seen, [&] { return copies() >= 1; }, 60s));
  // Keep reading a while longer: a duplicate would show up here.
  (void)testing::ConsumeUntil(
      **consumer, seen, [] { return false; }, 5s);
  EXPECT_EQ(copies(), 1);
  EXPECT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen.front().key, "chat-42");

  relay.Stop();
  (*consumer).reset();  // before the topic goes: destroying a consumer of a deleted topic can hang
  (void)kafka::DeleteTopics(testing::Brokers(), {topic}, 30s);
}

}  // namespace
}  // namespace messenger::outbox
