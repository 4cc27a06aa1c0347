// Presence in memory, for unit tests.
#pragma once

#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "friends/domain/presence.hpp"

namespace messenger::friends {

class FakePresence final : public Presence {
 public:
  void SetOnline(const std::string& user_id, bool online) {
    std::lock_guard lock(mu_);
    if (online) {
      online_.insert(user_id);
    } else {
      online_.erase(user_id);
    }
  }
  void SetAvailableForTest(bool available) {
    std::lock_guard lock(mu_);
    available_ = available;
  }
  StatusOr<std::vector<bool>> AreOnline(const std::vector<std::string>& user_ids) override {
    std::lock_guard lock(mu_);
    ++calls_;
    if (!available_) return UnavailableError("presence down");
    std::vector<bool> out;
    for (const std::string& id : user_ids) out.push_back(online_.count(id) > 0);
    return out;
  }
  int CallsForTest() const {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  mutable std::mutex mu_;
  bool available_ = true;
  int calls_ = 0;
  std::set<std::string> online_;
};

}  // namespace messenger::friends
