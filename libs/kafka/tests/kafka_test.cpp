// Integration tests against the Kafka broker of the running stack (KAFKA_BROKERS). Every test uses its own
// random topic and group, so tests can run in parallel and again.
#include <gtest/gtest.h>

#include <chrono>
#include <atomic>
#include <optional>
#include <thread>
#include <set>
#include <string>
#include <vector>

#include "messenger/common/config.hpp"
#include "messenger/common/ids.hpp"
#include "messenger/kafka/admin.hpp"
#include "messenger/kafka/consumer.hpp"
#include "messenger/kafka/producer.hpp"
#include "messenger/kafka/topics.hpp"

namespace messenger::kafka {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::string Brokers() { return KafkaSettings::FromEnv().brokers; }

std::string RandomName(const std::string& prefix) { return prefix + "-" + RandomToken(6); }

class KafkaTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (!topics_.empty()) (void)DeleteTopics(Brokers(), topics_, 30s);
  }

  // A fresh topic with `partitions` partitions, deleted after the test.
  std::string NewTopic(int partitions = 1) {
    std::string name = RandomName("test.kafka");
    Status s = EnsureTopics(Brokers(), {TopicSpec{name, partitions, 1}}, 30s);
    EXPECT_TRUE(s.ok()) << s;
    topics_.push_back(name);
    return name;
  }

  std::unique_ptr<Producer> NewProducer() {
    ProducerOptions options;
    options.brokers = Brokers();
    options.client_id = "kafka-test";
    options.message_timeout = 10s;
    options.unknown_topic_timeout = 2s;
    auto producer = Producer::Create(options);
    EXPECT_TRUE(producer.ok()) << producer.status();
    return producer.ok() ? std::move(*producer) : nullptr;
  }

  std::unique_ptr<Consumer> NewConsumer(const std::string& topic, const std::string& group) {
    ConsumerOptions options;
    options.brokers = Brokers();
    options.group_id = group;
    options.topics = {topic};
    options.retry_backoff = 300ms;
    options.session_timeout = 6s;
    auto consumer = Consumer::Create(options);
    EXPECT_TRUE(consumer.ok()) << consumer.status();
    return consumer.ok() ? std::move(*consumer) : nullptr;
  }

  std::vector<std::string> topics_;
};

// Polls until `done` says so or the deadline passes; returns whether `done` became true.
bool PollUntil(Consumer& consumer, const RecordHandler& handler, const std::function<bool()>& done,
               std::chrono::milliseconds within = 60s) {
  const auto deadline = Clock::now() + within;
  while (!done()) {
    if (Clock::now() > deadline) return false;
    (void)consumer.PollOnce(handler, 500ms);
  }
  return true;
}

TEST_F(KafkaTest, EnsureTopicsCreatesTopicAndIsIdempotent) {
  const std::string name = RandomName("test.kafka");
  topics_.push_back(name);
  std::vector<TopicSpec> specs = {TopicSpec{name, 3, 1}};
  ASSERT_TRUE(EnsureTopics(Brokers(), specs, 30s).ok());
  // Already there: still success, and usable right away.
  Status again = EnsureTopics(Brokers(), specs, 30s);
  ASSERT_TRUE(again.ok()) << again;

  auto producer = NewProducer();
  ASSERT_NE(producer, nullptr);
  Status sent = producer->Send(name, "k", "v", 15s);
  EXPECT_TRUE(sent.ok()) << sent;
}

TEST_F(KafkaTest, EnsureTopicsRejectsBadSpec) {
  Status s = EnsureTopics(Brokers(), {TopicSpec{RandomName("test.kafka"), 0, 1}}, 10s);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s;
}

TEST_F(KafkaTest, ProjectTopicsNamesTheThreeEventTopics) {
  std::set<std::string> names;
  for (const TopicSpec& t : ProjectTopics()) {
    names.insert(t.name);
    EXPECT_GE(t.partitions, 1);
  }
  EXPECT_EQ(names,
            (std::set<std::string>{"messenger.users.v1", "messenger.friends.v1", "messenger.chat.v1"}));
}

