// A dependency GET /readyz asks before saying the gateway is ready.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <string_view>

#include "messenger/common/status.hpp"

namespace messenger::gateway {

class ReadinessProbe {
 public:
  virtual ~ReadinessProbe() = default;
  // "auth", "users", "redis": shown in the /readyz answer.
  virtual std::string_view name() const = 0;
  // OK when the dependency answers and says it serves.
  virtual boost::asio::awaitable<Status> Check(std::string request_id) = 0;
};

}  // namespace messenger::gateway
