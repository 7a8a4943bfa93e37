// One run of the generator: the users with their tokens, the target, the worker threads, and the
// operations the modes are made of (connect everyone, run one measured step, handshake loops).
// Driven from the main thread; the workers do the I/O.
#pragma once

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "options.hpp"
#include "report.hpp"
#include "resources.hpp"
#include "worker.hpp"

namespace parley_bench {

class LoadRun {
 public:
  explicit LoadRun(const Options& options);

  bool prepare(std::string& error);

  void start_workers();

  RunInfo info() const;

  // The sum over workers of one live counter, e.g. sum(&LiveCounters::delivered).
  template <typename F>
  uint64_t sum(F field) const {
    uint64_t total = 0;
    for (const auto& w : workers_) total += (w->live().*field).load(std::memory_order_relaxed);
    return total;
  }

  struct ConnectOutcome {
    uint64_t connected = 0;
    uint64_t failed = 0;
    double seconds = 0;
    bool timed_out = false;
  };

  // Opens `count` connections, connection i as user i % users, on worker i % threads.
  ConnectOutcome connect(uint32_t count, uint32_t concurrency, ResourceWindow* window);
  // Opens one connection for each of `users`, user u on worker u % threads (where connect put it).
  ConnectOutcome reconnect(const std::vector<uint32_t>& users, uint32_t concurrency, ResourceWindow* window);

  // The presence mode's storm: drops the connections of `users` at once with a TCP reset (see
  // Worker::drop). Returns the seconds until every worker saw them all end.
  double drop_connections(const std::vector<uint32_t>& users);

  // Counts and judges the presence pushes (and every other event) that reach the users, from now
  // until end_presence_watch; `stormed` is 1 for each user the storm drops.
  void watch_presence(const std::vector<uint8_t>& stormed);
  PresenceCounts end_presence_watch();

  std::vector<std::string> connection_errors();

  // The typing mode, after create_groups: every worker feeds `watch` (null: no longer), and a
  // change goes out from the worker that holds its user's connection.
  void watch_typing(const std::shared_ptr<TypingWatch>& watch);
  void send_typing(const TypingChange& change);

  void close_all(std::chrono::seconds limit);

  void stop();

  void start_handshakes(uint32_t concurrency, Transport transport, int64_t deadline_ns);

  HandshakeCounters end_handshakes();

  struct GroupSetup {
    uint64_t created = 0;
    uint64_t failed = 0;  // refused, unanswered in time, or the creator not connected
    double seconds = 0;
    std::vector<std::string> errors;
  };

  // The group and presence modes, after connect: every group of the rosters created by its
  // creator (the worker holding the creator's connection), their conversation ids kept for the
  // step. Call before start_step. A creation unanswered while no other answer came for
  // --connect-timeout has failed.
  GroupSetup create_groups(uint32_t concurrency);

  // What a step sends: one-to-one messages to random other users, or messages to the sender's
  // group (the group mode, after create_groups).
  enum class Traffic { direct, group };

  // One measured step: `rate` msgs/s for `seconds`, then the drain. With `give_up_backlog_s`,
  // sending stops early once more than that many seconds' worth of messages are undelivered
  // (the step has failed anyway, and a huge backlog would spoil the next steps).
  StepResult run_step(uint32_t id, double rate, double seconds, double give_up_backlog_s = 0,
                      Traffic traffic = Traffic::direct);

  // Waits until no receive_message has arrived for a while (a failed step may leave a backlog
  // in the server that would spoil the next step).
  void quiesce(int64_t deadline_ns);

  // When an event (of any name) last reached a user; 0 if none ever did.
  int64_t last_event_ns() const {
    int64_t last = 0;
    for (const auto& w : workers_) last = std::max(last, w->live().last_event_ns.load(std::memory_order_relaxed));
    return last;
  }

  struct Quiet {
    bool reached = false;
    int64_t last_event_ns = 0;  // when an event last came (as seen by polling), or the start
  };
  // Waits until no event of any name has reached the users for `quiet_s`, and not before
  // `not_before_ns`; gives up at `deadline_ns`.
  Quiet wait_for_quiet(double quiet_s, int64_t not_before_ns, int64_t deadline_ns, ResourceWindow* window);

  const Options& options() const { return options_; }
  const RunShared& shared() const { return shared_; }

 private:
  const Options& options_;
  ConnectOutcome open(std::vector<std::vector<uint32_t>> users, std::vector<std::vector<uint32_t>> global,
                      uint32_t count, uint32_t concurrency, ResourceWindow* window);

  RunShared shared_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::string started_at_;
};

}  // namespace parley_bench
