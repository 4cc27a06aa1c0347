// The Friends service, as Chat needs it.
#pragma once

#include <string>
#include <vector>

#include "messenger/common/status.hpp"

namespace messenger::chat {

class FriendsDirectory {
 public:
  virtual ~FriendsDirectory() = default;

  // The IDs among `other_ids` that are NOT friends of `user_id` (empty: friends with all of them).
  // ONE remote call (Friends.AreFriends), whatever the number of IDs. UNAVAILABLE / DEADLINE_EXCEEDED when
  // the Friends service cannot be reached.
  virtual StatusOr<std::vector<std::string>> NotFriends(const std::string& user_id,
                                                        const std::vector<std::string>& other_ids) = 0;
};

}  // namespace messenger::chat
