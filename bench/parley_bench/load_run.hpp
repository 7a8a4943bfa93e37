// One run of the generator: the users with their tokens, the target, the worker threads, and the
// operations the modes are made of (connect everyone, run one measured step, handshake loops).
// Driven from the main thread; the workers do the I/O.
#pragma once

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

  std::vector<std::string> connection_errors();

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

  // The group mode, after connect: every group created by its creator (the worker holding the
  // creator's connection), their conversation ids kept for the step. Call before start_step.
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

  const Options& options() const { return options_; }
  const RunShared& shared() const { return shared_; }

 private:
  const Options& options_;
  RunShared shared_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::string started_at_;
};

}  // namespace parley_bench
