// The Users service, as Friends needs it: nickname -> user ID, and IDs -> nicknames.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "messenger/common/status.hpp"

namespace messenger::friends {

class UserDirectory {
 public:
  virtual ~UserDirectory() = default;

  // The ID of the user holding `nickname` (case-insensitive). NOT_FOUND for an unknown nickname;
  // UNAVAILABLE / DEADLINE_EXCEEDED when the directory cannot be reached.
  virtual StatusOr<std::string> FindUserIdByNickname(const std::string& nickname) = 0;

  // The nicknames of the given IDs; unknown IDs are left out of the map. Batched: never one remote call
  // per ID (the gRPC implementation sends one call per 1000 IDs).
  virtual StatusOr<std::unordered_map<std::string, std::string>> GetNicknames(
      const std::vector<std::string>& user_ids) = 0;
};

}  // namespace messenger::friends
