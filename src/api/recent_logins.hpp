// Which client addresses logged in to which username lately: the addresses an account's owner
// uses. The login throttle lets them through when a guesser spread over many addresses has
// used up the username's allowance, so that such an attack never locks the owner out of the
// places it logs in from.
//
// Bounded memory: past `max_entries`, entries older than the window go first, then the oldest
// half; each such sweep is O(entries) and comes at most once per max_entries/2 insertions.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "sio/util/rate_limiter.hpp"

namespace parley::api {

class RecentLogins {
 public:
  using Clock = sio::util::RateClock;

  RecentLogins(std::chrono::seconds window, std::size_t max_entries);

  void remember(std::string_view address, std::string_view username, Clock::time_point now);
  // Whether `address` logged in to `username` within the window before `now`.
  bool known(std::string_view address, std::string_view username, Clock::time_point now) const;
  std::size_t size() const;

 private:
  static std::string key(std::string_view address, std::string_view username);
  void sweep(Clock::time_point now);

  std::chrono::seconds window_;
  std::size_t max_entries_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Clock::time_point> last_login_;  // guarded by mutex_
};

}  // namespace parley::api
