// Test doubles for the real-time pieces: a Socket that records what it was sent, a ProfileSource answering
// from a map, a RealtimeStore that records presence changes.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "events/profile_source.hpp"
#include "events/realtime_store.hpp"
#include "ws/socket.hpp"

namespace messenger::gateway {

class RecordingSocket final : public Socket {
 public:
  RecordingSocket(std::uint64_t id, std::string user, std::string session, std::string jti = "jti")
      : id_(id), user_(std::move(user)), session_(std::move(session)), jti_(std::move(jti)) {}

  std::uint64_t id() const override { return id_; }
  const std::string& user_id() const override { return user_; }
  const std::string& session_id() const override { return session_; }
  const std::string& token_id() const override { return jti_; }
  void Send(Frame frame) override {
    std::lock_guard lock(mu_);
    frames_.push_back(*frame);
  }
  void Close(CloseCode code) override {
    std::lock_guard lock(mu_);
    closes_.push_back(code);
  }

  std::vector<std::string> frames() const {
    std::lock_guard lock(mu_);
    return frames_;
  }
  std::vector<CloseCode> closes() const {
    std::lock_guard lock(mu_);
    return closes_;
  }

 private:
  const std::uint64_t id_;
  const std::string user_, session_, jti_;
  mutable std::mutex mu_;
  std::vector<std::string> frames_;
  std::vector<CloseCode> closes_;
};

class MapProfileSource final : public ProfileSource {
 public:
  boost::asio::awaitable<StatusOr<std::vector<Profile>>> BatchGet(
      std::vector<std::string> user_ids) override {
    std::lock_guard lock(mu_);
    batches.push_back(user_ids);
    if (failures_left > 0) {
      --failures_left;
      co_return UnavailableError("users is down");
    }
    std::vector<Profile> out;
    for (const std::string& id : user_ids) {
      if (auto it = profiles.find(id); it != profiles.end()) out.push_back(it->second);
    }
    co_return out;
  }

  std::mutex mu_;
  std::map<std::string, Profile> profiles;
  std::vector<std::vector<std::string>> batches;
  int failures_left = 0;
};

class RecordingRealtimeStore final : public RealtimeStore {
 public:
  Status ApplyPresence(const std::vector<PresenceChange>& changes) override {
    std::lock_guard lock(mu_);
    batches.push_back(changes);
    return fail ? UnavailableError("down") : OkStatus();
  }
  StatusOr<std::vector<bool>> SessionsAlive(const std::vector<SessionCheck>& checks) override {
    std::lock_guard lock(mu_);
    std::vector<bool> out;
    for (const SessionCheck& c : checks) out.push_back(!dead_sessions.contains(c.session_id));
    return out;
  }
  Status PublishSessionEnded(const std::string& session_id) override {
    std::lock_guard lock(mu_);
    published.push_back(session_id);
    return OkStatus();
  }

  std::vector<std::vector<PresenceChange>> Batches() {
    std::lock_guard lock(mu_);
    return batches;
  }

  std::mutex mu_;
  std::vector<std::vector<PresenceChange>> batches;
  std::set<std::string> dead_sessions;
  std::vector<std::string> published;
  bool fail = false;
};

}  // namespace messenger::gateway
