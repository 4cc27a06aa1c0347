#include "api/routes.hpp"

#include "api/auth_routes.hpp"
#include "api/ops_routes.hpp"
#include "api/profile_routes.hpp"

namespace messenger::gateway {

void AddAllRoutes(Router& router, const RouteDependencies& deps) {
  AddOpsRoutes(router, deps.metrics, deps.readiness_probes);
  AddAuthRoutes(router, deps.auth);
  AddProfileRoutes(router, deps.users);
}

}  // namespace messenger::gateway
