#include "loadgen/rate_schedule.hpp"

#include <algorithm>
#include <cmath>

namespace messenger::bench {

RateSchedule::RateSchedule(Clock::time_point start, double rate_per_s, std::chrono::nanoseconds duration)
    : start_(start),
      rate_(rate_per_s),
      duration_(duration),
      total_(static_cast<uint64_t>(
          std::floor(rate_per_s * std::chrono::duration<double>(duration).count() + 1e-9))) {}

Clock::time_point RateSchedule::IntendedStart(uint64_t index) const {
  // Computed from the index (not by adding intervals) so that rounding never accumulates.
  const long double offset_ns = static_cast<long double>(index) * 1e9L / static_cast<long double>(rate_);
  return start_ + std::chrono::nanoseconds(static_cast<int64_t>(offset_ns));
}

std::optional<uint64_t> SlotDispenser::Next() {
  const uint64_t slot = next_.fetch_add(1, std::memory_order_relaxed);
  if (slot >= schedule_.total()) return std::nullopt;
  return slot;
}

uint64_t SlotDispenser::handed_out() const {
  return std::min(next_.load(std::memory_order_relaxed), schedule_.total());
}

bool StartedLate(Clock::time_point intended, Clock::time_point actual, std::chrono::nanoseconds tolerance) {
  return actual - intended > tolerance;
}

}  // namespace messenger::bench
