#include "options.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <thread>

#include <CLI/CLI.hpp>

namespace parley_bench {

const char* to_string(Mode mode) noexcept {
  switch (mode) {
    case Mode::rate: return "rate";
    case Mode::max: return "max";
    case Mode::connections: return "connections";
    case Mode::handshake: return "handshake";
    case Mode::group: return "group";
    case Mode::presence: return "presence";
    case Mode::typing: return "typing";
    case Mode::make_users: return "make-users";
  }
  return "?";
}

const char* to_string(Transport transport) noexcept {
  return transport == Transport::polling ? "polling" : "websocket";
}

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// The group layout: G x M distinct users, group g being users g*M .. g*M+M-1 (minted when
// --users-count is not given with --secret).
// (The group and typing modes.)
std::optional<std::string> validate_groups(Options& o) {
  const std::string mode = to_string(o.mode);
  if (o.groups == 0 || o.groups > limits::max_groups) {
    return mode + ": --groups must be between 1 and " + std::to_string(limits::max_groups);
  }
  if (o.members < 2 || o.members > limits::max_members) {
    return mode + ": --members must be between 2 and " + std::to_string(limits::max_members) +
           " (the creator and at least one other)";
  }
  uint64_t needed = static_cast<uint64_t>(o.groups) * o.members;
  if (needed > limits::max_users) {
    return mode + ": --groups x --members is " + std::to_string(needed) + " users, over the limit of " +
           std::to_string(limits::max_users);
  }
  if (o.users_count == 0 && o.users_file.empty()) o.users_count = static_cast<uint32_t>(needed);
  if (o.users_count != 0 && o.users_count < needed) {
    return mode + ": --groups x --members needs " + std::to_string(needed) + " users, --users-count gives " +
           std::to_string(o.users_count);
  }
  if (o.create_concurrency == 0 || o.create_concurrency > limits::max_concurrency) {
    return mode + ": --create-concurrency must be between 1 and " + std::to_string(limits::max_concurrency);
  }
  return std::nullopt;
}

// The typing traffic: every user stays under the server's per-user limit, and the changes fit.
std::optional<std::string> validate_typing(const Options& o) {
  if (!(o.rate > 0) || o.rate > limits::max_rate) {
    return "typing: --rate must be in (0, " + std::to_string(static_cast<uint64_t>(limits::max_rate)) +
           "] changes/s";
  }
  if (!(o.user_typing_rate > 0) || o.user_typing_rate > 1000) return "typing: --user-rate must be in (0, 1000] per s";
  double most = static_cast<double>(o.groups) * o.members * o.user_typing_rate;
  if (o.rate > most) {
    return "typing: --rate " + std::to_string(static_cast<uint64_t>(o.rate)) + " is more than " +
           std::to_string(static_cast<uint64_t>(most)) +
           " users x --user-rate allow (each user is kept under the server's per-user typing limit)";
  }
  if (o.rate * o.duration_s > static_cast<double>(limits::max_messages_per_step)) {
    return "typing: --rate x --duration is over the cap of " + std::to_string(limits::max_messages_per_step) +
           " changes per run";
  }
  if (!(o.typing_timeout_s >= 1) || o.typing_timeout_s > 60) {
    return "typing: --typing-timeout must be in [1, 60] seconds (the server's range)";
  }
  if (o.drain_s < 0 || o.drain_s > 120) return "--drain must be in [0, 120] seconds";
  return std::nullopt;
}

// The presence layout: U users (a multiple of M) in C rounds of U / M groups of M.
std::optional<std::string> validate_presence(Options& o) {
  if (o.members < 2 || o.members > limits::max_members) {
    return "presence: --members must be between 2 and " + std::to_string(limits::max_members);
  }
  if (o.conversations_per_user == 0 || o.conversations_per_user > limits::max_conversations_per_user) {
    return "presence: --conversations-per-user must be between 1 and " +
           std::to_string(limits::max_conversations_per_user);
  }
  if (o.users_count != 0) {
    if (o.users_count < o.members || o.users_count % o.members != 0) {
      return "presence: the users (" + std::to_string(o.users_count) + ") must be a multiple of --members (" +
             std::to_string(o.members) + "): every round splits them into groups of exactly M";
    }
    uint64_t groups = static_cast<uint64_t>(o.users_count) / o.members * o.conversations_per_user;
    if (groups > limits::max_groups) {
      return "presence: " + std::to_string(groups) + " groups to create, over the limit of " +
             std::to_string(limits::max_groups);
    }
    if (groups * o.members * (o.members - 1) > limits::max_contact_pairs) {
      return "presence: too many contact pairs to track (users x conversations x (members - 1) is over " +
             std::to_string(limits::max_contact_pairs) + ")";
    }
  }
  if (o.create_concurrency == 0 || o.create_concurrency > limits::max_concurrency) {
    return "presence: --create-concurrency must be between 1 and " + std::to_string(limits::max_concurrency);
  }
  if (o.connect_concurrency == 0 || o.connect_concurrency > limits::max_concurrency) {
    return "presence: --connect-concurrency must be between 1 and " + std::to_string(limits::max_concurrency);
  }
  if (!(o.offline_s >= 0) || o.offline_s > limits::max_duration_s) return "presence: --offline-s must be in [0, 600]";
  if (!(o.presence_grace_s >= 1) || o.presence_grace_s > 300) {
    return "presence: --presence-grace must be in [1, 300] seconds (the server's range)";
  }
  if (!(o.quiet_s > 0) || o.quiet_s > 60) return "presence: --quiet must be in (0, 60] seconds";
  if (!(o.idle_s >= 0) || o.idle_s > 60) return "presence: --idle-s must be in [0, 60] seconds";
  if (!(o.storm_fraction > 0) || o.storm_fraction > 1) return "presence: --storm-fraction must be in (0, 1]";
  return std::nullopt;
}

}  // namespace

