// A latency histogram in the HdrHistogram style: log-linear buckets over integer microseconds, exact below
// 2048 us and with 1024 sub-buckets per power of two above, so every recorded value is reported within
// 1/1024 (< 0.1 %, three significant digits) of itself. Range 0 .. 60 s; larger values are counted as the
// maximum and reported in saturated(). Not thread-safe: give each thread or connection its own and Merge.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

namespace messenger::bench {

class Histogram {
 public:
  static constexpr int64_t kHighestMicros = 60'000'000;

  Histogram();

  void RecordMicros(int64_t micros);
  void Record(std::chrono::nanoseconds latency);
  void Merge(const Histogram& other);
  void Reset();

  uint64_t count() const { return count_; }
  uint64_t saturated() const { return saturated_; }
  int64_t min_micros() const { return count_ ? min_ : 0; }
  int64_t max_micros() const { return count_ ? max_ : 0; }
  double mean_micros() const { return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0; }

  // The smallest recorded-bucket value v such that at least `percentile` % of the recorded values are <= v
  // (the bucket's highest equivalent value, never above the largest value recorded). 0 when empty.
  int64_t PercentileMicros(double percentile) const;

  // Index arithmetic, exposed for tests.
  static std::size_t IndexOf(int64_t micros);
  static int64_t LowestEquivalent(std::size_t index);
  static int64_t HighestEquivalent(std::size_t index);
  static std::size_t BucketCount();

 private:
  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  uint64_t saturated_ = 0;
  int64_t min_ = 0;
  int64_t max_ = 0;
  int64_t sum_ = 0;
};

}  // namespace messenger::bench
