// RedisChatCache against the real Redis, and the cached history against MongoDB (FerretDB locally).
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "chat/domain/chat_service.hpp"
#include "chat/tests/fakes.hpp"
#include "chat/tests/integration_support.hpp"

namespace messenger::chat {
namespace {

using testing::CountingSignal;
using testing::FakeFriends;
using testing::FakeUsers;
using testing::TestMongo;
using testing::TestRedis;

Message M(const std::string& chat, int64_t seq, const std::string& text = "") {
  return Message{
      "m-" + std::to_string(seq), chat, seq, "author", text.empty() ? "text " + std::to_string(seq) : text,
      1'700'000'000'000 + seq};
}

std::vector<int64_t> Seqs(const std::vector<Message>& messages) {
  std::vector<int64_t> out;
  for (const Message& m : messages) out.push_back(m.seq);
  return out;
}

class RedisCacheTest : public ::testing::Test {
 protected:
  std::optional<std::vector<Message>> Window(RedisChatCache& cache, const std::string& chat) {
    auto window = cache.GetRecent(chat);
    EXPECT_TRUE(window.ok()) << window.status();
    return window.ok() ? *window : std::nullopt;
  }
  void Fill(RedisChatCache& cache, const std::string& chat, const std::vector<Message>& newest) {
    auto token = cache.BeginFill(chat);
    ASSERT_TRUE(token.ok()) << token.status();
    ASSERT_TRUE(cache.CompleteFill(chat, *token, newest).ok());
  }

