// Rate limits of the chat's events per user and per client address: token buckets
// (sio::util::TokenBucket) for each kind of action, grouped in an Allowance that all the
// sockets of one user (or of one address) share, on whichever loops they live.
//
// A socket finds its allowances once, at connect (AllowanceTable, under its lock); after that an
// event costs one uncontended lock of that user's own Allowance, never a lock shared by users.
// An allowance outlives its last socket until its buckets have refilled, so that reconnecting
// does not buy a fresh burst; then the table forgets it (bounded memory).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "sio/util/rate_limiter.hpp"

namespace parley::chat {

// What is counted: each kind has a bucket of its own.
// send: messages and conversation changes; history: reads (messages, conversations, receipts);
// mark: read and delivery markers (one per arriving message, so a bucket of their own).
enum class Action : std::uint8_t { send, history, typing, mark };
inline constexpr std::size_t action_count = 4;

struct ActionLimits {
  sio::util::RateLimit send{};
  sio::util::RateLimit history{};
  sio::util::RateLimit typing{};  // for the `typing` event, when it comes
  sio::util::RateLimit mark{};    // mark_read, mark_delivered

  const sio::util::RateLimit& of(Action action) const;
};

class Allowance {
 public:
  Allowance(const ActionLimits& limits, sio::util::RateClock::time_point now);

  // Spends one token of `action`'s bucket, or says how long until there is one.
  sio::util::RateDecision take(Action action, sio::util::RateClock::time_point now);
  // Puts back what take() spent (a request refused by another limit does not count here).
  void give_back(Action action, sio::util::RateClock::time_point now);
  // Every bucket full again: nothing worth remembering.
  bool refilled(sio::util::RateClock::time_point now) const;

 private:
  // The table's: sockets may outlive the table (at shutdown), but none takes a token then.
  const ActionLimits& limits_;
  mutable std::mutex mutex_;  // this user's (or address's) sockets only
  std::array<sio::util::TokenBucket, action_count> buckets_;
};

class AllowanceTable {
 public:
  explicit AllowanceTable(ActionLimits limits);

  // The allowance of `key` (a user id, an address), shared with the key's other sockets.
  std::shared_ptr<Allowance> find(std::string_view key);
  // Allowances held (of connected keys, and of recent ones whose buckets have not refilled).
  std::size_t size() const;
  const ActionLimits& limits() const { return limits_; }

 private:
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
  };
  void sweep(sio::util::RateClock::time_point now);

  const ActionLimits limits_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<Allowance>, KeyHash, std::equal_to<>> table_;
  std::size_t sweep_at_ = 1024;  // the next sweep when the table reaches this size
};

// Whether `address` is a loopback address (127.0.0.0/8, ::1): a reverse proxy on this machine
// that is not declared in TRUSTED_PROXIES makes every client look like one.
bool is_loopback_address(std::string_view address);

}  // namespace parley::chat
