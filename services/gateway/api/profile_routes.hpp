// /v1/me and /v1/users/*: public profiles, forwarded to the Users service. The user "me" is always the
// token's user.
#pragma once

#include <boost/json/object.hpp>

#include "clients/users_client.hpp"
#include "http/router.hpp"

namespace messenger::gateway {

// `users` must outlive the router.
void AddProfileRoutes(Router& router, UsersClient& users);

// {user_id, nickname, bio, avatar_url}: the public profile, and nothing else.
boost::json::object ProfileJson(const users::v1::UserProfile& profile);

inline constexpr std::int64_t kDefaultSearchLimit = 20;
inline constexpr std::int64_t kMaxSearchLimit = 100;

}  // namespace messenger::gateway
