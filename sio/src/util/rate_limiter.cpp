#include "sio/util/rate_limiter.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

namespace sio::util {

void TokenBucket::refill(const RateLimit& limit, RateClock::time_point now) {
  if (now > last_) {
    std::chrono::duration<double> elapsed = now - last_;
    tokens_ = std::min(limit.burst, tokens_ + elapsed.count() * limit.rate);
    last_ = now;
  }
}

RateDecision TokenBucket::take(const RateLimit& limit, RateClock::time_point now, double cost) {
  if (!limit.enabled()) return {};
  refill(limit, now);
  if (tokens_ + 1e-9 >= cost) {
    tokens_ -= cost;
    return {};
  }
  double wait_seconds = (cost - tokens_) / limit.rate;
  auto wait = std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(wait_seconds * 1000)));
  return {false, std::max(wait, std::chrono::milliseconds(1))};
}

void TokenBucket::give_back(const RateLimit& limit, RateClock::time_point now, double cost) {
  refill(limit, now);
  tokens_ = std::min(limit.burst, tokens_ + cost);
}

bool TokenBucket::full(const RateLimit& limit, RateClock::time_point now) const {
  std::chrono::duration<double> idle = now - last_;
  return tokens_ + idle.count() * limit.rate >= limit.burst;
}

RateLimiter::RateLimiter(RateLimit limit, std::size_t max_keys)
    : limit_(limit), max_per_shard_(std::max<std::size_t>(1, max_keys / shard_count)) {}

RateLimiter::Shard& RateLimiter::shard_of(std::string_view key) {
  return shards_[KeyHash{}(key) % shard_count];
}

// Forgets the buckets that have refilled; past the bound, also the least recently used half.
// Each sweep is O(buckets), and runs at most every 10 s or once per max/2 new keys.
void RateLimiter::sweep(Shard& shard, RateClock::time_point now) {
  std::erase_if(shard.buckets, [&](const auto& entry) { return entry.second.full(limit_, now); });
  shard.last_sweep = now;
  if (shard.buckets.size() < max_per_shard_) return;
  std::vector<RateClock::time_point> used;
  used.reserve(shard.buckets.size());
  for (const auto& [key, bucket] : shard.buckets) used.push_back(bucket.last_used());
  auto middle = used.begin() + static_cast<std::ptrdiff_t>(used.size() / 2);
  std::nth_element(used.begin(), middle, used.end());
  RateClock::time_point cutoff = *middle;
  std::erase_if(shard.buckets, [&](const auto& entry) { return entry.second.last_used() <= cutoff; });
}

RateDecision RateLimiter::take(std::string_view key, RateClock::time_point now, double cost) {
  if (!limit_.enabled()) return {};
  Shard& shard = shard_of(key);
  std::lock_guard lock(shard.mutex);
  if (now - shard.last_sweep > std::chrono::seconds(10) || shard.buckets.size() >= max_per_shard_) sweep(shard, now);
  auto it = shard.buckets.find(key);
  if (it == shard.buckets.end()) it = shard.buckets.emplace(std::string(key), TokenBucket(limit_, now)).first;
  return it->second.take(limit_, now, cost);
}

void RateLimiter::refund(std::string_view key, RateClock::time_point now, double cost) {
  if (!limit_.enabled()) return;
  Shard& shard = shard_of(key);
  std::lock_guard lock(shard.mutex);
  auto it = shard.buckets.find(key);
  if (it != shard.buckets.end()) it->second.give_back(limit_, now, cost);
}

std::size_t RateLimiter::size() const {
  std::size_t n = 0;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    n += shard.buckets.size();
  }
  return n;
}

}  // namespace sio::util
