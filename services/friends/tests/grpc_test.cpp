// The gRPC edges of the service, in process on ephemeral ports: GrpcUserDirectory against a fake
// UsersService, and FriendsGrpcService (over in-memory fakes) through a real client stub.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <mutex>

#include "friends/api/friends_grpc_service.hpp"
#include "friends/storage/grpc_user_directory.hpp"
#include "messenger/common/testing/fake_clock.hpp"
#include "friends/tests/fake_presence.hpp"
#include "friends/tests/fake_user_directory.hpp"
#include "friends/tests/fake_users_service.hpp"
#include "friends/tests/in_memory_friend_cache.hpp"
#include "friends/tests/in_memory_friendship_repository.hpp"
#include "messenger/common/grpc_status.hpp"

namespace messenger::friends {
namespace {

using ::testing::ElementsAre;

class GrpcUserDirectoryTest : public ::testing::Test {
 protected:
  static constexpr char kAliceId[] = "aaaaaaaa-0000-4000-8000-000000000001";

  void SetUp() override {
    users_.Add(kAliceId, "Alice");
    server_ = Serve(users_, &port_);
    ASSERT_NE(server_, nullptr);
    directory_ = std::make_unique<GrpcUserDirectory>(
        grpc::CreateChannel("127.0.0.1:" + std::to_string(port_), grpc::InsecureChannelCredentials()));
  }
  void TearDown() override { server_->Shutdown(); }

  FakeUsersService users_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<GrpcUserDirectory> directory_;
};

TEST_F(GrpcUserDirectoryTest, ResolvesANicknameOrSaysNotFoundWithTheReason) {
  auto id = directory_->FindUserIdByNickname("ALICE");
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(*id, kAliceId);
  auto missing = directory_->FindUserIdByNickname("bob");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().reason(), "USER_NOT_FOUND");
}

TEST_F(GrpcUserDirectoryTest, NamesOfManyIdsComeInBatchesOfAThousand) {
  std::vector<std::string> ids;
  for (int i = 0; i < 2500; ++i) ids.push_back("id-" + std::to_string(i));
  ids.push_back("unknown-1");
  ids.push_back("id-7");  // a repeated ID is asked once
  auto names = directory_->GetNicknames(ids);
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_EQ(names->size(), 2500u);  // the unknown one is left out
  EXPECT_EQ(names->at("id-2499"), "n-id-2499");
  EXPECT_EQ(names->count("unknown-1"), 0u);
  EXPECT_THAT(users_.batches(), ElementsAre(1000, 1000, 501));
}

TEST(GrpcUserDirectoryDownTest, UnreachableUsersServiceIsUnavailableNotAHang) {
  // Port 1 on loopback: nobody listens.
  GrpcUserDirectoryOptions options;
  options.deadline = std::chrono::milliseconds(500);
  GrpcUserDirectory directory(grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials()),
                              options);
  auto id = directory.FindUserIdByNickname("alice");
  EXPECT_TRUE(id.status().code() == StatusCode::kUnavailable ||
              id.status().code() == StatusCode::kDeadlineExceeded)
      << id.status();
}

class FriendsGrpcServiceTest : public ::testing::Test {
 protected:
  static constexpr char kAlice[] = "aaaaaaaa-0000-4000-8000-000000000001";
  static constexpr char kBob[] = "bbbbbbbb-0000-4000-8000-000000000002";

  void SetUp() override {
    directory_.Add(kAlice, "alice");
    directory_.Add(kBob, "bob");
    server_ = Serve(api_, &port_);
    ASSERT_NE(server_, nullptr);
    stub_ = v1::FriendsService::NewStub(
        grpc::CreateChannel("127.0.0.1:" + std::to_string(port_), grpc::InsecureChannelCredentials()));
  }
  void TearDown() override { server_->Shutdown(); }

  // Calls `rpc` and returns the Status with the reason from the trailing metadata.
  template <typename Request, typename Response, typename Rpc>
  Status Call(Rpc rpc, const Request& request, Response* response) {
    grpc::ClientContext context;
    grpc::Status status = (stub_.get()->*rpc)(&context, request, response);
    return status.ok() ? OkStatus() : FromGrpcStatus(status, context);
  }
  v1::FriendActionRequest Action(const std::string& user_id, const std::string& nickname) {
    v1::FriendActionRequest r;
    r.set_user_id(user_id);
    r.set_friend_nickname(nickname);
    return r;
  }

  messenger::testing::FakeClock clock_;
  InMemoryFriendshipRepository repository_;
  InMemoryFriendCache cache_;
  FakeUserDirectory directory_;
  FakePresence presence_;
  FriendshipService service_{repository_, cache_, directory_, presence_, clock_};
  FriendsGrpcService api_{service_};
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::FriendsService::Stub> stub_;
};

