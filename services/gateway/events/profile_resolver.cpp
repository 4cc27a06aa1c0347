#include "events/profile_resolver.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace messenger::gateway {

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;

ProfileResolver::ProfileResolver(asio::any_io_executor executor, ProfileSource& source,
                                 ProfileResolverOptions options)
    : strand_(asio::make_strand(std::move(executor))), source_(source), options_(options) {}

void ProfileResolver::Resolve(std::string user_id, Callback done) {
  asio::post(strand_, [this, user_id = std::move(user_id), done = std::move(done)]() mutable {
    if (auto it = cache_.find(user_id); it != cache_.end()) {
      if (it->second.expires > SteadyClock::now()) {
        done(it->second.profile);
        return;
      }
      cache_.erase(it);
    }
    waiting_[user_id].push_back(std::move(done));
    FetchIfIdle();
  });
}

void ProfileResolver::FetchIfIdle() {
  if (fetching_ || waiting_.empty()) return;
  std::vector<std::string> ids;
  for (const auto& [id, callbacks] : waiting_) {
    if (ids.size() >= options_.max_batch) break;
    ids.push_back(id);
  }
  fetching_ = true;
  asio::co_spawn(strand_, Fetch(std::move(ids)), asio::detached);
}

asio::awaitable<void> ProfileResolver::Fetch(std::vector<std::string> ids) {
  StatusOr<std::vector<Profile>> got = UnavailableError("not asked yet");
  for (int attempt = 0; attempt < std::max(1, options_.attempts); ++attempt) {
    if (attempt > 0) {
      asio::steady_timer pause(strand_, options_.retry_delay);
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    ++calls_;
    std::vector<std::string> request = ids;
    got = co_await source_.BatchGet(std::move(request));
    if (got.ok()) break;
    const StatusCode code = got.status().code();
    if (code != StatusCode::kUnavailable && code != StatusCode::kDeadlineExceeded) break;
  }
  // UnaryCall resumes on the awaiting coroutine's executor: the strand.
  const auto now = SteadyClock::now();
  std::unordered_map<std::string, const Profile*> found;
  if (got.ok()) {
    for (const Profile& p : *got) {
      found[p.user_id] = &p;
      Remember(p, now);
    }
  }
  for (const std::string& id : ids) {
    auto node = waiting_.extract(id);
    if (node.empty()) continue;
    StatusOr<Profile> answer = !got.ok()            ? StatusOr<Profile>(got.status())
                               : found.contains(id) ? StatusOr<Profile>(*found[id])
                                                    : StatusOr<Profile>(NotFoundError("no such user: " + id));
    for (Callback& done : node.mapped()) done(answer);
  }
  fetching_ = false;
  FetchIfIdle();
}

void ProfileResolver::Remember(const Profile& profile, SteadyClock::time_point now) {
  if (cache_.size() >= options_.max_cached) {
    std::erase_if(cache_, [now](const auto& entry) { return entry.second.expires <= now; });
    if (cache_.size() >= options_.max_cached) cache_.clear();
  }
  cache_[profile.user_id] = Cached{profile, now + options_.cache_ttl};
}

}  // namespace messenger::gateway
