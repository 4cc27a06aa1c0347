#include "users/domain/profile_service.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <set>
#include <string>

#include "messenger/common/testing/fake_clock.hpp"
#include "in_memory_profile_cache.hpp"
#include "in_memory_profile_repository.hpp"
#include "users/domain/registration_handler.hpp"

namespace messenger::users {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

class UsersProfileServiceTest : public ::testing::Test {
 protected:
  UsersProfileServiceTest() : service_(repo_, cache_, clock_, Options()), registrations_(repo_, clock_) {}

  static ProfileServiceOptions Options() {
    ProfileServiceOptions o;
    o.reservation_ttl = seconds(3600);
    return o;
  }

  // Registers a user the way Auth and the consumer do: reserve, then the UserRegistered event.
  std::string Register(const std::string& nickname) {
    std::string id = NewUuid();
    EXPECT_TRUE(service_.ReserveNickname(nickname, id).ok());
    EXPECT_TRUE(registrations_.Handle({NewUuid(), id, nickname}).ok());
    return id;
  }

  messenger::testing::FakeClock clock_;
  InMemoryProfileRepository repo_;
  InMemoryProfileCache cache_;
  ProfileService service_;
  RegistrationHandler registrations_;
};

ProfileChanges Nickname(std::string n) {
  ProfileChanges c;
  c.nickname = std::move(n);
  return c;
}
ProfileChanges Bio(std::string b) {
  ProfileChanges c;
  c.bio = std::move(b);
  return c;
}

TEST_F(UsersProfileServiceTest, GetUnknownOrMalformedIsNotFound) {
  EXPECT_EQ(service_.GetProfile(NewUuid()).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(service_.GetProfile("not-a-uuid").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(service_.GetProfileByNickname("nobody").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(service_.GetProfileByNickname("no such").status().code(), StatusCode::kNotFound);
}

TEST_F(UsersProfileServiceTest, GetReadsThroughTheCache) {
  std::string id = Register("alice");
  StatusOr<Profile> first = service_.GetProfile(id);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->nickname, "alice");
  int reads = repo_.find_by_id_calls;
  StatusOr<Profile> second = service_.GetProfile(id);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, *first);
  EXPECT_EQ(repo_.find_by_id_calls, reads) << "the second read should come from the cache";
}

TEST_F(UsersProfileServiceTest, UppercaseUserIdFindsTheProfile) {
  std::string id = Register("alice");
  std::string upper = id;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  StatusOr<Profile> p = service_.GetProfile(upper);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->user_id, id);
}

TEST_F(UsersProfileServiceTest, CacheDownFallsBackToTheRepository) {
  std::string id = Register("alice");
  cache_.SetDownForTest(true);
  EXPECT_TRUE(service_.GetProfile(id).ok());
  EXPECT_TRUE(service_.GetProfileByNickname("ALICE").ok());
  StatusOr<Profile> updated = service_.UpdateProfile(id, Bio("hello"));
  ASSERT_TRUE(updated.ok()) << updated.status();
  StatusOr<std::vector<Profile>> batch = service_.BatchGetProfiles({id});
  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->size(), 1u);
  EXPECT_EQ((*batch)[0].bio, "hello");
}

TEST_F(UsersProfileServiceTest, UpdateChangesOnlyTheFieldsSet) {
  std::string id = Register("alice");
  ProfileChanges both;
  both.bio = "bio";
  both.avatar_url = "https://example.test/a.png";
  ASSERT_TRUE(service_.UpdateProfile(id, both).ok());
  clock_.Advance(seconds(5));
  StatusOr<Profile> p = service_.UpdateProfile(id, Bio("new bio"));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->nickname, "alice");
  EXPECT_EQ(p->bio, "new bio");
  EXPECT_EQ(p->avatar_url, "https://example.test/a.png");
  EXPECT_EQ(p->updated_at, clock_.Now());
  EXPECT_LT(p->created_at, p->updated_at);

  ProfileChanges clear;
  clear.avatar_url = "";
  p = service_.UpdateProfile(id, clear);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->avatar_url, "");
  EXPECT_EQ(p->bio, "new bio");
}

TEST_F(UsersProfileServiceTest, UpdateIsVisibleAtOnceThroughTheCache) {
  std::string id = Register("alice");
  ASSERT_TRUE(service_.GetProfile(id).ok());  // now cached
  ASSERT_TRUE(cache_.HasProfileForTest(id));
  ASSERT_TRUE(service_.UpdateProfile(id, Bio("changed")).ok());
  EXPECT_EQ(service_.GetProfile(id)->bio, "changed");
}

