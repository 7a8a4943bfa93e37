// The login throttle's three buckets and the owner's known addresses (see the header).
#include "api/login_throttle.hpp"

namespace parley::api {

LoginThrottle::LoginThrottle(LoginLimits limits)
    : limits_(limits),
      per_address_(limits.per_address, limits.max_keys),
      per_account_(limits.per_account, limits.max_keys),
      per_username_(limits.per_username, limits.max_keys),
      known_addresses_(limits.known_address_window, limits.max_keys) {}

std::string LoginThrottle::account_key(const LoginAttempt& attempt) {
  return attempt.address + '\n' + attempt.username;  // no newline in either
}

sio::util::RateDecision LoginThrottle::begin(LoginAttempt& attempt, Clock::time_point now) {
  attempt.counted_for_username = false;
  if (auto refused = per_address_.take(attempt.address, now); !refused) return refused;
  const std::string account = account_key(attempt);
  if (auto refused = per_account_.take(account, now); !refused) {
    per_address_.refund(attempt.address, now);
    return refused;
  }
  if (known_addresses_.known(attempt.address, attempt.username, now)) return {};
  if (auto refused = per_username_.take(attempt.username, now); !refused) {
    per_address_.refund(attempt.address, now);
    per_account_.refund(account, now);
    return refused;
  }
  attempt.counted_for_username = true;
  return {};
}

void LoginThrottle::succeeded(const LoginAttempt& attempt, Clock::time_point now) {
  per_address_.refund(attempt.address, now);
  // A whole bucket's worth: the typos before a successful login are forgotten. Not for the
  // address's bucket: a guesser with an account of its own would reset it with every login.
  per_account_.refund(account_key(attempt), now, limits_.per_account.burst);
  if (attempt.counted_for_username) per_username_.refund(attempt.username, now);
  known_addresses_.remember(attempt.address, attempt.username, now);
}

void LoginThrottle::abandoned(const LoginAttempt& attempt, Clock::time_point now) {
  per_address_.refund(attempt.address, now);
  per_account_.refund(account_key(attempt), now);
  if (attempt.counted_for_username) per_username_.refund(attempt.username, now);
}

std::size_t LoginThrottle::size() const {
  return per_address_.size() + per_account_.size() + per_username_.size() + known_addresses_.size();
}

}  // namespace parley::api
