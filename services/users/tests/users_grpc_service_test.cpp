// The gRPC transport over in-memory fakes, through an in-process channel: request and response mapping,
// status codes and the machine reason in the trailing metadata.
#include "users/api/users_grpc_service.hpp"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "messenger/common/testing/fake_clock.hpp"
#include "in_memory_profile_cache.hpp"
#include "in_memory_profile_repository.hpp"
#include "messenger/common/grpc_status.hpp"
#include "users/domain/registration_handler.hpp"

namespace messenger::users {
namespace {

class UsersGrpcServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.RegisterService(&grpc_service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = v1::UsersService::NewStub(server_->InProcessChannel(grpc::ChannelArguments()));
  }
  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  std::string Register(const std::string& nickname) {
    std::string id = NewUuid();
    EXPECT_TRUE(service_.ReserveNickname(nickname, id).ok());
    RegistrationHandler handler(repo_, clock_);
    EXPECT_TRUE(handler.Handle({NewUuid(), id, nickname}).ok());
    return id;
  }

  messenger::testing::FakeClock clock_;
  InMemoryProfileRepository repo_;
  InMemoryProfileCache cache_;
  ProfileService service_{repo_, cache_, clock_};
  UsersGrpcService grpc_service_{service_};
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::UsersService::Stub> stub_;
};

TEST_F(UsersGrpcServiceTest, GetAndNotFound) {
  std::string id = Register("alice");
  grpc::ClientContext ctx;
  v1::GetUserProfileRequest req;
  req.set_user_id(id);
  v1::UserProfile resp;
  ASSERT_TRUE(stub_->GetUserProfile(&ctx, req, &resp).ok());
  EXPECT_EQ(resp.user_id(), id);
  EXPECT_EQ(resp.nickname(), "alice");

  grpc::ClientContext ctx2;
  v1::GetUserProfileByNicknameRequest by_nick;
  by_nick.set_nickname("nobody");
  grpc::Status s = stub_->GetUserProfileByNickname(&ctx2, by_nick, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(UsersGrpcServiceTest, UpdateChangesOnlySetFieldsAndReportsTakenNickname) {
  std::string id = Register("alice");
  Register("bob");
  {
    grpc::ClientContext ctx;
    v1::UpdateUserProfileRequest req;
    req.set_user_id(id);
    req.set_bio("hi");
    v1::UserProfile resp;
    ASSERT_TRUE(stub_->UpdateUserProfile(&ctx, req, &resp).ok());
    EXPECT_EQ(resp.bio(), "hi");
    EXPECT_EQ(resp.nickname(), "alice");
  }
  {
    grpc::ClientContext ctx;
    v1::UpdateUserProfileRequest req;
    req.set_user_id(id);
    req.set_avatar_url("");  // set to empty: clears; the nickname is absent and stays
    v1::UserProfile resp;
    ASSERT_TRUE(stub_->UpdateUserProfile(&ctx, req, &resp).ok());
    EXPECT_EQ(resp.bio(), "hi");
    EXPECT_EQ(resp.nickname(), "alice");
  }
  {
    grpc::ClientContext ctx;
    v1::UpdateUserProfileRequest req;
    req.set_user_id(id);
    req.set_nickname("Bob");
    v1::UserProfile resp;
    grpc::Status s = stub_->UpdateUserProfile(&ctx, req, &resp);
    Status status = FromGrpcStatus(s, ctx);
    EXPECT_EQ(status.code(), StatusCode::kAlreadyExists);
    EXPECT_EQ(status.reason(), "NICKNAME_TAKEN");
  }
  {
    grpc::ClientContext ctx;
    v1::UpdateUserProfileRequest req;
    req.set_user_id(id);
    req.set_bio(std::string(501, 'x'));
    v1::UserProfile resp;
    EXPECT_EQ(stub_->UpdateUserProfile(&ctx, req, &resp).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  }
}

TEST_F(UsersGrpcServiceTest, ReserveReleaseSearchAndBatch) {
  std::string id = NewUuid();
  {
    grpc::ClientContext ctx;
    v1::ReserveNicknameRequest req;
    req.set_nickname("Carol");
    req.set_user_id(id);
    v1::ReserveNicknameResponse resp;
    ASSERT_TRUE(stub_->ReserveNickname(&ctx, req, &resp).ok());
    EXPECT_EQ(
        resp.expires_at_unix(),
        std::chrono::duration_cast<std::chrono::seconds>(clock_.Now().time_since_epoch()).count() + 86400);
  }
  {
    grpc::ClientContext ctx;
    v1::ReserveNicknameRequest req;
    req.set_nickname("carol");
    req.set_user_id(NewUuid());
    v1::ReserveNicknameResponse resp;
    grpc::Status s = stub_->ReserveNickname(&ctx, req, &resp);
    EXPECT_EQ(FromGrpcStatus(s, ctx).reason(), "NICKNAME_TAKEN");
    EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  }
  {
    grpc::ClientContext ctx;
    v1::ReleaseNicknameRequest req;
    req.set_nickname("carol");
    req.set_user_id(id);
    v1::ReleaseNicknameResponse resp;
    ASSERT_TRUE(stub_->ReleaseNickname(&ctx, req, &resp).ok());
  }
  std::string a = Register("carol");
  Register("caroline");
  {
    grpc::ClientContext ctx;
    v1::SearchUsersRequest req;
    req.set_prefix("CAR");
    v1::SearchUsersResponse resp;
    ASSERT_TRUE(stub_->SearchUsers(&ctx, req, &resp).ok());
    ASSERT_EQ(resp.users_size(), 2);
    EXPECT_EQ(resp.users(0).nickname(), "carol");
    EXPECT_EQ(resp.users(1).nickname(), "caroline");
  }
  {
    grpc::ClientContext ctx;
    v1::SearchUsersRequest req;
    req.set_prefix("");
    v1::SearchUsersResponse resp;
    EXPECT_EQ(stub_->SearchUsers(&ctx, req, &resp).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  }
  {
    grpc::ClientContext ctx;
    v1::BatchGetUserProfilesRequest req;
    req.add_user_ids(a);
    req.add_user_ids(NewUuid());
    v1::BatchGetUserProfilesResponse resp;
    ASSERT_TRUE(stub_->BatchGetUserProfiles(&ctx, req, &resp).ok());
    ASSERT_EQ(resp.profiles_size(), 1);
    EXPECT_EQ(resp.profiles(0).user_id(), a);
  }
}

}  // namespace
}  // namespace messenger::users
