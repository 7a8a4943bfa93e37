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
  std::string config_file;           // where the file settings came from, if any
  // The chat's history pages and rate limits (docs/api.md, "Limits").
  std::size_t history_page_size = 100;  // get_messages without `limit`
  sio::util::RateLimit send_rate_per_user{20, 100};       // send_message per user: per second, burst
  sio::util::RateLimit send_rate_per_address{200, 1000};  // per client address (loopback exempt)
  sio::util::RateLimit history_rate_per_user{10, 50};     // get_messages
  sio::util::RateLimit history_rate_per_address{100, 500};

  // The SQLite file path when database_url is empty or "sqlite:PATH".
  std::string sqlite_path() const;
  bool uses_postgres() const;
};

// "60m", "1h", "7d", "30s", "3600" (plain: seconds) -> seconds; also "2w" and the long unit
// names that jsonwebtoken's JWT_EXPIRES_IN accepts ("2 days", "10 hours"). nullopt when
// malformed, zero or negative.
std::optional<std::int64_t> parse_duration(std::string_view text);

// "RATE" or "RATE:BURST" (events per second, decimals allowed; the burst defaults to 5x the
// rate, at least 1) -> a limit; "0": no limit. nullopt when malformed, negative, a rate above
// 1,000,000 or a burst below 1.
std::optional<sio::util::RateLimit> parse_rate_limit(std::string_view text);

struct ParseResult {
  Config config;
  std::string command;       // "" (serve) or "migrate"
  bool exit_now = false;     // --help or --version was printed, or an error
  int exit_code = 0;
};

// Parses argv, the environment (PORT, HOST, DATABASE_URL, JWT_SECRET, JWT_EXPIRES_IN,
// CORS_ORIGIN (comma-separated), MAX_MESSAGE_LENGTH, LOG_LEVEL, PARLEY_CONFIG, ...) and the file
// named by --config or PARLEY_CONFIG (KEY=VALUE lines, the same keys as the environment; '#'
// starts a comment line; values may be quoted). Empty environment values count as unset.
// DATABASE_URL must be empty, sqlite:PATH, sqlite://PATH, postgres://... or postgresql://...
// --help and --version print to stdout; errors are printed to stderr, with exit_now set and
// exit_code 2.
ParseResult parse(int argc, char** argv);

// The same with argv as strings (args[0] is the program name) and `env` in place of the process
// environment, so that tests do not touch the real one.
ParseResult parse(std::vector<std::string> args, const std::map<std::string, std::string>& env);

}  // namespace parley::config
