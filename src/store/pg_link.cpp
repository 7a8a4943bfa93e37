#include "store/pg_link.hpp"

#include <spdlog/spdlog.h>

namespace parley::store::pg {

namespace {
constexpr Clock::duration first_backoff = std::chrono::milliseconds(100);
constexpr Clock::duration max_backoff = std::chrono::seconds(2);
// An unreachable host must not hold up the link's owner for longer than this.
constexpr auto connect_timeout = std::chrono::seconds(2);
}  // namespace

Link::Link(std::string url, std::string role, std::function<void(Connection&)> setup)
    : url_(std::move(url)), role_(std::move(role)), setup_(std::move(setup)), backoff_(first_backoff) {}

Connection* Link::get() {
  if (conn_ && !conn_->alive()) drop("the server closed the connection");
  if (conn_) return conn_.get();
  if (Clock::now() < retry_at_) return nullptr;
  try {
    auto conn = std::make_unique<Connection>(url_, connect_timeout);
    setup_(*conn);
    conn_ = std::move(conn);
  } catch (const Error& e) {
    if (!reported_down_) spdlog::warn("PostgreSQL {}: {}; retrying in the background", role_, e.what());
    reported_down_ = true;
    retry_at_ = Clock::now() + backoff_;
    backoff_ = std::min(backoff_ * 2, max_backoff);
    return nullptr;
  }
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
  if (!reported_down_) spdlog::warn("PostgreSQL {}: connection lost ({}); reconnecting", role_, why);
  reported_down_ = true;
}

}  // namespace parley::store::pg
