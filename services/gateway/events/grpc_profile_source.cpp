#include "events/grpc_profile_source.hpp"

#include "messenger/common/ids.hpp"

namespace messenger::gateway {

namespace userspb = messenger::users::v1;

GrpcProfileSource::GrpcProfileSource(std::shared_ptr<grpc::Channel> channel,
                                     std::chrono::milliseconds deadline, InFlightCalls& in_flight)
    : stub_(userspb::UsersService::NewStub(std::move(channel))), deadline_(deadline), in_flight_(in_flight) {}

boost::asio::awaitable<StatusOr<std::vector<Profile>>> GrpcProfileSource::BatchGet(
    std::vector<std::string> user_ids) {
  userspb::BatchGetUserProfilesRequest request;
  for (std::string& id : user_ids) request.add_user_ids(std::move(id));
  CallOptions options{deadline_, "ws-" + NewUuid()};
  auto start = [stub = stub_.get()](auto* context, auto* req, auto* resp, auto done) {
    stub->async()->BatchGetUserProfiles(context, req, resp, std::move(done));
  };
  RpcResult<userspb::BatchGetUserProfilesResponse> result =
      co_await UnaryCall<userspb::BatchGetUserProfilesRequest, userspb::BatchGetUserProfilesResponse>(
          in_flight_, std::move(options), std::move(request), std::move(start));
  if (!result.ok()) co_return result.status;
  std::vector<Profile> profiles;
  profiles.reserve(result.value.profiles_size());
  for (const userspb::UserProfile& p : result.value.profiles()) {
    profiles.push_back(Profile{p.user_id(), p.nickname(), p.bio(), p.avatar_url()});
  }
  co_return profiles;
}

}  // namespace messenger::gateway
