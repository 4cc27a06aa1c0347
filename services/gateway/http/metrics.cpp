#include "http/metrics.hpp"

#include <algorithm>
#include <charconv>

namespace messenger::gateway {
namespace {

std::string FormatDouble(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::string("0");
}

// Label values escape backslash, double quote and newline.
std::string EscapeLabel(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

}  // namespace

std::vector<double> Metrics::DefaultLatencyBuckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

Metrics::Metrics(std::vector<double> bucket_bounds) : bounds_(std::move(bucket_bounds)) {}

void Metrics::Observe(std::string_view route, std::string_view method, int status,
                      std::chrono::nanoseconds duration) {
  double seconds = std::chrono::duration<double>(duration).count();
  std::size_t bucket = std::lower_bound(bounds_.begin(), bounds_.end(), seconds) - bounds_.begin();
  std::lock_guard lock(mu_);
  ++requests_[{std::string(route), std::string(method), status}];
  Histogram& h = durations_[{std::string(route), std::string(method)}];
  if (h.buckets.empty()) h.buckets.assign(bounds_.size(), 0);
  if (bucket < bounds_.size()) ++h.buckets[bucket];
  ++h.count;
  h.sum += seconds;
}

std::string Metrics::Render() const {
  std::string out;
  out += "# HELP http_requests_total HTTP requests answered, by route pattern, method and status.\n";
  out += "# TYPE http_requests_total counter\n";
  std::lock_guard lock(mu_);
  for (const auto& [key, count] : requests_) {
    const auto& [route, method, status] = key;
    out += "http_requests_total{route=\"" + EscapeLabel(route) + "\",method=\"" + EscapeLabel(method) +
           "\",status=\"" + std::to_string(status) + "\"} " + std::to_string(count) + "\n";
  }
  out += "# HELP http_request_duration_seconds Time from a complete request header to the answer being ready.\n";
  out += "# TYPE http_request_duration_seconds histogram\n";
  for (const auto& [key, h] : durations_) {
    std::string labels =
        "route=\"" + EscapeLabel(key.first) + "\",method=\"" + EscapeLabel(key.second) + "\"";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < bounds_.size(); ++i) {
      cumulative += h.buckets[i];
      out += "http_request_duration_seconds_bucket{" + labels + ",le=\"" + FormatDouble(bounds_[i]) + "\"} " +
             std::to_string(cumulative) + "\n";
    }
    out +=
        "http_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} " + std::to_string(h.count) + "\n";
    out += "http_request_duration_seconds_sum{" + labels + "} " + FormatDouble(h.sum) + "\n";
    out += "http_request_duration_seconds_count{" + labels + "} " + std::to_string(h.count) + "\n";
  }
  return out;
}

}  // namespace messenger::gateway
