// GET /v1/ws end to end (API.md "Real time"): real WebSocket clients against the running stack; events come
// from what users do through the REST API (Chat and Friends publish them, the gateways consume them).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <set>
#include <thread>
#include <vector>

#include "support/api.hpp"
#include "support/social.hpp"
#include "support/ws_client.hpp"

namespace messenger::e2e {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;
using SteadyClock = std::chrono::steady_clock;

std::int64_t SeqOf(const json::value& frame) {
  return frame.at("message").at("seq").to_number<std::int64_t>();
}

json::value ProfileOf(const TestUser& who) {
  auto r = Gateway().Get("/v1/users/" + who.user_id, who.access_token);
  EXPECT_EQ(r.status, 200) << r.body;
  return r.Json();
}

std::optional<bool> OnlineAmongFriends(const TestUser& viewer, const TestUser& friend_user) {
  auto r = Gateway().Get("/v1/friends", viewer.access_token);
  if (r.status != 200) return std::nullopt;
  const json::value body = r.Json();
  for (const auto& f : body.at("friends").as_array()) {
    if (f.at("user_id") == friend_user.user_id.c_str()) return f.at("online").as_bool();
  }
  return std::nullopt;
}

TestUser SecondSession(const TestUser& user) {
  TestUser copy = user;
  auto r = Gateway().Post("/v1/auth/login", LoginBody(user.email, user.password));
  EXPECT_EQ(r.status, 200) << r.body;
  if (r.status == 200) {
    copy.access_token = std::string(r.Json().at("access_token").as_string());
    copy.refresh_token = std::string(r.Json().at("refresh_token").as_string());
  }
  return copy;
}

TEST(RealtimeE2E, AMessageReachesEveryParticipantSocketIncludingTheAuthorsOtherConnection) {
  TestUser alice = NewUserWithProfile("wsa");
  TestUser bob = NewUserWithProfile("wsb");
  MakeFriends(alice, bob);
  json::object chat = CreateChat(alice, {&bob});
  ASSERT_TRUE(chat.contains("chat_id"));
  const std::string chat_id(chat.at("chat_id").as_string());

  auto alice_phone = WsClient::Open(GatewayUrl(), alice.access_token);
  auto alice_laptop =
      WsClient::Open(GatewayUrl(), SecondSession(alice).access_token, WsOptions::TokenInQuery());
  auto bob_socket = WsClient::Open(GatewayUrl(), bob.access_token);
  ASSERT_TRUE(alice_phone && alice_laptop && bob_socket);

  const auto sent_at = SteadyClock::now();
  HttpResponse sent = SendMessage(alice, chat_id, "hello over the wire");
  ASSERT_EQ(sent.status, 201) << sent.body;
  const json::value message = sent.Json();
  for (WsClient* socket : {alice_phone.get(), alice_laptop.get(), bob_socket.get()}) {
    auto frame = socket->NextOfType("message.created", 1s);
    ASSERT_TRUE(frame.has_value()) << "no message.created within one second";
    EXPECT_EQ(frame->at("message"), message) << "the frame carries the message exactly as REST answered it";
  }
  EXPECT_LT(SteadyClock::now() - sent_at, 2s);
}

TEST(RealtimeE2E, FriendRequestAndAcceptArriveWithTheOtherUsersProfile) {
  TestUser alice = NewUserWithProfile("wsfa");
  TestUser bob = NewUserWithProfile("wsfb");
  auto alice_socket = WsClient::Open(GatewayUrl(), alice.access_token);
  auto bob_socket = WsClient::Open(GatewayUrl(), bob.access_token);
  ASSERT_TRUE(alice_socket && bob_socket);

  auto asked =
      Gateway().Post("/v1/friends/requests", json::object{{"nickname", bob.nickname}}, alice.access_token);
  ASSERT_EQ(asked.status, 201) << asked.body;
  auto received = bob_socket->NextOfType("friend.request.received");
  ASSERT_TRUE(received.has_value());
  EXPECT_EQ(received->at("from"), ProfileOf(alice));

  auto accepted = Gateway().Send(
      {"POST", "/v1/friends/requests/" + alice.nickname + "/accept", "", {}, bob.access_token});
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  auto by = alice_socket->NextOfType("friend.request.accepted");
  ASSERT_TRUE(by.has_value());
  EXPECT_EQ(by->at("by"), ProfileOf(bob));
  EXPECT_TRUE(alice_socket->Skipped().empty()) << "alice heard nothing else";
}

TEST(RealtimeE2E, ChatReadReachesTheOtherParticipantsOnly) {
  TestUser alice = NewUserWithProfile("wsra");
  TestUser bob = NewUserWithProfile("wsrb");
  TestUser carol = NewUserWithProfile("wsrc");
  MakeFriends(alice, bob);
  MakeFriends(alice, carol);
  json::object chat = CreateChat(alice, {&bob, &carol});
  const std::string chat_id(chat.at("chat_id").as_string());
  auto alice_socket = WsClient::Open(GatewayUrl(), alice.access_token);
  auto bob_socket = WsClient::Open(GatewayUrl(), bob.access_token);
  auto carol_socket = WsClient::Open(GatewayUrl(), carol.access_token);
  ASSERT_TRUE(alice_socket && bob_socket && carol_socket);

  ASSERT_EQ(SendMessage(alice, chat_id, "one").status, 201);
  ASSERT_EQ(SendMessage(alice, chat_id, "two").status, 201);
  for (WsClient* s : {alice_socket.get(), bob_socket.get(), carol_socket.get()}) {
    ASSERT_TRUE(s->NextOfType("message.created").has_value());
    ASSERT_TRUE(s->NextOfType("message.created").has_value());
  }
  auto read = Gateway().Post("/v1/chats/" + chat_id + "/read", json::object{{"seq", 2}}, bob.access_token);
  ASSERT_EQ(read.status, 204) << read.body;
  const json::value expected = json::parse(R"({"type":"chat.read","chat_id":")" + chat_id +
                                           R"(","user_id":")" + bob.user_id + R"(","seq":2})");
  // Events of different services are not ordered with each other: a friend.request.* frame of the setup
  // (the Friends service publishes it) may still arrive after the chat's frames. Nothing else may.
  const auto setup_frame = [](const json::value& f) {
    return std::string_view(f.at("type").as_string()).starts_with("friend.request.");
  };
  const auto not_setup_frame = [&](const json::value& f) { return !setup_frame(f); };
  const auto only_setup_frames_skipped = [&](const WsClient& socket) {
    for (const json::value& f : socket.Skipped()) {
      EXPECT_TRUE(setup_frame(f)) << "unexpected frame " << json::serialize(f);
    }
  };
  for (WsClient* s : {alice_socket.get(), carol_socket.get()}) {
    auto frame = s->NextMatching(not_setup_frame);
    ASSERT_TRUE(frame.has_value());
    EXPECT_EQ(*frame, expected);
    only_setup_frames_skipped(*s);
  }
  // The reader is not told of their own read: the next chat frame bob's socket sees is the next message.
  ASSERT_EQ(SendMessage(carol, chat_id, "three").status, 201);
  auto next = bob_socket->NextMatching(not_setup_frame);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->at("type"), "message.created");
  EXPECT_EQ(SeqOf(*next), 3);
  only_setup_frames_skipped(*bob_socket);
}

