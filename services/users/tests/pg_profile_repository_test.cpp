// PgProfileRepository against the real PostgreSQL server, one fresh database per test.
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <set>
#include <thread>
#include <vector>

#include "integration_env.hpp"

namespace messenger::users {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

using UsersPgProfileRepositoryTest = UsersIntegrationTest;

const TimePoint kT0 = FromUnixMillis(1'800'000'000'123);

// Reserves and registers a user with `nickname`; returns the ID.
std::string Register(ProfileRepository& repo, const std::string& nickname, TimePoint now = kT0) {
  std::string id = NewUuid();
  StatusOr<Reservation> r = repo.ReserveNickname(LowerAscii(nickname), id, now, now + hours(24));
  EXPECT_TRUE(r.ok()) << r.status();
  StatusOr<RegistrationResult> created = repo.CreateRegisteredProfile(id, {nickname}, now);
  EXPECT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->outcome, RegistrationResult::Outcome::kCreated);
  return id;
}

// Mixes the letter case of `s` according to the bits of `pattern`.
std::string MixCase(const std::string& s, unsigned pattern) {
  std::string out = s;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if ((pattern >> (i % 16)) & 1u)
      out[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[i])));
  }
  return out;
}

TEST_F(UsersPgProfileRepositoryTest, ConcurrentReservationsOfOneNicknameHaveOneWinner) {
  constexpr int kThreads = 16;
  constexpr int kRounds = 15;
  for (int round = 0; round < kRounds; ++round) {
    const std::string nickname = "racer_" + std::to_string(round);
    std::latch start(kThreads);
    std::atomic<int> won{0}, taken{0}, other{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        std::string user = NewUuid();
        // Every thread spells the nickname differently.
        const std::string spelling = MixCase(nickname, static_cast<unsigned>(t) * 2654435761u);
        start.arrive_and_wait();
        StatusOr<Reservation> r = service_->ReserveNickname(spelling, user);
        if (r.ok()) {
          ++won;
        } else if (r.status().code() == StatusCode::kAlreadyExists &&
                   r.status().reason() == kReasonNicknameTaken) {
          ++taken;
        } else {
          ++other;
          ADD_FAILURE() << r.status();
        }
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(won.load(), 1) << nickname;
    EXPECT_EQ(taken.load(), kThreads - 1) << nickname;
    EXPECT_EQ(other.load(), 0);
  }
}

TEST_F(UsersPgProfileRepositoryTest, ConcurrentTakeoverOfAnExpiredReservationHasOneWinner) {
  constexpr int kThreads = 16;
  ASSERT_TRUE(repo_->ReserveNickname("lapsed", NewUuid(), kT0, kT0 + seconds(10)).ok());
  const TimePoint later = kT0 + seconds(11);
  std::latch start(kThreads);
  std::atomic<int> won{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::string user = NewUuid();
      start.arrive_and_wait();
      // Half of the contenders reserve, half register directly with it as their nickname.
      bool ok = false;
      if (t % 2 == 0) {
        ok = repo_->ReserveNickname("lapsed", user, later, later + hours(1)).ok();
      } else {
        auto r = repo_->CreateRegisteredProfile(user, {"Lapsed"}, later);
        ok = r.ok() && r->outcome == RegistrationResult::Outcome::kCreated;
      }
      if (ok) ++won;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(won.load(), 1);
}

TEST_F(UsersPgProfileRepositoryTest, ConcurrentRenamesAndReservationsOfOneNicknameHaveOneWinner) {
  constexpr int kUsers = 8;
  std::vector<std::string> users;
  for (int i = 0; i < kUsers; ++i) users.push_back(Register(*repo_, "renamer" + std::to_string(i)));
  std::latch start(2 * kUsers);
  std::atomic<int> won{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kUsers; ++i) {
    threads.emplace_back([&, i] {
      ProfileChanges c;
      c.nickname = MixCase("prize", static_cast<unsigned>(i));
      start.arrive_and_wait();
      if (repo_->Update(users[i], c, kT0).ok()) ++won;
    });
    threads.emplace_back([&] {
      std::string newcomer = NewUuid();
      start.arrive_and_wait();
      if (repo_->ReserveNickname("prize", newcomer, kT0, kT0 + hours(1)).ok()) ++won;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(won.load(), 1);
  // The losers kept their nicknames.
  int renamed = 0;
  for (int i = 0; i < kUsers; ++i) {
    auto p = repo_->FindById(users[i]);
    ASSERT_TRUE(p.ok());
    if (LowerAscii(p->nickname) == "prize") {
      ++renamed;
    } else {
      EXPECT_EQ(p->nickname, "renamer" + std::to_string(i));
    }
  }
  EXPECT_LE(renamed, 1);
}

TEST_F(UsersPgProfileRepositoryTest, ReservationLifecycle) {
  const std::string u1 = NewUuid(), u2 = NewUuid();
  StatusOr<Reservation> r = repo_->ReserveNickname("alice", u1, kT0, kT0 + seconds(60));
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->expires_at.has_value());
  EXPECT_EQ(ToUnixMillis(*r->expires_at), ToUnixMillis(kT0 + seconds(60)));

  EXPECT_EQ(repo_->ReserveNickname("alice", u2, kT0 + seconds(59), kT0 + hours(1)).status().reason(),
            kReasonNicknameTaken);
  // Reserving again extends the user's own reservation.
  ASSERT_TRUE(repo_->ReserveNickname("alice", u1, kT0 + seconds(30), kT0 + seconds(120)).ok());
  EXPECT_FALSE(repo_->ReserveNickname("alice", u2, kT0 + seconds(90), kT0 + hours(1)).ok());
  // Someone else's release does nothing; expiry hands it over.
  ASSERT_TRUE(repo_->ReleaseNickname("alice", u2).ok());
  EXPECT_FALSE(repo_->ReserveNickname("alice", u2, kT0 + seconds(90), kT0 + hours(1)).ok());
  EXPECT_TRUE(repo_->ReserveNickname("alice", u2, kT0 + seconds(120), kT0 + hours(1)).ok());
  // The owner's release frees it at once.
  ASSERT_TRUE(repo_->ReleaseNickname("alice", u2).ok());
  EXPECT_TRUE(repo_->ReserveNickname("alice", u1, kT0 + seconds(121), kT0 + hours(1)).ok());
}

TEST_F(UsersPgProfileRepositoryTest, OwnedNicknameIsNeverReleasedOrExpired) {
  std::string id = Register(*repo_, "Owner");
  ASSERT_TRUE(repo_->ReleaseNickname("owner", id).ok());
  EXPECT_EQ(repo_->ReserveNickname("owner", NewUuid(), kT0 + hours(24 * 400), kT0 + hours(24 * 401))
                .status()
                .reason(),
            kReasonNicknameTaken);
  // The owner reserving it again keeps it owned (no expiry).
  StatusOr<Reservation> again = repo_->ReserveNickname("owner", id, kT0, kT0 + seconds(1));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(again->expires_at.has_value());
  EXPECT_EQ(*repo_->DeleteExpiredReservations(kT0 + hours(24 * 400)), 0);
  EXPECT_TRUE(repo_->FindByNickname("owner").ok());
}

TEST_F(UsersPgProfileRepositoryTest, RegistrationIsIdempotent) {
  std::string id = NewUuid();
  ASSERT_TRUE(repo_->ReserveNickname("alice", id, kT0, kT0 + hours(1)).ok());
  auto first = repo_->CreateRegisteredProfile(id, {"Alice"}, kT0);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->outcome, RegistrationResult::Outcome::kCreated);
  EXPECT_EQ(first->profile.nickname, "Alice");
  EXPECT_EQ(first->profile.created_at, kT0);

  ProfileChanges rename;
  rename.nickname = "alicia";
  ASSERT_TRUE(repo_->Update(id, rename, kT0 + seconds(1)).ok());
  auto replay = repo_->CreateRegisteredProfile(id, {"Alice"}, kT0 + seconds(2));
  ASSERT_TRUE(replay.ok());
  EXPECT_EQ(replay->outcome, RegistrationResult::Outcome::kAlreadyExists);
  EXPECT_EQ(repo_->FindById(id)->nickname, "alicia");
  EXPECT_EQ(repo_->FindByNickname("alice").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(repo_->ReserveNickname("alice", NewUuid(), kT0, kT0 + hours(1)).ok()) << "alice stays free";
}

TEST_F(UsersPgProfileRepositoryTest, ConcurrentRegistrationsOfOneUserCreateOneProfile) {
  constexpr int kThreads = 8;
  std::string id = NewUuid();
  ASSERT_TRUE(repo_->ReserveNickname("twin", id, kT0, kT0 + hours(1)).ok());
  std::latch start(kThreads);
  std::atomic<int> created{0}, existed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      start.arrive_and_wait();
      auto r = repo_->CreateRegisteredProfile(id, {"twin", "twin_1234"}, kT0);
      ASSERT_TRUE(r.ok()) << r.status();
      if (r->outcome == RegistrationResult::Outcome::kCreated) ++created;
      if (r->outcome == RegistrationResult::Outcome::kAlreadyExists) ++existed;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(existed.load(), kThreads - 1);
  EXPECT_EQ(repo_->FindById(id)->nickname, "twin");
  EXPECT_EQ(repo_->FindByNickname("twin_1234").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(repo_->ReserveNickname("twin_1234", NewUuid(), kT0, kT0 + hours(1)).ok());
}

TEST_F(UsersPgProfileRepositoryTest, RegistrationFallsBackWhenTheNicknameIsTaken) {
  Register(*repo_, "alice");
  std::string late = NewUuid();
  auto r = repo_->CreateRegisteredProfile(late, {"alice", "alice_0001", "alice_0002"}, kT0);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->outcome, RegistrationResult::Outcome::kCreated);
  EXPECT_EQ(r->candidate_index, 1u);
  EXPECT_EQ(r->profile.nickname, "alice_0001");

  auto none = repo_->CreateRegisteredProfile(NewUuid(), {"ALICE", "Alice_0001"}, kT0);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->outcome, RegistrationResult::Outcome::kCandidatesTaken);
}

TEST_F(UsersPgProfileRepositoryTest, UpdateRenamesAndKeepsOtherFields) {
  std::string id = Register(*repo_, "alice");
  std::string other = Register(*repo_, "bob");
  ProfileChanges c;
  c.bio = "caf\xc3\xa9 'quoted' \\ \"x\"";
  c.avatar_url = "https://example.test/a.png";
  auto u = repo_->Update(id, c, kT0 + seconds(5));
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->before.bio, "");
  EXPECT_EQ(u->after.bio, *c.bio);
  EXPECT_EQ(u->after.updated_at, kT0 + seconds(5));
  EXPECT_EQ(u->after.created_at, kT0);

  ProfileChanges taken;
  taken.nickname = "BOB";
  auto refused = repo_->Update(id, taken, kT0);
  EXPECT_EQ(refused.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(refused.status().reason(), kReasonNicknameTaken);
  EXPECT_EQ(repo_->FindById(other)->nickname, "bob");

  ProfileChanges rename;
  rename.nickname = "Alicia";
  auto renamed = repo_->Update(id, rename, kT0 + seconds(6));
  ASSERT_TRUE(renamed.ok()) << renamed.status();
  EXPECT_EQ(renamed->before.nickname, "alice");
  EXPECT_EQ(renamed->after.nickname, "Alicia");
  EXPECT_EQ(renamed->after.bio, *c.bio);
  EXPECT_EQ(repo_->FindByNickname("alice").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(repo_->FindByNickname("alicia")->user_id, id);
  EXPECT_TRUE(repo_->ReserveNickname("alice", NewUuid(), kT0, kT0 + hours(1)).ok());

  ProfileChanges recase;
  recase.nickname = "ALICIA";
  auto recased = repo_->Update(id, recase, kT0 + seconds(7));
  ASSERT_TRUE(recased.ok()) << recased.status();
  EXPECT_EQ(recased->after.nickname, "ALICIA");
  EXPECT_EQ(repo_->FindByNickname("alicia")->nickname, "ALICIA");

  EXPECT_EQ(repo_->Update(NewUuid(), c, kT0).status().code(), StatusCode::kNotFound);
}

TEST_F(UsersPgProfileRepositoryTest, PrefixSearchTreatsUnderscoreLiterally) {
  Register(*repo_, "a_b");
  Register(*repo_, "axb");
  Register(*repo_, "A_Bc");
  Register(*repo_, "a_bd");
  Register(*repo_, "zzz");
  auto found = repo_->SearchByNicknamePrefix("a_b", 10);
  ASSERT_TRUE(found.ok()) << found.status();
  std::vector<std::string> names;
  for (const auto& p : *found) names.push_back(p.nickname);
  EXPECT_EQ(names, (std::vector<std::string>{"a_b", "A_Bc", "a_bd"}));

  auto limited = repo_->SearchByNicknamePrefix("a", 2);
  ASSERT_TRUE(limited.ok());
  ASSERT_EQ(limited->size(), 2u);
  EXPECT_EQ((*limited)[0].nickname, "a_b");
  EXPECT_EQ((*limited)[1].nickname, "A_Bc");

  EXPECT_TRUE(repo_->SearchByNicknamePrefix("%", 10)->empty());
  EXPECT_TRUE(repo_->SearchByNicknamePrefix("_", 10)->empty());
  EXPECT_TRUE(repo_->SearchByNicknamePrefix("\\", 10)->empty());
}

TEST_F(UsersPgProfileRepositoryTest, BatchGetLeavesUnknownIdsOut) {
  std::string a = Register(*repo_, "alice");
  std::string b = Register(*repo_, "bob");
  Register(*repo_, "carol");
  auto found = repo_->FindByIds({a, NewUuid(), b, a});
  ASSERT_TRUE(found.ok()) << found.status();
  std::set<std::string> ids;
  for (const auto& p : *found) ids.insert(p.user_id);
  EXPECT_EQ(found->size(), 2u);
  EXPECT_EQ(ids, (std::set<std::string>{a, b}));
  EXPECT_TRUE(repo_->FindByIds({NewUuid()})->empty());
  EXPECT_TRUE(repo_->FindByIds({})->empty());
}

TEST_F(UsersPgProfileRepositoryTest, DeleteExpiredReservations) {
  ASSERT_TRUE(repo_->ReserveNickname("gone", NewUuid(), kT0, kT0 + seconds(10)).ok());
  ASSERT_TRUE(repo_->ReserveNickname("kept", NewUuid(), kT0, kT0 + seconds(100)).ok());
  Register(*repo_, "owned");
  auto deleted = repo_->DeleteExpiredReservations(kT0 + seconds(50));
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_EQ(*deleted, 1);
  EXPECT_FALSE(repo_->ReserveNickname("kept", NewUuid(), kT0 + seconds(50), kT0 + hours(1)).ok());
  EXPECT_FALSE(repo_->ReserveNickname("owned", NewUuid(), kT0 + seconds(50), kT0 + hours(1)).ok());
}

}  // namespace
}  // namespace messenger::users
