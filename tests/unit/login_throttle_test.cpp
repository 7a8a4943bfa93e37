// Failed-login limits per username and per address, with a window that passes.
#include <gtest/gtest.h>

#include "api/login_throttle.hpp"

using parley::api::LoginThrottle;
using namespace std::chrono_literals;

TEST(LoginThrottle, RefusesAUsernameAfterTooManyFailuresUntilTheWindowPasses) {
  LoginThrottle throttle(3, 100, 60s);
  auto t = LoginThrottle::Clock::time_point{} + 1h;
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(throttle.allowed("alice", "10.0.0.1", t));
    throttle.failed("alice", "10.0.0.1", t);
  }
  EXPECT_FALSE(throttle.allowed("alice", "10.0.0.2", t + 1s));  // from any address
  EXPECT_TRUE(throttle.allowed("bob", "10.0.0.1", t + 1s));     // others are not affected
  EXPECT_TRUE(throttle.allowed("alice", "10.0.0.1", t + 61s));
}

TEST(LoginThrottle, RefusesAnAddressTryingManyUsernames) {
  LoginThrottle throttle(100, 5, 60s);
  auto t = LoginThrottle::Clock::time_point{} + 1h;
  for (int i = 0; i < 5; ++i) throttle.failed("user" + std::to_string(i), "10.0.0.9", t);
  EXPECT_FALSE(throttle.allowed("someone-else", "10.0.0.9", t));
  EXPECT_TRUE(throttle.allowed("someone-else", "10.0.0.8", t));
}

TEST(LoginThrottle, SuccessClearsTheUsernamesCount) {
  LoginThrottle throttle(2, 100, 60s);
  auto t = LoginThrottle::Clock::time_point{} + 1h;
  throttle.failed("alice", "a", t);
  throttle.succeeded("alice");
  throttle.failed("alice", "a", t);
  EXPECT_TRUE(throttle.allowed("alice", "a", t));
  throttle.failed("alice", "a", t);
  EXPECT_FALSE(throttle.allowed("alice", "a", t));
}
