// Profiles for friend events, fetched from the ProfileSource with three savings: a short-lived cache (a
// burst of events about one user costs one call), coalescing (users asked for while a call is out wait for
// it or go in the next one, never in a call of their own) and batching (up to `max_batch` users per call).
// A failed call is retried a few times, then the waiting callers get the error.
//
// Thread-safe: Resolve() may be called from any thread; everything else runs on the resolver's strand, and
// so do the callbacks.
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "events/event_frames.hpp"
#include "events/profile_source.hpp"
#include "messenger/common/status.hpp"

namespace messenger::gateway {

struct ProfileResolverOptions {
  std::chrono::milliseconds cache_ttl{
      5000};  // how stale an embedded profile may be (a rename shows after it)
  std::size_t max_cached = 10'000;
  std::size_t max_batch = 100;
  int attempts = 3;
  std::chrono::milliseconds retry_delay{300};
};

class ProfileResolver {
 public:
  using Callback = std::function<void(StatusOr<Profile>)>;

  // `source` must outlive the resolver; the executor's context must run while lookups are pending.
  ProfileResolver(boost::asio::any_io_executor executor, ProfileSource& source,
                  ProfileResolverOptions options);

  // Calls `done` with the profile, NOT_FOUND for an unknown user, or the source's error.
  void Resolve(std::string user_id, Callback done);

  // Calls made to the source so far (tests).
  int calls_for_test() const { return calls_; }

 private:
  struct Cached {
    Profile profile;
    std::chrono::steady_clock::time_point expires;
  };

  void FetchIfIdle();
  boost::asio::awaitable<void> Fetch(std::vector<std::string> ids);
  void Remember(const Profile& profile, std::chrono::steady_clock::time_point now);

  boost::asio::strand<boost::asio::any_io_executor> strand_;
  ProfileSource& source_;
  const ProfileResolverOptions options_;
  std::unordered_map<std::string, Cached> cache_;
  std::map<std::string, std::vector<Callback>> waiting_;  // not yet asked for
  bool fetching_ = false;
  std::atomic<int> calls_{0};
};

}  // namespace messenger::gateway
