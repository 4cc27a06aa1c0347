#include "users/domain/profile_service.hpp"

#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "messenger/common/logging.hpp"
#include "users/domain/validation.hpp"

namespace messenger::users {
namespace {

constexpr std::int64_t kCacheWarningIntervalMs = 10'000;

// A canonical (lowercase) user ID, or nullopt for a string that is not a UUID.
std::optional<std::string> CanonicalUserId(std::string_view user_id) {
  if (!IsUuid(user_id)) return std::nullopt;
  return LowerAscii(user_id);
}

}  // namespace

ProfileService::ProfileService(ProfileRepository& repository, ProfileCache& cache, const Clock& clock,
                               ProfileServiceOptions options)
    : repository_(repository), cache_(cache), clock_(clock), options_(options) {}

void ProfileService::NoteCacheFailure(std::string_view operation, const Status& status) {
  std::int64_t now = ToUnixMillis(clock_.Now());
  std::int64_t last = last_cache_warning_ms_.load(std::memory_order_relaxed);
  if (now - last < kCacheWarningIntervalMs) return;
  if (!last_cache_warning_ms_.compare_exchange_strong(last, now, std::memory_order_relaxed)) return;
  log::Warn("profile cache unavailable, using the database",
            {{"operation", operation}, {"error", status.ToString()}});
}

StatusOr<Profile> ProfileService::LoadProfile(const std::string& user_id) {
  StatusOr<CachedProfile> cached = cache_.GetProfile(user_id);
  if (!cached.ok()) {
    NoteCacheFailure("get_profile", cached.status());
    return repository_.FindById(user_id);
  }
  if (cached->profile) return std::move(*cached->profile);
  return FillProfile(user_id, cached->fill_token);
}

StatusOr<Profile> ProfileService::FillProfile(const std::string& user_id, const std::string& fill_token) {
  MESSENGER_ASSIGN_OR_RETURN(Profile profile, repository_.FindById(user_id));
  Status put = cache_.PutProfile(profile, fill_token);
  if (!put.ok()) NoteCacheFailure("put_profile", put);
  return profile;
}

StatusOr<Profile> ProfileService::GetProfile(std::string_view user_id) {
  std::optional<std::string> id = CanonicalUserId(user_id);
  if (!id) return NotFoundError("no such user");
  return LoadProfile(*id);
}

StatusOr<Profile> ProfileService::GetProfileByNickname(std::string_view nickname) {
  if (!IsValidNickname(nickname)) return NotFoundError("no such nickname");
  std::string lower = LowerAscii(nickname);

  StatusOr<CachedNickname> cached = cache_.GetByNickname(lower);
  if (!cached.ok()) {
    NoteCacheFailure("get_nickname", cached.status());
  } else if (cached->user_id) {
    // The mapping may be stale (a rename, or a race with one): trust it only when the profile it leads to
    // still carries the nickname asked for.
    StatusOr<Profile> profile = cached->entry.profile ? StatusOr<Profile>(*std::move(cached->entry.profile))
                                                      : FillProfile(*cached->user_id, cached->entry.fill_token);
    if (profile.ok() && LowerAscii(profile->nickname) == lower) return profile;
    if (!profile.ok() && profile.status().code() != StatusCode::kNotFound) return profile.status();
  }

  MESSENGER_ASSIGN_OR_RETURN(Profile profile, repository_.FindByNickname(lower));
  Status put = cache_.PutNickname(lower, profile.user_id);
  if (!put.ok()) NoteCacheFailure("put_nickname", put);
  return profile;
}

StatusOr<Profile> ProfileService::UpdateProfile(std::string_view user_id, const ProfileChanges& changes) {
  std::optional<std::string> id = CanonicalUserId(user_id);
  if (!id) return NotFoundError("no such user");
  if (changes.nickname) MESSENGER_RETURN_IF_ERROR(ValidateNickname(*changes.nickname));
  if (changes.bio) MESSENGER_RETURN_IF_ERROR(ValidateBio(*changes.bio));
  if (changes.avatar_url) MESSENGER_RETURN_IF_ERROR(ValidateAvatarUrl(*changes.avatar_url));
  if (changes.Empty()) return LoadProfile(*id);

  MESSENGER_ASSIGN_OR_RETURN(ProfileUpdate update, repository_.Update(*id, changes, clock_.Now()));

  std::vector<std::string> nicknames = {LowerAscii(update.before.nickname)};
  std::string new_lower = LowerAscii(update.after.nickname);
  if (new_lower != nicknames.front()) nicknames.push_back(std::move(new_lower));
  Status invalidated = cache_.Invalidate(*id, nicknames);
  if (!invalidated.ok()) invalidated = cache_.Invalidate(*id, nicknames);
  if (!invalidated.ok()) {
    // Readers fall back to the database while the cache is down; entries that survive an outage expire
    // with their TTL. A renamed-away nickname stays unresolvable regardless (see GetProfileByNickname).
    log::Warn("could not invalidate the cached profile after an update",
              {{"user_id", *id}, {"error", invalidated.ToString()}});
  }
  return std::move(update.after);
}

StatusOr<std::vector<Profile>> ProfileService::SearchUsers(std::string_view prefix, int limit) {
  if (prefix.empty()) return InvalidArgumentError("the search prefix is empty");
  if (limit == 0) limit = options_.default_search_limit;
  if (limit < 1 || limit > kSearchMaxLimit) {
    return InvalidArgumentError("limit must be between 1 and " + std::to_string(kSearchMaxLimit));
  }
  // A prefix that no nickname can start with matches nothing.
  if (prefix.size() > kNicknameMaxLength) return std::vector<Profile>{};
  for (char c : prefix) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return std::vector<Profile>{};
  }
  return repository_.SearchByNicknamePrefix(LowerAscii(prefix), limit);
}

