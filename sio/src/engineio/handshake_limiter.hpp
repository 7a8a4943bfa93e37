// Limits how fast one client address may open sessions: a token bucket per address (`rate`
// per second, up to `burst` at once). Shared by all loops, so one lock; handshakes are rare
// next to messages. Buckets that have refilled are forgotten, so memory stays bounded.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace sio::engineio::detail {

class HandshakeLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  HandshakeLimiter(double rate_per_second, double burst) : rate_(rate_per_second), burst_(burst) {}

  // True when `address` may open one more session now (and counts it).
  bool allow(const std::string& address, Clock::time_point now);

 private:
  struct Bucket {
    double tokens;
    Clock::time_point last;
  };
  double rate_;
  double burst_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
  Clock::time_point last_sweep_{};
};

}  // namespace sio::engineio::detail
