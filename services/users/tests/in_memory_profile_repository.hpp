// ProfileRepository in memory, with the documented semantics, for unit tests of the domain.
#pragma once

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>

#include "users/domain/profile_repository.hpp"
#include "users/domain/validation.hpp"

namespace messenger::users {

class InMemoryProfileRepository final : public ProfileRepository {
 public:
  struct NicknameRow {
    std::string user_id;
    bool owned = false;
    std::optional<TimePoint> expires_at;
  };

  StatusOr<Profile> FindById(const std::string& user_id) override {
    std::lock_guard lock(mu_);
    ++find_by_id_calls;
    auto it = profiles_.find(user_id);
    if (it == profiles_.end()) return NotFoundError("no profile");
    return it->second;
  }

  StatusOr<Profile> FindByNickname(const std::string& nickname_lower) override {
    std::lock_guard lock(mu_);
    for (const auto& [id, p] : profiles_) {
      if (LowerAscii(p.nickname) == nickname_lower) return p;
    }
    return NotFoundError("no profile");
  }

  StatusOr<std::vector<Profile>> SearchByNicknamePrefix(const std::string& prefix_lower, int limit) override {
    std::lock_guard lock(mu_);
    std::vector<Profile> out;
    for (const auto& [id, p] : profiles_) {
      if (LowerAscii(p.nickname).rfind(prefix_lower, 0) == 0) out.push_back(p);
    }
    std::sort(out.begin(), out.end(), [](const Profile& a, const Profile& b) {
      return LowerAscii(a.nickname) < LowerAscii(b.nickname);
    });
    if (out.size() > static_cast<std::size_t>(limit)) out.resize(limit);
    return out;
  }

  StatusOr<std::vector<Profile>> FindByIds(const std::vector<std::string>& user_ids) override {
    std::lock_guard lock(mu_);
    ++find_by_ids_calls;
    std::vector<Profile> out;
    for (const auto& id : user_ids) {
      auto it = profiles_.find(id);
      if (it != profiles_.end() &&
          std::none_of(out.begin(), out.end(), [&](const Profile& p) { return p.user_id == id; })) {
        out.push_back(it->second);
      }
    }
    return out;
  }

  StatusOr<ProfileUpdate> Update(const std::string& user_id, const ProfileChanges& changes,
                                 TimePoint now) override {
    std::lock_guard lock(mu_);
    auto it = profiles_.find(user_id);
    if (it == profiles_.end()) return NotFoundError("no profile");
    ProfileUpdate result{it->second, it->second};
    if (changes.nickname) {
      std::string old_lower = LowerAscii(it->second.nickname);
      std::string new_lower = LowerAscii(*changes.nickname);
      if (new_lower != old_lower) {
        if (!FreeFor(new_lower, user_id, now))
          return AlreadyExistsError("nickname taken", kReasonNicknameTaken);
        nicknames_[new_lower] = NicknameRow{user_id, true, std::nullopt};
        nicknames_.erase(old_lower);
      }
      result.after.nickname = *changes.nickname;
    }
    if (changes.bio) result.after.bio = *changes.bio;
    if (changes.avatar_url) result.after.avatar_url = *changes.avatar_url;
    result.after.updated_at = now;
    it->second = result.after;
    return result;
  }

  StatusOr<Reservation> ReserveNickname(const std::string& nickname_lower, const std::string& user_id,
                                        TimePoint now, TimePoint expires_at) override {
    std::lock_guard lock(mu_);
    if (!FreeFor(nickname_lower, user_id, now))
      return AlreadyExistsError("nickname taken", kReasonNicknameTaken);
    auto it = nicknames_.find(nickname_lower);
    if (it != nicknames_.end() && it->second.owned && it->second.user_id == user_id) {
      return Reservation{nickname_lower, user_id, std::nullopt};
    }
    nicknames_[nickname_lower] = NicknameRow{user_id, false, expires_at};
    return Reservation{nickname_lower, user_id, expires_at};
  }

  Status ReleaseNickname(const std::string& nickname_lower, const std::string& user_id) override {
    std::lock_guard lock(mu_);
    auto it = nicknames_.find(nickname_lower);
    if (it != nicknames_.end() && !it->second.owned && it->second.user_id == user_id) nicknames_.erase(it);
    return OkStatus();
  }

  StatusOr<RegistrationResult> CreateRegisteredProfile(const std::string& user_id,
                                                       const std::vector<std::string>& candidates,
                                                       TimePoint now) override {
    std::lock_guard lock(mu_);
    ++create_calls;
    if (profiles_.count(user_id))
      return RegistrationResult{RegistrationResult::Outcome::kAlreadyExists, {}, 0};
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      std::string lower = LowerAscii(candidates[i]);
      if (!FreeFor(lower, user_id, now)) continue;
      nicknames_[lower] = NicknameRow{user_id, true, std::nullopt};
      Profile p{user_id, candidates[i], "", "", now, now};
      profiles_[user_id] = p;
      return RegistrationResult{RegistrationResult::Outcome::kCreated, p, i};
    }
    return RegistrationResult{RegistrationResult::Outcome::kCandidatesTaken, {}, 0};
  }

  StatusOr<std::int64_t> DeleteExpiredReservations(TimePoint now) override {
    std::lock_guard lock(mu_);
    std::int64_t n = 0;
    for (auto it = nicknames_.begin(); it != nicknames_.end();) {
      if (!it->second.owned && it->second.expires_at && *it->second.expires_at <= now) {
        it = nicknames_.erase(it);
        ++n;
      } else {
        ++it;
      }
    }
    return n;
  }

  // Test helpers.
  std::optional<NicknameRow> NicknameRowForTest(const std::string& lower) {
    std::lock_guard lock(mu_);
    auto it = nicknames_.find(lower);
    if (it == nicknames_.end()) return std::nullopt;
    return it->second;
  }
  std::size_t ProfileCountForTest() {
    std::lock_guard lock(mu_);
    return profiles_.size();
  }

  int find_by_id_calls = 0;
  int find_by_ids_calls = 0;
  int create_calls = 0;

 private:
  bool FreeFor(const std::string& lower, const std::string& user_id, TimePoint now) const {
    auto it = nicknames_.find(lower);
    if (it == nicknames_.end()) return true;
    const NicknameRow& row = it->second;
    if (row.user_id == user_id) return true;
    return !row.owned && row.expires_at && *row.expires_at <= now;
  }

  std::mutex mu_;
  std::map<std::string, Profile> profiles_;
  std::map<std::string, NicknameRow> nicknames_;
};

}  // namespace messenger::users
