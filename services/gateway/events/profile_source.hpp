// Where the profiles embedded in friend events come from (the Users service). A fake in unit tests.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <vector>

#include "events/event_frames.hpp"
#include "messenger/common/status.hpp"

namespace messenger::gateway {

class ProfileSource {
 public:
  virtual ~ProfileSource() = default;
  // The profiles of those of `user_ids` that exist, in any order (unknown users are left out).
  virtual boost::asio::awaitable<StatusOr<std::vector<Profile>>> BatchGet(
      std::vector<std::string> user_ids) = 0;
};

}  // namespace messenger::gateway
