// Helpers shared by the scenario files.
#pragma once

#include <string>
#include <vector>

#include "loadgen/population.hpp"
#include "loadgen/scenarios.hpp"

namespace messenger::bench {

SeedOptions SeedOptionsFor(const ScenarioOptions& o);
// UNIMPLEMENTED when the gateway answers 404/405 to one of the targets (GET, with the token).
Status RequireRoutes(const Seeder& seeder, const std::string& token, const std::vector<std::string>& targets);

}  // namespace messenger::bench
