// What the modes that send messages (rate, max, group) share: connecting every user before
// measuring, judging a step, and writing the JSON report.
#pragma once

#include <optional>
#include <string>

#include "load_run.hpp"
#include "options.hpp"
#include "report.hpp"

namespace parley_bench {

// What a step must show to pass in `max` (and to exit 0 in `rate` and `group`): nothing lost,
// refused, duplicated, misrouted or skipped, and with a bound, its p99 and its send rate.
void judge_step(StepResult& r, std::optional<double> p99_bound_ms);

// Writes `json` to --out, when given; false (and says so) when it cannot.
bool write_report(const Options& options, const std::string& json);

// Connects every user of the run and checks that none is dropped right after; false (and says
// why on stderr) when the run cannot go on.
bool connect_every_user(LoadRun& bench);

}  // namespace parley_bench
