// The whole service over gRPC, as the gateway calls it: the real stores (MongoDB/FerretDB, Redis), and the
// Friends and Users services as in-process fake gRPC servers on ephemeral ports.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <mutex>
#include <set>

#include "chat/api/chat_grpc_service.hpp"
#include "chat/domain/chat_service.hpp"
#include "chat/storage/grpc_directories.hpp"
#include "chat/tests/fakes.hpp"
#include "chat/tests/integration_support.hpp"
#include "messenger/common/grpc_status.hpp"

namespace messenger::chat {
namespace {

using namespace std::chrono_literals;
using testing::CountingSignal;
using testing::TestMongo;
using testing::TestRedis;

// Friends.AreFriends over a set of pairs; counts calls.
class FakeFriendsServer final : public friends::v1::FriendsService::Service {
 public:
  void Befriend(const std::string& a, const std::string& b) {
    std::lock_guard lock(mu_);
    pairs_.insert(std::minmax(a, b));
  }
  void Unfriend(const std::string& a, const std::string& b) {
    std::lock_guard lock(mu_);
    pairs_.erase(std::minmax(a, b));
  }
  int calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }
  grpc::Status AreFriends(grpc::ServerContext*, const friends::v1::AreFriendsRequest* request,
                          friends::v1::AreFriendsResponse* response) override {
    std::lock_guard lock(mu_);
    ++calls_;
    for (const std::string& other : request->other_user_ids()) {
      if (!pairs_.count(std::minmax(request->user_id(), other))) response->add_not_friends(other);
    }
    response->set_are_friends(response->not_friends_size() == 0);
    return grpc::Status::OK;
  }

 private:
  std::mutex mu_;
  std::set<std::pair<std::string, std::string>> pairs_;
  int calls_ = 0;
};

// Users.BatchGetUserProfiles over a set of known IDs; counts calls.
class FakeUsersServer final : public users::v1::UsersService::Service {
 public:
  std::string Add() {
    std::lock_guard lock(mu_);
    return *known_.insert(NewUuid()).first;
  }
  int calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }
  grpc::Status BatchGetUserProfiles(grpc::ServerContext*,
                                    const users::v1::BatchGetUserProfilesRequest* request,
                                    users::v1::BatchGetUserProfilesResponse* response) override {
    std::lock_guard lock(mu_);
    ++calls_;
    for (const std::string& id : request->user_ids()) {
      if (known_.count(id)) response->add_profiles()->set_user_id(id);
    }
    return grpc::Status::OK;
  }

 private:
  std::mutex mu_;
  std::set<std::string> known_;
  int calls_ = 0;
};

std::unique_ptr<grpc::Server> Serve(grpc::Service* service, int* port) {
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), port);
  builder.RegisterService(service);
  return builder.BuildAndStart();
}

std::shared_ptr<grpc::Channel> Channel(int port) {
  return grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials());
}

class ChatGrpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    int friends_port = 0, users_port = 0, chat_port = 0;
    friends_server_ = Serve(&friends_, &friends_port);
    users_server_ = Serve(&users_, &users_port);
    ASSERT_TRUE(friends_server_ && users_server_);
    friends_directory_ = std::make_unique<GrpcFriendsDirectory>(Channel(friends_port), 2s);
    user_directory_ = std::make_unique<GrpcUserDirectory>(Channel(users_port), 2s);
    service_ = std::make_unique<ChatService>(*chats_, *messages_, *cache_, *friends_directory_,
                                             *user_directory_, signal_, clock_);
    grpc_service_ = std::make_unique<ChatGrpcService>(*service_);
    chat_server_ = Serve(grpc_service_.get(), &chat_port);
    ASSERT_TRUE(chat_server_);
    stub_ = v1::ChatService::NewStub(Channel(chat_port));
    alice_ = users_.Add();
    bob_ = users_.Add();
    carol_ = users_.Add();
    friends_.Befriend(alice_, bob_);
    friends_.Befriend(alice_, carol_);
  }
  void TearDown() override {
    if (chat_server_) chat_server_->Shutdown();
    if (friends_server_) friends_server_->Shutdown();
    if (users_server_) users_server_->Shutdown();
  }

  // The Status the gateway would see, reason included.
  template <typename Request, typename Response, typename Method>
  Status Call(Method method, const Request& request, Response* response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 10s);
    grpc::Status status = (stub_.get()->*method)(&context, request, response);
    return FromGrpcStatus(status, context);
  }
  StatusOr<v1::CreateChatResponse> Create(const std::string& creator,
                                          const std::vector<std::string>& others) {
    v1::CreateChatRequest request;
    request.set_creator_id(creator);
    for (const std::string& o : others) request.add_participant_ids(o);
    v1::CreateChatResponse response;
    MESSENGER_RETURN_IF_ERROR(Call(&v1::ChatService::Stub::CreateChat, request, &response));
    return response;
  }
  StatusOr<v1::SendMessageResponse> Send(const std::string& chat, const std::string& author,
                                         const std::string& content, const std::string& client_id = "") {
    v1::SendMessageRequest request;
    request.set_chat_id(chat);
    request.set_author_id(author);
    request.set_content(content);
    request.set_client_message_id(client_id);
    v1::SendMessageResponse response;
    MESSENGER_RETURN_IF_ERROR(Call(&v1::ChatService::Stub::SendMessage, request, &response));
    return response;
  }
  StatusOr<v1::GetChatHistoryResponse> History(const std::string& chat, const std::string& user,
                                               std::optional<int64_t> before, std::optional<int64_t> after,
                                               int limit) {
    v1::GetChatHistoryRequest request;
    request.set_chat_id(chat);
    request.set_user_id(user);
    if (before) request.set_before_seq(*before);
    if (after) request.set_after_seq(*after);
    request.set_limit(limit);
    v1::GetChatHistoryResponse response;
    MESSENGER_RETURN_IF_ERROR(Call(&v1::ChatService::Stub::GetChatHistory, request, &response));
    return response;
  }
  StatusOr<v1::GetUserChatsResponse> Chats(const std::string& user) {
    v1::GetUserChatsRequest request;
    request.set_user_id(user);
    v1::GetUserChatsResponse response;
    MESSENGER_RETURN_IF_ERROR(Call(&v1::ChatService::Stub::GetUserChats, request, &response));
    return response;
  }
  Status MarkRead(const std::string& chat, const std::string& user, int64_t seq) {
    v1::MarkReadRequest request;
    request.set_chat_id(chat);
    request.set_user_id(user);
    request.set_seq(seq);
    v1::MarkReadResponse response;
    return Call(&v1::ChatService::Stub::MarkRead, request, &response);
  }

  TestMongo mongo_;
  TestRedis redis_;
  std::unique_ptr<MongoChatStore> chats_ = mongo_.NewChatStore();
  std::unique_ptr<MongoMessageStore> messages_ = mongo_.NewMessageStore();
  std::unique_ptr<RedisChatCache> cache_ = redis_.NewCache();
  FakeFriendsServer friends_;
  FakeUsersServer users_;
  CountingSignal signal_;
  SystemClock clock_;
  std::unique_ptr<grpc::Server> friends_server_, users_server_, chat_server_;
  std::unique_ptr<GrpcFriendsDirectory> friends_directory_;
  std::unique_ptr<GrpcUserDirectory> user_directory_;
  std::unique_ptr<ChatService> service_;
  std::unique_ptr<ChatGrpcService> grpc_service_;
  std::unique_ptr<v1::ChatService::Stub> stub_;
  std::string alice_, bob_, carol_;
};

