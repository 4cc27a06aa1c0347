// MongoChatStore and MongoMessageStore against the real MongoDB-compatible server (MONGO_URI; FerretDB 1.24
// locally), each test in its own database.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

#include "chat/domain/chat_service.hpp"
#include "chat/domain/event_relay.hpp"
#include "chat/tests/fakes.hpp"
#include "chat/tests/integration_support.hpp"

namespace messenger::chat {
namespace {

using testing::CountingSignal;
using testing::FakeFriends;
using testing::FakeUsers;
using testing::InMemoryChatCache;
using testing::RecordingPublisher;
using testing::TestMongo;

ChatInfo Group(std::vector<std::string> participants) {
  std::sort(participants.begin(), participants.end());
  return ChatInfo{NewUuid(), ChatKind::kGroup, participants, 1'700'000'000'000};
}

NewMessage Draft(const std::string& chat, const std::string& author, const std::string& text,
                 const std::string& client_id = "") {
  return NewMessage{NewUuid(), chat, author, text, client_id, ToUnixMillis(std::chrono::system_clock::now())};
}

std::vector<Message> All(MessageStore& store, const std::string& chat) {
  MessageRange range;
  range.limit = 1'000'000;
  range.oldest_first = true;
  auto all = store.List(chat, range);
  EXPECT_TRUE(all.ok()) << all.status();
  return all.ok() ? *all : std::vector<Message>{};
}

class MongoStoreTest : public ::testing::Test {
 protected:
  TestMongo mongo_;
  std::unique_ptr<MongoChatStore> chats_ = mongo_.NewChatStore();
  std::unique_ptr<MongoMessageStore> messages_ = mongo_.NewMessageStore();
};

TEST_F(MongoStoreTest, ChatRoundTripsAndDirectPairIsUnique) {
  const std::string a = NewUuid(), b = NewUuid();
  ChatInfo direct{NewUuid(), ChatKind::kDirect, {std::min(a, b), std::max(a, b)}, 1'700'000'000'123};
  auto created = chats_->Create(direct);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_TRUE(created->created);

  ChatInfo again = direct;
  again.chat_id = NewUuid();
  auto second = chats_->Create(again);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_FALSE(second->created);
  EXPECT_EQ(second->chat, direct);

  auto got = chats_->Get(direct.chat_id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->info, direct);
  EXPECT_EQ((*got)->last_seq, 0);
  EXPECT_FALSE((*got)->last_message);
  EXPECT_TRUE((*got)->read.empty());
  EXPECT_FALSE(chats_->Get(again.chat_id)->has_value());

  // Groups of the same people are distinct chats.
  ASSERT_TRUE(chats_->Create(Group({a, b}))->created);
  ASSERT_TRUE(chats_->Create(Group({a, b}))->created);
  EXPECT_EQ(chats_->ListForUser(a)->size(), 3u);
}

TEST_F(MongoStoreTest, ConcurrentCreationOfOneDirectChatCreatesItOnce) {
  const std::string a = NewUuid(), b = NewUuid();
  std::atomic<int> created{0};
  std::vector<std::string> ids(8);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      auto store = mongo_.NewChatStore();  // as if from different instances
      ChatInfo info{NewUuid(), ChatKind::kDirect, {std::min(a, b), std::max(a, b)}, 1};
      auto result = store->Create(info);
      ASSERT_TRUE(result.ok()) << result.status();
      if (result->created) ++created;
      ids[i] = result->chat.chat_id;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 1u);
  EXPECT_EQ(chats_->ListForUser(a)->size(), 1u);
}

TEST_F(MongoStoreTest, ApplyMessagesMovesOnlyForwardAndKeepsEveryAuthorsMark) {
  const std::string a = NewUuid(), b = NewUuid();
  ChatInfo chat = Group({a, b, NewUuid()});
  ASSERT_TRUE(chats_->Create(chat).ok());
  Message m1{NewUuid(), chat.chat_id, 1, a, "one", 1'700'000'000'001};
  Message m2{NewUuid(), chat.chat_id, 2, b, "two", 1'700'000'000'002};
  Message m3{NewUuid(), chat.chat_id, 3, a, "three", 1'700'000'000'003};
  ASSERT_TRUE(chats_->ApplyMessages({m3}).ok());
  ASSERT_TRUE(chats_->ApplyMessages({m1, m2}).ok());  // older ones afterwards: marks only
  ASSERT_TRUE(chats_->ApplyMessages({m3}).ok());      // re-application: no change
  Chat got = **chats_->Get(chat.chat_id);
  EXPECT_EQ(got.last_seq, 3);
  ASSERT_TRUE(got.last_message);
  EXPECT_EQ(*got.last_message, m3);
  EXPECT_EQ(got.last_activity_ms, m3.created_at_ms);
  EXPECT_EQ(got.ReadMark(a), 3);
  EXPECT_EQ(got.ReadMark(b), 2);

  ASSERT_TRUE(chats_->AdvanceReadMark(chat.chat_id, b, 3).ok());
  ASSERT_TRUE(chats_->AdvanceReadMark(chat.chat_id, b, 1).ok());  // never backwards
  EXPECT_EQ((*chats_->Get(chat.chat_id))->ReadMark(b), 3);
  EXPECT_EQ(chats_->ApplyMessages({Message{NewUuid(), NewUuid(), 1, a, "x", 1}}).code(),
            StatusCode::kNotFound);
}

TEST_F(MongoStoreTest, UserChatsNewestActivityFirst) {
  const std::string a = NewUuid();
  ChatInfo older = Group({a, NewUuid()});
  ChatInfo newer = Group({a, NewUuid()});
  ChatInfo idle = Group({a, NewUuid()});
  idle.created_at_ms += 5;
  for (const ChatInfo& c : {older, newer, idle}) ASSERT_TRUE(chats_->Create(c).ok());
  ASSERT_TRUE(chats_->ApplyMessages({Message{NewUuid(), older.chat_id, 1, a, "x", 1'700'000'000'010}}).ok());
  ASSERT_TRUE(chats_->ApplyMessages({Message{NewUuid(), newer.chat_id, 1, a, "y", 1'700'000'000'020}}).ok());
  auto list = chats_->ListForUser(a);
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].info.chat_id, newer.chat_id);
  EXPECT_EQ((*list)[1].info.chat_id, older.chat_id);
  EXPECT_EQ((*list)[2].info.chat_id, idle.chat_id);
  EXPECT_TRUE(chats_->ListForUser(NewUuid())->empty());
}