TEST_F(KafkaTest, SentRecordArrivesInNewGroupWithKeyAndValue) {
  const std::string topic = NewTopic(2);
  auto producer = NewProducer();
  ASSERT_NE(producer, nullptr);
  Status sent = producer->Send(topic, "user-42", std::string("payload\0with nul", 16), 15s);
  ASSERT_TRUE(sent.ok()) << sent;

  auto consumer = NewConsumer(topic, RandomName("group"));
  ASSERT_NE(consumer, nullptr);
  std::optional<Record> got;
  ASSERT_TRUE(PollUntil(
      *consumer,
      [&](const Record& r) {
        got = r;
        return OkStatus();
      },
      [&] { return got.has_value(); }));
  EXPECT_EQ(got->topic, topic);
  EXPECT_EQ(got->key, "user-42");
  EXPECT_EQ(got->value, std::string("payload\0with nul", 16));
  EXPECT_EQ(got->offset, 0);
  EXPECT_GT(got->timestamp_ms, 0);
}

TEST_F(KafkaTest, SendAsyncReportsEachDeliveryAndFlushWaitsForThem) {
  const std::string topic = NewTopic();
  auto producer = NewProducer();
  ASSERT_NE(producer, nullptr);
  std::mutex mu;
  std::vector<Status> results;
  for (int i = 0; i < 20; ++i) {
    producer->SendAsync(topic, "k", "v" + std::to_string(i), [&](Status s) {
      std::lock_guard lock(mu);
      results.push_back(std::move(s));
    });
  }
  ASSERT_TRUE(producer->Flush(15s).ok());
  std::lock_guard lock(mu);
  ASSERT_EQ(results.size(), 20u);
  for (const Status& s : results) EXPECT_TRUE(s.ok()) << s;
}

TEST_F(KafkaTest, HandlerFailureRedeliversSameRecordAndDoesNotCommitPastIt) {
  const std::string topic = NewTopic();  // one partition: a strict order to check
  auto producer = NewProducer();
  ASSERT_NE(producer, nullptr);
  for (const char* v : {"a", "b", "c"}) ASSERT_TRUE(producer->Send(topic, "same-key", v, 15s).ok());

  const std::string group = RandomName("group");
  std::vector<std::string> seen;
  int failures_left = 2;  // "b" is rejected twice, then accepted
  {
    auto consumer = NewConsumer(topic, group);
    ASSERT_NE(consumer, nullptr);
    auto handler = [&](const Record& r) -> Status {
      seen.push_back(r.value);
      if (r.value == "b" && failures_left > 0) {
        --failures_left;
        return UnavailableError("downstream not ready");
      }
      return OkStatus();
    };
    // Phase 1: until "b" has failed once; "c" must not be handled before "b" succeeded.
    ASSERT_TRUE(PollUntil(*consumer, handler, [&] { return failures_left == 1; }));
    consumer->Close();
  }
  ASSERT_EQ(seen, (std::vector<std::string>{"a", "b"}));

  // A new member of the group starts from the committed offset: "a" was committed, "b" was not.
  {
    auto consumer = NewConsumer(topic, group);
    ASSERT_NE(consumer, nullptr);
    auto handler = [&](const Record& r) -> Status {
      seen.push_back(r.value);
      if (r.value == "b" && failures_left > 0) {
        --failures_left;
        return UnavailableError("downstream not ready");
      }
      return OkStatus();
    };
    ASSERT_TRUE(PollUntil(*consumer, handler, [&] { return !seen.empty() && seen.back() == "c"; }));
  }
  // b failed (second consumer, first delivery), was redelivered after the backoff, then c.
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "b", "b", "c"}));
}

TEST_F(KafkaTest, PollOnceReturnsTheHandlerError) {
  const std::string topic = NewTopic();
  auto producer = NewProducer();
  ASSERT_NE(producer, nullptr);
  ASSERT_TRUE(producer->Send(topic, "k", "x", 15s).ok());
  auto consumer = NewConsumer(topic, RandomName("group"));
  ASSERT_NE(consumer, nullptr);
  std::optional<Status> returned;
  int calls = 0;
  const auto deadline = Clock::now() + 60s;
  while (calls == 0 && Clock::now() < deadline) {
    returned = consumer->PollOnce(
        [&](const Record&) {
          ++calls;
          return AbortedError("no");
        },
        500ms);
  }
  ASSERT_EQ(calls, 1);
  EXPECT_EQ(returned->code(), StatusCode::kAborted);
}

