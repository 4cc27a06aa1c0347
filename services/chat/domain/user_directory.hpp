// The Users service, as Chat needs it: which user IDs exist.
#pragma once

#include <string>
#include <vector>

#include "messenger/common/status.hpp"

namespace messenger::chat {

class UserDirectory {
 public:
  virtual ~UserDirectory() = default;

  // The IDs among `user_ids` that belong to no user (empty: all exist). ONE remote call
  // (Users.BatchGetUserProfiles). UNAVAILABLE / DEADLINE_EXCEEDED when the Users service cannot be reached.
  virtual StatusOr<std::vector<std::string>> Unknown(const std::vector<std::string>& user_ids) = 0;
};

}  // namespace messenger::chat
