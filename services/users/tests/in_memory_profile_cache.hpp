// ProfileCache in memory, with a switch that makes every call fail (the cache server is down).
#pragma once

#include <map>
#include <mutex>

#include "users/domain/profile_cache.hpp"

namespace messenger::users {

class InMemoryProfileCache final : public ProfileCache {
 public:
  StatusOr<CachedProfile> GetProfile(const std::string& user_id) override {
    std::lock_guard lock(mu_);
    if (down_) return UnavailableError("cache down");
    return LookupLocked(user_id);
  }

  StatusOr<std::vector<CachedProfile>> GetProfiles(const std::vector<std::string>& user_ids) override {
    std::lock_guard lock(mu_);
    if (down_) return UnavailableError("cache down");
    std::vector<CachedProfile> out;
    for (const auto& id : user_ids) out.push_back(LookupLocked(id));
    return out;
  }

  Status PutProfile(const Profile& profile, const std::string& fill_token) override {
    std::lock_guard lock(mu_);
    if (down_) return UnavailableError("cache down");
    PutLocked(profile, fill_token);
    return OkStatus();
  }

  Status PutProfiles(const std::vector<Profile>& profiles, const std::vector<std::string>& tokens) override {
    std::lock_guard lock(mu_);
    if (down_) return UnavailableError("cache down");
    for (std::size_t i = 0; i < profiles.size(); ++i) PutLocked(profiles[i], tokens[i]);
    return OkStatus();
  }

  StatusOr<std::optional<std::string>> GetUserIdByNickname(const std::string& nickname_lower) override {
    std::lock_guard lock(mu_);
    if (down_) return UnavailableError("cache down");
    auto it = nicknames_.find(nickname_lower);
    if (it == nicknames_.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }

  Status PutNickname(const std::string& nickname_lower, const std::string& user_id) override {
    std::lock_guard lock(mu_);
    if (down_) return UnavailableError("cache down");
    nicknames_[nickname_lower] = user_id;
    return OkStatus();
  }

  Status Invalidate(const std::string& user_id, const std::vector<std::string>& nicknames_lower) override {
    std::lock_guard lock(mu_);
    if (down_) return UnavailableError("cache down");
    profiles_.erase(user_id);
    for (const auto& n : nicknames_lower) nicknames_.erase(n);
    generations_[user_id] = std::to_string(++next_generation_);
    return OkStatus();
  }

  void SetDownForTest(bool down) {
    std::lock_guard lock(mu_);
    down_ = down;
  }
  // Writes an entry directly, as a stale leftover would be.
  void SetNicknameForTest(const std::string& nickname_lower, const std::string& user_id) {
    std::lock_guard lock(mu_);
    nicknames_[nickname_lower] = user_id;
  }
  void SetProfileForTest(const Profile& profile) {
    std::lock_guard lock(mu_);
    profiles_[profile.user_id] = profile;
  }
  bool HasProfileForTest(const std::string& user_id) {
    std::lock_guard lock(mu_);
    return profiles_.count(user_id) > 0;
  }

 private:
  CachedProfile LookupLocked(const std::string& user_id) {
    CachedProfile out;
    auto it = profiles_.find(user_id);
    if (it != profiles_.end()) out.profile = it->second;
    out.fill_token = generations_[user_id];
    return out;
  }
  void PutLocked(const Profile& profile, const std::string& fill_token) {
    if (generations_[profile.user_id] == fill_token) profiles_[profile.user_id] = profile;
  }

  std::mutex mu_;
  bool down_ = false;
  std::map<std::string, Profile> profiles_;
  std::map<std::string, std::string> nicknames_;
  std::map<std::string, std::string> generations_;
  long next_generation_ = 0;
};

}  // namespace messenger::users
