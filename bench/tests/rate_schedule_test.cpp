#include "loadgen/rate_schedule.hpp"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

namespace messenger::bench {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

TEST(RateSchedule, HoldsRateTimesDurationRequests) {
  const Clock::time_point t0{};
  EXPECT_EQ(RateSchedule(t0, 1000, seconds(3)).total(), 3000u);
  EXPECT_EQ(RateSchedule(t0, 250, milliseconds(1500)).total(), 375u);
  EXPECT_EQ(RateSchedule(t0, 3, milliseconds(999)).total(), 2u);
}

TEST(RateSchedule, IntendedStartsAreEvenlySpacedWithoutDrift) {
  const Clock::time_point t0 = Clock::now();
  const RateSchedule schedule(t0, 3000, seconds(10));
  EXPECT_EQ(schedule.IntendedStart(0), t0);
  // 1/3000 s is not a whole number of nanoseconds; the millionth slot must still be exact to the ns.
  EXPECT_EQ(schedule.IntendedStart(3), t0 + milliseconds(1));
  EXPECT_EQ(schedule.IntendedStart(29'999) - t0, nanoseconds(9'999'666'666));
  for (uint64_t i = 1; i < schedule.total(); ++i) {
    const auto gap = schedule.IntendedStart(i) - schedule.IntendedStart(i - 1);
    ASSERT_GE(gap, nanoseconds(333'333));
    ASSERT_LE(gap, nanoseconds(333'334));
  }
  EXPECT_LT(schedule.IntendedStart(schedule.total() - 1), schedule.end());
}

TEST(RateSchedule, FractionalRates) {
  const Clock::time_point t0{};
  const RateSchedule schedule(t0, 0.5, seconds(10));
  EXPECT_EQ(schedule.total(), 5u);
  EXPECT_EQ(schedule.IntendedStart(4) - t0, seconds(8));
}

TEST(SlotDispenser, HandsOutEverySlotExactlyOnceAcrossThreads) {
  const RateSchedule schedule(Clock::now(), 100'000, milliseconds(500));
  SlotDispenser dispenser(schedule);
  std::vector<std::vector<uint64_t>> taken(4);
  std::vector<std::thread> threads;
  for (auto& mine : taken) {
    threads.emplace_back([&dispenser, &mine] {
      while (auto slot = dispenser.Next()) mine.push_back(*slot);
    });
  }
  for (auto& t : threads) t.join();
  std::set<uint64_t> all;
  std::size_t n = 0;
  for (const auto& mine : taken) {
    n += mine.size();
    all.insert(mine.begin(), mine.end());
    // Each taker sees its slots in increasing order: slots go out in schedule order.
    for (std::size_t i = 1; i < mine.size(); ++i) ASSERT_LT(mine[i - 1], mine[i]);
  }
  EXPECT_EQ(n, schedule.total());
  EXPECT_EQ(all.size(), schedule.total());
  EXPECT_EQ(*all.rbegin(), schedule.total() - 1);
  EXPECT_EQ(dispenser.handed_out(), schedule.total());
  EXPECT_FALSE(dispenser.Next().has_value());
}

TEST(StartedLate, ComparesAgainstTolerance) {
  const Clock::time_point intended = Clock::now();
  EXPECT_FALSE(StartedLate(intended, intended, milliseconds(2)));
  EXPECT_FALSE(StartedLate(intended, intended + milliseconds(2), milliseconds(2)));
  EXPECT_TRUE(StartedLate(intended, intended + milliseconds(2) + nanoseconds(1), milliseconds(2)));
  EXPECT_FALSE(StartedLate(intended, intended - milliseconds(5), milliseconds(2)));
}

}  // namespace
}  // namespace messenger::bench
