// FriendsDirectory and UserDirectory over the Friends and Users services' gRPC APIs.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "chat/domain/friends_directory.hpp"
#include "chat/domain/user_directory.hpp"
#include "messenger/friends/v1/friends.grpc.pb.h"
#include "messenger/users/v1/users.grpc.pb.h"

namespace messenger::chat {

// Friends.AreFriends, one call per check.
class GrpcFriendsDirectory final : public FriendsDirectory {
 public:
  GrpcFriendsDirectory(std::shared_ptr<grpc::Channel> channel, std::chrono::milliseconds deadline)
      : stub_(friends::v1::FriendsService::NewStub(channel)), deadline_(deadline) {}

  StatusOr<std::vector<std::string>> NotFriends(const std::string& user_id,
                                                const std::vector<std::string>& other_ids) override;

 private:
  std::unique_ptr<friends::v1::FriendsService::Stub> stub_;
  const std::chrono::milliseconds deadline_;
};

// Users.BatchGetUserProfiles, one call per check (a chat has at most 100 participants).
class GrpcUserDirectory final : public UserDirectory {
 public:
  GrpcUserDirectory(std::shared_ptr<grpc::Channel> channel, std::chrono::milliseconds deadline)
      : stub_(users::v1::UsersService::NewStub(channel)), deadline_(deadline) {}

  StatusOr<std::vector<std::string>> Unknown(const std::vector<std::string>& user_ids) override;

 private:
  std::unique_ptr<users::v1::UsersService::Stub> stub_;
  const std::chrono::milliseconds deadline_;
};

}  // namespace messenger::chat
