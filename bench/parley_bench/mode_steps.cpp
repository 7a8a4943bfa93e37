#include "mode_steps.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>

namespace parley_bench {

using namespace std::chrono_literals;

// What a step must show to pass in `max` (and to exit 0 in `rate`).
void judge_step(StepResult& r, std::optional<double> p99_bound_ms) {
  std::vector<std::string> reasons;
  auto add = [&](uint64_t n, const char* what) {
    if (n) reasons.push_back(std::to_string(n) + " " + what);
  };
  add(r.lost, "lost");
  add(r.failed_acks, "failed acks");
  add(r.unacked, "unacked");
  add(r.duplicated, "duplicated");
  add(r.misrouted, "misrouted");
  add(r.error_events, "error events");
  add(r.skipped, "not sent (backpressure)");
  add(r.disconnects, "disconnects");
  if (r.stopped_early) reasons.emplace_back("stopped early: over a second's worth of messages undelivered");
  if (p99_bound_ms && r.delivery.p99_ms > *p99_bound_ms) {
    char text[96];
    std::snprintf(text, sizeof text, "p99 %.1f ms > %.0f ms", r.delivery.p99_ms, *p99_bound_ms);
    reasons.emplace_back(text);
  }
  if (p99_bound_ms && r.achieved_rate < 0.95 * r.target_rate) {
    char text[96];
    std::snprintf(text, sizeof text, "sent only %.0f%% of the target rate", 100 * r.achieved_rate / r.target_rate);
    reasons.emplace_back(text);
  }
  r.passed = reasons.empty();
  r.verdict.clear();
  for (std::size_t i = 0; i < reasons.size(); ++i) r.verdict += (i ? "; " : "") + reasons[i];
}

bool write_report(const Options& options, const std::string& json) {
  if (options.out.empty()) return true;
  std::ofstream file(options.out, std::ios::binary | std::ios::trunc);
  file << json;
  if (!file.flush()) {
    std::cerr << "parley-bench: cannot write " << options.out << "\n";
    return false;
  }
  return true;
}

bool connect_every_user(LoadRun& bench) {
  auto users = static_cast<uint32_t>(bench.shared().users.size());
  if (users < 2) {
    std::cerr << "parley-bench: at least 2 users are needed to send messages\n";
    return false;
  }
  auto outcome = bench.connect(users, bench.options().connect_concurrency, nullptr);
  if (outcome.connected < users) {
    std::cerr << "parley-bench: " << (users - outcome.connected) << " of " << users << " users could not connect"
              << (outcome.timed_out ? " in time" : "") << "\n";
    for (const auto& e : bench.connection_errors()) std::cerr << "  ! " << e << "\n";
    return false;
  }
  // Servers that refuse a token after CONNECT (the seed's "immediate disconnection") drop the
  // connection right away: give them a moment to show it.
  std::this_thread::sleep_for(300ms);
  if (auto dropped = bench.sum(&LiveCounters::disconnected)) {
    std::cerr << "parley-bench: " << dropped << " of " << users << " users were disconnected right after connecting"
              << " (wrong --secret or tokens?)\n";
    for (const auto& e : bench.connection_errors()) std::cerr << "  ! " << e << "\n";
    return false;
  }
  std::cout << "  connected " << users << " users in " << outcome.seconds << " s\n";
  return true;
}

}  // namespace parley_bench
