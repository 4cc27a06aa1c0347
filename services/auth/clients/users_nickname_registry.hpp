// NicknameRegistry over the Users service's gRPC API (ReserveNickname / ReleaseNickname).
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>

#include "auth/domain/nickname_registry.hpp"
#include "messenger/users/v1/users.grpc.pb.h"

namespace messenger::auth {

class UsersNicknameRegistry final : public NicknameRegistry {
 public:
  UsersNicknameRegistry(std::shared_ptr<grpc::Channel> channel, std::chrono::milliseconds deadline)
      : stub_(users::v1::UsersService::NewStub(std::move(channel))), deadline_(deadline) {}

  // Errors are Users' own (ALREADY_EXISTS with NICKNAME_TAKEN, INVALID_ARGUMENT ...), or UNAVAILABLE /
  // DEADLINE_EXCEEDED when it cannot be reached in time.
  Status Reserve(const std::string& nickname, const std::string& user_id) override;
  Status Release(const std::string& nickname, const std::string& user_id) override;

 private:
  std::unique_ptr<users::v1::UsersService::Stub> stub_;
  const std::chrono::milliseconds deadline_;
};

}  // namespace messenger::auth
