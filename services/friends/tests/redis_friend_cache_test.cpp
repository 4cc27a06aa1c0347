// RedisFriendCache and RedisPresence against the real Redis, each test under its own key prefix.
#include "friends/storage/redis_friend_cache.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "friends/storage/redis_presence.hpp"
#include "friends/tests/integration_support.hpp"

namespace messenger::friends {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using namespace std::chrono_literals;

class RedisFriendCacheTest : public ::testing::Test {
 protected:
  RedisFriendCacheTest() : cache_(redis_.connection(), Options()) {}
  RedisFriendCacheOptions Options() {
    RedisFriendCacheOptions options;
    options.prefix = redis_.prefix();
    options.ttl = 60s;
    return options;
  }

  testing::TestRedis redis_;
  RedisFriendCache cache_;
  const std::string me_ = NewUuid();
  const std::string a_ = NewUuid();
  const std::string b_ = NewUuid();
  const TimePoint t1_ = FromUnixMillis(1'800'000'000'123);
  const TimePoint t2_ = FromUnixMillis(1'800'000'111'456);
};

TEST_F(RedisFriendCacheTest, FriendListRoundTripsAndAnEmptyListIsCachedToo) {
  auto miss = cache_.GetFriends(me_);
  ASSERT_TRUE(miss.ok()) << miss.status();
  EXPECT_FALSE(miss->value.has_value());
  ASSERT_TRUE(cache_.StoreFriends(me_, {{a_, t1_}, {b_, t2_}}, miss->fill_token).ok());
  auto hit = cache_.GetFriends(me_);
  ASSERT_TRUE(hit.ok());
  ASSERT_TRUE(hit->value.has_value());
  EXPECT_THAT(*hit->value, ElementsAre(FriendRecord{a_, t1_}, FriendRecord{b_, t2_}));

  auto other = cache_.GetFriends(a_);
  ASSERT_TRUE(cache_.StoreFriends(a_, {}, other->fill_token).ok());
  auto empty = cache_.GetFriends(a_);
  ASSERT_TRUE(empty.ok());
  ASSERT_TRUE(empty->value.has_value());
  EXPECT_THAT(*empty->value, IsEmpty());
  auto ttl = redis_.client().PttlMillis(cache_.ListKey(a_));
  ASSERT_TRUE(ttl.ok());
  EXPECT_GT(*ttl, 0);
  EXPECT_LE(*ttl, 60'000);
}

TEST_F(RedisFriendCacheTest, PendingListsAreSeparatePerDirection) {
  auto in = cache_.GetPending(me_, Direction::kIncoming);
  ASSERT_TRUE(in.ok());
  ASSERT_TRUE(cache_.StorePending(me_, Direction::kIncoming, {{a_, t1_}}, in->fill_token).ok());
  auto out = cache_.GetPending(me_, Direction::kOutgoing);
  ASSERT_TRUE(out.ok());
  EXPECT_FALSE(out->value.has_value());
  auto hit = cache_.GetPending(me_, Direction::kIncoming);
  ASSERT_TRUE(hit.ok() && hit->value.has_value());
  EXPECT_THAT(*hit->value, ElementsAre(PendingRecord{a_, t1_}));
}

TEST_F(RedisFriendCacheTest, FriendSetAnswersMembershipIncludingForNoFriends) {
  auto miss = cache_.CheckFriends(me_, {a_});
  ASSERT_TRUE(miss.ok()) << miss.status();
  EXPECT_FALSE(miss->value.has_value());
  ASSERT_TRUE(cache_.StoreFriendIds(me_, {a_}, miss->fill_token).ok());
  auto hit = cache_.CheckFriends(me_, {b_, a_, "-"});
  ASSERT_TRUE(hit.ok() && hit->value.has_value());
  EXPECT_THAT(*hit->value, ElementsAre(false, true, false));  // the sentinel is nobody's friend

  auto lonely = cache_.CheckFriends(b_, {a_});
  ASSERT_TRUE(cache_.StoreFriendIds(b_, {}, lonely->fill_token).ok());
  auto none = cache_.CheckFriends(b_, {a_});
  ASSERT_TRUE(none.ok() && none->value.has_value());
  EXPECT_THAT(*none->value, ElementsAre(false));
}

TEST_F(RedisFriendCacheTest, LargeFriendSetIsStoredWhole) {
  std::vector<std::string> many;
  for (int i = 0; i < 5000; ++i) many.push_back(NewUuid());
  auto miss = cache_.CheckFriends(me_, {a_});
  ASSERT_TRUE(cache_.StoreFriendIds(me_, many, miss->fill_token).ok());
  auto hit = cache_.CheckFriends(me_, {many.front(), many[2500], many.back(), a_});
  ASSERT_TRUE(hit.ok() && hit->value.has_value()) << hit.status();
  EXPECT_THAT(*hit->value, ElementsAre(true, true, true, false));
}

TEST_F(RedisFriendCacheTest, InvalidateDropsEveryEntryOfBothUsers) {
  auto f = cache_.GetFriends(me_);
  ASSERT_TRUE(cache_.StoreFriends(me_, {{a_, t1_}}, f->fill_token).ok());
  auto p = cache_.GetPending(a_, Direction::kOutgoing);
  ASSERT_TRUE(cache_.StorePending(a_, Direction::kOutgoing, {}, p->fill_token).ok());
  auto s = cache_.CheckFriends(a_, {me_});
  ASSERT_TRUE(cache_.StoreFriendIds(a_, {me_}, s->fill_token).ok());

  ASSERT_TRUE(cache_.Invalidate({me_, a_}).ok());
  EXPECT_FALSE(cache_.GetFriends(me_)->value.has_value());
  EXPECT_FALSE(cache_.GetPending(a_, Direction::kOutgoing)->value.has_value());
  EXPECT_FALSE(cache_.CheckFriends(a_, {me_})->value.has_value());
}

TEST_F(RedisFriendCacheTest, FillStartedBeforeAnInvalidationIsDropped) {
  // A reader misses and loads from the database; meanwhile a change commits and invalidates; the reader's
  // (stale) fill must not land.
  auto list = cache_.GetFriends(me_);
  auto set = cache_.CheckFriends(me_, {a_});
  auto pending = cache_.GetPending(me_, Direction::kIncoming);
  ASSERT_TRUE(list.ok() && set.ok() && pending.ok());

  ASSERT_TRUE(cache_.Invalidate({me_, a_}).ok());

  ASSERT_TRUE(cache_.StoreFriends(me_, {{a_, t1_}}, list->fill_token).ok());
  ASSERT_TRUE(cache_.StoreFriendIds(me_, {a_}, set->fill_token).ok());
  ASSERT_TRUE(cache_.StorePending(me_, Direction::kIncoming, {{b_, t1_}}, pending->fill_token).ok());
  auto after = cache_.GetFriends(me_);
  EXPECT_FALSE(after->value.has_value());
  EXPECT_FALSE(cache_.CheckFriends(me_, {a_})->value.has_value());
  EXPECT_FALSE(cache_.GetPending(me_, Direction::kIncoming)->value.has_value());

  // A fill with the token read after the invalidation lands.
  ASSERT_TRUE(cache_.StoreFriends(me_, {}, after->fill_token).ok());
  EXPECT_TRUE(cache_.GetFriends(me_)->value.has_value());
}

TEST_F(RedisFriendCacheTest, InvalidatingOneUserLeavesOthersAlone) {
  auto mine = cache_.GetFriends(me_);
  auto theirs = cache_.GetFriends(b_);
  ASSERT_TRUE(cache_.Invalidate({a_}).ok());
  ASSERT_TRUE(cache_.StoreFriends(me_, {}, mine->fill_token).ok());
  ASSERT_TRUE(cache_.StoreFriends(b_, {}, theirs->fill_token).ok());
  EXPECT_TRUE(cache_.GetFriends(me_)->value.has_value());
  EXPECT_TRUE(cache_.GetFriends(b_)->value.has_value());
}

TEST_F(RedisFriendCacheTest, MalformedEntryIsAnErrorNotAWrongAnswer) {
  ASSERT_TRUE(redis_.client().Set(cache_.ListKey(me_), "garbage-without-time").ok());
  EXPECT_FALSE(cache_.GetFriends(me_).ok());
}

TEST(RedisPresenceTest, KeyThatExistsMeansOnlineInOneRoundTrip) {
  testing::TestRedis redis;
  RedisPresence presence(redis.connection(), redis.prefix() + "presence:");
  const std::string on = NewUuid(), off = NewUuid(), empty_value = NewUuid();
  ASSERT_TRUE(redis.client().Set(redis.prefix() + "presence:" + on, "gw-1", 30s).ok());
  ASSERT_TRUE(redis.client().Set(redis.prefix() + "presence:" + empty_value, "").ok());
  auto online = presence.AreOnline({off, on, empty_value});
  ASSERT_TRUE(online.ok()) << online.status();
  EXPECT_THAT(*online, ElementsAre(false, true, true));
  auto none = presence.AreOnline({});
  ASSERT_TRUE(none.ok());
  EXPECT_THAT(*none, IsEmpty());
}

}  // namespace
}  // namespace messenger::friends
