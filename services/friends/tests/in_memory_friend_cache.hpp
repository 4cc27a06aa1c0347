// FriendCache in memory, for unit tests, with the same fill-token rule as the Redis one: a per-user
// generation bumped by Invalidate; a Store whose token is older than the generation is ignored.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "friends/domain/friend_cache.hpp"

namespace messenger::friends {

class InMemoryFriendCache final : public FriendCache {
 public:
  StatusOr<CacheLookup<std::vector<bool>>> CheckFriends(const std::string& user_id,
                                                        const std::vector<std::string>& other_ids) override {
    std::lock_guard lock(mu_);
    if (!available_) return UnavailableError("cache down");
    CacheLookup<std::vector<bool>> out;
    auto it = ids_.find(user_id);
    if (it == ids_.end()) {
      out.fill_token = Token(user_id);
      return out;
    }
    ++hits_;
    std::vector<bool> member;
    for (const std::string& id : other_ids) member.push_back(it->second.count(id) > 0);
    out.value = std::move(member);
    return out;
  }
  Status StoreFriendIds(const std::string& user_id, const std::vector<std::string>& friend_ids,
                        const std::string& fill_token) override {
    std::lock_guard lock(mu_);
    if (!available_) return UnavailableError("cache down");
    if (fill_token != Token(user_id)) return OkStatus();
    ids_[user_id] = std::set<std::string>(friend_ids.begin(), friend_ids.end());
    return OkStatus();
  }

  StatusOr<CacheLookup<std::vector<FriendRecord>>> GetFriends(const std::string& user_id) override {
    return Get(friends_, user_id);
  }
  Status StoreFriends(const std::string& user_id, const std::vector<FriendRecord>& friends,
                      const std::string& fill_token) override {
    return Store(friends_, user_id, user_id, friends, fill_token);
  }
  StatusOr<CacheLookup<std::vector<PendingRecord>>> GetPending(const std::string& user_id,
                                                               Direction direction) override {
    return Get(pending_, PendingKey(user_id, direction), user_id);
  }
  Status StorePending(const std::string& user_id, Direction direction,
                      const std::vector<PendingRecord>& pending, const std::string& fill_token) override {
    return Store(pending_, PendingKey(user_id, direction), user_id, pending, fill_token);
  }

  Status Invalidate(const std::vector<std::string>& user_ids) override {
    std::lock_guard lock(mu_);
    if (!available_) return UnavailableError("cache down");
    for (const std::string& id : user_ids) {
      ++generation_[id];
      ids_.erase(id);
      friends_.erase(id);
      pending_.erase(PendingKey(id, Direction::kIncoming));
      pending_.erase(PendingKey(id, Direction::kOutgoing));
    }
    return OkStatus();
  }

  void SetAvailableForTest(bool available) {
    std::lock_guard lock(mu_);
    available_ = available;
  }
  int HitsForTest() const {
    std::lock_guard lock(mu_);
    return hits_;
  }

 private:
  static std::string PendingKey(const std::string& user_id, Direction d) {
    return user_id + ":" + std::string(DirectionName(d));
  }
  std::string Token(const std::string& user_id) const {
    auto it = generation_.find(user_id);
    return std::to_string(it == generation_.end() ? 0 : it->second);
  }
  template <typename T>
  StatusOr<CacheLookup<T>> Get(const std::map<std::string, T>& map, const std::string& key,
                               const std::string& user_id = {}) {
    std::lock_guard lock(mu_);
    if (!available_) return UnavailableError("cache down");
    CacheLookup<T> out;
    auto it = map.find(key);
    if (it == map.end()) {
      out.fill_token = Token(user_id.empty() ? key : user_id);
      return out;
    }
    ++hits_;
    out.value = it->second;
    return out;
  }
  template <typename T>
  Status Store(std::map<std::string, T>& map, const std::string& key, const std::string& user_id,
               const T& value, const std::string& fill_token) {
    std::lock_guard lock(mu_);
    if (!available_) return UnavailableError("cache down");
    if (fill_token != Token(user_id)) return OkStatus();
    map[key] = value;
    return OkStatus();
  }

  mutable std::mutex mu_;
  bool available_ = true;
  int hits_ = 0;
  std::map<std::string, long> generation_;
  std::map<std::string, std::set<std::string>> ids_;
  std::map<std::string, std::vector<FriendRecord>> friends_;
  std::map<std::string, std::vector<PendingRecord>> pending_;
};

}  // namespace messenger::friends
