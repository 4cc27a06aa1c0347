// Event -> frame mapping (API.md "Real time"), de-duplication, the fan-out to this instance's sockets and the
// profile lookups of friend events.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <memory>

#include "events/event_fanout.hpp"
#include "events/event_frames.hpp"
#include "events/profile_resolver.hpp"
#include "events/recent_ids.hpp"
#include "realtime_fakes.hpp"

namespace messenger::gateway {
namespace {

namespace json = boost::json;
namespace eventspb = messenger::events::v1;

eventspb::Envelope MessageSent(const std::string& event_id, const std::string& chat, std::int64_t seq,
                               const std::string& author, std::vector<std::string> participants) {
  eventspb::Envelope e;
  e.set_event_id(event_id);
  auto* m = e.mutable_message_sent();
  m->set_message_id("m-" + std::to_string(seq));
  m->set_chat_id(chat);
  m->set_seq(seq);
  m->set_author_id(author);
  m->set_content("hello \"world\" \xC3\xA9");
  m->set_created_at_unix_ms(1'700'000'000'123);
  for (auto& p : participants) m->add_participant_ids(p);
  return e;
}

eventspb::Envelope ChatRead(const std::string& event_id, const std::string& chat, const std::string& reader,
                            std::int64_t seq, std::vector<std::string> participants) {
  eventspb::Envelope e;
  e.set_event_id(event_id);
  auto* r = e.mutable_chat_read();
  r->set_chat_id(chat);
  r->set_user_id(reader);
  r->set_seq(seq);
  for (auto& p : participants) r->add_participant_ids(p);
  return e;
}

eventspb::Envelope RequestSent(const std::string& event_id, const std::string& from, const std::string& to) {
  eventspb::Envelope e;
  e.set_event_id(event_id);
  e.mutable_friend_request_sent()->set_from_user_id(from);
  e.mutable_friend_request_sent()->set_to_user_id(to);
  return e;
}

eventspb::Envelope RequestAccepted(const std::string& event_id, const std::string& requester,
                                   const std::string& accepter) {
  eventspb::Envelope e;
  e.set_event_id(event_id);
  e.mutable_friend_request_accepted()->set_requester_id(requester);
  e.mutable_friend_request_accepted()->set_accepter_id(accepter);
  return e;
}

TEST(GatewayEventFrames, MessageSentIsMessageCreatedForEveryParticipant) {
  RoutedEvent routed = RouteEvent(MessageSent("e1", "chat-1", 7, "alice", {"alice", "bob", "carol", "bob"}));
  auto* chat = std::get_if<ChatFrame>(&routed);
  ASSERT_NE(chat, nullptr);
  EXPECT_EQ(chat->chat_id, "chat-1");
  EXPECT_EQ(chat->recipients, (std::vector<std::string>{"alice", "bob", "carol"}))
      << "author included, once each";
  json::value frame = json::parse(chat->frame);
  EXPECT_EQ(frame.at("type").as_string(), "message.created");
  const json::object& m = frame.at("message").as_object();
  EXPECT_EQ(m.size(), 6u);
  EXPECT_EQ(m.at("message_id").as_string(), "m-7");
  EXPECT_EQ(m.at("chat_id").as_string(), "chat-1");
  EXPECT_EQ(m.at("seq").as_int64(), 7);
  EXPECT_EQ(m.at("author_id").as_string(), "alice");
  EXPECT_EQ(m.at("content").as_string(), "hello \"world\" \xC3\xA9");
  EXPECT_EQ(m.at("created_at").as_string(), "2023-11-14T22:13:20.123Z");
}

TEST(GatewayEventFrames, ChatReadGoesToTheOtherParticipants) {
  RoutedEvent routed = RouteEvent(ChatRead("e2", "chat-1", "bob", 5, {"alice", "bob", "carol"}));
  auto* chat = std::get_if<ChatFrame>(&routed);
  ASSERT_NE(chat, nullptr);
  EXPECT_EQ(chat->recipients, (std::vector<std::string>{"alice", "carol"}));
  json::value frame = json::parse(chat->frame);
  EXPECT_EQ(frame, json::parse(R"({"type":"chat.read","chat_id":"chat-1","user_id":"bob","seq":5})"));
}

TEST(GatewayEventFrames, FriendEventsNameTheReceiverAndTheActor) {
  RoutedEvent sent = RouteEvent(RequestSent("e3", "alice", "bob"));
  auto* notice = std::get_if<FriendNotice>(&sent);
  ASSERT_NE(notice, nullptr);
  EXPECT_EQ(notice->kind, FriendNotice::Kind::kRequestReceived);
  EXPECT_EQ(notice->recipient_id, "bob");
  EXPECT_EQ(notice->subject_id, "alice");

  RoutedEvent accepted = RouteEvent(RequestAccepted("e4", "alice", "bob"));
  notice = std::get_if<FriendNotice>(&accepted);
  ASSERT_NE(notice, nullptr);
  EXPECT_EQ(notice->kind, FriendNotice::Kind::kRequestAccepted);
  EXPECT_EQ(notice->recipient_id, "alice") << "the requester hears that bob accepted";
  EXPECT_EQ(notice->subject_id, "bob");
}

TEST(GatewayEventFrames, FriendFramesEmbedTheProfile) {
  Profile p{"u1", "alice", "hi", "https://a.example/x.png"};
  EXPECT_EQ(json::parse(FriendFrame(FriendNotice::Kind::kRequestReceived, p)),
            json::parse(R"({"type":"friend.request.received","from":{"user_id":"u1","nickname":"alice",
                            "bio":"hi","avatar_url":"https://a.example/x.png"}})"));
  EXPECT_EQ(json::parse(FriendFrame(FriendNotice::Kind::kRequestAccepted, p)).at("by").at("nickname"),
            "alice");
  EXPECT_EQ(json::parse(FriendFrame(FriendNotice::Kind::kRequestAccepted, p)).at("type"),
            "friend.request.accepted");
}

TEST(GatewayEventFrames, EventsNoSocketSeesRouteNowhere) {
  eventspb::Envelope registered;
  registered.mutable_user_registered()->set_user_id("u");
  EXPECT_TRUE(std::holds_alternative<std::monostate>(RouteEvent(registered)));
  eventspb::Envelope rejected;
  rejected.mutable_friend_request_rejected()->set_requester_id("a");
  rejected.mutable_friend_request_rejected()->set_rejecter_id("b");
  EXPECT_TRUE(std::holds_alternative<std::monostate>(RouteEvent(rejected)));
  eventspb::Envelope removed;
  removed.mutable_friend_removed()->set_user_id("a");
  EXPECT_TRUE(std::holds_alternative<std::monostate>(RouteEvent(removed)));
  EXPECT_TRUE(std::holds_alternative<std::monostate>(RouteEvent(eventspb::Envelope())));
  EXPECT_TRUE(std::holds_alternative<std::monostate>(RouteEvent(RequestSent("e", "", "bob"))));
  EXPECT_TRUE(std::holds_alternative<std::monostate>(RouteEvent(MessageSent("e", "", 1, "a", {"a"}))));
}

TEST(GatewayRecentIds, RemembersTheLastCapacityIds) {
  RecentIds ids(3);
  EXPECT_TRUE(ids.Insert("a"));
  EXPECT_FALSE(ids.Insert("a"));
  EXPECT_TRUE(ids.Insert("b"));
  EXPECT_TRUE(ids.Insert("c"));
  EXPECT_TRUE(ids.Insert("d"));  // forgets "a"
  EXPECT_EQ(ids.size(), 3u);
  EXPECT_FALSE(ids.Insert("b"));
  EXPECT_FALSE(ids.Insert("d"));
  EXPECT_TRUE(ids.Insert("a")) << "beyond the capacity a duplicate gets through";
}

class GatewayEventFanoutTest : public ::testing::Test {
 protected:
  GatewayEventFanoutTest()
      : resolver_(ioc_.get_executor(), source_, Options()), fanout_(registry_, resolver_, 1000) {
    source_.profiles["alice"] = Profile{"alice", "Alice", "bio a", ""};
    source_.profiles["bob"] = Profile{"bob", "Bob", "", ""};
  }
  static ProfileResolverOptions Options() {
    ProfileResolverOptions o;
    o.retry_delay = std::chrono::milliseconds(1);
    return o;
  }
  std::shared_ptr<RecordingSocket> Connect(std::uint64_t id, const std::string& user) {
    auto s = std::make_shared<RecordingSocket>(id, user, "s-" + std::to_string(id));
    registry_.Add(s);
    return s;
  }
  void Deliver(const eventspb::Envelope& e) { fanout_.Deliver(e.SerializeAsString()); }
  void RunIo() {
    ioc_.restart();
    ioc_.run();
  }

