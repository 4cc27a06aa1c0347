#include "users/api/users_grpc_service.hpp"

#include <string_view>

#include "messenger/common/grpc_status.hpp"
#include "messenger/common/logging.hpp"

namespace messenger::users {
namespace {

void ToProto(const Profile& p, v1::UserProfile* out) {
  out->set_user_id(p.user_id);
  out->set_nickname(p.nickname);
  out->set_bio(p.bio);
  out->set_avatar_url(p.avatar_url);
}

// Answers the call: rule violations (bad input, unknown user, taken nickname) go to the caller as they are;
// failures of the infrastructure are logged here, once, and reach the caller without internal detail.
grpc::Status Reply(std::string_view rpc, const Status& status, grpc::ServerContext* context) {
  switch (status.code()) {
    case StatusCode::kOk:
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kPermissionDenied:
    case StatusCode::kResourceExhausted:
      return ToGrpcStatus(status, context);
    default:
      log::Error("request failed", {{"rpc", rpc}, {"error", status.ToString()}});
      return ToGrpcStatus(Status(status.code(), "the users service could not complete the request"), context);
  }
}

}  // namespace

grpc::Status UsersGrpcService::GetUserProfile(grpc::ServerContext* context,
                                              const v1::GetUserProfileRequest* request,
                                              v1::UserProfile* response) {
  log::RequestScope scope(RequestIdFromServerContext(*context));
  StatusOr<Profile> profile = profiles_.GetProfile(request->user_id());
  if (profile.ok()) ToProto(*profile, response);
  return Reply("GetUserProfile", profile.status(), context);
}

grpc::Status UsersGrpcService::GetUserProfileByNickname(grpc::ServerContext* context,
                                                        const v1::GetUserProfileByNicknameRequest* request,
                                                        v1::UserProfile* response) {
  log::RequestScope scope(RequestIdFromServerContext(*context));
  StatusOr<Profile> profile = profiles_.GetProfileByNickname(request->nickname());
  if (profile.ok()) ToProto(*profile, response);
  return Reply("GetUserProfileByNickname", profile.status(), context);
}

grpc::Status UsersGrpcService::UpdateUserProfile(grpc::ServerContext* context,
                                                 const v1::UpdateUserProfileRequest* request,
                                                 v1::UserProfile* response) {
  log::RequestScope scope(RequestIdFromServerContext(*context));
  ProfileChanges changes;
  if (request->has_nickname()) changes.nickname = request->nickname();
  if (request->has_bio()) changes.bio = request->bio();
  if (request->has_avatar_url()) changes.avatar_url = request->avatar_url();
  StatusOr<Profile> profile = profiles_.UpdateProfile(request->user_id(), changes);
  if (profile.ok()) ToProto(*profile, response);
  return Reply("UpdateUserProfile", profile.status(), context);
}

grpc::Status UsersGrpcService::SearchUsers(grpc::ServerContext* context,
                                           const v1::SearchUsersRequest* request,
                                           v1::SearchUsersResponse* response) {
  log::RequestScope scope(RequestIdFromServerContext(*context));
  StatusOr<std::vector<Profile>> found = profiles_.SearchUsers(request->prefix(), request->limit());
  if (found.ok()) {
    for (const Profile& p : *found) ToProto(p, response->add_users());
  }
  return Reply("SearchUsers", found.status(), context);
}

grpc::Status UsersGrpcService::BatchGetUserProfiles(grpc::ServerContext* context,
                                                    const v1::BatchGetUserProfilesRequest* request,
                                                    v1::BatchGetUserProfilesResponse* response) {
  log::RequestScope scope(RequestIdFromServerContext(*context));
  std::vector<std::string> ids(request->user_ids().begin(), request->user_ids().end());
  StatusOr<std::vector<Profile>> found = profiles_.BatchGetProfiles(ids);
  if (found.ok()) {
    for (const Profile& p : *found) ToProto(p, response->add_profiles());
  }
  return Reply("BatchGetUserProfiles", found.status(), context);
}

grpc::Status UsersGrpcService::ReserveNickname(grpc::ServerContext* context,
                                               const v1::ReserveNicknameRequest* request,
                                               v1::ReserveNicknameResponse* response) {
  log::RequestScope scope(RequestIdFromServerContext(*context));
  StatusOr<Reservation> reservation = profiles_.ReserveNickname(request->nickname(), request->user_id());
  if (reservation.ok() && reservation->expires_at) {
    response->set_expires_at_unix(
        std::chrono::duration_cast<std::chrono::seconds>(reservation->expires_at->time_since_epoch())
            .count());
  }
  return Reply("ReserveNickname", reservation.status(), context);
}

grpc::Status UsersGrpcService::ReleaseNickname(grpc::ServerContext* context,
                                               const v1::ReleaseNicknameRequest* request,
                                               v1::ReleaseNicknameResponse* /*response*/) {
  log::RequestScope scope(RequestIdFromServerContext(*context));
  return Reply("ReleaseNickname", profiles_.ReleaseNickname(request->nickname(), request->user_id()),
               context);
}

}  // namespace messenger::users
