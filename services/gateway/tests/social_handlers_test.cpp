// The friend and chat handlers through the real route table and dispatcher, with fake clients: what reaches
// the services, and how their answers and refusals become HTTP.
#include <gtest/gtest.h>

#include "api/routes.hpp"
#include "http/dispatcher.hpp"
#include "social_fakes.hpp"
#include "test_support.hpp"

namespace messenger::gateway {
namespace {

using namespace messenger::gateway::testing;
namespace friendspb = messenger::friends::v1;
namespace chatpb = messenger::chat::v1;

constexpr char kAlice[] = "0b6a3c1e-2f41-4f57-9a0e-7b8d9c1e2f30";
constexpr char kBob[] = "1c7b4d2f-3a52-4a68-8b1f-8c9e0d2f3a41";
constexpr char kChat[] = "2d8c5e3a-4b63-4b79-9c2a-9d0f1e3a4b52";

friendspb::FriendActionResponse StatusIs(friendspb::FriendshipStatus s) {
  friendspb::FriendActionResponse r;
  r.set_status(s);
  return r;
}

chatpb::Message Msg(std::int64_t seq) {
  chatpb::Message m;
  m.set_message_id("m-" + std::to_string(seq));
  m.set_chat_id(kChat);
  m.set_seq(seq);
  m.set_author_id(kAlice);
  m.set_content("hello");
  m.set_created_at_unix_ms(1795909286123);
  return m;
}

class GatewaySocialHandlersTest : public ::testing::Test {
 protected:
  GatewaySocialHandlersTest() {
    AddAllRoutes(router_, RouteDependencies{auth_, users_, metrics_, {}, &friends_, &chat_});
    Principal alice;
    alice.user_id = kAlice;
    alice.session_id = "s-1";
    authenticator_.tokens["alice-token"] = alice;
  }

  Response Call(std::string method, std::string path, std::string body = {}) {
    NameValueList headers{{"authorization", "Bearer alice-token"}};
    Request request = MakeRequest(std::move(method), std::move(path), std::move(body), std::move(headers));
    return RunSync(dispatcher_.Dispatch(request));
  }