  boost::asio::io_context ioc_;
  MapProfileSource source_;
  ConnectionRegistry registry_;
  ProfileResolver resolver_;
  EventFanout fanout_;
};

TEST_F(GatewayEventFanoutTest, ChatEventsReachEverySocketOfEveryParticipantInOrder) {
  auto alice_phone = Connect(1, "alice");
  auto alice_laptop = Connect(2, "alice");
  auto bob = Connect(3, "bob");
  auto stranger = Connect(4, "mallory");
  for (int seq = 1; seq <= 5; ++seq) {
    Deliver(MessageSent("e" + std::to_string(seq), "c", seq, "alice", {"alice", "bob"}));
  }
  Deliver(ChatRead("r1", "c", "bob", 5, {"alice", "bob"}));
  for (const auto& socket : {alice_phone, alice_laptop, bob}) {
    std::vector<std::string> frames = socket->frames();
    const std::size_t expected = socket == bob ? 5u : 6u;  // the reader does not hear of their own read
    ASSERT_EQ(frames.size(), expected);
    for (int i = 0; i < 5; ++i) EXPECT_EQ(json::parse(frames[i]).at("message").at("seq").as_int64(), i + 1);
  }
  EXPECT_EQ(json::parse(alice_phone->frames().back()).at("type"), "chat.read");
  EXPECT_TRUE(stranger->frames().empty());
  EXPECT_EQ(fanout_.counts().frames, 5u * 3 + 2);
}

TEST_F(GatewayEventFanoutTest, DuplicateEventsAreDeliveredOnce) {
  auto bob = Connect(1, "bob");
  auto e = MessageSent("same-id", "c", 1, "alice", {"alice", "bob"});
  Deliver(e);
  Deliver(e);
  Deliver(MessageSent("other-id", "c", 2, "alice", {"alice", "bob"}));
  Deliver(e);
  EXPECT_EQ(bob->frames().size(), 2u);
  EXPECT_EQ(fanout_.counts().duplicates, 2u);
}

TEST_F(GatewayEventFanoutTest, MalformedValuesAreDroppedAndTheStreamGoesOn) {
  auto bob = Connect(1, "bob");
  fanout_.Deliver("\xff\xff not a protobuf");
  Deliver(MessageSent("e1", "c", 1, "alice", {"alice", "bob"}));
  EXPECT_EQ(fanout_.counts().malformed, 1u);
  EXPECT_EQ(bob->frames().size(), 1u);
}

TEST_F(GatewayEventFanoutTest, FriendEventsCarryTheActorsProfileToTheReceiver) {
  auto bob = Connect(1, "bob");
  auto alice = Connect(2, "alice");
  Deliver(RequestSent("f1", "alice", "bob"));
  Deliver(RequestAccepted("f2", "alice", "bob"));
  RunIo();
  ASSERT_EQ(bob->frames().size(), 1u);
  json::value received = json::parse(bob->frames()[0]);
  EXPECT_EQ(received.at("type"), "friend.request.received");
  EXPECT_EQ(received.at("from"),
            json::parse(R"({"user_id":"alice","nickname":"Alice","bio":"bio a","avatar_url":""})"));
  ASSERT_EQ(alice->frames().size(), 1u);
  json::value accepted = json::parse(alice->frames()[0]);
  EXPECT_EQ(accepted.at("type"), "friend.request.accepted");
  EXPECT_EQ(accepted.at("by").at("nickname"), "Bob");
}

TEST_F(GatewayEventFanoutTest, NoProfileLookupForRecipientsNotConnectedHere) {
  Deliver(RequestSent("f1", "alice", "bob"));
  RunIo();
  EXPECT_TRUE(source_.batches.empty());
}

TEST_F(GatewayEventFanoutTest, LookupsForOneBurstAreBatchedAndCached) {
  auto bob = Connect(1, "bob");
  auto carol = Connect(2, "carol");
  source_.profiles["dave"] = Profile{"dave", "Dave", "", ""};
  Deliver(RequestSent("f1", "alice", "bob"));
  Deliver(RequestSent("f2", "dave", "bob"));
  Deliver(RequestSent("f3", "alice", "carol"));
  RunIo();
  EXPECT_EQ(bob->frames().size(), 2u);
  EXPECT_EQ(carol->frames().size(), 1u);
  // One call for the first lookup; everything asked while it was out went together in the next.
  EXPECT_LE(source_.batches.size(), 2u);
  Deliver(RequestSent("f4", "alice", "carol"));  // cached now
  const std::size_t calls = source_.batches.size();
  RunIo();
  EXPECT_EQ(source_.batches.size(), calls);
  EXPECT_EQ(carol->frames().size(), 2u);
}

TEST_F(GatewayEventFanoutTest, UsersOutageIsRetriedThenGivenUp) {
  auto bob = Connect(1, "bob");
  source_.failures_left = 1;
  Deliver(RequestSent("f1", "alice", "bob"));
  RunIo();
  EXPECT_EQ(bob->frames().size(), 1u) << "the second attempt succeeded";
  source_.failures_left = 100;
  Deliver(RequestSent("f2", "dave", "bob"));  // not cached
  RunIo();
  EXPECT_EQ(bob->frames().size(), 1u) << "given up after the attempts; nothing half-made is sent";
  EXPECT_EQ(resolver_.calls_for_test(), 2 + Options().attempts);
}

}  // namespace
}  // namespace messenger::gateway