TEST(RealtimeE2E, ABurstOfAHundredMessagesArrivesCompleteAndInSeqOrder) {
  TestUser alice = NewUserWithProfile("wsba");
  TestUser bob = NewUserWithProfile("wsbb");
  MakeFriends(alice, bob);
  const std::string chat_id(CreateChat(alice, {&bob}).at("chat_id").as_string());
  auto bob_socket = WsClient::Open(GatewayUrl(), bob.access_token);
  auto alice_socket = WsClient::Open(GatewayUrl(), alice.access_token);
  ASSERT_TRUE(bob_socket && alice_socket);

  // Four senders at once: the order of seq assignment is the service's; the sockets must follow it.
  std::atomic<int> failures{0};
  std::vector<std::thread> senders;
  for (int t = 0; t < 4; ++t) {
    senders.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        if (SendMessage(alice, chat_id, "burst " + std::to_string(t) + "/" + std::to_string(i)).status !=
            201) {
          ++failures;
        }
      }
    });
  }
  for (auto& s : senders) s.join();
  ASSERT_EQ(failures.load(), 0);
  for (WsClient* socket : {bob_socket.get(), alice_socket.get()}) {
    std::vector<std::int64_t> seqs;
    while (seqs.size() < 100) {
      auto frame = socket->NextOfType("message.created", 10s);
      ASSERT_TRUE(frame.has_value()) << "only " << seqs.size() << " of 100 arrived";
      seqs.push_back(SeqOf(*frame));
    }
    for (std::size_t i = 0; i < seqs.size(); ++i) ASSERT_EQ(seqs[i], static_cast<std::int64_t>(i + 1));
    EXPECT_FALSE(socket->Next(300ms).has_value()) << "nothing more (no duplicates)";
  }
}

