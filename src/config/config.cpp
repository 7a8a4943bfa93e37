// Configuration in three layers. CLI11 reads only the command line, into raw strings; the
// environment and the config file are read here into the same key -> string form (keyed by the
// environment name), and one pass then converts and validates whichever layer won for each key.
// CLI11's own envname() is not used: it would let the environment beat nothing but flags, with
// no room for the file layer below it.
#include "config/config.hpp"

#include <CLI/CLI.hpp>

#include "sio/transport/trusted_proxies.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <limits>
#include <utility>

// The build may pass the project version; this fallback keeps the file self-contained.
#ifndef PARLEY_VERSION
#define PARLEY_VERSION "0.1.0"
#endif

namespace parley::config {
namespace {

constexpr std::string_view config_key = "PARLEY_CONFIG";

// One setting that every layer can give.
struct Setting {
  std::string_view key;         // environment variable and config-file key
  std::string_view flag;        // CLI11 option names
  std::string_view value_name;  // empty: a boolean flag that takes no value
  std::string_view default_text;
  std::string_view help;
};

constexpr Setting settings[] = {
    {"HOST", "--host", "ADDRESS", "0.0.0.0", "Address to listen on"},
    {"PORT", "--port", "PORT", "3000", "TCP port to listen on (0: any free port)"},
    {"DATABASE_URL", "--database-url", "URL", "sqlite:parley.db", "sqlite:PATH or postgres://..."},
    {"JWT_SECRET", "--jwt-secret", "SECRET", "generated",
     "HS256 key; unset: generated once and kept beside the database"},
    {"JWT_EXPIRES_IN", "--jwt-expires-in", "DURATION", "1h",
     "Lifetime of issued tokens: 30s, 60m, 1h, 7d or seconds"},
    {"CORS_ORIGIN", "--cors-origin", "ORIGINS", "*", "Allowed origins, comma-separated; * allows any"},
    {"MAX_MESSAGE_LENGTH", "--max-message-length", "N", "5000", "Longest message, in characters"},
    {"LOG_LEVEL", "--log-level", "LEVEL", "info", "trace, debug, info, warn or error"},
    {"AUTO_CREATE_USERS", "--auto-create-users,!--no-auto-create-users", "", "true",
     "Create the user of a valid token for an unknown sub (or not)"},
    {"REJECT_WITH_CONNECT_ERROR", "--reject-with-connect-error", "", "false",
     "Refuse bad tokens with CONNECT_ERROR instead of connect, error, disconnect"},
    {"SQLITE_SYNCHRONOUS", "--sqlite-synchronous", "MODE", "FULL", "FULL or NORMAL"},
    {"COMMIT_DELAY_US", "--commit-delay-us", "MICROSECONDS", "500",
     "While busy, how long the database writer waits for more messages to join a commit (0-100000)"},
    {"PARLEY_THREADS", "--threads", "N", "0", "Event-loop threads (0: one per core)"},
    {"PARLEY_STATIC_DIR", "--static-dir", "DIR", "built-in", "Directory of the web client's files"},
    {"HANDSHAKE_RATE", "--handshake-rate", "N", "20",
     "New connections per second per client address, bursts of 3x (0: no limit; loopback exempt)"},
    {"TRUSTED_PROXIES", "--trusted-proxies", "LIST", "none",
     "Reverse proxies whose X-Forwarded-For names the client: addresses or CIDR blocks, comma-separated"},
    {"ALLOW_TOKENS_WITHOUT_EXP", "--allow-tokens-without-exp", "", "false",
     "Accept tokens that carry no exp claim (they never expire)"},
    {"API_RATE", "--api-rate", "N/DURATION", "600/1m",
     "Requests to /api/ per client address: bursts of N, N per DURATION (0: no limit; loopback exempt)"},
    {"REGISTER_RATE", "--register-rate", "N/DURATION", "20/1h",
     "Account registrations per client address (0: no limit; loopback exempt)"},
    {"LOGIN_FAILURES_PER_ADDRESS", "--login-failures-per-address", "N/DURATION", "50/15m",
     "Failed logins per client address, any usernames (0: no limit)"},
    {"LOGIN_FAILURES_PER_ACCOUNT", "--login-failures-per-account", "N/DURATION", "10/15m",
     "Failed logins per client address for one username (0: no limit)"},
    {"LOGIN_FAILURES_PER_USERNAME", "--login-failures-per-username", "N/DURATION", "100/1h",
     "Failed logins for one username from addresses that have not logged in to it in 30 days (0: no limit)"},
    {"MAX_BUFFERED_BYTES", "--max-buffered-bytes", "BYTES", "4194304",
     "Bytes queued for a client that reads slower than it is sent to; past it it is disconnected (1 MiB-1 GiB)"},
    {"MAX_CONNECTIONS_PER_ADDRESS", "--max-connections-per-address", "N", "256",
     "Open connections per client address (0: no cap; loopback and trusted proxies exempt)"},
    {"HEADER_TIMEOUT", "--header-timeout", "DURATION", "10s",
     "Time a request's headers may take to arrive, up to 1h: 5s, 1m or seconds"},
    {"HISTORY_PAGE_SIZE", "--history-page-size", "N", "100",
     "Messages in a get_messages answer that names no limit: the newest page (1 to 200)"},
    {"MAX_GROUP_MEMBERS", "--max-group-members", "N", "1000",
     "Members a group may have, its creator included (2 to 100000)"},
    {"TYPING_TIMEOUT", "--typing-timeout", "DURATION", "6s",
     "How long a typing indicator lasts after the typist's last `typing` event, 1s to 60s"},
    {"PRESENCE_GRACE", "--presence-grace", "DURATION", "5s",
     "How long a user stays online after its last connection closed (a reconnect within it does not flicker), 1s to 5m"},
    {"EDIT_WINDOW", "--edit-window", "DURATION", "none",
     "How long after sending a message its sender may edit it: 15m, 2d, ... (none or 0: always)"},
    {"SEND_RATE_PER_USER", "--send-rate-per-user", "N/DURATION", "100/5s",
     "send_message per user, over all its connections: bursts of N, N per DURATION (0: no limit)"},
    {"SEND_RATE_PER_ADDRESS", "--send-rate-per-address", "N/DURATION", "1000/5s",
     "send_message per client address (0: no limit; loopback exempt)"},
    {"HISTORY_RATE_PER_USER", "--history-rate-per-user", "N/DURATION", "50/5s",
     "get_messages per user (0: no limit)"},
    {"HISTORY_RATE_PER_ADDRESS", "--history-rate-per-address", "N/DURATION", "500/5s",
     "get_messages per client address (0: no limit; loopback exempt)"},
};

// The winning value of a setting and where it came from, for error messages.
struct Value {
  std::string text;
  std::string source;
};
using Values = std::map<std::string, Value, std::less<>>;

std::string_view trim(std::string_view text) {
  constexpr std::string_view space = " \t\r\n";
  const auto first = text.find_first_not_of(space);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(space) - first + 1);
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool known_key(std::string_view key) {
  for (const Setting& setting : settings) {
    if (setting.key == key) return true;
  }
  return false;
}

// Edits (insertions, deletions, substitutions, swaps of neighbours) from `a` to `b`.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

// The setting an unknown key was probably meant to be: the same name in another case or with
// dashes (a flag's spelling), or one a few typos away. Empty when none is close.
std::string_view closest_key(std::string_view key) {
  std::string normal;
  for (char c : key) normal += c == '-' ? '_' : (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  while (normal.starts_with('_')) normal.erase(0, 1);  // "--port"
  std::string_view best;
  std::size_t best_distance = std::max<std::size_t>(2, normal.size() / 4) + 1;
  for (const Setting& setting : settings) {
    const std::size_t distance = edit_distance(normal, setting.key);
    if (distance < best_distance) {
      best = setting.key;
      best_distance = distance;
    }
  }
  return best;
}

std::string option_text(const Setting& setting) {
  std::string text(setting.value_name);
  if (!text.empty()) text += ' ';
  return text + "[default: " + std::string(setting.default_text) + "] [env: " + std::string(setting.key) + "]";
}

std::optional<std::uint64_t> parse_unsigned(std::string_view text, std::uint64_t max) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || ptr != end || value > max) return std::nullopt;
  return value;
}

std::optional<bool> parse_bool(std::string_view text) {
  const std::string value = lower(text);
  if (value == "true" || value == "1" || value == "yes" || value == "on") return true;
  if (value == "false" || value == "0" || value == "no" || value == "off") return false;
  return std::nullopt;
}

bool valid_database_url(std::string_view url) {
  if (url.empty() || url.starts_with("postgres://") || url.starts_with("postgresql://")) return true;
  if (url.starts_with("sqlite://")) return url.size() > 9;
  return url.starts_with("sqlite:") && url.size() > 7;
}

// "a, b,,c" -> {"a", "b", "c"}.
std::vector<std::string> split_list(std::string_view list) {
  std::vector<std::string> items;
  while (!list.empty()) {
    const auto comma = list.find(',');
    std::string_view item = trim(list.substr(0, comma));
    if (!item.empty()) items.emplace_back(item);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return items;
}

std::vector<std::string> split_origins(std::string_view list) {
  std::vector<std::string> origins;
  for (std::string& origin : split_list(list)) {
    // Browsers send Origin without a trailing slash; people often write one.
    while (origin.ends_with('/')) origin.pop_back();
    if (origin == "*") return {};
    if (!origin.empty()) origins.push_back(std::move(origin));
  }
  return origins;
}

// KEY=VALUE lines with the environment's names. Whole-line '#' comments only: a '#' inside a
// value (a secret, a URL fragment) is kept. An "export " prefix is allowed, so that the file can
// be sourced by a shell too. A key that is not a setting is an error, with the closest setting
// named: a silently ignored typo (DATABSE_URL) would run the server on other settings than the
// operator wrote. The file is Parley's alone; other tools' settings belong in their own files.
bool read_config_file(const std::string& path, Values& out, std::vector<std::string>& errors) {
  std::ifstream file(path);
  if (!file) {
    errors.push_back("cannot read config file " + path);
    return false;
  }
  std::string line;
  for (int number = 1; std::getline(file, line); ++number) {
    std::string_view text = trim(line);
    if (text.empty() || text.front() == '#') continue;
    if (text.starts_with("export ")) text = trim(text.substr(7));
    const auto equals = text.find('=');
    if (equals == std::string_view::npos) {
      errors.push_back(path + ":" + std::to_string(number) + ": expected KEY=VALUE");
      continue;
    }
    const std::string_view key = trim(text.substr(0, equals));
    std::string_view value = trim(text.substr(equals + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    const std::string where = path + ":" + std::to_string(number);
    if (!known_key(key)) {
      std::string message = where + ": unknown setting " + std::string(key);
      const std::string_view suggestion = closest_key(key);
      message += suggestion.empty() ? " (parley --help lists the settings)"
                                    : " (did you mean " + std::string(suggestion) + "?)";
      errors.push_back(std::move(message));
      continue;
    }
    if (!value.empty()) out[std::string(key)] = {std::string(value), where};
  }
  return true;
}

// Converts the winning values into `config`; each bad one adds a message to `errors`.
void apply(const Values& values, Config& config, std::vector<std::string>& errors) {
  for (const auto& [key, value] : values) {
    const std::string_view text = value.text;
    std::string_view expected;  // set when the value is refused
    if (key == "HOST") {
      if (text.empty()) expected = "an address";
      config.host = value.text;
    } else if (key == "PORT") {
      if (const auto port = parse_unsigned(text, 65535)) {
        config.port = static_cast<std::uint16_t>(*port);
      } else {
        expected = "a port, 0-65535";
      }
    } else if (key == "DATABASE_URL") {
      if (!valid_database_url(text)) expected = "sqlite:PATH, postgres://... or postgresql://...";
      config.database_url = value.text;
    } else if (key == "JWT_SECRET") {
      config.jwt_secret = value.text;
    } else if (key == "JWT_EXPIRES_IN") {
      if (const auto seconds = parse_duration(text)) {
        config.jwt_expires_in = *seconds;
      } else {
        expected = "a positive duration such as 30s, 60m, 1h, 7d or 3600";
      }
    } else if (key == "CORS_ORIGIN") {
      config.cors_origins = split_origins(text);
    } else if (key == "MAX_MESSAGE_LENGTH") {
      const auto length = parse_unsigned(text, std::numeric_limits<std::size_t>::max());
      if (length && *length > 0) {
        config.max_message_length = *length;
      } else {
        expected = "a positive number";
      }
    } else if (key == "LOG_LEVEL") {
      std::string level = lower(text);
      if (level == "warning") level = "warn";
      if (level == "trace" || level == "debug" || level == "info" || level == "warn" || level == "error") {
        config.log_level = level;
      } else {
        expected = "trace, debug, info, warn or error";
      }
    } else if (key == "AUTO_CREATE_USERS" || key == "REJECT_WITH_CONNECT_ERROR") {
      bool& target = key == "AUTO_CREATE_USERS" ? config.auto_create_users : config.reject_with_connect_error;
      if (const auto flag = parse_bool(text)) {
        target = *flag;
      } else {
        expected = "true or false";
      }
    } else if (key == "SQLITE_SYNCHRONOUS") {
      const std::string mode = lower(text);
      if (mode == "full" || mode == "normal") {
        config.sqlite_synchronous = mode == "full" ? "FULL" : "NORMAL";
      } else {
        expected = "FULL or NORMAL";
      }
    } else if (key == "COMMIT_DELAY_US") {
      if (const auto delay = parse_unsigned(text, 100'000)) {
        config.commit_delay = std::chrono::microseconds(*delay);
      } else {
        expected = "a number of microseconds, 0-100000";
      }
    } else if (key == "PARLEY_THREADS") {
      // A bound that catches typos long before the kernel's thread limit does.
      if (const auto threads = parse_unsigned(text, 1024)) {
        config.threads = *threads;
      } else {
        expected = "a number of threads, 0-1024";
      }
    } else if (key == "PARLEY_STATIC_DIR") {
      config.static_dir = value.text;
    } else if (key == "TRUSTED_PROXIES") {
      std::vector<std::string> entries = split_list(text);
      std::string problem;
      if (sio::transport::TrustedProxies::parse(entries, problem)) {
        config.trusted_proxies = std::move(entries);
      } else {
        errors.push_back("invalid TRUSTED_PROXIES (from " + value.source + "): " + problem);
      }
    } else if (key == "HANDSHAKE_RATE") {
      if (const auto rate = parse_unsigned(text, 1'000'000)) {
        config.handshake_rate = static_cast<double>(*rate);
      } else {
        expected = "a number of connections per second, 0-1000000";
      }
    } else if (key == "ALLOW_TOKENS_WITHOUT_EXP") {
      if (const auto flag = parse_bool(text)) {
        config.allow_tokens_without_exp = *flag;
      } else {
        expected = "true or false";
      }
    } else if (key == "API_RATE" || key == "REGISTER_RATE" || key.starts_with("LOGIN_FAILURES_PER_")) {
      sio::util::RateLimit& target = key == "API_RATE"                     ? config.api_rate
                                     : key == "REGISTER_RATE"              ? config.register_rate
                                     : key == "LOGIN_FAILURES_PER_ADDRESS" ? config.login_failures_per_address
                                     : key == "LOGIN_FAILURES_PER_ACCOUNT" ? config.login_failures_per_account
                                                                           : config.login_failures_per_username;
      if (const auto rate = parse_rate(text)) {
        target = *rate;
      } else {
        expected = "N/DURATION such as 20/1h or 600/1m (N up to 1000000), or 0 for no limit";
      }
    } else if (key == "MAX_BUFFERED_BYTES") {
      // Below 1 MiB one large answer (a page of history) would disconnect a healthy client.
      const auto bytes = parse_unsigned(text, 1u << 30);
      if (bytes && *bytes >= (1u << 20)) {
        config.max_buffered_bytes = *bytes;
      } else {
        expected = "a number of bytes, 1048576-1073741824";
      }
    } else if (key == "MAX_CONNECTIONS_PER_ADDRESS") {
      if (const auto count = parse_unsigned(text, 1'000'000)) {
        config.max_connections_per_address = static_cast<std::uint32_t>(*count);
      } else {
        expected = "a number of connections, 0-1000000";
      }
    } else if (key == "HEADER_TIMEOUT") {
      const auto seconds = parse_duration(text);
      if (seconds && *seconds <= 3600) {
        config.header_timeout = *seconds;
      } else {
        expected = "a duration from 1s to 1h, such as 10s";
      }
    } else if (key == "TYPING_TIMEOUT") {
      const auto seconds = parse_duration(text);
      if (seconds && *seconds >= 1 && *seconds <= 60) {
        config.typing_timeout = *seconds;
      } else {
        expected = "a duration from 1s to 60s, such as 6s";
      }
    } else if (key == "PRESENCE_GRACE") {
      const auto seconds = parse_duration(text);
      if (seconds && *seconds >= 1 && *seconds <= 300) {
        config.presence_grace = *seconds;
      } else {
        expected = "a duration from 1s to 5m, such as 5s";
      }
    } else if (key == "EDIT_WINDOW") {
      const auto seconds = parse_duration(text);
      if (lower(trim(text)) == "none" || trim(text) == "0") {
        config.edit_window = 0;
      } else if (seconds && *seconds <= 366 * 86400) {
        config.edit_window = *seconds;
      } else {
        expected = "none, or a duration up to 366d, such as 15m";
      }
    } else if (key == "MAX_GROUP_MEMBERS") {
      const auto size = parse_unsigned(text, 100000);
      if (size && *size >= 2) {
        config.max_group_members = *size;
      } else {
        expected = "a number of members, 2-100000";
      }
    } else if (key == "HISTORY_PAGE_SIZE") {
      const auto size = parse_unsigned(text, 200);
      if (size && *size > 0) {
        config.history_page_size = *size;
      } else {
        expected = "a number of messages, 1-200";
      }
    } else if (key == "SEND_RATE_PER_USER" || key == "SEND_RATE_PER_ADDRESS" || key == "HISTORY_RATE_PER_USER" ||
               key == "HISTORY_RATE_PER_ADDRESS") {
      sio::util::RateLimit& target = key == "SEND_RATE_PER_USER"      ? config.send_rate_per_user
                                     : key == "SEND_RATE_PER_ADDRESS" ? config.send_rate_per_address
                                     : key == "HISTORY_RATE_PER_USER" ? config.history_rate_per_user
                                                                      : config.history_rate_per_address;
      if (const auto limit = parse_rate(text)) {
        target = *limit;
      } else {
        expected = "N/DURATION such as 100/5s (N up to 1000000), or 0 for no limit";
      }
    }
    if (!expected.empty()) {
      errors.push_back("invalid " + key + " \"" + value.text + "\" (from " + value.source +
                       "): expected " + std::string(expected));
    }
  }
}

}  // namespace

std::string Config::sqlite_path() const {
  if (database_url.empty()) return "parley.db";
  if (database_url.starts_with("sqlite://")) return database_url.substr(9);
  if (database_url.starts_with("sqlite:")) return database_url.substr(7);
  return {};
}

bool Config::uses_postgres() const {
  return database_url.starts_with("postgres://") || database_url.starts_with("postgresql://");
}

std::optional<std::int64_t> parse_duration(std::string_view text) {
  text = trim(text);
  std::int64_t count = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), count);
  if (error != std::errc() || end == text.data() || text.front() == '-' || count <= 0) return std::nullopt;
  const std::string unit = lower(trim(std::string_view(end, text.data() + text.size() - end)));

  constexpr std::pair<std::string_view, std::int64_t> units[] = {
      {"", 1},         {"s", 1},        {"sec", 1},       {"secs", 1},      {"second", 1},
      {"seconds", 1},  {"m", 60},       {"min", 60},      {"mins", 60},     {"minute", 60},
      {"minutes", 60}, {"h", 3600},     {"hr", 3600},     {"hrs", 3600},    {"hour", 3600},
      {"hours", 3600}, {"d", 86400},    {"day", 86400},   {"days", 86400},  {"w", 604800},
      {"week", 604800}, {"weeks", 604800},
  };
  for (const auto& [name, seconds] : units) {
    if (name != unit) continue;
    if (count > std::numeric_limits<std::int64_t>::max() / seconds) return std::nullopt;
    return count * seconds;
  }
  return std::nullopt;
}

std::optional<sio::util::RateLimit> parse_rate(std::string_view text) {
  text = trim(text);
  if (text == "0" || lower(text) == "off") return sio::util::RateLimit{0, 0};
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const auto count = parse_unsigned(trim(text.substr(0, slash)), 1'000'000);
  std::string period(trim(text.substr(slash + 1)));
  if (!period.empty() && !(period.front() >= '0' && period.front() <= '9')) period.insert(0, "1");  // "20/h"
  const auto seconds = parse_duration(period);
  if (!count || *count == 0 || !seconds) return std::nullopt;
  const auto n = static_cast<double>(*count);
  return sio::util::RateLimit{n / static_cast<double>(*seconds), n};
}

ParseResult parse(std::vector<std::string> args, const std::map<std::string, std::string>& env) {
  ParseResult result;
  if (args.empty()) args.emplace_back("parley");

  CLI::App app("Parley, a real-time chat server speaking Socket.IO v4.\n"
               "Each setting comes from its flag, else its environment variable, else the config\n"
               "file (KEY=VALUE lines with the environment names), else its default.",
               "parley");
  app.get_formatter()->column_width(58);
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.set_version_flag("--version", "parley " PARLEY_VERSION);

  // CLI11 writes into these; std::map nodes keep the bound references stable.
  std::map<std::string, std::string> flag_text;
  std::map<std::string, bool> flag_switch;
  std::vector<std::pair<const Setting*, CLI::Option*>> flag_options;
  for (const Setting& setting : settings) {
    const std::string key(setting.key);
    CLI::Option* option = setting.value_name.empty()
                              ? app.add_flag(std::string(setting.flag), flag_switch[key], std::string(setting.help))
                              : app.add_option(std::string(setting.flag), flag_text[key], std::string(setting.help));
    option->option_text(option_text(setting));
    flag_options.emplace_back(&setting, option);
  }
  std::string config_path;
  auto* config_option = app.add_option("--config", config_path, "Config file of KEY=VALUE lines")
                            ->option_text("FILE [env: PARLEY_CONFIG]");
  auto* migrate = app.add_subcommand("migrate", "Apply the database migrations and exit");
  // Settings may follow the subcommand: `parley migrate --database-url ...`.
  migrate->fallthrough();

  std::vector<const char*> argv;
  for (const auto& arg : args) argv.push_back(arg.c_str());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& error) {
    result.exit_now = true;
    const int code = app.exit(error, std::cout, std::cerr);
    // Usage errors exit with 2, as the invalid values below do; help and version with 0.
    result.exit_code = code == 0 ? 0 : 2;
    return result;
  }
  if (migrate->parsed()) result.command = "migrate";

  Values values;
  std::vector<std::string> errors;
  // The file is the lowest layer: read first, overwritten by the environment, then by flags.
  if (config_option->count() > 0) {
    result.config.config_file = config_path;
  } else if (const auto it = env.find(std::string(config_key)); it != env.end() && !it->second.empty()) {
    result.config.config_file = it->second;
  }
  if (!result.config.config_file.empty()) read_config_file(result.config.config_file, values, errors);
  for (const Setting& setting : settings) {
    // An empty variable counts as unset, as container tools often pass KEY= for "nothing".
    const auto it = env.find(std::string(setting.key));
    if (it != env.end() && !it->second.empty()) {
      values[std::string(setting.key)] = {it->second, "environment " + std::string(setting.key)};
    }
  }
  for (const auto& [setting, option] : flag_options) {
    if (option->count() == 0) continue;
    const std::string key(setting->key);
    std::string text = setting->value_name.empty() ? (flag_switch[key] ? "true" : "false") : flag_text[key];
    values[key] = {std::move(text), std::string(setting->flag.substr(0, setting->flag.find(',')))};
  }

  apply(values, result.config, errors);
  if (!errors.empty()) {
    for (const auto& message : errors) std::cerr << "parley: " << message << "\n";
    result.exit_now = true;
    result.exit_code = 2;
  }
  return result;
}

ParseResult parse(int argc, char** argv) {
  std::map<std::string, std::string> env;
  auto take = [&env](std::string_view key) {
    const std::string name(key);
    if (const char* value = std::getenv(name.c_str())) env[name] = value;
  };
  for (const Setting& setting : settings) take(setting.key);
  take(config_key);
  return parse(std::vector<std::string>(argv, argv + argc), env);
}

}  // namespace parley::config
