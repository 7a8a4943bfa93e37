// The login throttle (api/login_throttle.hpp): attempts count when they start, per address,
// per address and username, and per username from unknown addresses only; successes give
// back; the tables stay bounded.
#include <gtest/gtest.h>

#include "api/login_throttle.hpp"
#include "api/recent_logins.hpp"

using parley::api::LoginAttempt;
using parley::api::LoginLimits;
using parley::api::LoginThrottle;
using parley::api::RecentLogins;
using namespace std::chrono_literals;

namespace {

const auto start = LoginThrottle::Clock::time_point{} + 1h;

// An IPv4 address per number (appended piece by piece: GCC 12 warns falsely about
// "literal" + std::string here).
std::string address_of(int i) {
  std::string address = "10";
  for (int shift : {16, 8, 0}) {
    address += '.';
    address += std::to_string((i >> shift) & 255);
  }
  return address;
}

bool allowed(LoginThrottle& throttle, const std::string& username, const std::string& address,
             LoginThrottle::Clock::time_point now = start) {
  LoginAttempt attempt{address, username};
  return static_cast<bool>(throttle.begin(attempt, now));
}

}  // namespace

TEST(LoginThrottle, CountsAnAttemptWhenItStartsSoParallelAttemptsCannotAllPass) {
  LoginThrottle throttle;  // 10 per address and username
  int passed = 0;
  for (int i = 0; i < 150; ++i) passed += allowed(throttle, "alice", "10.0.0.1");  // none has finished
  EXPECT_EQ(passed, 10);
}

TEST(LoginThrottle, RefusesAnAccountFromOneAddressAndSaysWhenToRetry) {
  LoginThrottle throttle;
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(allowed(throttle, "alice", "10.0.0.1"));
  LoginAttempt attempt{"10.0.0.1", "alice"};
  const auto refused = throttle.begin(attempt, start);
  EXPECT_FALSE(refused);
  EXPECT_GT(refused.retry_after, 89s);  // one failure back every 90 s (10 per 15 minutes)
  EXPECT_LE(refused.retry_after, 90s);
  EXPECT_TRUE(allowed(throttle, "alice", "10.0.0.2"));  // another address is not refused
  EXPECT_TRUE(allowed(throttle, "bob", "10.0.0.1"));    // nor another username
  EXPECT_TRUE(allowed(throttle, "alice", "10.0.0.1", start + 90s));
  EXPECT_FALSE(allowed(throttle, "alice", "10.0.0.1", start + 91s));
}

TEST(LoginThrottle, RefusesAnAddressTryingManyUsernames) {
  LoginThrottle throttle;  // 50 per address
  for (int i = 0; i < 50; ++i) EXPECT_TRUE(allowed(throttle, "user" + std::to_string(i), "10.0.0.9"));
  EXPECT_FALSE(allowed(throttle, "someone-else", "10.0.0.9"));
  EXPECT_TRUE(allowed(throttle, "someone-else", "10.0.0.8"));
}

