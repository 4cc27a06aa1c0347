#include "api/realtime_routes.hpp"

namespace messenger::gateway {

void AddRealtimeRoutes(Router& router, RealtimeService& realtime) {
  router.Add("GET", "/v1/ws", Access::kBearerOrQuery,
             [&realtime](Request& request) { return realtime.HandleUpgrade(request); });
}

}  // namespace messenger::gateway
