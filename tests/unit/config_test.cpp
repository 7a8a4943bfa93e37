// Tests for config/config.hpp: the layers (flag > environment > file > default), value checks,
// durations, the migrate subcommand and --help. No test reads or changes the real environment.
#include "config/config.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <string>

namespace parley::config {
namespace {

using Env = std::map<std::string, std::string>;

// A config file in the test's temporary directory, removed afterwards. Named by process too:
// CTest runs each test in its own process, several at once, all sharing that directory.
class TempFile {
 public:
  explicit TempFile(const std::string& text) {
    static std::atomic<int> counter = 0;
    path_ = ::testing::TempDir() + "parley_config_test_" + std::to_string(::getpid()) + "_" +
            std::to_string(++counter) + ".env";
    std::ofstream(path_) << text;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

ParseResult parse_ok(std::vector<std::string> args, const Env& env = {}) {
  args.insert(args.begin(), "parley");
  ParseResult result = parse(std::move(args), env);
  EXPECT_FALSE(result.exit_now);
  return result;
}

// Parses a command line that must be refused; returns what went to stderr.
std::string parse_error(std::vector<std::string> args, const Env& env = {}) {
  args.insert(args.begin(), "parley");
  ::testing::internal::CaptureStderr();
  const ParseResult result = parse(std::move(args), env);
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(result.exit_now);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_FALSE(err.empty());
  return err;
}

TEST(ConfigParse, HasDefaults) {
  const auto result = parse_ok({});
  const Config& config = result.config;
  EXPECT_EQ(result.command, "");
  EXPECT_EQ(config.host, "0.0.0.0");
  EXPECT_EQ(config.port, 3000);
  EXPECT_EQ(config.database_url, "");
  EXPECT_EQ(config.sqlite_path(), "parley.db");
  EXPECT_FALSE(config.uses_postgres());
  EXPECT_EQ(config.jwt_secret, "");
  EXPECT_EQ(config.jwt_expires_in, 3600);
  EXPECT_TRUE(config.cors_origins.empty());
  EXPECT_EQ(config.max_message_length, 5000u);
  EXPECT_EQ(config.log_level, "info");
  EXPECT_TRUE(config.auto_create_users);
  EXPECT_FALSE(config.reject_with_connect_error);
  EXPECT_EQ(config.sqlite_synchronous, "FULL");
  EXPECT_EQ(config.threads, 0u);
  EXPECT_EQ(config.static_dir, "");
  EXPECT_EQ(config.config_file, "");
}

TEST(ConfigParse, ReadsEveryFlag) {
  const auto config =
      parse_ok({"--host", "127.0.0.1", "--port=8080", "--database-url", "postgres://u@db/parley", "--jwt-secret", "s",
                "--jwt-expires-in", "7d", "--cors-origin", "https://a.example,https://b.example",
                "--max-message-length", "100", "--log-level", "DEBUG", "--no-auto-create-users",
                "--reject-with-connect-error", "--sqlite-synchronous", "normal", "--threads", "4", "--static-dir",
                "/srv/web"})
          .config;
  EXPECT_EQ(config.host, "127.0.0.1");
  EXPECT_EQ(config.port, 8080);
  EXPECT_TRUE(config.uses_postgres());
  EXPECT_EQ(config.sqlite_path(), "");
  EXPECT_EQ(config.jwt_secret, "s");
  EXPECT_EQ(config.jwt_expires_in, 7 * 86400);
  EXPECT_EQ(config.cors_origins, (std::vector<std::string>{"https://a.example", "https://b.example"}));
  EXPECT_EQ(config.max_message_length, 100u);
  EXPECT_EQ(config.log_level, "debug");
  EXPECT_FALSE(config.auto_create_users);
  EXPECT_TRUE(config.reject_with_connect_error);
  EXPECT_EQ(config.sqlite_synchronous, "NORMAL");
  EXPECT_EQ(config.threads, 4u);
  EXPECT_EQ(config.static_dir, "/srv/web");
}

TEST(ConfigParse, ReadsEveryEnvironmentVariable) {
  const auto config = parse_ok({}, {{"HOST", "::"}, {"PORT", "0"}, {"DATABASE_URL", "sqlite:///var/lib/p.db"},
                                    {"JWT_SECRET", "k"}, {"JWT_EXPIRES_IN", "60m"}, {"CORS_ORIGIN", "http://x"},
                                    {"MAX_MESSAGE_LENGTH", "7"}, {"LOG_LEVEL", "warning"},
                                    {"AUTO_CREATE_USERS", "0"}, {"REJECT_WITH_CONNECT_ERROR", "TRUE"},
                                    {"SQLITE_SYNCHRONOUS", "NORMAL"}, {"PARLEY_THREADS", "2"},
                                    {"PARLEY_STATIC_DIR", "web"}, {"UNRELATED", "ignored"}})
                          .config;
  EXPECT_EQ(config.host, "::");
  EXPECT_EQ(config.port, 0);
  EXPECT_EQ(config.sqlite_path(), "/var/lib/p.db");
  EXPECT_EQ(config.jwt_secret, "k");
  EXPECT_EQ(config.jwt_expires_in, 3600);
  EXPECT_EQ(config.cors_origins, std::vector<std::string>{"http://x"});
  EXPECT_EQ(config.max_message_length, 7u);
  EXPECT_EQ(config.log_level, "warn");
  EXPECT_FALSE(config.auto_create_users);
  EXPECT_TRUE(config.reject_with_connect_error);
  EXPECT_EQ(config.sqlite_synchronous, "NORMAL");
  EXPECT_EQ(config.threads, 2u);
  EXPECT_EQ(config.static_dir, "web");
}

TEST(ConfigParse, FlagBeatsEnvironmentBeatsFileBeatsDefault) {
  const TempFile file("PORT=4000\nHOST=10.0.0.1\nLOG_LEVEL=debug\nJWT_SECRET=from-file\n");
  const auto result = parse_ok({"--config", file.path(), "--log-level", "error"},
                               {{"PORT", "5000"}, {"LOG_LEVEL", "trace"}, {"HOST", ""}});
  EXPECT_EQ(result.config.config_file, file.path());
  EXPECT_EQ(result.config.port, 5000);             // environment over file
  EXPECT_EQ(result.config.host, "10.0.0.1");       // file (an empty variable counts as unset)
  EXPECT_EQ(result.config.log_level, "error");     // flag over environment and file
  EXPECT_EQ(result.config.jwt_secret, "from-file");
  EXPECT_EQ(result.config.max_message_length, 5000u);  // default
}

TEST(ConfigParse, BooleanFlagBeatsEnvironment) {
  EXPECT_FALSE(parse_ok({"--no-auto-create-users"}, {{"AUTO_CREATE_USERS", "true"}}).config.auto_create_users);
  EXPECT_TRUE(parse_ok({"--auto-create-users"}, {{"AUTO_CREATE_USERS", "false"}}).config.auto_create_users);
  EXPECT_FALSE(parse_ok({}, {{"AUTO_CREATE_USERS", "false"}}).config.auto_create_users);
  EXPECT_TRUE(parse_ok({}, {{"REJECT_WITH_CONNECT_ERROR", "1"}}).config.reject_with_connect_error);
}

TEST(ConfigParse, FindsTheFileThroughParleyConfig) {
  const TempFile file("PORT=4001\n");
  const TempFile other("PORT=4002\n");
  EXPECT_EQ(parse_ok({}, {{"PARLEY_CONFIG", file.path()}}).config.port, 4001);
  EXPECT_EQ(parse_ok({"--config", other.path()}, {{"PARLEY_CONFIG", file.path()}}).config.port, 4002);
}

TEST(ConfigParse, ReadsCommentsQuotesAndExportInTheFile) {
  const TempFile file(
      "# Parley settings\n"
      "\n"
      "  JWT_SECRET = \"a secret # with a hash\"  \n"
      "export DATABASE_URL='postgresql://db/parley'\n"
      "CORS_ORIGIN=https://a.example/, https://b.example\r\n"
      "PORT=\n");
  const auto config = parse_ok({"--config", file.path()}).config;
  EXPECT_EQ(config.jwt_secret, "a secret # with a hash");
  EXPECT_EQ(config.database_url, "postgresql://db/parley");
  EXPECT_TRUE(config.uses_postgres());
  EXPECT_EQ(config.cors_origins, (std::vector<std::string>{"https://a.example", "https://b.example"}));
  EXPECT_EQ(config.port, 3000);
}

TEST(ConfigParse, RefusesUnknownKeysInTheFileNamingTheClosestSetting) {
  const TempFile file("PORT=4000\nDATABSE_URL=postgres://db/parley\n");
  const std::string err = parse_error({"--config", file.path()});
  EXPECT_NE(err.find(file.path() + ":2: unknown setting DATABSE_URL (did you mean DATABASE_URL?)"), std::string::npos)
      << err;
  const std::pair<const char*, const char*> typos[] = {
      {"JWT_SECERT", "JWT_SECRET"},  {"port", "PORT"},           {"database-url", "DATABASE_URL"},
      {"HANDSHAKE_RAT", "HANDSHAKE_RATE"}, {"CORS_ORIGINS", "CORS_ORIGIN"}, {"LOGLEVEL", "LOG_LEVEL"},
  };
  for (const auto& [typo, meant] : typos) {
    const TempFile one(std::string(typo) + "=1\n");
    EXPECT_NE(parse_error({"--config", one.path()}).find("did you mean " + std::string(meant) + "?"), std::string::npos)
        << typo;
  }
  // Far from every setting: no guess, a pointer to the list.
  const TempFile foreign("# shared with another tool\nPOSTGRES_PASSWORD=secret\n");
  const std::string foreign_err = parse_error({"--config", foreign.path()});
  EXPECT_NE(foreign_err.find(":2: unknown setting POSTGRES_PASSWORD (parley --help lists the settings)"),
            std::string::npos)
      << foreign_err;
  // Unknown environment variables are not Parley's business: the environment holds everything.
  EXPECT_EQ(parse_ok({}, {{"DATABSE_URL", "x"}}).config.database_url, "");
}

TEST(ConfigParse, SplitsCorsOrigins) {
  EXPECT_EQ(parse_ok({"--cors-origin", " http://a , ,http://b/,"}).config.cors_origins,
            (std::vector<std::string>{"http://a", "http://b"}));
  EXPECT_TRUE(parse_ok({"--cors-origin", "*"}).config.cors_origins.empty());
  EXPECT_TRUE(parse_ok({}, {{"CORS_ORIGIN", "http://a,*"}}).config.cors_origins.empty());
}

TEST(ConfigParse, RecognisesMigrate) {
  EXPECT_EQ(parse_ok({"migrate"}).command, "migrate");
  const auto result = parse_ok({"migrate", "--database-url", "sqlite:m.db"});
  EXPECT_EQ(result.command, "migrate");
  EXPECT_EQ(result.config.sqlite_path(), "m.db");
  EXPECT_EQ(parse_ok({"--port", "1", "migrate"}).command, "migrate");
}

TEST(ConfigParse, RefusesInvalidValues) {
  EXPECT_NE(parse_error({"--port", "70000"}).find("PORT"), std::string::npos);
  EXPECT_NE(parse_error({}, {{"PORT", "http"}}).find("environment PORT"), std::string::npos);
  parse_error({"--port", "-1"});
  parse_error({"--jwt-expires-in", "soon"});
  parse_error({"--jwt-expires-in", "0"});
  parse_error({"--max-message-length", "0"});
  parse_error({"--log-level", "verbose"});
  parse_error({"--sqlite-synchronous", "OFF"});
  parse_error({"--threads", "many"});
  parse_error({"--host", ""});
  parse_error({"--database-url", "mysql://db"});
  parse_error({}, {{"AUTO_CREATE_USERS", "maybe"}});
}

TEST(ConfigParse, ReportsEveryBadValueWithItsSource) {
  const TempFile file("MAX_MESSAGE_LENGTH=0\n");
  const std::string err = parse_error({"--config", file.path(), "--port", "99999"}, {{"LOG_LEVEL", "loud"}});
  EXPECT_NE(err.find("--port"), std::string::npos) << err;
  EXPECT_NE(err.find("environment LOG_LEVEL"), std::string::npos) << err;
  EXPECT_NE(err.find(file.path() + ":1"), std::string::npos) << err;
}

TEST(ConfigParse, RefusesBadCommandLinesAndFiles) {
  parse_error({"--no-such-flag"});
  parse_error({"--port"});
  parse_error({"serve-forever"});
  parse_error({"--config", ::testing::TempDir() + "does-not-exist.env"});
  const TempFile file("PORT 4000\n");
  EXPECT_NE(parse_error({"--config", file.path()}).find(":1: expected KEY=VALUE"), std::string::npos);
}

TEST(ConfigParse, HelpListsEveryFlagWithDefaultAndEnvironmentName) {
  ::testing::internal::CaptureStdout();
  const auto result = parse({"parley", "--help"}, {});
  const std::string help = ::testing::internal::GetCapturedStdout();
  EXPECT_TRUE(result.exit_now);
  EXPECT_EQ(result.exit_code, 0);
  for (const char* text :
       {"--host", "HOST", "0.0.0.0", "--port", "PORT", "3000", "--database-url", "DATABASE_URL", "--jwt-secret",
        "JWT_SECRET", "--jwt-expires-in", "JWT_EXPIRES_IN", "1h", "--cors-origin", "CORS_ORIGIN",
        "--max-message-length", "MAX_MESSAGE_LENGTH", "5000", "--log-level", "LOG_LEVEL", "--auto-create-users",
        "--no-auto-create-users", "AUTO_CREATE_USERS", "--reject-with-connect-error", "REJECT_WITH_CONNECT_ERROR",
        "--sqlite-synchronous", "SQLITE_SYNCHRONOUS", "FULL", "--commit-delay-us", "COMMIT_DELAY_US", "--threads", "PARLEY_THREADS", "--static-dir",
        "PARLEY_STATIC_DIR", "--handshake-rate", "HANDSHAKE_RATE", "--config", "PARLEY_CONFIG", "--version",
        "migrate", "--max-buffered-bytes", "MAX_BUFFERED_BYTES", "4194304", "--max-connections-per-address",
        "MAX_CONNECTIONS_PER_ADDRESS", "--header-timeout", "HEADER_TIMEOUT", "10s"}) {
    EXPECT_NE(help.find(text), std::string::npos) << text << " missing from:\n" << help;
  }
}

TEST(ConfigParse, HandshakeRateDefaultsOnAndCanBeTurnedOff) {
  EXPECT_EQ(parse({"parley"}, {}).config.handshake_rate, 20);
  EXPECT_EQ(parse({"parley", "--handshake-rate", "0"}, {}).config.handshake_rate, 0);
  EXPECT_EQ(parse({"parley"}, {{"HANDSHAKE_RATE", "500"}}).config.handshake_rate, 500);
  EXPECT_TRUE(parse({"parley", "--handshake-rate", "-1"}, {}).exit_now);
}

TEST(ConfigParse, CommitDelayIsBoundedMicroseconds) {
  EXPECT_EQ(parse({"parley"}, {}).config.commit_delay, std::chrono::microseconds(500));
  EXPECT_EQ(parse({"parley", "--commit-delay-us", "0"}, {}).config.commit_delay, std::chrono::microseconds(0));
  EXPECT_EQ(parse({"parley"}, {{"COMMIT_DELAY_US", "2000"}}).config.commit_delay, std::chrono::microseconds(2000));
  ::testing::internal::CaptureStderr();
  const auto too_long = parse({"parley", "--commit-delay-us", "100001"}, {});
  const auto negative = parse({"parley"}, {{"COMMIT_DELAY_US", "-5"}});
  const std::string errors = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(too_long.exit_now);
  EXPECT_EQ(too_long.exit_code, 2);
  EXPECT_TRUE(negative.exit_now);
  EXPECT_NE(errors.find("COMMIT_DELAY_US"), std::string::npos) << errors;
}

TEST(ConfigParse, PrintsVersion) {
  ::testing::internal::CaptureStdout();
  const auto result = parse({"parley", "--version"}, {});
  EXPECT_TRUE(::testing::internal::GetCapturedStdout().starts_with("parley "));
  EXPECT_TRUE(result.exit_now);
  EXPECT_EQ(result.exit_code, 0);
}

TEST(ParseDuration, ReadsUnitsAndPlainSeconds) {
  EXPECT_EQ(parse_duration("3600"), 3600);
  EXPECT_EQ(parse_duration("30s"), 30);
  EXPECT_EQ(parse_duration("60m"), 3600);
  EXPECT_EQ(parse_duration("1h"), 3600);
  EXPECT_EQ(parse_duration("7d"), 7 * 86400);
  EXPECT_EQ(parse_duration("2w"), 14 * 86400);
  EXPECT_EQ(parse_duration("2 days"), 2 * 86400);
  EXPECT_EQ(parse_duration("10 Hours"), 36000);
  EXPECT_EQ(parse_duration(" 5M "), 300);
}

TEST(ParseDuration, RefusesMalformedAndNonPositive) {
  for (const char* text : {"", "h", "0", "0s", "-5m", "+5m", "1.5h", "1h30m", "5 parsecs", "9223372036854775807d",
                           "99999999999999999999", "1y"}) {
    EXPECT_EQ(parse_duration(text), std::nullopt) << text;
  }
  EXPECT_EQ(parse_duration("9223372036854775807"), INT64_MAX);
}

TEST(ConfigPaths, SqliteAndPostgresUrls) {
  Config config;
  EXPECT_EQ(config.sqlite_path(), "parley.db");
  config.database_url = "sqlite:chat.db";
  EXPECT_EQ(config.sqlite_path(), "chat.db");
  config.database_url = "sqlite://chat.db";
  EXPECT_EQ(config.sqlite_path(), "chat.db");
  config.database_url = "sqlite::memory:";
  EXPECT_EQ(config.sqlite_path(), ":memory:");
  config.database_url = "postgresql://u:p@h:5432/d";
  EXPECT_TRUE(config.uses_postgres());
  EXPECT_EQ(config.sqlite_path(), "");
}

TEST(ConfigParse, TrustedProxiesAreAddressesOrBlocks) {
  auto ok = parse_ok({}, {{"TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8,::1"}});
  EXPECT_EQ(ok.config.trusted_proxies, (std::vector<std::string>{"127.0.0.1", "10.0.0.0/8", "::1"}));
  EXPECT_NE(parse_error({"--trusted-proxies", "10.0.0.0/40"}).find("10.0.0.0/40"), std::string::npos);
}

TEST(ConfigParse, TokensWithoutExpAreRefusedUnlessAllowed) {
  EXPECT_FALSE(parse_ok({}).config.allow_tokens_without_exp);
  EXPECT_TRUE(parse_ok({"--allow-tokens-without-exp"}).config.allow_tokens_without_exp);
  EXPECT_TRUE(parse_ok({}, {{"ALLOW_TOKENS_WITHOUT_EXP", "true"}}).config.allow_tokens_without_exp);
  EXPECT_NE(parse_error({}, {{"ALLOW_TOKENS_WITHOUT_EXP", "sometimes"}}).find("ALLOW_TOKENS_WITHOUT_EXP"),
            std::string::npos);
}

TEST(ParseRate, ReadsCountPerDurationAndOff) {
  const auto twenty = parse_rate("20/1h");
  ASSERT_TRUE(twenty);
  EXPECT_DOUBLE_EQ(twenty->burst, 20);
  EXPECT_DOUBLE_EQ(twenty->rate, 20.0 / 3600);
  EXPECT_DOUBLE_EQ(parse_rate("20/h")->rate, 20.0 / 3600);
  EXPECT_DOUBLE_EQ(parse_rate(" 600 / 1m ")->rate, 10);
  EXPECT_DOUBLE_EQ(parse_rate("10/15m")->rate, 10.0 / 900);
  EXPECT_DOUBLE_EQ(parse_rate("5/30")->rate, 5.0 / 30);  // plain seconds
  EXPECT_FALSE(parse_rate("0")->enabled());
  EXPECT_FALSE(parse_rate("off")->enabled());
  for (const char* bad : {"", "20", "20/", "/1h", "0/1h", "-1/1h", "20/soon", "20/0s", "1000001/1s", "x/1h"}) {
    EXPECT_FALSE(parse_rate(bad)) << bad;
  }
}

TEST(ConfigParse, RestAndLoginLimitsHaveDefaultsAndCanBeSet) {
  const Config defaults = parse_ok({}).config;
  EXPECT_DOUBLE_EQ(defaults.api_rate.burst, 600);
  EXPECT_DOUBLE_EQ(defaults.api_rate.rate, 10);
  EXPECT_DOUBLE_EQ(defaults.register_rate.burst, 20);
  EXPECT_DOUBLE_EQ(defaults.register_rate.rate, 20.0 / 3600);
  EXPECT_DOUBLE_EQ(defaults.login_failures_per_address.burst, 50);
  EXPECT_DOUBLE_EQ(defaults.login_failures_per_account.burst, 10);
  EXPECT_DOUBLE_EQ(defaults.login_failures_per_username.burst, 100);

  const Config set = parse_ok({"--api-rate", "100/1s", "--register-rate", "0", "--login-failures-per-username", "5/1m"},
                              {{"LOGIN_FAILURES_PER_ADDRESS", "7/1h"}, {"LOGIN_FAILURES_PER_ACCOUNT", "off"}})
                         .config;
  EXPECT_DOUBLE_EQ(set.api_rate.rate, 100);
  EXPECT_FALSE(set.register_rate.enabled());
  EXPECT_DOUBLE_EQ(set.login_failures_per_username.rate, 5.0 / 60);
  EXPECT_DOUBLE_EQ(set.login_failures_per_address.burst, 7);
  EXPECT_FALSE(set.login_failures_per_account.enabled());
  EXPECT_NE(parse_error({"--register-rate", "lots"}).find("REGISTER_RATE"), std::string::npos);
}

TEST(ConfigParse, SlowClientLimitsHaveSafeDefaults) {
  const auto config = parse_ok({}).config;
  EXPECT_EQ(config.max_buffered_bytes, 4u * 1024 * 1024);
  EXPECT_EQ(config.max_connections_per_address, 256u);
  EXPECT_EQ(config.header_timeout, 10);
}

TEST(ConfigParse, SlowClientLimitsComeFromFlagsAndEnvironment) {
  const auto flags = parse_ok({"--max-buffered-bytes", "16777216", "--max-connections-per-address", "0",
                               "--header-timeout", "1m"})
                         .config;
  EXPECT_EQ(flags.max_buffered_bytes, 16u * 1024 * 1024);
  EXPECT_EQ(flags.max_connections_per_address, 0u);
  EXPECT_EQ(flags.header_timeout, 60);
  const auto env = parse_ok({}, {{"MAX_BUFFERED_BYTES", "1048576"}, {"MAX_CONNECTIONS_PER_ADDRESS", "20"},
                                 {"HEADER_TIMEOUT", "5"}})
                       .config;
  EXPECT_EQ(env.max_buffered_bytes, 1048576u);
  EXPECT_EQ(env.max_connections_per_address, 20u);
  EXPECT_EQ(env.header_timeout, 5);
}

TEST(ConfigParse, SlowClientLimitsRefuseValuesOutOfRange) {
  EXPECT_NE(parse_error({"--max-buffered-bytes", "65536"}).find("MAX_BUFFERED_BYTES"), std::string::npos);
  EXPECT_NE(parse_error({"--max-buffered-bytes", "2147483648"}).find("1048576-1073741824"), std::string::npos);
  EXPECT_NE(parse_error({"--max-buffered-bytes", "4MB"}).find("MAX_BUFFERED_BYTES"), std::string::npos);
  EXPECT_NE(parse_error({"--max-connections-per-address", "-1"}).find("MAX_CONNECTIONS_PER_ADDRESS"),
            std::string::npos);
  EXPECT_NE(parse_error({"--header-timeout", "0"}).find("HEADER_TIMEOUT"), std::string::npos);
  EXPECT_NE(parse_error({"--header-timeout", "2h"}).find("1s to 1h"), std::string::npos);
}

}  // namespace
}  // namespace parley::config
