// Keeps this instance's share of presence in the RealtimeStore: a member per open socket, added when the
// socket opens, removed when it closes, and refreshed for all of them every `refresh_interval` (well inside
// the store's TTL, so members of a crashed instance expire while live ones never do).
//
// Every write goes through one thread in the order it was asked for, and the changes that piled up while
// the previous round trip ran go together in the next one (one pipeline), so a connection storm costs a
// few round trips, not one per socket. The refresh is built from the tracker's own set of live sockets at
// the moment it is sent, after every earlier change: a socket that closed is never refreshed back to life.
// A failed write is retried with the next refresh (connects and refreshes re-add members; a lost disconnect
// ends with the member's TTL).
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "events/realtime_store.hpp"

namespace messenger::gateway {

class PresenceTracker {
 public:
  // `store` must outlive the tracker. The thread starts at once.
  PresenceTracker(RealtimeStore& store, std::chrono::milliseconds refresh_interval);
  // Stop()s.
  ~PresenceTracker();
  PresenceTracker(const PresenceTracker&) = delete;
  PresenceTracker& operator=(const PresenceTracker&) = delete;

  // Never block on the store.
  void Connected(const std::string& user_id, const std::string& member);
  void Disconnected(const std::string& user_id, const std::string& member);

  // Sends what is still queued, then ends the thread. Idempotent.
  void Stop();

  // Round trips made so far (tests).
  int writes_for_test() const;

 private:
  void Loop();

  RealtimeStore& store_;
  const std::chrono::milliseconds refresh_interval_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::vector<PresenceChange> queued_;
  std::map<std::string, std::set<std::string>> live_;  // user -> members on this instance
  bool stopping_ = false;
  int writes_ = 0;
  std::thread thread_;
};

}  // namespace messenger::gateway
