// Unit tests of the friendship rules, through FriendshipService, with in-memory fakes.
#include "friends/domain/friendship_service.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "messenger/common/testing/fake_clock.hpp"
#include "friends/tests/fake_presence.hpp"
#include "friends/tests/fake_user_directory.hpp"
#include "friends/tests/in_memory_friend_cache.hpp"
#include "friends/tests/in_memory_friendship_repository.hpp"

namespace messenger::friends {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using Kind = FriendEvent::Kind;

constexpr char kAlice[] = "aaaaaaaa-0000-4000-8000-000000000001";
constexpr char kBob[] = "bbbbbbbb-0000-4000-8000-000000000002";
constexpr char kCarol[] = "cccccccc-0000-4000-8000-000000000003";
constexpr char kDave[] = "dddddddd-0000-4000-8000-000000000004";

class FriendshipServiceTest : public ::testing::Test {
 protected:
  FriendshipServiceTest() {
    directory_.Add(kAlice, "alice");
    directory_.Add(kBob, "bob");
    directory_.Add(kCarol, "carol");
    directory_.Add(kDave, "dave");
  }

  std::vector<std::string> FriendIds(const std::string& user_id) {
    auto friends = service_.ListFriends(user_id);
    EXPECT_TRUE(friends.ok()) << friends.status();
    std::vector<std::string> ids;
    if (friends.ok()) {
      for (const FriendView& f : *friends) ids.push_back(f.user_id);
    }
    return ids;
  }
  std::vector<std::string> PendingIds(const std::string& user_id, Direction direction) {
    auto pending = service_.ListPending(user_id, direction);
    EXPECT_TRUE(pending.ok()) << pending.status();
    std::vector<std::string> ids;
    if (pending.ok()) {
      for (const PendingView& p : *pending) ids.push_back(p.user_id);
    }
    return ids;
  }
  bool Friends(const std::string& a, const std::string& b) {
    auto r = service_.AreFriends(a, {b});
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() && r->are_friends;
  }
  void MakeFriends(const std::string& a, const std::string& a_nick, const std::string& b_nick) {
    ASSERT_TRUE(service_.SendRequest(a, b_nick).ok());
    auto b = directory_.FindUserIdByNickname(b_nick);
    ASSERT_TRUE(b.ok());
    ASSERT_TRUE(service_.AcceptRequest(*b, a_nick).ok());
  }
  std::vector<Kind> EventKinds() {
    std::vector<Kind> kinds;
    for (const FriendEvent& e : repository_.EventsForTest()) kinds.push_back(e.kind);
    return kinds;
  }

  messenger::testing::FakeClock clock_;
  InMemoryFriendshipRepository repository_;
  InMemoryFriendCache cache_;
  FakeUserDirectory directory_;
  FakePresence presence_;
  FriendshipService service_{repository_, cache_, directory_, presence_, clock_};
};

TEST_F(FriendshipServiceTest, RequestIsPendingOnBothSidesAndPublishesOneEvent) {
  auto status = service_.SendRequest(kAlice, "bob");
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(*status, FriendshipStatus::kRequested);

  EXPECT_THAT(PendingIds(kBob, Direction::kIncoming), ElementsAre(kAlice));
  EXPECT_THAT(PendingIds(kAlice, Direction::kOutgoing), ElementsAre(kBob));
  EXPECT_THAT(PendingIds(kAlice, Direction::kIncoming), IsEmpty());
  EXPECT_THAT(PendingIds(kBob, Direction::kOutgoing), IsEmpty());
  EXPECT_FALSE(Friends(kAlice, kBob));

  auto incoming = service_.ListPending(kBob, Direction::kIncoming);
  ASSERT_TRUE(incoming.ok());
  EXPECT_EQ((*incoming)[0].nickname, "alice");
  EXPECT_EQ((*incoming)[0].status, FriendshipStatus::kRequested);
  EXPECT_EQ((*incoming)[0].created_at, clock_.Now());

  auto events = repository_.EventsForTest();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0], (FriendEvent{Kind::kRequestSent, kAlice, kBob, clock_.Now()}));
  EXPECT_EQ(events[0].PartitionKey(), kAlice);  // the lower ID of the pair
}

TEST_F(FriendshipServiceTest, NicknameLookupIsCaseInsensitive) {
  EXPECT_TRUE(service_.SendRequest(kAlice, "BoB").ok());
  EXPECT_THAT(PendingIds(kAlice, Direction::kOutgoing), ElementsAre(kBob));
}