TEST_F(KafkaTest, SecondConsumerResumesAfterCommittedOffset) {
  const std::string topic = NewTopic(2);
  auto producer = NewProducer();
  ASSERT_NE(producer, nullptr);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(producer->Send(topic, "k" + std::to_string(i), "first", 15s).ok());

  const std::string group = RandomName("group");
  std::multiset<std::string> handled_first;
  {
    auto consumer = NewConsumer(topic, group);
    ASSERT_NE(consumer, nullptr);
    ASSERT_TRUE(PollUntil(
        *consumer,
        [&](const Record& r) {
          handled_first.insert(r.key);
          return OkStatus();
        },
        [&] { return handled_first.size() == 10; }));
    consumer->Close();
  }
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(producer->Send(topic, "k" + std::to_string(i), "second", 15s).ok());

  std::vector<std::string> handled_second;
  auto consumer = NewConsumer(topic, group);
  ASSERT_NE(consumer, nullptr);
  ASSERT_TRUE(PollUntil(
      *consumer,
      [&](const Record& r) {
        handled_second.push_back(r.value);
        return OkStatus();
      },
      [&] { return handled_second.size() >= 5; }));
  // Give a late redelivery of first-phase records a chance to show up.
  const auto until = Clock::now() + 2s;
  while (Clock::now() < until) {
    (void)consumer->PollOnce(
        [&](const Record& r) {
          handled_second.push_back(r.value);
          return OkStatus();
        },
        200ms);
  }
  EXPECT_EQ(handled_second, std::vector<std::string>(5, "second"));
}

TEST_F(KafkaTest, SendToMissingTopicFailsWithinTimeout) {
  auto producer = NewProducer();
  ASSERT_NE(producer, nullptr);
  const auto start = Clock::now();
  Status s = producer->Send(RandomName("test.kafka.missing"), "k", "v", 8s);
  const auto took = Clock::now() - start;
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s;
  EXPECT_EQ(s.reason(), kReasonNotPersisted) << s;
  EXPECT_LT(took, 8s + 500ms);
}

TEST_F(KafkaTest, SendTimeoutShorterThanDeliveryIsDeadlineExceeded) {
  auto producer = NewProducer();
  ASSERT_NE(producer, nullptr);
  const auto start = Clock::now();
  // The missing topic is only declared missing after unknown_topic_timeout (2s): Send gives up first.
  Status s = producer->Send(RandomName("test.kafka.missing"), "k", "v", 300ms);
  EXPECT_EQ(s.code(), StatusCode::kDeadlineExceeded) << s;
  EXPECT_EQ(s.reason(), kReasonDeliveryPending) << s;
  EXPECT_LT(Clock::now() - start, 2s);
}

TEST_F(KafkaTest, RunDeliversUntilStopped) {
  const std::string topic = NewTopic(2);
  auto producer = NewProducer();
  ASSERT_NE(producer, nullptr);
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(producer->Send(topic, "k" + std::to_string(i), "v", 15s).ok());
  auto consumer = NewConsumer(topic, RandomName("group"));
  ASSERT_NE(consumer, nullptr);
  std::atomic<int> handled{0};
  {
    std::jthread runner([&](std::stop_token stop) {
      consumer->Run(
          [&](const Record&) {
            ++handled;
            return OkStatus();
          },
          stop);
    });
    const auto deadline = Clock::now() + 60s;
    while (handled.load() < 6 && Clock::now() < deadline) std::this_thread::sleep_for(50ms);
  }  // request_stop + join: Run must return
  EXPECT_EQ(handled.load(), 6);
}

TEST_F(KafkaTest, ConsumingMissingTopicReportsNotFound) {
  auto consumer = NewConsumer(RandomName("test.kafka.missing"), RandomName("group"));
  ASSERT_NE(consumer, nullptr);
  Status last;
  const auto deadline = Clock::now() + 30s;
  while (last.ok() && Clock::now() < deadline) {
    last = consumer->PollOnce([](const Record&) { return OkStatus(); }, 500ms);
  }
  EXPECT_EQ(last.code(), StatusCode::kNotFound) << last;
}

TEST_F(KafkaTest, ConsumerRejectsIncompleteOptions) {
  ConsumerOptions options;
  options.brokers = Brokers();
  options.topics = {"x"};
  EXPECT_EQ(Consumer::Create(options).status().code(), StatusCode::kInvalidArgument);
  ProducerOptions popts;
  popts.brokers = Brokers();
  popts.extra["no.such.property"] = "1";
  EXPECT_EQ(Producer::Create(popts).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace messenger::kafka
