// Token buckets: one alone, and the keyed table that bounds handshakes per address (and the
// chat's sends, logins and registrations per user or address).
#include <gtest/gtest.h>

#include "sio/util/rate_limiter.hpp"

using namespace std::chrono_literals;
using sio::util::RateClock;
using sio::util::RateLimit;
using sio::util::RateLimiter;
using sio::util::TokenBucket;

namespace {
const RateClock::time_point t0 = RateClock::time_point{} + 1h;
}

TEST(TokenBucket, AllowsABurstThenTheRateAndSaysHowLongToWait) {
  RateLimit limit{10, 5};  // 10 per second, bursts of 5
  TokenBucket bucket(limit, t0);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(bucket.take(limit, t0)) << i;
  auto refused = bucket.take(limit, t0);
  EXPECT_FALSE(refused);
  EXPECT_EQ(refused.retry_after, 100ms);
  EXPECT_EQ(bucket.take(limit, t0 + 50ms).retry_after, 50ms);  // half a token back
  EXPECT_TRUE(bucket.take(limit, t0 + 100ms));
  EXPECT_FALSE(bucket.take(limit, t0 + 100ms));
}

TEST(TokenBucket, NeverHoldsMoreThanItsBurst) {
  RateLimit limit{100, 3};
  TokenBucket bucket(limit, t0);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(bucket.take(limit, t0 + 1h));
  EXPECT_FALSE(bucket.take(limit, t0 + 1h));
  bucket.give_back(limit, t0 + 1h, 10);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(bucket.take(limit, t0 + 1h));
  EXPECT_FALSE(bucket.take(limit, t0 + 1h));
}

TEST(TokenBucket, AZeroRateIsNoLimit) {
  RateLimit off{0, 0};
  TokenBucket bucket(off, t0);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(bucket.take(off, t0));
}

TEST(RateLimiter, KeepsABucketPerKey) {
  RateLimiter limiter({10, 5});
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.take("1.2.3.4", t0)) << i;
  EXPECT_FALSE(limiter.take("1.2.3.4", t0));
  EXPECT_TRUE(limiter.take("5.6.7.8", t0));
  EXPECT_FALSE(limiter.take("1.2.3.4", t0 + 50ms));
  EXPECT_TRUE(limiter.take("1.2.3.4", t0 + 100ms));
}

TEST(RateLimiter, ARefundGivesTheAttemptBack) {
  RateLimiter limiter({1, 2});
  EXPECT_TRUE(limiter.take("alice", t0));
  EXPECT_TRUE(limiter.take("alice", t0));
  EXPECT_FALSE(limiter.take("alice", t0));
  limiter.refund("alice", t0);
  EXPECT_TRUE(limiter.take("alice", t0));
}

TEST(RateLimiter, ForgetsKeysThatRefilled) {
  RateLimiter limiter({1, 1});
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(limiter.take("10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250), t0));
  EXPECT_EQ(limiter.size(), 1000u);
  // Long after, every key starts with a full burst again, and as new keys arrive the shards
  // they land in forget the old buckets.
  EXPECT_TRUE(limiter.take("10.0.0.0", t0 + 1min));
  EXPECT_FALSE(limiter.take("10.0.0.0", t0 + 1min));
  for (int i = 0; i < 1000; ++i) limiter.take("new" + std::to_string(i), t0 + 1min);
  EXPECT_EQ(limiter.size(), 1001u);
}

TEST(RateLimiter, StaysWithinItsBoundUnderAFloodOfKeys) {
  // Buckets that refill slowly (one token per 15 minutes) are all worth keeping; a flood of
  // new keys still cannot grow the table past its bound: the least recently used go first.
  RateLimiter limiter({1.0 / 900, 10}, 1'600);
  for (int i = 0; i < 100'000; ++i) limiter.take("user" + std::to_string(i), t0 + std::chrono::milliseconds(i));
  EXPECT_LE(limiter.size(), 1'600u);
  // The most recent keys keep their counts.
  for (int i = 0; i < 9; ++i) limiter.take("user99999", t0 + 100s);
  EXPECT_FALSE(limiter.take("user99999", t0 + 100s));
}
