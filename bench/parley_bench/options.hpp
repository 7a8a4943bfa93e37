// parley-bench's command line: the options of every mode, their limits, and the checks that
// refuse a run before it starts (non-loopback targets, unbounded durations and counts).
// Pure code: parsing and validation touch no socket, so the tests exercise them directly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley_bench {

enum class Mode { rate, max, connections, handshake, group, presence, typing, make_users };
enum class Transport { websocket, polling };

const char* to_string(Mode mode) noexcept;
const char* to_string(Transport transport) noexcept;

// Hard limits: every run ends by itself, and none can be pointed at another machine.
namespace limits {
inline constexpr double max_duration_s = 600;
inline constexpr double max_rate = 10'000'000;             // msgs/s
inline constexpr uint64_t max_messages_per_step = 200'000'000;  // one byte of tracking each
inline constexpr uint32_t max_connections = 1'000'000;
inline constexpr uint32_t max_users = 1'000'000;
inline constexpr uint32_t max_threads = 256;
inline constexpr uint32_t max_source_addresses = 1024;
inline constexpr uint32_t max_concurrency = 100'000;
inline constexpr uint32_t max_message_size = 4'000;  // the seed's servers accept 5,000 characters
inline constexpr uint32_t max_steps = 64;
inline constexpr uint32_t max_groups = 100'000;
inline constexpr uint32_t max_members = 1'000;  // a delivery count per message fits 16 bits
inline constexpr uint32_t max_conversations_per_user = 1'000;
inline constexpr uint64_t max_contact_pairs = 50'000'000;  // presence: a byte per pair per thread
}  // namespace limits

// Where the server is: http://HOST:PORT (ws:// is accepted as a synonym), loopback only.
struct Target {
  std::string host;      // as written, without brackets: "127.0.0.1", "::1", "localhost"
  std::string address;   // numeric address to connect to ("127.0.0.1" for localhost)
  uint16_t port = 0;
  bool ipv6 = false;
};

// True for 127.0.0.0/8, ::1 and "localhost"; nothing else is a permitted target.
bool is_loopback_host(std::string_view host) noexcept;

// Parses the --url value. On failure returns nullopt and says why in `error`.
std::optional<Target> parse_url(std::string_view url, std::string& error);

struct Options {
  Mode mode = Mode::rate;

  // common
  std::string url = "http://127.0.0.1:3000";
  std::string path = "/socket.io/";
  std::string users_file;
  std::string secret;            // mints tokens for users without one (HS256)
  uint32_t users_count = 0;      // use the first N users of the file; 0: all of them
  uint32_t threads = 0;          // 0: one per core
  uint32_t source_addresses = 1; // 127.0.0.1 .. 127.0.0.N as client source addresses
  int pid = 0;                   // server process to sample from /proc (children included)
  std::string out;               // JSON report (make-users: the users file written)
  std::string label;             // name of the target in the report
  double duration_s = 0;         // required: send window (rate), budget (max), hold (connections)
  double connect_timeout_s = 60;

  // rate and max
  double rate = 0;                 // rate: aggregate msgs/s
  uint32_t message_size = 64;      // bytes of message content
  double drain_s = 5;              // how long to wait for outstanding acks and deliveries
  uint32_t max_inflight = 10'000;  // unacknowledged messages per connection before skipping
  uint32_t batch_us = 0;           // generator threads wake every batch_us instead of per event

  // max
  double p99_ms = 100;
  double start_rate = 1'000;
  double step_factor = 2;
  double fine_factor = 1.15;  // once a passing step's p99 is above fine_from x p99_ms
  double fine_from = 0.1;
  double max_rate = 1'000'000;
  double step_duration_s = 5;
  double precision = 0.05;  // bisect until the bracket is this narrow (relative)
  uint32_t max_steps = 30;

  // group (also uses rate, duration_s, message_size, drain_s, max_inflight)
  uint32_t groups = 0;                 // G groups of
  uint32_t members = 0;                // M members each (the creator included), disjoint users
  uint32_t create_concurrency = 64;    // create_conversation calls in flight at once

  // typing (also uses groups, members, create_concurrency, rate: typing changes/s, duration_s,
  // drain_s: how long a change may take before its missing updates are lost)
  double typing_timeout_s = 6;  // the server's TYPING_TIMEOUT: every typist stops within half of it
  double user_typing_rate = 10;  // the server's `typing` limit per user: no user changes more often

  // presence (also uses members, create_concurrency, connect_concurrency, duration_s: the most
  // the storm may take, from the drop to quiet again)
  uint32_t conversations_per_user = 20;  // C: every user is in C groups of `members`
  double offline_s = 0;                  // from the drop to the reconnects
  double presence_grace_s = 5;           // the server's PRESENCE_GRACE: how late pushes may come
  double quiet_s = 2;                    // no event for this long: quiet
  double idle_s = 5;                     // the server's baseline, measured before the storm
  double storm_fraction = 1;             // share of the users dropped; the others stay and watch

  // connections (connect_concurrency also for every mode's connects)
  uint32_t connections = 0;
  uint32_t connect_concurrency = 256;
  double settle_s = 2;  // after the last connect, before the "after" RSS sample

  // handshake
  uint32_t concurrency = 64;
  Transport transport = Transport::websocket;

  // make-users
  uint32_t count = 0;
  std::string name_prefix = "Bench";

  Target target;  // filled by validate()
};

// Checks every limit and fills `options.target` and `options.threads` (0 -> cores). Returns
// a message for the user when the run must be refused.
std::optional<std::string> validate(Options& options);

struct ParseResult {
  Options options;
  bool exit_now = false;  // --help, or a parse/validation error
  int exit_code = 0;
  std::string message;    // what to print (help text or the error), when exit_now
};

// Parses and validates a command line (argv[0] is the program name).
ParseResult parse_command_line(const std::vector<std::string>& args);

}  // namespace parley_bench