TEST(RealtimeE2E, AReconnectingClientCatchesUpWithNoGapAndNoDuplicate) {
  TestUser alice = NewUserWithProfile("wsca");
  TestUser bob = NewUserWithProfile("wscb");
  MakeFriends(alice, bob);
  const std::string chat_id(CreateChat(alice, {&bob}).at("chat_id").as_string());

  std::vector<std::int64_t> shown;  // what bob's app displays, by seq
  auto socket = WsClient::Open(GatewayUrl(), bob.access_token);
  ASSERT_TRUE(socket);
  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(SendMessage(alice, chat_id, "before " + std::to_string(i)).status, 201);
  for (int i = 0; i < 5; ++i) {
    auto frame = socket->NextOfType("message.created");
    ASSERT_TRUE(frame.has_value());
    shown.push_back(SeqOf(*frame));
  }
  socket->Close();
  socket.reset();

  for (int i = 0; i < 5; ++i) ASSERT_EQ(SendMessage(alice, chat_id, "away " + std::to_string(i)).status, 201);

  // Reconnect first, then catch up: whatever is sent in between comes at least once, by either path.
  socket = WsClient::Open(GatewayUrl(), bob.access_token);
  ASSERT_TRUE(socket);
  std::thread more([&] {
    for (int i = 0; i < 5; ++i) SendMessage(alice, chat_id, "after " + std::to_string(i));
  });
  const std::int64_t last_seen = shown.back();
  auto page = Gateway().Get("/v1/chats/" + chat_id + "/messages?after_seq=" + std::to_string(last_seen),
                            bob.access_token);
  ASSERT_EQ(page.status, 200) << page.body;
  for (std::int64_t seq : Seqs(page)) shown.push_back(seq);
  more.join();
  std::vector<std::int64_t> live;
  while (true) {
    auto frame = socket->NextOfType("message.created", live.empty() || live.back() < 15 ? 5s : 300ms);
    if (!frame) break;
    live.push_back(SeqOf(*frame));
  }
  // Every message sent after the 101 (11..15) comes live, in order. Messages sent while away may come too
  // (their events can still be on their way when the socket opens): at least once, never out of order.
  ASSERT_GE(live.size(), 5u);
  EXPECT_TRUE(std::is_sorted(live.begin(), live.end()) &&
              std::adjacent_find(live.begin(), live.end()) == live.end())
      << "live frames in strictly increasing seq order";
  EXPECT_EQ(std::vector<std::int64_t>(live.end() - 5, live.end()),
            (std::vector<std::int64_t>{11, 12, 13, 14, 15}));
  for (std::int64_t seq : live) {
    if (seq > shown.back()) shown.push_back(seq);  // the app's rule: a frame at or below what it has is old
  }
  std::vector<std::int64_t> expected(15);
  for (int i = 0; i < 15; ++i) expected[i] = i + 1;
  EXPECT_EQ(shown, expected) << "no gap and no duplicate";
}

TEST(RealtimeE2E, LogoutClosesThatSessionsSocketWith4001AndLeavesTheOtherSession) {
  TestUser alice = NewUserWithProfile("wsla");
  TestUser bob = NewUserWithProfile("wslb");
  MakeFriends(alice, bob);
  const std::string chat_id(CreateChat(alice, {&bob}).at("chat_id").as_string());
  TestUser bob_laptop = SecondSession(bob);
  auto phone = WsClient::Open(GatewayUrl(), bob.access_token);
  auto laptop = WsClient::Open(GatewayUrl(), bob_laptop.access_token);
  ASSERT_TRUE(phone && laptop);

  const auto logout_at = SteadyClock::now();
  auto out = Gateway().Send({"POST", "/v1/auth/logout", "", {}, bob.access_token});
  ASSERT_EQ(out.status, 204) << out.body;
  EXPECT_EQ(phone->WaitClosed(2s), std::optional<std::uint16_t>(4001));
  EXPECT_LT(SteadyClock::now() - logout_at, 2s) << "closed at once, not at the next heartbeat";

  ASSERT_EQ(SendMessage(alice, chat_id, "still here?").status, 201);
  EXPECT_TRUE(laptop->NextOfType("message.created").has_value()) << "the other session's socket stays";
  EXPECT_FALSE(laptop->closed());
}

