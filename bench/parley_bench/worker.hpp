// One generator thread: its own io_context and its share of the connections. It connects
// users, sends its share of a step's messages on schedule, and checks every ack and
// receive_message that reaches its connections. The main thread drives workers through the
// calls below (each posts to the worker's thread) and reads their live counters.
#pragma once

#include <atomic>
#include <cstdint>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "client.hpp"
#include "group_plan.hpp"
#include "options.hpp"
#include "presence_layout.hpp"
#include "presence_tally.hpp"
#include "stats.hpp"
#include "typing_plan.hpp"
#include "users.hpp"

namespace parley_bench {

// Read-only during a run, shared by every worker.
struct RunShared {
  ClientTarget target;
  std::vector<User> users;
  std::vector<std::string> auth_json;    // per user: {"token":"..."}
  std::vector<std::string> quoted_ids;   // per user: the id as a JSON string literal
  uint32_t threads = 1;
  uint32_t source_addresses = 1;
  uint32_t message_size = 64;
  uint32_t max_inflight = 10'000;
  uint32_t batch_us = 0;  // 0: wake for every event; else wake every batch_us and handle all that is ready
  double connect_timeout_s = 60;
  uint32_t first_source_v4 = 0x7f000001;  // 127.0.0.1, host order; 0 for IPv6 targets
  // The group mode: the layout, and each group's conversation id (filled by LoadRun after the
  // groups are created, before the step starts; read-only from then on).
  GroupLayout layout;
  std::vector<uint64_t> conversation_ids;
  // Who is in which group, for create_groups (the group and presence modes).
  GroupRosters rosters;
  // The presence mode: every user's contacts, and each user's index by id.
  ContactBook contacts;
  std::unordered_map<std::string, uint32_t> user_index;
};

// The typing mode's board: one for the run, fed by every worker (acks, typing_update events) and
// by the main thread (the changes it begins), under its lock. Typing changes are a few thousand
// a second at most, so one lock costs nothing next to the I/O.
struct TypingWatch {
  explicit TypingWatch(TypingBoard board) : board(std::move(board)) {}
  std::mutex mutex;
  TypingBoard board;
};

// Bits of a message's tracking byte.
namespace track {
inline constexpr uint8_t sent = 1;
inline constexpr uint8_t ack_ok = 2;
inline constexpr uint8_t ack_failed = 4;
inline constexpr uint8_t delivered = 8;
}  // namespace track

// One measured step of `rate` or `max`: every worker sends `per_thread_total` messages, spread
// evenly from `start_ns`. Message `k` of worker `w` has sequence number k * threads + w.
struct Step {
  uint32_t id = 0;
  double rate_per_thread = 0;
  uint64_t per_thread_total = 0;
  int64_t start_ns = 0;
  uint32_t threads = 1;
  std::vector<std::atomic<uint8_t>> tracking;  // per sequence number
  // Group sends: message k goes to the sender's group, and is due to `fanout` members;
  // `deliveries` counts the members it reached, per sequence number.
  bool group = false;
  uint32_t fanout = 1;
  std::vector<std::atomic<uint16_t>> deliveries;
};

// What one worker saw during a step (summed over workers by the caller).
struct StepCounters {
  uint64_t attempted = 0;     // sends scheduled
  uint64_t sent = 0;
  uint64_t skipped = 0;       // not sent: no open connection, or too many unacknowledged
  uint64_t acked = 0;
  uint64_t failed_acks = 0;
  uint64_t delivered = 0;
  uint64_t duplicated = 0;
  uint64_t misrouted = 0;     // reached a user it was not sent to, or with the wrong sender
  uint64_t echoes = 0;        // the sender's own copy
  uint64_t late = 0;          // from an earlier step
  uint64_t foreign = 0;       // receive_message that is not one of ours
  uint64_t error_events = 0;
  uint64_t disconnects = 0;
  int64_t last_send_ns = 0;
  int64_t last_delivery_ns = 0;
  LatencyHistogram ack_latency;
  LatencyHistogram delivery_latency;
  std::vector<std::string> error_samples;  // first few error messages

