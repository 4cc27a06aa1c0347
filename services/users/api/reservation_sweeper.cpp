#include "users/api/reservation_sweeper.hpp"

#include <condition_variable>
#include <mutex>

#include "messenger/common/logging.hpp"

namespace messenger::users {

void RunReservationSweeper(ProfileService& profiles, std::chrono::milliseconds interval,
                           std::stop_token stop) {
  std::mutex mu;
  std::condition_variable_any cv;
  while (true) {
    {
      std::unique_lock lock(mu);
      if (cv.wait_for(lock, stop, interval, [] { return false; }) || stop.stop_requested()) return;
    }
    StatusOr<std::int64_t> deleted = profiles.DeleteExpiredReservations();
    if (!deleted.ok()) {
      log::Warn("could not delete expired nickname reservations", {{"error", deleted.status().ToString()}});
    } else if (*deleted > 0) {
      log::Info("deleted expired nickname reservations", {{"count", static_cast<long>(*deleted)}});
    }
  }
}

}  // namespace messenger::users
