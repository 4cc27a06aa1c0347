// The Chat rules over in-memory fakes: no network.
#include "chat/domain/chat_service.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "chat/domain/event_relay.hpp"
#include "chat/tests/fakes.hpp"

namespace messenger::chat {
namespace {

using testing::CountingSignal;
using testing::FakeClock;
using testing::FakeFriends;
using testing::FakeUsers;
using testing::InMemoryChatCache;
using testing::InMemoryChatStore;
using testing::InMemoryMessageStore;
using testing::RecordingPublisher;

std::vector<int64_t> Seqs(const std::vector<Message>& messages) {
  std::vector<int64_t> out;
  for (const Message& m : messages) out.push_back(m.seq);
  return out;
}

class ChatServiceTest : public ::testing::Test {
 protected:
  explicit ChatServiceTest(std::size_t cache_window = 100) : cache_(cache_window) {
    alice_ = users_.Add();
    bob_ = users_.Add();
    carol_ = users_.Add();
    friends_.Befriend(alice_, bob_);
    friends_.Befriend(alice_, carol_);
  }

  std::string Direct(const std::string& a, const std::string& b) {
    auto created = service_.CreateChat(a, {b});
    EXPECT_TRUE(created.ok()) << created.status();
    return created->chat.info.chat_id;
  }
  std::string Group() {
    auto created = service_.CreateChat(alice_, {bob_, carol_});
    EXPECT_TRUE(created.ok()) << created.status();
    return created->chat.info.chat_id;
  }
  Message Send(const std::string& chat, const std::string& author, const std::string& text,
               const std::string& client_id = "") {
    clock_.Advance(std::chrono::milliseconds(10));
    auto sent = service_.SendMessage(chat, author, text, client_id);
    EXPECT_TRUE(sent.ok()) << sent.status();
    return sent.ok() ? sent->message : Message{};
  }
  ChatView ViewOf(const std::string& user, const std::string& chat) {
    auto chats = service_.GetUserChats(user);
    EXPECT_TRUE(chats.ok()) << chats.status();
    for (const ChatView& v : *chats) {
      if (v.info.chat_id == chat) return v;
    }
    ADD_FAILURE() << "chat not listed";
    return {};
  }

  FakeUsers users_;
  FakeFriends friends_;
  InMemoryChatStore chats_;
  InMemoryMessageStore messages_;
  InMemoryChatCache cache_;
  CountingSignal signal_;
  FakeClock clock_;
  ChatService service_{chats_, messages_, cache_, friends_, users_, signal_, clock_};
  RecordingPublisher publisher_;
  EventRelay relay_{messages_, chats_, cache_, publisher_};
  std::string alice_, bob_, carol_;
};

// ---------------------------------------------------------------------------------------------- CreateChat

TEST_F(ChatServiceTest, DirectChatIsCreatedOnceWhoeverAsks) {
  auto first = service_.CreateChat(alice_, {bob_});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(first->created);
  EXPECT_EQ(first->chat.info.kind, ChatKind::kDirect);
  EXPECT_EQ(first->chat.info.participants.size(), 2u);
  EXPECT_FALSE(first->chat.last_message);

  auto again = service_.CreateChat(alice_, {bob_});
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->chat.info.chat_id, first->chat.info.chat_id);

