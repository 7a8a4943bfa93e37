#include "typing_mode.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <memory>
#include <thread>

#include "mode_steps.hpp"
#include "typing_report.hpp"

namespace parley_bench {

namespace {

using namespace std::chrono_literals;

// The schedule is kept from the main thread, which otherwise only waits: a tick of 1 ms is
// finer than any group's turn at the rates a typing indicator sees.
constexpr auto tick = 1ms;
constexpr int64_t give_up_check_ns = 10'000'000;

int64_t ns_of(double seconds) { return static_cast<int64_t>(seconds * 1e9); }

}  // namespace

int run_typing(LoadRun& bench, const std::string& command_line) {
  const Options& o = bench.options();
  const RunShared& shared = bench.shared();
  if (!connect_every_user(bench)) return 2;
  TypingResult r;
  r.groups = o.groups;
  r.members = o.members;
  auto setup = bench.create_groups(o.create_concurrency);
  r.created = setup.created;
  r.create_failed = setup.failed;
  r.create_seconds = setup.seconds;
  r.create_errors = setup.errors;
  print_typing_setup(std::cout, r);
  if (setup.failed > 0) {
    std::cerr << "parley-bench: " << setup.failed << " of " << o.groups
              << " groups could not be created (does the server have create_conversation?)\n";
    return 2;
  }
  // The creation pushes must be over before anything is measured.
  bench.quiesce(now_ns() + 5'000'000'000LL);

  TypingPacing pacing;
  pacing.min_gap_ns = ns_of(1 / o.user_typing_rate);
  pacing.max_typing_ns = ns_of(o.typing_timeout_s / 2);
  pacing.give_up_ns = ns_of(std::max(0.1, o.drain_s));
  r.target_rate = o.rate;
  r.duration_s = o.duration_s;
  r.user_rate = o.user_typing_rate;
  r.max_typing_s = o.typing_timeout_s / 2;
  r.give_up_s = static_cast<double>(pacing.give_up_ns) / 1e9;
  auto watch = std::make_shared<TypingWatch>(
      TypingBoard(shared.layout, shared.conversation_ids, pacing, static_cast<uint64_t>(now_ns())));
  bench.watch_typing(watch);
  std::this_thread::sleep_for(20ms);  // the workers have the watch before the first change

  ResourceWindow window(o.pid);
  window.begin();
  const auto total = static_cast<uint64_t>(std::llround(o.rate * o.duration_s));
  const int64_t start = now_ns();
  const int64_t planned_end = start + ns_of(o.duration_s);
  int64_t next_give_up_check = start;
  while (r.attempted < total && now_ns() < planned_end + 5'000'000'000LL) {
    int64_t now = now_ns();
    auto due = std::min<uint64_t>(total, static_cast<uint64_t>(static_cast<double>(now - start) * o.rate / 1e9));
    for (; r.attempted < due; ++r.attempted) {
      std::optional<TypingChange> change;
      {
        std::lock_guard lock(watch->mutex);
        change = watch->board.begin_change(now);
      }
      if (change) {
        bench.send_typing(*change);
      } else {
        ++r.skipped;
      }
    }
    if (now >= next_give_up_check) {
      next_give_up_check = now + give_up_check_ns;
      std::lock_guard lock(watch->mutex);
      watch->board.give_up(now);
    }
    window.poll();
    std::this_thread::sleep_for(tick);
  }
  window.mark_busy_end();
  // The drain: until every change is complete, or the last ones are given up.
  const int64_t drain_deadline = std::max(now_ns(), planned_end) + pacing.give_up_ns;
  while (now_ns() < drain_deadline) {
    {
      std::lock_guard lock(watch->mutex);
      watch->board.give_up(now_ns());
      if (watch->board.in_flight() == 0) break;
    }
    window.poll();
    std::this_thread::sleep_for(tick);
  }
  {
    std::lock_guard lock(watch->mutex);
    watch->board.give_up(now_ns(), true);
    r.tally = watch->board.tally();
  }
  window.end(r.server, r.generator);
  // Later updates (the typists' states running out, the closes) are no longer judged.
  bench.watch_typing(nullptr);
  r.other_cores = window.other_cores(r.server, r.generator);
  r.disconnects = bench.sum(&LiveCounters::disconnected);

  const TypingTally& t = r.tally;
  if (t.last_send_ns > t.first_send_ns) r.send_seconds = seconds_between(t.first_send_ns, t.last_send_ns);
  r.changes_per_second = static_cast<double>(t.changes) / std::max(o.duration_s, r.send_seconds);
  if (t.last_delivery_ns > t.first_send_ns) {
    r.updates_per_second = static_cast<double>(t.delivered) /
                           std::max(o.duration_s, seconds_between(t.first_send_ns, t.last_delivery_ns));
  }
  if (t.delivered > 0) {
    // Over the whole window, the drain included: every update's work is in it.
    auto per_update = [&](const ResourceUse& use) { return use.cpu_s * 1e6 / static_cast<double>(t.delivered); };
    if (r.server.sampled) r.server_cpu_us_per_update = per_update(r.server);
    r.generator_cpu_us_per_update = per_update(r.generator);
  }
  judge_cpu(r.generator, r.server, o.threads, r.generator_limited, r.machine_saturated);
  judge_typing(r);
  print_typing(std::cout, r);
  auto info = bench.info();
  info.command_line = command_line;
  bench.close_all(10s);
  if (!write_report(o, typing_json(info, r))) return 2;
  return r.passed ? 0 : 1;
}

}  // namespace parley_bench
