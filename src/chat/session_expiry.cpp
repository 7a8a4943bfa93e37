#include "chat/session_expiry.hpp"

#include <chrono>
#include <set>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/system_timer.hpp>

namespace parley::chat {

namespace {

using Clock = std::chrono::system_clock;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch()).count();
}

}  // namespace

struct SessionExpiry::Loop {
  explicit Loop(boost::asio::io_context& context) : timer(context) {}
  boost::asio::system_timer timer;
  // Raw pointers: a socket leaves the set (forget) before it is destroyed.
  std::set<std::pair<std::int64_t, sio::Socket*>> deadlines;
  std::int64_t armed_for = INT64_MAX;  // the deadline the timer waits for; INT64_MAX: none
};

SessionExpiry::SessionExpiry(sio::transport::EventLoops& loops, Expire expire) : expire_(std::move(expire)) {
  for (std::size_t i = 0; i < loops.size(); ++i) loops_.push_back(std::make_unique<Loop>(loops.context(i)));
}

SessionExpiry::~SessionExpiry() = default;

void SessionExpiry::watch(sio::Socket& socket, std::int64_t deadline_ms) {
  Loop& loop = *loops_[socket.loop()];
  loop.deadlines.emplace(deadline_ms, &socket);
  if (deadline_ms < loop.armed_for) arm(loop, deadline_ms);
}

void SessionExpiry::forget(sio::Socket& socket, std::int64_t deadline_ms) {
  // The timer stays armed for a deadline that may be gone: it then fires once for nothing,
  // which costs less than re-arming on every disconnect.
  loops_[socket.loop()]->deadlines.erase({deadline_ms, &socket});
}

std::size_t SessionExpiry::watched(std::size_t loop) const { return loops_[loop]->deadlines.size(); }

void SessionExpiry::arm(Loop& loop, std::int64_t deadline_ms) {
  loop.armed_for = deadline_ms;
  // Re-arming cancels the wait before it: that handler sees operation_aborted and returns.
  loop.timer.expires_at(Clock::time_point(std::chrono::milliseconds(deadline_ms)));
  loop.timer.async_wait([this, &loop](const boost::system::error_code& error) {
    if (!error) fire(loop);
  });
}

void SessionExpiry::fire(Loop& loop) {
  loop.armed_for = INT64_MAX;
  std::int64_t now = now_ms();
  // Taken out first: expiring a socket disconnects it, and its forget() then finds nothing.
  // Handles, not pointers: expiring one socket may end another of the same connection.
  std::vector<sio::Socket::Ref> due;
  while (!loop.deadlines.empty() && loop.deadlines.begin()->first <= now) {
    due.push_back(loop.deadlines.begin()->second->ref());
    loop.deadlines.erase(loop.deadlines.begin());
  }
  // On this loop, post() runs at once, and only for a socket still connected.
  for (const auto& socket : due) socket.post([this](sio::Socket& s) { expire_(s); });
  if (!loop.deadlines.empty() && loop.deadlines.begin()->first < loop.armed_for) arm(loop, loop.deadlines.begin()->first);
}

}  // namespace parley::chat