bool is_loopback_host(std::string_view host) noexcept {
  if (iequals(host, "localhost")) return true;
  std::string text(host);
  unsigned char v4[4];
  if (inet_pton(AF_INET, text.c_str(), v4) == 1) return v4[0] == 127;
  unsigned char v6[16];
  if (inet_pton(AF_INET6, text.c_str(), v6) == 1) {
    static constexpr unsigned char loopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    return std::equal(std::begin(v6), std::end(v6), std::begin(loopback));
  }
  return false;
}

std::optional<Target> parse_url(std::string_view url, std::string& error) {
  std::string_view rest;
  if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else if (url.starts_with("ws://")) {
    rest = url.substr(5);
  } else if (url.starts_with("https://") || url.starts_with("wss://")) {
    error = "--url: TLS is not supported (the target is on this machine): use http://";
    return std::nullopt;
  } else {
    error = "--url must look like http://127.0.0.1:3000, not '" + std::string(url) + "'";
    return std::nullopt;
  }
  auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  Target target;
  std::string_view port_text;
  if (authority.starts_with('[')) {
    auto close = authority.find(']');
    if (close == std::string_view::npos) {
      error = "--url: unterminated '[' in '" + std::string(url) + "'";
      return std::nullopt;
    }
    target.host = std::string(authority.substr(1, close - 1));
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') {
        error = "--url: unexpected text after ']' in '" + std::string(url) + "'";
        return std::nullopt;
      }
      port_text = after.substr(1);
    }
  } else {
    auto colon = authority.rfind(':');
    if (colon != std::string_view::npos && authority.find(':') != colon) {
      error = "--url: write an IPv6 address in brackets, as http://[::1]:3000";
      return std::nullopt;
    }
    target.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (target.host.empty()) {
    error = "--url has no host: '" + std::string(url) + "'";
    return std::nullopt;
  }
  if (!is_loopback_host(target.host)) {
    error = "refusing to load '" + target.host +
            "': parley-bench only targets servers on this machine (127.0.0.0/8, ::1 or localhost)";
    return std::nullopt;
  }
  target.port = 80;
  if (!port_text.empty()) {
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
      error = "--url: bad port '" + std::string(port_text) + "'";
      return std::nullopt;
    }
    target.port = static_cast<uint16_t>(port);
  }
  if (iequals(target.host, "localhost")) {
    target.address = "127.0.0.1";
  } else {
    target.address = target.host;
    target.ipv6 = target.host.find(':') != std::string::npos;
  }
  return target;
}

