#include "store/pg_link.hpp"

#include <spdlog/spdlog.h>

namespace parley::store::pg {

namespace {
constexpr Clock::duration first_backoff = std::chrono::milliseconds(100);
constexpr Clock::duration max_backoff = std::chrono::seconds(2);
// An unreachable host must not hold up the link's owner for longer than this.
constexpr auto connect_timeout = std::chrono::seconds(2);
}  // namespace

Link::Link(std::string url, std::string role, std::function<void(Connection&)> setup, LinkGroup& group)
    : url_(std::move(url)), role_(std::move(role)), setup_(std::move(setup)), backoff_(first_backoff), group_(group) {}

Clock::time_point Link::retry_at() const {
  if (conn_) return Clock::time_point::max();
  if (group_.connects.load(std::memory_order_acquire) != group_connects_at_failure_) return Clock::time_point::min();
  return retry_at_;
}

Connection* Link::get() {
  if (conn_ && !conn_->alive()) drop("the server closed the connection");
  if (conn_) return conn_.get();
  if (Clock::now() < retry_at()) return nullptr;
  // Read before the attempt: a connect by another link during it still counts as news after it.
  auto connects_before = group_.connects.load(std::memory_order_acquire);
  try {
    auto conn = std::make_unique<Connection>(url_, connect_timeout);
    setup_(*conn);
    conn_ = std::move(conn);
  } catch (const Error& e) {
    if (!reported_down_) spdlog::warn("PostgreSQL {}: {}; retrying in the background", role_, e.what());
    reported_down_ = true;
    retry_at_ = Clock::now() + backoff_;
    backoff_ = std::min(backoff_ * 2, max_backoff);
    group_connects_at_failure_ = connects_before;
    return nullptr;
  }
  group_.connects.fetch_add(1, std::memory_order_acq_rel);
  if (reported_down_) spdlog::info("PostgreSQL {}: connected again", role_);
  reported_down_ = false;
  backoff_ = first_backoff;
  up_ = true;
  return conn_.get();
}

void Link::drop(const std::string& why) {
  conn_.reset();
  up_ = false;
  retry_at_ = Clock::now();
  group_connects_at_failure_ = group_.connects.load(std::memory_order_acquire);
  if (!reported_down_) spdlog::warn("PostgreSQL {}: connection lost ({}); reconnecting", role_, why);
  reported_down_ = true;
}

}  // namespace parley::store::pg
