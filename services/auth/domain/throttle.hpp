// Fixed-window counters for rate limits. Implemented by RedisThrottle; InMemoryThrottle in tests.
// The domain decides what to count and what the limits are; a Throttle only counts.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "messenger/common/status.hpp"

namespace messenger::auth {

struct WindowCount {
  int64_t count = 0;                       // hits in the current window; 0 when no window is open
  std::chrono::milliseconds remaining{0};  // time until the window closes and the count drops to 0
};

class Throttle {
 public:
  virtual ~Throttle() = default;

  // Adds one hit to `key`. The first hit opens a window of length `window`; later hits do not extend it.
  // Returns the count including this hit and the time left in the window. Atomic across processes.
  virtual StatusOr<WindowCount> Hit(const std::string& key, std::chrono::seconds window) = 0;

  // The current count of `key` without changing it.
  virtual StatusOr<WindowCount> Peek(const std::string& key) = 0;

  // Drops the count of `key` (closes its window).
  virtual Status Reset(const std::string& key) = 0;
};

}  // namespace messenger::auth
