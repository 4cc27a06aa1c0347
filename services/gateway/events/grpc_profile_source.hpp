// ProfileSource over Users.BatchGetUserProfiles (callback API, see clients/rpc.hpp).
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>

#include "clients/rpc.hpp"
#include "events/profile_source.hpp"
#include "messenger/users/v1/users.grpc.pb.h"

namespace messenger::gateway {

class GrpcProfileSource final : public ProfileSource {
 public:
  // `in_flight` must outlive the source and every call.
  GrpcProfileSource(std::shared_ptr<grpc::Channel> channel, std::chrono::milliseconds deadline,
                    InFlightCalls& in_flight);

  boost::asio::awaitable<StatusOr<std::vector<Profile>>> BatchGet(std::vector<std::string> user_ids) override;

 private:
  std::unique_ptr<users::v1::UsersService::Stub> stub_;
  const std::chrono::milliseconds deadline_;
  InFlightCalls& in_flight_;
};

}  // namespace messenger::gateway
