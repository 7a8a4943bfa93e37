// The seven measurements (rate, max, connections, handshake, group, presence, typing) and the make-users helper: each
// sets up workers, drives them from the main thread, samples /proc, and reports.
#pragma once

#include <string>

#include "options.hpp"

namespace parley_bench {

// Runs the mode of `options` (already validated). Returns the process exit code: 0 when the
// run completed and found nothing wrong, 1 when it found losses or failures, 2 when it could
// not run.
int run_mode(const Options& options, const std::string& command_line);

}  // namespace parley_bench