TEST_F(MongoStoreTest, ReadOutboxKeepsEventsUntilRemoved) {
  ReadEvent e{ReadEventId("c", "u", 1), "c", "u", 1, {"u", "v"}, 1'700'000'000'000};
  ASSERT_TRUE(chats_->AddReadEvent(e).ok());
  ASSERT_TRUE(chats_->AddReadEvent(e).ok());  // a retried MarkRead
  auto listed = chats_->ListReadEvents(10);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0], e);
  ASSERT_TRUE(chats_->RemoveReadEvents({e.event_id}).ok());
  EXPECT_TRUE(chats_->ListReadEvents(10)->empty());
}

TEST_F(MongoStoreTest, AppendNumbersFromOneAndListsRanges) {
  const std::string chat = NewUuid(), a = NewUuid();
  for (int i = 1; i <= 10; ++i) {
    auto stored = messages_->Append(Draft(chat, a, "m" + std::to_string(i)));
    ASSERT_TRUE(stored.ok()) << stored.status();
    EXPECT_TRUE(stored->created);
    EXPECT_EQ(stored->message.seq, i);
  }
  EXPECT_EQ(messages_->Append(Draft(NewUuid(), a, "other chat"))->message.seq, 1);

  auto seqs = [&](MessageRange r) {
    std::vector<int64_t> out;
    auto listed = messages_->List(chat, r);
    EXPECT_TRUE(listed.ok()) << listed.status();
    if (listed.ok()) {
      for (const Message& m : *listed) out.push_back(m.seq);
    }
    return out;
  };
  EXPECT_EQ(seqs({std::nullopt, std::nullopt, 3, false}), (std::vector<int64_t>{8, 9, 10}));
  EXPECT_EQ(seqs({std::nullopt, int64_t{5}, 3, false}), (std::vector<int64_t>{2, 3, 4}));
  EXPECT_EQ(seqs({int64_t{6}, std::nullopt, 3, true}), (std::vector<int64_t>{7, 8, 9}));
  EXPECT_EQ(seqs({int64_t{2}, int64_t{5}, 10, true}), (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(*messages_->LastSeq(chat), 10);
  EXPECT_EQ(*messages_->LastSeq(NewUuid()), 0);

  Message third = All(*messages_, chat)[2];
  EXPECT_EQ(third.content, "m3");
  EXPECT_EQ(third.author_id, a);
  EXPECT_EQ(third.chat_id, chat);
}

TEST_F(MongoStoreTest, ContentRoundTripsExactly) {
  const std::string chat = NewUuid();
  std::string text = std::string("nul \0 inside, ", 14) + "\xF0\x9F\x98\x80 \"quotes\" \\ \n";
  for (int i = 0; i < 4000; ++i) text += "\xD0\xAF";
  auto stored = messages_->Append(Draft(chat, NewUuid(), text));
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(All(*messages_, chat)[0].content, text);
}

TEST_F(MongoStoreTest, SameClientMessageIdIsStoredOnceAlsoUnderConcurrency) {
  const std::string chat = NewUuid(), a = NewUuid(), b = NewUuid();
  auto first = messages_->Append(Draft(chat, a, "hi", "k1"));
  ASSERT_TRUE(first.ok()) << first.status();
  auto retry = messages_->Append(Draft(chat, a, "hi", "k1"));
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_FALSE(retry->created);
  EXPECT_EQ(retry->message, first->message);
  EXPECT_TRUE(messages_->Append(Draft(chat, b, "hi", "k1"))->created);  // another author
  const std::string odd_key("k\0\xC3\xA9", 4);                          // any UTF-8, U+0000 included
  EXPECT_TRUE(messages_->Append(Draft(chat, b, "odd", odd_key))->created);
  EXPECT_FALSE(messages_->Append(Draft(chat, b, "odd", odd_key))->created);
  EXPECT_TRUE(messages_->Append(Draft(chat, a, "no key"))->created);
  EXPECT_TRUE(messages_->Append(Draft(chat, a, "no key"))->created);  // no key: always new

  std::atomic<int> created{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&] {
      auto store = mongo_.NewMessageStore();
      auto r = store->Append(Draft(chat, a, "race", "k2"));
      ASSERT_TRUE(r.ok()) << r.status();
      if (r->created) ++created;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), 1);
  std::vector<Message> all = All(*messages_, chat);
  ASSERT_EQ(all.size(), 6u);
  for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].seq, static_cast<int64_t>(i + 1));
}

