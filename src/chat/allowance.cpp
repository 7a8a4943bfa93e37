#include "chat/allowance.hpp"

#include <algorithm>

namespace parley::chat {

using sio::util::RateClock;

const sio::util::RateLimit& ActionLimits::of(Action action) const {
  switch (action) {
    case Action::send: return send;
    case Action::history: return history;
    case Action::typing: return typing;
    case Action::mark: return mark;
  }
  return send;
}

Allowance::Allowance(const ActionLimits& limits, RateClock::time_point now) : limits_(limits) {
  for (std::size_t i = 0; i < action_count; ++i) {
    buckets_[i] = sio::util::TokenBucket(limits_.of(static_cast<Action>(i)), now);
  }
}

sio::util::RateDecision Allowance::take(Action action, RateClock::time_point now) {
  const auto& limit = limits_.of(action);
  if (!limit.enabled()) return {};
  std::lock_guard lock(mutex_);
  return buckets_[static_cast<std::size_t>(action)].take(limit, now);
}

void Allowance::give_back(Action action, RateClock::time_point now) {
  const auto& limit = limits_.of(action);
  if (!limit.enabled()) return;
  std::lock_guard lock(mutex_);
  buckets_[static_cast<std::size_t>(action)].give_back(limit, now);
}

bool Allowance::refilled(RateClock::time_point now) const {
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < action_count; ++i) {
    if (!buckets_[i].full(limits_.of(static_cast<Action>(i)), now)) return false;
  }
  return true;
}

AllowanceTable::AllowanceTable(ActionLimits limits) : limits_(limits) {}

std::shared_ptr<Allowance> AllowanceTable::find(std::string_view key) {
  auto now = RateClock::now();
  std::lock_guard lock(mutex_);
  if (table_.size() >= sweep_at_) sweep(now);
  auto it = table_.find(key);
  if (it == table_.end()) it = table_.emplace(std::string(key), std::make_shared<Allowance>(limits_, now)).first;
  return it->second;
}

// Drops the allowances that no socket holds (the table's is the only reference: none can be
// copied meanwhile, since sockets get theirs from here, under this lock) and whose buckets are
// full. Runs when the table has doubled since the last sweep: O(1) per find, amortized.
void AllowanceTable::sweep(RateClock::time_point now) {
  std::erase_if(table_, [&](const auto& entry) { return entry.second.use_count() == 1 && entry.second->refilled(now); });
  sweep_at_ = std::max<std::size_t>(1024, 2 * table_.size());
}

std::size_t AllowanceTable::size() const {
  std::lock_guard lock(mutex_);
  return table_.size();
}

bool is_loopback_address(std::string_view address) {
  return address.starts_with("127.") || address == "::1" || address.starts_with("::ffff:127.");
}

}  // namespace parley::chat