TEST_F(FriendshipServiceTest, RequestToOneselfIsInvalid) {
  auto status = service_.SendRequest(kAlice, "alice");
  EXPECT_EQ(status.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(repository_.RowCountForTest(), 0u);
  EXPECT_THAT(EventKinds(), IsEmpty());
}

TEST_F(FriendshipServiceTest, UnknownNicknameIsNotFound) {
  using Call = StatusOr<FriendshipStatus> (FriendshipService::*)(const std::string&, const std::string&);
  for (Call call : {&FriendshipService::SendRequest, &FriendshipService::AcceptRequest,
                    &FriendshipService::RejectRequest, &FriendshipService::RemoveFriend}) {
    auto status = (service_.*call)(kAlice, "nobody");
    EXPECT_EQ(status.status().code(), StatusCode::kNotFound);
  }
  EXPECT_THAT(EventKinds(), IsEmpty());
}

TEST_F(FriendshipServiceTest, BadArgumentsAreInvalid) {
  EXPECT_EQ(service_.SendRequest("not-a-uuid", "bob").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(service_.SendRequest(kAlice, "").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(service_.SendRequest(kAlice, std::string(200, 'x')).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(service_.ListFriends("").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(service_.ListPending("x", Direction::kIncoming).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(service_.AreFriends("x", {kBob}).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(FriendshipServiceTest, DuplicateRequestIsAlreadyExists) {
  ASSERT_TRUE(service_.SendRequest(kAlice, "bob").ok());
  auto again = service_.SendRequest(kAlice, "bob");
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(again.status().reason(), "ALREADY_REQUESTED");
  EXPECT_THAT(EventKinds(), ElementsAre(Kind::kRequestSent));
}

TEST_F(FriendshipServiceTest, RequestToAFriendIsAlreadyExistsFromBothSides) {
  MakeFriends(kAlice, "alice", "bob");
  for (auto [from, to] : {std::pair{kAlice, "bob"}, std::pair{kBob, "alice"}}) {
    auto again = service_.SendRequest(from, to);
    EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
    EXPECT_EQ(again.status().reason(), "ALREADY_FRIENDS");
  }
  EXPECT_THAT(EventKinds(), ElementsAre(Kind::kRequestSent, Kind::kRequestAccepted));
}

TEST_F(FriendshipServiceTest, MutualRequestAcceptsTheFirstOne) {
  ASSERT_TRUE(service_.SendRequest(kAlice, "bob").ok());
  clock_.Advance(std::chrono::seconds(5));
  auto back = service_.SendRequest(kBob, "alice");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, FriendshipStatus::kAccepted);

  EXPECT_THAT(FriendIds(kAlice), ElementsAre(kBob));
  EXPECT_THAT(FriendIds(kBob), ElementsAre(kAlice));
  EXPECT_THAT(PendingIds(kAlice, Direction::kOutgoing), IsEmpty());
  EXPECT_THAT(PendingIds(kBob, Direction::kIncoming), IsEmpty());
  EXPECT_EQ(repository_.RowCountForTest(), 1u);
  auto events = repository_.EventsForTest();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1], (FriendEvent{Kind::kRequestAccepted, kBob, kAlice, clock_.Now()}));
}

TEST_F(FriendshipServiceTest, MutualRequestThatLosesTheInsertRaceAcceptsTheWinner) {
  // Bob's request finds no row, but Alice's request commits first: Bob's insert loses, and his request
  // then accepts hers, as if he had sent it a moment later.
  const UserPair pair = UserPair::Of(kAlice, kBob);
  repository_.SimulateConcurrentInsertForTest(
      Friendship{pair, kAlice, FriendshipStatus::kRequested, clock_.Now(), clock_.Now()});
  auto status = service_.SendRequest(kBob, "alice");
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(*status, FriendshipStatus::kAccepted);

  auto row = repository_.RowForTest(pair);
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->status, FriendshipStatus::kAccepted);
  EXPECT_EQ(row->requester_id, kAlice);
  EXPECT_THAT(EventKinds(), ElementsAre(Kind::kRequestSent, Kind::kRequestAccepted));
}

TEST_F(FriendshipServiceTest, OnlyTheReceiverMayAccept) {
  ASSERT_TRUE(service_.SendRequest(kAlice, "bob").ok());
  auto own = service_.AcceptRequest(kAlice, "bob");
  EXPECT_EQ(own.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(own.status().reason(), "REQUEST_NOT_FOUND");
  auto stranger = service_.AcceptRequest(kCarol, "alice");
  EXPECT_EQ(stranger.status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(Friends(kAlice, kBob));

  clock_.Advance(std::chrono::minutes(3));
  auto accepted = service_.AcceptRequest(kBob, "alice");
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  EXPECT_EQ(*accepted, FriendshipStatus::kAccepted);
  EXPECT_TRUE(Friends(kAlice, kBob));
  EXPECT_TRUE(Friends(kBob, kAlice));

  auto list = service_.ListFriends(kAlice);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].nickname, "bob");
  EXPECT_EQ((*list)[0].since, clock_.Now());  // the moment it was accepted
  EXPECT_THAT(EventKinds(), ElementsAre(Kind::kRequestSent, Kind::kRequestAccepted));
}

TEST_F(FriendshipServiceTest, AcceptWithoutRequestOrTwiceIsNotFound) {
  EXPECT_EQ(service_.AcceptRequest(kBob, "alice").status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(service_.SendRequest(kAlice, "bob").ok());
  ASSERT_TRUE(service_.AcceptRequest(kBob, "alice").ok());
  auto twice = service_.AcceptRequest(kBob, "alice");
  EXPECT_EQ(twice.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(EventKinds(), ElementsAre(Kind::kRequestSent, Kind::kRequestAccepted));
}

TEST_F(FriendshipServiceTest, AcceptOrRemoveOneselfIsNotFound) {
  EXPECT_EQ(service_.AcceptRequest(kAlice, "alice").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(service_.RejectRequest(kAlice, "alice").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(service_.RemoveFriend(kAlice, "alice").status().code(), StatusCode::kNotFound);
}

TEST_F(FriendshipServiceTest, OnlyTheReceiverMayReject) {
  ASSERT_TRUE(service_.SendRequest(kAlice, "bob").ok());
  EXPECT_EQ(service_.RejectRequest(kAlice, "bob").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(service_.RejectRequest(kCarol, "alice").status().code(), StatusCode::kNotFound);

  auto rejected = service_.RejectRequest(kBob, "alice");
  ASSERT_TRUE(rejected.ok()) << rejected.status();
  EXPECT_EQ(*rejected, FriendshipStatus::kRejected);
  EXPECT_THAT(PendingIds(kBob, Direction::kIncoming), IsEmpty());
  EXPECT_THAT(PendingIds(kAlice, Direction::kOutgoing), IsEmpty());
  EXPECT_FALSE(Friends(kAlice, kBob));
  // A rejected request can no longer be accepted or rejected.
  EXPECT_EQ(service_.AcceptRequest(kBob, "alice").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(service_.RejectRequest(kBob, "alice").status().code(), StatusCode::kNotFound);

  auto events = repository_.EventsForTest();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1], (FriendEvent{Kind::kRequestRejected, kBob, kAlice, clock_.Now()}));
}

TEST_F(FriendshipServiceTest, SenderMayAskAgainAfterRejection) {
  ASSERT_TRUE(service_.SendRequest(kAlice, "bob").ok());
  ASSERT_TRUE(service_.RejectRequest(kBob, "alice").ok());
  clock_.Advance(std::chrono::hours(1));

  auto again = service_.SendRequest(kAlice, "bob");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, FriendshipStatus::kRequested);
  auto incoming = service_.ListPending(kBob, Direction::kIncoming);
  ASSERT_TRUE(incoming.ok());
  ASSERT_EQ(incoming->size(), 1u);
  EXPECT_EQ((*incoming)[0].user_id, kAlice);
  EXPECT_EQ((*incoming)[0].created_at, clock_.Now());  // a new request, not the old one
  EXPECT_EQ(repository_.RowCountForTest(), 1u);

  ASSERT_TRUE(service_.AcceptRequest(kBob, "alice").ok());
  EXPECT_TRUE(Friends(kAlice, kBob));
  EXPECT_THAT(EventKinds(), ElementsAre(Kind::kRequestSent, Kind::kRequestRejected, Kind::kRequestSent,
                                        Kind::kRequestAccepted));
}

TEST_F(FriendshipServiceTest, RejecterMayAskAfterRejectingAndBecomesTheRequester) {
  ASSERT_TRUE(service_.SendRequest(kAlice, "bob").ok());
  ASSERT_TRUE(service_.RejectRequest(kBob, "alice").ok());
  auto back = service_.SendRequest(kBob, "alice");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, FriendshipStatus::kRequested);
  EXPECT_THAT(PendingIds(kAlice, Direction::kIncoming), ElementsAre(kBob));
  auto row = repository_.RowForTest(UserPair::Of(kAlice, kBob));
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->requester_id, kBob);
  // Now only Alice can accept.
  EXPECT_EQ(service_.AcceptRequest(kBob, "alice").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(service_.AcceptRequest(kAlice, "bob").ok());
}

TEST_F(FriendshipServiceTest, RejectAfterAcceptIsNotFound) {
  MakeFriends(kAlice, "alice", "bob");
  EXPECT_EQ(service_.RejectRequest(kBob, "alice").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(Friends(kAlice, kBob));
}

TEST_F(FriendshipServiceTest, RemoveIsSeenFromBothSides) {
  MakeFriends(kAlice, "alice", "bob");
  ASSERT_TRUE(Friends(kBob, kAlice));  // warms Bob's cached set
  ASSERT_THAT(FriendIds(kBob), ElementsAre(kAlice));

  auto removed = service_.RemoveFriend(kAlice, "bob");
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_EQ(*removed, FriendshipStatus::kRemoved);
  EXPECT_THAT(FriendIds(kAlice), IsEmpty());
  EXPECT_THAT(FriendIds(kBob), IsEmpty());
  EXPECT_FALSE(Friends(kAlice, kBob));
  EXPECT_FALSE(Friends(kBob, kAlice));
  EXPECT_EQ(repository_.RowCountForTest(), 0u);

  auto events = repository_.EventsForTest();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[2], (FriendEvent{Kind::kRemoved, kAlice, kBob, clock_.Now()}));

  auto twice = service_.RemoveFriend(kBob, "alice");
  EXPECT_EQ(twice.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(twice.status().reason(), "NOT_FRIENDS");
  // They may start over.
  EXPECT_EQ(*service_.SendRequest(kBob, "alice"), FriendshipStatus::kRequested);
}

TEST_F(FriendshipServiceTest, RemoveNonFriendIsNotFound) {
  EXPECT_EQ(service_.RemoveFriend(kAlice, "bob").status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(service_.SendRequest(kAlice, "bob").ok());
  auto pending = service_.RemoveFriend(kAlice, "bob");
  EXPECT_EQ(pending.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(pending.status().reason(), "NOT_FRIENDS");
  EXPECT_THAT(PendingIds(kBob, Direction::kIncoming), ElementsAre(kAlice));
}

TEST_F(FriendshipServiceTest, FriendListHasNicknamesPresenceAndOneDirectoryCall) {
  MakeFriends(kAlice, "alice", "dave");
  MakeFriends(kAlice, "alice", "bob");
  MakeFriends(kCarol, "carol", "alice");
  presence_.SetOnline(kBob, true);
  const int calls_before = directory_.BatchCallsForTest();

  auto list = service_.ListFriends(kAlice);
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].nickname, "bob");
  EXPECT_TRUE((*list)[0].online);
  EXPECT_EQ((*list)[1].nickname, "carol");
  EXPECT_FALSE((*list)[1].online);
  EXPECT_EQ((*list)[2].nickname, "dave");
  EXPECT_EQ(directory_.BatchCallsForTest(), calls_before + 1);
}

TEST_F(FriendshipServiceTest, PresenceDownShowsFriendsOffline) {
  MakeFriends(kAlice, "alice", "bob");
  presence_.SetOnline(kBob, true);
  presence_.SetAvailableForTest(false);
  auto list = service_.ListFriends(kAlice);
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->size(), 1u);
  EXPECT_FALSE((*list)[0].online);
}

TEST_F(FriendshipServiceTest, DirectoryDownFailsTheListRatherThanHidingNames) {
  MakeFriends(kAlice, "alice", "bob");
  directory_.SetAvailableForTest(false);
  EXPECT_EQ(service_.ListFriends(kAlice).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(service_.SendRequest(kAlice, "carol").status().code(), StatusCode::kUnavailable);
}

TEST_F(FriendshipServiceTest, PendingListsAreNewestFirst) {
  ASSERT_TRUE(service_.SendRequest(kBob, "alice").ok());
  clock_.Advance(std::chrono::seconds(1));
  ASSERT_TRUE(service_.SendRequest(kCarol, "alice").ok());
  clock_.Advance(std::chrono::seconds(1));
  ASSERT_TRUE(service_.SendRequest(kAlice, "dave").ok());
  EXPECT_THAT(PendingIds(kAlice, Direction::kIncoming), ElementsAre(kCarol, kBob));
  EXPECT_THAT(PendingIds(kAlice, Direction::kOutgoing), ElementsAre(kDave));
}

TEST_F(FriendshipServiceTest, AreFriendsReportsTheOnesThatAreNot) {
  MakeFriends(kAlice, "alice", "bob");
  MakeFriends(kAlice, "alice", "carol");

  auto all = service_.AreFriends(kAlice, {kBob, kCarol});
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->are_friends);
  EXPECT_THAT(all->not_friends, IsEmpty());

  auto some = service_.AreFriends(kAlice, {kDave, kBob, kAlice, kDave});
  ASSERT_TRUE(some.ok());
  EXPECT_FALSE(some->are_friends);
  EXPECT_THAT(some->not_friends, ElementsAre(kDave, kAlice));  // nobody is their own friend

  auto none = service_.AreFriends(kAlice, {});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->are_friends);

  std::vector<std::string> too_many(kMaxAreFriendsIds + 1, kBob);
  EXPECT_EQ(service_.AreFriends(kAlice, too_many).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(FriendshipServiceTest, UppercaseIdsMeanTheSameUsers) {
  MakeFriends(kAlice, "alice", "bob");
  std::string upper_bob = kBob;
  for (char& c : upper_bob) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto r = service_.AreFriends(kAlice, {upper_bob});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->are_friends);
  EXPECT_THAT(FriendIds(upper_bob), ElementsAre(kAlice));
}

TEST_F(FriendshipServiceTest, AreFriendsIsServedFromTheCacheAndRightAfterAChange) {
  MakeFriends(kAlice, "alice", "bob");
  ASSERT_TRUE(Friends(kAlice, kBob));
  const int loads = repository_.ListFriendsCallsForTest();
  ASSERT_TRUE(Friends(kAlice, kBob));
  ASSERT_FALSE(Friends(kAlice, kCarol));
  EXPECT_EQ(repository_.ListFriendsCallsForTest(), loads);  // both answered from the cache

  MakeFriends(kCarol, "carol", "alice");
  EXPECT_TRUE(Friends(kAlice, kCarol));
  ASSERT_TRUE(service_.RemoveFriend(kBob, "alice").ok());
  EXPECT_FALSE(Friends(kAlice, kBob));
}

TEST_F(FriendshipServiceTest, ListsAreCachedAndInvalidatedByChanges) {
  MakeFriends(kAlice, "alice", "bob");
  ASSERT_THAT(FriendIds(kAlice), ElementsAre(kBob));
  ASSERT_THAT(PendingIds(kAlice, Direction::kIncoming), IsEmpty());
  const int friend_loads = repository_.ListFriendsCallsForTest();
  const int pending_loads = repository_.ListPendingCallsForTest();
  ASSERT_THAT(FriendIds(kAlice), ElementsAre(kBob));
  ASSERT_THAT(PendingIds(kAlice, Direction::kIncoming), IsEmpty());
  EXPECT_EQ(repository_.ListFriendsCallsForTest(), friend_loads);
  EXPECT_EQ(repository_.ListPendingCallsForTest(), pending_loads);

  ASSERT_TRUE(service_.SendRequest(kCarol, "alice").ok());
  EXPECT_THAT(PendingIds(kAlice, Direction::kIncoming), ElementsAre(kCarol));
  ASSERT_TRUE(service_.AcceptRequest(kAlice, "carol").ok());
  EXPECT_THAT(FriendIds(kAlice), ElementsAre(kBob, kCarol));
  EXPECT_THAT(PendingIds(kAlice, Direction::kIncoming), IsEmpty());
}

TEST_F(FriendshipServiceTest, CacheDownDegradesToTheRepository) {
  cache_.SetAvailableForTest(false);
  MakeFriends(kAlice, "alice", "bob");
  EXPECT_TRUE(Friends(kAlice, kBob));
  EXPECT_THAT(FriendIds(kBob), ElementsAre(kAlice));
  ASSERT_TRUE(service_.SendRequest(kCarol, "alice").ok());
  EXPECT_THAT(PendingIds(kAlice, Direction::kIncoming), ElementsAre(kCarol));
  ASSERT_TRUE(service_.RemoveFriend(kBob, "alice").ok());
  EXPECT_FALSE(Friends(kAlice, kBob));
}

TEST_F(FriendshipServiceTest, RepositoryFailureIsReturnedAndChangesNothing) {
  repository_.SetFailureForTest(UnavailableError("database down"));
  EXPECT_EQ(service_.SendRequest(kAlice, "bob").status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(service_.ListFriends(kAlice).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(service_.AreFriends(kAlice, {kBob}).status().code(), StatusCode::kUnavailable);
  repository_.SetFailureForTest(OkStatus());
  EXPECT_THAT(EventKinds(), IsEmpty());
  EXPECT_EQ(repository_.RowCountForTest(), 0u);
}

}  // namespace
}  // namespace messenger::friends
