#include "loadgen/histogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace messenger::bench {
namespace {

// The histogram promises every value back within 1/1024 of itself (three significant digits).
constexpr double kRelativePrecision = 1.0 / 1024;

// The exact percentile of a sorted sample, with the histogram's definition: the smallest value v such
// that at least p % of the values are <= v.
int64_t ExactPercentile(const std::vector<int64_t>& sorted, double p) {
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size()) - 1e-6));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

void ExpectWithinPrecision(int64_t got, int64_t exact) {
  const double bound = std::max(1.0, static_cast<double>(exact) * kRelativePrecision);
  EXPECT_LE(std::abs(static_cast<double>(got - exact)), bound) << "got " << got << " exact " << exact;
}

TEST(Histogram, EmptyReportsZero) {
  Histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.PercentileMicros(99), 0);
  EXPECT_EQ(h.max_micros(), 0);
}

TEST(Histogram, SmallValuesAreExact) {
  Histogram h;
  for (int64_t v = 1; v <= 1000; ++v) h.RecordMicros(v);
  EXPECT_EQ(h.PercentileMicros(50), 500);
  EXPECT_EQ(h.PercentileMicros(99), 990);
  EXPECT_EQ(h.PercentileMicros(99.9), 999);
  EXPECT_EQ(h.PercentileMicros(100), 1000);
  EXPECT_EQ(h.min_micros(), 1);
  EXPECT_DOUBLE_EQ(h.mean_micros(), 500.5);
}

TEST(Histogram, BucketsCoverEveryValueOnceWithinPrecision) {
  // Every value maps to a bucket whose bounds contain it and are within the precision of it.
  for (int64_t v :
       {0LL, 1LL, 2047LL, 2048LL, 2049LL, 4095LL, 4096LL, 123457LL, 999999LL, 59999999LL, 60000000LL}) {
    const std::size_t i = Histogram::IndexOf(v);
    EXPECT_LE(Histogram::LowestEquivalent(i), v);
    EXPECT_GE(Histogram::HighestEquivalent(i), v);
    EXPECT_LE(static_cast<double>(Histogram::HighestEquivalent(i) - Histogram::LowestEquivalent(i)),
              std::max(0.0, static_cast<double>(v) * kRelativePrecision));
  }
  // Buckets are contiguous: the next one starts right after the previous one ends.
  for (std::size_t i = 0; i + 1 < Histogram::BucketCount(); ++i) {
    ASSERT_EQ(Histogram::HighestEquivalent(i) + 1, Histogram::LowestEquivalent(i + 1)) << i;
  }
  EXPECT_LT(Histogram::BucketCount(), 20000u);  // about 136 KiB per histogram
}

TEST(Histogram, UniformDistributionPercentilesWithinPrecision) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int64_t> dist(100, 2'000'000);
  std::vector<int64_t> values(200'000);
  Histogram h;
  for (int64_t& v : values) {
    v = dist(rng);
    h.RecordMicros(v);
  }
  std::sort(values.begin(), values.end());
  for (double p : {50.0, 90.0, 99.0, 99.9, 99.99})
    ExpectWithinPrecision(h.PercentileMicros(p), ExactPercentile(values, p));
  EXPECT_EQ(h.max_micros(), values.back());
}

TEST(Histogram, LongTailedDistributionPercentilesWithinPrecision) {
  // Log-normal latencies: most near a millisecond, a tail out to seconds.
  std::mt19937_64 rng(11);
  std::lognormal_distribution<double> dist(std::log(1000.0), 1.2);
  std::vector<int64_t> values(100'000);
  Histogram h;
  for (int64_t& v : values) {
    v = std::min<int64_t>(static_cast<int64_t>(dist(rng)), Histogram::kHighestMicros);
    h.RecordMicros(v);
  }
  std::sort(values.begin(), values.end());
  for (double p : {50.0, 90.0, 99.0, 99.9})
    ExpectWithinPrecision(h.PercentileMicros(p), ExactPercentile(values, p));
}

TEST(Histogram, MergeEqualsRecordingEverythingInOne) {
  std::mt19937_64 rng(3);
  std::exponential_distribution<double> dist(1.0 / 5000);
  Histogram all, a, b;
  for (int i = 0; i < 50'000; ++i) {
    const auto v = static_cast<int64_t>(dist(rng));
    all.RecordMicros(v);
    (i % 3 == 0 ? a : b).RecordMicros(v);
  }
  Histogram merged;
  merged.Merge(a);
  merged.Merge(b);
  EXPECT_EQ(merged.count(), all.count());
  EXPECT_EQ(merged.min_micros(), all.min_micros());
  EXPECT_EQ(merged.max_micros(), all.max_micros());
  EXPECT_DOUBLE_EQ(merged.mean_micros(), all.mean_micros());
  for (double p : {1.0, 50.0, 90.0, 99.0, 99.9, 100.0})
    EXPECT_EQ(merged.PercentileMicros(p), all.PercentileMicros(p));
}

TEST(Histogram, ValuesAboveRangeSaturate) {
  Histogram h;
  h.RecordMicros(10);
  h.RecordMicros(Histogram::kHighestMicros * 10);
  EXPECT_EQ(h.saturated(), 1u);
  EXPECT_EQ(h.max_micros(), Histogram::kHighestMicros);
  EXPECT_EQ(h.PercentileMicros(100), Histogram::kHighestMicros);
}

TEST(Histogram, RecordsNanosecondsRoundedToMicroseconds) {
  Histogram h;
  h.Record(std::chrono::nanoseconds(1'499));
  h.Record(std::chrono::nanoseconds(1'500));
  EXPECT_EQ(h.min_micros(), 1);
  EXPECT_EQ(h.max_micros(), 2);
}

}  // namespace
}  // namespace messenger::bench
