// What a run found, and the two ways it is told: a table on stdout for a person, and a JSON
// report (--out) for scripts such as bench/compare.sh.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "stats.hpp"

namespace parley_bench {

struct ResourceUse {
  bool sampled = false;  // false: no --pid, or the process was gone
  double cpu_s = 0;
  double wall_s = 0;
  uint64_t rss_kb_start = 0;
  uint64_t rss_kb_end = 0;
  uint64_t rss_kb_peak = 0;
  // Over the busy part of the window (the send window of a step), when it was marked.
  double busy_cpu_s = 0;
  double busy_wall_s = 0;
  double cores() const { return wall_s > 0 ? cpu_s / wall_s : 0; }
  double busy_cores() const { return busy_wall_s > 0 ? busy_cpu_s / busy_wall_s : cores(); }
};

struct RunInfo {
  std::string mode;
  std::string label;
  std::string url;
  std::string started_at;  // ISO-8601 UTC
  std::string command_line;
  std::string kernel;
  uint32_t cores = 0;
  uint32_t threads = 0;
  uint32_t users = 0;
  uint32_t source_addresses = 1;
  uint32_t message_size = 0;
  uint32_t batch_us = 0;
  int pid = 0;
};

struct StepResult {
  uint32_t step = 0;
  double target_rate = 0;
  double send_seconds = 0;        // first send to last send
  double achieved_rate = 0;       // sent / planned window
  double delivered_throughput = 0;  // delivered / (first send .. last delivery)
  uint32_t fanout = 1;  // deliveries due per send: 1, or a group's members but the sender
  uint64_t attempted = 0, sent = 0, skipped = 0, acked = 0, failed_acks = 0, unacked = 0, delivered = 0, lost = 0,
           duplicated = 0, misrouted = 0, echoes = 0, late = 0, foreign = 0, error_events = 0, disconnects = 0;
  LatencySummary ack;
  LatencySummary delivery;
  ResourceUse server;
  ResourceUse generator;
  double server_cpu_us_per_msg = 0;
  double generator_cpu_us_per_msg = 0;
  bool generator_limited = false;  // the generator used (nearly) all of its threads
  bool machine_saturated = false;  // generator + server used (nearly) every core
  bool stopped_early = false;  // `max` gave up on the step: its backlog passed a second's worth
  bool passed = true;
  std::string verdict;  // why a step failed, for `max`
  double other_cores = 0;  // what everything else on the machine used while sending
  std::vector<std::string> errors;
};

// The group mode: G groups of M members created, then one step of group sends. In `step`,
// `delivered`, `lost`, `duplicated` and `delivery` count deliveries (fan-out per send), and
// `delivered_throughput` is deliveries per second; `achieved_rate` is sends per second.
struct GroupResult {
  uint32_t groups = 0;
  uint32_t members = 0;
  uint64_t created = 0;
  uint64_t create_failed = 0;
  double create_seconds = 0;
  std::vector<std::string> create_errors;
  StepResult step;
};

// The presence mode: U users in overlapping groups, then one reconnect storm. Times are seconds
// from the drop; CPU is over the storm window (the drop until quiet again) and per phase.
struct StormPhase {
  double seconds = 0;
  double server_cpu_s = 0;  // 0 without --pid
  double generator_cpu_s = 0;
};

struct PresenceResult {
  // the layout and its creation
  uint32_t users = 0;
  uint32_t conversations_per_user = 0;
  uint32_t members = 0;
  uint64_t groups = 0;
  uint64_t created = 0;
  uint64_t create_failed = 0;
  double create_seconds = 0;
  std::vector<std::string> create_errors;
  uint32_t contacts_min = 0;
  uint32_t contacts_max = 0;
  double contacts_mean = 0;
  double settle_seconds = 0;          // from the last creation to quiet
  double idle_server_cores = 0;       // before the storm, every user connected, nothing sent
  double idle_generator_cores = 0;
  // the storm
  uint32_t stormed = 0;               // users whose connection was dropped
  double offline_s = 0;               // asked for
  double presence_grace_s = 0;        // the server's, as told with --presence-grace
  double drop_seconds = 0;            // until the generator saw every dropped connection end
  double reconnect_seconds = 0;       // from the first reconnect to the last CONNECT answer
  double reconnected_at = 0;          // seconds from the drop until every user was back
  uint64_t reconnected = 0;
  uint64_t reconnect_failed = 0;
  bool reconnect_timed_out = false;
  double last_event_at = 0;           // seconds from the drop to the last event received
  double window_seconds = 0;          // the drop until quiet again
  bool quiet = true;                  // false: still receiving at the end of --duration
  StormPhase offline;                 // drop .. first reconnect
  StormPhase reconnect;               // first reconnect .. every user back
  StormPhase settle;                  // every user back .. quiet
  ResourceUse server;                 // over the window
  ResourceUse generator;
  double server_cpu_s_above_idle = 0;
  double other_cores = 0;
  bool generator_limited = false;
  bool machine_saturated = false;
  // what reached the users in the window
  uint64_t online_pushes = 0;
  uint64_t offline_pushes = 0;
  double pushes_per_user_mean = 0;    // presence pushes received, over every user
  uint32_t pushes_per_user_max = 0;
  double pushes_per_stormed_user = 0;  // received in all / users dropped
  uint64_t malformed = 0, not_contact = 0, not_stormed = 0, repeated = 0;
  std::vector<std::pair<std::string, uint64_t>> other_events;  // by name
  uint64_t disconnects = 0;           // connections that ended without being dropped
  uint64_t error_events = 0;
  std::vector<std::string> errors;
  bool passed = true;
  std::string verdict;
};

struct MaxResult {
  double p99_bound_ms = 0;
  double max_rate_passed = 0;
  int best_step = -1;  // index into steps
  std::string stopped_because;
  std::vector<StepResult> steps;
};

struct ConnectionsResult {
  uint32_t requested = 0;
  uint64_t connected = 0;
  uint64_t failed = 0;
  uint64_t dropped = 0;  // disconnected while held
  double connect_seconds = 0;
  double hold_seconds = 0;
  ResourceUse server;  // over the connect phase
  uint64_t server_rss_before_kb = 0;
  uint64_t server_rss_after_kb = 0;  // after connecting and settling
  uint64_t server_rss_end_kb = 0;    // at the end of the hold
  double server_bytes_per_connection = 0;
  uint64_t generator_rss_before_kb = 0;
  uint64_t generator_rss_after_kb = 0;
  double generator_bytes_per_connection = 0;
  std::vector<std::string> errors;
};

struct HandshakeResult {
  std::string transport;
  uint32_t concurrency = 0;
  double seconds = 0;
  uint64_t succeeded = 0;
  uint64_t failed = 0;
  double per_second = 0;
  LatencySummary latency;
  ResourceUse server;
  ResourceUse generator;
  bool generator_limited = false;
  bool machine_saturated = false;
  double other_cores = 0;
  std::vector<std::string> errors;
};

void print_run_header(std::ostream& out, const RunInfo& info);
void print_step(std::ostream& out, const StepResult& step);
void print_step_line_header(std::ostream& out);
void print_step_line(std::ostream& out, const StepResult& step);
void print_max(std::ostream& out, const MaxResult& result);
void print_connections(std::ostream& out, const ConnectionsResult& result);
void print_handshake(std::ostream& out, const HandshakeResult& result);
void print_group_setup(std::ostream& out, const GroupResult& result);
void print_presence_setup(std::ostream& out, const PresenceResult& result);
void print_presence_idle(std::ostream& out, const PresenceResult& result);
void print_presence(std::ostream& out, const PresenceResult& result);

std::string rate_json(const RunInfo& info, const StepResult& step);
std::string max_json(const RunInfo& info, const MaxResult& result);
std::string connections_json(const RunInfo& info, const ConnectionsResult& result);
std::string handshake_json(const RunInfo& info, const HandshakeResult& result);
std::string group_json(const RunInfo& info, const GroupResult& result);
std::string presence_json(const RunInfo& info, const PresenceResult& result);

}  // namespace parley_bench
