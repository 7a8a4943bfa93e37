#include "presence_mode.hpp"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <thread>

#include "mode_steps.hpp"
#include "presence_layout.hpp"
#include "presence_tally.hpp"
#include "proc.hpp"
#include "report.hpp"

namespace parley_bench {

namespace {

using namespace std::chrono_literals;

// CPU used so far by the server (0 without --pid) and by the generator, at one moment.
struct CpuMark {
  int64_t ns = 0;
  double server_s = 0;
  double generator_s = 0;
};

CpuMark mark_cpu(int pid) {
  CpuMark mark{now_ns(), 0, own_cpu_seconds()};
  if (pid > 0) {
    if (auto sample = sample_process_tree(pid)) mark.server_s = sample->cpu_s;
  }
  return mark;
}

StormPhase phase_between(const CpuMark& from, const CpuMark& to) {
  return StormPhase{seconds_between(from.ns, to.ns), to.server_s - from.server_s, to.generator_s - from.generator_s};
}

int64_t ns_after(int64_t from, double seconds) { return from + static_cast<int64_t>(seconds * 1e9); }

void fill_pushes(PresenceResult& r, const PresenceCounts& counts) {
  r.online_pushes = counts.online;
  r.offline_pushes = counts.offline;
  r.malformed = counts.malformed;
  r.not_contact = counts.not_contact;
  r.not_stormed = counts.not_stormed;
  r.repeated = counts.repeated;
  if (!counts.per_receiver.empty()) {
    r.pushes_per_user_max = *std::max_element(counts.per_receiver.begin(), counts.per_receiver.end());
    r.pushes_per_user_mean = static_cast<double>(counts.pushes()) / static_cast<double>(counts.per_receiver.size());
  }
  if (r.stormed > 0) r.pushes_per_stormed_user = static_cast<double>(counts.pushes()) / r.stormed;
  for (const auto& [name, count] : counts.other) {
    r.other_events.emplace_back(name, count);
    if (name == "error") r.error_events = count;
  }
}

}  // namespace

int run_presence(LoadRun& bench, const std::string& command_line) {
  const Options& o = bench.options();
  const RunShared& shared = bench.shared();
  if (!connect_every_user(bench)) return 2;
  PresenceResult r;
  r.users = static_cast<uint32_t>(shared.users.size());
  r.conversations_per_user = o.conversations_per_user;
  r.members = o.members;
  r.groups = shared.rosters.groups();
  auto contacts = contact_stats(shared.contacts);
  r.contacts_min = contacts.min;
  r.contacts_max = contacts.max;
  r.contacts_mean = contacts.mean;
  r.offline_s = o.offline_s;
  r.presence_grace_s = o.presence_grace_s;

  auto setup = bench.create_groups(o.create_concurrency);
  r.created = setup.created;
  r.create_failed = setup.failed;
  r.create_seconds = setup.seconds;
  r.create_errors = setup.errors;
  print_presence_setup(std::cout, r);
  if (setup.failed > 0) {
    std::cerr << "parley-bench: " << setup.failed << " of " << r.groups
              << " groups could not be created (does the server have create_conversation?)\n";
    return 2;
  }
  // The creations' pushes (the `created` message and conversation_updated to every member) must
  // be over before the storm, and so must the presence pushes the new contacts may bring.
  auto settle_start = now_ns();
  auto settled = bench.wait_for_quiet(o.quiet_s, 0, ns_after(settle_start, o.duration_s), nullptr);
  r.settle_seconds = seconds_between(settle_start, now_ns());
  if (!settled.reached) {
    std::cerr << "parley-bench: still receiving events " << o.duration_s << " s after the creations\n";
    return 2;
  }
  // What holding the connections costs while nothing happens (Engine.IO pings), to tell the
  // storm's own cost from it. It also lets the server finish what the creations left it (15 %
  // of a core for a couple of seconds after 20,000 of them in one run, with nothing sent), so
  // that none of it lands in the storm.
  if (o.idle_s > 0) {
    ResourceWindow idle(o.pid);
    idle.begin();
    std::this_thread::sleep_for(std::chrono::duration<double>(o.idle_s));
    ResourceUse server, generator;
    idle.end(server, generator);
    r.idle_server_cores = server.sampled ? server.cores() : 0;
    r.idle_generator_cores = generator.cores();
  }
  print_presence_idle(std::cout, r);

  auto stormed = stormed_users(r.users, o.storm_fraction);
  std::vector<uint8_t> is_stormed(r.users, 0);
  for (uint32_t user : stormed) is_stormed[user] = 1;
  r.stormed = static_cast<uint32_t>(stormed.size());
  if (stormed.empty()) {
    std::cerr << "parley-bench: --storm-fraction " << o.storm_fraction << " of " << r.users << " users drops nobody\n";
    return 2;
  }
  std::cout << "  storm: dropping " << r.stormed << " connections (TCP reset), reconnecting ";
  if (o.offline_s > 0) {
    std::cout << "after " << o.offline_s << " s\n";
  } else {
    std::cout << "at once\n";
  }
  std::cout.flush();

  bench.watch_presence(is_stormed);
  ResourceWindow window(o.pid);
  window.begin();
  auto dropped_at = mark_cpu(o.pid);
  r.drop_seconds = bench.drop_connections(stormed);
  while (now_ns() < ns_after(dropped_at.ns, o.offline_s)) {
    window.poll();
    std::this_thread::sleep_for(10ms);
  }
  auto reconnect_from = mark_cpu(o.pid);
  auto outcome = bench.reconnect(stormed, o.connect_concurrency, &window);
  auto back_at = mark_cpu(o.pid);
  window.mark_busy_end();
  r.reconnected = outcome.connected;
  r.reconnect_failed = r.stormed - std::min<uint64_t>(r.stormed, outcome.connected);
  r.reconnect_timed_out = outcome.timed_out;
  r.reconnect_seconds = outcome.seconds;
  r.reconnected_at = seconds_between(dropped_at.ns, back_at.ns);

  // Pushes may still be due until the last grace has ended and the fold interval after it
  // (min(3 s, grace)) has passed; after that, quiet means the storm is over.
  double interval = std::min(3.0, o.presence_grace_s);
  auto not_before = std::max(back_at.ns, ns_after(dropped_at.ns, o.presence_grace_s + interval + 0.5));
  auto quiet = bench.wait_for_quiet(o.quiet_s, not_before, ns_after(dropped_at.ns, o.duration_s), &window);
  auto quiet_at = mark_cpu(o.pid);
  window.end(r.server, r.generator);
  r.quiet = quiet.reached;
  r.window_seconds = seconds_between(dropped_at.ns, quiet_at.ns);
  if (auto last = bench.last_event_ns(); last > dropped_at.ns) r.last_event_at = seconds_between(dropped_at.ns, last);
  r.offline = phase_between(dropped_at, reconnect_from);
  r.reconnect = phase_between(reconnect_from, back_at);
  r.settle = phase_between(back_at, quiet_at);
  if (r.server.sampled) r.server_cpu_s_above_idle = r.server.cpu_s - r.idle_server_cores * r.server.wall_s;
  r.other_cores = window.other_cores(r.server, r.generator);
  judge_cpu(r.generator, r.server, o.threads, r.generator_limited, r.machine_saturated);

  fill_pushes(r, bench.end_presence_watch());
  r.disconnects = bench.sum(&LiveCounters::disconnected);
  r.errors = bench.connection_errors();
  judge_storm(r);
  print_presence(std::cout, r);
  auto info = bench.info();
  info.command_line = command_line;
  bench.close_all(20s);
  if (!write_report(o, presence_json(info, r))) return 2;
  return r.passed ? 0 : 1;
}

}  // namespace parley_bench
