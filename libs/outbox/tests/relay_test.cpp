// The relay against the real PostgreSQL, with an in-memory publisher.
#include "messenger/outbox/relay.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>
#include <thread>

#include "in_memory_publisher.hpp"
#include "messenger/common/ids.hpp"
#include "messenger/outbox/outbox.hpp"
#include "messenger/pg/testing/test_database.hpp"

namespace messenger::outbox {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

bool WaitUntil(const std::function<bool()>& done, std::chrono::milliseconds within = 20s) {
  auto deadline = SteadyClock::now() + within;
  while (!done()) {
    if (SteadyClock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

class RelayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = pg::testing::TestDatabase::Create();
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(db).value();
    auto pool = db_->NewPool(4);
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = std::move(pool).value();
    Status schema = EnsureSchema(*pool_);
    ASSERT_TRUE(schema.ok()) << schema;
  }

  // Enqueues one event per call in its own committed transaction; returns its payload.
  std::string EnqueueOne(const std::string& key, const std::string& payload) {
    Status s = pool_->Transact([&](pqxx::work& txn) {
      return Enqueue(txn, Event{NewUuid(), "topic.a", key, payload});
    });
    EXPECT_TRUE(s.ok()) << s;
    return payload;
  }

  int64_t CountRows(const std::string& where) {
    auto n = pool_->TransactValue([&](pqxx::work& txn) -> StatusOr<int64_t> {
      return txn.exec1("SELECT count(*) FROM outbox WHERE " + where)[0].as<int64_t>();
    });
    EXPECT_TRUE(n.ok()) << n.status();
    return n.ok() ? *n : -1;
  }

  static std::vector<std::string> Payloads(const std::vector<Message>& messages) {
    std::vector<std::string> out;
    for (const Message& m : messages) out.push_back(m.payload);
    return out;
  }

  std::unique_ptr<pg::testing::TestDatabase> db_;
  std::unique_ptr<pg::Pool> pool_;
  InMemoryPublisher publisher_;
};

TEST_F(RelayTest, EnqueueIsPartOfTheCallersTransaction) {
  Status rolled_back = pool_->Transact([](pqxx::work& txn) -> Status {
    MESSENGER_RETURN_IF_ERROR(Enqueue(txn, Event{NewUuid(), "topic.a", "k", "never"}));
    return AbortedError("the business change failed");
  });
  EXPECT_EQ(rolled_back.code(), StatusCode::kAborted);
  EXPECT_EQ(CountRows("true"), 0);

  const std::string id = NewUuid();
  ASSERT_TRUE(pool_->Transact([&](pqxx::work& txn) {
                     return Enqueue(txn, Event{id, "topic.a", "k", "x"});
                   })
                  .ok());
  EXPECT_EQ(CountRows("published_at IS NULL"), 1);

  Status duplicate = pool_->Transact([&](pqxx::work& txn) {
    return Enqueue(txn, Event{id, "topic.a", "k", "again"});
  });
  EXPECT_EQ(duplicate.code(), StatusCode::kAlreadyExists) << duplicate;
  Status bad_id = pool_->Transact([](pqxx::work& txn) {
    return Enqueue(txn, Event{"not-a-uuid", "topic.a", "k", "x"});
  });
  EXPECT_EQ(bad_id.code(), StatusCode::kInvalidArgument);
  Status no_topic = pool_->Transact([](pqxx::work& txn) {
    return Enqueue(txn, Event{NewUuid(), "", "k", "x"});
  });
  EXPECT_EQ(no_topic.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CountRows("true"), 1);
}

TEST_F(RelayTest, PublishesInIdOrderOnceAndMarksRows) {
  std::vector<std::string> expected;
  expected.push_back(EnqueueOne("chat-1", "e1"));
  expected.push_back(EnqueueOne("chat-2", "e2"));
  // Two events in one transaction keep their order too; payloads are bytes.
  const std::string binary("b\0\xff", 3);
  ASSERT_TRUE(pool_
                  ->Transact([&](pqxx::work& txn) -> Status {
                    MESSENGER_RETURN_IF_ERROR(Enqueue(txn, Event{NewUuid(), "topic.b", "chat-1", "e3"}));
                    return Enqueue(txn, Event{NewUuid(), "topic.b", "chat-1", binary});
                  })
                  .ok());
  expected.push_back("e3");
  expected.push_back(binary);

  Relay relay(*pool_, publisher_);
  StatusOr<int> n = relay.RunOnce();
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 4);
  EXPECT_EQ(Payloads(publisher_.published()), expected);
  EXPECT_EQ(publisher_.published()[2].topic, "topic.b");
  EXPECT_EQ(publisher_.published()[2].key, "chat-1");
  EXPECT_EQ(CountRows("published_at IS NULL"), 0);

  EXPECT_EQ(relay.RunOnce().value(), 0);
  EXPECT_EQ(publisher_.published().size(), 4u);
  EXPECT_EQ(relay.stats().published, 4);
}

TEST_F(RelayTest, FailureStopsTheBatchAndALaterRunPublishesTheRestOnce) {
  std::vector<std::string> expected;
  for (int i = 0; i < 5; ++i) expected.push_back(EnqueueOne("same-key", "e" + std::to_string(i)));

  publisher_.FailAttempt(3);
  Relay relay(*pool_, publisher_);
  StatusOr<int> failed = relay.RunOnce();
  EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(Payloads(publisher_.published()), (std::vector<std::string>{"e0", "e1"}));
  EXPECT_EQ(CountRows("published_at IS NOT NULL"), 2);
  EXPECT_EQ(relay.stats().failed_batches, 1);
  EXPECT_FALSE(relay.stats().last_error.empty());

  StatusOr<int> rest = relay.RunOnce();
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_EQ(*rest, 3);
  EXPECT_EQ(Payloads(publisher_.published()), expected);
  EXPECT_EQ(CountRows("published_at IS NULL"), 0);
  EXPECT_TRUE(relay.stats().last_error.empty());
}

TEST_F(RelayTest, BackgroundRelayKeepsTryingWhilePublisherIsDown) {
  RelayOptions options;
  options.initial_backoff = 20ms;
  options.max_backoff = 100ms;
  Relay relay(*pool_, publisher_, options);
  publisher_.SetDown(true);
  relay.Start();
  EnqueueOne("k", "during outage");
  ASSERT_TRUE(WaitUntil([&] { return relay.stats().failed_batches >= 3; }));
  EXPECT_TRUE(publisher_.published().empty());
  EXPECT_EQ(CountRows("published_at IS NULL"), 1);

  publisher_.SetDown(false);
  ASSERT_TRUE(WaitUntil([&] { return CountRows("published_at IS NULL") == 0; }));
  relay.Stop();
  EXPECT_EQ(Payloads(publisher_.published()), std::vector<std::string>{"during outage"});
}

TEST_F(RelayTest, NotifyWakesTheRelayBeforeThePollInterval) {
  RelayOptions options;
  options.poll_interval = 30s;
  Relay relay(*pool_, publisher_, options);
  relay.Start();
  // The first event may be found by the relay's first look at the table; the second can only be found
  // quickly through NOTIFY, since the relay then waits for up to 30s.
  EnqueueOne("k", "first");
  ASSERT_TRUE(WaitUntil([&] { return publisher_.published().size() == 1; }, 10s));
  auto start = SteadyClock::now();
  EnqueueOne("k", "second");
  ASSERT_TRUE(WaitUntil([&] { return publisher_.published().size() == 2; }, 10s));
  EXPECT_LT(SteadyClock::now() - start, 5s);

  auto stop_start = SteadyClock::now();
  relay.Stop();
  EXPECT_LT(SteadyClock::now() - stop_start, 2s);
}

TEST_F(RelayTest, TwoRelaysNeverPublishARowTwice) {
  auto other_pool = db_->NewPool(2);
  ASSERT_TRUE(other_pool.ok()) << other_pool.status();
  // Both relays (as in two replicas of a service) hand records to one recording publisher, so that the
  // global publish order can be checked. The delay widens the window in which they could collide.
  publisher_.SetDelay(1ms);
  RelayOptions options;
  options.batch_size = 7;
  options.poll_interval = 20ms;
  Relay first(*pool_, publisher_, options);
  Relay second(**other_pool, publisher_, options);
  first.Start();
  second.Start();

  constexpr int kEvents = 200;
  constexpr int kKeys = 5;
  std::thread writer([&] {
    for (int i = 0; i < kEvents; ++i) EnqueueOne("key-" + std::to_string(i % kKeys), std::to_string(i));
  });
  // Meanwhile batches run by hand on this thread compete with both relays.
  Relay by_hand(*pool_, publisher_, options);
  for (int i = 0; i < 20; ++i) EXPECT_TRUE(by_hand.RunOnce().ok());
  writer.join();
  ASSERT_TRUE(WaitUntil([&] { return CountRows("published_at IS NULL") == 0; }));
  first.Stop();
  second.Stop();

  std::map<std::string, int> times;
  std::map<std::string, int> last_per_key;
  for (const Message& m : publisher_.published()) {
    ++times[m.payload];
    int value = std::stoi(m.payload);
    auto it = last_per_key.find(m.key);
    if (it != last_per_key.end()) {
      EXPECT_LT(it->second, value) << "key " << m.key << " out of order";
    }
    last_per_key[m.key] = value;
  }
  ASSERT_EQ(times.size(), static_cast<size_t>(kEvents));
  for (const auto& [payload, count] : times) EXPECT_EQ(count, 1) << "event " << payload;
  EXPECT_EQ(CountRows("published_at IS NOT NULL"), kEvents);
  EXPECT_GT(first.stats().published + second.stats().published, 0);
}

TEST_F(RelayTest, PruneDeletesOnlyRowsPublishedLongerAgoThanRetention) {
  EnqueueOne("k", "old");
  EnqueueOne("k", "recent");
  Relay relay(*pool_, publisher_);
  ASSERT_EQ(relay.RunOnce().value(), 2);
  EnqueueOne("k", "unpublished");
  ASSERT_TRUE(pool_
                  ->Transact([](pqxx::work& txn) {
                    txn.exec0(
                        "UPDATE outbox SET published_at = now() - interval '25 hours' "
                        "WHERE payload = 'old'::bytea");
                    return OkStatus();
                  })
                  .ok());
  StatusOr<int64_t> pruned = relay.PruneOnce();
  ASSERT_TRUE(pruned.ok()) << pruned.status();
  EXPECT_EQ(*pruned, 1);
  EXPECT_EQ(CountRows("payload = 'old'::bytea"), 0);
  EXPECT_EQ(CountRows("true"), 2);
}

TEST_F(RelayTest, EnsureSchemaIsIdempotentAndSafeConcurrently) {
  Status a;
  Status b;
  std::thread t1([&] { a = EnsureSchema(*pool_); });
  std::thread t2([&] { b = EnsureSchema(*pool_); });
  t1.join();
  t2.join();
  EXPECT_TRUE(a.ok()) << a;
  EXPECT_TRUE(b.ok()) << b;
}

}  // namespace
}  // namespace messenger::outbox
