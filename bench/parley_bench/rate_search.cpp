#include "rate_search.hpp"

#include <algorithm>
#include <cmath>

namespace parley_bench {

std::optional<double> RateSearch::next_rate() const {
  if (!started_) return std::min(plan_.start_rate, plan_.max_rate);
  if (ramping()) {
    if (last_pass_rate_ >= plan_.max_rate) return std::nullopt;
    bool near_bound = last_pass_p99_ms_ > plan_.fine_from * plan_.p99_bound_ms;
    double factor = near_bound ? plan_.fine_factor : plan_.step_factor;
    // At least one msg/s more, so that a small rate times a gentle factor still moves.
    return std::min(std::max(std::round(last_pass_rate_ * factor), last_pass_rate_ + 1), plan_.max_rate);
  }
  if ((lowest_fail_ - best_) / lowest_fail_ <= plan_.precision) return std::nullopt;
  return std::round((best_ + lowest_fail_) / 2);
}

void RateSearch::record(double rate, bool passed, double p99_ms) {
  started_ = true;
  if (passed) {
    best_ = std::max(best_, rate);
    if (ramping()) {
      last_pass_rate_ = rate;
      last_pass_p99_ms_ = p99_ms;
    }
  } else if (lowest_fail_ == 0 || rate < lowest_fail_) {
    lowest_fail_ = rate;
  }
}

std::string RateSearch::finished_because() const {
  if (next_rate()) return {};
  return ramping() ? "reached --max-rate" : "bracket within --precision";
}

}  // namespace parley_bench