  void merge(const StepCounters& other);
};

// What one worker's create_conversation calls gave.
struct GroupsCreated {
  std::vector<std::pair<uint32_t, uint64_t>> ids;  // group, conversation id
  uint64_t failed = 0;
  std::vector<std::string> error_samples;
};

struct HandshakeCounters {
  uint64_t succeeded = 0;
  uint64_t failed = 0;
  LatencyHistogram latency;
  std::vector<std::string> error_samples;
  void merge(const HandshakeCounters& other);
};

// Polled by the main thread while a worker runs.
struct LiveCounters {
  std::atomic<uint64_t> connected{0};
  std::atomic<uint64_t> connect_failed{0};
  std::atomic<uint64_t> disconnected{0};  // after connecting, not asked for
  std::atomic<uint64_t> closed{0};        // every end, asked for or not
  std::atomic<uint64_t> attempted{0};     // this step
  std::atomic<uint64_t> sent{0};
  std::atomic<uint64_t> acks{0};          // ok or failed
  std::atomic<uint64_t> failed_acks{0};
  std::atomic<uint64_t> delivered{0};
  std::atomic<uint64_t> received{0};      // every receive_message, any step
  std::atomic<uint64_t> events{0};        // every event of any name
  std::atomic<int64_t> last_event_ns{0};  // when the last one came
  std::atomic<uint64_t> created{0};       // create_conversation answers, ok or not
};

class Worker {
 public:
  Worker(uint32_t index, const RunShared& shared);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void start();  // the thread
  void stop();   // ends the thread after aborting every connection; joins

  // Opens one connection per entry of `users` (user indexes), `concurrency` at a time;
  // `global_index` numbers them across workers to spread them over source addresses.
  void connect(std::vector<uint32_t> users, std::vector<uint32_t> global_index, uint32_t concurrency);
  // Closes every connection with the WebSocket close handshake; resolves when all are closed.
  std::future<void> close_all();
  // The presence mode's storm: drops the open connections of `users` at once with a TCP reset (no
  // WebSocket close, no Socket.IO disconnect); resolves when every one of them has ended. Those
  // ends are not counted as disconnects.
  std::future<void> drop(std::vector<uint32_t> users);

  // From now until end_presence_watch, every presence push (and every other event) that reaches
  // this worker's users is counted and judged; `stormed` is 1 for each user the storm drops.
  void watch_presence(std::vector<uint8_t> stormed);
  std::future<PresenceCounts> end_presence_watch();

  // Creates the groups of `groups` whose creators' connections are on this worker, with
  // create_conversation from the creator, `concurrency` at a time.
  std::future<GroupsCreated> create_groups(std::vector<uint32_t> groups, uint32_t concurrency);

  // The typing mode: from now on, typing acks and typing_update (and error) events that reach this
  // worker's users go to `watch`'s board; null ends it.
  void watch_typing(std::shared_ptr<TypingWatch> watch);
  // Sends the change's typing event from its user's connection (which must be on this worker);
  // the board is told when it goes out, or that it could not.
  void send_typing(TypingChange change);

  void start_step(std::shared_ptr<Step> step);
  void stop_sending();  // the step goes on (acks and deliveries still count), nothing more is sent
  std::future<StepCounters> end_step();

  // Connect, wait for CONNECT, close, repeat, `concurrency` at a time, until `deadline_ns`.
  void start_handshakes(uint32_t concurrency, Transport transport, int64_t deadline_ns);
  // Stops starting new ones, aborts those still in flight, and returns the counts.
  std::future<HandshakeCounters> end_handshakes();

  const LiveCounters& live() const;
  // Zeroes the per-step live counters; called by the main thread before start_step so that it
  // never reads the previous step's totals.
  void reset_step_counters();
  // The first few reasons connections failed or were dropped.
  std::future<std::vector<std::string>> connection_errors();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace parley_bench
