// Limits failed logins per client address and per username, so passwords cannot be guessed at
// speed: after `max_failures` failures within `window`, further attempts are refused until the
// window has passed. A successful login clears the username's count.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace parley::api {

class LoginThrottle {
 public:
  using Clock = std::chrono::steady_clock;

  LoginThrottle(int max_failures_per_user, int max_failures_per_address, std::chrono::seconds window)
      : max_user_(max_failures_per_user), max_address_(max_failures_per_address), window_(window) {}

  bool allowed(const std::string& username, const std::string& address, Clock::time_point now);
  void failed(const std::string& username, const std::string& address, Clock::time_point now);
  void succeeded(const std::string& username);

 private:
  struct Count {
    int failures = 0;
    Clock::time_point window_start;
  };
  bool over(std::unordered_map<std::string, Count>& table, const std::string& key, int max, Clock::time_point now);
  void add(std::unordered_map<std::string, Count>& table, const std::string& key, Clock::time_point now);

  int max_user_;
  int max_address_;
  std::chrono::seconds window_;
  std::mutex mutex_;
  std::unordered_map<std::string, Count> by_user_;
  std::unordered_map<std::string, Count> by_address_;
};

}  // namespace parley::api
