// CPU and memory over one measurement window: the server's (a pid and its descendants, from
// /proc), the generator's own, and what the rest of the machine took meanwhile; and the verdict on
// who was saturated.
#pragma once

#include <cstdint>

#include "proc.hpp"
#include "report.hpp"

namespace parley_bench {

double seconds_between(int64_t from_ns, int64_t to_ns);

class ResourceWindow {
 public:
  explicit ResourceWindow(int pid) : pid_(pid) {}

  void begin();

  // Keeps the RSS peaks; cheap enough to call every few milliseconds (samples every 250 ms).
  void poll();

  // Cores used by everything but the server and the generator (other tenants of the machine,
  // kernel threads), over the busy window when marked, else the whole window. Call after end().
  double other_cores(const ResourceUse& server, const ResourceUse& generator) const;

  // Marks the end of the busy part (the send window): CPU use is also reported over it alone,
  // since a drain spent waiting would dilute the averages that tell who was saturated.
  void mark_busy_end();

  void end(ResourceUse& server, ResourceUse& generator);

 private:
  int pid_;
  int64_t start_ns_ = 0;
  int64_t last_poll_ns_ = 0;
  double own_cpu_start_ = 0;
  uint64_t own_rss_start_ = 0;
  uint64_t own_peak_kb_ = 0;
  bool has_server_ = false;
  ProcessSample server_start_;
  int64_t busy_end_ns_ = 0;
  int64_t end_ns_ = 0;
  double own_cpu_busy_ = 0;
  double server_cpu_busy_ = 0;
  double machine_cpu_start_ = 0;
  double machine_cpu_busy_ = 0;
  double machine_cpu_end_ = 0;
  uint64_t peak_kb_ = 0;
};

// Flags a result as generator-limited (the generator used 85 % of its threads) or as measured on
// a saturated machine (generator and server together used 90 % of the cores).
void judge_cpu(const ResourceUse& generator, const ResourceUse& server, uint32_t threads, bool& generator_limited,
               bool& machine_saturated);

}  // namespace parley_bench
