#include "stats.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace parley_bench {

// Values below 2 * sub_buckets have a bucket each; above, the value's top 7 bits pick the bucket
// within its power of two (HdrHistogram's layout with a fixed precision).
unsigned LatencyHistogram::bucket_of(uint64_t value) noexcept {
  if (value < 2 * sub_buckets) return static_cast<unsigned>(value);
  unsigned msb = 63u - static_cast<unsigned>(std::countl_zero(value));
  unsigned shift = msb - sub_bucket_bits;  // >= 1
  if (shift > max_shift) return bucket_count - 1;
  return shift * sub_buckets + static_cast<unsigned>(value >> shift);
}

uint64_t LatencyHistogram::lowest_in(unsigned bucket) noexcept {
  if (bucket < 2 * sub_buckets) return bucket;
  unsigned shift = bucket / sub_buckets - 1;
  uint64_t mantissa = bucket % sub_buckets + sub_buckets;
  return mantissa << shift;
}

uint64_t LatencyHistogram::highest_in(unsigned bucket) noexcept {
  if (bucket + 1 >= bucket_count) return UINT64_MAX;
  return lowest_in(bucket + 1) - 1;
}

void LatencyHistogram::record(uint64_t micros) noexcept {
  ++buckets_[bucket_of(micros)];
  ++count_;
  sum_ += micros;
  min_ = std::min(min_, micros);
  max_ = std::max(max_, micros);
}

void LatencyHistogram::merge(const LatencyHistogram& other) noexcept {
  for (unsigned i = 0; i < bucket_count; ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

uint64_t LatencyHistogram::quantile(double q) const noexcept {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  auto rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_)));
  rank = std::clamp<uint64_t>(rank, 1, count_);
  uint64_t seen = 0;
  for (unsigned i = 0; i < bucket_count; ++i) {
    seen += buckets_[i];
    if (seen >= rank) return std::clamp(highest_in(i), min_, max_);
  }
  return max_;
}

LatencySummary summarize(const LatencyHistogram& h) noexcept {
  auto ms = [](uint64_t micros) { return static_cast<double>(micros) / 1000.0; };
  LatencySummary s;
  s.count = h.count();
  s.p50_ms = ms(h.quantile(0.50));
  s.p90_ms = ms(h.quantile(0.90));
  s.p99_ms = ms(h.quantile(0.99));
  s.p999_ms = ms(h.quantile(0.999));
  s.max_ms = ms(h.max());
  s.mean_ms = h.mean() / 1000.0;
  return s;
}

}  // namespace parley_bench
