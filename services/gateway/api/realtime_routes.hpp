// GET /v1/ws: the WebSocket upgrade (API.md "Real time"), served by RealtimeService.
#pragma once

#include "http/router.hpp"
#include "ws/realtime_service.hpp"

namespace messenger::gateway {

// `realtime` must outlive the router.
void AddRealtimeRoutes(Router& router, RealtimeService& realtime);

}  // namespace messenger::gateway