  auto reverse = service_.CreateChat(bob_, {alice_, bob_});  // listing oneself is ignored
  ASSERT_TRUE(reverse.ok());
  EXPECT_FALSE(reverse->created);
  EXPECT_EQ(reverse->chat.info.chat_id, first->chat.info.chat_id);
  EXPECT_EQ(chats_.ChatCount(), 1u);
}

TEST_F(ChatServiceTest, ExistingDirectChatComesBackWithItsLastMessageAndUnreadCount) {
  std::string chat = Direct(alice_, bob_);
  Send(chat, alice_, "one");
  Message two = Send(chat, alice_, "two");
  auto again = service_.CreateChat(bob_, {alice_});
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  ASSERT_TRUE(again->chat.last_message);
  EXPECT_EQ(*again->chat.last_message, two);
  EXPECT_EQ(again->chat.unread_count, 2);
}

TEST_F(ChatServiceTest, GroupChatIsAlwaysNew) {
  auto a = service_.CreateChat(alice_, {bob_, carol_});
  auto b = service_.CreateChat(alice_, {carol_, bob_});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(a->created && b->created);
  EXPECT_NE(a->chat.info.chat_id, b->chat.info.chat_id);
  EXPECT_EQ(a->chat.info.kind, ChatKind::kGroup);
  EXPECT_EQ(a->chat.info.participants.size(), 3u);
}

TEST_F(ChatServiceTest, MalformedListsAreInvalid) {
  EXPECT_EQ(service_.CreateChat(alice_, {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(service_.CreateChat(alice_, {alice_}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(service_.CreateChat(alice_, {bob_, "not-a-uuid"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(service_.CreateChat(alice_, {""}).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ChatServiceTest, AtMostOneHundredParticipantsIncludingTheCreator) {
  std::vector<std::string> others;
  for (int i = 0; i < 99; ++i) {
    others.push_back(users_.Add());
    friends_.Befriend(alice_, others.back());
  }
  std::vector<std::string> with_dupes = others;
  with_dupes.push_back(others.front());  // duplicates and oneself do not count twice
  with_dupes.push_back(alice_);
  auto hundred = service_.CreateChat(alice_, with_dupes);
  ASSERT_TRUE(hundred.ok()) << hundred.status();
  EXPECT_EQ(hundred->chat.info.participants.size(), 100u);

  others.push_back(users_.Add());
  friends_.Befriend(alice_, others.back());
  EXPECT_EQ(service_.CreateChat(alice_, others).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ChatServiceTest, ChecksRunInOrderMalformedUnknownNotFriends) {
  const std::string stranger = users_.Add();  // exists, not a friend
  const std::string ghost = NewUuid();        // does not exist
  // malformed wins over unknown and not-a-friend
  EXPECT_EQ(service_.CreateChat(alice_, {ghost, stranger, "x"}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(users_.calls(), 0);
  // unknown wins over not-a-friend
  EXPECT_EQ(service_.CreateChat(alice_, {stranger, ghost}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(friends_.calls(), 0);
  auto denied = service_.CreateChat(alice_, {bob_, stranger});
  EXPECT_EQ(denied.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(denied.status().reason(), "NOT_FRIENDS");
  EXPECT_EQ(chats_.ChatCount(), 0u);
}

TEST_F(ChatServiceTest, OneDirectoryCallEachWhateverTheGroupSize) {
  std::vector<std::string> others;
  for (int i = 0; i < 50; ++i) {
    others.push_back(users_.Add());
    friends_.Befriend(alice_, others.back());
  }
  ASSERT_TRUE(service_.CreateChat(alice_, others).ok());
  EXPECT_EQ(users_.calls(), 1);
  EXPECT_EQ(friends_.calls(), 1);
}

// -------------------------------------------------------------------------------------------- SendMessage

TEST_F(ChatServiceTest, SeqStartsAtOneAndRisesByOne) {
  std::string chat = Group();
  EXPECT_EQ(Send(chat, alice_, "a").seq, 1);
  EXPECT_EQ(Send(chat, bob_, "b").seq, 2);
  EXPECT_EQ(Send(chat, carol_, "c").seq, 3);
  std::string other = Direct(alice_, bob_);
  EXPECT_EQ(Send(other, bob_, "x").seq, 1);
  EXPECT_EQ(signal_.count(), 4);  // the relay was woken for every stored message
}

TEST_F(ChatServiceTest, NonParticipantAndUnknownChatAreTheSameNotFound) {
  std::string chat = Direct(alice_, bob_);
  auto outsider = service_.SendMessage(chat, carol_, "hi", "");
  EXPECT_EQ(outsider.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(service_.SendMessage(NewUuid(), alice_, "hi", "").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(service_.SendMessage("nope", alice_, "hi", "").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(messages_.appends(), 0);
}

TEST_F(ChatServiceTest, InvalidContentIsRefusedAndNothingStored) {
  std::string chat = Direct(alice_, bob_);
  EXPECT_EQ(service_.SendMessage(chat, alice_, "", "").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(service_.SendMessage(chat, alice_, std::string(4097, 'a'), "").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(service_.SendMessage(chat, alice_, "\xED\xA0\x80", "").status().code(),
            StatusCode::kInvalidArgument);
  std::string wide;
  for (int i = 0; i < 4096; ++i) wide += "\xD0\xAF";  // Я
  EXPECT_TRUE(service_.SendMessage(chat, alice_, wide, "").ok());
  EXPECT_EQ(service_.SendMessage(chat, alice_, wide + "\xD0\xAF", "").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(messages_.MessagesForTest(chat).size(), 1u);
}

TEST_F(ChatServiceTest, UnfriendedDirectChatBlocksSendingButHistoryStaysReadable) {
  std::string chat = Direct(alice_, bob_);
  Send(chat, alice_, "before");
  friends_.Unfriend(alice_, bob_);
  for (const std::string& who : {alice_, bob_}) {
    auto blocked = service_.SendMessage(chat, who, "after", "");
    EXPECT_EQ(blocked.status().code(), StatusCode::kPermissionDenied);
    EXPECT_EQ(blocked.status().reason(), "NOT_FRIENDS");
  }
  auto history = service_.GetChatHistory({chat, bob_, std::nullopt, std::nullopt, 0});
  ASSERT_TRUE(history.ok()) << history.status();
  ASSERT_EQ(history->messages.size(), 1u);
  EXPECT_EQ(history->messages[0].content, "before");
}

TEST_F(ChatServiceTest, GroupChatsDoNotAskFriends) {
  std::string chat = Group();
  const int calls = friends_.calls();
  friends_.Unfriend(alice_, bob_);
  Send(chat, bob_, "still fine in a group");
  EXPECT_EQ(friends_.calls(), calls);
}

TEST_F(ChatServiceTest, RetryWithSameClientMessageIdReturnsTheStoredMessage) {
  std::string chat = Direct(alice_, bob_);
  auto first = service_.SendMessage(chat, alice_, "hello", "c-1");
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->created);
  auto retry = service_.SendMessage(chat, alice_, "hello", "c-1");
  ASSERT_TRUE(retry.ok());
  EXPECT_FALSE(retry->created);
  EXPECT_EQ(retry->message, first->message);
  EXPECT_EQ(signal_.count(), 1);
  // Another author's key, or no key, is another message.
  auto bobs = service_.SendMessage(chat, bob_, "hello", "c-1");
  ASSERT_TRUE(bobs.ok());
  EXPECT_TRUE(bobs->created);
  ASSERT_TRUE(service_.SendMessage(chat, alice_, "x", "").ok());
  ASSERT_TRUE(service_.SendMessage(chat, alice_, "x", "").ok());
  EXPECT_EQ(messages_.MessagesForTest(chat).size(), 4u);
}

TEST_F(ChatServiceTest, SendingMovesLastMessageAndTheAuthorsReadMark) {
  std::string chat = Direct(alice_, bob_);
  Message m = Send(chat, bob_, "hi");
  Chat stored = chats_.ChatForTest(chat);
  EXPECT_EQ(stored.last_seq, 1);
  ASSERT_TRUE(stored.last_message);
  EXPECT_EQ(*stored.last_message, m);
  EXPECT_EQ(stored.ReadMark(bob_), 1);
  EXPECT_EQ(stored.ReadMark(alice_), 0);
}

TEST_F(ChatServiceTest, AcknowledgedSendSurvivesAFailedChatUpdateAndTheRelayRepairsIt) {
  std::string chat = Direct(alice_, bob_);
  chats_.SetApplyFailing(true);
  Message m = Send(chat, bob_, "stored anyway");
  EXPECT_EQ(m.seq, 1);
  EXPECT_EQ(chats_.ChatForTest(chat).last_seq, 0);
  chats_.SetApplyFailing(false);
  ASSERT_TRUE(relay_.RunOnce().ok());
  Chat repaired = chats_.ChatForTest(chat);
  EXPECT_EQ(repaired.last_seq, 1);
  EXPECT_EQ(repaired.ReadMark(bob_), 1);
  EXPECT_EQ(ViewOf(alice_, chat).unread_count, 1);
}

TEST_F(ChatServiceTest, StoreFailureIsReported) {
  std::string chat = Direct(alice_, bob_);
  messages_.SetFailing(true);
  EXPECT_EQ(service_.SendMessage(chat, alice_, "x", "").status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(signal_.count(), 0);
}

TEST_F(ChatServiceTest, FriendsDownMeansUnavailableNotPermissionDenied) {
  std::string chat = Direct(alice_, bob_);
  friends_.SetDown(true);
  EXPECT_EQ(service_.SendMessage(chat, alice_, "x", "").status().code(), StatusCode::kUnavailable);
}

// ------------------------------------------------------------------------------ unread counts, read marks

TEST_F(ChatServiceTest, UnreadCountsFollowReadMarksAndOwnMessages) {
  std::string chat = Direct(alice_, bob_);
  Send(chat, bob_, "1");
  Send(chat, bob_, "2");
  Send(chat, bob_, "3");
  EXPECT_EQ(ViewOf(alice_, chat).unread_count, 3);
  EXPECT_EQ(ViewOf(bob_, chat).unread_count, 0);

  ASSERT_TRUE(service_.MarkRead(chat, alice_, 2).ok());
  EXPECT_EQ(ViewOf(alice_, chat).unread_count, 1);
  // One's own message marks everything before it as read.
  Send(chat, alice_, "4");
  EXPECT_EQ(ViewOf(alice_, chat).unread_count, 0);
  EXPECT_EQ(ViewOf(bob_, chat).unread_count, 1);
}

TEST_F(ChatServiceTest, MarkReadRules) {
  std::string chat = Direct(alice_, bob_);
  Send(chat, bob_, "1");
  Send(chat, bob_, "2");
  EXPECT_EQ(service_.MarkRead(chat, alice_, 3).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(service_.MarkRead(chat, alice_, -1).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(service_.MarkRead(chat, carol_, 1).code(), StatusCode::kNotFound);
  EXPECT_EQ(service_.MarkRead(NewUuid(), alice_, 1).code(), StatusCode::kNotFound);
  EXPECT_TRUE(chats_.ReadOutbox().empty());

  ASSERT_TRUE(service_.MarkRead(chat, alice_, 2).ok());
  ASSERT_EQ(chats_.ReadOutbox().size(), 1u);
  ReadEvent event = chats_.ReadOutbox()[0];
  EXPECT_EQ(event.user_id, alice_);
  EXPECT_EQ(event.seq, 2);
  EXPECT_EQ(event.participants, chats_.ChatForTest(chat).info.participants);
  EXPECT_TRUE(IsUuid(event.event_id));
  const int notified = signal_.count();

  // At or below the mark: nothing changes, no event.
  ASSERT_TRUE(service_.MarkRead(chat, alice_, 2).ok());
  ASSERT_TRUE(service_.MarkRead(chat, alice_, 1).ok());
  ASSERT_TRUE(service_.MarkRead(chat, alice_, 0).ok());
  EXPECT_EQ(chats_.ReadOutbox().size(), 1u);
  EXPECT_EQ(signal_.count(), notified);
  EXPECT_EQ(chats_.ChatForTest(chat).ReadMark(alice_), 2);
  // Bob's own messages already moved his mark to 2: nothing to announce.
  ASSERT_TRUE(service_.MarkRead(chat, bob_, 2).ok());
  EXPECT_EQ(chats_.ReadOutbox().size(), 1u);
}

TEST_F(ChatServiceTest, MarkReadAcceptsASeqTheChatDocumentHasNotSeenYet) {
  std::string chat = Direct(alice_, bob_);
  chats_.SetApplyFailing(true);  // the message is stored, the chat document trails
  Send(chat, bob_, "1");
  chats_.SetApplyFailing(false);
  EXPECT_TRUE(service_.MarkRead(chat, alice_, 1).ok());
  EXPECT_EQ(service_.MarkRead(chat, alice_, 2).code(), StatusCode::kInvalidArgument);
}

TEST_F(ChatServiceTest, ReadEventIsKeptWhenTheMarkUpdateFailsAndTheRelayAppliesIt) {
  std::string chat = Direct(alice_, bob_);
  Send(chat, bob_, "1");
  ASSERT_TRUE(relay_.RunOnce().ok());
  chats_.SetMarkFailing(true);
  EXPECT_FALSE(service_.MarkRead(chat, alice_, 1).ok());
  chats_.SetMarkFailing(false);
  ASSERT_TRUE(relay_.RunOnce().ok());
  EXPECT_EQ(chats_.ChatForTest(chat).ReadMark(alice_), 1);
  auto events = publisher_.published();
  ASSERT_EQ(events.size(), 2u);
  ASSERT_TRUE(std::holds_alternative<ReadEvent>(events[1]));
  EXPECT_EQ(std::get<ReadEvent>(events[1]).seq, 1);
  // The client's retry finds the mark moved: no second event.
  ASSERT_TRUE(service_.MarkRead(chat, alice_, 1).ok());
  EXPECT_TRUE(chats_.ReadOutbox().empty());
}

TEST_F(ChatServiceTest, ReadEventIdIsStablePerChatUserAndSeq) {
  EXPECT_EQ(ReadEventId("c", "u", 3), ReadEventId("c", "u", 3));
  EXPECT_NE(ReadEventId("c", "u", 3), ReadEventId("c", "u", 4));
  EXPECT_NE(ReadEventId("c", "u", 3), ReadEventId("c", "v", 3));
  EXPECT_TRUE(IsUuid(ReadEventId("c", "u", 3)));
}

// ------------------------------------------------------------------------------------------- GetUserChats

TEST_F(ChatServiceTest, UserChatsNewestActivityFirstInOneQuery) {
  std::string direct = Direct(alice_, bob_);
  clock_.Advance(std::chrono::milliseconds(5));
  std::string group = Group();
  clock_.Advance(std::chrono::milliseconds(5));
  std::string other = Direct(alice_, carol_);
  Send(direct, bob_, "latest activity");

  const int before = chats_.list_queries();
  auto chats = service_.GetUserChats(alice_);
  ASSERT_TRUE(chats.ok());
  EXPECT_EQ(chats_.list_queries(), before + 1);
  EXPECT_EQ(chats_.gets(), 0);  // no per-chat lookup
  ASSERT_EQ(chats->size(), 3u);
  EXPECT_EQ((*chats)[0].info.chat_id, direct);
  EXPECT_EQ((*chats)[1].info.chat_id, other);
  EXPECT_EQ((*chats)[2].info.chat_id, group);
  ASSERT_TRUE((*chats)[0].last_message);
  EXPECT_EQ((*chats)[0].last_message->content, "latest activity");
  EXPECT_EQ((*chats)[0].unread_count, 1);
  EXPECT_FALSE((*chats)[1].last_message);

  auto bobs = service_.GetUserChats(bob_);
  ASSERT_TRUE(bobs.ok());
  EXPECT_EQ(bobs->size(), 2u);
  EXPECT_TRUE(service_.GetUserChats(users_.Add())->empty());
}

// ------------------------------------------------------------------------------------------------- relay

TEST_F(ChatServiceTest, RelayPublishesEveryMessageOnceInSeqOrder) {
  std::string chat = Group();
  for (int i = 0; i < 5; ++i) Send(chat, i % 2 ? bob_ : carol_, "m" + std::to_string(i));
  auto pass = relay_.RunOnce();
  ASSERT_TRUE(pass.ok()) << pass.status();
  EXPECT_EQ(pass->messages, 5u);
  auto again = relay_.RunOnce();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->messages, 0u);

  auto events = publisher_.published();
  ASSERT_EQ(events.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    const auto& sent = std::get<MessageSentEvent>(events[i]);
    EXPECT_EQ(sent.message.seq, i + 1);
    EXPECT_EQ(sent.participants.size(), 3u);
  }
  EXPECT_EQ(messages_.UnpublishedCount(), 0u);
}

TEST_F(ChatServiceTest, RelayKeepsWhatKafkaRefusedForLaterAndPublishesItOnce) {
  std::string chat = Group();
  for (int i = 0; i < 6; ++i) Send(chat, alice_, "m" + std::to_string(i));
  publisher_.FailAfter(2);
  EXPECT_FALSE(relay_.RunOnce().ok());
  EXPECT_EQ(messages_.UnpublishedCount(), 4u);
  publisher_.FailAfter(-1);
  ASSERT_TRUE(relay_.RunOnce().ok());
  auto events = publisher_.published();
  ASSERT_EQ(events.size(), 6u);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(std::get<MessageSentEvent>(events[i]).message.seq, i + 1);
}

TEST_F(ChatServiceTest, RelayRepairsTheCacheWhenItMissedASend) {
  std::string chat = Group();
  Send(chat, alice_, "1");
  ASSERT_TRUE(service_.GetChatHistory({chat, alice_, std::nullopt, std::nullopt, 0}).ok());  // warm
  ASSERT_TRUE(cache_.HasWindow(chat));
  cache_.SetDown(true);
  Send(chat, alice_, "2");  // neither append nor invalidation reached the cache
  cache_.SetDown(false);
  EXPECT_EQ(Seqs(cache_.WindowForTest(chat)), (std::vector<int64_t>{1}));
  ASSERT_TRUE(relay_.RunOnce().ok());
  EXPECT_EQ(Seqs(cache_.WindowForTest(chat)), (std::vector<int64_t>{1, 2}));
}

TEST_F(ChatServiceTest, RelayThreadPublishesSoonAfterASend) {
  EventRelayOptions options;
  options.scan_interval = std::chrono::hours(1);  // only the wake-up can make it run
  EventRelay relay(messages_, chats_, cache_, publisher_, options);
  ChatService service(chats_, messages_, cache_, friends_, users_, relay, clock_);
  relay.Start();
  auto created = service.CreateChat(alice_, {bob_});
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE(service.SendMessage(created->chat.info.chat_id, alice_, "fast", "").ok());
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (publisher_.published().empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  relay.Stop();
  ASSERT_EQ(publisher_.published().size(), 1u);
}

// A relay wired as the service's outbox; its thread is not started, so whatever is published without a
// RunOnce went out by the direct path.
class DirectPathTest : public ChatServiceTest {
 protected:
  Message Stored(const std::string& chat, int64_t seq) {
    Message m;
    m.message_id = NewUuid();
    m.chat_id = chat;
    m.author_id = alice_;
    m.seq = seq;
    m.content = "m" + std::to_string(seq);
    return m;
  }
  std::vector<int64_t> PublishedSeqs() {
    std::vector<int64_t> seqs;
    for (const ChatEvent& e : publisher_.published()) seqs.push_back(std::get<MessageSentEvent>(e).message.seq);
    return seqs;
  }
  EventRelay relay_{messages_, chats_, cache_, publisher_};
  ChatService direct_{chats_, messages_, cache_, friends_, users_, relay_, clock_};
};

TEST_F(DirectPathTest, SendsArePublishedAtOnceAndMarkedInOneBatch) {
  auto created = direct_.CreateChat(alice_, {bob_});
  ASSERT_TRUE(created.ok());
  const std::string chat = created->chat.info.chat_id;
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(direct_.SendMessage(chat, i % 2 ? bob_ : alice_, "hi", "").ok());
  EXPECT_EQ(PublishedSeqs(), (std::vector<int64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(std::get<MessageSentEvent>(publisher_.published()[0]).participants.size(), 2u);
  EXPECT_EQ(messages_.UnpublishedCount(), 5u);  // delivered, not yet marked
  ASSERT_TRUE(relay_.FlushDeliveredForTest().ok());
  EXPECT_EQ(messages_.UnpublishedCount(), 0u);
  auto pass = relay_.RunOnce();
  ASSERT_TRUE(pass.ok());
  EXPECT_EQ(pass->messages, 0u);
  EXPECT_EQ(publisher_.published().size(), 5u);  // nothing twice
}

TEST_F(DirectPathTest, AMessageHandedOverAheadOfItsPredecessorWaitsForIt) {
  const std::string chat = Direct(alice_, bob_);
  relay_.MessageStored(Stored(chat, 1), {alice_, bob_});
  relay_.MessageStored(Stored(chat, 3), {alice_, bob_});
  relay_.MessageStored(Stored(chat, 4), {alice_, bob_});
  EXPECT_EQ(PublishedSeqs(), (std::vector<int64_t>{1}));
  relay_.MessageStored(Stored(chat, 2), {alice_, bob_});
  EXPECT_EQ(PublishedSeqs(), (std::vector<int64_t>{1, 2, 3, 4}));
  relay_.MessageStored(Stored(chat, 3), {alice_, bob_});  // a repeat is not published again
  EXPECT_EQ(PublishedSeqs(), (std::vector<int64_t>{1, 2, 3, 4}));
}

// Another instance published seq 2 (and marked it): this one knows the chat up to 1 and gets 3.
TEST_F(DirectPathTest, AGapLeftByAnotherInstanceIsSettledByTheChatsCheck) {
  auto created = direct_.CreateChat(alice_, {bob_});
  ASSERT_TRUE(created.ok());
  const std::string chat = created->chat.info.chat_id;
  ASSERT_TRUE(direct_.SendMessage(chat, alice_, "1", "").ok());
  ASSERT_TRUE(relay_.FlushDeliveredForTest().ok());
  Send(chat, bob_, "2 (the other instance)");  // stored through the service wired to the counting signal
  auto two = messages_.ListUnpublished(10);
  ASSERT_TRUE(two.ok());
  ASSERT_EQ(two->size(), 1u);
  ASSERT_TRUE(messages_.MarkPublished({two->front().message_id}).ok());
  ASSERT_TRUE(direct_.SendMessage(chat, alice_, "3", "").ok());
  EXPECT_EQ(PublishedSeqs(), (std::vector<int64_t>{1}));  // parked: 2 never arrives here
  ASSERT_TRUE(relay_.CheckChatsForTest().ok());
  EXPECT_EQ(PublishedSeqs(), (std::vector<int64_t>{1, 3}));
  ASSERT_TRUE(direct_.SendMessage(chat, alice_, "4", "").ok());
  EXPECT_EQ(PublishedSeqs(), (std::vector<int64_t>{1, 3, 4}));
}

TEST_F(DirectPathTest, WhatKafkaRefusedIsPublishedByTheNextPassInOrderAndOnce) {
  auto created = direct_.CreateChat(alice_, {bob_});
  ASSERT_TRUE(created.ok());
  const std::string chat = created->chat.info.chat_id;
  publisher_.FailAfter(1);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(direct_.SendMessage(chat, alice_, "m", "").ok());
  EXPECT_EQ(PublishedSeqs(), (std::vector<int64_t>{1}));
  publisher_.FailAfter(-1);
  auto pass = relay_.RunOnce();
  ASSERT_TRUE(pass.ok()) << pass.status();
  EXPECT_EQ(PublishedSeqs(), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(messages_.UnpublishedCount(), 0u);
  // The chat is back on the direct path.
  ASSERT_TRUE(direct_.SendMessage(chat, bob_, "again", "").ok());
  EXPECT_EQ(PublishedSeqs(), (std::vector<int64_t>{1, 2, 3, 4}));
}

TEST_F(DirectPathTest, AFreshRelayLeavesALaterMessageOfAChatItDoesNotKnowToThePass) {
  auto created = service_.CreateChat(alice_, {bob_});  // the service wired to the counting signal
  ASSERT_TRUE(created.ok());
  const std::string chat = created->chat.info.chat_id;
  Send(chat, alice_, "before the restart");  // stored, never published (as if the process died)
  ASSERT_TRUE(direct_.SendMessage(chat, bob_, "after", "").ok());
  EXPECT_TRUE(publisher_.published().empty());  // seq 2 of an unknown chat: seq 1 may be unpublished
  ASSERT_TRUE(relay_.CheckChatsForTest().ok());  // the chat's check, not a full scan
  EXPECT_EQ(PublishedSeqs(), (std::vector<int64_t>{1, 2}));
  ASSERT_TRUE(direct_.SendMessage(chat, alice_, "direct again", "").ok());
  EXPECT_EQ(PublishedSeqs(), (std::vector<int64_t>{1, 2, 3}));
}

// ----------------------------------------------------------------------------------------------- history

TEST_F(ChatServiceTest, HistoryRefusesBadLimitsAndCursorsAndOutsiders) {
  std::string chat = Direct(alice_, bob_);
  auto query = [&](std::optional<int64_t> before, std::optional<int64_t> after, int limit,
                   const std::string& user) {
    return service_.GetChatHistory({chat, user, before, after, limit});
  };
  EXPECT_EQ(query({}, {}, -1, alice_).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(query({}, {}, 101, alice_).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(query(-1, {}, 10, alice_).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(query({}, -1, 10, alice_).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(query({}, {}, 10, carol_).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(query({}, {}, 100, alice_).ok());
  EXPECT_TRUE(query({}, {}, 1, alice_).ok());
}

TEST_F(ChatServiceTest, DefaultPageIsTheNewestFifty) {
  std::string chat = Group();
  for (int i = 0; i < 60; ++i) Send(chat, alice_, "m");
  auto page = service_.GetChatHistory({chat, alice_, std::nullopt, std::nullopt, 0});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->messages.size(), 50u);
  EXPECT_EQ(page->messages.front().seq, 11);
  EXPECT_EQ(page->messages.back().seq, 60);
  EXPECT_TRUE(page->has_more);
}

TEST_F(ChatServiceTest, AChatWrittenFromItsStartIsReadFromTheCacheAtOnce) {
  std::string chat = Group();
  for (int i = 0; i < 3; ++i) Send(chat, alice_, "m");
  auto page = service_.GetChatHistory({chat, bob_, std::nullopt, std::nullopt, 0});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(Seqs(page->messages), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_FALSE(page->has_more);
  EXPECT_EQ(messages_.lists(), 0);
}

TEST_F(ChatServiceTest, OpeningAChatTwiceIsServedFromTheCache) {
  std::string chat = Group();
  for (int i = 0; i < 3; ++i) Send(chat, alice_, "m");
  ASSERT_TRUE(service_.GetChatHistory({chat, alice_, std::nullopt, std::nullopt, 0}).ok());
  const int lists = messages_.lists();
  Send(chat, bob_, "new");  // appended to the window, not a reason to go to the store
  auto page = service_.GetChatHistory({chat, alice_, std::nullopt, std::nullopt, 0});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(Seqs(page->messages), (std::vector<int64_t>{1, 2, 3, 4}));
  auto catch_up = service_.GetChatHistory({chat, bob_, std::nullopt, int64_t{2}, 0});
  ASSERT_TRUE(catch_up.ok());
  EXPECT_EQ(Seqs(catch_up->messages), (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(messages_.lists(), lists);
}

TEST_F(ChatServiceTest, CacheDownFallsBackToTheStore) {
  std::string chat = Group();
  Send(chat, alice_, "1");
  cache_.SetDown(true);
  Send(chat, alice_, "2");
  auto page = service_.GetChatHistory({chat, alice_, std::nullopt, std::nullopt, 0});
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(Seqs(page->messages), (std::vector<int64_t>{1, 2}));
}

TEST(PageFromWindowTest, AnswersOnlyWhatTheWindowCovers) {
  std::vector<Message> window;
  for (int64_t s = 6; s <= 10; ++s) window.push_back(Message{"m", "c", s, "a", "x", 0});
  HistoryQuery q;
  EXPECT_TRUE(PageFromWindow(window, q, 5));   // 6..10
  EXPECT_FALSE(PageFromWindow(window, q, 6));  // would need 5
  q.after_seq = 4;
  EXPECT_FALSE(PageFromWindow(window, q, 3));  // needs 5
  q.after_seq = 5;
  EXPECT_TRUE(PageFromWindow(window, q, 3));
  q.after_seq = 12;  // beyond the newest: an empty page, no more
  auto beyond = PageFromWindow(window, q, 3);
  ASSERT_TRUE(beyond);
  EXPECT_TRUE(beyond->messages.empty());
  EXPECT_FALSE(beyond->has_more);
  window.erase(window.begin() + 2);  // a hole: never served
  EXPECT_FALSE(PageFromWindow(window, HistoryQuery{}, 2));
}

// The paging table of API.md, run against the store alone (cache down), a warm cache holding everything, and
// a small cache window (4 messages) that can answer only some pages.
struct PagingCase {
  std::optional<int64_t> before, after;
  int limit;
  std::vector<int64_t> seqs;
  bool has_more;
};

enum class CacheMode { kDown, kLarge, kSmall };

class PagingTest : public ChatServiceTest, public ::testing::WithParamInterface<CacheMode> {
 protected:
  PagingTest() : ChatServiceTest(GetParam() == CacheMode::kSmall ? 4 : 100) {}
};

TEST_P(PagingTest, EveryCursorCombination) {
  std::string chat = Group();
  // An empty chat first.
  auto empty = service_.GetChatHistory({chat, alice_, std::nullopt, std::nullopt, 0});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->messages.empty());
  EXPECT_FALSE(empty->has_more);

  if (GetParam() == CacheMode::kDown) cache_.SetDown(true);
  for (int i = 1; i <= 10; ++i) Send(chat, i % 2 ? alice_ : bob_, "m" + std::to_string(i));

  const std::vector<PagingCase> cases = {
      {{}, {}, 3, {8, 9, 10}, true},
      {{}, {}, 10, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, false},
      {{}, {}, 50, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, false},
      {5, {}, 3, {2, 3, 4}, true},
      {4, {}, 3, {1, 2, 3}, false},
      {2, {}, 3, {1}, false},
      {1, {}, 3, {}, false},
      {0, {}, 3, {}, false},
      {100, {}, 3, {8, 9, 10}, true},
      {11, {}, 10, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, false},
      {{}, 0, 3, {1, 2, 3}, true},
      {{}, 7, 3, {8, 9, 10}, false},
      {{}, 6, 3, {7, 8, 9}, true},
      {{}, 8, 3, {9, 10}, false},
      {{}, 10, 3, {}, false},
      {{}, 20, 3, {}, false},
      {9, 2, 3, {3, 4, 5}, true},
      {6, 2, 3, {3, 4, 5}, false},
      {7, 2, 3, {3, 4, 5}, true},
      {6, 5, 3, {}, false},
      {5, 6, 3, {}, false},
      {5, 5, 3, {}, false},
      {11, 0, 10, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, false},
      {11, 0, 9, {1, 2, 3, 4, 5, 6, 7, 8, 9}, true},
      {100, 8, 5, {9, 10}, false},
  };
  for (int round = 0; round < 2; ++round) {  // the second round runs with whatever the first one cached
    for (const PagingCase& c : cases) {
      auto page = service_.GetChatHistory({chat, bob_, c.before, c.after, c.limit});
      SCOPED_TRACE("before=" + (c.before ? std::to_string(*c.before) : "-") +
                   " after=" + (c.after ? std::to_string(*c.after) : "-") +
                   " limit=" + std::to_string(c.limit) + " round=" + std::to_string(round));
      ASSERT_TRUE(page.ok()) << page.status();
      EXPECT_EQ(Seqs(page->messages), c.seqs);
      EXPECT_EQ(page->has_more, c.has_more);
      for (const Message& m : page->messages) EXPECT_EQ(m.content, "m" + std::to_string(m.seq));
    }
  }
  if (GetParam() == CacheMode::kLarge) {
    EXPECT_GT(cache_.hits(), 0);
  }
}

INSTANTIATE_TEST_SUITE_P(CacheModes, PagingTest,
                         ::testing::Values(CacheMode::kDown, CacheMode::kLarge, CacheMode::kSmall),
                         [](const auto& info) {
                           switch (info.param) {
                             case CacheMode::kDown:
                               return "StoreOnly";
                             case CacheMode::kLarge:
                               return "WarmCache";
                             default:
                               return "SmallWindow";
                           }
                         });

}  // namespace
}  // namespace messenger::chat