TEST(RealtimeE2E, ABadOrRevokedTokenIsRefusedAtTheUpgrade) {
  for (bool in_query : {false, true}) {
    SCOPED_TRACE(in_query ? "token in the query" : "token in the header");
    HttpResponse garbage =
        WsClient::TryUpgrade(GatewayUrl(), "not-a-token", WsOptions::TokenInQuery(in_query));
    EXPECT_EQ(garbage.status, 401) << garbage.body;
    EXPECT_EQ(garbage.ErrorCode(), "UNAUTHENTICATED");
    EXPECT_TRUE(garbage.Header("upgrade").empty()) << "no upgrade";
  }
  HttpResponse none = WsClient::TryUpgrade(GatewayUrl(), "");
  EXPECT_EQ(none.status, 401);

  TestUser user = NewUser("wsbad");
  HttpResponse good = WsClient::TryUpgrade(GatewayUrl(), user.access_token, WsOptions::TokenInQuery());
  EXPECT_EQ(good.status, 101) << "the same request with a valid token upgrades";
  ASSERT_EQ(Gateway().Send({"POST", "/v1/auth/logout", "", {}, user.access_token}).status, 204);
  HttpResponse revoked = WsClient::TryUpgrade(GatewayUrl(), user.access_token);
  EXPECT_EQ(revoked.status, 401) << revoked.body;
  EXPECT_EQ(revoked.ErrorCode(), "UNAUTHENTICATED");
}

TEST(RealtimeE2E, BrowserPagesFromForeignOriginsAreRefused) {
  TestUser user = NewUser("wsorg");
  HttpResponse foreign =
      WsClient::TryUpgrade(GatewayUrl(), user.access_token, WsOptions::WithOrigin("https://evil.example"));
  EXPECT_EQ(foreign.status, 403) << foreign.body;
  EXPECT_EQ(foreign.ErrorCode(), "ORIGIN_NOT_ALLOWED");
  auto local =
      WsClient::Open(GatewayUrl(), user.access_token, WsOptions::WithOrigin("http://localhost:5173"));
  EXPECT_TRUE(local != nullptr);
}

TEST(RealtimeE2E, AFriendIsOnlineWhileTheirSocketIsOpen) {
  TestUser alice = NewUserWithProfile("wspa");
  TestUser bob = NewUserWithProfile("wspb");
  MakeFriends(alice, bob);
  const std::string chat_id(CreateChat(alice, {&bob}).at("chat_id").as_string());
  EXPECT_EQ(OnlineAmongFriends(alice, bob), std::optional<bool>(false));

  auto first = WsClient::Open(GatewayUrl(), bob.access_token);
  ASSERT_TRUE(first);
  EXPECT_TRUE(Eventually([&] { return OnlineAmongFriends(alice, bob) == true; }, 5s));
  auto second = WsClient::Open(GatewayUrl(), bob.access_token);
  ASSERT_TRUE(second);
  first->Close();
  // Still connected through the second socket: stays online.
  ASSERT_EQ(SendMessage(alice, chat_id, "ping").status, 201);
  ASSERT_TRUE(second->NextOfType("message.created").has_value());
  EXPECT_EQ(OnlineAmongFriends(alice, bob), std::optional<bool>(true));
  second->Close();
  EXPECT_TRUE(Eventually([&] { return OnlineAmongFriends(alice, bob) == false; }, 5s))
      << "offline once the last socket closed";
}

TEST(RealtimeE2E, AMessageSentThroughOneGatewayReachesASocketOnTheOther) {
  const std::string second = Gateway2Url();
  ASSERT_FALSE(second.empty()) << "GATEWAY2_URL is not set: this test needs the second gateway instance that "
                                  "./dev test starts at GATEWAY_PORT+1";
  TestUser alice = NewUserWithProfile("ws2a");
  TestUser bob = NewUserWithProfile("ws2b");
  MakeFriends(alice, bob);
  const std::string chat_id(CreateChat(alice, {&bob}).at("chat_id").as_string());
  auto bob_on_2 = WsClient::Open(second, bob.access_token);
  auto alice_on_1 = WsClient::Open(GatewayUrl(), alice.access_token);
  ASSERT_TRUE(bob_on_2 && alice_on_1);

  HttpResponse sent = SendMessage(alice, chat_id, "across instances");  // through gateway 1
  ASSERT_EQ(sent.status, 201) << sent.body;
  auto frame = bob_on_2->NextOfType("message.created", 1s);
  ASSERT_TRUE(frame.has_value()) << "gateway 2 did not deliver within one second";
  EXPECT_EQ(frame->at("message"), sent.Json());
  EXPECT_TRUE(alice_on_1->NextOfType("message.created", 1s).has_value());

  // Logging out through gateway 1 closes the session's socket on gateway 2.
  ASSERT_EQ(Gateway().Send({"POST", "/v1/auth/logout", "", {}, bob.access_token}).status, 204);
  EXPECT_EQ(bob_on_2->WaitClosed(2s), std::optional<std::uint16_t>(4001));
}

}  // namespace
}  // namespace messenger::e2e
