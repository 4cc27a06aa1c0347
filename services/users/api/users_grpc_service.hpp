// gRPC transport of the Users service: proto <-> domain, Status -> grpc::Status.
#pragma once

#include "messenger/users/v1/users.grpc.pb.h"
#include "users/domain/profile_service.hpp"

namespace messenger::users {

class UsersGrpcService final : public v1::UsersService::Service {
 public:
  explicit UsersGrpcService(ProfileService& profiles) : profiles_(profiles) {}

  grpc::Status GetUserProfile(grpc::ServerContext* context, const v1::GetUserProfileRequest* request,
                              v1::UserProfile* response) override;
  grpc::Status GetUserProfileByNickname(grpc::ServerContext* context,
                                        const v1::GetUserProfileByNicknameRequest* request,
                                        v1::UserProfile* response) override;
  grpc::Status UpdateUserProfile(grpc::ServerContext* context, const v1::UpdateUserProfileRequest* request,
                                 v1::UserProfile* response) override;
  grpc::Status SearchUsers(grpc::ServerContext* context, const v1::SearchUsersRequest* request,
                           v1::SearchUsersResponse* response) override;
  grpc::Status BatchGetUserProfiles(grpc::ServerContext* context,
                                    const v1::BatchGetUserProfilesRequest* request,
                                    v1::BatchGetUserProfilesResponse* response) override;
  grpc::Status ReserveNickname(grpc::ServerContext* context, const v1::ReserveNicknameRequest* request,
                               v1::ReserveNicknameResponse* response) override;
  grpc::Status ReleaseNickname(grpc::ServerContext* context, const v1::ReleaseNicknameRequest* request,
                               v1::ReleaseNicknameResponse* response) override;

 private:
  ProfileService& profiles_;
};

}  // namespace messenger::users
