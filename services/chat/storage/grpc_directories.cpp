#include "chat/storage/grpc_directories.hpp"

#include <unordered_set>

#include "messenger/common/grpc_status.hpp"
#include "messenger/common/logging.hpp"

namespace messenger::chat {

StatusOr<std::vector<std::string>> GrpcFriendsDirectory::NotFriends(
    const std::string& user_id, const std::vector<std::string>& other_ids) {
  friends::v1::AreFriendsRequest request;
  request.set_user_id(user_id);
  for (const std::string& id : other_ids) request.add_other_user_ids(id);
  friends::v1::AreFriendsResponse response;
  auto context = NewClientContext(deadline_, log::CurrentRequestId());
  grpc::Status status = stub_->AreFriends(context.get(), request, &response);
  if (!status.ok()) return FromGrpcStatus(status, *context);
  std::vector<std::string> out(response.not_friends().begin(), response.not_friends().end());
  // A response that says "not friends" without naming anyone still means not friends with someone.
  if (!response.are_friends() && out.empty()) out = other_ids;
  return out;
}

StatusOr<std::vector<std::string>> GrpcUserDirectory::Unknown(const std::vector<std::string>& user_ids) {
  users::v1::BatchGetUserProfilesRequest request;
  for (const std::string& id : user_ids) request.add_user_ids(id);
  users::v1::BatchGetUserProfilesResponse response;
  auto context = NewClientContext(deadline_, log::CurrentRequestId());
  grpc::Status status = stub_->BatchGetUserProfiles(context.get(), request, &response);
  if (!status.ok()) return FromGrpcStatus(status, *context);
  std::unordered_set<std::string> found;
  for (const users::v1::UserProfile& p : response.profiles()) found.insert(p.user_id());
  std::vector<std::string> unknown;
  for (const std::string& id : user_ids) {
    if (!found.count(id)) unknown.push_back(id);
  }
  return unknown;
}

}  // namespace messenger::chat
