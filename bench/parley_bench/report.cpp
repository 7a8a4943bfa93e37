#include "report.hpp"

#include <cmath>
#include <cstdio>
#include <ostream>

#include "report_json.hpp"

namespace parley_bench {

std::string latency_json(const LatencySummary& s) {
  return Json()
      .field("count", s.count)
      .field("p50_ms", s.p50_ms)
      .field("p90_ms", s.p90_ms)
      .field("p99_ms", s.p99_ms)
      .field("p999_ms", s.p999_ms)
      .field("max_ms", s.max_ms)
      .field("mean_ms", s.mean_ms)
      .done();
}

std::string resource_json(const ResourceUse& r) {
  if (!r.sampled) return "null";
  return Json()
      .field("cpu_s", r.cpu_s)
      .field("wall_s", r.wall_s)
      .field("cores", r.cores())
      .field("busy_cores", r.busy_cores())
      .field("rss_kb_start", r.rss_kb_start)
      .field("rss_kb_end", r.rss_kb_end)
      .field("rss_kb_peak", r.rss_kb_peak)
      .done();
}

std::string info_json(const RunInfo& info) {
  return Json()
      .field("mode", info.mode)
      .field("label", info.label)
      .field("url", info.url)
      .field("started_at", info.started_at)
      .field("command_line", info.command_line)
      .field("kernel", info.kernel)
      .field("cores", info.cores)
      .field("threads", info.threads)
      .field("users", info.users)
      .field("source_addresses", info.source_addresses)
      .field("message_size", info.message_size)
      .field("batch_us", info.batch_us)
      .field("pid", info.pid)
      .done();
}

namespace {

std::string step_json(const StepResult& s) {
  return Json()
      .field("step", s.step)
      .field("target_rate", s.target_rate, 1)
      .field("send_seconds", s.send_seconds)
      .field("achieved_rate", s.achieved_rate, 1)
      .field("delivered_throughput", s.delivered_throughput, 1)
      .field("attempted", s.attempted)
      .field("sent", s.sent)
      .field("skipped", s.skipped)
      .field("acked", s.acked)
      .field("failed_acks", s.failed_acks)
      .field("unacked", s.unacked)
      .field("delivered", s.delivered)
      .field("expected", (s.sent - s.failed_acks) * s.fanout)
      .field("lost", s.lost)
      .field("duplicated", s.duplicated)
      .field("misrouted", s.misrouted)
      .field("echoes", s.echoes)
      .field("late", s.late)
      .field("foreign", s.foreign)
      .field("error_events", s.error_events)
      .field("disconnects", s.disconnects)
      .raw("ack_latency", latency_json(s.ack))
      .raw("delivery_latency", latency_json(s.delivery))
      .raw("server", resource_json(s.server))
      .raw("generator", resource_json(s.generator))
      .field("server_cpu_us_per_msg", s.server_cpu_us_per_msg, 2)
      .field("generator_cpu_us_per_msg", s.generator_cpu_us_per_msg, 2)
      .field("generator_limited", s.generator_limited)
      .field("machine_saturated", s.machine_saturated)
      .field("other_cores", s.other_cores)
      .field("stopped_early", s.stopped_early)
      .field("passed", s.passed)
      .field("verdict", s.verdict)
      .strings("errors", s.errors)
      .done();
}

}  // namespace

std::string ms(double value) { return fixed(value, value < 10 ? 2 : 1); }

void print_run_header(std::ostream& out, const RunInfo& info) {
  out << "parley-bench " << info.mode << " -> " << info.url << (info.label.empty() ? "" : " (" + info.label + ")")
      << "\n  " << info.users << " users, " << info.threads << " generator threads on " << info.cores << " cores";
  if (info.source_addresses > 1) out << ", " << info.source_addresses << " source addresses";
  if (info.pid > 0) out << ", server pid " << info.pid;
  out << "\n";
}

void print_step(std::ostream& out, const StepResult& s) {
  out << "  target rate         " << fixed(s.target_rate, 0) << " msgs/s\n"
      << "  achieved send rate  " << fixed(s.achieved_rate, 0) << " msgs/s over " << fixed(s.send_seconds, 2) << " s\n"
      << "  delivered           " << fixed(s.delivered_throughput, 0)
      << (s.fanout > 1 ? " deliveries/s (" + std::to_string(s.fanout) + " per send)" : std::string(" msgs/s"))
      << "\n"
      << "  sent " << s.sent << ", acked " << s.acked << ", delivered " << s.delivered << " of "
      << (s.sent - s.failed_acks) * s.fanout << " expected\n"
      << "  lost " << s.lost << ", duplicated " << s.duplicated << ", misrouted " << s.misrouted << ", failed acks "
      << s.failed_acks << ", unacked " << s.unacked << ", error events " << s.error_events << ", skipped "
      << s.skipped << ", disconnects " << s.disconnects << "\n";
  out << "  latency (ms)        p50      p90      p99    p99.9      max\n";
  auto row = [&](const char* name, const LatencySummary& l) {
    char line[160];
    std::snprintf(line, sizeof line, "  %-16s %8s %8s %8s %8s %8s\n", name, ms(l.p50_ms).c_str(), ms(l.p90_ms).c_str(),
                  ms(l.p99_ms).c_str(), ms(l.p999_ms).c_str(), ms(l.max_ms).c_str());
    out << line;
  };
  row("ack", s.ack);
  row("delivery", s.delivery);
  if (s.server.sampled) {
    out << "  server CPU          " << fixed(s.server.busy_cores() * 100, 0) << " % (" << fixed(s.server_cpu_us_per_msg, 1)
        << " us/msg), RSS " << s.server.rss_kb_end / 1024 << " MiB (peak " << s.server.rss_kb_peak / 1024 << ")\n";
  }
  out << "  generator CPU       " << fixed(s.generator.busy_cores() * 100, 0) << " % ("
      << fixed(s.generator_cpu_us_per_msg, 1) << " us/msg)" << (s.generator_limited ? "  GENERATOR-LIMITED" : "")
      << (s.machine_saturated ? "  (machine CPU saturated)" : "") << "\n"
      << "  other processes     " << fixed(s.other_cores * 100, 0) << " % CPU while sending\n";
  for (const auto& e : s.errors) out << "  ! " << e << "\n";
}

void print_step_line_header(std::ostream& out) {
  out << "  step      rate  achieved delivered  p50 ms  p99 ms p99.9 ms  lost fail  srv% gen% oth%  result\n";
}

void print_step_line(std::ostream& out, const StepResult& s) {
  char line[256];
  std::snprintf(line, sizeof line, "  %4u %9.0f %9.0f %9.0f %7s %7s %8s %5llu %4llu %5.0f %4.0f %4.0f  %s%s\n", s.step,
                s.target_rate, s.achieved_rate, s.delivered_throughput, ms(s.delivery.p50_ms).c_str(),
                ms(s.delivery.p99_ms).c_str(), ms(s.delivery.p999_ms).c_str(),
                static_cast<unsigned long long>(s.lost), static_cast<unsigned long long>(s.failed_acks + s.unacked),
                s.server.sampled ? s.server.busy_cores() * 100 : 0.0, s.generator.busy_cores() * 100,
                s.other_cores * 100,
                s.passed ? "pass" : ("FAIL: " + s.verdict).c_str(), s.generator_limited ? " [generator-limited]" : "");
  out << line;
}

void print_max(std::ostream& out, const MaxResult& r) {
  out << "\n  highest rate with delivery p99 <= " << fixed(r.p99_bound_ms, 0) << " ms and nothing lost: "
      << fixed(r.max_rate_passed, 0) << " msgs/s";
  if (r.best_step >= 0) {
    const auto& best = r.steps[static_cast<std::size_t>(r.best_step)];
    out << " (delivered " << fixed(best.delivered_throughput, 0) << " msgs/s, p99 " << ms(best.delivery.p99_ms)
        << " ms)" << (best.generator_limited ? " [generator-limited]" : "");
  }
  out << "\n  search stopped: " << r.stopped_because << "\n";
}

void print_connections(std::ostream& out, const ConnectionsResult& r) {
  out << "  connections         " << r.connected << " of " << r.requested << " in " << fixed(r.connect_seconds, 1)
      << " s (" << fixed(r.connect_seconds > 0 ? static_cast<double>(r.connected) / r.connect_seconds : 0, 0)
      << "/s), " << r.failed << " failed, " << r.dropped << " dropped while held " << fixed(r.hold_seconds, 0)
      << " s\n";
  if (r.server.sampled) {
    out << "  server RSS          " << r.server_rss_before_kb << " KiB before, " << r.server_rss_after_kb
        << " KiB after, " << r.server_rss_end_kb << " KiB at the end\n"
        << "  server per conn     " << fixed(r.server_bytes_per_connection / 1024, 2) << " KiB\n";
  }
  out << "  generator per conn  " << fixed(r.generator_bytes_per_connection / 1024, 2) << " KiB\n";
  for (const auto& e : r.errors) out << "  ! " << e << "\n";
}

void print_handshake(std::ostream& out, const HandshakeResult& r) {
  out << "  handshakes          " << r.succeeded << " in " << fixed(r.seconds, 1) << " s over " << r.transport << ": "
      << fixed(r.per_second, 0) << "/s, " << r.failed << " failed, " << r.concurrency << " in flight\n"
      << "  latency (ms)        p50 " << ms(r.latency.p50_ms) << ", p99 " << ms(r.latency.p99_ms) << ", max "
      << ms(r.latency.max_ms) << "\n";
  if (r.server.sampled) out << "  server CPU          " << fixed(r.server.cores() * 100, 0) << " %\n";
  out << "  generator CPU       " << fixed(r.generator.cores() * 100, 0) << " %"
      << (r.generator_limited ? "  GENERATOR-LIMITED" : "") << (r.machine_saturated ? "  (machine CPU saturated)" : "")
      << "\n  other processes     " << fixed(r.other_cores * 100, 0) << " % CPU\n";
  for (const auto& e : r.errors) out << "  ! " << e << "\n";
}

std::string rate_json(const RunInfo& info, const StepResult& step) {
  return Json().field("tool", "parley-bench").raw("run", info_json(info)).raw("result", step_json(step)).done() + "\n";
}

std::string max_json(const RunInfo& info, const MaxResult& r) {
  std::string steps = "[";
  for (std::size_t i = 0; i < r.steps.size(); ++i) {
    if (i) steps += ',';
    steps += step_json(r.steps[i]);
  }
  steps += ']';
  Json result;
  result.field("p99_bound_ms", r.p99_bound_ms, 1)
      .field("max_rate_passed", r.max_rate_passed, 1)
      .field("stopped_because", r.stopped_because)
      .raw("best", r.best_step >= 0 ? step_json(r.steps[static_cast<std::size_t>(r.best_step)]) : "null")
      .raw("steps", steps);
  return Json().field("tool", "parley-bench").raw("run", info_json(info)).raw("result", result.done()).done() + "\n";
}

std::string connections_json(const RunInfo& info, const ConnectionsResult& r) {
  Json result;
  result.field("requested", r.requested)
      .field("connected", r.connected)
      .field("failed", r.failed)
      .field("dropped", r.dropped)
      .field("connect_seconds", r.connect_seconds)
      .field("hold_seconds", r.hold_seconds)
      .raw("server", resource_json(r.server))
      .field("server_rss_before_kb", r.server_rss_before_kb)
      .field("server_rss_after_kb", r.server_rss_after_kb)
      .field("server_rss_end_kb", r.server_rss_end_kb)
      .field("server_bytes_per_connection", r.server_bytes_per_connection, 0)
      .field("generator_rss_before_kb", r.generator_rss_before_kb)
      .field("generator_rss_after_kb", r.generator_rss_after_kb)
      .field("generator_bytes_per_connection", r.generator_bytes_per_connection, 0)
      .strings("errors", r.errors);
  return Json().field("tool", "parley-bench").raw("run", info_json(info)).raw("result", result.done()).done() + "\n";
}

std::string handshake_json(const RunInfo& info, const HandshakeResult& r) {
  Json result;
  result.field("transport", r.transport)
      .field("concurrency", r.concurrency)
      .field("seconds", r.seconds)
      .field("succeeded", r.succeeded)
      .field("failed", r.failed)
      .field("per_second", r.per_second, 1)
      .raw("latency", latency_json(r.latency))
      .raw("server", resource_json(r.server))
      .raw("generator", resource_json(r.generator))
      .field("generator_limited", r.generator_limited)
      .field("machine_saturated", r.machine_saturated)
      .field("other_cores", r.other_cores)
      .strings("errors", r.errors);
  return Json().field("tool", "parley-bench").raw("run", info_json(info)).raw("result", result.done()).done() + "\n";
}

}  // namespace parley_bench