TEST_F(MongoStoreTest, UnpublishedListedInChatAndSeqOrderUntilMarked) {
  const std::string c1 = "a-" + NewUuid(), c2 = "b-" + NewUuid(), a = NewUuid();
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(messages_->Append(Draft(c2, a, "x")).ok());
    ASSERT_TRUE(messages_->Append(Draft(c1, a, "y")).ok());
  }
  auto pending = messages_->ListUnpublished(100);
  ASSERT_TRUE(pending.ok()) << pending.status();
  ASSERT_EQ(pending->size(), 6u);
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ((*pending)[i].chat_id, i < 3 ? c1 : c2);
    EXPECT_EQ((*pending)[i].seq, i % 3 + 1);
  }
  EXPECT_EQ(messages_->ListUnpublished(4)->size(), 4u);
  ASSERT_TRUE(messages_->MarkPublished({(*pending)[0].message_id, (*pending)[3].message_id}).ok());
  auto rest = messages_->ListUnpublished(100);
  ASSERT_EQ(rest->size(), 4u);
  EXPECT_EQ((*rest)[0].seq, 2);

  // One chat's: only its own, oldest first, limited.
  auto in_c2 = messages_->ListUnpublishedInChat(c2, 100);
  ASSERT_TRUE(in_c2.ok()) << in_c2.status();
  ASSERT_EQ(in_c2->size(), 2u);
  EXPECT_EQ((*in_c2)[0].chat_id, c2);
  EXPECT_EQ((*in_c2)[0].seq, 2);
  EXPECT_EQ((*in_c2)[1].seq, 3);
  EXPECT_EQ(messages_->ListUnpublishedInChat(c1, 1)->size(), 1u);
  EXPECT_TRUE(messages_->ListUnpublishedInChat("no-such-chat", 100)->empty());
}

