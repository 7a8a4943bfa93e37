// What the typing mode found, its verdict, and its two forms: the table on stdout and the JSON
// report (--out). Pure code; the figures come from the board (typing_plan.hpp).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "report.hpp"
#include "typing_plan.hpp"

namespace parley_bench {

struct TypingResult {
  // the layout and its creation
  uint32_t groups = 0;
  uint32_t members = 0;
  uint64_t created = 0;
  uint64_t create_failed = 0;
  double create_seconds = 0;
  std::vector<std::string> create_errors;
  // the traffic asked for
  double target_rate = 0;       // changes/s over every group
  double duration_s = 0;
  double user_rate = 0;         // the most changes/s of one user
  double max_typing_s = 0;      // a typist stops after this long
  double give_up_s = 0;         // a change incomplete after this long is given up
  uint64_t attempted = 0;       // changes scheduled
  uint64_t skipped = 0;         // scheduled, but every group looked at was busy or its members paced
  // what happened (the board's counts)
  TypingTally tally;
  uint64_t disconnects = 0;
  double send_seconds = 0;        // first change to last
  double changes_per_second = 0;  // sent over the planned window (or the send span, if longer)
  double updates_per_second = 0;  // delivered over the first change .. last delivery
  LatencySummary latency, start_latency, stop_latency, ack_latency;
  ResourceUse server;             // over the send window (busy) and the whole run with the drain
  ResourceUse generator;
  double other_cores = 0;
  double server_cpu_us_per_update = 0;     // busy server CPU per delivered update
  double generator_cpu_us_per_update = 0;
  bool generator_limited = false;
  bool machine_saturated = false;
  bool passed = true;
  std::string verdict;
};

// Fills the latency summaries and rates from `tally`, and judges: nothing lost, unexpected,
// refused (RATE_LIMITED included), unacked or unsent, no error event or disconnect, and at most
// 1 % of the scheduled changes skipped.
void judge_typing(TypingResult& result);

void print_typing_setup(std::ostream& out, const TypingResult& result);
void print_typing(std::ostream& out, const TypingResult& result);
std::string typing_json(const RunInfo& info, const TypingResult& result);

}  // namespace parley_bench
