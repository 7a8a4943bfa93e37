// Parley's configuration: command-line flags, then environment variables, then an optional
// config file, then defaults (the first that sets a value wins).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sio/util/rate_limiter.hpp"
#include "store/store.hpp"

namespace parley::config {

struct Config {
  std::string host = "0.0.0.0";
  std::uint16_t port = 3000;
  std::string database_url;          // empty: SQLite file "parley.db" in the working directory
  std::string jwt_secret;            // empty: generated once, stored beside the database (0600)
  std::int64_t jwt_expires_in = 3600;  // seconds; from "60m", "1h", "7d", "3600"
  std::vector<std::string> cors_origins;  // empty (or "*" given): any origin
  std::size_t max_message_length = 5000;  // characters
  std::string log_level = "info";    // trace, debug, info, warn or error
  bool auto_create_users = true;     // a valid token for an unknown sub creates the user
  bool reject_with_connect_error = false;  // bad token: CONNECT_ERROR instead of connect+error+disconnect
  std::string sqlite_synchronous = "FULL";  // or "NORMAL"
  std::chrono::microseconds commit_delay = store::default_commit_delay;
  std::size_t threads = 0;           // event loops; 0 = one per core
  std::string static_dir;            // web client files; empty = the installed default
  double handshake_rate = 20;        // new sessions per second per address (bursts 3x); 0: off
  // Reverse proxies (addresses, CIDR blocks) whose X-Forwarded-For names the client.
  std::vector<std::string> trusted_proxies;
  bool allow_tokens_without_exp = false;  // tokens without exp are refused unless set
  // Per client address, as "N/DURATION" (bursts of N, refilled at N per DURATION); rate 0: off.
  sio::util::RateLimit api_rate = {10, 600};                 // 600/1m: requests to /api/
  sio::util::RateLimit register_rate = {20.0 / 3600, 20};    // 20/1h: registrations
  sio::util::RateLimit login_failures_per_address = {50.0 / 900, 50};    // 50/15m
  sio::util::RateLimit login_failures_per_account = {10.0 / 900, 10};    // 10/15m: one address, one username
  sio::util::RateLimit login_failures_per_username = {100.0 / 3600, 100};  // 100/1h: from unknown addresses
  // Slow and hostile clients: bytes queued for one that reads slower than it is sent to,
  // connections per client address (0: no cap), seconds a request's head may take to arrive.
  std::size_t max_buffered_bytes = 4 * 1024 * 1024;
  std::uint32_t max_connections_per_address = 256;
  std::int64_t header_timeout = 10;
  std::string config_file;           // where the file settings came from, if any
  // The chat's history pages and rate limits (docs/api.md, "Limits").
  std::size_t history_page_size = 100;  // get_messages without `limit`
  std::size_t max_group_members = 1000;  // a group's members, creator included
  std::int64_t typing_timeout = 6;       // seconds a typing state lasts after its last `typing`
  std::int64_t presence_grace = 5;       // seconds online after the last connection closed
  std::int64_t edit_window = 0;          // seconds after sending during which a message may be edited (0: always)
  sio::util::RateLimit send_rate_per_user = {20, 100};       // 100/5s: send_message, per user
  sio::util::RateLimit send_rate_per_address = {200, 1000};  // 1000/5s: per client address
  sio::util::RateLimit history_rate_per_user = {10, 50};     // 50/5s: get_messages
  sio::util::RateLimit history_rate_per_address = {100, 500};  // 500/5s

  // The SQLite file path when database_url is empty or "sqlite:PATH".
  std::string sqlite_path() const;
  bool uses_postgres() const;
};

// "60m", "1h", "7d", "30s", "3600" (plain: seconds) -> seconds; also "2w" and the long unit
// names that jsonwebtoken's JWT_EXPIRES_IN accepts ("2 days", "10 hours"). nullopt when
// malformed, zero or negative.
std::optional<std::int64_t> parse_duration(std::string_view text);

// "N/DURATION" -> a token bucket of N refilled at N per DURATION ("600/1m", "20/1h", "10/15m";
// "20/h" is "20/1h"); "0" or "off": no limit. nullopt when malformed.
std::optional<sio::util::RateLimit> parse_rate(std::string_view text);

struct ParseResult {
  Config config;
  std::string command;       // "" (serve) or "migrate"
  bool exit_now = false;     // --help or --version was printed, or an error
  int exit_code = 0;
};

// Parses argv, the environment (PORT, HOST, DATABASE_URL, JWT_SECRET, JWT_EXPIRES_IN,
// CORS_ORIGIN (comma-separated), MAX_MESSAGE_LENGTH, LOG_LEVEL, PARLEY_CONFIG, ...) and the file
// named by --config or PARLEY_CONFIG (KEY=VALUE lines, the same keys as the environment; '#'
// starts a comment line; values may be quoted; a key that is no setting is an error naming the
// closest one). Empty environment values count as unset.
// DATABASE_URL must be empty, sqlite:PATH, sqlite://PATH, postgres://... or postgresql://...
// --help and --version print to stdout; errors are printed to stderr, with exit_now set and
// exit_code 2.
ParseResult parse(int argc, char** argv);

// The same with argv as strings (args[0] is the program name) and `env` in place of the process
// environment, so that tests do not touch the real one.
ParseResult parse(std::vector<std::string> args, const std::map<std::string, std::string>& env);

}  // namespace parley::config
