// A change made while Kafka is down commits at once, and its one event is published once Kafka is back.
// This binary stops the shared broker, so it is registered SERIAL (ctest runs it alone); the broker is
// started again by a guard whatever happens.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "friends/tests/events_support.hpp"

namespace messenger::friends {
namespace {

using ::testing::ElementsAre;
using namespace std::chrono_literals;

// Stops the test stack's broker; starts it again when destroyed.
class KafkaStopped {
 public:
  KafkaStopped() { stopped_ = Ctl("stop"); }
  ~KafkaStopped() { Start(); }
  KafkaStopped(const KafkaStopped&) = delete;
  KafkaStopped& operator=(const KafkaStopped&) = delete;

  bool stopped() const { return stopped_; }
  bool Start() {
    if (!attempted_start_) {
      attempted_start_ = true;
      started_ = Ctl("start");
    }
    return started_;
  }

 private:
  static bool Ctl(const std::string& action) {
    const char* dev = std::getenv("MESSENGER_DEV");
    const char* profile = std::getenv("MESSENGER_PROFILE");
    if (dev == nullptr || profile == nullptr) return false;
    const std::string command = "'" + std::string(dev) + "' ctl '" + profile + "' " + action + " kafka";
    return std::system(command.c_str()) == 0;
  }
  bool stopped_ = false;
  bool attempted_start_ = false;
  bool started_ = false;
};

using FriendEventsOutageTest = testing::EventsTest;

TEST_F(FriendEventsOutageTest, ChangesWhileKafkaIsDownArePublishedOnceItIsBack) {
  ASSERT_NE(std::getenv("MESSENGER_DEV"), nullptr) << "load the environment: eval \"$(./dev env test)\"";
  const std::string alice = NewUser("alice"), bob = NewUser("bob");
  ASSERT_TRUE(service_->SendRequest(alice, "bob").ok());
  ASSERT_TRUE(testing::WaitUntil([&] { return Unpublished() == 0; }, 30s)) << "relay not publishing";

  {
    KafkaStopped outage;
    ASSERT_TRUE(outage.stopped());
    // The changes commit while the broker is away, and users see them at once.
    ASSERT_EQ(*service_->AcceptRequest(bob, "alice"), FriendshipStatus::kAccepted);
    auto check = service_->AreFriends(alice, {bob});
    ASSERT_TRUE(check.ok() && check->are_friends);
    ASSERT_EQ(*service_->RemoveFriend(alice, "bob"), FriendshipStatus::kRemoved);
    EXPECT_EQ(Unpublished(), 2);
    ASSERT_TRUE(outage.Start());
  }

  auto reader = testing::TopicReader::Create(topic_.name());
  ASSERT_TRUE(reader.ok()) << reader.status();
  ASSERT_TRUE((*reader)->ReadAtLeast(3, 90s)) << "got " << (*reader)->records().size();
  ASSERT_TRUE(testing::WaitUntil([&] { return Unpublished() == 0; }, 30s));
  (*reader)->Poll(500ms);

  // One event per change. The relay is at-least-once: a record whose acknowledgement was lost may be
  // delivered twice with the same event_id (consumers deduplicate), so distinct events are what counts.
  auto seen = Decode((*reader)->records());
  EXPECT_THAT(seen.names, ElementsAre("FriendRequestSent", "FriendRequestAccepted", "FriendRemoved"));
  ASSERT_EQ(seen.envelopes.size(), 3u);
  EXPECT_EQ(seen.envelopes[1].friend_request_accepted().accepter_id(), bob);
  EXPECT_EQ(seen.envelopes[2].friend_removed().user_id(), alice);
}

}  // namespace
}  // namespace messenger::friends
