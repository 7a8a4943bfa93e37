#include "modes.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iostream>
#include <optional>
#include <thread>

#include "group_mode.hpp"
#include "presence_mode.hpp"
#include "typing_mode.hpp"
#include "load_run.hpp"
#include "mode_steps.hpp"
#include "proc.hpp"
#include "rate_search.hpp"
#include "report.hpp"
#include "users.hpp"

namespace parley_bench {

namespace {

using namespace std::chrono_literals;

constexpr auto poll_period = 10ms;

int run_rate(LoadRun& bench, const std::string& command_line) {
  const Options& o = bench.options();
  if (!connect_every_user(bench)) return 2;
  auto result = bench.run_step(1, o.rate, o.duration_s);
  judge_step(result, std::nullopt);
  auto info = bench.info();
  info.command_line = command_line;
  print_step(std::cout, result);
  bench.close_all(10s);
  if (!write_report(o, rate_json(info, result))) return 2;
  return result.passed ? 0 : 1;
}

int run_max(LoadRun& bench, const std::string& command_line) {
  const Options& o = bench.options();
  if (!connect_every_user(bench)) return 2;
  MaxResult result;
  result.p99_bound_ms = o.p99_ms;
  auto budget_end = now_ns() + static_cast<int64_t>(o.duration_s * 1e9);
  auto step_need = static_cast<int64_t>((o.step_duration_s + 0.5) * 1e9);
  RateSearch search(SearchPlan{o.start_rate, o.step_factor, o.fine_factor, o.fine_from, o.p99_ms, o.max_rate,
                                o.precision});
  uint32_t step_id = 0;
  print_step_line_header(std::cout);

  while (auto rate = search.next_rate()) {
    if (step_id >= o.max_steps) {
      result.stopped_because = "reached --max-steps";
      break;
    }
    if (now_ns() + step_need > budget_end) {
      result.stopped_because = "time budget (--duration) spent";
      break;
    }
    auto step = bench.run_step(++step_id, *rate, o.step_duration_s, std::max(1.0, 10 * o.p99_ms / 1000));
    judge_step(step, o.p99_ms);
    print_step_line(std::cout, step);
    std::cout.flush();
    double best_before = search.best();
    search.record(*rate, step.passed, step.delivery.p99_ms);
    result.steps.push_back(step);
    if (search.best() > best_before) result.best_step = static_cast<int>(result.steps.size() - 1);
    // What a failed step left queued in the server must not count against the next one.
    if (!step.passed) bench.quiesce(std::min<int64_t>(budget_end, now_ns() + 20'000'000'000LL));
  }
  if (result.stopped_because.empty()) result.stopped_because = search.finished_because();
  result.max_rate_passed = search.best();
  print_max(std::cout, result);
  auto info = bench.info();
  info.command_line = command_line;
  bench.close_all(10s);
  if (!write_report(o, max_json(info, result))) return 2;
  return 0;
}

uint64_t ephemeral_ports() {
  std::ifstream file("/proc/sys/net/ipv4/ip_local_port_range");
  uint64_t low = 32768, high = 60999;
  file >> low >> high;
  return high >= low ? high - low + 1 : 28232;
}

int run_connections(LoadRun& bench, const std::string& command_line) {
  const Options& o = bench.options();
  uint64_t ports = ephemeral_ports();
  if (o.connections > ports * o.source_addresses) {
    auto needed = (o.connections + ports - 1) / ports;
    std::cerr << "parley-bench: " << o.connections << " connections need --source-addresses " << needed
              << " or more (" << ports << " ephemeral ports per source address)\n";
    return 2;
  }
  uint64_t wanted_files = o.connections + 1024;
  uint64_t files = raise_file_limit(wanted_files);
  if (files < wanted_files) {
    std::cerr << "parley-bench: " << o.connections << " connections need " << wanted_files
              << " open files, the limit is " << files << ": raise it (ulimit -n) and run again\n";
    return 2;
  }
  ConnectionsResult r;
  r.requested = o.connections;
  if (o.pid > 0) {
    if (auto s = sample_process_tree(o.pid)) r.server_rss_before_kb = s->rss_kb;
  }
  r.generator_rss_before_kb = own_rss_kb();
  ResourceWindow window(o.pid);
  window.begin();
  auto outcome = bench.connect(o.connections, o.connect_concurrency, &window);
  r.connected = outcome.connected;
  r.failed = outcome.failed + (outcome.timed_out ? o.connections - outcome.connected - outcome.failed : 0);
  r.connect_seconds = outcome.seconds;
  ResourceUse generator;
  window.end(r.server, generator);
  std::this_thread::sleep_for(std::chrono::duration<double>(o.settle_s));
  if (o.pid > 0) {
    if (auto s = sample_process_tree(o.pid)) r.server_rss_after_kb = s->rss_kb;
  }
  r.generator_rss_after_kb = own_rss_kb();
  auto hold_start = now_ns();
  auto hold_end = hold_start + static_cast<int64_t>(o.duration_s * 1e9);
  while (now_ns() < hold_end) std::this_thread::sleep_for(100ms);
  r.hold_seconds = seconds_between(hold_start, now_ns());
  r.dropped = bench.sum(&LiveCounters::disconnected);
  if (o.pid > 0) {
    if (auto s = sample_process_tree(o.pid)) r.server_rss_end_kb = s->rss_kb;
  }
  if (r.connected > 0) {
    auto per = [&](uint64_t before, uint64_t after) {
      return after > before ? static_cast<double>(after - before) * 1024.0 / static_cast<double>(r.connected) : 0.0;
    };
    r.server_bytes_per_connection = per(r.server_rss_before_kb, r.server_rss_after_kb);
    r.generator_bytes_per_connection = per(r.generator_rss_before_kb, r.generator_rss_after_kb);
  }
  r.errors = bench.connection_errors();
  print_connections(std::cout, r);
  bench.close_all(20s);
  auto info = bench.info();
  info.command_line = command_line;
  if (!write_report(o, connections_json(info, r))) return 2;
  return r.failed == 0 && r.dropped == 0 ? 0 : 1;
}

int run_handshake(LoadRun& bench, const std::string& command_line) {
  const Options& o = bench.options();
  raise_file_limit(o.concurrency * 4ull + 1024);
  HandshakeResult r;
  r.transport = to_string(o.transport);
  r.concurrency = o.concurrency;
  ResourceWindow window(o.pid);
  window.begin();
  auto start = now_ns();
  auto deadline = start + static_cast<int64_t>(o.duration_s * 1e9);
  bench.start_handshakes(o.concurrency, o.transport, deadline);
  while (now_ns() < deadline) {
    window.poll();
    std::this_thread::sleep_for(poll_period);
  }
  auto counters = bench.end_handshakes();
  r.seconds = seconds_between(start, now_ns());
  window.end(r.server, r.generator);
  r.other_cores = window.other_cores(r.server, r.generator);
  r.succeeded = counters.succeeded;
  r.failed = counters.failed;
  r.per_second = static_cast<double>(r.succeeded) / r.seconds;
  r.latency = summarize(counters.latency);
  r.errors = counters.error_samples;
  judge_cpu(r.generator, r.server, o.threads, r.generator_limited, r.machine_saturated);
  print_handshake(std::cout, r);
  auto info = bench.info();
  info.command_line = command_line;
  if (!write_report(o, handshake_json(info, r))) return 2;
  return r.failed == 0 && r.succeeded > 0 ? 0 : 1;
}

int run_make_users(const Options& o) {
  try {
    auto users = make_random_users(o.count, o.name_prefix);
    if (!o.secret.empty()) ensure_tokens(users, o.secret);
    write_users(o.out, users);
    std::cout << "wrote " << users.size() << " users" << (o.secret.empty() ? "" : " with tokens") << " to " << o.out
              << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "parley-bench: " << e.what() << "\n";
    return 2;
  }
}

}  // namespace

int run_mode(const Options& options, const std::string& command_line) {
  if (options.mode == Mode::make_users) return run_make_users(options);
  LoadRun bench(options);
  std::string error;
  if (!bench.prepare(error)) {
    std::cerr << "parley-bench: " << error << "\n";
    return 2;
  }
  if (options.pid > 0 && !sample_process_tree(options.pid)) {
    std::cerr << "parley-bench: no process " << options.pid << " (--pid)\n";
    return 2;
  }
  if (options.mode == Mode::rate || options.mode == Mode::max || options.mode == Mode::group ||
      options.mode == Mode::presence || options.mode == Mode::typing) {
    raise_file_limit(bench.shared().users.size() + 1024);
  }
  bench.start_workers();
  print_run_header(std::cout, bench.info());
  int code = 2;
  switch (options.mode) {
    case Mode::rate: code = run_rate(bench, command_line); break;
    case Mode::max: code = run_max(bench, command_line); break;
    case Mode::connections: code = run_connections(bench, command_line); break;
    case Mode::handshake: code = run_handshake(bench, command_line); break;
    case Mode::group: code = run_group(bench, command_line); break;
    case Mode::presence: code = run_presence(bench, command_line); break;
    case Mode::typing: code = run_typing(bench, command_line); break;
    case Mode::make_users: break;
  }
  bench.stop();
  return code;
}

}  // namespace parley_bench