  FakeAuthClient auth_;
  FakeUsersClient users_;
  FakeFriendsClient friends_;
  FakeChatClient chat_;
  Metrics metrics_;
  Router router_;
  FakeAuthenticator authenticator_;
  Dispatcher dispatcher_{router_, authenticator_};
};

TEST_F(GatewaySocialHandlersTest, FriendRequestIs201WhenNewAnd200WhenItAcceptedTheirs) {
  friends_.send.on = [](const auto&) { return Ok(StatusIs(friendspb::FRIENDSHIP_STATUS_REQUESTED)); };
  Response created = Call("POST", "/v1/friends/requests", R"({"nickname":"bob_1"})");
  EXPECT_EQ(created.status, 201);
  EXPECT_EQ(BodyJson(created).at("status").as_string(), "requested");
  ASSERT_EQ(friends_.send.seen.size(), 1u);
  EXPECT_EQ(friends_.send.seen[0].user_id(), kAlice);
  EXPECT_EQ(friends_.send.seen[0].friend_nickname(), "bob_1");

  friends_.send.on = [](const auto&) { return Ok(StatusIs(friendspb::FRIENDSHIP_STATUS_ACCEPTED)); };
  Response accepted = Call("POST", "/v1/friends/requests", R"({"nickname":"bob_1"})");
  EXPECT_EQ(accepted.status, 200);
  EXPECT_EQ(BodyJson(accepted).at("status").as_string(), "accepted");
}

TEST_F(GatewaySocialHandlersTest, FriendRefusalsKeepTheirReasons) {
  friends_.send.on = [](const auto&) {
    return Fail<friendspb::FriendActionResponse>(AlreadyExistsError("already friends", "ALREADY_FRIENDS"));
  };
  Response dup = Call("POST", "/v1/friends/requests", R"({"nickname":"bob_1"})");
  EXPECT_EQ(dup.status, 409);
  EXPECT_EQ(ErrorCodeOf(dup), "ALREADY_FRIENDS");
  EXPECT_EQ(Call("POST", "/v1/friends/requests", R"({"nickname":5})").status, 400);
  EXPECT_EQ(Call("POST", "/v1/friends/requests", R"({})").status, 400);
  // A nickname that cannot exist never reaches the service.
  std::size_t before = friends_.send.seen.size();
  EXPECT_EQ(Call("POST", "/v1/friends/requests", R"({"nickname":"no spaces"})").status, 404);
  EXPECT_EQ(friends_.send.seen.size(), before);
}

TEST_F(GatewaySocialHandlersTest, AcceptRejectAndRemoveAddressTheNicknameInThePath) {
  friends_.accept.on = [](const auto&) { return Ok(StatusIs(friendspb::FRIENDSHIP_STATUS_ACCEPTED)); };
  friends_.reject.on = [](const auto&) { return Ok(StatusIs(friendspb::FRIENDSHIP_STATUS_REJECTED)); };
  friends_.remove.on = [](const auto&) { return Ok(friendspb::FriendActionResponse()); };
  Response a = Call("POST", "/v1/friends/requests/Bob_1/accept");
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(BodyJson(a).at("status").as_string(), "accepted");
  EXPECT_EQ(friends_.accept.seen.at(0).friend_nickname(), "Bob_1");
  Response r = Call("POST", "/v1/friends/requests/bob_1/reject");
  EXPECT_EQ(BodyJson(r).at("status").as_string(), "rejected");
  Response d = Call("DELETE", "/v1/friends/bob_1");
  EXPECT_EQ(d.status, 204);
  EXPECT_TRUE(d.body.empty());
  EXPECT_EQ(friends_.remove.seen.at(0).user_id(), kAlice);
}

TEST_F(GatewaySocialHandlersTest, ListsCarryTimesAsRfc3339AndTheDirection) {
  friends_.pending.on = [](const friendspb::GetPendingRequestsRequest&) {
    friendspb::GetPendingRequestsResponse resp;
    auto* p = resp.add_requests();
    p->set_user_id(kBob);
    p->set_nickname("bob_1");
    p->set_status(friendspb::FRIENDSHIP_STATUS_REQUESTED);
    p->set_created_at_unix_ms(1795909286123);
    return Ok(resp);
  };
  Response out = Call("GET", "/v1/friends/requests?direction=outgoing");
  ASSERT_EQ(out.status, 200);
  EXPECT_EQ(friends_.pending.seen.at(0).direction(), friendspb::DIRECTION_OUTGOING);
  auto req = BodyJson(out).at("requests").at(0);
  EXPECT_EQ(req.at("created_at").as_string(), "2026-11-28T23:41:26.123Z");
  EXPECT_EQ(req.at("status").as_string(), "requested");
  EXPECT_EQ(Call("GET", "/v1/friends/requests?direction=sideways").status, 400);

  friends_.list.on = [](const auto&) {
    friendspb::GetFriendsListResponse resp;
    auto* f = resp.add_friends();
    f->set_user_id(kBob);
    f->set_nickname("bob_1");
    f->set_since_unix_ms(0);
    f->set_online(true);
    return Ok(resp);
  };
  auto list = BodyJson(Call("GET", "/v1/friends")).at("friends").at(0);
  EXPECT_EQ(list.at("since").as_string(), "1970-01-01T00:00:00.000Z");
  EXPECT_TRUE(list.at("online").as_bool());
}

TEST_F(GatewaySocialHandlersTest, CreateChatValidatesBeforeCallingAndMaps201And200) {
  EXPECT_EQ(Call("POST", "/v1/chats", R"({"participants":"x"})").status, 400);
  EXPECT_EQ(Call("POST", "/v1/chats", R"({"participants":[]})").status, 400);
  EXPECT_EQ(Call("POST", "/v1/chats", R"({"participants":[1]})").status, 400);
  EXPECT_EQ(Call("POST", "/v1/chats", R"({"participants":["nope"]})").status, 400);
  EXPECT_TRUE(chat_.create.seen.empty());

  bool created = true;
  chat_.create.on = [&](const chatpb::CreateChatRequest& r) {
    chatpb::CreateChatResponse resp;
    resp.set_created(created);
    resp.mutable_chat()->set_chat_id(kChat);
    resp.mutable_chat()->add_participants(r.creator_id());
    for (const auto& p : r.participant_ids()) resp.mutable_chat()->add_participants(p);
    return Ok(resp);
  };
  std::string body = std::string(R"({"participants":[")") + kBob + "\"]}";
  Response first = Call("POST", "/v1/chats", body);
  EXPECT_EQ(first.status, 201);
  auto chat = BodyJson(first);
  EXPECT_TRUE(chat.at("last_message").is_null());
  EXPECT_EQ(chat.at("participants").as_array().size(), 2u);
  EXPECT_EQ(chat_.create.seen.back().creator_id(), kAlice);
  created = false;
  EXPECT_EQ(Call("POST", "/v1/chats", body).status, 200);
}

TEST_F(GatewaySocialHandlersTest, SendChecksTypesAndMapsRetriesTo200) {
  std::string path = std::string("/v1/chats/") + kChat + "/messages";
  EXPECT_EQ(Call("POST", path, R"({"content":{"a":1}})").status, 400);
  EXPECT_EQ(Call("POST", path, R"({"content":"x","client_message_id":7})").status, 400);
  EXPECT_EQ(
      Call("POST", path, R"({"content":"x","client_message_id":")" + std::string(129, 'c') + "\"}").status,
      400);
  EXPECT_EQ(Call("POST", "/v1/chats/not-a-chat/messages", R"({"content":"x"})").status, 404);
  EXPECT_TRUE(chat_.send.seen.empty());
  chat_.send.on = [](const chatpb::SendMessageRequest& r) {
    chatpb::SendMessageResponse resp;
    *resp.mutable_message() = Msg(1);
    resp.set_created(r.client_message_id() != "again");
    return Ok(resp);
  };
  Response sent = Call("POST", path, R"({"content":"hello","client_message_id":"c1"})");
  EXPECT_EQ(sent.status, 201);
  EXPECT_EQ(BodyJson(sent).at("created_at").as_string(), "2026-11-28T23:41:26.123Z");
  EXPECT_EQ(chat_.send.seen.back().author_id(), kAlice);
  EXPECT_EQ(chat_.send.seen.back().client_message_id(), "c1");
  EXPECT_EQ(Call("POST", path, R"({"content":"hello","client_message_id":"again"})").status, 200);
  chat_.send.on = [](const auto&) {
    return Fail<chatpb::SendMessageResponse>(PermissionDeniedError("not friends", "NOT_FRIENDS"));
  };
  Response denied = Call("POST", path, R"({"content":"hello"})");
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(ErrorCodeOf(denied), "NOT_FRIENDS");
}

TEST_F(GatewaySocialHandlersTest, HistoryPassesCursorsAndRefusesBadOnes) {
  std::string path = std::string("/v1/chats/") + kChat + "/messages";
  chat_.history.on = [](const auto&) {
    chatpb::GetChatHistoryResponse resp;
    *resp.add_messages() = Msg(4);
    resp.set_has_more(true);
    return Ok(resp);
  };
  Response page = Call("GET", path + "?after_seq=3&limit=1");
  ASSERT_EQ(page.status, 200);
  EXPECT_TRUE(BodyJson(page).at("has_more").as_bool());
  const auto& seen = chat_.history.seen.back();
  EXPECT_TRUE(seen.has_after_seq());
  EXPECT_FALSE(seen.has_before_seq());
  EXPECT_EQ(seen.after_seq(), 3);
  EXPECT_EQ(seen.limit(), 1);
  EXPECT_EQ(seen.user_id(), kAlice);
  Call("GET", path);
  EXPECT_EQ(chat_.history.seen.back().limit(), 50);
  std::size_t calls = chat_.history.seen.size();
  EXPECT_EQ(Call("GET", path + "?limit=0").status, 400);
  EXPECT_EQ(Call("GET", path + "?limit=101").status, 400);
  EXPECT_EQ(Call("GET", path + "?before_seq=-1").status, 400);
  EXPECT_EQ(Call("GET", path + "?after_seq=x").status, 400);
  EXPECT_EQ(chat_.history.seen.size(), calls);
}

TEST_F(GatewaySocialHandlersTest, MarkReadIs204AndNeedsAnIntegerSeq) {
  std::string path = std::string("/v1/chats/") + kChat + "/read";
  chat_.mark_read.on = [](const auto&) { return Ok(chatpb::MarkReadResponse()); };
  EXPECT_EQ(Call("POST", path, R"({"seq":3})").status, 204);
  EXPECT_EQ(chat_.mark_read.seen.back().seq(), 3);
  EXPECT_EQ(Call("POST", path, R"({"seq":"3"})").status, 400);
  EXPECT_EQ(Call("POST", path, R"({"seq":-1})").status, 400);
  EXPECT_EQ(Call("POST", path, R"({})").status, 400);
}

}  // namespace
}  // namespace messenger::gateway
