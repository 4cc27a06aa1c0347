// ProfileService and RegistrationHandler over the real PostgreSQL and Redis servers.
#include <gtest/gtest.h>

#include <set>

#include "integration_env.hpp"
#include "users/domain/registration_handler.hpp"

namespace messenger::users {
namespace {

using std::chrono::seconds;

class UsersProfileServiceIntegrationTest : public UsersIntegrationTest {
 protected:
  std::string Register(const std::string& nickname) {
    std::string id = NewUuid();
    EXPECT_TRUE(service_->ReserveNickname(nickname, id).ok());
    RegistrationHandler handler(*repo_, clock_);
    EXPECT_TRUE(handler.Handle({NewUuid(), id, nickname}).ok());
    return id;
  }

  // Changes a row behind the service's back, to tell cached answers from fresh ones.
  void SetBioInDatabase(const std::string& id, const std::string& bio) {
    Status s = pool_->Transact([&](pqxx::work& txn) {
      txn.exec_params0("UPDATE profiles SET bio = $2 WHERE user_id = $1::uuid", id, bio);
      return OkStatus();
    });
    ASSERT_TRUE(s.ok()) << s;
  }

  bool KeyExists(const std::string& key) {
    auto exists = RedisForTest().Exists(key);
    EXPECT_TRUE(exists.ok()) << exists.status();
    return exists.ok() && *exists;
  }
};

TEST_F(UsersProfileServiceIntegrationTest, ReadsAreCachedAndUpdatesInvalidate) {
  std::string id = Register("alice");
  ASSERT_EQ(service_->GetProfile(id)->bio, "");
  EXPECT_TRUE(KeyExists(prefix_ + "profile:" + id));

  SetBioInDatabase(id, "behind the cache's back");
  EXPECT_EQ(service_->GetProfile(id)->bio, "") << "the second read should be served from Redis";

  ProfileChanges c;
  c.avatar_url = "https://example.test/me.png";
  ASSERT_TRUE(service_->UpdateProfile(id, c).ok());
  StatusOr<Profile> fresh = service_->GetProfile(id);
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->avatar_url, "https://example.test/me.png");
  EXPECT_EQ(fresh->bio, "behind the cache's back");
}

TEST_F(UsersProfileServiceIntegrationTest, RenamedAwayNicknameIsNotFoundEvenWhenItsKeyWasCached) {
  std::string id = Register("alice");
  ASSERT_EQ(service_->GetProfileByNickname("ALICE")->user_id, id);  // caches alice -> id
  ASSERT_EQ(service_->GetProfileByNickname("alice")->user_id, id);  // caches the profile on the way
  ASSERT_TRUE(KeyExists(prefix_ + "nick:alice"));
  ASSERT_TRUE(KeyExists(prefix_ + "profile:" + id));

  ProfileChanges rename;
  rename.nickname = "alicia";
  ASSERT_TRUE(service_->UpdateProfile(id, rename).ok());
  EXPECT_FALSE(KeyExists(prefix_ + "nick:alice"));
  EXPECT_EQ(service_->GetProfileByNickname("alice").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(service_->GetProfileByNickname("Alicia")->user_id, id);
  EXPECT_EQ(service_->GetProfile(id)->nickname, "alicia");

  // A stale mapping written back by a reader that raced with the rename must not resurrect the old name.
  ASSERT_TRUE(RedisForTest().Set(prefix_ + "nick:alice", id).ok());
  EXPECT_EQ(service_->GetProfileByNickname("alice").status().code(), StatusCode::kNotFound);

  // Once someone else owns it, the stale mapping leads to them, not to the old owner.
  std::string bob = Register("Alice");
  ASSERT_TRUE(RedisForTest().Set(prefix_ + "nick:alice", id).ok());
  StatusOr<Profile> found = service_->GetProfileByNickname("alice");
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->user_id, bob);
}

// The by-nickname read of a warm cache is one script call: the mapping, the profile and its fill token.
TEST_F(UsersProfileServiceIntegrationTest, NicknameLookupBringsTheProfileAndItsFillToken) {
  std::string id = Register("alice");
  StatusOr<CachedNickname> cold = cache_->GetByNickname("alice");
  ASSERT_TRUE(cold.ok()) << cold.status();
  EXPECT_FALSE(cold->user_id.has_value());

  ASSERT_TRUE(cache_->PutNickname("alice", id).ok());
  StatusOr<CachedNickname> half = cache_->GetByNickname("alice");  // mapping cached, profile not yet
  ASSERT_TRUE(half.ok()) << half.status();
  ASSERT_EQ(half->user_id, id);
  EXPECT_FALSE(half->entry.profile.has_value());

  ASSERT_EQ(service_->GetProfileByNickname("alice")->user_id, id);  // fills the profile
  SetBioInDatabase(id, "behind the cache's back");
  StatusOr<CachedNickname> warm = cache_->GetByNickname("alice");
  ASSERT_TRUE(warm.ok()) << warm.status();
  ASSERT_TRUE(warm->entry.profile.has_value());
  EXPECT_EQ(warm->entry.profile->nickname, "alice");
  EXPECT_EQ(service_->GetProfileByNickname("alice")->bio, "") << "served from Redis";

  // An invalidation between the lookup and the fill voids the fill, as for GetProfile.
  ASSERT_TRUE(cache_->Invalidate(id, {}).ok());
  StatusOr<CachedNickname> after = cache_->GetByNickname("alice");
  ASSERT_TRUE(after.ok());
  ASSERT_FALSE(after->entry.profile.has_value());
  ASSERT_TRUE(cache_->Invalidate(id, {}).ok());
  ASSERT_TRUE(cache_->PutProfile(*repo_->FindById(id), after->entry.fill_token).ok());
  EXPECT_FALSE(cache_->GetProfile(id)->profile.has_value());
}

TEST_F(UsersProfileServiceIntegrationTest, FillThatRacedWithAnInvalidationIsDropped) {
  std::string id = Register("alice");
  StatusOr<CachedProfile> lookup = cache_->GetProfile(id);
  ASSERT_TRUE(lookup.ok()) << lookup.status();
  ASSERT_FALSE(lookup->profile.has_value());
  Profile stale = *repo_->FindById(id);

  // An update commits and invalidates between the reader's lookup and its fill.
  ASSERT_TRUE(cache_->Invalidate(id, {"alice"}).ok());
  ASSERT_TRUE(cache_->PutProfile(stale, lookup->fill_token).ok());
  EXPECT_FALSE(cache_->GetProfile(id)->profile.has_value()) << "the stale fill must not be stored";

  // A fill with a current token is stored.
  StatusOr<CachedProfile> again = cache_->GetProfile(id);
  ASSERT_TRUE(cache_->PutProfile(stale, again->fill_token).ok());
  StatusOr<CachedProfile> hit = cache_->GetProfile(id);
  ASSERT_TRUE(hit.ok() && hit->profile.has_value());
  EXPECT_EQ(*hit->profile, stale);
}

TEST_F(UsersProfileServiceIntegrationTest, BatchGetUsesMgetAndLeavesUnknownIdsOut) {
  std::string a = Register("alice");
  std::string b = Register("bob");
  std::string c = Register("carol");
  StatusOr<std::vector<Profile>> first = service_->BatchGetProfiles({a, NewUuid(), b, "not-a-uuid", a});
  ASSERT_TRUE(first.ok()) << first.status();
  std::set<std::string> ids;
  for (const auto& p : *first) ids.insert(p.user_id);
  EXPECT_EQ(first->size(), 2u);
  EXPECT_EQ(ids, (std::set<std::string>{a, b}));

  // a and b are cached now; c is not.
  SetBioInDatabase(a, "changed a");
  SetBioInDatabase(c, "changed c");
  StatusOr<std::vector<Profile>> second = service_->BatchGetProfiles({a, c});
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->size(), 2u);
  for (const auto& p : *second) {
    if (p.user_id == a) {
      EXPECT_EQ(p.bio, "") << "a comes from the cache";
    } else {
      EXPECT_EQ(p.bio, "changed c") << "c comes from the database";
    }
  }
}

