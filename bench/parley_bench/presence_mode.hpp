// The presence mode: U users connected, each in C overlapping groups of M members
// (presence_layout.hpp), then one reconnect storm: every connection (or --storm-fraction of them)
// dropped at once with a TCP reset, and reconnected, at once or after --offline-s. Measures the
// time until all are back, the server's and the generator's CPU from the drop until quiet again,
// and the presence pushes that reached the users, judged by presence_tally.hpp.
#pragma once

#include <string>

#include "load_run.hpp"

namespace parley_bench {

// Runs it on `bench` (prepared, workers started). The exit code as run_mode's.
int run_presence(LoadRun& bench, const std::string& command_line);

}  // namespace parley_bench
