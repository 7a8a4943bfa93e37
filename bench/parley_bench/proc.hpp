// What /proc says about the server under test (a pid and all its descendants) and about the
// generator itself: CPU time and resident memory, sampled around each measurement.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace parley_bench {

struct ProcessSample {
  double cpu_s = 0;       // user + system CPU of the process tree
  uint64_t rss_kb = 0;    // VmRSS summed over the tree
  uint32_t processes = 0; // how many processes the tree has
};

// The pid and every live descendant, from /proc/*/stat. Empty when `pid` is gone.
std::vector<int> process_tree(int pid);

// CPU and RSS of `pid` and its descendants; nullopt when `pid` does not exist.
std::optional<ProcessSample> sample_process_tree(int pid);

// CPU time the whole machine spent busy (every core, every process, interrupts included), from
// /proc/stat; 0 when unreadable.
double machine_busy_cpu_seconds();

// This process's CPU time (all threads), from getrusage.
double own_cpu_seconds();
// This process's VmRSS.
uint64_t own_rss_kb();

// Raises this process's open-file limit as far as the system allows; returns the new soft limit.
uint64_t raise_file_limit(uint64_t wanted);

}  // namespace parley_bench
