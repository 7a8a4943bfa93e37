// The typing mode: G groups of M members created with create_conversation, then R typing
// changes per second in all for D seconds, one in flight per group (typing_plan.hpp): every
// typing_update matched to the change that caused it, its fan-out latency measured, every
// update lost or unexpected counted; server and generator CPU over the window.
#pragma once

#include <string>

#include "load_run.hpp"

namespace parley_bench {

// Runs it on `bench` (prepared, workers started). The exit code as run_mode's.
int run_typing(LoadRun& bench, const std::string& command_line);

}  // namespace parley_bench
