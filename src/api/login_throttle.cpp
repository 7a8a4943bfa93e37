#include "api/login_throttle.hpp"

namespace parley::api {

bool LoginThrottle::over(std::unordered_map<std::string, Count>& table, const std::string& key, int max,
                         Clock::time_point now) {
  auto it = table.find(key);
  if (it == table.end()) return false;
  if (now - it->second.window_start >= window_) {
    table.erase(it);
    return false;
  }
  return it->second.failures >= max;
}

void LoginThrottle::add(std::unordered_map<std::string, Count>& table, const std::string& key, Clock::time_point now) {
  if (table.size() > 100'000) {
    // Bounded memory under a flood of distinct keys: forget the expired entries.
    std::erase_if(table, [&](const auto& e) { return now - e.second.window_start >= window_; });
  }
  auto& count = table[key];
  if (count.failures == 0 || now - count.window_start >= window_) count = Count{0, now};
  ++count.failures;
}

bool LoginThrottle::allowed(const std::string& username, const std::string& address, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  return !over(by_user_, username, max_user_, now) && !over(by_address_, address, max_address_, now);
}

void LoginThrottle::failed(const std::string& username, const std::string& address, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  add(by_user_, username, now);
  add(by_address_, address, now);
}

void LoginThrottle::succeeded(const std::string& username) {
  std::lock_guard lock(mutex_);
  by_user_.erase(username);
}

}  // namespace parley::api