TEST_F(ChatGrpcTest, CreateChatChecksInOrderWithOneCallToEachDirectory) {
  const std::string stranger = users_.Add();
  EXPECT_EQ(Create(alice_, {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Create(alice_, {"nope"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Create(alice_, {NewUuid(), stranger}).status().code(), StatusCode::kNotFound);
  const int users_calls = users_.calls(), friends_calls = friends_.calls();
  auto denied = Create(alice_, {bob_, stranger});
  EXPECT_EQ(denied.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(denied.status().reason(), "NOT_FRIENDS");
  EXPECT_EQ(users_.calls(), users_calls + 1);
  EXPECT_EQ(friends_.calls(), friends_calls + 1);

  auto direct = Create(alice_, {bob_, alice_});
  ASSERT_TRUE(direct.ok()) << direct.status();
  EXPECT_TRUE(direct->created());
  EXPECT_EQ(direct->chat().kind(), v1::CHAT_KIND_DIRECT);
  EXPECT_EQ(direct->chat().participants_size(), 2);
  EXPECT_FALSE(direct->chat().has_last_message());
  auto again = Create(bob_, {alice_});
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created());
  EXPECT_EQ(again->chat().chat_id(), direct->chat().chat_id());

  auto group = Create(alice_, {bob_, carol_});
  ASSERT_TRUE(group.ok());
  EXPECT_EQ(group->chat().kind(), v1::CHAT_KIND_GROUP);
}

TEST_F(ChatGrpcTest, MessagesHistoryReadMarksAndUnfriending) {
  const std::string chat = Create(alice_, {bob_})->chat().chat_id();
  std::string wide;
  for (int i = 0; i < 4096; ++i) wide += "\xE2\x82\xAC";  // 4096 x €, 12288 bytes
  auto first = Send(chat, alice_, wide, "c-1");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(first->created());
  EXPECT_EQ(first->message().seq(), 1);
  auto retry = Send(chat, alice_, wide, "c-1");
  ASSERT_TRUE(retry.ok());
  EXPECT_FALSE(retry->created());
  EXPECT_EQ(retry->message().message_id(), first->message().message_id());
  EXPECT_EQ(Send(chat, alice_, wide + "\xE2\x82\xAC").status().code(), StatusCode::kInvalidArgument);
  // Invalid UTF-8 cannot travel in a proto3 string: the server's parser refuses the request before the
  // service sees it (gRPC INTERNAL), so the gateway answers 400 itself (the domain checks again; unit tests).
  EXPECT_EQ(Send(chat, alice_, "").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Send(chat, carol_, "hi").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Send(NewUuid(), alice_, "hi").status().code(), StatusCode::kNotFound);
  for (int i = 2; i <= 5; ++i) ASSERT_TRUE(Send(chat, bob_, "b" + std::to_string(i)).ok());

  auto newest = History(chat, alice_, std::nullopt, std::nullopt, 2);
  ASSERT_TRUE(newest.ok()) << newest.status();
  ASSERT_EQ(newest->messages_size(), 2);
  EXPECT_EQ(newest->messages(0).seq(), 4);
  EXPECT_TRUE(newest->has_more());
  auto older = History(chat, alice_, int64_t{4}, std::nullopt, 10);
  ASSERT_TRUE(older.ok());
  ASSERT_EQ(older->messages_size(), 3);
  EXPECT_EQ(older->messages(0).content(), wide);
  EXPECT_FALSE(older->has_more());
  auto catch_up = History(chat, bob_, std::nullopt, int64_t{0}, 3);
  ASSERT_TRUE(catch_up.ok());
  EXPECT_EQ(catch_up->messages(2).seq(), 3);
  EXPECT_TRUE(catch_up->has_more());
  auto between = History(chat, bob_, int64_t{0}, int64_t{0}, 3);  // nothing strictly between 0 and 0
  ASSERT_TRUE(between.ok());
  EXPECT_EQ(between->messages_size(), 0);
  EXPECT_EQ(History(chat, bob_, std::nullopt, int64_t{-1}, 3).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(History(chat, bob_, std::nullopt, std::nullopt, 101).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(History(chat, carol_, std::nullopt, std::nullopt, 0).status().code(), StatusCode::kNotFound);

  auto alice_chats = Chats(alice_);
  ASSERT_TRUE(alice_chats.ok());
  ASSERT_EQ(alice_chats->chats_size(), 1);
  EXPECT_EQ(alice_chats->chats(0).unread_count(), 4);
  EXPECT_EQ(alice_chats->chats(0).last_message().seq(), 5);
  EXPECT_EQ(MarkRead(chat, alice_, 6).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(MarkRead(chat, carol_, 1).code(), StatusCode::kNotFound);
  ASSERT_TRUE(MarkRead(chat, alice_, 3).ok());
  EXPECT_EQ(Chats(alice_)->chats(0).unread_count(), 2);

  friends_.Unfriend(alice_, bob_);
  auto blocked = Send(chat, bob_, "still there?");
  EXPECT_EQ(blocked.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(blocked.status().reason(), "NOT_FRIENDS");
  auto still = History(chat, bob_, std::nullopt, std::nullopt, 0);
  ASSERT_TRUE(still.ok());
  EXPECT_EQ(still->messages_size(), 5);
}

TEST_F(ChatGrpcTest, FriendsServiceDownIsUnavailableNotADecision) {
  const std::string chat = Create(alice_, {bob_})->chat().chat_id();
  friends_server_->Shutdown();
  friends_server_.reset();
  auto sent = Send(chat, alice_, "hi");
  EXPECT_EQ(sent.status().code(), StatusCode::kUnavailable) << sent.status();
}

}  // namespace
}  // namespace messenger::chat
