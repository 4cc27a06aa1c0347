// Periodic housekeeping: deletes nickname reservations that expired (abandoned registrations). Expired
// reservations are already ignored by every nickname check; this only keeps the table small.
#pragma once

#include <chrono>
#include <stop_token>

#include "users/domain/profile_service.hpp"

namespace messenger::users {

// Sweeps every `interval` until `stop` is requested.
void RunReservationSweeper(ProfileService& profiles, std::chrono::milliseconds interval,
                           std::stop_token stop);

}  // namespace messenger::users
