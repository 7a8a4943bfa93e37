// Rate limits as token buckets: `rate` tokens a second refill a bucket of `burst`; an action
// costs a token (or more), and a bucket without enough says how long until it has.
//
// TokenBucket is one bucket, for an object of one thread (or under its owner's lock).
// RateLimiter is a table of buckets by key (a client address, a user id), safe from any thread:
// sharded locks, and bounded memory: a bucket that has refilled holds nothing worth keeping and
// is forgotten, and past `max_keys` the least recently used buckets go first.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sio::util {

using RateClock = std::chrono::steady_clock;

struct RateLimit {
  double rate = 0;   // tokens per second; 0 (or less) disables the limit
  double burst = 1;  // bucket size: what may be spent at once
  bool enabled() const { return rate > 0; }
};

// The answer to "may I?": allowed, or the wait until the cost would be.
struct RateDecision {
  bool allowed = true;
  std::chrono::milliseconds retry_after{0};
  explicit operator bool() const { return allowed; }
};

class TokenBucket {
 public:
  TokenBucket() = default;
  TokenBucket(RateLimit limit, RateClock::time_point now) : tokens_(limit.burst), last_(now) {}

  // Spends `cost` tokens when there are enough (refilling first).
  RateDecision take(const RateLimit& limit, RateClock::time_point now, double cost = 1.0);
  // Puts back what a take() spent (never beyond the burst).
  void give_back(const RateLimit& limit, RateClock::time_point now, double cost = 1.0);
  // Whether the bucket is full again at `now` (it then says nothing a new bucket would not).
  bool full(const RateLimit& limit, RateClock::time_point now) const;
  RateClock::time_point last_used() const { return last_; }

 private:
  void refill(const RateLimit& limit, RateClock::time_point now);
  double tokens_ = 0;
  RateClock::time_point last_{};
};

class RateLimiter {
 public:
  explicit RateLimiter(RateLimit limit, std::size_t max_keys = 100'000);

  RateDecision take(std::string_view key, RateClock::time_point now = RateClock::now(), double cost = 1.0);
  // Gives back what an earlier take() spent (an attempt that turned out not to count).
  void refund(std::string_view key, RateClock::time_point now = RateClock::now(), double cost = 1.0);
  const RateLimit& limit() const { return limit_; }
  std::size_t size() const;  // buckets held, over all shards

 private:
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
  };
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<std::string, TokenBucket, KeyHash, std::equal_to<>> buckets;
    RateClock::time_point last_sweep{};
  };
  static constexpr std::size_t shard_count = 16;
  Shard& shard_of(std::string_view key);
  void sweep(Shard& shard, RateClock::time_point now);

  RateLimit limit_;
  std::size_t max_per_shard_;
  std::array<Shard, shard_count> shards_;
};

}  // namespace sio::util
