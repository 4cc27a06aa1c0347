#include "api/routes.hpp"

#include "api/auth_routes.hpp"
#include "api/chat_routes.hpp"
#include "api/friend_routes.hpp"
#include "api/ops_routes.hpp"
#include "api/profile_routes.hpp"
#include "api/realtime_routes.hpp"
#include "ws/realtime_service.hpp"

namespace messenger::gateway {

void AddAllRoutes(Router& router, const RouteDependencies& deps) {
  AddOpsRoutes(router, deps.metrics, deps.readiness_probes);
  AddAuthRoutes(router, deps.auth, deps.realtime);
  AddProfileRoutes(router, deps.users);
  if (deps.friends != nullptr) AddFriendRoutes(router, *deps.friends);
  if (deps.chat != nullptr) AddChatRoutes(router, *deps.chat);
  if (deps.realtime != nullptr) AddRealtimeRoutes(router, *deps.realtime);
}

}  // namespace messenger::gateway