StatusOr<std::vector<Profile>> ProfileService::BatchGetProfiles(const std::vector<std::string>& user_ids) {
  if (user_ids.size() > kBatchGetMaxIds) {
    return InvalidArgumentError("at most " + std::to_string(kBatchGetMaxIds) + " user IDs per call");
  }
  std::vector<std::string> ids;
  std::unordered_set<std::string> seen;
  for (const std::string& raw : user_ids) {
    std::optional<std::string> id = CanonicalUserId(raw);
    if (id && seen.insert(*id).second) ids.push_back(std::move(*id));
  }
  std::vector<Profile> result;
  if (ids.empty()) return result;

  std::vector<std::string> misses;
  std::vector<std::string> miss_tokens;
  bool fill = false;
  StatusOr<std::vector<CachedProfile>> cached = cache_.GetProfiles(ids);
  if (cached.ok() && cached->size() == ids.size()) {
    fill = true;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      CachedProfile& entry = (*cached)[i];
      if (entry.profile) {
        result.push_back(std::move(*entry.profile));
      } else {
        misses.push_back(ids[i]);
        miss_tokens.push_back(std::move(entry.fill_token));
      }
    }
  } else {
    if (!cached.ok()) NoteCacheFailure("get_profiles", cached.status());
    misses = ids;
  }
  if (misses.empty()) return result;

  MESSENGER_ASSIGN_OR_RETURN(std::vector<Profile> loaded, repository_.FindByIds(misses));
  if (fill && !loaded.empty()) {
    std::unordered_map<std::string, std::size_t> token_index;
    for (std::size_t i = 0; i < misses.size(); ++i) token_index.emplace(misses[i], i);
    std::vector<std::string> tokens;
    for (const Profile& p : loaded) {
      auto it = token_index.find(p.user_id);
      tokens.push_back(it == token_index.end() ? std::string() : miss_tokens[it->second]);
    }
    Status put = cache_.PutProfiles(loaded, tokens);
    if (!put.ok()) NoteCacheFailure("put_profiles", put);
  }
  for (Profile& p : loaded) result.push_back(std::move(p));
  return result;
}

StatusOr<Reservation> ProfileService::ReserveNickname(std::string_view nickname, std::string_view user_id) {
  MESSENGER_RETURN_IF_ERROR(ValidateNickname(nickname));
  std::optional<std::string> id = CanonicalUserId(user_id);
  if (!id) return InvalidArgumentError("user_id is not a UUID");
  TimePoint now = clock_.Now();
  return repository_.ReserveNickname(LowerAscii(nickname), *id, now, now + options_.reservation_ttl);
}

Status ProfileService::ReleaseNickname(std::string_view nickname, std::string_view user_id) {
  MESSENGER_RETURN_IF_ERROR(ValidateNickname(nickname));
  std::optional<std::string> id = CanonicalUserId(user_id);
  if (!id) return InvalidArgumentError("user_id is not a UUID");
  return repository_.ReleaseNickname(LowerAscii(nickname), *id);
}

StatusOr<std::int64_t> ProfileService::DeleteExpiredReservations() {
  return repository_.DeleteExpiredReservations(clock_.Now());
}

}  // namespace messenger::users
