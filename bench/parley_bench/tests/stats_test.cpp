#include "stats.hpp"

#include <cmath>
#include <random>

#include <gtest/gtest.h>

namespace parley_bench {
namespace {

TEST(LatencyHistogram, BucketsAreContiguousAndTight) {
  for (unsigned b = 0; b + 2 < LatencyHistogram::bucket_count; ++b) {
    ASSERT_EQ(LatencyHistogram::highest_in(b) + 1, LatencyHistogram::lowest_in(b + 1)) << b;
    ASSERT_EQ(LatencyHistogram::bucket_of(LatencyHistogram::lowest_in(b)), b);
    ASSERT_EQ(LatencyHistogram::bucket_of(LatencyHistogram::highest_in(b)), b);
    auto low = static_cast<double>(LatencyHistogram::lowest_in(b));
    auto width = static_cast<double>(LatencyHistogram::highest_in(b)) - low + 1;
    if (low >= 64) {  // below 128 every value has its own bucket
      ASSERT_LE(width / low, 1.0 / 64 + 1e-12) << b;
    }
  }
  EXPECT_EQ(LatencyHistogram::bucket_of(UINT64_MAX), LatencyHistogram::bucket_count - 1);
}

TEST(LatencyHistogram, ExactBelow128) {
  LatencyHistogram h;
  for (uint64_t v = 1; v <= 100; ++v) h.record(v);
  EXPECT_EQ(h.count(), 100u);
  EXPECT_EQ(h.quantile(0.5), 50u);
  EXPECT_EQ(h.quantile(0.9), 90u);
  EXPECT_EQ(h.quantile(0.99), 99u);
  EXPECT_EQ(h.quantile(1.0), 100u);
  EXPECT_EQ(h.quantile(0.0), 1u);
  EXPECT_EQ(h.min(), 1u);
  EXPECT_EQ(h.max(), 100u);
  EXPECT_DOUBLE_EQ(h.mean(), 50.5);
}

TEST(LatencyHistogram, EmptyIsZero) {
  LatencyHistogram h;
  EXPECT_EQ(h.quantile(0.99), 0u);
  auto s = summarize(h);
  EXPECT_EQ(s.count, 0u);
  EXPECT_EQ(s.p99_ms, 0);
}

TEST(LatencyHistogram, QuantilesWithinPrecisionOfSortedSamples) {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> dist(7.0, 1.5);  // ~1 ms median, long tail
  std::vector<uint64_t> values;
  LatencyHistogram a, b;
  for (int i = 0; i < 200'000; ++i) {
    auto v = static_cast<uint64_t>(dist(rng));
    values.push_back(v);
    (i % 2 ? a : b).record(v);
  }
  a.merge(b);
  std::sort(values.begin(), values.end());
  for (double q : {0.5, 0.9, 0.99, 0.999}) {
    auto exact = values[static_cast<std::size_t>(std::ceil(q * values.size())) - 1];
    auto got = a.quantile(q);
    EXPECT_GE(got, exact) << q;
    EXPECT_LE(static_cast<double>(got), static_cast<double>(exact) * (1 + 1.0 / 64) + 1) << q;
  }
  EXPECT_EQ(a.quantile(1.0), values.back());
  EXPECT_EQ(a.max(), values.back());
}

TEST(LatencyHistogram, SingleSlowSampleShowsInTheTailOnly) {
  LatencyHistogram h;
  for (int i = 0; i < 999; ++i) h.record(1000);
  h.record(250'000);
  auto s = summarize(h);
  EXPECT_NEAR(s.p50_ms, 1.0, 0.02);
  EXPECT_NEAR(s.p99_ms, 1.0, 0.02);
  EXPECT_NEAR(s.p999_ms, 1.0, 0.02);
  EXPECT_DOUBLE_EQ(s.max_ms, 250.0);
}

}  // namespace
}  // namespace parley_bench