  TestRedis redis_;
  std::unique_ptr<RedisChatCache> cache_ = redis_.NewCache(5);
};

TEST_F(RedisCacheTest, MembershipRoundTrips) {
  ChatInfo info{NewUuid(), ChatKind::kDirect, {NewUuid(), NewUuid()}, 1'700'000'000'123};
  EXPECT_FALSE(cache_->GetChatInfo(info.chat_id)->has_value());
  ASSERT_TRUE(cache_->PutChatInfo(info).ok());
  auto got = cache_->GetChatInfo(info.chat_id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ(**got, info);
  EXPECT_GT(*redis_.client().PttlMillis(cache_->MembersKey(info.chat_id)), 0);
}

TEST_F(RedisCacheTest, AppendsExtendTheWindowWhichKeepsTheNewest) {
  const std::string chat = NewUuid();
  EXPECT_FALSE(Window(*cache_, chat).has_value());

  Fill(*cache_, chat, {});  // a chat without messages has an (empty) window
  auto empty = Window(*cache_, chat);
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(empty->empty());
  for (int64_t s = 1; s <= 12; ++s) ASSERT_TRUE(cache_->AppendRecent(M(chat, s)).ok());
  auto window = Window(*cache_, chat);
  ASSERT_TRUE(window);
  EXPECT_EQ(Seqs(*window), (std::vector<int64_t>{8, 9, 10, 11, 12}));
  EXPECT_EQ((*window)[0], M(chat, 8));
  // Appending what the window holds (the relay re-appends) or what it no longer holds changes nothing.
  ASSERT_TRUE(cache_->AppendRecent(M(chat, 12)).ok());
  ASSERT_TRUE(cache_->AppendRecent(M(chat, 3)).ok());
  EXPECT_EQ(Seqs(*Window(*cache_, chat)), (std::vector<int64_t>{8, 9, 10, 11, 12}));
  EXPECT_GT(*redis_.client().PttlMillis(cache_->RecentKey(chat)), 0);
}

// A chat written to without being read gets its window from the sends: the newest message appended starts
// it, later ones extend it, and an older one (a send that lost a race, a relay repair) never starts one.
TEST_F(RedisCacheTest, TheNewestAppendStartsAWindowAnOlderOneNever) {
  const std::string chat = NewUuid();
  ASSERT_TRUE(cache_->AppendRecent(M(chat, 1)).ok());
  ASSERT_TRUE(cache_->AppendRecent(M(chat, 2)).ok());
  EXPECT_EQ(Seqs(*Window(*cache_, chat)), (std::vector<int64_t>{1, 2}));

  const std::string other = NewUuid();
  ASSERT_TRUE(cache_->AppendRecent(M(other, 7)).ok());  // a chat whose window expired: starts at 7
  EXPECT_EQ(Seqs(*Window(*cache_, other)), (std::vector<int64_t>{7}));
  ASSERT_TRUE(cache_->Invalidate(other).ok());
  ASSERT_TRUE(cache_->AppendRecent(M(other, 6)).ok());  // older than one appended before: no window
  EXPECT_FALSE(Window(*cache_, other).has_value());
  ASSERT_TRUE(cache_->AppendRecent(M(other, 9)).ok());  // 8 not appended yet: 9 starts a window...
  ASSERT_TRUE(cache_->AppendRecent(M(other, 8)).ok());  // ...which 8, arriving late, cannot enter
  EXPECT_EQ(Seqs(*Window(*cache_, other)), (std::vector<int64_t>{9}));

  // A fill that read the store before a message was appended is not installed over the started window.
  const std::string third = NewUuid();
  auto token = cache_->BeginFill(third);
  ASSERT_TRUE(token.ok());
  ASSERT_TRUE(cache_->AppendRecent(M(third, 1)).ok());
  ASSERT_TRUE(cache_->CompleteFill(third, *token, {}).ok());
  EXPECT_EQ(Seqs(*Window(*cache_, third)), (std::vector<int64_t>{1}));
}

TEST_F(RedisCacheTest, NewestReadsOnlyTheTailOfTheWindow) {
  const std::string chat = NewUuid();
  EXPECT_FALSE(cache_->GetNewest(chat, 2)->has_value());  // no window
  Fill(*cache_, chat, {});
  auto empty = cache_->GetNewest(chat, 2);
  ASSERT_TRUE(empty.ok() && empty->has_value());
  EXPECT_TRUE((*empty)->empty());
  ASSERT_TRUE(cache_->AppendRecent(M(chat, 1)).ok());
  EXPECT_EQ(Seqs(**cache_->GetNewest(chat, 2)), (std::vector<int64_t>{1}));  // shorter than asked
  for (int64_t s = 2; s <= 4; ++s) ASSERT_TRUE(cache_->AppendRecent(M(chat, s)).ok());
  EXPECT_EQ(Seqs(**cache_->GetNewest(chat, 2)), (std::vector<int64_t>{3, 4}));
  EXPECT_EQ((**cache_->GetNewest(chat, 1))[0], M(chat, 4));
  EXPECT_EQ(Seqs(**cache_->GetNewest(chat, 50)), (std::vector<int64_t>{1, 2, 3, 4}));
}

TEST_F(RedisCacheTest, AnyDoubtDropsTheWindow) {
  const std::string chat = NewUuid();
  Fill(*cache_, chat, {M(chat, 1), M(chat, 2)});
  ASSERT_TRUE(cache_->AppendRecent(M(chat, 4)).ok());  // a gap: seq 3 was not seen
  EXPECT_FALSE(Window(*cache_, chat).has_value());

  Fill(*cache_, chat, {M(chat, 1), M(chat, 2)});
  ASSERT_TRUE(cache_->AppendRecent(M(chat, 2, "something else")).ok());  // differs from the held copy
  EXPECT_FALSE(Window(*cache_, chat).has_value());

  Fill(*cache_, chat, {M(chat, 1)});
  ASSERT_TRUE(cache_->Invalidate(chat).ok());
  EXPECT_FALSE(Window(*cache_, chat).has_value());
}

TEST_F(RedisCacheTest, AFillOverlappedByAnAppendIsNotInstalled) {
  const std::string chat = NewUuid();
  auto token = cache_->BeginFill(chat);
  ASSERT_TRUE(token.ok());
  // Read from the store: messages 1..2. Meanwhile message 3 is stored and appended (no window yet).
  // Message 3 starts a window of its own (it is the newest appended).
  ASSERT_TRUE(cache_->AppendRecent(M(chat, 3)).ok());
  ASSERT_TRUE(cache_->CompleteFill(chat, *token, {M(chat, 1), M(chat, 2)}).ok());
  EXPECT_EQ(Seqs(*Window(*cache_, chat)), (std::vector<int64_t>{3})) << "a window without message 3 would hide it";

  // After an invalidation, a fill begun after the append goes in.
  ASSERT_TRUE(cache_->Invalidate(chat).ok());
  Fill(*cache_, chat, {M(chat, 1), M(chat, 2), M(chat, 3)});
  EXPECT_EQ(Seqs(*Window(*cache_, chat)), (std::vector<int64_t>{1, 2, 3}));
  // A late fill never overwrites a window.
  auto late = cache_->BeginFill(chat);
  ASSERT_TRUE(cache_->CompleteFill(chat, *late, {M(chat, 1)}).ok());
  EXPECT_EQ(Seqs(*Window(*cache_, chat)), (std::vector<int64_t>{1, 2, 3}));
}

TEST_F(RedisCacheTest, RedisDownMeansEveryCallFailsQuickly) {
  redis::ClientOptions options = testing::TestRedisOptions();
  options.connect_timeout = std::chrono::milliseconds(200);
  RedisSettings nowhere = RedisSettings::FromEnv();
  nowhere.port = 1;
  RedisConnection connection(nowhere, options);
  RedisChatCache cache(connection, RedisChatCacheOptions{});
  EXPECT_FALSE(cache.GetRecent("c").ok());
  EXPECT_FALSE(cache.AppendRecent(M("c", 1)).ok());
  EXPECT_FALSE(cache.GetChatInfo("c").ok());
}

// The service over the real MongoDB and Redis: what users read through the cache is what MongoDB holds.
class CachedHistoryTest : public ::testing::Test {
 protected:
  CachedHistoryTest() {
    alice_ = users_.Add();
    bob_ = users_.Add();
    friends_.Befriend(alice_, bob_);
  }

  TestMongo mongo_;
  TestRedis redis_;
  std::unique_ptr<MongoChatStore> chats_ = mongo_.NewChatStore();
  std::unique_ptr<MongoMessageStore> messages_ = mongo_.NewMessageStore();
  std::unique_ptr<RedisChatCache> cache_ = redis_.NewCache(100);
  FakeUsers users_;
  FakeFriends friends_;
  CountingSignal signal_;
  SystemClock clock_;
  ChatService service_{*chats_, *messages_, *cache_, friends_, users_, signal_, clock_};
  std::string alice_, bob_;
};

TEST_F(CachedHistoryTest, CachedHistoryEqualsMongoAfterConcurrentSendsAndReads) {
  auto created = service_.CreateChat(alice_, {bob_});
  ASSERT_TRUE(created.ok()) << created.status();
  const std::string chat = created->chat.info.chat_id;
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(service_.SendMessage(chat, alice_, "warm-up " + std::to_string(i), "").ok());

  std::atomic<bool> done{false};
  std::mutex seen_mu;
  std::map<int64_t, Message> seen;  // every message any read returned
  auto remember = [&](const std::vector<Message>& page) {
    std::lock_guard lock(seen_mu);
    for (const Message& m : page) seen[m.seq] = m;
  };
  std::vector<std::thread> threads;
  // Writers: each reads its own message back right after the send returned (through the cache).
  for (int w = 0; w < 4; ++w) {
    threads.emplace_back([&, w] {
      const std::string& author = w % 2 ? alice_ : bob_;
      for (int i = 0; i < 40; ++i) {
        auto sent =
            service_.SendMessage(chat, author, "w" + std::to_string(w) + " #" + std::to_string(i), "");
        ASSERT_TRUE(sent.ok()) << sent.status();
        auto page = service_.GetChatHistory({chat, author, std::nullopt, sent->message.seq - 1, 1});
        ASSERT_TRUE(page.ok()) << page.status();
        ASSERT_EQ(page->messages.size(), 1u) << "a sent message must be readable at once";
        EXPECT_EQ(page->messages[0], sent->message);
        remember(page->messages);
      }
    });
  }
  // Readers: open the chat over and over (the newest page, from the cache or a fill).
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&, r] {
      while (!done) {
        auto page = service_.GetChatHistory({chat, alice_, std::nullopt, std::nullopt, 30});
        ASSERT_TRUE(page.ok()) << page.status();
        for (std::size_t i = 1; i < page->messages.size(); ++i) {
          ASSERT_EQ(page->messages[i].seq, page->messages[i - 1].seq + 1);
        }
        remember(page->messages);
        if (r == 1) (void)cache_->Invalidate(chat);  // forces fills racing with appends
      }
    });
  }
  for (int w = 0; w < 4; ++w) threads[w].join();
  done = true;
  for (std::size_t i = 4; i < threads.size(); ++i) threads[i].join();

