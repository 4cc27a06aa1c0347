// ProfileRepository on PostgreSQL (database `users`, tables `profiles` and `nicknames`; see
// migrations/V001__init.sql).
#pragma once

#include <memory>

#include "messenger/pg/pool.hpp"
#include "users/domain/profile_repository.hpp"

namespace messenger::users {

class PgProfileRepository final : public ProfileRepository {
 public:
  // Registers the repository's prepared statements on `pool`, which must outlive the repository.
  static StatusOr<std::unique_ptr<PgProfileRepository>> Create(pg::Pool& pool);

  StatusOr<Profile> FindById(const std::string& user_id) override;
  StatusOr<Profile> FindByNickname(const std::string& nickname_lower) override;
  StatusOr<std::vector<Profile>> SearchByNicknamePrefix(const std::string& prefix_lower, int limit) override;
  StatusOr<std::vector<Profile>> FindByIds(const std::vector<std::string>& user_ids) override;
  StatusOr<ProfileUpdate> Update(const std::string& user_id, const ProfileChanges& changes,
                                 TimePoint now) override;
  StatusOr<Reservation> ReserveNickname(const std::string& nickname_lower, const std::string& user_id,
                                        TimePoint now, TimePoint expires_at) override;
  Status ReleaseNickname(const std::string& nickname_lower, const std::string& user_id) override;
  StatusOr<RegistrationResult> CreateRegisteredProfile(const std::string& user_id,
                                                       const std::vector<std::string>& candidates,
                                                       TimePoint now) override;
  StatusOr<std::int64_t> DeleteExpiredReservations(TimePoint now) override;

 private:
  explicit PgProfileRepository(pg::Pool& pool) : pool_(pool) {}

  pg::Pool& pool_;
};

}  // namespace messenger::users
