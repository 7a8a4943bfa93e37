// A PostgreSQL connection that comes back by itself. Lost (the server restarted, the network
// failed), it is retried right away and then in the background with backoff, 100 ms doubling to
// 2 s; meanwhile its owner fails work at once instead of waiting for the database. The links of
// one store share a LinkGroup: once one of them is connected again, the database is known to be
// back and the others retry at once instead of sleeping out their backoff (a read must not fail
// on one reader while another already answers).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "store/pg_connection.hpp"

namespace parley::store::pg {

// What the links of one store know together: how many times one of them has connected.
struct LinkGroup {
  std::atomic<std::uint64_t> connects{0};
};

class Link {
 public:
  // `setup` prepares a new connection (statements); when it throws, the attempt counts as failed.
  // `role` names the link in the log ("writer", "reader 1"). `group` outlives the link.
  Link(std::string url, std::string role, std::function<void(Connection&)> setup, LinkGroup& group);

  // The live connection, or null while the database is unreachable. Finds out about a
  // connection the server closed while idle, and reconnects when an attempt is due.
  Connection* get();
  // Drops the connection after it failed; the next get() tries a new one at once.
  void drop(const std::string& why);
  // While down: when the next attempt is due (time_point::max() while up; now when another link
  // of the group has connected since this one failed).
  Clock::time_point retry_at() const;
  // Whether the link has a connection (readable from any thread).
  bool up() const { return up_.load(std::memory_order_relaxed); }

 private:
  std::string url_;
  std::string role_;
  std::function<void(Connection&)> setup_;
  std::unique_ptr<Connection> conn_;
  Clock::time_point retry_at_ = Clock::time_point::min();
  Clock::duration backoff_;
  LinkGroup& group_;
  std::uint64_t group_connects_at_failure_ = 0;  // the group's count when this link last failed
  bool reported_down_ = false;  // log a loss once, not every attempt
  std::atomic<bool> up_{false};
};

}  // namespace parley::store::pg
