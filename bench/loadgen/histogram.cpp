#include "loadgen/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace messenger::bench {

namespace {

// Values below kLinearLimit get one slot each. Above it, the range [2^e, 2^(e+1)) is cut into kSubBuckets
// slots of width 2^(e - kSubBucketBits).
constexpr int kSubBucketBits = 10;
constexpr int64_t kSubBuckets = int64_t{1} << kSubBucketBits;  // 1024
constexpr int64_t kLinearLimit = 2 * kSubBuckets;              // 2048

}  // namespace

std::size_t Histogram::IndexOf(int64_t micros) {
  if (micros < kLinearLimit) return static_cast<std::size_t>(std::max<int64_t>(0, micros));
  const int exponent = 63 - std::countl_zero(static_cast<uint64_t>(micros));  // >= 11
  const int shift = exponent - kSubBucketBits;                                // >= 1
  const int64_t sub = (micros >> shift) - kSubBuckets;                        // 0 .. 1023
  return static_cast<std::size_t>(kLinearLimit + (shift - 1) * kSubBuckets + sub);
}

int64_t Histogram::LowestEquivalent(std::size_t index) {
  const auto i = static_cast<int64_t>(index);
  if (i < kLinearLimit) return i;
  const int64_t shift = (i - kLinearLimit) / kSubBuckets + 1;
  const int64_t sub = (i - kLinearLimit) % kSubBuckets;
  return (kSubBuckets + sub) << shift;
}

int64_t Histogram::HighestEquivalent(std::size_t index) {
  const auto i = static_cast<int64_t>(index);
  if (i < kLinearLimit) return i;
  const int64_t shift = (i - kLinearLimit) / kSubBuckets + 1;
  return LowestEquivalent(index) + (int64_t{1} << shift) - 1;
}

std::size_t Histogram::BucketCount() { return IndexOf(kHighestMicros) + 1; }

Histogram::Histogram() : counts_(BucketCount(), 0) {}

void Histogram::RecordMicros(int64_t micros) {
  micros = std::max<int64_t>(0, micros);
  if (micros > kHighestMicros) {
    ++saturated_;
    micros = kHighestMicros;
  }
  ++counts_[IndexOf(micros)];
  if (count_ == 0 || micros < min_) min_ = micros;
  if (count_ == 0 || micros > max_) max_ = micros;
  ++count_;
  sum_ += micros;
}

void Histogram::Record(std::chrono::nanoseconds latency) { RecordMicros((latency.count() + 500) / 1000); }

void Histogram::Merge(const Histogram& other) {
  if (other.count_ == 0) return;
  for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  if (count_ == 0 || other.min_ < min_) min_ = other.min_;
  if (count_ == 0 || other.max_ > max_) max_ = other.max_;
  count_ += other.count_;
  saturated_ += other.saturated_;
  sum_ += other.sum_;
}

void Histogram::Reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = saturated_ = 0;
  min_ = max_ = sum_ = 0;
}

int64_t Histogram::PercentileMicros(double percentile) const {
  if (count_ == 0) return 0;
  percentile = std::clamp(percentile, 0.0, 100.0);
  auto wanted = static_cast<uint64_t>(std::ceil(percentile / 100.0 * static_cast<double>(count_) - 1e-6));
  wanted = std::clamp<uint64_t>(wanted, 1, count_);
  uint64_t seen = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= wanted) return std::min(HighestEquivalent(i), max_);
  }
  return max_;
}

}  // namespace messenger::bench
