// The per-address token bucket that bounds how fast one client may open sessions.
#include <gtest/gtest.h>

#include "engineio/handshake_limiter.hpp"

using sio::engineio::detail::HandshakeLimiter;
using namespace std::chrono_literals;

TEST(HandshakeLimiter, AllowsABurstThenTheRate) {
  HandshakeLimiter limiter(10, 5);  // 10 per second, bursts of 5
  auto t = HandshakeLimiter::Clock::time_point{} + 1h;
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.allow("1.2.3.4", t)) << i;
  EXPECT_FALSE(limiter.allow("1.2.3.4", t));
  EXPECT_TRUE(limiter.allow("5.6.7.8", t));          // per address
  EXPECT_FALSE(limiter.allow("1.2.3.4", t + 50ms));  // half a token back
  EXPECT_TRUE(limiter.allow("1.2.3.4", t + 100ms));
  EXPECT_FALSE(limiter.allow("1.2.3.4", t + 100ms));
}

TEST(HandshakeLimiter, ForgetsAddressesThatRefilled) {
  HandshakeLimiter limiter(1, 1);
  auto t = HandshakeLimiter::Clock::time_point{} + 1h;
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(limiter.allow("10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250), t));
  // Long after, the old buckets are swept and every address starts with a full burst again.
  EXPECT_TRUE(limiter.allow("10.0.0.0", t + 1min));
  EXPECT_FALSE(limiter.allow("10.0.0.0", t + 1min));
}