TEST_F(UsersProfileServiceTest, ValidationFailuresChangeNothing) {
  std::string id = Register("alice");
  const std::string e_acute = "\xc3\xa9";
  std::string bio500, bio501;
  for (int i = 0; i < 500; ++i) bio500 += e_acute;
  bio501 = bio500 + e_acute;

  StatusOr<Profile> ok = service_.UpdateProfile(id, Bio(bio500));
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->bio, bio500);

  EXPECT_EQ(service_.UpdateProfile(id, Bio(bio501)).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(service_.UpdateProfile(id, Nickname("a b")).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(service_.UpdateProfile(id, Nickname("")).status().code(), StatusCode::kInvalidArgument);
  ProfileChanges avatar;
  avatar.avatar_url = "ftp://example.test/a.png";
  EXPECT_EQ(service_.UpdateProfile(id, avatar).status().code(), StatusCode::kInvalidArgument);
  // One bad field spoils the whole update.
  ProfileChanges mixed = Bio("fine");
  mixed.nickname = "x";
  EXPECT_EQ(service_.UpdateProfile(id, mixed).status().code(), StatusCode::kInvalidArgument);

  StatusOr<Profile> now = service_.GetProfile(id);
  ASSERT_TRUE(now.ok());
  EXPECT_EQ(now->bio, bio500);
  EXPECT_EQ(now->nickname, "alice");
}

TEST_F(UsersProfileServiceTest, UpdateOfUnknownUserIsNotFound) {
  EXPECT_EQ(service_.UpdateProfile(NewUuid(), Bio("x")).status().code(), StatusCode::kNotFound);
}

TEST_F(UsersProfileServiceTest, RenameFreesTheOldNickname) {
  std::string id = Register("alice");
  ASSERT_TRUE(service_.GetProfileByNickname("alice").ok());  // caches alice -> id
  StatusOr<Profile> renamed = service_.UpdateProfile(id, Nickname("alicia"));
  ASSERT_TRUE(renamed.ok()) << renamed.status();
  EXPECT_EQ(renamed->nickname, "alicia");

  EXPECT_EQ(service_.GetProfileByNickname("alice").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(service_.GetProfileByNickname("ALICIA")->user_id, id);
  // Someone else may now take the old nickname, in any case.
  std::string other = NewUuid();
  EXPECT_TRUE(service_.ReserveNickname("Alice", other).ok());
}

TEST_F(UsersProfileServiceTest, StaleNicknameCacheEntryIsNotTrusted) {
  std::string id = Register("alice");
  ASSERT_TRUE(service_.UpdateProfile(id, Nickname("alicia")).ok());
  // A stale mapping written back by a racing reader after the invalidation.
  cache_.SetNicknameForTest("alice", id);
  EXPECT_EQ(service_.GetProfileByNickname("alice").status().code(), StatusCode::kNotFound);

  // And when someone else owns the old nickname meanwhile, the stale entry does not hide them.
  std::string bob = Register("alice");
  cache_.SetNicknameForTest("alice", id);
  StatusOr<Profile> p = service_.GetProfileByNickname("alice");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->user_id, bob);
}

TEST_F(UsersProfileServiceTest, RenameToTakenNicknameFails) {
  std::string alice = Register("alice");
  Register("bob");
  std::string carol_id = NewUuid();
  ASSERT_TRUE(service_.ReserveNickname("carol", carol_id).ok());  // a live reservation

  for (const char* wanted : {"bob", "BOB", "carol", "Carol"}) {
    StatusOr<Profile> p = service_.UpdateProfile(alice, Nickname(wanted));
    ASSERT_FALSE(p.ok()) << wanted;
    EXPECT_EQ(p.status().code(), StatusCode::kAlreadyExists) << wanted;
    EXPECT_EQ(p.status().reason(), kReasonNicknameTaken) << wanted;
  }
  EXPECT_EQ(service_.GetProfile(alice)->nickname, "alice");
  EXPECT_EQ(service_.GetProfileByNickname("alice")->user_id, alice);
}

TEST_F(UsersProfileServiceTest, RenameToExpiredReservationSucceeds) {
  std::string alice = Register("alice");
  ASSERT_TRUE(service_.ReserveNickname("carol", NewUuid()).ok());
  clock_.Advance(seconds(3601));
  EXPECT_TRUE(service_.UpdateProfile(alice, Nickname("carol")).ok());
}

TEST_F(UsersProfileServiceTest, RenameToAnotherCaseOfOwnNickname) {
  std::string id = Register("alice");
  StatusOr<Profile> p = service_.UpdateProfile(id, Nickname("ALICE"));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->nickname, "ALICE");
  EXPECT_EQ(service_.GetProfileByNickname("alice")->nickname, "ALICE");
  // Still held: nobody else can reserve it.
  EXPECT_EQ(service_.ReserveNickname("alice", NewUuid()).status().reason(), kReasonNicknameTaken);
}

