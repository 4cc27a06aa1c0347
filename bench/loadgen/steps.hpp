// Rising-rate steps shared by the scenarios that look for the highest rate meeting a latency target.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "loadgen/http_load.hpp"
#include "loadgen/scenarios.hpp"

namespace messenger::bench {

struct StepOutcome {
  boost::json::array steps;
  double best_rate = 0;  // the highest offered rate that passed (0: none)
  boost::json::object best;
};

// A step passes with at least one success, no errors, nothing abandoned and p99 <= p99_ms.
bool StepPassed(const LoadResult& r, double p99_ms);
// Runs open-loop steps at each rate for o.step, stopping after the first step that fails.
StepOutcome RunSteps(const std::string& label, const ScenarioOptions& o, const std::vector<double>& rates,
                     LoadOptions load, const RequestFactory& factory, const StatusCheck& check);
boost::json::object StepsJson(const std::string& scenario, const ScenarioOptions& o, StepOutcome&& out);

}  // namespace messenger::bench