std::optional<std::string> validate(Options& o) {
  if (o.mode == Mode::make_users) {
    if (o.count == 0 || o.count > limits::max_users) {
      return "make-users: --count must be between 1 and " + std::to_string(limits::max_users);
    }
    if (o.out.empty()) return "make-users: --out FILE is required";
    return std::nullopt;
  }

  // The URL path, when given, is the Socket.IO path (http://127.0.0.1:3000/socket.io/).
  std::string error;
  auto target = parse_url(o.url, error);
  if (!target) return error;
  o.target = *target;
  if (auto slash = o.url.find('/', o.url.find("//") + 2); slash != std::string::npos) {
    std::string url_path = o.url.substr(slash);
    if (url_path != "/") o.path = url_path;
  }
  if (o.path.empty() || o.path[0] != '/') return "--path must start with '/'";
  if (o.path.back() != '/') o.path += '/';

  if (!(o.duration_s > 0)) {
    return std::string("--duration SECONDS is required: every run is bounded (at most ") +
           std::to_string(static_cast<int>(limits::max_duration_s)) + " s)";
  }
  if (o.duration_s > limits::max_duration_s) {
    char given[32];
    std::snprintf(given, sizeof given, "%g", o.duration_s);
    return std::string("--duration ") + given + " is over the limit of " +
           std::to_string(static_cast<int>(limits::max_duration_s)) + " s: runs are bounded";
  }
  if (!(o.connect_timeout_s > 0) || o.connect_timeout_s > limits::max_duration_s) {
    return "--connect-timeout must be in (0, 600] seconds";
  }
  if (o.threads == 0) o.threads = std::max(1u, std::thread::hardware_concurrency());
  if (o.threads > limits::max_threads) return "--threads is at most " + std::to_string(limits::max_threads);
  if (o.source_addresses == 0 || o.source_addresses > limits::max_source_addresses) {
    return "--source-addresses must be between 1 and " + std::to_string(limits::max_source_addresses);
  }
  if (o.source_addresses > 1 && (o.target.ipv6 || !o.target.address.starts_with("127."))) {
    return "--source-addresses > 1 needs an IPv4 loopback target (127.x.x.x)";
  }
  if (o.mode == Mode::group || o.mode == Mode::typing) {
    if (auto error = validate_groups(o)) return error;
  }
  if (o.mode == Mode::presence) {
    if (auto error = validate_presence(o)) return error;
  }
  if (o.users_count > limits::max_users) return "--users-count is at most " + std::to_string(limits::max_users);
  if (o.users_file.empty() && (o.secret.empty() || o.users_count == 0)) {
    return "give --users FILE, or --secret and --users-count N to mint N random users (servers that create "
           "users from valid tokens, like Parley)";
  }
  if (o.pid < 0) return "--pid must be a process id";
  if (o.batch_us > 100'000) return "--batch-us is at most 100000 (0.1 s)";

  switch (o.mode) {
    case Mode::rate:
    case Mode::max:
    case Mode::group: {
      if (o.message_size == 0 || o.message_size > limits::max_message_size) {
        return "--message-size must be between 1 and " + std::to_string(limits::max_message_size);
      }
      if (o.drain_s < 0 || o.drain_s > 120) return "--drain must be in [0, 120] seconds";
      if (o.max_inflight == 0) return "--max-inflight must be at least 1";
      if (o.mode == Mode::rate || o.mode == Mode::group) {
        if (!(o.rate > 0) || o.rate > limits::max_rate) {
          return std::string(to_string(o.mode)) + ": --rate must be in (0, " + std::to_string(static_cast<uint64_t>(limits::max_rate)) + "] msgs/s";
        }
        if (o.rate * o.duration_s > static_cast<double>(limits::max_messages_per_step)) {
          return std::string(to_string(o.mode)) + ": --rate x --duration is over the cap of " + std::to_string(limits::max_messages_per_step) +
                 " messages per run";
        }
      } else {
        if (!(o.p99_ms > 0)) return "max: --p99-ms must be positive";
        if (!(o.start_rate > 0) || !(o.max_rate > 0) || o.max_rate > limits::max_rate) {
          return "max: --start-rate and --max-rate must be in (0, " +
                 std::to_string(static_cast<uint64_t>(limits::max_rate)) + "]";
        }
        if (o.start_rate > o.max_rate) return "max: --start-rate is above --max-rate";
        if (!(o.step_factor >= 1.05) || o.step_factor > 100) return "max: --step-factor must be in [1.05, 100]";
        if (!(o.fine_factor >= 1.01) || o.fine_factor > o.step_factor) {
          return "max: --fine-factor must be in [1.01, --step-factor]";
        }
        if (!(o.fine_from >= 0) || o.fine_from > 1) return "max: --fine-from must be in [0, 1]";
        if (!(o.step_duration_s > 0) || o.step_duration_s > o.duration_s) {
          return "max: --step-duration must be positive and within --duration (the whole search's budget)";
        }
        if (o.max_rate * o.step_duration_s > static_cast<double>(limits::max_messages_per_step)) {
          return "max: --max-rate x --step-duration is over the cap of " +
                 std::to_string(limits::max_messages_per_step) + " messages per step";
        }
        if (!(o.precision > 0) || o.precision >= 1) return "max: --precision must be in (0, 1)";
        if (o.max_steps == 0 || o.max_steps > limits::max_steps) {
          return "max: --max-steps must be between 1 and " + std::to_string(limits::max_steps);
        }
      }
      break;
    }
    case Mode::connections:
      if (o.connections == 0 || o.connections > limits::max_connections) {
        return "connections: --connections must be between 1 and " + std::to_string(limits::max_connections);
      }
      if (o.connect_concurrency == 0 || o.connect_concurrency > limits::max_concurrency) {
        return "connections: --connect-concurrency must be between 1 and " + std::to_string(limits::max_concurrency);
      }
      if (o.settle_s < 0 || o.settle_s > 60) return "connections: --settle must be in [0, 60] seconds";
      break;
    case Mode::presence: break;  // validate_presence
    case Mode::typing:
      if (auto error = validate_typing(o)) return error;
      break;
    case Mode::handshake:
      if (o.concurrency == 0 || o.concurrency > limits::max_concurrency) {
        return "handshake: --concurrency must be between 1 and " + std::to_string(limits::max_concurrency);
      }
      break;
    case Mode::make_users: break;
  }
  return std::nullopt;
}

namespace {

void add_common(CLI::App& app, Options& o) {
  app.add_option("--url", o.url, "Server base URL, loopback only")->capture_default_str();
  app.add_option("--path", o.path, "Socket.IO path")->capture_default_str();
  app.add_option("--users", o.users_file, "JSON file [{id, name, token?}] (the reference seed.js writes one)");
  app.add_option("--secret", o.secret, "HS256 secret to mint tokens for users without one");
  app.add_option("--users-count", o.users_count,
                 "Use the first N users of --users (0: all); without --users, mint N random users");
  app.add_option("--threads", o.threads, "Generator threads, one io_context each (0: one per core)")
      ->capture_default_str();
  app.add_option("--source-addresses", o.source_addresses,
                 "Spread connections over 127.0.0.1..127.0.0.N (past 64k connections)")
      ->capture_default_str();
  app.add_option("--pid", o.pid, "Server process to sample CPU and RSS of (children included)");
  app.add_option("--out", o.out, "Write the JSON report to FILE");
  app.add_option("--label", o.label, "Name of the target in the report");
  app.add_option("--connect-timeout", o.connect_timeout_s, "Seconds allowed to connect every user")
      ->capture_default_str();
  app.add_option("--batch-us", o.batch_us,
                 "Generator threads wake every N us and handle all that is ready, instead of once per packet "
                 "(less generator CPU on a shared machine; timestamps up to N us late). 0: per packet")
      ->capture_default_str();
}

void add_message_options(CLI::App& app, Options& o) {
  app.add_option("--message-size", o.message_size, "Bytes of message content")->capture_default_str();
  app.add_option("--drain", o.drain_s, "Seconds to wait for outstanding acks and deliveries")->capture_default_str();
  app.add_option("--max-inflight", o.max_inflight, "Unacknowledged messages per connection before skipping sends")
      ->capture_default_str();
}

}  // namespace

ParseResult parse_command_line(const std::vector<std::string>& args) {
  ParseResult result;
  Options& o = result.options;
  CLI::App app{
      "parley-bench: a load generator for Socket.IO chat servers with the seed's API (send_message, "
      "receive_message), on this machine only.",
      "parley-bench"};
  app.require_subcommand(1);

  auto* rate = app.add_subcommand("rate", "Send R msgs/s for D seconds from random users to random others");
  add_common(*rate, o);
  add_message_options(*rate, o);
  rate->add_option("--rate", o.rate, "Aggregate send rate, msgs/s")->required();
  rate->add_option("--duration", o.duration_s, "Seconds of sending (required, at most 600)");

  auto* max = app.add_subcommand("max", "Find the highest rate whose delivery p99 stays within --p99-ms, lossless");
  add_common(*max, o);
  add_message_options(*max, o);
  max->add_option("--duration", o.duration_s, "Budget of the whole search, seconds (required, at most 600)");
  max->add_option("--p99-ms", o.p99_ms, "Delivery p99 bound")->capture_default_str();
  max->add_option("--start-rate", o.start_rate, "First step's rate")->capture_default_str();
  max->add_option("--step-factor", o.step_factor, "Rate multiplier between steps while far from the bound")
      ->capture_default_str();
  max->add_option("--fine-factor", o.fine_factor,
                  "Rate multiplier once a passing step's p99 is above --fine-from of the bound")
      ->capture_default_str();
  max->add_option("--fine-from", o.fine_from, "Fraction of --p99-ms where the ramp turns gentle (0: always)")
      ->capture_default_str();
  max->add_option("--max-rate", o.max_rate, "Highest rate tried")->capture_default_str();
  max->add_option("--step-duration", o.step_duration_s, "Seconds of sending per step")->capture_default_str();
  max->add_option("--precision", o.precision, "Bisect until the bracket is this narrow")->capture_default_str();
  max->add_option("--max-steps", o.max_steps, "Most steps in all")->capture_default_str();

  auto* group = app.add_subcommand(
      "group", "Create G groups of M members, then send R msgs/s for D seconds from random members to their group");
  add_common(*group, o);
  add_message_options(*group, o);
  group->add_option("--groups", o.groups, "How many groups (G)")->required();
  group->add_option("--members", o.members, "Members per group, the creator included (M, 2-1000)")->required();
  group->add_option("--rate", o.rate, "Aggregate send rate over every group, msgs/s")->required();
  group->add_option("--duration", o.duration_s, "Seconds of sending (required, at most 600)");
  group->add_option("--create-concurrency", o.create_concurrency, "create_conversation calls in flight at once")
      ->capture_default_str();

  auto* presence = app.add_subcommand(
      "presence", "Users in C overlapping groups of M, one reconnect storm: presence pushes, CPU, reconnect time");
  add_common(*presence, o);
  presence->add_option("--conversations-per-user", o.conversations_per_user, "Groups each user is in (C)")
      ->capture_default_str();
  presence->add_option("--members", o.members, "Members per group, the creator included (M, default 10)");
  presence->add_option("--create-concurrency", o.create_concurrency, "create_conversation calls in flight at once")
      ->capture_default_str();
  presence->add_option("--connect-concurrency", o.connect_concurrency, "Connects (and reconnects) in flight at once")
      ->capture_default_str();
  presence->add_option("--offline-s", o.offline_s,
                       "Seconds between the drop and the reconnects (0: at once, within the grace)")
      ->capture_default_str();
  presence->add_option("--presence-grace", o.presence_grace_s,
                       "The server's PRESENCE_GRACE, seconds: the storm is watched until pushes can no longer be due")
      ->capture_default_str();
  presence->add_option("--quiet", o.quiet_s, "Seconds without any event that count as quiet")->capture_default_str();
  presence->add_option("--idle-s", o.idle_s,
                       "Seconds of the server's idle CPU (every user connected, nothing sent) measured before the storm")
      ->capture_default_str();
  presence->add_option("--storm-fraction", o.storm_fraction,
                       "Share of the users the storm drops; the others stay connected and receive their pushes")
      ->capture_default_str();
  presence->add_option("--duration", o.duration_s, "Most seconds the storm may take, drop to quiet (default 120)");

  auto* typing = app.add_subcommand(
      "typing", "Create G groups of M members, then R typing changes/s in all: typing_update fan-out latency");
  add_common(*typing, o);
  typing->add_option("--groups", o.groups, "How many groups (G)")->required();
  typing->add_option("--members", o.members, "Members per group, the creator included (M, 2-1000)")->required();
  typing->add_option("--rate", o.rate, "Typing changes per second over every group (one in flight per group)")
      ->required();
  typing->add_option("--duration", o.duration_s, "Seconds of changes (required, at most 600)");
  typing->add_option("--drain", o.drain_s,
                     "Seconds a change may take; after that its missing updates are lost (also the wait at the end)")
      ->capture_default_str();
  typing->add_option("--create-concurrency", o.create_concurrency, "create_conversation calls in flight at once")
      ->capture_default_str();
  typing->add_option("--typing-timeout", o.typing_timeout_s,
                     "The server's TYPING_TIMEOUT, seconds: every typist stops within half of it, before it runs out")
      ->capture_default_str();
  typing->add_option("--user-rate", o.user_typing_rate,
                     "Typing changes per second per user at most (the server limits `typing` to 10/s per user)")
      ->capture_default_str();

  auto* connections = app.add_subcommand("connections", "Hold C idle authenticated connections; RSS per connection");
  add_common(*connections, o);
  connections->add_option("--connections", o.connections, "How many connections")->required();
  connections->add_option("--duration", o.duration_s, "Seconds to hold them (required, at most 600)");
  connections->add_option("--connect-concurrency", o.connect_concurrency, "Connects in flight at once")
      ->capture_default_str();
  connections->add_option("--settle", o.settle_s, "Seconds between the last connect and the RSS sample")
      ->capture_default_str();

  auto* handshake = app.add_subcommand("handshake", "Authenticated connects per second (connect, CONNECT ack, close)");
  add_common(*handshake, o);
  handshake->add_option("--duration", o.duration_s, "Seconds (required, at most 600)");
  handshake->add_option("--concurrency", o.concurrency, "Handshakes in flight at once")->capture_default_str();
  handshake->add_option("--transport", o.transport, "websocket or polling")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, Transport>{{"websocket", Transport::websocket}, {"polling", Transport::polling}}))
      ->capture_default_str();

  auto* make_users = app.add_subcommand("make-users", "Write N users [{id, name}] with random UUIDs (and tokens)");
  make_users->add_option("--count", o.count, "How many users")->required();
  make_users->add_option("--out", o.out, "File to write")->required();
  make_users->add_option("--secret", o.secret, "Also write an HS256 token for each user");
  make_users->add_option("--prefix", o.name_prefix, "User name prefix")->capture_default_str();

  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    std::ostringstream out, err;
    result.exit_code = app.exit(e, out, err);
    result.exit_now = true;
    result.message = out.str() + err.str();
    return result;
  }
  if (rate->parsed()) o.mode = Mode::rate;
  if (max->parsed()) o.mode = Mode::max;
  if (connections->parsed()) o.mode = Mode::connections;
  if (handshake->parsed()) o.mode = Mode::handshake;
  if (group->parsed()) o.mode = Mode::group;
  if (presence->parsed()) {
    o.mode = Mode::presence;
    if (presence->count("--members") == 0) o.members = 10;
    if (presence->count("--duration") == 0) o.duration_s = 120;
  }
  if (typing->parsed()) o.mode = Mode::typing;
  if (make_users->parsed()) o.mode = Mode::make_users;
  if (auto error = validate(o)) {
    result.exit_now = true;
    result.exit_code = 2;
    result.message = "parley-bench: " + *error + "\n";
  }
  return result;
}

}  // namespace parley_bench
