#include "typing_report.hpp"

#include <algorithm>
#include <cstdio>
#include <ostream>

#include "report_json.hpp"

namespace parley_bench {

void judge_typing(TypingResult& r) {
  const TypingTally& t = r.tally;
  r.latency = summarize(t.latency);
  r.start_latency = summarize(t.start_latency);
  r.stop_latency = summarize(t.stop_latency);
  r.ack_latency = summarize(t.ack_latency);
  std::vector<std::string> reasons;
  auto add = [&](uint64_t n, const char* what) {
    if (n) reasons.push_back(std::to_string(n) + " " + what);
  };
  add(t.lost, "updates lost");
  add(t.unexpected(), "unexpected updates");
  add(t.rate_limited, "changes RATE_LIMITED");
  add(t.refused, "changes refused");
  add(t.unacked, "changes unacked");
  add(t.not_sent, "changes not sent (connection gone)");
  add(t.error_events, "error events");
  add(r.disconnects, "disconnects");
  if (r.skipped * 100 > r.attempted) add(r.skipped, "changes skipped (every group busy or paced)");
  r.passed = reasons.empty();
  r.verdict.clear();
  for (std::size_t i = 0; i < reasons.size(); ++i) r.verdict += (i ? "; " : "") + reasons[i];
}

void print_typing_setup(std::ostream& out, const TypingResult& r) {
  out << "  created " << r.created << " of " << r.groups << " groups of " << r.members << " members in "
      << fixed(r.create_seconds, 2) << " s\n";
  for (const auto& e : r.create_errors) out << "  ! " << e << "\n";
}

void print_typing(std::ostream& out, const TypingResult& r) {
  const TypingTally& t = r.tally;
  out << "  target rate         " << fixed(r.target_rate, 0) << " changes/s (one in flight per group; at most "
      << fixed(r.user_rate, 1) << "/s per user; typists stop after " << fixed(r.max_typing_s, 1) << " s)\n"
      << "  achieved            " << fixed(r.changes_per_second, 0) << " changes/s over " << fixed(r.send_seconds, 2)
      << " s; " << fixed(r.updates_per_second, 0) << " updates/s delivered (" << r.members - 1 << " per change)\n"
      << "  changes             sent " << t.changes << " (" << t.starts << " true, " << t.stops << " false), acked "
      << t.acked << ", RATE_LIMITED " << t.rate_limited << ", refused " << t.refused << ", unacked " << t.unacked
      << ", skipped " << r.skipped << ", not sent " << t.not_sent << "\n"
      << "  updates             due " << t.updates_due << ", delivered " << t.delivered << ", lost " << t.lost
      << ", unexpected " << t.unexpected() << " (no change in flight " << t.no_change_in_flight << ", to the changer "
      << t.to_changer << ", repeated " << t.repeated << ", wrong list " << t.wrong_list << ", wrong conversation "
      << t.wrong_conversation << ", malformed " << t.malformed << ")\n"
      << "  latency (ms)        p50      p90      p99    p99.9      max\n";
  auto row = [&](const char* name, const LatencySummary& l) {
    char line[160];
    std::snprintf(line, sizeof line, "  %-16s %8s %8s %8s %8s %8s\n", name, ms(l.p50_ms).c_str(), ms(l.p90_ms).c_str(),
                  ms(l.p99_ms).c_str(), ms(l.p999_ms).c_str(), ms(l.max_ms).c_str());
    out << line;
  };
  row("fan-out", r.latency);
  row("  of true", r.start_latency);
  row("  of false", r.stop_latency);
  row("ack", r.ack_latency);
  if (r.server.sampled) {
    out << "  server CPU          " << fixed(r.server.busy_cores() * 100, 0) << " % ("
        << fixed(r.server_cpu_us_per_update, 1) << " us/update), RSS " << r.server.rss_kb_end / 1024 << " MiB\n";
  }
  out << "  generator CPU       " << fixed(r.generator.busy_cores() * 100, 0) << " % ("
      << fixed(r.generator_cpu_us_per_update, 1) << " us/update)" << (r.generator_limited ? "  GENERATOR-LIMITED" : "")
      << (r.machine_saturated ? "  (machine CPU saturated)" : "") << "\n"
      << "  other processes     " << fixed(r.other_cores * 100, 0) << " % CPU while sending\n"
      << "  disconnects " << r.disconnects << ", error events " << t.error_events << "\n"
      << "  result              " << (r.passed ? "pass" : "FAIL: " + r.verdict) << "\n";
  for (const auto& e : t.errors) out << "  ! " << e << "\n";
}

std::string typing_json(const RunInfo& info, const TypingResult& r) {
  const TypingTally& t = r.tally;
  auto result = Json()
                    .field("groups", r.groups)
                    .field("members", r.members)
                    .field("fanout", r.members - 1)
                    .field("created", r.created)
                    .field("create_failed", r.create_failed)
                    .field("create_seconds", r.create_seconds)
                    .strings("create_errors", r.create_errors)
                    .field("target_rate", r.target_rate, 1)
                    .field("duration_s", r.duration_s)
                    .field("user_rate", r.user_rate)
                    .field("max_typing_s", r.max_typing_s)
                    .field("give_up_s", r.give_up_s)
                    .field("attempted", r.attempted)
                    .field("skipped", r.skipped)
                    .raw("changes", Json()
                                        .field("sent", t.changes)
                                        .field("starts", t.starts)
                                        .field("stops", t.stops)
                                        .field("acked", t.acked)
                                        .field("rate_limited", t.rate_limited)
                                        .field("refused", t.refused)
                                        .field("unacked", t.unacked)
                                        .field("not_sent", t.not_sent)
                                        .field("given_up", t.given_up)
                                        .done())
                    .raw("updates", Json()
                                        .field("due", t.updates_due)
                                        .field("delivered", t.delivered)
                                        .field("lost", t.lost)
                                        .field("unexpected", t.unexpected())
                                        .field("no_change_in_flight", t.no_change_in_flight)
                                        .field("to_changer", t.to_changer)
                                        .field("repeated", t.repeated)
                                        .field("wrong_list", t.wrong_list)
                                        .field("wrong_conversation", t.wrong_conversation)
                                        .field("malformed", t.malformed)
                                        .done())
                    .field("send_seconds", r.send_seconds)
                    .field("changes_per_second", r.changes_per_second, 1)
                    .field("updates_per_second", r.updates_per_second, 1)
                    .raw("fanout_latency", latency_json(r.latency))
                    .raw("start_latency", latency_json(r.start_latency))
                    .raw("stop_latency", latency_json(r.stop_latency))
                    .raw("ack_latency", latency_json(r.ack_latency))
                    .raw("server", resource_json(r.server))
                    .raw("generator", resource_json(r.generator))
                    .field("server_cpu_us_per_update", r.server_cpu_us_per_update, 2)
                    .field("generator_cpu_us_per_update", r.generator_cpu_us_per_update, 2)
                    .field("other_cores", r.other_cores)
                    .field("generator_limited", r.generator_limited)
                    .field("machine_saturated", r.machine_saturated)
                    .field("disconnects", r.disconnects)
                    .field("error_events", t.error_events)
                    .field("passed", r.passed)
                    .field("verdict", r.verdict)
                    .strings("errors", t.errors);
  return Json().field("tool", "parley-bench").raw("run", info_json(info)).raw("result", result.done()).done() + "\n";
}

}  // namespace parley_bench
