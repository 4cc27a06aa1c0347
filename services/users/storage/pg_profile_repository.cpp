#include "users/storage/pg_profile_repository.hpp"

#include <pqxx/pqxx>
#include <utility>

#include "messenger/common/ids.hpp"
#include "users/domain/validation.hpp"

namespace messenger::users {
namespace {

// Every statement is named; the name is what shows up in PostgreSQL logs and pg_stat_statements.
// Times travel as Unix milliseconds: `timestamptz 'epoch' + $n * interval '1 millisecond'` and back with
// round(extract(epoch ...) * 1000).
struct Statement {
  const char* name;
  const char* sql;
};

constexpr Statement kFindById{
    "users_find_by_id",
    "SELECT user_id::text, nickname, bio, avatar_url, round(extract(epoch FROM created_at) * 1000)::bigint, "
    "round(extract(epoch FROM updated_at) * 1000)::bigint "
    "FROM profiles WHERE user_id = $1::uuid"};

constexpr Statement kFindByIdForUpdate{
    "users_find_by_id_for_update",
    "SELECT user_id::text, nickname, bio, avatar_url, round(extract(epoch FROM created_at) * 1000)::bigint, "
    "round(extract(epoch FROM updated_at) * 1000)::bigint "
    "FROM profiles WHERE user_id = $1::uuid FOR UPDATE"};

constexpr Statement kFindByNickname{
    "users_find_by_nickname",
    "SELECT user_id::text, nickname, bio, avatar_url, round(extract(epoch FROM created_at) * 1000)::bigint, "
    "round(extract(epoch FROM updated_at) * 1000)::bigint "
    "FROM profiles WHERE nickname_lower = $1"};

// Run unnamed (not prepared) on purpose: PostgreSQL then plans it with the actual pattern, so the LIKE
// prefix becomes an index range on profiles_nickname_lower_idx. A generic plan of a prepared statement
// cannot do that and would walk the whole index. '\' is LIKE's default escape character.
constexpr Statement kSearchByPrefix{
    "users_search_by_prefix",
    "SELECT user_id::text, nickname, bio, avatar_url, round(extract(epoch FROM created_at) * 1000)::bigint, "
    "round(extract(epoch FROM updated_at) * 1000)::bigint "
    "FROM profiles WHERE nickname_lower LIKE $1 ORDER BY nickname_lower USING ~<~ LIMIT $2"};

constexpr Statement kFindByIds{
    "users_find_by_ids",
    "SELECT user_id::text, nickname, bio, avatar_url, round(extract(epoch FROM created_at) * 1000)::bigint, "
    "round(extract(epoch FROM updated_at) * 1000)::bigint "
    "FROM profiles WHERE user_id = ANY($1::uuid[])"};

constexpr Statement kProfileExists{"users_profile_exists", "SELECT 1 FROM profiles WHERE user_id = $1::uuid"};

// Takes a nickname for good (state 'owned') when it is free for the user: no row, a row of the same user,
// or an expired reservation of someone else. Returns a row only when it was taken.
constexpr Statement kClaimNickname{
    "users_claim_nickname",
    "INSERT INTO nicknames (nickname_lower, user_id, state, expires_at) VALUES ($1, $2::uuid, 'owned', NULL) "
    "ON CONFLICT (nickname_lower) DO UPDATE SET user_id = EXCLUDED.user_id, state = 'owned', expires_at = "
    "NULL "
    "WHERE nicknames.user_id = EXCLUDED.user_id OR (nicknames.state = 'reserved' AND "
    "nicknames.expires_at <= timestamptz 'epoch' + $3::bigint * interval '1 millisecond') "
    "RETURNING nickname_lower"};

// Reserves a nickname under the same rule. A nickname the user already owns stays owned (no expiry).
constexpr Statement kReserveNickname{
    "users_reserve_nickname",
    "INSERT INTO nicknames (nickname_lower, user_id, state, expires_at) "
    "VALUES ($1, $2::uuid, 'reserved', timestamptz 'epoch' + $4::bigint * interval '1 millisecond') "
    "ON CONFLICT (nickname_lower) DO UPDATE SET user_id = EXCLUDED.user_id, "
    "state = CASE WHEN nicknames.state = 'owned' THEN 'owned' ELSE 'reserved' END, "
    "expires_at = CASE WHEN nicknames.state = 'owned' THEN NULL ELSE EXCLUDED.expires_at END "
    "WHERE nicknames.user_id = EXCLUDED.user_id OR (nicknames.state = 'reserved' AND "
    "nicknames.expires_at <= timestamptz 'epoch' + $3::bigint * interval '1 millisecond') "
    "RETURNING state, coalesce(round(extract(epoch FROM expires_at) * 1000)::bigint, 0)"};

constexpr Statement kReleaseNickname{
    "users_release_nickname",
    "DELETE FROM nicknames WHERE nickname_lower = $1 AND user_id = $2::uuid AND state = 'reserved'"};

constexpr Statement kDropOldNickname{
    "users_drop_old_nickname", "DELETE FROM nicknames WHERE nickname_lower = $1 AND user_id = $2::uuid"};

constexpr Statement kInsertProfile{
    "users_insert_profile",
    "INSERT INTO profiles (user_id, nickname, bio, avatar_url, created_at, updated_at) "
    "VALUES ($1::uuid, $2, '', '', timestamptz 'epoch' + $3::bigint * interval '1 millisecond', "
    "timestamptz 'epoch' + $3::bigint * interval '1 millisecond') "
    "ON CONFLICT (user_id) DO NOTHING "
    "RETURNING user_id::text, nickname, bio, avatar_url, round(extract(epoch FROM created_at) * "
    "1000)::bigint, "
    "round(extract(epoch FROM updated_at) * 1000)::bigint"};

// $2/$4/$6 say whether nickname/bio/avatar_url are set; $3/$5/$7 are their new values.
constexpr Statement kUpdateProfile{
    "users_update_profile",
    "UPDATE profiles SET nickname = CASE WHEN $2::boolean THEN $3 ELSE nickname END, "
    "bio = CASE WHEN $4::boolean THEN $5 ELSE bio END, "
    "avatar_url = CASE WHEN $6::boolean THEN $7 ELSE avatar_url END, "
    "updated_at = timestamptz 'epoch' + $8::bigint * interval '1 millisecond' "
    "WHERE user_id = $1::uuid "
    "RETURNING user_id::text, nickname, bio, avatar_url, round(extract(epoch FROM created_at) * "
    "1000)::bigint, "
    "round(extract(epoch FROM updated_at) * 1000)::bigint"};

constexpr Statement kDeleteExpiredReservations{
    "users_delete_expired_reservations",
    "DELETE FROM nicknames WHERE state = 'reserved' AND "
    "expires_at <= timestamptz 'epoch' + $1::bigint * interval '1 millisecond'"};

constexpr Statement kPrepared[] = {kFindById,        kFindByIdForUpdate, kFindByNickname,
                                   kFindByIds,       kProfileExists,     kClaimNickname,
                                   kReserveNickname, kReleaseNickname,   kDropOldNickname,
                                   kInsertProfile,   kUpdateProfile,     kDeleteExpiredReservations};

// The reason of the status that rolls back a registration whose profile another transaction created first.
constexpr char kReasonCreatedConcurrently[] = "PROFILE_CREATED_CONCURRENTLY";

Profile ProfileFromRow(const pqxx::row& row) {
  Profile p;
  p.user_id = row[0].as<std::string>();
  p.nickname = row[1].as<std::string>();
  p.bio = row[2].as<std::string>();
  p.avatar_url = row[3].as<std::string>();
  p.created_at = FromUnixMillis(row[4].as<std::int64_t>());
  p.updated_at = FromUnixMillis(row[5].as<std::int64_t>());
  return p;
}

std::vector<Profile> ProfilesFromResult(const pqxx::result& result) {
  std::vector<Profile> out;
  out.reserve(result.size());
  for (const auto& row : result) out.push_back(ProfileFromRow(row));
  return out;
}

// A PostgreSQL array literal of the IDs, each element quoted.
std::string UuidArrayLiteral(const std::vector<std::string>& ids) {
  std::string out = "{";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : ids[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

// The LIKE pattern of a literal prefix: '\', '_' and '%' are escaped, then '%' appended.
std::string PrefixPattern(const std::string& prefix) {
  std::string out;
  for (char c : prefix) {
    if (c == '\\' || c == '_' || c == '%') out += '\\';
    out += c;
  }
  return out + "%";
}

}  // namespace

StatusOr<std::unique_ptr<PgProfileRepository>> PgProfileRepository::Create(pg::Pool& pool) {
  for (const Statement& s : kPrepared) MESSENGER_RETURN_IF_ERROR(pool.Prepare(s.name, s.sql));
  return std::unique_ptr<PgProfileRepository>(new PgProfileRepository(pool));
}

StatusOr<Profile> PgProfileRepository::FindById(const std::string& user_id) {
  return pool_.ReadOnlyValue([&](pqxx::work& txn) -> StatusOr<Profile> {
    pqxx::result r = txn.exec_prepared(kFindById.name, user_id);
    if (r.empty()) return NotFoundError("no profile for this user");
    return ProfileFromRow(r[0]);
  });
}

StatusOr<Profile> PgProfileRepository::FindByNickname(const std::string& nickname_lower) {
  return pool_.ReadOnlyValue([&](pqxx::work& txn) -> StatusOr<Profile> {
    pqxx::result r = txn.exec_prepared(kFindByNickname.name, nickname_lower);
    if (r.empty()) return NotFoundError("no profile with this nickname");
    return ProfileFromRow(r[0]);
  });
}

StatusOr<std::vector<Profile>> PgProfileRepository::SearchByNicknamePrefix(const std::string& prefix_lower,
                                                                           int limit) {
  return pool_.ReadOnlyValue([&](pqxx::work& txn) -> StatusOr<std::vector<Profile>> {
    return ProfilesFromResult(txn.exec_params(kSearchByPrefix.sql, PrefixPattern(prefix_lower), limit));
  });
}

StatusOr<std::vector<Profile>> PgProfileRepository::FindByIds(const std::vector<std::string>& user_ids) {
  if (user_ids.empty()) return std::vector<Profile>{};
  return pool_.ReadOnlyValue([&](pqxx::work& txn) -> StatusOr<std::vector<Profile>> {
    return ProfilesFromResult(txn.exec_prepared(kFindByIds.name, UuidArrayLiteral(user_ids)));
  });
}

StatusOr<ProfileUpdate> PgProfileRepository::Update(const std::string& user_id, const ProfileChanges& changes,
                                                    TimePoint now) {
  const std::int64_t now_ms = ToUnixMillis(now);
  return pool_.TransactValue([&](pqxx::work& txn) -> StatusOr<ProfileUpdate> {
    pqxx::result current = txn.exec_prepared(kFindByIdForUpdate.name, user_id);
    if (current.empty()) return NotFoundError("no profile for this user");
    ProfileUpdate update;
    update.before = ProfileFromRow(current[0]);

    const std::string old_lower = LowerAscii(update.before.nickname);
    const std::string new_lower = changes.nickname ? LowerAscii(*changes.nickname) : std::string();
    const bool renames = changes.nickname && new_lower != old_lower;
    if (renames) {
      pqxx::result claimed = txn.exec_prepared(kClaimNickname.name, new_lower, user_id, now_ms);
      if (claimed.empty()) return AlreadyExistsError("the nickname is taken", kReasonNicknameTaken);
    }
    pqxx::result updated =
        txn.exec_prepared(kUpdateProfile.name, user_id, changes.nickname.has_value(),
                          changes.nickname.value_or(""), changes.bio.has_value(), changes.bio.value_or(""),
                          changes.avatar_url.has_value(), changes.avatar_url.value_or(""), now_ms);
    if (updated.empty()) return NotFoundError("no profile for this user");
    update.after = ProfileFromRow(updated[0]);
    // After the profile points at the new nickname, the old one can go (the foreign key checks the order).
    if (renames) txn.exec_prepared0(kDropOldNickname.name, old_lower, user_id);
    return update;
  });
}

StatusOr<Reservation> PgProfileRepository::ReserveNickname(const std::string& nickname_lower,
                                                           const std::string& user_id, TimePoint now,
                                                           TimePoint expires_at) {
  return pool_.TransactValue([&](pqxx::work& txn) -> StatusOr<Reservation> {
    pqxx::result r = txn.exec_prepared(kReserveNickname.name, nickname_lower, user_id, ToUnixMillis(now),
                                       ToUnixMillis(expires_at));
    if (r.empty()) return AlreadyExistsError("the nickname is taken", kReasonNicknameTaken);
    Reservation out{nickname_lower, user_id, std::nullopt};
    if (r[0][0].as<std::string>() == "reserved") out.expires_at = FromUnixMillis(r[0][1].as<std::int64_t>());
    return out;
  });
}

Status PgProfileRepository::ReleaseNickname(const std::string& nickname_lower, const std::string& user_id) {
  return pool_.Transact([&](pqxx::work& txn) {
    txn.exec_prepared0(kReleaseNickname.name, nickname_lower, user_id);
    return OkStatus();
  });
}

StatusOr<RegistrationResult> PgProfileRepository::CreateRegisteredProfile(
    const std::string& user_id, const std::vector<std::string>& candidates, TimePoint now) {
  using Outcome = RegistrationResult::Outcome;
  const std::int64_t now_ms = ToUnixMillis(now);
  StatusOr<RegistrationResult> result =
      pool_.TransactValue([&](pqxx::work& txn) -> StatusOr<RegistrationResult> {
        if (!txn.exec_prepared(kProfileExists.name, user_id).empty()) {
          return RegistrationResult{Outcome::kAlreadyExists, {}, 0};
        }
        for (std::size_t i = 0; i < candidates.size(); ++i) {
          if (txn.exec_prepared(kClaimNickname.name, LowerAscii(candidates[i]), user_id, now_ms).empty())
            continue;
          pqxx::result inserted = txn.exec_prepared(kInsertProfile.name, user_id, candidates[i], now_ms);
          if (inserted.empty()) {
            // Another transaction created the profile after our existence check: undo the claim.
            return AbortedError("the profile was created concurrently", kReasonCreatedConcurrently);
          }
          return RegistrationResult{Outcome::kCreated, ProfileFromRow(inserted[0]), i};
        }
        return RegistrationResult{Outcome::kCandidatesTaken, {}, 0};
      });
  if (!result.ok() && result.status().reason() == kReasonCreatedConcurrently) {
    return RegistrationResult{Outcome::kAlreadyExists, {}, 0};
  }
  return result;
}

StatusOr<std::int64_t> PgProfileRepository::DeleteExpiredReservations(TimePoint now) {
  return pool_.TransactValue([&](pqxx::work& txn) -> StatusOr<std::int64_t> {
    return static_cast<std::int64_t>(
        txn.exec_prepared(kDeleteExpiredReservations.name, ToUnixMillis(now)).affected_rows());
  });
}

}  // namespace messenger::users
