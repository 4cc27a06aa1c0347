// UserDirectory over the Users service's gRPC API (GetUserProfileByNickname, BatchGetUserProfiles).
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "friends/domain/user_directory.hpp"
#include "messenger/users/v1/users.grpc.pb.h"

namespace messenger::friends {

struct GrpcUserDirectoryOptions {
  std::chrono::milliseconds deadline{2000};  // per call
  std::size_t batch_size = 1000;             // IDs per BatchGetUserProfiles call
};

class GrpcUserDirectory final : public UserDirectory {
 public:
  GrpcUserDirectory(std::shared_ptr<grpc::Channel> channel, GrpcUserDirectoryOptions options = {})
      : stub_(users::v1::UsersService::NewStub(channel)), options_(options) {}

  // NOT_FOUND for an unknown nickname; the Users service's status (and reason) otherwise.
  StatusOr<std::string> FindUserIdByNickname(const std::string& nickname) override;
  // One BatchGetUserProfiles call per batch_size IDs (duplicates removed first).
  StatusOr<std::unordered_map<std::string, std::string>> GetNicknames(
      const std::vector<std::string>& user_ids) override;

 private:
  std::unique_ptr<users::v1::UsersService::Stub> stub_;
  const GrpcUserDirectoryOptions options_;
};

}  // namespace messenger::friends
