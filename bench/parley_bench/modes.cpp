#include "modes.hpp"

#include <arpa/inet.h>
#include <sys/utsname.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <fstream>
#include <iostream>
#include <optional>
#include <thread>

#include "proc.hpp"
#include "report.hpp"
#include "sio/socketio/json.hpp"
#include "users.hpp"
#include "worker.hpp"

namespace parley_bench {

namespace {

using namespace std::chrono_literals;

constexpr auto poll_period = 10ms;

double seconds_between(int64_t from_ns, int64_t to_ns) { return static_cast<double>(to_ns - from_ns) / 1e9; }

std::string iso_now() {
  auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

std::string kernel_release() {
  utsname name{};
  if (uname(&name) != 0) return {};
  return std::string(name.sysname) + " " + name.release + " " + name.machine;
}

// CPU and memory of the server (when --pid is given) and of the generator over one window.
class ResourceWindow {
 public:
  explicit ResourceWindow(int pid) : pid_(pid) {}

  void begin() {
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
  void poll() {
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
  double other_cores(const ResourceUse& server, const ResourceUse& generator) const {
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
  void mark_busy_end() {
    busy_end_ns_ = now_ns();
    own_cpu_busy_ = own_cpu_seconds();
    machine_cpu_busy_ = machine_busy_cpu_seconds();
    if (has_server_) {
      if (auto s = sample_process_tree(pid_)) server_cpu_busy_ = s->cpu_s;
    }
  }

  void end(ResourceUse& server, ResourceUse& generator) {
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

void judge_cpu(const ResourceUse& generator, const ResourceUse& server, uint32_t threads, bool& generator_limited,
               bool& machine_saturated) {
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  double usable = std::min<double>(threads, cores);
  generator_limited = generator.busy_cores() >= 0.85 * usable;
  machine_saturated = (generator.busy_cores() + (server.sampled ? server.busy_cores() : 0)) >= 0.9 * cores;
}

// Everything a run shares: users with tokens, the target, the workers.
class Bench {
 public:
  explicit Bench(const Options& options) : options_(options) {}

  bool prepare(std::string& error) {
    try {
      std::vector<User> users;
      if (!options_.users_file.empty()) {
        users = load_users(options_.users_file);
        if (options_.users_count > 0) {
          if (users.size() < options_.users_count) {
            error = options_.users_file + " has " + std::to_string(users.size()) + " users, fewer than --users-count " +
                    std::to_string(options_.users_count);
            return false;
          }
          users.resize(options_.users_count);
        }
      } else {
        users = make_random_users(options_.users_count, "Bench");
      }
      if (users.empty()) {
        error = "no users";
        return false;
      }
      ensure_tokens(users, options_.secret);
      shared_.users = std::move(users);
    } catch (const std::exception& e) {
      error = e.what();
      return false;
    }
    for (const auto& user : shared_.users) {
      shared_.auth_json.push_back("{\"token\":" + sio::json::quote(user.token) + "}");
      shared_.quoted_ids.push_back(sio::json::quote(user.id));
    }
    const Target& t = options_.target;
    shared_.target.address = t.address;
    shared_.target.port = t.port;
    shared_.target.host_header = (t.ipv6 ? "[" + t.host + "]" : t.host) + ":" + std::to_string(t.port);
    shared_.target.path = options_.path;
    shared_.threads = options_.threads;
    shared_.source_addresses = options_.source_addresses;
    shared_.message_size = options_.message_size;
    shared_.max_inflight = options_.max_inflight;
    shared_.batch_us = options_.batch_us;
    shared_.connect_timeout_s = options_.connect_timeout_s;
    shared_.first_source_v4 = options_.source_addresses > 1 ? 0x7f000001u : 0;
    return true;
  }

  void start_workers() {
    for (uint32_t i = 0; i < options_.threads; ++i) {
      workers_.push_back(std::make_unique<Worker>(i, shared_));
      workers_.back()->start();
    }
  }

  RunInfo info() const {
    RunInfo info;
    info.mode = to_string(options_.mode);
    info.label = options_.label;
    info.url = "http://" + shared_.target.host_header + shared_.target.path;
    info.started_at = started_at_;
    info.kernel = kernel_release();
    info.cores = std::max(1u, std::thread::hardware_concurrency());
    info.threads = options_.threads;
    info.users = static_cast<uint32_t>(shared_.users.size());
    info.source_addresses = options_.source_addresses;
    info.message_size = options_.message_size;
    info.batch_us = options_.batch_us;
    info.pid = options_.pid;
    return info;
  }

  template <typename F>
  uint64_t sum(F field) const {
    uint64_t total = 0;
    for (const auto& w : workers_) total += (w->live().*field).load(std::memory_order_relaxed);
    return total;
  }

  struct ConnectOutcome {
    uint64_t connected = 0;
    uint64_t failed = 0;
    double seconds = 0;
    bool timed_out = false;
  };

  // Opens `count` connections, connection i as user i % users, on worker i % threads.
  ConnectOutcome connect(uint32_t count, uint32_t concurrency, ResourceWindow* window) {
    uint32_t threads = options_.threads;
    std::vector<std::vector<uint32_t>> users(threads), global(threads);
    auto user_count = static_cast<uint32_t>(shared_.users.size());
    for (uint32_t i = 0; i < count; ++i) {
      users[i % threads].push_back(i % user_count);
      global[i % threads].push_back(i);
    }
    uint32_t per_worker = std::max(1u, concurrency / threads);
    auto start = now_ns();
    for (uint32_t w = 0; w < threads; ++w) workers_[w]->connect(std::move(users[w]), std::move(global[w]), per_worker);
    ConnectOutcome outcome;
    auto deadline = start + static_cast<int64_t>((options_.connect_timeout_s + 1) * 1e9);
    uint64_t last_report = 0;
    while (true) {
      outcome.connected = sum(&LiveCounters::connected);
      outcome.failed = sum(&LiveCounters::connect_failed);
      if (outcome.connected + outcome.failed >= count) break;
      if (now_ns() > deadline) {
        outcome.timed_out = true;
        break;
      }
      if (count >= 20'000 && outcome.connected / 10'000 != last_report) {
        last_report = outcome.connected / 10'000;
        std::cerr << "  ... " << outcome.connected << " connected\n";
      }
      if (window) window->poll();
      std::this_thread::sleep_for(poll_period);
    }
    outcome.seconds = seconds_between(start, now_ns());
    return outcome;
  }

  std::vector<std::string> connection_errors() {
    std::vector<std::string> all;
    for (auto& w : workers_) {
      for (auto& e : w->connection_errors().get()) {
        if (all.size() < 5) all.push_back(std::move(e));
      }
    }
    return all;
  }

  void close_all(std::chrono::seconds limit) {
    std::vector<std::future<void>> done;
    for (auto& w : workers_) done.push_back(w->close_all());
    auto deadline = std::chrono::steady_clock::now() + limit;
    for (auto& f : done) f.wait_until(deadline);
  }

  void stop() {
    for (auto& w : workers_) w->stop();
  }

  void start_handshakes(uint32_t concurrency, Transport transport, int64_t deadline_ns) {
    auto threads = static_cast<uint32_t>(workers_.size());
    for (uint32_t w = 0; w < threads; ++w) {
      uint32_t share = concurrency / threads + (w < concurrency % threads ? 1 : 0);
      if (share > 0) workers_[w]->start_handshakes(share, transport, deadline_ns);
    }
  }

  HandshakeCounters end_handshakes() {
    std::vector<std::future<HandshakeCounters>> parts;
    for (auto& w : workers_) parts.push_back(w->end_handshakes());
    HandshakeCounters total;
    for (auto& p : parts) total.merge(p.get());
    return total;
  }

  // One measured step: `rate` msgs/s for `seconds`, then the drain.
  StepResult run_step(uint32_t id, double rate, double seconds) {
    uint32_t threads = options_.threads;
    auto step = std::make_shared<Step>();
    step->id = id;
    step->threads = threads;
    step->rate_per_thread = rate / threads;
    step->per_thread_total = std::max<uint64_t>(1, static_cast<uint64_t>(std::llround(step->rate_per_thread * seconds)));
    step->tracking = std::vector<std::atomic<uint8_t>>(step->per_thread_total * threads);
    uint64_t total = step->per_thread_total * threads;

    ResourceWindow window(options_.pid);
    window.begin();
    step->start_ns = now_ns() + 20'000'000;
    int64_t start = step->start_ns;
    for (auto& w : workers_) {
      w->reset_step_counters();
      w->start_step(step);
    }

    // Sending: until every worker has scheduled its share, or well past the window.
    auto planned_end = start + static_cast<int64_t>(seconds * 1e9);
    while (sum(&LiveCounters::attempted) < total && now_ns() < planned_end + 5'000'000'000LL) {
      window.poll();
      std::this_thread::sleep_for(poll_period);
    }
    window.mark_busy_end();
    // Draining: until every sent message is acknowledged and delivered (or refused), or timeout.
    auto drain_deadline = std::max(now_ns(), planned_end) + static_cast<int64_t>(options_.drain_s * 1e9);
    while (now_ns() < drain_deadline) {
      uint64_t sent = sum(&LiveCounters::sent);
      uint64_t acks = sum(&LiveCounters::acks);
      uint64_t done = sum(&LiveCounters::delivered) + sum(&LiveCounters::failed_acks);
      if (sum(&LiveCounters::attempted) >= total && acks >= sent && done >= sent) break;
      window.poll();
      std::this_thread::sleep_for(1ms);
    }

    StepCounters counters;
    std::vector<std::future<StepCounters>> parts;
    for (auto& w : workers_) parts.push_back(w->end_step());
    for (auto& p : parts) counters.merge(p.get());

    StepResult r;
    window.end(r.server, r.generator);
    r.other_cores = window.other_cores(r.server, r.generator);
    r.step = id;
    r.target_rate = rate;
    r.attempted = counters.attempted;
    r.sent = counters.sent;
    r.skipped = counters.skipped;
    r.acked = counters.acked;
    r.failed_acks = counters.failed_acks;
    r.delivered = counters.delivered;
    r.duplicated = counters.duplicated;
    r.misrouted = counters.misrouted;
    r.echoes = counters.echoes;
    r.late = counters.late;
    r.foreign = counters.foreign;
    r.error_events = counters.error_events;
    r.disconnects = counters.disconnects;
    r.errors = counters.error_samples;
    for (const auto& flag : step->tracking) {
      uint8_t bits = flag.load(std::memory_order_relaxed);
      if (!(bits & track::sent)) continue;
      if (!(bits & (track::ack_ok | track::ack_failed))) ++r.unacked;
      if (!(bits & track::delivered) && !(bits & track::ack_failed)) ++r.lost;
    }
    r.send_seconds = counters.last_send_ns > start ? seconds_between(start, counters.last_send_ns) : 0;
    r.achieved_rate = static_cast<double>(r.sent) / std::max(seconds, r.send_seconds);
    double delivery_window = counters.last_delivery_ns > start ? seconds_between(start, counters.last_delivery_ns) : 0;
    r.delivered_throughput = static_cast<double>(r.delivered) / std::max(seconds, delivery_window);
    r.ack = summarize(counters.ack_latency);
    r.delivery = summarize(counters.delivery_latency);
    if (r.sent > 0) {
      r.server_cpu_us_per_msg = r.server.sampled ? r.server.cpu_s * 1e6 / static_cast<double>(r.sent) : 0;
      r.generator_cpu_us_per_msg = r.generator.cpu_s * 1e6 / static_cast<double>(r.sent);
    }
    judge_cpu(r.generator, r.server, threads, r.generator_limited, r.machine_saturated);
    return r;
  }

  // Waits until no receive_message has arrived for a while (a failed step may leave a backlog
  // in the server that would spoil the next step).
  void quiesce(int64_t deadline_ns) {
    uint64_t last = sum(&LiveCounters::received);
    auto quiet_since = now_ns();
    while (now_ns() < deadline_ns) {
      std::this_thread::sleep_for(50ms);
      uint64_t now_received = sum(&LiveCounters::received);
      if (now_received != last) {
        last = now_received;
        quiet_since = now_ns();
      } else if (now_ns() - quiet_since > 500'000'000) {
        return;
      }
    }
  }

  const Options& options() const { return options_; }
  const RunShared& shared() const { return shared_; }

 private:
  const Options& options_;
  RunShared shared_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::string started_at_ = iso_now();
};

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

bool connect_every_user(Bench& bench) {
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

int run_rate(Bench& bench, const std::string& command_line) {
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

int run_max(Bench& bench, const std::string& command_line) {
  const Options& o = bench.options();
  if (!connect_every_user(bench)) return 2;
  MaxResult result;
  result.p99_bound_ms = o.p99_ms;
  auto budget_end = now_ns() + static_cast<int64_t>(o.duration_s * 1e9);
  auto step_need = static_cast<int64_t>((o.step_duration_s + 0.5) * 1e9);
  double best = 0;
  double first_fail = 0;  // 0: none yet
  double rate = o.start_rate;
  uint32_t step_id = 0;
  print_step_line_header(std::cout);

  auto run = [&](double r) {
    auto step = bench.run_step(++step_id, r, o.step_duration_s);
    judge_step(step, o.p99_ms);
    print_step_line(std::cout, step);
    std::cout.flush();
    result.steps.push_back(step);
    if (step.passed) {
      if (r > best) {
        best = r;
        result.best_step = static_cast<int>(result.steps.size() - 1);
      }
    } else {
      if (first_fail == 0 || r < first_fail) first_fail = r;
      bench.quiesce(std::min<int64_t>(budget_end, now_ns() + 20'000'000'000LL));
    }
    return step.passed;
  };

  // Ramp: multiply until a step fails.
  result.stopped_because = "reached --max-rate";
  while (true) {
    if (step_id >= o.max_steps) {
      result.stopped_because = "reached --max-steps";
      break;
    }
    if (now_ns() + step_need > budget_end) {
      result.stopped_because = "time budget (--duration) spent";
      break;
    }
    if (!run(rate)) break;
    if (rate >= o.max_rate) break;
    rate = std::min(rate * o.step_factor, o.max_rate);
  }
  // Bisect between the best pass and the lowest failure.
  if (first_fail > 0) {
    result.stopped_because = "bracket within --precision";
    while ((first_fail - best) / first_fail > o.precision) {
      if (step_id >= o.max_steps) {
        result.stopped_because = "reached --max-steps";
        break;
      }
      if (now_ns() + step_need > budget_end) {
        result.stopped_because = "time budget (--duration) spent";
        break;
      }
      run(std::round((best + first_fail) / 2));
    }
  }
  result.max_rate_passed = best;
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

int run_connections(Bench& bench, const std::string& command_line) {
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

int run_handshake(Bench& bench, const std::string& command_line) {
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
  Bench bench(options);
  std::string error;
  if (!bench.prepare(error)) {
    std::cerr << "parley-bench: " << error << "\n";
    return 2;
  }
  if (options.pid > 0 && !sample_process_tree(options.pid)) {
    std::cerr << "parley-bench: no process " << options.pid << " (--pid)\n";
    return 2;
  }
  if (options.mode == Mode::rate || options.mode == Mode::max) {
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
    case Mode::make_users: break;
  }
  bench.stop();
  return code;
}

}  // namespace parley_bench
