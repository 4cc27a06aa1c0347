// Who is online right now (has an open WebSocket at some gateway).
#pragma once

#include <string>
#include <vector>

#include "messenger/common/status.hpp"

namespace messenger::friends {

class Presence {
 public:
  virtual ~Presence() = default;
  // For each ID, in order, whether the user is online. One round trip whatever the number of IDs.
  virtual StatusOr<std::vector<bool>> AreOnline(const std::vector<std::string>& user_ids) = 0;
};

}  // namespace messenger::friends
