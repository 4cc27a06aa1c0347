// Chats and messages through the public API: API.md "Chats and messages".
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <set>
#include <thread>

#include "support/social.hpp"

namespace messenger::e2e {
namespace {

std::string Id(const boost::json::object& chat) { return std::string(chat.at("chat_id").as_string()); }

std::vector<int64_t> Range(int64_t from, int64_t to) {
  std::vector<int64_t> v;
  for (int64_t i = from; i <= to; ++i) v.push_back(i);
  return v;
}

boost::json::object ChatInList(const TestUser& u, const std::string& chat_id) {
  auto r = Gateway().Get("/v1/chats", u.access_token);
  EXPECT_EQ(r.status, 200) << r.body;
  boost::json::value body = r.Json();
  for (const auto& c : body.at("chats").as_array()) {
    if (c.at("chat_id").as_string() == chat_id) return c.as_object();
  }
  ADD_FAILURE() << "chat " << chat_id << " not in the list";
  return {};
}

TEST(ChatE2E, CreatingAChatNeedsFriendshipAndKnownUsers) {
  TestUser a = NewUserWithProfile("ca");
  TestUser b = NewUserWithProfile("cb");
  auto denied = Gateway().Post("/v1/chats", boost::json::object{{"participants", {b.user_id}}}, a.access_token);
  EXPECT_EQ(denied.status, 403) << denied.body;
  EXPECT_EQ(denied.ErrorCode(), "NOT_FRIENDS");
  auto unknown = Gateway().Post("/v1/chats",
                                boost::json::object{{"participants", {"00000000-0000-4000-8000-000000000000"}}},
                                a.access_token);
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  EXPECT_EQ(Gateway().PostRaw("/v1/chats", R"({"participants": "x"})", a.access_token).status, 400);
  EXPECT_EQ(Gateway().PostRaw("/v1/chats", R"({"participants": []})", a.access_token).status, 400);
  EXPECT_EQ(Gateway().PostRaw("/v1/chats", R"({"participants": [42]})", a.access_token).status, 400);
  EXPECT_EQ(Gateway().PostRaw("/v1/chats", R"({"participants": ["not-a-uuid"]})", a.access_token).status, 400);
  // 400 comes before 404, and 404 before 403.
  auto order = Gateway().Post("/v1/chats",
                              boost::json::object{{"participants", {b.user_id, "00000000-0000-4000-8000-000000000000"}}},
                              a.access_token);
  EXPECT_EQ(order.status, 404) << order.body;
}

TEST(ChatE2E, DirectChatIsCreatedOnce) {
  TestUser a = NewUserWithProfile("ca");
  TestUser b = NewUserWithProfile("cb");
  MakeFriends(a, b);
  auto chat = CreateChat(a, {&b}, 201);
  ASSERT_FALSE(chat.empty());
  auto parts = chat.at("participants").as_array();
  EXPECT_EQ(parts.size(), 2u);
  EXPECT_TRUE(chat.at("last_message").is_null());
  EXPECT_EQ(chat.at("unread_count").to_number<int64_t>(), 0);
  EXPECT_TRUE(chat.at("created_at").is_string());
  // Again from either side, listing oneself too: the same chat, 200.
  auto again = CreateChat(b, {&a}, 200);
  EXPECT_EQ(Id(again), Id(chat));
  auto with_self = CreateChat(a, {&a, &b}, 200);
  EXPECT_EQ(Id(with_self), Id(chat));
}

TEST(ChatE2E, GroupChatsAreAlwaysNew) {
  TestUser a = NewUserWithProfile("ga");
  TestUser b = NewUserWithProfile("gb");
  TestUser c = NewUserWithProfile("gc");
  MakeFriends(a, b);
  MakeFriends(a, c);
  auto g1 = CreateChat(a, {&b, &c}, 201);
  auto g2 = CreateChat(a, {&b, &c}, 201);
  EXPECT_NE(Id(g1), Id(g2));
  EXPECT_EQ(g1.at("participants").as_array().size(), 3u);
  // b and c are not friends, but only the creator's friendships count.
  ASSERT_EQ(SendMessage(c, Id(g1), "hi from c").status, 201);
}

TEST(ChatE2E, SeqRisesByOneAndPagingFollowsTheCursors) {
  TestUser a = NewUserWithProfile("sa");
  TestUser b = NewUserWithProfile("sb");
  MakeFriends(a, b);
  std::string chat = Id(CreateChat(a, {&b}));
  for (int i = 1; i <= 12; ++i) {
    auto r = SendMessage(i % 2 ? a : b, chat, "message " + std::to_string(i));
    ASSERT_EQ(r.status, 201) << r.body;
    auto m = r.Json().as_object();
    EXPECT_EQ(m.at("seq").to_number<int64_t>(), i);
    EXPECT_EQ(m.at("chat_id").as_string(), chat);
    EXPECT_EQ(m.at("content").as_string(), "message " + std::to_string(i));
    EXPECT_EQ(m.at("author_id").as_string(), (i % 2 ? a : b).user_id);
    EXPECT_TRUE(m.at("created_at").is_string());
    EXPECT_TRUE(m.at("message_id").is_string());
  }
  std::string base = "/v1/chats/" + chat + "/messages";
  auto newest = Gateway().Get(base + "?limit=5", a.access_token);
  ASSERT_EQ(newest.status, 200) << newest.body;
  EXPECT_EQ(Seqs(newest), Range(8, 12));
  EXPECT_TRUE(newest.Json().at("has_more").as_bool());
  auto all = Gateway().Get(base, a.access_token);
  EXPECT_EQ(Seqs(all), Range(1, 12));
  EXPECT_FALSE(all.Json().at("has_more").as_bool());
  auto before = Gateway().Get(base + "?before_seq=8&limit=5", a.access_token);
  EXPECT_EQ(Seqs(before), Range(3, 7));
  EXPECT_TRUE(before.Json().at("has_more").as_bool());
  auto before_end = Gateway().Get(base + "?before_seq=3&limit=5", a.access_token);
  EXPECT_EQ(Seqs(before_end), Range(1, 2));
  EXPECT_FALSE(before_end.Json().at("has_more").as_bool());
  auto after = Gateway().Get(base + "?after_seq=4&limit=3", a.access_token);
  EXPECT_EQ(Seqs(after), Range(5, 7));
  EXPECT_TRUE(after.Json().at("has_more").as_bool());
  auto after_end = Gateway().Get(base + "?after_seq=9&limit=10", a.access_token);
  EXPECT_EQ(Seqs(after_end), Range(10, 12));
  EXPECT_FALSE(after_end.Json().at("has_more").as_bool());
  auto between = Gateway().Get(base + "?after_seq=2&before_seq=10&limit=3", a.access_token);
  EXPECT_EQ(Seqs(between), Range(3, 5));
  EXPECT_TRUE(between.Json().at("has_more").as_bool());
  auto between_all = Gateway().Get(base + "?after_seq=2&before_seq=6", a.access_token);
  EXPECT_EQ(Seqs(between_all), Range(3, 5));
  EXPECT_FALSE(between_all.Json().at("has_more").as_bool());
  EXPECT_EQ(Gateway().Get(base + "?limit=0", a.access_token).status, 400);
  EXPECT_EQ(Gateway().Get(base + "?limit=101", a.access_token).status, 400);
  EXPECT_EQ(Gateway().Get(base + "?before_seq=-1", a.access_token).status, 400);
  EXPECT_EQ(Gateway().Get(base + "?after_seq=abc", a.access_token).status, 400);
}

TEST(ChatE2E, RetryWithTheSameClientMessageIdStoresNothingNew) {
  TestUser a = NewUserWithProfile("ia");
  TestUser b = NewUserWithProfile("ib");
  MakeFriends(a, b);
  std::string chat = Id(CreateChat(a, {&b}));
  auto first = SendMessage(a, chat, "once", "client-1");
  ASSERT_EQ(first.status, 201) << first.body;
  auto retry = SendMessage(a, chat, "once", "client-1");
  EXPECT_EQ(retry.status, 200) << retry.body;
  EXPECT_EQ(retry.Json().at("message_id"), first.Json().at("message_id"));
  EXPECT_EQ(retry.Json().at("seq"), first.Json().at("seq"));
  // The same client_message_id from the other participant is a different message.
  EXPECT_EQ(SendMessage(b, chat, "mine", "client-1").status, 201);
  auto history = Gateway().Get("/v1/chats/" + chat + "/messages", a.access_token);
  EXPECT_EQ(Seqs(history), Range(1, 2));
}

TEST(ChatE2E, ContentLimits) {
  TestUser a = NewUserWithProfile("la");
  TestUser b = NewUserWithProfile("lb");
  MakeFriends(a, b);
  std::string chat = Id(CreateChat(a, {&b}));
  std::string cyr4096, cyr4097;
  for (int i = 0; i < 4096; ++i) cyr4096 += "я";
  cyr4097 = cyr4096 + "я";
  auto ok = SendMessage(a, chat, cyr4096);
  ASSERT_EQ(ok.status, 201) << ok.body.substr(0, 200);
  EXPECT_EQ(ok.Json().at("content").as_string(), cyr4096);
  EXPECT_EQ(SendMessage(a, chat, cyr4097).status, 400);
  EXPECT_EQ(SendMessage(a, chat, "").status, 400);
  std::string base = "/v1/chats/" + chat + "/messages";
  EXPECT_EQ(Gateway().PostRaw(base, R"({"content": {"text": "hi"}})", a.access_token).status, 400);
  EXPECT_EQ(Gateway().PostRaw(base, R"({"content": 5})", a.access_token).status, 400);
  EXPECT_EQ(Gateway().PostRaw(base, R"({})", a.access_token).status, 400);
  auto lone = Gateway().PostRaw(base, R"({"content": "bad \ud800 surrogate"})", a.access_token);
  EXPECT_EQ(lone.status, 400) << lone.body;
  EXPECT_EQ(Gateway().PostRaw(base, R"({"content": "ok", "client_message_id": 5})", a.access_token).status, 400);
}

TEST(ChatE2E, NonParticipantsAreRefusedAsIfTheChatDidNotExist) {
  TestUser a = NewUserWithProfile("na");
  TestUser b = NewUserWithProfile("nb");
  TestUser stranger = NewUserWithProfile("ns");
  MakeFriends(a, b);
  std::string chat = Id(CreateChat(a, {&b}));
  ASSERT_EQ(SendMessage(a, chat, "private").status, 201);
  EXPECT_EQ(SendMessage(stranger, chat, "let me in").status, 404);
  EXPECT_EQ(Gateway().Get("/v1/chats/" + chat + "/messages", stranger.access_token).status, 404);
  EXPECT_EQ(Gateway().Post("/v1/chats/" + chat + "/read", boost::json::object{{"seq", 1}}, stranger.access_token).status,
            404);
  EXPECT_EQ(Gateway().Get("/v1/chats/00000000-0000-4000-8000-000000000000/messages", a.access_token).status, 404);
  EXPECT_EQ(Gateway().Get("/v1/chats/not-a-uuid/messages", a.access_token).status, 404);
}

TEST(ChatE2E, UnreadCountsAndReadMarks) {
  TestUser a = NewUserWithProfile("ua");
  TestUser b = NewUserWithProfile("ub");
  MakeFriends(a, b);
  std::string chat = Id(CreateChat(a, {&b}));
  for (int i = 0; i < 3; ++i) ASSERT_EQ(SendMessage(a, chat, "from a").status, 201);
  EXPECT_EQ(ChatInList(b, chat).at("unread_count").to_number<int64_t>(), 3);
  EXPECT_EQ(ChatInList(a, chat).at("unread_count").to_number<int64_t>(), 0) << "own messages are read";
  auto last = ChatInList(b, chat).at("last_message").as_object();
  EXPECT_EQ(last.at("seq").to_number<int64_t>(), 3);

  auto read = Gateway().Post("/v1/chats/" + chat + "/read", boost::json::object{{"seq", 2}}, b.access_token);
  EXPECT_EQ(read.status, 204) << read.body;
  EXPECT_EQ(ChatInList(b, chat).at("unread_count").to_number<int64_t>(), 1);
  // A mark at or below the current one changes nothing.
  EXPECT_EQ(Gateway().Post("/v1/chats/" + chat + "/read", boost::json::object{{"seq", 1}}, b.access_token).status, 204);
  EXPECT_EQ(ChatInList(b, chat).at("unread_count").to_number<int64_t>(), 1);
  // Above the chat's last seq: 400.
  EXPECT_EQ(Gateway().Post("/v1/chats/" + chat + "/read", boost::json::object{{"seq", 99}}, b.access_token).status, 400);
  EXPECT_EQ(Gateway().PostRaw("/v1/chats/" + chat + "/read", R"({"seq": "2"})", b.access_token).status, 400);
  // Sending implies having read.
  ASSERT_EQ(SendMessage(b, chat, "reply").status, 201);
  EXPECT_EQ(ChatInList(b, chat).at("unread_count").to_number<int64_t>(), 0);
  EXPECT_EQ(ChatInList(a, chat).at("unread_count").to_number<int64_t>(), 1);
}

TEST(ChatE2E, ChatsAreListedNewestActivityFirst) {
  TestUser a = NewUserWithProfile("oa");
  TestUser b = NewUserWithProfile("ob");
  TestUser c = NewUserWithProfile("oc");
  MakeFriends(a, b);
  MakeFriends(a, c);
  std::string ab = Id(CreateChat(a, {&b}));
  std::string ac = Id(CreateChat(a, {&c}));
  ASSERT_EQ(SendMessage(a, ac, "first").status, 201);
  ASSERT_EQ(SendMessage(a, ab, "second").status, 201);
  auto list = Gateway().Get("/v1/chats", a.access_token).Json().at("chats").as_array();
  ASSERT_GE(list.size(), 2u);
  EXPECT_EQ(list[0].at("chat_id").as_string(), ab);
  EXPECT_EQ(list[1].at("chat_id").as_string(), ac);
  ASSERT_EQ(SendMessage(c, ac, "third").status, 201);
  list = Gateway().Get("/v1/chats", a.access_token).Json().at("chats").as_array();
  EXPECT_EQ(list[0].at("chat_id").as_string(), ac);
}

TEST(ChatE2E, UnfriendingBlocksNewMessagesButKeepsHistory) {
  TestUser a = NewUserWithProfile("xa");
  TestUser b = NewUserWithProfile("xb");
  MakeFriends(a, b);
  std::string chat = Id(CreateChat(a, {&b}));
  ASSERT_EQ(SendMessage(a, chat, "before").status, 201);
  ASSERT_EQ(Gateway().Delete("/v1/friends/" + b.nickname, a.access_token).status, 204);
  auto blocked = SendMessage(b, chat, "after");
  EXPECT_EQ(blocked.status, 403) << blocked.body;
  EXPECT_EQ(blocked.ErrorCode(), "NOT_FRIENDS");
  auto history = Gateway().Get("/v1/chats/" + chat + "/messages", b.access_token);
  EXPECT_EQ(history.status, 200);
  EXPECT_EQ(Seqs(history), Range(1, 1));
}

TEST(ChatE2E, ConcurrentSendersGetDistinctGaplessSeqs) {
  TestUser a = NewUserWithProfile("wa");
  TestUser b = NewUserWithProfile("wb");
  MakeFriends(a, b);
  std::string chat = Id(CreateChat(a, {&b}));
  constexpr int kWriters = 4, kEach = 25;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < kEach; ++i) {
        if (SendMessage(w % 2 ? a : b, chat, "w" + std::to_string(w) + "-" + std::to_string(i)).status != 201) failures++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  std::vector<int64_t> seen;
  int64_t after = 0;
  while (true) {
    auto page = Gateway().Get("/v1/chats/" + chat + "/messages?after_seq=" + std::to_string(after) + "&limit=100",
                              a.access_token);
    ASSERT_EQ(page.status, 200);
    auto seqs = Seqs(page);
    seen.insert(seen.end(), seqs.begin(), seqs.end());
    if (!page.Json().at("has_more").as_bool() || seqs.empty()) break;
    after = seqs.back();
  }
  EXPECT_EQ(seen, Range(1, kWriters * kEach));
}

}  // namespace
}  // namespace messenger::e2e
