// messenger.users.v1.UsersService in process, for tests of the Friends service's gRPC edges: answers
// GetUserProfileByNickname for the users added (case-insensitive) and BatchGetUserProfiles for every ID not
// starting with "unknown" (nickname "n-<id>" unless added), recording the size of each batch.
#pragma once

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "messenger/common/grpc_status.hpp"
#include "messenger/users/v1/users.grpc.pb.h"

namespace messenger::friends {

class FakeUsersService final : public users::v1::UsersService::Service {
 public:
  void Add(const std::string& user_id, const std::string& nickname) {
    std::lock_guard lock(mu_);
    by_nickname_[Lower(nickname)] = user_id;
    by_id_[user_id] = nickname;
  }

  grpc::Status GetUserProfileByNickname(grpc::ServerContext* context,
                                        const users::v1::GetUserProfileByNicknameRequest* request,
                                        users::v1::UserProfile* response) override {
    std::lock_guard lock(mu_);
    auto it = by_nickname_.find(Lower(request->nickname()));
    if (it == by_nickname_.end()) {
      return ToGrpcStatus(NotFoundError("no such nickname", "USER_NOT_FOUND"), context);
    }
    response->set_user_id(it->second);
    response->set_nickname(by_id_[it->second]);
    return grpc::Status::OK;
  }

  grpc::Status BatchGetUserProfiles(grpc::ServerContext* context,
                                    const users::v1::BatchGetUserProfilesRequest* request,
                                    users::v1::BatchGetUserProfilesResponse* response) override {
    std::lock_guard lock(mu_);
    batches_.push_back(request->user_ids_size());
    for (const std::string& id : request->user_ids()) {
      if (id.rfind("unknown", 0) == 0) continue;
      auto* p = response->add_profiles();
      p->set_user_id(id);
      auto known = by_id_.find(id);
      p->set_nickname(known != by_id_.end() ? known->second : "n-" + id);
    }
    return grpc::Status::OK;
  }

  std::vector<int> batches() {
    std::lock_guard lock(mu_);
    return batches_;
  }

 private:
  static std::string Lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
  }
  std::mutex mu_;
  std::map<std::string, std::string> by_nickname_;
  std::map<std::string, std::string> by_id_;
  std::vector<int> batches_;
};

// A server on 127.0.0.1:<ephemeral> for the given service; *port receives the port.
inline std::unique_ptr<grpc::Server> Serve(grpc::Service& service, int* port) {
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), port);
  builder.RegisterService(&service);
  return builder.BuildAndStart();
}

}  // namespace messenger::friends
