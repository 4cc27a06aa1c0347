#include "friends/storage/grpc_user_directory.hpp"

#include <algorithm>
#include <unordered_set>

#include "messenger/common/grpc_status.hpp"
#include "messenger/common/logging.hpp"

namespace messenger::friends {

StatusOr<std::string> GrpcUserDirectory::FindUserIdByNickname(const std::string& nickname) {
  auto context = NewClientContext(options_.deadline, log::CurrentRequestId());
  users::v1::GetUserProfileByNicknameRequest request;
  request.set_nickname(nickname);
  users::v1::UserProfile profile;
  grpc::Status status = stub_->GetUserProfileByNickname(context.get(), request, &profile);
  if (!status.ok()) return FromGrpcStatus(status, *context);
  return profile.user_id();
}

StatusOr<std::unordered_map<std::string, std::string>> GrpcUserDirectory::GetNicknames(
    const std::vector<std::string>& user_ids) {
  std::vector<std::string> unique;
  unique.reserve(user_ids.size());
  std::unordered_set<std::string> seen;
  for (const std::string& id : user_ids) {
    if (seen.insert(id).second) unique.push_back(id);
  }
  std::unordered_map<std::string, std::string> out;
  out.reserve(unique.size());
  const std::size_t batch = std::max<std::size_t>(1, options_.batch_size);
  for (std::size_t begin = 0; begin < unique.size(); begin += batch) {
    const std::size_t end = std::min(unique.size(), begin + batch);
    users::v1::BatchGetUserProfilesRequest request;
    for (std::size_t i = begin; i < end; ++i) request.add_user_ids(unique[i]);
    auto context = NewClientContext(options_.deadline, log::CurrentRequestId());
    users::v1::BatchGetUserProfilesResponse response;
    grpc::Status status = stub_->BatchGetUserProfiles(context.get(), request, &response);
    if (!status.ok()) return FromGrpcStatus(status, *context);
    for (const users::v1::UserProfile& p : response.profiles()) out.emplace(p.user_id(), p.nickname());
  }
  return out;
}

}  // namespace messenger::friends
