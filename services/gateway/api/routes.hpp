// The gateway's whole route table, built the same way by main and by the tests that check it (the OpenAPI
// completeness test walks it). A later area adds its client here and one Add...Routes call in routes.cpp.
#pragma once

#include <vector>

#include "clients/auth_client.hpp"
#include "clients/chat_client.hpp"
#include "clients/friends_client.hpp"
#include "clients/readiness_probe.hpp"
#include "clients/users_client.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"

namespace messenger::gateway {

class RealtimeService;  // ws/realtime_service.hpp

struct RouteDependencies {
  AuthClient& auth;
  UsersClient& users;
  const Metrics& metrics;
  std::vector<ReadinessProbe*> readiness_probes;
  // The friend and chat areas; their routes are served when set.
  FriendsClient* friends = nullptr;
  ChatClient* chat = nullptr;
  // Real time: GET /v1/ws is served when set, and logout then closes the session's WebSockets.
  RealtimeService* realtime = nullptr;
};

// Everything in `deps` must outlive the router.
void AddAllRoutes(Router& router, const RouteDependencies& deps);

}  // namespace messenger::gateway