  MessageRange all;
  all.limit = 1000;
  all.oldest_first = true;
  auto stored = messages_->List(chat, all);
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), 165u);
  for (const auto& [seq, m] : seen)
    EXPECT_EQ(m, (*stored)[seq - 1]) << "a read returned something MongoDB lacks";

  // The window, if any, is exactly MongoDB's newest messages; and the newest page read now equals MongoDB.
  auto window = cache_->GetRecent(chat);
  ASSERT_TRUE(window.ok());
  if (window->has_value()) {
    ASSERT_FALSE((*window)->empty());
    EXPECT_EQ((*window)->back().seq, 165);
    for (const Message& m : **window) EXPECT_EQ(m, (*stored)[m.seq - 1]);
  }
  auto newest = service_.GetChatHistory({chat, bob_, std::nullopt, std::nullopt, 100});
  ASSERT_TRUE(newest.ok());
  ASSERT_EQ(newest->messages.size(), 100u);
  EXPECT_EQ(newest->messages, std::vector<Message>(stored->end() - 100, stored->end()));
  EXPECT_TRUE(newest->has_more);
  auto from_cache = cache_->GetRecent(chat);
  ASSERT_TRUE(from_cache.ok() && from_cache->has_value());
  EXPECT_EQ(**from_cache, std::vector<Message>(stored->end() - 100, stored->end()));
}

