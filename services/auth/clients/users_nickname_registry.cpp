#include "auth/clients/users_nickname_registry.hpp"

#include "messenger/common/grpc_status.hpp"
#include "messenger/common/logging.hpp"

namespace messenger::auth {

Status UsersNicknameRegistry::Reserve(const std::string& nickname, const std::string& user_id) {
  users::v1::ReserveNicknameRequest request;
  request.set_nickname(nickname);
  request.set_user_id(user_id);
  users::v1::ReserveNicknameResponse response;
  auto context = NewClientContext(deadline_, log::CurrentRequestId());
  return FromGrpcStatus(stub_->ReserveNickname(context.get(), request, &response), *context);
}

Status UsersNicknameRegistry::Release(const std::string& nickname, const std::string& user_id) {
  users::v1::ReleaseNicknameRequest request;
  request.set_nickname(nickname);
  request.set_user_id(user_id);
  users::v1::ReleaseNicknameResponse response;
  auto context = NewClientContext(deadline_, log::CurrentRequestId());
  return FromGrpcStatus(stub_->ReleaseNickname(context.get(), request, &response), *context);
}

}  // namespace messenger::auth
