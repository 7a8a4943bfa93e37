#include "resources.hpp"

#include <algorithm>
#include <thread>

#include "client.hpp"

namespace parley_bench {

double seconds_between(int64_t from_ns, int64_t to_ns) { return static_cast<double>(to_ns - from_ns) / 1e9; }

void ResourceWindow::begin() {
  start_ns_ = now_ns();
  own_cpu_start_ = own_cpu_seconds();
  machine_cpu_start_ = machine_busy_cpu_seconds();
  own_rss_start_ = own_rss_kb();
  auto sample = pid_ > 0 ? sample_process_tree(pid_) : std::nullopt;
  has_server_ = sample.has_value();
  server_start_ = sample.value_or(ProcessSample{});
  peak_kb_ = server_start_.rss_kb;
  own_peak_kb_ = own_rss_start_;
  last_poll_ns_ = start_ns_;
}

// Keeps the RSS peaks; cheap enough to call every few milliseconds (samples every 250 ms).
void ResourceWindow::poll() {
  auto now = now_ns();
  if (now - last_poll_ns_ < 250'000'000) return;
  last_poll_ns_ = now;
  if (has_server_) {
    if (auto s = sample_process_tree(pid_)) peak_kb_ = std::max(peak_kb_, s->rss_kb);
  }
  own_peak_kb_ = std::max(own_peak_kb_, own_rss_kb());
}

// Cores used by everything but the server and the generator (other tenants of the machine,
// kernel threads), over the busy window when marked, else the whole window. Call after end().
double ResourceWindow::other_cores(const ResourceUse& server, const ResourceUse& generator) const {
  bool busy = busy_end_ns_ > start_ns_;
  double wall = seconds_between(start_ns_, busy ? busy_end_ns_ : end_ns_);
  double machine = (busy ? machine_cpu_busy_ : machine_cpu_end_) - machine_cpu_start_;
  if (wall <= 0 || machine_cpu_start_ <= 0) return 0;
  double own = busy ? generator.busy_cpu_s : generator.cpu_s;
  double srv = server.sampled ? (busy ? server.busy_cpu_s : server.cpu_s) : 0;
  return std::max(0.0, (machine - own - srv) / wall);
}

// Marks the end of the busy part (the send window): CPU use is also reported over it alone,
// since a drain spent waiting would dilute the averages that tell who was saturated.
void ResourceWindow::mark_busy_end() {
  busy_end_ns_ = now_ns();
  own_cpu_busy_ = own_cpu_seconds();
  machine_cpu_busy_ = machine_busy_cpu_seconds();
  if (has_server_) {
    if (auto s = sample_process_tree(pid_)) server_cpu_busy_ = s->cpu_s;
  }
}

void ResourceWindow::end(ResourceUse& server, ResourceUse& generator) {
  auto end_ns = now_ns();
  machine_cpu_end_ = machine_busy_cpu_seconds();
  end_ns_ = end_ns;
  double wall = seconds_between(start_ns_, end_ns);
  generator.sampled = true;
  generator.wall_s = wall;
  generator.cpu_s = own_cpu_seconds() - own_cpu_start_;
  generator.rss_kb_start = own_rss_start_;
  generator.rss_kb_end = own_rss_kb();
  generator.rss_kb_peak = std::max(own_peak_kb_, generator.rss_kb_end);
  double busy_wall = busy_end_ns_ > start_ns_ ? seconds_between(start_ns_, busy_end_ns_) : 0;
  if (busy_wall > 0) {
    generator.busy_wall_s = busy_wall;
    generator.busy_cpu_s = own_cpu_busy_ - own_cpu_start_;
  }
  server = ResourceUse{};
  if (!has_server_) return;
  auto s = sample_process_tree(pid_);
  if (!s) return;
  server.sampled = true;
  server.wall_s = wall;
  server.cpu_s = s->cpu_s - server_start_.cpu_s;
  server.rss_kb_start = server_start_.rss_kb;
  server.rss_kb_end = s->rss_kb;
  server.rss_kb_peak = std::max(peak_kb_, s->rss_kb);
  if (busy_wall > 0 && server_cpu_busy_ > 0) {
    server.busy_wall_s = busy_wall;
    server.busy_cpu_s = server_cpu_busy_ - server_start_.cpu_s;
  }
}

void judge_cpu(const ResourceUse& generator, const ResourceUse& server, uint32_t threads, bool& generator_limited,
               bool& machine_saturated) {
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  double usable = std::min<double>(threads, cores);
  generator_limited = generator.busy_cores() >= 0.85 * usable;
  machine_saturated = (generator.busy_cores() + (server.sampled ? server.busy_cores() : 0)) >= 0.9 * cores;
}

}  // namespace parley_bench