TEST_F(CachedHistoryTest, ServiceKeepsWorkingWithoutRedis) {
  redis::ClientOptions options = testing::TestRedisOptions();
  options.connect_timeout = std::chrono::milliseconds(200);
  RedisSettings nowhere = RedisSettings::FromEnv();
  nowhere.port = 1;
  RedisConnection connection(nowhere, options);
  RedisChatCache down(connection, RedisChatCacheOptions{});
  ChatService service(*chats_, *messages_, down, friends_, users_, signal_, clock_);
  auto created = service.CreateChat(alice_, {bob_});
  ASSERT_TRUE(created.ok()) << created.status();
  const std::string chat = created->chat.info.chat_id;
  ASSERT_TRUE(service.SendMessage(chat, alice_, "one", "").ok());
  ASSERT_TRUE(service.SendMessage(chat, bob_, "two", "").ok());
  auto page = service.GetChatHistory({chat, alice_, std::nullopt, std::nullopt, 0});
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(Seqs(page->messages), (std::vector<int64_t>{1, 2}));
  auto chats = service.GetUserChats(alice_);
  ASSERT_TRUE(chats.ok());
  ASSERT_EQ(chats->size(), 1u);
  EXPECT_EQ((*chats)[0].unread_count, 1);
  EXPECT_TRUE(service.MarkRead(chat, alice_, 2).ok());
}

}  // namespace
}  // namespace messenger::chat
