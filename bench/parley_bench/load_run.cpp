#include "load_run.hpp"

#include <sys/utsname.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <iostream>
#include <thread>

#include "presence_layout.hpp"
#include "sio/json.hpp"
#include "users.hpp"

namespace parley_bench {

namespace {

using namespace std::chrono_literals;

constexpr auto poll_period = 10ms;

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

}  // namespace

LoadRun::LoadRun(const Options& options) : options_(options), started_at_(iso_now()) {}

bool LoadRun::prepare(std::string& error) {
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
    if (options_.mode == Mode::group || options_.mode == Mode::typing) {
      // Exactly the groups' members connect: user i is member i % M of group i / M.
      shared_.layout = GroupLayout{options_.groups, options_.members};
      if (users.size() < shared_.layout.users()) {
        error = "group: " + std::to_string(options_.groups) + " groups of " + std::to_string(options_.members) +
                " need " + std::to_string(shared_.layout.users()) + " users, there are " +
                std::to_string(users.size());
        return false;
      }
      users.resize(shared_.layout.users());
      shared_.rosters = disjoint_rosters(shared_.layout);
    }
    if (options_.mode == Mode::presence) {
      // Checked here too for a --users file without --users-count (options cannot see its size).
      auto count = static_cast<uint32_t>(users.size());
      if (count < options_.members || count % options_.members != 0) {
        error = "presence: the users (" + std::to_string(count) + ") must be a multiple of --members (" +
                std::to_string(options_.members) + ")";
        return false;
      }
      auto layout = plan_overlapping_groups(count, options_.conversations_per_user, options_.members);
      shared_.rosters = rosters_of(layout);
      shared_.contacts = ContactBook(shared_.rosters, count);
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
  if (options_.mode == Mode::presence || options_.mode == Mode::typing) {
    for (uint32_t i = 0; i < shared_.users.size(); ++i) shared_.user_index.emplace(shared_.users[i].id, i);
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

void LoadRun::start_workers() {
  for (uint32_t i = 0; i < options_.threads; ++i) {
    workers_.push_back(std::make_unique<Worker>(i, shared_));
    workers_.back()->start();
  }
}

RunInfo LoadRun::info() const {
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

// Opens `count` connections, connection i as user i % users, on worker i % threads.
LoadRun::ConnectOutcome LoadRun::connect(uint32_t count, uint32_t concurrency, ResourceWindow* window) {
  uint32_t threads = options_.threads;
  std::vector<std::vector<uint32_t>> users(threads), global(threads);
  auto user_count = static_cast<uint32_t>(shared_.users.size());
  for (uint32_t i = 0; i < count; ++i) {
    users[i % threads].push_back(i % user_count);
    global[i % threads].push_back(i);
  }
  return open(std::move(users), std::move(global), count, concurrency, window);
}

LoadRun::ConnectOutcome LoadRun::reconnect(const std::vector<uint32_t>& users, uint32_t concurrency,
                                           ResourceWindow* window) {
  uint32_t threads = options_.threads;
  std::vector<std::vector<uint32_t>> per_worker(threads);
  for (uint32_t user : users) per_worker[user % threads].push_back(user);
  auto global = per_worker;
  return open(std::move(per_worker), std::move(global), static_cast<uint32_t>(users.size()), concurrency, window);
}

LoadRun::ConnectOutcome LoadRun::open(std::vector<std::vector<uint32_t>> users,
                                      std::vector<std::vector<uint32_t>> global, uint32_t count,
                                      uint32_t concurrency, ResourceWindow* window) {
  uint32_t threads = options_.threads;
  uint32_t per_worker = std::max(1u, concurrency / threads);
  // The counters run on over the run (a storm reconnects users already counted once).
  uint64_t connected_before = sum(&LiveCounters::connected);
  uint64_t failed_before = sum(&LiveCounters::connect_failed);
  auto start = now_ns();
  for (uint32_t w = 0; w < threads; ++w) workers_[w]->connect(std::move(users[w]), std::move(global[w]), per_worker);
  ConnectOutcome outcome;
  auto deadline = start + static_cast<int64_t>((options_.connect_timeout_s + 1) * 1e9);
  uint64_t last_report = 0;
  while (true) {
    outcome.connected = sum(&LiveCounters::connected) - connected_before;
    outcome.failed = sum(&LiveCounters::connect_failed) - failed_before;
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

std::vector<std::string> LoadRun::connection_errors() {
  std::vector<std::string> all;
  for (auto& w : workers_) {
    for (auto& e : w->connection_errors().get()) {
      if (all.size() < 5) all.push_back(std::move(e));
    }
  }
  return all;
}

void LoadRun::close_all(std::chrono::seconds limit) {
  std::vector<std::future<void>> done;
  for (auto& w : workers_) done.push_back(w->close_all());
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (auto& f : done) f.wait_until(deadline);
}

double LoadRun::drop_connections(const std::vector<uint32_t>& users) {
  uint32_t threads = options_.threads;
  std::vector<std::vector<uint32_t>> per_worker(threads);
  for (uint32_t user : users) per_worker[user % threads].push_back(user);
  auto start = now_ns();
  std::vector<std::future<void>> done;
  for (uint32_t w = 0; w < threads; ++w) done.push_back(workers_[w]->drop(std::move(per_worker[w])));
  auto deadline = std::chrono::steady_clock::now() + 10s;
  for (auto& f : done) f.wait_until(deadline);
  return seconds_between(start, now_ns());
}

void LoadRun::watch_presence(const std::vector<uint8_t>& stormed) {
  for (auto& w : workers_) w->watch_presence(stormed);
}

PresenceCounts LoadRun::end_presence_watch() {
  std::vector<std::future<PresenceCounts>> parts;
  for (auto& w : workers_) parts.push_back(w->end_presence_watch());
  PresenceCounts total;
  for (auto& p : parts) total.merge(p.get());
  return total;
}

void LoadRun::watch_typing(const std::shared_ptr<TypingWatch>& watch) {
  for (auto& w : workers_) w->watch_typing(watch);
}

void LoadRun::send_typing(const TypingChange& change) {
  // connect() put user u on worker u % threads.
  workers_[change.user % workers_.size()]->send_typing(change);
}

void LoadRun::stop() {
  for (auto& w : workers_) w->stop();
}

void LoadRun::start_handshakes(uint32_t concurrency, Transport transport, int64_t deadline_ns) {
  auto threads = static_cast<uint32_t>(workers_.size());
  for (uint32_t w = 0; w < threads; ++w) {
    uint32_t share = concurrency / threads + (w < concurrency % threads ? 1 : 0);
    if (share > 0) workers_[w]->start_handshakes(share, transport, deadline_ns);
  }
}

HandshakeCounters LoadRun::end_handshakes() {
  std::vector<std::future<HandshakeCounters>> parts;
  for (auto& w : workers_) parts.push_back(w->end_handshakes());
  HandshakeCounters total;
  for (auto& p : parts) total.merge(p.get());
  return total;
}

LoadRun::GroupSetup LoadRun::create_groups(uint32_t concurrency) {
  // connect() put user u on worker u % threads, so that is where each creator's connection is.
  uint32_t threads = options_.threads;
  uint32_t group_count = shared_.rosters.groups();
  std::vector<std::vector<uint32_t>> groups(threads);
  for (uint32_t g = 0; g < group_count; ++g) groups[shared_.rosters.creator(g) % threads].push_back(g);
  auto start = now_ns();
  uint64_t answered_before = sum(&LiveCounters::created);
  std::vector<std::future<GroupsCreated>> parts;
  for (uint32_t w = 0; w < threads; ++w) {
    parts.push_back(workers_[w]->create_groups(std::move(groups[w]), std::max(1u, concurrency / threads)));
  }
  GroupSetup setup;
  shared_.conversation_ids.assign(group_count, 0);
  // Many thousands of creations take longer than any fixed limit would allow; what fails is an
  // answer that does not come while nothing else does either.
  auto patience = static_cast<int64_t>(options_.connect_timeout_s * 1e9);
  auto last_progress = now_ns();
  uint64_t answered = 0, last_report = 0;
  for (auto& part : parts) {
    bool ready = false;
    while (!(ready = part.wait_for(poll_period) == std::future_status::ready)) {
      uint64_t now_answered = sum(&LiveCounters::created) - answered_before;
      if (now_answered != answered) {
        answered = now_answered;
        last_progress = now_ns();
        if (group_count >= 5'000 && answered / 5'000 != last_report) {
          last_report = answered / 5'000;
          std::cerr << "  ... " << answered << " of " << group_count << " groups created\n";
        }
      } else if (now_ns() - last_progress > patience) {
        break;
      }
    }
    if (!ready) {
      setup.errors.emplace_back("create_conversation: no answer came for --connect-timeout");
      continue;
    }
    auto got = part.get();
    for (auto [group, id] : got.ids) shared_.conversation_ids[group] = id;
    setup.created += got.ids.size();
    for (auto& e : got.error_samples) {
      if (setup.errors.size() < 5) setup.errors.push_back(std::move(e));
    }
  }
  setup.failed = group_count - setup.created;
  setup.seconds = seconds_between(start, now_ns());
  return setup;
}

// One measured step: `rate` msgs/s for `seconds`, then the drain.
StepResult LoadRun::run_step(uint32_t id, double rate, double seconds, double give_up_backlog_s, Traffic traffic) {
  uint32_t threads = options_.threads;
  auto step = std::make_shared<Step>();
  step->id = id;
  step->threads = threads;
  step->rate_per_thread = rate / threads;
  step->per_thread_total = std::max<uint64_t>(1, static_cast<uint64_t>(std::llround(step->rate_per_thread * seconds)));
  step->tracking = std::vector<std::atomic<uint8_t>>(step->per_thread_total * threads);
  uint64_t total = step->per_thread_total * threads;
  if (traffic == Traffic::group) {
    step->group = true;
    step->fanout = shared_.layout.fanout();
    step->deliveries = std::vector<std::atomic<uint16_t>>(total);
  }
  const uint64_t fanout = step->fanout;

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
  bool gave_up = false;
  auto backlog_limit = static_cast<uint64_t>(std::max(1000.0, rate * give_up_backlog_s));
  while (sum(&LiveCounters::attempted) < total && now_ns() < planned_end + 5'000'000'000LL) {
    window.poll();
    std::this_thread::sleep_for(poll_period);
    if (give_up_backlog_s > 0) {
      uint64_t sent = sum(&LiveCounters::sent);
      uint64_t done = sum(&LiveCounters::delivered) + sum(&LiveCounters::failed_acks);
      if (sent > done + backlog_limit) {
        gave_up = true;
        for (auto& w : workers_) w->stop_sending();
        break;
      }
    }
  }
  window.mark_busy_end();
  // Draining: until every sent message is acknowledged and delivered (or refused), or timeout.
  auto drain_from = gave_up ? now_ns() : std::max(now_ns(), planned_end);
  auto drain_deadline = drain_from + static_cast<int64_t>(options_.drain_s * 1e9);
  while (now_ns() < drain_deadline) {
    uint64_t sent = sum(&LiveCounters::sent);
    uint64_t acks = sum(&LiveCounters::acks);
    uint64_t done = sum(&LiveCounters::delivered) + sum(&LiveCounters::failed_acks) * fanout;
    if ((gave_up || sum(&LiveCounters::attempted) >= total) && acks >= sent && done >= sent * fanout) break;
    window.poll();
    std::this_thread::sleep_for(1ms);
  }

  StepCounters counters;
  std::vector<std::future<StepCounters>> parts;
  for (auto& w : workers_) parts.push_back(w->end_step());
  for (auto& p : parts) counters.merge(p.get());

  StepResult r;
  r.stopped_early = gave_up;
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
  r.fanout = step->fanout;
  for (std::size_t seq = 0; seq < step->tracking.size(); ++seq) {
    uint8_t bits = step->tracking[seq].load(std::memory_order_relaxed);
    if (!(bits & track::sent)) continue;
    if (!(bits & (track::ack_ok | track::ack_failed))) ++r.unacked;
    if (bits & track::ack_failed) continue;
    if (step->group) {
      r.lost += missing_deliveries(step->deliveries[seq].load(std::memory_order_relaxed), step->fanout);
    } else if (!(bits & track::delivered)) {
      ++r.lost;
    }
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
void LoadRun::quiesce(int64_t deadline_ns) {
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

LoadRun::Quiet LoadRun::wait_for_quiet(double quiet_s, int64_t not_before_ns, int64_t deadline_ns,
                                       ResourceWindow* window) {
  Quiet quiet;
  uint64_t last = sum(&LiveCounters::events);
  quiet.last_event_ns = now_ns();
  auto quiet_ns = static_cast<int64_t>(quiet_s * 1e9);
  while (true) {
    auto now = now_ns();
    uint64_t events = sum(&LiveCounters::events);
    if (events != last) {
      last = events;
      quiet.last_event_ns = now;
    } else if (now >= not_before_ns && now - quiet.last_event_ns >= quiet_ns) {
      quiet.reached = true;
      return quiet;
    }
    if (now >= deadline_ns) return quiet;
    if (window) window->poll();
    std::this_thread::sleep_for(poll_period);
  }
}

}  // namespace parley_bench
