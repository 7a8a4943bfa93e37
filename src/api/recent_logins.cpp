// The addresses each username logged in from lately (see the header): a bounded map.
#include "api/recent_logins.hpp"

#include <algorithm>
#include <vector>

namespace parley::api {

RecentLogins::RecentLogins(std::chrono::seconds window, std::size_t max_entries)
    : window_(window), max_entries_(std::max<std::size_t>(2, max_entries)) {}

// A newline cannot occur in an address or a valid username.
std::string RecentLogins::key(std::string_view address, std::string_view username) {
  std::string k;
  k.reserve(address.size() + 1 + username.size());
  k.append(address).push_back('\n');
  k.append(username);
  return k;
}

void RecentLogins::remember(std::string_view address, std::string_view username, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (last_login_.size() >= max_entries_) sweep(now);
  last_login_[key(address, username)] = now;
}

bool RecentLogins::known(std::string_view address, std::string_view username, Clock::time_point now) const {
  std::lock_guard lock(mutex_);
  const auto it = last_login_.find(key(address, username));
  return it != last_login_.end() && now - it->second < window_;
}

std::size_t RecentLogins::size() const {
  std::lock_guard lock(mutex_);
  return last_login_.size();
}

void RecentLogins::sweep(Clock::time_point now) {
  std::erase_if(last_login_, [&](const auto& entry) { return now - entry.second >= window_; });
  if (last_login_.size() < max_entries_ / 2) return;
  std::vector<Clock::time_point> times;
  times.reserve(last_login_.size());
  for (const auto& [k, t] : last_login_) times.push_back(t);
  const auto middle = times.begin() + static_cast<std::ptrdiff_t>(times.size() / 2);
  std::nth_element(times.begin(), middle, times.end());
  const Clock::time_point cutoff = *middle;
  std::erase_if(last_login_, [&](const auto& entry) { return entry.second <= cutoff; });
}

}  // namespace parley::api
