// /v1/auth/*: register, login, refresh, logout and the OpenID Connect pair, forwarded to the Auth service.
#pragma once

#include "clients/auth_client.hpp"
#include "http/router.hpp"
#include "ws/session_end_notifier.hpp"

namespace messenger::gateway {

// `auth` (and `session_ends`, when set) must outlive the router. After a successful logout, `session_ends`
// hears of the ended session (its WebSockets close) before the 204 leaves.
void AddAuthRoutes(Router& router, AuthClient& auth, SessionEndNotifier* session_ends = nullptr);

}  // namespace messenger::gateway
