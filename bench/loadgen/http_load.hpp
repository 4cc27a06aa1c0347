// The HTTP load runner. Open loop (rate > 0): requests are scheduled at a constant arrival rate and handed to
// a bounded pool of keep-alive connections in order; latency counts from each request's intended start, and
// a request that starts later than the tolerance is counted as a late start. Closed loop (rate == 0): every
// connection sends its next request as soon as the previous answer arrives (a throughput probe; latency then
// counts from the actual start).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "loadgen/http_connection.hpp"
#include "loadgen/rate_schedule.hpp"
#include "loadgen/run_stats.hpp"

namespace messenger::bench {

struct LoadOptions {
  Endpoint endpoint;
  double rate = 0;  // requests per second; 0 = closed loop
  std::chrono::nanoseconds duration = std::chrono::seconds(5);
  int connections = 64;
  int threads = 1;
  std::chrono::milliseconds timeout{5000};
  std::chrono::nanoseconds late_tolerance = std::chrono::milliseconds(2);
  // Past the schedule's end + this, requests not yet started are abandoned (counted as not_started).
  std::chrono::nanoseconds overrun = std::chrono::seconds(5);
  std::vector<std::string> source_addresses;  // connection i binds source_addresses[i % size], if any
  // Open loop: when set, the schedule starts here (so the caller knows every slot's intended start).
  std::optional<Clock::time_point> start_at;
  // Called with every answer (or failure), concurrently, before it is counted.
  std::function<void(uint64_t slot, const HttpReply& reply)> on_reply;
};

struct LoadResult {
  RunStats stats;
  double elapsed_s = 0;
  double offered_rate = 0;
};

// Makes the request for one slot (slot numbers count from 0 in schedule order). Called concurrently.
using RequestFactory = std::function<HttpRequestSpec(uint64_t slot)>;
// Whether an answer counts as a success (default: 2xx). Called concurrently.
using StatusCheck = std::function<bool(int status)>;

LoadResult RunHttpLoad(const LoadOptions& options, const RequestFactory& factory, StatusCheck check = {});

}  // namespace messenger::bench
