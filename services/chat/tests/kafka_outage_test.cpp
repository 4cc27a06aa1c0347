// Kafka stopped while messages are being sent: sends keep succeeding (MongoDB holds them unpublished), and
// once the broker is back every stored message reaches the topic exactly once, in order. Stops the shared
// broker, so this binary runs alone (SERIAL).
#include <gtest/gtest.h>

#include <cstdlib>
#include <thread>

#include "chat/domain/chat_service.hpp"
#include "chat/domain/event_relay.hpp"
#include "chat/storage/kafka_event_publisher.hpp"
#include "chat/tests/fakes.hpp"
#include "chat/tests/integration_support.hpp"

namespace messenger::chat {
namespace {

using namespace std::chrono_literals;
using testing::FakeFriends;
using testing::FakeUsers;
using testing::TestMongo;
using testing::TestRedis;
using testing::TestTopic;
using testing::TopicReader;

int Ctl(const std::string& action) {
  const std::string dev = EnvString("MESSENGER_DEV", "");
  const std::string profile = EnvString("MESSENGER_PROFILE", "test");
  if (dev.empty()) return -1;
  return std::system(("'" + dev + "' ctl '" + profile + "' " + action + " kafka >/dev/null 2>&1").c_str());
}

// Stops the broker for as long as it lives; starts it again whatever happens to the test.
class KafkaStopped {
 public:
  KafkaStopped() : stopped_(Ctl("stop") == 0) {}
  ~KafkaStopped() { Restart(); }
  bool stopped() const { return stopped_; }
  void Restart() {
    if (stopped_) stopped_ = Ctl("start") != 0;
  }

 private:
  bool stopped_;
};

TEST(KafkaOutageTest, MessagesSentWhileKafkaIsDownArePublishedOnceWhenItReturns) {
  TestMongo mongo;
  TestRedis redis;
  TestTopic topic;
  ASSERT_TRUE(topic.Create().ok());
  auto reader = TopicReader::Create(topic.name());
  ASSERT_TRUE(reader.ok()) << reader.status();

  KafkaEventPublisherOptions publisher_options;
  publisher_options.brokers = testing::Brokers();
  publisher_options.topic = topic.name();
  publisher_options.message_timeout = 3s;
  auto publisher = KafkaEventPublisher::Create(publisher_options);
  ASSERT_TRUE(publisher.ok()) << publisher.status();
  auto chats = mongo.NewChatStore();
  auto messages = mongo.NewMessageStore();
  auto cache = redis.NewCache();
  EventRelayOptions relay_options;
  relay_options.scan_interval = 200ms;
  relay_options.retry_backoff = 300ms;
  EventRelay relay(*messages, *chats, *cache, **publisher, relay_options);
  FakeUsers users;
  FakeFriends friends;
  SystemClock clock;
  ChatService service(*chats, *messages, *cache, friends, users, relay, clock);
  const std::string alice = users.Add(), bob = users.Add();
  friends.Befriend(alice, bob);
  const std::string chat = service.CreateChat(alice, {bob})->chat.info.chat_id;
  relay.Start();

  auto send = [&](int n, const std::string& label) {
    for (int i = 0; i < n; ++i) {
      auto sent = service.SendMessage(chat, i % 2 ? alice : bob, label + std::to_string(i), "");
      ASSERT_TRUE(sent.ok()) << sent.status();
    }
  };
  send(10, "before ");
  ASSERT_TRUE((*reader)->ReadAtLeast(10, 30s));

  {
    KafkaStopped outage;
    ASSERT_TRUE(outage.stopped()) << "could not stop Kafka (MESSENGER_DEV / MESSENGER_PROFILE)";
    send(25, "during ");  // acknowledged by MongoDB; the relay keeps failing and retrying meanwhile
    std::this_thread::sleep_for(4s);  // let several publish attempts time out while the broker is down
    auto unpublished = messages->ListUnpublished(100);
    ASSERT_TRUE(unpublished.ok()) << unpublished.status();
    EXPECT_EQ(unpublished->size(), 25u);
    outage.Restart();
    ASSERT_FALSE(outage.stopped()) << "could not restart Kafka";
  }
  send(5, "after ");

  ASSERT_TRUE((*reader)->ReadAtLeast(40, 120s)) << "read " << (*reader)->events().size() << " of 40";
  (*reader)->Drain(3s);
  relay.Stop();
  std::map<std::string, int> counts = (*reader)->MessageSentCounts();
  EXPECT_EQ(counts.size(), 40u);
  int64_t expected_seq = 1;
  for (const TopicReader::Event& e : (*reader)->events()) {
    ASSERT_TRUE(e.envelope.has_message_sent());
    EXPECT_EQ(counts[e.envelope.message_sent().message_id()], 1) << "seq " << e.envelope.message_sent().seq();
    EXPECT_EQ(e.envelope.message_sent().seq(), expected_seq++);
  }
  EXPECT_TRUE(messages->ListUnpublished(10)->empty());
}

}  // namespace
}  // namespace messenger::chat
