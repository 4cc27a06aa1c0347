// ConsumerOptions::start_not_before against the real broker (KAFKA_BROKERS): partitions are pinned to a
// concrete offset when assigned, so a consumer that reports them positioned misses nothing produced later and
// replays nothing older than the time. Every test has its own topic and group.
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "messenger/common/config.hpp"
#include "messenger/common/ids.hpp"
#include "messenger/kafka/admin.hpp"
#include "messenger/kafka/consumer.hpp"
#include "messenger/kafka/producer.hpp"

namespace messenger::kafka {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

std::string Brokers() { return KafkaSettings::FromEnv().brokers; }

class KafkaStartPositionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    topic_ = "test.kafka.start-" + RandomToken(6);
    Status s = EnsureTopics(Brokers(), {TopicSpec{topic_, 2, 1}}, 30s);
    ASSERT_TRUE(s.ok()) << s;
    ProducerOptions options;
    options.brokers = Brokers();
    options.client_id = "kafka-start-test";
    options.message_timeout = 10s;
    auto producer = Producer::Create(options);
    ASSERT_TRUE(producer.ok()) << producer.status();
    producer_ = std::move(*producer);
  }
  void TearDown() override { (void)DeleteTopics(Brokers(), {topic_}, 30s); }

  std::unique_ptr<Consumer> NewConsumer(const std::string& group,
                                        std::chrono::system_clock::time_point not_before) {
    ConsumerOptions options;
    options.brokers = Brokers();
    options.group_id = group;
    options.topics = {topic_};
    options.from_beginning = true;  // pinning must win over the reset policy
    options.session_timeout = 6s;
    options.start_not_before = not_before;
    auto consumer = Consumer::Create(options);
    EXPECT_TRUE(consumer.ok()) << consumer.status();
    return consumer.ok() ? std::move(*consumer) : nullptr;
  }

  void Produce(const std::string& value, int count) {
    for (int i = 0; i < count; ++i) {
      ASSERT_TRUE(producer_->Send(topic_, "k" + std::to_string(i), value, 15s).ok());
    }
  }

  // Polls, collecting values, until `done` or 60 s.
  static bool PollUntil(Consumer& consumer, std::vector<std::string>& values,
                        const std::function<bool()>& done) {
    const auto deadline = SteadyClock::now() + 60s;
    while (!done()) {
      if (SteadyClock::now() > deadline) return false;
      (void)consumer.PollOnce(
          [&](const Record& r) {
            values.push_back(r.value);
            return OkStatus();
          },
          200ms);
    }
    return true;
  }

  // Keeps polling for `time` to give records that should not come a chance to show up.
  static void PollFor(Consumer& consumer, std::vector<std::string>& values, std::chrono::milliseconds time) {
    const auto until = SteadyClock::now() + time;
    while (SteadyClock::now() < until) {
      (void)consumer.PollOnce(
          [&](const Record& r) {
            values.push_back(r.value);
            return OkStatus();
          },
          100ms);
    }
  }

  std::string topic_;
  std::unique_ptr<Producer> producer_;
};

TEST_F(KafkaStartPositionTest, NewGroupSkipsRecordsOlderThanTheTimeAndGetsEverythingAfterIt) {
  Produce("old", 6);
  // Record timestamps have millisecond resolution: make "now" strictly later than the old records.
  std::this_thread::sleep_for(5ms);
  auto consumer = NewConsumer("group-" + RandomToken(6), std::chrono::system_clock::now());
  ASSERT_NE(consumer, nullptr);
  Produce("new", 6);  // most likely before the group is even joined
  std::vector<std::string> values;
  ASSERT_TRUE(PollUntil(*consumer, values, [&] { return values.size() >= 6; }));
  PollFor(*consumer, values, 1500ms);
  EXPECT_EQ(values, std::vector<std::string>(6, "new"));
  EXPECT_EQ(consumer->AssignedPartitions(), 2);
  EXPECT_EQ(consumer->PositionedPartitions(), 2);
}

TEST_F(KafkaStartPositionTest, NothingProducedAfterPositioningIsSkipped) {
  auto consumer = NewConsumer("group-" + RandomToken(6), std::chrono::system_clock::now());
  ASSERT_NE(consumer, nullptr);
  std::vector<std::string> values;
  ASSERT_TRUE(PollUntil(*consumer, values, [&] { return consumer->PositionedPartitions() == 2; }));
  // Produced before the first fetch could have resolved a lazy "latest": a pinned start still sees them.
  Produce("after", 8);
  ASSERT_TRUE(PollUntil(*consumer, values, [&] { return values.size() >= 8; }));
  EXPECT_EQ(values, std::vector<std::string>(8, "after"));
}

TEST_F(KafkaStartPositionTest, CommittedOffsetAheadOfTheTimeWins) {
  const auto long_ago = std::chrono::system_clock::now() - std::chrono::hours(1);
  const std::string group = "group-" + RandomToken(6);
  Produce("first", 5);
  {
    auto consumer = NewConsumer(group, long_ago);
    ASSERT_NE(consumer, nullptr);
    std::vector<std::string> values;
    ASSERT_TRUE(PollUntil(*consumer, values, [&] { return values.size() >= 5; }));
    EXPECT_EQ(values, std::vector<std::string>(5, "first"));
    consumer->Close();
  }
  Produce("second", 4);  // while nobody of the group runs: a restarted member must not skip these
  auto consumer = NewConsumer(group, long_ago);
  ASSERT_NE(consumer, nullptr);
  std::vector<std::string> values;
  ASSERT_TRUE(PollUntil(*consumer, values, [&] { return values.size() >= 4; }));
  PollFor(*consumer, values, 1500ms);
  EXPECT_EQ(values, std::vector<std::string>(4, "second"));
}

TEST_F(KafkaStartPositionTest, WithoutTheOptionNothingIsPositioned) {
  ConsumerOptions options;
  options.brokers = Brokers();
  options.group_id = "group-" + RandomToken(6);
  options.topics = {topic_};
  auto consumer = Consumer::Create(options);
  ASSERT_TRUE(consumer.ok()) << consumer.status();
  std::vector<std::string> values;
  ASSERT_TRUE(PollUntil(**consumer, values, [&] { return (*consumer)->AssignedPartitions() == 2; }));
  EXPECT_EQ((*consumer)->PositionedPartitions(), 0);
}

}  // namespace
}  // namespace messenger::kafka