// The relay marks up to a batch (500) at once: every message of a large batch is marked.
TEST_F(MongoStoreTest, MarkingALargeBatchMarksEveryMessage) {
  const std::string chat = "mark-" + NewUuid(), author = NewUuid();
  std::vector<std::string> ids;
  for (int i = 0; i < 120; ++i) {
    auto stored = messages_->Append(Draft(chat, author, "m" + std::to_string(i)));
    ASSERT_TRUE(stored.ok()) << stored.status();
    ids.push_back(stored->message.message_id);
  }
  ASSERT_EQ(messages_->ListUnpublishedInChat(chat, 500)->size(), 120u);
  Status marked = messages_->MarkPublished(ids);
  ASSERT_TRUE(marked.ok()) << marked;
  EXPECT_TRUE(messages_->ListUnpublishedInChat(chat, 500)->empty());
  EXPECT_TRUE(messages_->MarkPublished(ids).ok());  // again: nothing changes, nothing fails
}

// The seq rule under load: 8 writers (each with store objects of its own, as separate instances would have)
// x 500 messages into one chat give 1..4000 without gap or duplicate, each writer's messages in its order.
// Through the whole send path (chat document, read marks), then the relay.
TEST_F(MongoStoreTest, EightWritersFiveHundredEachGiveSeqOneToFourThousand) {
  constexpr int kWriters = 8;
  constexpr int kPerWriter = 500;
  FakeUsers users;
  std::vector<std::string> writers;
  for (int i = 0; i < kWriters; ++i) writers.push_back(users.Add());
  const std::string reader = users.Add();
  std::vector<std::string> participants = writers;
  participants.push_back(reader);
  ChatInfo chat = Group(participants);
  ASSERT_TRUE(chats_->Create(chat).ok());

  FakeFriends friends;
  InMemoryChatCache cache;
  CountingSignal signal;
  SystemClock clock;
  std::vector<std::vector<Message>> sent(kWriters);
  std::vector<std::thread> threads;
  const auto started = std::chrono::steady_clock::now();
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      auto messages = mongo_.NewMessageStore();
      ChatService service(*chats_, *messages, cache, friends, users, signal, clock);
      for (int i = 0; i < kPerWriter; ++i) {
        auto r =
            service.SendMessage(chat.chat_id, writers[w], "w" + std::to_string(w) + "-" + std::to_string(i),
                                "k" + std::to_string(i));
        ASSERT_TRUE(r.ok()) << r.status();
        ASSERT_TRUE(r->created);
        sent[w].push_back(r->message);
      }
    });
  }
  for (auto& t : threads) t.join();
  const auto elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  std::cout << "8 x 500 sends took " << elapsed.count() << " ms\n";

  std::vector<Message> all = All(*messages_, chat.chat_id);
  ASSERT_EQ(all.size(), static_cast<std::size_t>(kWriters * kPerWriter));
  for (std::size_t i = 0; i < all.size(); ++i)
    ASSERT_EQ(all[i].seq, static_cast<int64_t>(i + 1)) << "gap or duplicate";
  std::set<std::string> ids;
  for (const Message& m : all) ids.insert(m.message_id);
  EXPECT_EQ(ids.size(), all.size());
  for (int w = 0; w < kWriters; ++w) {
    for (int i = 1; i < kPerWriter; ++i) ASSERT_LT(sent[w][i - 1].seq, sent[w][i].seq);
  }

  // The chat document: the newest message and every writer's mark at its own last message.
  Chat doc = **chats_->Get(chat.chat_id);
  EXPECT_EQ(doc.last_seq, kWriters * kPerWriter);
  ASSERT_TRUE(doc.last_message);
  EXPECT_EQ(doc.last_message->seq, kWriters * kPerWriter);
  for (int w = 0; w < kWriters; ++w) EXPECT_EQ(doc.ReadMark(writers[w]), sent[w].back().seq);

  RecordingPublisher publisher;
  EventRelay relay(*messages_, *chats_, cache, publisher);
  for (int pass = 0; pass < 20 && !messages_->ListUnpublished(1)->empty(); ++pass)
    ASSERT_TRUE(relay.RunOnce().ok());
  auto events = publisher.published();
  ASSERT_EQ(events.size(), all.size());
  for (std::size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(std::get<MessageSentEvent>(events[i]).message, all[i]);
  }
}

}  // namespace
}  // namespace messenger::chat