TEST_F(UsersProfileServiceTest, SearchValidatesAndMatchesCaseInsensitively) {
  Register("Alpha");
  Register("alps");
  Register("beta");
  EXPECT_EQ(service_.SearchUsers("", 10).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(service_.SearchUsers("a", 101).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(service_.SearchUsers("a", -1).status().code(), StatusCode::kInvalidArgument);

  StatusOr<std::vector<Profile>> found = service_.SearchUsers("AL", 0);
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 2u);
  EXPECT_EQ((*found)[0].nickname, "Alpha");
  EXPECT_EQ((*found)[1].nickname, "alps");
  EXPECT_EQ(service_.SearchUsers("al", 1)->size(), 1u);
  EXPECT_TRUE(service_.SearchUsers("a%", 10)->empty());
  EXPECT_TRUE(service_.SearchUsers(std::string(33, 'a'), 10)->empty());
}

TEST_F(UsersProfileServiceTest, BatchGetLeavesUnknownIdsOutAndUsesTheCache) {
  std::string a = Register("alice");
  std::string b = Register("bob");
  StatusOr<std::vector<Profile>> got = service_.BatchGetProfiles({a, NewUuid(), "junk", b, a});
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->size(), 2u);
  std::set<std::string> ids = {(*got)[0].user_id, (*got)[1].user_id};
  EXPECT_EQ(ids, (std::set<std::string>{a, b}));

  int batch_reads = repo_.find_by_ids_calls;
  got = service_.BatchGetProfiles({a, b});
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->size(), 2u);
  EXPECT_EQ(repo_.find_by_ids_calls, batch_reads) << "both profiles should come from the cache";

  EXPECT_TRUE(service_.BatchGetProfiles({})->empty());
  std::vector<std::string> too_many(1001, a);
  EXPECT_EQ(service_.BatchGetProfiles(too_many).status().code(), StatusCode::kInvalidArgument);
  std::vector<std::string> at_limit(1000, a);
  EXPECT_EQ(service_.BatchGetProfiles(at_limit)->size(), 1u);
}

TEST_F(UsersProfileServiceTest, ReservationRules) {
  std::string u1 = NewUuid(), u2 = NewUuid();
  EXPECT_EQ(service_.ReserveNickname("a b", u1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(service_.ReserveNickname("alice", "nope").status().code(), StatusCode::kInvalidArgument);

  StatusOr<Reservation> r = service_.ReserveNickname("Alice", u1);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->nickname_lower, "alice");
  EXPECT_EQ(r->expires_at, clock_.Now() + seconds(3600));

  StatusOr<Reservation> taken = service_.ReserveNickname("aLiCe", u2);
  EXPECT_EQ(taken.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(taken.status().reason(), kReasonNicknameTaken);
  EXPECT_TRUE(service_.ReserveNickname("alice", u1).ok()) << "the same user may reserve again";

  // Releasing someone else's reservation does nothing; releasing one's own frees it.
  EXPECT_TRUE(service_.ReleaseNickname("alice", u2).ok());
  EXPECT_FALSE(service_.ReserveNickname("alice", u2).ok());
  EXPECT_TRUE(service_.ReleaseNickname("ALICE", u1).ok());
  EXPECT_TRUE(service_.ReleaseNickname("alice", u1).ok()) << "idempotent";
  EXPECT_TRUE(service_.ReserveNickname("alice", u2).ok());

  // An abandoned reservation expires.
  clock_.Advance(seconds(3601));
  EXPECT_TRUE(service_.ReserveNickname("alice", u1).ok());
}

TEST_F(UsersProfileServiceTest, ReleaseNeverFreesAnOwnedNickname) {
  std::string id = Register("alice");
  EXPECT_TRUE(service_.ReleaseNickname("alice", id).ok());
  EXPECT_EQ(service_.ReserveNickname("alice", NewUuid()).status().reason(), kReasonNicknameTaken);
  EXPECT_TRUE(service_.GetProfileByNickname("alice").ok());
  // An owned nickname never expires.
  clock_.Advance(hours(24 * 365));
  EXPECT_EQ(service_.ReserveNickname("alice", NewUuid()).status().reason(), kReasonNicknameTaken);
}

TEST_F(UsersProfileServiceTest, DeleteExpiredReservations) {
  ASSERT_TRUE(service_.ReserveNickname("alice", NewUuid()).ok());
  Register("bob");
  EXPECT_EQ(*service_.DeleteExpiredReservations(), 0);
  clock_.Advance(seconds(3601));
  EXPECT_EQ(*service_.DeleteExpiredReservations(), 1);
  EXPECT_FALSE(repo_.NicknameRowForTest("alice").has_value());
  EXPECT_TRUE(repo_.NicknameRowForTest("bob").has_value());
}

}  // namespace
}  // namespace messenger::users
