// The group mode: G groups of M members created with create_conversation, then R msgs/s from
// random members to their own group for D seconds; sends/s, deliveries/s (M-1 per send),
// delivery latency and every loss, duplicate or misrouting (see group_plan.hpp).
#pragma once

#include <string>

#include "load_run.hpp"

namespace parley_bench {

// Runs it on `bench` (prepared, workers started). The exit code as run_mode's.
int run_group(LoadRun& bench, const std::string& command_line);

}  // namespace parley_bench