TEST(LoginThrottle, OthersFailuresNeverLockTheOwnerOutOfItsAddress) {
  LoginThrottle throttle(LoginLimits{.per_username = {100.0 / 3600, 100}});
  LoginAttempt owner{"192.0.2.7", "alice"};
  ASSERT_TRUE(throttle.begin(owner, start));
  throttle.succeeded(owner, start);  // the owner logs in from its address

  // A guesser spread over 1,000 addresses, a few guesses from each.
  int passed = 0;
  for (int i = 0; i < 1000; ++i) {
    for (int k = 0; k < 3; ++k) passed += allowed(throttle, "alice", address_of(100'000 + i), start + 1s);
  }
  EXPECT_EQ(passed, 100);  // the username's allowance for unknown addresses, then no more

  // The owner's own address still gets in, and its success gives back what it took.
  for (int i = 0; i < 20; ++i) {
    LoginAttempt again{"192.0.2.7", "alice"};
    ASSERT_TRUE(throttle.begin(again, start + 2s)) << i;
    throttle.succeeded(again, start + 2s);
  }
  // A new address is refused while the attack lasts, and comes back as the allowance refills.
  EXPECT_FALSE(allowed(throttle, "alice", "203.0.113.1", start + 2s));
  EXPECT_TRUE(allowed(throttle, "alice", "203.0.113.1", start + 2s + 36s));
  // Other usernames are untouched.
  EXPECT_TRUE(allowed(throttle, "bob", "203.0.113.1", start + 2s));
}

TEST(LoginThrottle, KnownAddressesAreForgottenAfterTheWindow) {
  // Two failures for the username, one more every two days.
  LoginThrottle throttle(LoginLimits{.per_username = {1.0 / (48 * 3600), 2}, .known_address_window = 24h});
  LoginAttempt owner{"192.0.2.7", "alice"};
  ASSERT_TRUE(throttle.begin(owner, start));
  throttle.succeeded(owner, start);
  EXPECT_TRUE(allowed(throttle, "alice", "198.51.100.1", start));
  EXPECT_TRUE(allowed(throttle, "alice", "198.51.100.2", start + 1s));  // the username's allowance is spent
  EXPECT_FALSE(allowed(throttle, "alice", "198.51.100.3", start + 2s));
  EXPECT_TRUE(allowed(throttle, "alice", "192.0.2.7", start + 23h));
  // A day after its login the address is as unknown as any other.
  EXPECT_FALSE(allowed(throttle, "alice", "192.0.2.7", start + 24h + 1s));
}

TEST(LoginThrottle, SuccessForgetsTheAccountsFailuresButNotTheAddresses) {
  LoginThrottle throttle(LoginLimits{.per_address = {20.0 / 900, 20}});
  for (int i = 0; i < 9; ++i) ASSERT_TRUE(allowed(throttle, "alice", "a"));  // nine typos
  LoginAttempt right{"a", "alice"};
  ASSERT_TRUE(throttle.begin(right, start));
  throttle.succeeded(right, start);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(allowed(throttle, "alice", "a")) << i;  // a fresh ten
  EXPECT_FALSE(allowed(throttle, "alice", "a"));
  // The address's own count kept the 19 failures: one more, then no more.
  EXPECT_TRUE(allowed(throttle, "bob", "a"));
  EXPECT_FALSE(allowed(throttle, "carol", "a"));
}

TEST(LoginThrottle, AnAbandonedAttemptCountsForNothing) {
  LoginThrottle throttle;
  for (int i = 0; i < 100; ++i) {
    LoginAttempt attempt{"10.0.0.1", "alice"};
    ASSERT_TRUE(throttle.begin(attempt, start)) << i;
    throttle.abandoned(attempt, start);  // e.g. the hashing pool was full
  }
}

TEST(LoginThrottle, DisabledLimitsRefuseNothing) {
  const sio::util::RateLimit off{0, 0};
  LoginThrottle throttle(LoginLimits{.per_address = off, .per_account = off, .per_username = off});
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(allowed(throttle, "alice", "10.0.0.1"));
}

TEST(LoginThrottle, MemoryStaysBoundedUnderAFloodOfAddressesAndUsernames) {
  LoginThrottle throttle(LoginLimits{.max_keys = 1'000});
  for (int i = 0; i < 200'000; ++i) {
    LoginAttempt attempt{address_of(i), "user" + std::to_string(i)};
    throttle.begin(attempt, start + std::chrono::milliseconds(i));
    if (i % 10 == 0) throttle.succeeded(attempt, start + std::chrono::milliseconds(i));
  }
  EXPECT_LE(throttle.size(), 4 * 1'000u);
}

TEST(RecentLogins, RemembersWithinTheWindowAndStaysBounded) {
  RecentLogins recent(60s, 100);
  recent.remember("a", "alice", start);
  EXPECT_TRUE(recent.known("a", "alice", start + 59s));
  EXPECT_FALSE(recent.known("a", "alice", start + 60s));
  EXPECT_FALSE(recent.known("a", "bob", start));
  EXPECT_FALSE(recent.known("b", "alice", start));
  for (int i = 0; i < 10'000; ++i) recent.remember(address_of(i), "u", start + std::chrono::milliseconds(i));
  EXPECT_LE(recent.size(), 100u);
  EXPECT_TRUE(recent.known(address_of(9'999), "u", start + 10s));  // the newest are kept
}
