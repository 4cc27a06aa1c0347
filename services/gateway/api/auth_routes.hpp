// /v1/auth/*: register, login, refresh, logout and the OpenID Connect pair, forwarded to the Auth service.
#pragma once

#include "clients/auth_client.hpp"
#include "http/router.hpp"

namespace messenger::gateway {

// `auth` must outlive the router.
void AddAuthRoutes(Router& router, AuthClient& auth);

}  // namespace messenger::gateway
