// Prometheus metrics of the HTTP layer, rendered in the text exposition format at GET /metrics:
//   http_requests_total{route,method,status}          counter
//   http_request_duration_seconds{route,method}       histogram (le buckets, _sum, _count)
// `route` is the route pattern ("/v1/users/{user_id}"), never the raw path, so the label set stays small;
// requests no route matched share the route label "unmatched". Safe to use from many threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace messenger::gateway {

inline constexpr std::string_view kUnmatchedRoute = "unmatched";

class Metrics {
 public:
  // Upper bounds in seconds, ascending; +Inf is implied.
  static std::vector<double> DefaultLatencyBuckets();

  explicit Metrics(std::vector<double> bucket_bounds = DefaultLatencyBuckets());

  void Observe(std::string_view route, std::string_view method, int status,
               std::chrono::nanoseconds duration);

  // The whole registry in Prometheus text format (version 0.0.4).
  std::string Render() const;

 private:
  struct Histogram {
    std::vector<std::uint64_t> buckets;  // per bound, not cumulative
    std::uint64_t count = 0;
    double sum = 0;
  };

  const std::vector<double> bounds_;
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests_;
  std::map<std::pair<std::string, std::string>, Histogram> durations_;
};

inline constexpr std::string_view kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace messenger::gateway