TEST_F(FriendsGrpcServiceTest, RequestAcceptListAndCheckThroughTheWire) {
  v1::FriendActionResponse action;
  ASSERT_TRUE(Call(&v1::FriendsService::Stub::SendFriendRequest, Action(kAlice, "bob"), &action).ok());
  EXPECT_EQ(action.status(), v1::FRIENDSHIP_STATUS_REQUESTED);

  Status again = Call(&v1::FriendsService::Stub::SendFriendRequest, Action(kAlice, "bob"), &action);
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(again.reason(), "ALREADY_REQUESTED");

  v1::GetPendingRequestsRequest pending_request;
  pending_request.set_user_id(kBob);
  pending_request.set_direction(v1::DIRECTION_INCOMING);
  v1::GetPendingRequestsResponse pending;
  ASSERT_TRUE(Call(&v1::FriendsService::Stub::GetPendingRequests, pending_request, &pending).ok());
  ASSERT_EQ(pending.requests_size(), 1);
  EXPECT_EQ(pending.requests(0).user_id(), kAlice);
  EXPECT_EQ(pending.requests(0).nickname(), "alice");
  EXPECT_EQ(pending.requests(0).status(), v1::FRIENDSHIP_STATUS_REQUESTED);
  EXPECT_EQ(pending.requests(0).created_at_unix_ms(), ToUnixMillis(clock_.Now()));

  ASSERT_TRUE(Call(&v1::FriendsService::Stub::AcceptFriendRequest, Action(kBob, "alice"), &action).ok());
  EXPECT_EQ(action.status(), v1::FRIENDSHIP_STATUS_ACCEPTED);

  v1::GetFriendsListRequest list_request;
  list_request.set_user_id(kAlice);
  v1::GetFriendsListResponse list;
  presence_.SetOnline(kBob, true);
  ASSERT_TRUE(Call(&v1::FriendsService::Stub::GetFriendsList, list_request, &list).ok());
  ASSERT_EQ(list.friends_size(), 1);
  EXPECT_EQ(list.friends(0).user_id(), kBob);
  EXPECT_EQ(list.friends(0).nickname(), "bob");
  EXPECT_TRUE(list.friends(0).online());
  EXPECT_EQ(list.friends(0).since_unix_ms(), ToUnixMillis(clock_.Now()));

  v1::AreFriendsRequest check_request;
  check_request.set_user_id(kBob);
  check_request.add_other_user_ids(kAlice);
  check_request.add_other_user_ids("cccccccc-0000-4000-8000-000000000003");
  v1::AreFriendsResponse check;
  ASSERT_TRUE(Call(&v1::FriendsService::Stub::AreFriends, check_request, &check).ok());
  EXPECT_FALSE(check.are_friends());
  EXPECT_THAT(check.not_friends(), ElementsAre("cccccccc-0000-4000-8000-000000000003"));

  ASSERT_TRUE(Call(&v1::FriendsService::Stub::RemoveFriend, Action(kBob, "alice"), &action).ok());
  EXPECT_EQ(action.status(), v1::FRIENDSHIP_STATUS_REMOVED);
  Status gone = Call(&v1::FriendsService::Stub::RemoveFriend, Action(kBob, "alice"), &action);
  EXPECT_EQ(gone.code(), StatusCode::kNotFound);
  EXPECT_EQ(gone.reason(), "NOT_FRIENDS");
}

TEST_F(FriendsGrpcServiceTest, BadArgumentsAreInvalidArgument) {
  v1::FriendActionResponse action;
  EXPECT_EQ(Call(&v1::FriendsService::Stub::SendFriendRequest, Action(kAlice, "alice"), &action).code(),
            StatusCode::kInvalidArgument);
  v1::GetPendingRequestsRequest request;
  request.set_user_id(kAlice);  // direction left unspecified
  v1::GetPendingRequestsResponse response;
  EXPECT_EQ(Call(&v1::FriendsService::Stub::GetPendingRequests, request, &response).code(),
            StatusCode::kInvalidArgument);
}

TEST_F(FriendsGrpcServiceTest, InfrastructureFailureKeepsItsCodeButNotItsDetail) {
  repository_.SetFailureForTest(UnavailableError("connection to 10.0.0.7:5432 refused"));
  v1::FriendActionResponse action;
  Status status = Call(&v1::FriendsService::Stub::SendFriendRequest, Action(kAlice, "bob"), &action);
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_EQ(status.message().find("10.0.0.7"), std::string::npos) << status.message();
}

}  // namespace
}  // namespace messenger::friends
