#include "users/domain/registration_handler.hpp"

#include <gtest/gtest.h>

#include <regex>

#include "messenger/common/testing/fake_clock.hpp"
#include "in_memory_profile_cache.hpp"
#include "in_memory_profile_repository.hpp"
#include "users/domain/profile_service.hpp"

namespace messenger::users {
namespace {

using std::chrono::seconds;

const std::regex kNicknamePattern("^[A-Za-z0-9_]{3,32}$");

class UsersRegistrationHandlerTest : public ::testing::Test {
 protected:
  UsersRegistrationHandlerTest() : service_(repo_, cache_, clock_, Options()), handler_(repo_, clock_) {}

  static ProfileServiceOptions Options() {
    ProfileServiceOptions o;
    o.reservation_ttl = seconds(3600);
    return o;
  }

  messenger::testing::FakeClock clock_;
  InMemoryProfileRepository repo_;
  InMemoryProfileCache cache_;
  ProfileService service_;
  RegistrationHandler handler_;
};

TEST_F(UsersRegistrationHandlerTest, CreatesTheProfileAndOwnsTheNickname) {
  std::string id = NewUuid();
  ASSERT_TRUE(service_.ReserveNickname("Alice", id).ok());
  ASSERT_TRUE(handler_.Handle({NewUuid(), id, "Alice"}).ok());

  StatusOr<Profile> p = service_.GetProfile(id);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->nickname, "Alice");
  EXPECT_EQ(p->bio, "");
  auto row = repo_.NicknameRowForTest("alice");
  ASSERT_TRUE(row.has_value());
  EXPECT_TRUE(row->owned);
  EXPECT_FALSE(row->expires_at.has_value());
  // Owned: the reservation's expiry no longer matters, and the owner cannot release it.
  clock_.Advance(seconds(7200));
  EXPECT_EQ(service_.ReserveNickname("alice", NewUuid()).status().reason(), kReasonNicknameTaken);
}

TEST_F(UsersRegistrationHandlerTest, ReplayedEventChangesNothing) {
  std::string id = NewUuid();
  ASSERT_TRUE(service_.ReserveNickname("alice", id).ok());
  UserRegistration event{NewUuid(), id, "alice"};
  ASSERT_TRUE(handler_.Handle(event).ok());
  ProfileChanges bio;
  bio.bio = "set after registration";
  ASSERT_TRUE(service_.UpdateProfile(id, bio).ok());
  Profile before = *service_.GetProfile(id);

  ASSERT_TRUE(handler_.Handle(event).ok());
  EXPECT_EQ(*repo_.FindById(id), before);
  EXPECT_EQ(repo_.ProfileCountForTest(), 1u);
}

TEST_F(UsersRegistrationHandlerTest, ReplayAfterRenameDoesNotRetakeTheOldNickname) {
  std::string id = NewUuid();
  ASSERT_TRUE(service_.ReserveNickname("alice", id).ok());
  UserRegistration event{NewUuid(), id, "alice"};
  ASSERT_TRUE(handler_.Handle(event).ok());
  ProfileChanges rename;
  rename.nickname = "alicia";
  ASSERT_TRUE(service_.UpdateProfile(id, rename).ok());

  ASSERT_TRUE(handler_.Handle(event).ok());
  EXPECT_EQ(repo_.FindById(id)->nickname, "alicia");
  EXPECT_FALSE(repo_.NicknameRowForTest("alice").has_value()) << "the old nickname must stay free";
  EXPECT_TRUE(service_.ReserveNickname("alice", NewUuid()).ok());
}

TEST_F(UsersRegistrationHandlerTest, ExpiredReservationThatIsStillFreeIsUsed) {
  std::string id = NewUuid();
  ASSERT_TRUE(service_.ReserveNickname("alice", id).ok());
  clock_.Advance(seconds(3601));
  ASSERT_TRUE(handler_.Handle({NewUuid(), id, "alice"}).ok());
  EXPECT_EQ(repo_.FindById(id)->nickname, "alice");
}

TEST_F(UsersRegistrationHandlerTest, NicknameTakenMeanwhileGivesAFallback) {
  std::string late = NewUuid();
  ASSERT_TRUE(service_.ReserveNickname("alice", late).ok());
  clock_.Advance(seconds(3601));  // the reservation lapses before the event arrives
  std::string early = NewUuid();
  ASSERT_TRUE(service_.ReserveNickname("ALICE", early).ok());
  ASSERT_TRUE(handler_.Handle({NewUuid(), early, "ALICE"}).ok());

  ASSERT_TRUE(handler_.Handle({NewUuid(), late, "alice"}).ok());
  StatusOr<Profile> p = repo_.FindById(late);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(std::regex_match(p->nickname, std::regex("^alice_[0-9]{4}$"))) << p->nickname;
  EXPECT_EQ(repo_.FindById(early)->nickname, "ALICE");
  EXPECT_EQ(service_.GetProfileByNickname(p->nickname)->user_id, late);
}

TEST_F(UsersRegistrationHandlerTest, FallbackOfALongNicknameStaysValid) {
  std::string name(32, 'z');
  ASSERT_TRUE(service_.ReserveNickname(name, NewUuid()).ok());  // someone else holds it
  std::string id = NewUuid();
  ASSERT_TRUE(handler_.Handle({NewUuid(), id, name}).ok());
  std::string got = repo_.FindById(id)->nickname;
  EXPECT_TRUE(std::regex_match(got, kNicknamePattern)) << got;
  EXPECT_EQ(got.size(), 32u);
  EXPECT_EQ(got.substr(0, 27), std::string(27, 'z'));
}

TEST_F(UsersRegistrationHandlerTest, CrowdedFallbacksMoveOnToLongerSuffixes) {
  RegistrationHandler zeros(repo_, clock_, [] { return std::uint64_t{0}; });
  ASSERT_TRUE(service_.ReserveNickname("alice", NewUuid()).ok());
  ASSERT_TRUE(service_.ReserveNickname("alice_0000", NewUuid()).ok());
  std::string id = NewUuid();
  ASSERT_TRUE(zeros.Handle({NewUuid(), id, "alice"}).ok());
  EXPECT_EQ(repo_.FindById(id)->nickname, "alice_000000");
}

TEST_F(UsersRegistrationHandlerTest, MalformedEventIsRejectedPermanently) {
  EXPECT_EQ(handler_.Handle({NewUuid(), "not-a-uuid", "alice"}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(repo_.ProfileCountForTest(), 0u);
}

TEST_F(UsersRegistrationHandlerTest, InvalidNicknameInEventStillCreatesAProfile) {
  std::string id = NewUuid();
  ASSERT_TRUE(handler_.Handle({NewUuid(), id, "bad nick"}).ok());
  std::string got = repo_.FindById(id)->nickname;
  EXPECT_TRUE(std::regex_match(got, std::regex("^user_[0-9]{4}$"))) << got;
}

}  // namespace
}  // namespace messenger::users