namespace parley_bench {

void print_group_setup(std::ostream& out, const GroupResult& r) {
  out << "  created " << r.created << " of " << r.groups << " groups of " << r.members << " members in "
      << fixed(r.create_seconds, 2) << " s\n";
  for (const auto& e : r.create_errors) out << "  ! " << e << "\n";
}

std::string group_json(const RunInfo& info, const GroupResult& r) {
  auto result = Json()
                    .field("groups", r.groups)
                    .field("members", r.members)
                    .field("fanout", r.step.fanout)
                    .field("deliveries_counted", "the other members' sockets (members - 1 per send); the "
                                                 "sender's own copy is counted in echoes")
                    .field("created", r.created)
                    .field("create_failed", r.create_failed)
                    .field("create_seconds", r.create_seconds)
                    .strings("create_errors", r.create_errors)
                    .field("sends_per_second", r.step.achieved_rate, 1)
                    .field("deliveries_per_second", r.step.delivered_throughput, 1)
                    .raw("step", step_json(r.step));
  return Json().field("tool", "parley-bench").raw("run", info_json(info)).raw("result", result.done()).done() + "\n";
}

}  // namespace parley_bench

namespace parley_bench {

namespace {

std::string phase_json(const StormPhase& p) {
  return Json()
      .field("seconds", p.seconds)
      .field("server_cpu_s", p.server_cpu_s)
      .field("generator_cpu_s", p.generator_cpu_s)
      .done();
}

void print_phase(std::ostream& out, const char* name, const StormPhase& p, bool server) {
  char line[160];
  std::snprintf(line, sizeof line, "  %-18s %7.2f s   server %7.2f CPU-s   generator %7.2f CPU-s\n", name, p.seconds,
                server ? p.server_cpu_s : 0.0, p.generator_cpu_s);
  out << line;
}

}  // namespace

void print_presence_setup(std::ostream& out, const PresenceResult& r) {
  out << "  created " << r.created << " of " << r.groups << " groups of " << r.members << " members ("
      << r.conversations_per_user << " per user) in " << fixed(r.create_seconds, 2) << " s ("
      << fixed(r.create_seconds > 0 ? static_cast<double>(r.created) / r.create_seconds : 0, 0) << "/s)\n"
      << "  contacts per user   mean " << fixed(r.contacts_mean, 1) << ", min " << r.contacts_min << ", max "
      << r.contacts_max << "\n";
  for (const auto& e : r.create_errors) out << "  ! " << e << "\n";
}

void print_presence_idle(std::ostream& out, const PresenceResult& r) {
  out << "  before the storm    quiet " << fixed(r.settle_seconds, 2) << " s after the creations; idle server CPU "
      << fixed(r.idle_server_cores * 100, 1) << " %, generator " << fixed(r.idle_generator_cores * 100, 1) << " %\n";
}

void print_presence(std::ostream& out, const PresenceResult& r) {
  out << "  dropped             " << r.stormed << " of " << r.users << " connections in " << fixed(r.drop_seconds, 2)
      << " s; offline " << fixed(r.offline_s, 1) << " s; server grace " << fixed(r.presence_grace_s, 1) << " s\n"
      << "  reconnected         " << r.reconnected << " of " << r.stormed << " in " << fixed(r.reconnect_seconds, 2)
      << " s (all back " << fixed(r.reconnected_at, 2) << " s after the drop)"
      << (r.reconnect_timed_out ? ", TIMED OUT" : "") << "\n"
      << "  storm window        " << fixed(r.window_seconds, 2) << " s, drop to quiet; last event at "
      << fixed(r.last_event_at, 2) << " s" << (r.quiet ? "" : " (NOT QUIET at the end of --duration)") << "\n";
  print_phase(out, "  offline", r.offline, r.server.sampled);
  print_phase(out, "  reconnect", r.reconnect, r.server.sampled);
  print_phase(out, "  until quiet", r.settle, r.server.sampled);
  if (r.server.sampled) {
    out << "  server CPU          " << fixed(r.server.cpu_s, 2) << " CPU-s over the window ("
        << fixed(r.server.cores() * 100, 0) << " %; " << fixed(r.server.busy_cores() * 100, 0)
        << " % until all back); " << fixed(r.server_cpu_s_above_idle, 2) << " CPU-s above idle ("
        << fixed(r.idle_server_cores * 100, 1) << " %), RSS " << r.server.rss_kb_end / 1024 << " MiB (peak "
        << r.server.rss_kb_peak / 1024 << ")\n";
  }
  out << "  generator CPU       " << fixed(r.generator.cpu_s, 2) << " CPU-s (" << fixed(r.generator.cores() * 100, 0)
      << " %; " << fixed(r.generator.busy_cores() * 100, 0) << " % until all back)"
      << (r.generator_limited ? "  GENERATOR-LIMITED" : "") << (r.machine_saturated ? "  (machine CPU saturated)" : "")
      << "\n  other processes     " << fixed(r.other_cores * 100, 0) << " % CPU until all back\n"
      << "  presence pushes     " << r.online_pushes + r.offline_pushes << ": online " << r.online_pushes
      << ", offline " << r.offline_pushes << "; per user mean " << fixed(r.pushes_per_user_mean, 2) << ", max "
      << r.pushes_per_user_max << "; per dropped user " << fixed(r.pushes_per_stormed_user, 2) << "\n"
      << "  wrong pushes        malformed " << r.malformed << ", not a contact " << r.not_contact
      << ", about a user not dropped " << r.not_stormed << ", repeated " << r.repeated << "\n";
  if (!r.other_events.empty()) {
    out << "  other events       ";
    for (const auto& [name, count] : r.other_events) out << " " << name << " " << count;
    out << "\n";
  }
  out << "  disconnects " << r.disconnects << ", error events " << r.error_events << "\n"
      << "  result              " << (r.passed ? "pass" : "FAIL: " + r.verdict) << "\n";
  for (const auto& e : r.errors) out << "  ! " << e << "\n";
}

std::string presence_json(const RunInfo& info, const PresenceResult& r) {
  std::string other = "{";
  for (std::size_t i = 0; i < r.other_events.size(); ++i) {
    if (i) other += ',';
    sio::json::append_string(other, r.other_events[i].first);
    other += ':' + std::to_string(r.other_events[i].second);
  }
  other += '}';
  auto result = Json()
                    .field("users", r.users)
                    .field("conversations_per_user", r.conversations_per_user)
                    .field("members", r.members)
                    .field("groups", r.groups)
                    .field("created", r.created)
                    .field("create_failed", r.create_failed)
                    .field("create_seconds", r.create_seconds)
                    .strings("create_errors", r.create_errors)
                    .raw("contacts_per_user", Json()
                                                  .field("mean", r.contacts_mean, 2)
                                                  .field("min", r.contacts_min)
                                                  .field("max", r.contacts_max)
                                                  .done())
                    .field("settle_seconds", r.settle_seconds)
                    .field("idle_server_cores", r.idle_server_cores, 4)
                    .field("idle_generator_cores", r.idle_generator_cores, 4)
                    .field("stormed", r.stormed)
                    .field("storm_close", "TCP reset (SO_LINGER 0), no WebSocket close, no Socket.IO disconnect")
                    .field("offline_s", r.offline_s)
                    .field("presence_grace_s", r.presence_grace_s)
                    .field("drop_seconds", r.drop_seconds)
                    .field("reconnect_seconds", r.reconnect_seconds)
                    .field("reconnected_at", r.reconnected_at)
                    .field("reconnected", r.reconnected)
                    .field("reconnect_failed", r.reconnect_failed)
                    .field("reconnect_timed_out", r.reconnect_timed_out)
                    .field("last_event_at", r.last_event_at)
                    .field("window_seconds", r.window_seconds)
                    .field("quiet", r.quiet)
                    .raw("phases", Json()
                                       .raw("while_offline", phase_json(r.offline))
                                       .raw("reconnect", phase_json(r.reconnect))
                                       .raw("until_quiet", phase_json(r.settle))
                                       .done())
                    .raw("server", resource_json(r.server))
                    .raw("generator", resource_json(r.generator))
                    .field("server_cpu_s_above_idle", r.server_cpu_s_above_idle)
                    .field("other_cores", r.other_cores)
                    .field("generator_limited", r.generator_limited)
                    .field("machine_saturated", r.machine_saturated)
                    .raw("presence_pushes", Json()
                                                .field("total", r.online_pushes + r.offline_pushes)
                                                .field("online", r.online_pushes)
                                                .field("offline", r.offline_pushes)
                                                .field("per_user_mean", r.pushes_per_user_mean)
                                                .field("per_user_max", r.pushes_per_user_max)
                                                .field("per_stormed_user", r.pushes_per_stormed_user)
                                                .field("malformed", r.malformed)
                                                .field("not_contact", r.not_contact)
                                                .field("not_stormed", r.not_stormed)
                                                .field("repeated", r.repeated)
                                                .done())
                    .raw("other_events", other)
                    .field("disconnects", r.disconnects)
                    .field("error_events", r.error_events)
                    .field("passed", r.passed)
                    .field("verdict", r.verdict)
                    .strings("errors", r.errors);
  return Json().field("tool", "parley-bench").raw("run", info_json(info)).raw("result", result.done()).done() + "\n";
}

}  // namespace parley_bench
