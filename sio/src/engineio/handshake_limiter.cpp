#include "engineio/handshake_limiter.hpp"

#include <algorithm>

namespace sio::engineio::detail {

bool HandshakeLimiter::allow(const std::string& address, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (now - last_sweep_ > std::chrono::seconds(10)) {
    // A bucket full again holds nothing worth keeping.
    std::erase_if(buckets_, [&](const auto& entry) {
      std::chrono::duration<double> idle = now - entry.second.last;
      return entry.second.tokens + idle.count() * rate_ >= burst_;
    });
    last_sweep_ = now;
  }
  auto [it, inserted] = buckets_.try_emplace(address, Bucket{burst_, now});
  Bucket& bucket = it->second;
  if (!inserted) {
    std::chrono::duration<double> elapsed = now - bucket.last;
    bucket.tokens = std::min(burst_, bucket.tokens + elapsed.count() * rate_);
    bucket.last = now;
  }
  if (bucket.tokens < 1.0) return false;
  bucket.tokens -= 1.0;
  return true;
}

}  // namespace sio::engineio::detail
