#include "events/presence_tracker.hpp"

#include "messenger/common/logging.hpp"

namespace messenger::gateway {

PresenceTracker::PresenceTracker(RealtimeStore& store, std::chrono::milliseconds refresh_interval)
    : store_(store), refresh_interval_(refresh_interval), thread_([this] { Loop(); }) {}

PresenceTracker::~PresenceTracker() { Stop(); }

void PresenceTracker::Connected(const std::string& user_id, const std::string& member) {
  std::lock_guard lock(mu_);
  live_[user_id].insert(member);
  queued_.push_back(PresenceChange{PresenceChange::Kind::kConnect, user_id, {member}});
  wake_.notify_one();
}

void PresenceTracker::Disconnected(const std::string& user_id, const std::string& member) {
  std::lock_guard lock(mu_);
  if (auto it = live_.find(user_id); it != live_.end()) {
    it->second.erase(member);
    if (it->second.empty()) live_.erase(it);
  }
  queued_.push_back(PresenceChange{PresenceChange::Kind::kDisconnect, user_id, {member}});
  wake_.notify_one();
}

void PresenceTracker::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    wake_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

int PresenceTracker::writes_for_test() const {
  std::lock_guard lock(mu_);
  return writes_;
}

void PresenceTracker::Loop() {
  auto next_refresh = std::chrono::steady_clock::now() + refresh_interval_;
  while (true) {
    std::vector<PresenceChange> batch;
    bool last = false;
    {
      std::unique_lock lock(mu_);
      wake_.wait_until(lock, next_refresh, [this] { return stopping_ || !queued_.empty(); });
      batch.swap(queued_);
      last = stopping_;
      // The refresh is taken under the same lock as the queued changes: it reflects exactly the changes
      // before it, and any later disconnect is sent after it.
      if (!last && std::chrono::steady_clock::now() >= next_refresh) {
        for (const auto& [user, members] : live_) {
          batch.push_back(PresenceChange{PresenceChange::Kind::kRefresh, user,
                                         std::vector<std::string>(members.begin(), members.end())});
        }
        next_refresh = std::chrono::steady_clock::now() + refresh_interval_;
      }
    }
    if (!batch.empty()) {
      Status written = store_.ApplyPresence(batch);
      {
        std::lock_guard lock(mu_);
        ++writes_;
      }
      if (!written.ok()) {
        log::Warn("presence update failed; the next refresh retries",
                  {{"changes", static_cast<std::int64_t>(batch.size())}, {"error", written.ToString()}});
      }
    }
    if (last) return;
  }
}

}  // namespace messenger::gateway
