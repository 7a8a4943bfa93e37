// The rate schedule of `max`: which rate to try next, given how the earlier steps went. Pure
// (no I/O, no clock), so that the search's rules are unit-tested; run_max adds the time budget
// and the step cap.
//
// It ramps up by `step_factor` while the server is far from the bound, then by the gentler
// `fine_factor` once a passing step's p99 has used `fine_from` of the bound: a doubling step
// into deep overload leaves a backlog (queues, an unflushed store) that weighs on the steps
// after it, so the bisection that follows would measure the aftermath rather than the server.
// After the first failure it bisects between the best pass and the lowest failure.
#pragma once

#include <optional>
#include <string>

namespace parley_bench {

struct SearchPlan {
  double start_rate = 1'000;
  double step_factor = 2;
  double fine_factor = 1.15;
  double fine_from = 0.1;  // fraction of the p99 bound
  double p99_bound_ms = 100;
  double max_rate = 1'000'000;
  double precision = 0.05;  // relative width of the final bracket
};

class RateSearch {
 public:
  explicit RateSearch(SearchPlan plan) : plan_(plan) {}

  // The rate of the next step; nullopt once the search has its answer (see `finished_because`).
  std::optional<double> next_rate() const;
  // The outcome of a step at `rate`.
  void record(double rate, bool passed, double p99_ms);

  double best() const { return best_; }                    // highest passing rate; 0: none
  double lowest_failure() const { return lowest_fail_; }  // 0: none
  // Why next_rate() is empty, or "" while it is not.
  std::string finished_because() const;

 private:
  bool ramping() const { return lowest_fail_ == 0; }

  SearchPlan plan_;
  double best_ = 0;
  double lowest_fail_ = 0;
  double last_pass_rate_ = 0;   // the ramp goes on from the last pass
  double last_pass_p99_ms_ = 0;
  bool started_ = false;
};

}  // namespace parley_bench
