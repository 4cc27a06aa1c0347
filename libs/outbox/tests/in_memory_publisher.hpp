// Test double: a Publisher that keeps what it was given in memory and can be told to fail.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "messenger/outbox/publisher.hpp"

namespace messenger::outbox {

class InMemoryPublisher final : public Publisher {
 public:
  Status Publish(const std::string& topic, const std::string& key, const std::string& payload) override {
    std::this_thread::sleep_for(delay_);  // widens race windows in concurrency tests; zero by default
    std::lock_guard lock(mu_);
    ++attempts_;
    if (down_) return UnavailableError("publisher is down");
    if (fail_at_attempt_ == attempts_) return UnavailableError("injected failure");
    published_.push_back(Message{topic, key, payload});
    return OkStatus();
  }

  // Every publish fails while down.
  void SetDown(bool down) {
    std::lock_guard lock(mu_);
    down_ = down;
  }
  // The n-th publish attempt from now on (1 = the next) fails, once.
  void FailAttempt(int n) {
    std::lock_guard lock(mu_);
    fail_at_attempt_ = attempts_ + n;
  }
  void SetDelay(std::chrono::milliseconds delay) { delay_ = delay; }

  std::vector<Message> published() const {
    std::lock_guard lock(mu_);
    return published_;
  }
  int attempts() const {
    std::lock_guard lock(mu_);
    return attempts_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<Message> published_;
  int attempts_ = 0;
  int fail_at_attempt_ = -1;
  bool down_ = false;
  std::chrono::milliseconds delay_{0};
};

}  // namespace messenger::outbox
