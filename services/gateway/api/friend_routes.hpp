// /v1/friends/*: friend requests and friends lists, forwarded to the Friends service. The other user is
// always named by nickname; the acting user is always the token's user.
#pragma once

#include <boost/json/object.hpp>

#include "clients/friends_client.hpp"
#include "http/router.hpp"

namespace messenger::gateway {

// `friends` must outlive the router.
void AddFriendRoutes(Router& router, FriendsClient& friends);

// "requested", "accepted", "rejected" for the public API.
std::string_view FriendshipStatusName(friends::v1::FriendshipStatus status);

}  // namespace messenger::gateway
