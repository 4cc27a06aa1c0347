// What one load run measured: the latency of the successful requests (from their intended start), how many
// succeeded, how many started late, and the failures by kind.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <string>

#include "loadgen/histogram.hpp"

namespace messenger::bench {

struct RunStats {
  Histogram latency;
  uint64_t ok = 0;
  uint64_t late_starts = 0;                // started more than the tolerance after the intended start
  uint64_t not_started = 0;                // scheduled but abandoned when the run's hard stop came
  std::map<std::string, uint64_t> errors;  // "http_503", "timeout", "connect", "closed", "io", ...

  void AddError(const std::string& kind, uint64_t n = 1) { errors[kind] += n; }
  uint64_t error_total() const;
  void Merge(const RunStats& other);
};

// {"ok", "errors": {kind: n}, "error_total", "late_starts", "not_started", "latency_ms": {p50, p90, p99,
// p99_9, max, mean}} plus "achieved_rate" (successes per second of elapsed time) and "offered_rate".
boost::json::object ToJson(const RunStats& stats, double elapsed_s, double offered_rate);

// Latency percentiles in milliseconds, for the same JSON shape.
boost::json::object LatencyJson(const Histogram& h);

}  // namespace messenger::bench
