// Every change publishes exactly one event on the friends topic, through the outbox relay and real Kafka.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "friends/tests/events_support.hpp"

namespace messenger::friends {
namespace {

using ::testing::ElementsAre;
using namespace std::chrono_literals;

using FriendEventsTest = testing::EventsTest;

TEST_F(FriendEventsTest, EachChangePublishesExactlyOneEventKeyedByThePair) {
  const std::string alice = NewUser("alice"), bob = NewUser("bob"), carol = NewUser("carol");
  ASSERT_TRUE(service_->SendRequest(alice, "bob").ok());
  ASSERT_TRUE(service_->AcceptRequest(bob, "alice").ok());
  ASSERT_TRUE(service_->SendRequest(carol, "alice").ok());
  ASSERT_TRUE(service_->RejectRequest(alice, "carol").ok());
  ASSERT_TRUE(service_->RemoveFriend(bob, "alice").ok());
  // Refused changes publish nothing.
  ASSERT_FALSE(service_->RemoveFriend(bob, "alice").ok());
  ASSERT_FALSE(service_->AcceptRequest(alice, "carol").ok());

  auto reader = testing::TopicReader::Create(topic_.name());
  ASSERT_TRUE(reader.ok()) << reader.status();
  ASSERT_TRUE((*reader)->ReadAtLeast(5, 30s)) << "got " << (*reader)->records().size();
  ASSERT_TRUE(testing::WaitUntil([&] { return Unpublished() == 0; }, 10s));
  (*reader)->Poll(500ms);  // anything published after the five would show up now

  auto seen = Decode((*reader)->records());
  EXPECT_EQ(seen.raw_records, 5u);
  EXPECT_THAT(seen.names, ElementsAre("FriendRequestSent", "FriendRequestAccepted", "FriendRequestSent",
                                      "FriendRequestRejected", "FriendRemoved"));
  const std::string ab = std::min(alice, bob), ac = std::min(alice, carol);
  EXPECT_THAT(seen.keys, ElementsAre(ab, ab, ac, ac, ab));
  ASSERT_EQ(seen.envelopes.size(), 5u);
  EXPECT_EQ(seen.envelopes[0].friend_request_sent().from_user_id(), alice);
  EXPECT_EQ(seen.envelopes[0].friend_request_sent().to_user_id(), bob);
  EXPECT_EQ(seen.envelopes[1].friend_request_accepted().requester_id(), alice);
  EXPECT_EQ(seen.envelopes[1].friend_request_accepted().accepter_id(), bob);
  EXPECT_EQ(seen.envelopes[3].friend_request_rejected().requester_id(), carol);
  EXPECT_EQ(seen.envelopes[3].friend_request_rejected().rejecter_id(), alice);
  EXPECT_EQ(seen.envelopes[4].friend_removed().user_id(), bob);
  EXPECT_EQ(seen.envelopes[4].friend_removed().friend_id(), alice);
  for (const auto& e : seen.envelopes) {
    EXPECT_TRUE(IsUuid(e.event_id()));
    EXPECT_GT(e.occurred_at_unix_ms(), 0);
  }
}

}  // namespace
}  // namespace messenger::friends