TEST_F(UsersProfileServiceIntegrationTest, RedisDownDegradesToTheDatabase) {
  std::string id = Register("alice");
  RedisSettings nowhere = RedisSettings::FromEnv();
  nowhere.port = 1;  // nothing listens there
  redis::ClientOptions options = redis::ClientOptions::FromSettings(nowhere);
  options.connect_timeout = std::chrono::milliseconds(200);
  LazyRedisClient down(nowhere, options);
  RedisProfileCache dead_cache(down, RedisProfileCacheOptions{prefix_});
  ProfileService degraded(*repo_, dead_cache, clock_);

  ASSERT_TRUE(degraded.GetProfile(id).ok());
  ASSERT_TRUE(degraded.GetProfileByNickname("alice").ok());
  ProfileChanges c;
  c.bio = "written while Redis was away";
  StatusOr<Profile> updated = degraded.UpdateProfile(id, c);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(degraded.GetProfile(id)->bio, "written while Redis was away");
  EXPECT_EQ(degraded.BatchGetProfiles({id})->size(), 1u);
  EXPECT_EQ(degraded.SearchUsers("ali", 10)->size(), 1u);
}

TEST_F(UsersProfileServiceIntegrationTest, ReplayedRegistrationThroughTheHandlerChangesNothing) {
  std::string id = NewUuid();
  ASSERT_TRUE(service_->ReserveNickname("Alice", id).ok());
  RegistrationHandler handler(*repo_, clock_);
  UserRegistration event{NewUuid(), id, "Alice"};
  ASSERT_TRUE(handler.Handle(event).ok());
  ASSERT_TRUE(handler.Handle(event).ok());
  ProfileChanges c;
  c.bio = "hello";
  ASSERT_TRUE(service_->UpdateProfile(id, c).ok());
  Profile before = *repo_->FindById(id);

  clock_.Advance(seconds(5));
  ASSERT_TRUE(handler.Handle(event).ok());
  EXPECT_EQ(*repo_->FindById(id), before);
  StatusOr<std::vector<Profile>> all = service_->SearchUsers("alice", 100);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 1u);
}

TEST_F(UsersProfileServiceIntegrationTest, ExpiredReservationTakenMeanwhileGivesAFallbackNickname) {
  std::string late = NewUuid();
  ASSERT_TRUE(service_->ReserveNickname("alice", late).ok());
  clock_.Advance(seconds(86401));
  std::string early = Register("ALICE");
  RegistrationHandler handler(*repo_, clock_);
  ASSERT_TRUE(handler.Handle({NewUuid(), late, "alice"}).ok());
  StatusOr<Profile> p = service_->GetProfile(late);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_NE(LowerAscii(p->nickname), "alice");
  EXPECT_EQ(p->nickname.rfind("alice_", 0), 0u) << p->nickname;
  EXPECT_EQ(service_->GetProfileByNickname("alice")->user_id, early);
}

}  // namespace
}  // namespace messenger::users
