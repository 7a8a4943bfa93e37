// Latency histograms: log-linear buckets (64 per power of two, so every value is recorded within
// 1.6 %), constant memory, cheap to record on the hot path and to merge across threads.
#pragma once

#include <array>
#include <cstdint>

namespace parley_bench {

class LatencyHistogram {
 public:
  // Values are microseconds; anything past ~2^40 µs lands in the last bucket.
  void record(uint64_t micros) noexcept;
  void merge(const LatencyHistogram& other) noexcept;
  void reset() noexcept { *this = LatencyHistogram{}; }

  uint64_t count() const noexcept { return count_; }
  uint64_t min() const noexcept { return count_ ? min_ : 0; }
  uint64_t max() const noexcept { return max_; }
  double mean() const noexcept { return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0; }

  // The value at quantile q in [0, 1]: the highest value of the bucket holding the
  // ceil(q * count)-th smallest sample, capped by the largest value seen. 0 when empty.
  uint64_t quantile(double q) const noexcept;

  // Bucket arithmetic, public for the tests.
  static constexpr unsigned sub_bucket_bits = 6;
  static constexpr unsigned sub_buckets = 1u << sub_bucket_bits;  // per power of two
  static constexpr unsigned max_shift = 34;
  static constexpr unsigned bucket_count = 2 * sub_buckets + max_shift * sub_buckets;
  static unsigned bucket_of(uint64_t value) noexcept;
  static uint64_t lowest_in(unsigned bucket) noexcept;
  static uint64_t highest_in(unsigned bucket) noexcept;

 private:
  std::array<uint64_t, bucket_count> buckets_{};
  uint64_t count_ = 0;
  uint64_t sum_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
};

// The usual summary of one histogram, in milliseconds for the report.
struct LatencySummary {
  uint64_t count = 0;
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, p999_ms = 0, max_ms = 0, mean_ms = 0;
};
LatencySummary summarize(const LatencyHistogram& histogram) noexcept;

}  // namespace parley_bench
