#include "loadgen/run_stats.hpp"

#include <cmath>

namespace messenger::bench {

namespace {

double Ms(int64_t micros) { return std::round(static_cast<double>(micros)) / 1000.0; }

}  // namespace

uint64_t RunStats::error_total() const {
  uint64_t total = 0;
  for (const auto& [kind, n] : errors) total += n;
  return total;
}

void RunStats::Merge(const RunStats& other) {
  latency.Merge(other.latency);
  ok += other.ok;
  late_starts += other.late_starts;
  not_started += other.not_started;
  for (const auto& [kind, n] : other.errors) errors[kind] += n;
}

boost::json::object LatencyJson(const Histogram& h) {
  return {{"count", h.count()},
          {"p50", Ms(h.PercentileMicros(50))},
          {"p90", Ms(h.PercentileMicros(90))},
          {"p99", Ms(h.PercentileMicros(99))},
          {"p99_9", Ms(h.PercentileMicros(99.9))},
          {"max", Ms(h.max_micros())},
          {"mean", std::round(h.mean_micros()) / 1000.0}};
}

boost::json::object ToJson(const RunStats& stats, double elapsed_s, double offered_rate) {
  boost::json::object errors;
  for (const auto& [kind, n] : stats.errors) errors[kind] = n;
  const double achieved = elapsed_s > 0 ? static_cast<double>(stats.ok) / elapsed_s : 0;
  return {{"offered_rate", offered_rate},
          {"achieved_rate", std::round(achieved * 10) / 10},
          {"ok", stats.ok},
          {"error_total", stats.error_total()},
          {"errors", std::move(errors)},
          {"late_starts", stats.late_starts},
          {"not_started", stats.not_started},
          {"elapsed_s", std::round(elapsed_s * 1000) / 1000},
          {"latency_ms", LatencyJson(stats.latency)}};
}

}  // namespace messenger::bench
