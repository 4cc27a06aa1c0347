// Open-loop arrival schedule. Request i is meant to start at start + i / rate, whatever happened to the
// requests before it; latency is measured from that intended start, so a stalled server (or a load generator
// that ran out of connections) shows up in the percentiles instead of silently lowering the offered load
// ("coordinated omission").
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>

namespace messenger::bench {

using Clock = std::chrono::steady_clock;

class RateSchedule {
 public:
  // rate_per_s > 0; the schedule holds floor(rate * duration) requests.
  RateSchedule(Clock::time_point start, double rate_per_s, std::chrono::nanoseconds duration);

  Clock::time_point start() const { return start_; }
  Clock::time_point end() const { return start_ + duration_; }
  double rate() const { return rate_; }
  uint64_t total() const { return total_; }
  Clock::time_point IntendedStart(uint64_t index) const;

 private:
  Clock::time_point start_;
  double rate_;
  std::chrono::nanoseconds duration_;
  uint64_t total_;
};

// Hands the schedule's slots out in order to whichever sender is free first. Thread-safe.
class SlotDispenser {
 public:
  explicit SlotDispenser(const RateSchedule& schedule) : schedule_(schedule) {}

  // The next slot index, or nullopt when the schedule is used up.
  std::optional<uint64_t> Next();
  uint64_t handed_out() const;

 private:
  const RateSchedule& schedule_;
  std::atomic<uint64_t> next_{0};
};

// True when a request meant to start at `intended` actually started more than `tolerance` after it: the
// generator could not keep the schedule (all connections busy, or the generator itself overloaded).
bool StartedLate(Clock::time_point intended, Clock::time_point actual, std::chrono::nanoseconds tolerance);

}  // namespace messenger::bench
