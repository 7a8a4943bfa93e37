// Limits password guessing at the login endpoint with token buckets (sio::util::RateLimiter:
// sharded, bounded, forgetting buckets that have refilled). An attempt spends a token of each
// bucket that applies when it starts, so that parallel attempts cannot all slip past before the
// first one fails; a successful login gives them back.
//
//   per address      failed logins from one client address, whatever the username: one
//                    address guessing across many accounts;
//   per account      failed logins from one address for one username: one address guessing one
//                    password. Those are the only limits that can refuse an address, and only
//                    its own failures count, so nobody can lock an account's owner out of the
//                    addresses it uses by failing to log in as it from elsewhere;
//   per username     failed logins for one username from addresses that have not logged in to
//                    it within `known_address_window`: a guesser spread over many addresses.
//                    When it runs dry, only unknown addresses are refused; the owner's own
//                    addresses (RecentLogins) still log in. An owner on a new address waits
//                    like the guesser until the attack stops: the price of not locking anyone
//                    out everywhere.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "api/recent_logins.hpp"
#include "sio/util/rate_limiter.hpp"

namespace parley::api {

struct LoginLimits {
  sio::util::RateLimit per_address = {50.0 / 900, 50};  // 50 per 15 minutes
  sio::util::RateLimit per_account = {10.0 / 900, 10};  // 10 per 15 minutes
  sio::util::RateLimit per_username = {100.0 / 3600, 100};  // 100 per hour
  std::chrono::seconds known_address_window = std::chrono::hours(24 * 30);
  std::size_t max_keys = 100'000;  // per table
};

// One attempt, from begin() to its outcome.
struct LoginAttempt {
  std::string address;
  std::string username;
  bool counted_for_username = false;  // set by begin()
};

class LoginThrottle {
 public:
  using Clock = sio::util::RateClock;

  explicit LoginThrottle(LoginLimits limits = {});

  // Counts the attempt as a failure until told otherwise. Refused: nothing is counted, and
  // retry_after says when a token of the bucket that refused will be back.
  sio::util::RateDecision begin(LoginAttempt& attempt, Clock::time_point now);
  // The password was right: the attempt's tokens come back, the account's failures from this
  // address are forgotten, and the address becomes known to the username.
  void succeeded(const LoginAttempt& attempt, Clock::time_point now);
  // No password was checked (the server was busy, the database away): nothing counts.
  void abandoned(const LoginAttempt& attempt, Clock::time_point now);
  // A failed attempt needs no call: its tokens stay spent.

  // Entries held over all tables (bounded by 4 x max_keys).
  std::size_t size() const;

 private:
  static std::string account_key(const LoginAttempt& attempt);

  LoginLimits limits_;
  sio::util::RateLimiter per_address_;
  sio::util::RateLimiter per_account_;
  sio::util::RateLimiter per_username_;
  RecentLogins known_addresses_;
};

}  // namespace parley::api
