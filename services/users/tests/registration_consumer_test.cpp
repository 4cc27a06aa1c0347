// The UserRegistered consumer end to end: a real Envelope produced to a fresh Kafka topic turns into a
// profile in a fresh PostgreSQL database, through RegistrationConsumer::Run.
#include "users/api/registration_consumer.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "integration_env.hpp"
#include "messenger/events/v1/events.pb.h"
#include "messenger/kafka/admin.hpp"
#include "messenger/kafka/producer.hpp"
#include "users/domain/registration_handler.hpp"

namespace messenger::users {
namespace {

using namespace std::chrono_literals;

class UsersRegistrationConsumerTest : public UsersIntegrationTest {
 protected:
  void SetUp() override {
    UsersIntegrationTest::SetUp();
    if (HasFatalFailure()) return;
    topic_ = "test.users." + RandomToken(8);
    Status created = kafka::EnsureTopics(Brokers(), {kafka::TopicSpec{topic_, 2, 1}}, 30s);
    ASSERT_TRUE(created.ok()) << created;
    kafka::ProducerOptions options;
    options.brokers = Brokers();
    options.client_id = "users-consumer-test";
    options.message_timeout = 15s;
    auto producer = kafka::Producer::Create(options);
    ASSERT_TRUE(producer.ok()) << producer.status();
    producer_ = std::move(producer).value();
  }

  void TearDown() override {
    producer_.reset();
    if (!topic_.empty()) (void)kafka::DeleteTopics(Brokers(), {topic_}, 30s);
    UsersIntegrationTest::TearDown();
  }

  static std::string Brokers() { return KafkaSettings::FromEnv().brokers; }

  void Produce(const std::string& key, const std::string& value) {
    Status sent = producer_->Send(topic_, key, value, 20s);
    ASSERT_TRUE(sent.ok()) << sent;
  }

  static std::string UserRegisteredEnvelope(const std::string& event_id, const std::string& user_id,
                                            const std::string& nickname) {
    events::v1::Envelope envelope;
    envelope.set_event_id(event_id);
    envelope.set_occurred_at_unix_ms(ToUnixMillis(std::chrono::system_clock::now()));
    events::v1::UserRegistered* event = envelope.mutable_user_registered();
    event->set_user_id(user_id);
    event->set_nickname(nickname);
    event->set_registered_at_unix_ms(envelope.occurred_at_unix_ms());
    return envelope.SerializeAsString();
  }

  // Polls the database until `user_id` has a profile or the deadline passes.
  StatusOr<Profile> WaitForProfile(const std::string& user_id, std::chrono::milliseconds within = 60s) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    while (true) {
      StatusOr<Profile> p = repo_->FindById(user_id);
      if (p.ok() || std::chrono::steady_clock::now() > deadline) return p;
      std::this_thread::sleep_for(100ms);
    }
  }

  std::string topic_;
  std::unique_ptr<kafka::Producer> producer_;
};

TEST_F(UsersRegistrationConsumerTest, ProducedUserRegisteredBecomesAProfile) {
  const std::string alice = NewUuid();
  const std::string bob = NewUuid();
  ASSERT_TRUE(service_->ReserveNickname("Alice", alice).ok());
  ASSERT_TRUE(service_->ReserveNickname("bob_the_2nd", bob).ok());

  // Something that is not an Envelope comes first: it is skipped, not retried forever.
  Produce(alice, std::string("\x0f\x00", 2));
  const std::string alice_event = UserRegisteredEnvelope(NewUuid(), alice, "Alice");
  Produce(alice, alice_event);
  Produce(alice, alice_event);  // a duplicate delivery
  Produce(bob, UserRegisteredEnvelope(NewUuid(), bob, "bob_the_2nd"));

  RegistrationHandler handler(*repo_, clock_);
  RegistrationConsumerOptions options;
  options.brokers = Brokers();
  options.topic = topic_;
  options.group_id = "test-users-" + RandomToken(6);
  options.retry_backoff = 300ms;
  RegistrationConsumer consumer(options, handler);
  std::jthread loop([&](std::stop_token stop) { consumer.Run(stop); });

  StatusOr<Profile> a = WaitForProfile(alice);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->nickname, "Alice");
  StatusOr<Profile> b = WaitForProfile(bob);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->nickname, "bob_the_2nd");

  // The reservations became ownership: nobody else can take the nicknames, even after the TTL.
  clock_.Advance(std::chrono::hours(48));
  EXPECT_EQ(service_->ReserveNickname("alice", NewUuid()).status().reason(), kReasonNicknameTaken);
  EXPECT_EQ(service_->GetProfileByNickname("ALICE")->user_id, alice);
  EXPECT_EQ(service_->SearchUsers("alice", 10)->size(), 1u);

  loop.request_stop();
}

}  // namespace
}  // namespace messenger::users
