// UserDirectory in memory, for tests: a nickname table (case-insensitive) and call counters.
#pragma once

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "friends/domain/user_directory.hpp"

namespace messenger::friends {

class FakeUserDirectory final : public UserDirectory {
 public:
  void Add(const std::string& user_id, const std::string& nickname) {
    std::lock_guard lock(mu_);
    by_nickname_[Lower(nickname)] = user_id;
    by_id_[user_id] = nickname;
  }

  StatusOr<std::string> FindUserIdByNickname(const std::string& nickname) override {
    std::lock_guard lock(mu_);
    if (!available_) return UnavailableError("directory down");
    auto it = by_nickname_.find(Lower(nickname));
    if (it == by_nickname_.end()) return NotFoundError("no such user", "USER_NOT_FOUND");
    return it->second;
  }

  StatusOr<std::unordered_map<std::string, std::string>> GetNicknames(
      const std::vector<std::string>& user_ids) override {
    std::lock_guard lock(mu_);
    ++batch_calls_;
    if (!available_) return UnavailableError("directory down");
    std::unordered_map<std::string, std::string> out;
    for (const std::string& id : user_ids) {
      auto it = by_id_.find(id);
      if (it != by_id_.end()) out.emplace(id, it->second);
    }
    return out;
  }

  void SetAvailableForTest(bool available) {
    std::lock_guard lock(mu_);
    available_ = available;
  }
  int BatchCallsForTest() const {
    std::lock_guard lock(mu_);
    return batch_calls_;
  }

 private:
  static std::string Lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
  }
  mutable std::mutex mu_;
  bool available_ = true;
  int batch_calls_ = 0;
  std::map<std::string, std::string> by_nickname_;
  std::map<std::string, std::string> by_id_;
};

}  // namespace messenger::friends
