// Command-line parsing and the refusals: non-loopback targets and unbounded runs.
#include "options.hpp"

#include <gtest/gtest.h>

namespace parley_bench {
namespace {

ParseResult parse(std::vector<std::string> args) {
  args.insert(args.begin(), "parley-bench");
  return parse_command_line(args);
}

TEST(LoopbackHost, AcceptsOnlyThisMachine) {
  EXPECT_TRUE(is_loopback_host("127.0.0.1"));
  EXPECT_TRUE(is_loopback_host("127.255.3.9"));
  EXPECT_TRUE(is_loopback_host("::1"));
  EXPECT_TRUE(is_loopback_host("0:0:0:0:0:0:0:1"));
  EXPECT_TRUE(is_loopback_host("localhost"));
  EXPECT_TRUE(is_loopback_host("LocalHost"));
  EXPECT_FALSE(is_loopback_host("128.0.0.1"));
  EXPECT_FALSE(is_loopback_host("10.0.0.1"));
  EXPECT_FALSE(is_loopback_host("0.0.0.0"));
  EXPECT_FALSE(is_loopback_host("::"));
  EXPECT_FALSE(is_loopback_host("::ffff:127.0.0.1"));
  EXPECT_FALSE(is_loopback_host("example.com"));
  EXPECT_FALSE(is_loopback_host("localhost.example.com"));
  EXPECT_FALSE(is_loopback_host("127.0.0.1.nip.io"));
  EXPECT_FALSE(is_loopback_host(""));
}

TEST(ParseUrl, ReadsHostPortAndBrackets) {
  std::string error;
  auto t = parse_url("http://127.0.0.1:3102", error);
  ASSERT_TRUE(t) << error;
  EXPECT_EQ(t->address, "127.0.0.1");
  EXPECT_EQ(t->port, 3102);
  EXPECT_FALSE(t->ipv6);

  t = parse_url("ws://[::1]:3000/socket.io/", error);
  ASSERT_TRUE(t) << error;
  EXPECT_EQ(t->address, "::1");
  EXPECT_TRUE(t->ipv6);

  t = parse_url("http://localhost", error);
  ASSERT_TRUE(t) << error;
  EXPECT_EQ(t->address, "127.0.0.1");
  EXPECT_EQ(t->port, 80);
}

TEST(ParseUrl, RefusesOtherMachinesClearly) {
  std::string error;
  EXPECT_FALSE(parse_url("http://example.com:3000", error));
  EXPECT_NE(error.find("only targets servers on this machine"), std::string::npos) << error;
  EXPECT_FALSE(parse_url("http://192.168.1.10:3000", error));
  EXPECT_NE(error.find("192.168.1.10"), std::string::npos) << error;
  EXPECT_FALSE(parse_url("http://[2001:db8::1]:3000", error));
  EXPECT_FALSE(parse_url("https://127.0.0.1:3000", error));
  EXPECT_FALSE(parse_url("127.0.0.1:3000", error));
  EXPECT_FALSE(parse_url("http://127.0.0.1:0", error));
  EXPECT_FALSE(parse_url("http://127.0.0.1:99999", error));
  EXPECT_FALSE(parse_url("http://::1:3000", error));
}

TEST(CommandLine, AcceptsABoundedRateRun) {
  auto r = parse({"rate", "--url", "http://127.0.0.1:3000", "--rate", "500", "--duration", "3", "--secret", "s",
                  "--users-count", "20", "--threads", "2"});
  ASSERT_FALSE(r.exit_now) << r.message;
  EXPECT_EQ(r.options.mode, Mode::rate);
  EXPECT_EQ(r.options.rate, 500);
  EXPECT_EQ(r.options.threads, 2u);
  EXPECT_EQ(r.options.target.port, 3000);
  EXPECT_EQ(r.options.path, "/socket.io/");
}

TEST(CommandLine, RefusesNonLoopbackTarget) {
  auto r = parse({"rate", "--url", "http://10.1.2.3:3000", "--rate", "500", "--duration", "3", "--users", "u.json"});
  EXPECT_TRUE(r.exit_now);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.message.find("refusing"), std::string::npos) << r.message;
}

TEST(CommandLine, RefusesRunsWithoutDuration) {
  for (const char* mode : {"rate", "max", "connections", "handshake", "group"}) {
    std::vector<std::string> args{mode, "--users", "u.json"};
    if (std::string(mode) == "rate") args.insert(args.end(), {"--rate", "10"});
    if (std::string(mode) == "group") args.insert(args.end(), {"--rate", "10", "--groups", "2", "--members", "3"});
    if (std::string(mode) == "connections") args.insert(args.end(), {"--connections", "10"});
    auto r = parse(args);
    EXPECT_TRUE(r.exit_now) << mode;
    EXPECT_NE(r.exit_code, 0) << mode;
    EXPECT_NE(r.message.find("--duration"), std::string::npos) << mode << ": " << r.message;
  }
}

TEST(CommandLine, RefusesUnboundedDurationsAndCounts) {
  auto r = parse({"rate", "--rate", "10", "--duration", "601", "--users", "u.json"});
  EXPECT_TRUE(r.exit_now);
  EXPECT_NE(r.message.find("over the limit"), std::string::npos) << r.message;

  r = parse({"rate", "--rate", "10", "--duration", "0", "--users", "u.json"});
  EXPECT_TRUE(r.exit_now);
  EXPECT_NE(r.message.find("--duration"), std::string::npos) << r.message;

  r = parse({"rate", "--rate", "10", "--duration", "inf", "--users", "u.json"});
  EXPECT_TRUE(r.exit_now) << r.message;

  r = parse({"rate", "--rate", "20000000", "--duration", "10", "--users", "u.json"});
  EXPECT_TRUE(r.exit_now);
  EXPECT_NE(r.message.find("--rate"), std::string::npos) << r.message;

  r = parse({"rate", "--rate", "1000000", "--duration", "600", "--users", "u.json"});
  EXPECT_TRUE(r.exit_now);
  EXPECT_NE(r.message.find("cap"), std::string::npos) << r.message;

  r = parse({"connections", "--connections", "2000000", "--duration", "10", "--users", "u.json"});
  EXPECT_TRUE(r.exit_now);
  EXPECT_NE(r.message.find("--connections"), std::string::npos) << r.message;

  r = parse({"max", "--duration", "60", "--step-duration", "120", "--users", "u.json"});
  EXPECT_TRUE(r.exit_now);
  EXPECT_NE(r.message.find("--step-duration"), std::string::npos) << r.message;

  r = parse({"max", "--duration", "60", "--max-steps", "1000", "--users", "u.json"});
  EXPECT_TRUE(r.exit_now);

  r = parse({"handshake", "--duration", "5", "--concurrency", "0", "--users", "u.json"});
  EXPECT_TRUE(r.exit_now);
}

TEST(CommandLine, NeedsUsersOrASecret) {
  auto r = parse({"rate", "--rate", "10", "--duration", "1"});
  EXPECT_TRUE(r.exit_now);
  EXPECT_NE(r.message.find("--users"), std::string::npos) << r.message;
}

TEST(CommandLine, SourceAddressesNeedIPv4Loopback) {
  auto r = parse({"connections", "--url", "http://[::1]:3000", "--connections", "10", "--duration", "1",
                  "--users", "u.json", "--source-addresses", "4"});
  EXPECT_TRUE(r.exit_now);
  r = parse({"connections", "--url", "http://127.0.0.1:3000", "--connections", "10", "--duration", "1",
             "--users", "u.json", "--source-addresses", "4"});
  EXPECT_FALSE(r.exit_now) << r.message;
}

TEST(CommandLine, HandshakeTransportAndMakeUsers) {
  auto r = parse({"handshake", "--duration", "2", "--users", "u.json", "--transport", "polling"});
  ASSERT_FALSE(r.exit_now) << r.message;
  EXPECT_EQ(r.options.transport, Transport::polling);
  r = parse({"handshake", "--duration", "2", "--users", "u.json", "--transport", "carrier-pigeon"});
  EXPECT_TRUE(r.exit_now);
  r = parse({"make-users", "--count", "5", "--out", "/tmp/x.json"});
  ASSERT_FALSE(r.exit_now) << r.message;
  EXPECT_EQ(r.options.mode, Mode::make_users);
}

TEST(CommandLine, GroupRunMintsGroupsTimesMembersUsers) {
  auto r = parse({"group", "--groups", "10", "--members", "100", "--rate", "50", "--duration", "10", "--secret", "s"});
  ASSERT_FALSE(r.exit_now) << r.message;
  EXPECT_EQ(r.options.mode, Mode::group);
  EXPECT_EQ(r.options.groups, 10u);
  EXPECT_EQ(r.options.members, 100u);
  EXPECT_EQ(r.options.rate, 50);
  EXPECT_EQ(r.options.users_count, 1000u);  // one user per member, minted
  EXPECT_STREQ(to_string(r.options.mode), "group");

  r = parse({"group", "--groups", "2", "--members", "3", "--rate", "5", "--duration", "1", "--users", "u.json"});
  ASSERT_FALSE(r.exit_now) << r.message;
  EXPECT_EQ(r.options.users_count, 0u);  // the file's users; the run checks it has 6
}

TEST(CommandLine, GroupRunRefusesBadShapes) {
  auto refused = [](std::vector<std::string> extra, const char* says) {
    std::vector<std::string> args{"group", "--secret", "s"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = parse(args);
    EXPECT_TRUE(r.exit_now) << says;
    EXPECT_EQ(r.exit_code, 2) << r.message;
    EXPECT_NE(r.message.find(says), std::string::npos) << r.message;
  };
  refused({"--groups", "0", "--members", "10", "--rate", "5", "--duration", "1"}, "--groups");
  refused({"--groups", "100001", "--members", "10", "--rate", "5", "--duration", "1"}, "--groups");
  refused({"--groups", "5", "--members", "1", "--rate", "5", "--duration", "1"}, "--members");
  refused({"--groups", "5", "--members", "1001", "--rate", "5", "--duration", "1"}, "--members");
  refused({"--groups", "5000", "--members", "1000", "--rate", "5", "--duration", "1"}, "over the limit");
  refused({"--groups", "5", "--members", "10", "--rate", "0", "--duration", "1"}, "--rate");
  refused({"--groups", "5", "--members", "10", "--rate", "5"}, "--duration");
  refused({"--groups", "5", "--members", "10", "--rate", "5", "--duration", "601"}, "--duration");
  refused({"--groups", "5", "--members", "10", "--rate", "1000000", "--duration", "600"}, "cap");
  refused({"--groups", "5", "--members", "10", "--rate", "5", "--duration", "1", "--users-count", "49"},
          "needs 50 users");
  refused({"--groups", "5", "--members", "10", "--rate", "5", "--duration", "1", "--create-concurrency", "0"},
          "--create-concurrency");
  refused({"--groups", "5", "--members", "10", "--rate", "5", "--duration", "1", "--message-size", "0"},
          "--message-size");
  refused({"--groups", "5", "--members", "10", "--rate", "5", "--duration", "1", "--url", "http://10.0.0.2:3000"},
          "refusing");

  auto r = parse({"group", "--members", "10", "--rate", "5", "--duration", "1", "--secret", "s"});
  EXPECT_TRUE(r.exit_now);  // --groups is required
  EXPECT_NE(r.exit_code, 0);
}

TEST(CommandLine, PresenceRunDefaults) {
  auto r = parse({"presence", "--secret", "s", "--users-count", "200", "--conversations-per-user", "4"});
  ASSERT_FALSE(r.exit_now) << r.message;
  EXPECT_EQ(r.options.mode, Mode::presence);
  EXPECT_EQ(r.options.members, 10u);
  EXPECT_EQ(r.options.conversations_per_user, 4u);
  EXPECT_EQ(r.options.offline_s, 0);
  EXPECT_EQ(r.options.presence_grace_s, 5);
  EXPECT_EQ(r.options.storm_fraction, 1);
  EXPECT_EQ(r.options.duration_s, 120);  // the storm's bound, when not given

  r = parse({"presence", "--secret", "s", "--users-count", "10000", "--offline-s", "4", "--presence-grace", "2",
             "--members", "20", "--duration", "60", "--storm-fraction", "0.5"});
  ASSERT_FALSE(r.exit_now) << r.message;
  EXPECT_EQ(r.options.members, 20u);
  EXPECT_EQ(r.options.conversations_per_user, 20u);
  EXPECT_EQ(r.options.duration_s, 60);
  EXPECT_EQ(r.options.offline_s, 4);
}

TEST(CommandLine, PresenceRunRefusesBadShapes) {
  auto refused = [](std::vector<std::string> args, std::string_view why) {
    args.insert(args.begin(), {"presence", "--secret", "s"});
    auto r = parse(args);
    EXPECT_TRUE(r.exit_now) << why;
    EXPECT_EQ(r.exit_code, 2) << why;
    EXPECT_NE(r.message.find(why), std::string::npos) << r.message;
  };
  refused({"--users-count", "205"}, "multiple of --members");
  refused({"--users-count", "5"}, "multiple of --members");
  refused({"--users-count", "200", "--members", "1"}, "--members");
  refused({"--users-count", "200", "--conversations-per-user", "0"}, "--conversations-per-user");
  refused({"--users-count", "1000000", "--conversations-per-user", "20"}, "over the limit");
  refused({"--users-count", "200", "--presence-grace", "0.5"}, "--presence-grace");
  refused({"--users-count", "200", "--storm-fraction", "0"}, "--storm-fraction");
  refused({"--users-count", "200", "--storm-fraction", "1.5"}, "--storm-fraction");
  refused({"--users-count", "200", "--offline-s", "-1"}, "--offline-s");
  refused({"--users-count", "200", "--quiet", "0"}, "--quiet");
  refused({"--users-count", "200", "--connect-concurrency", "0"}, "--connect-concurrency");
  refused({"--users-count", "200", "--duration", "601"}, "--duration");
  refused({}, "--users-count");
}

TEST(CommandLine, HelpExitsZero) {
  auto r = parse({"--help"});
  EXPECT_TRUE(r.exit_now);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.message.find("rate"), std::string::npos);
}

TEST(CommandLine, TypingRunKeepsEveryUserUnderTheServersLimit) {
  auto r = parse({"typing", "--groups", "20", "--members", "10", "--rate", "500", "--duration", "10", "--secret", "s"});
  ASSERT_FALSE(r.exit_now) << r.message;
  EXPECT_EQ(r.options.mode, Mode::typing);
  EXPECT_STREQ(to_string(r.options.mode), "typing");
  EXPECT_EQ(r.options.users_count, 200u);
  EXPECT_EQ(r.options.user_typing_rate, 10);
  EXPECT_EQ(r.options.typing_timeout_s, 6);

  auto refused = [](std::vector<std::string> extra, const char* says) {
    std::vector<std::string> args{"typing", "--secret", "s", "--duration", "1"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = parse(args);
    EXPECT_TRUE(r.exit_now) << says;
    EXPECT_NE(r.message.find(says), std::string::npos) << r.message;
  };
  // 2 groups of 3 at 10/s per user: 60 changes/s at most.
  refused({"--groups", "2", "--members", "3", "--rate", "61"}, "per-user typing limit");
  refused({"--groups", "0", "--members", "3", "--rate", "1"}, "typing: --groups");
  refused({"--groups", "2", "--members", "3", "--rate", "0"}, "--rate");
  refused({"--groups", "2", "--members", "3", "--rate", "5", "--typing-timeout", "0.5"}, "--typing-timeout");
  refused({"--groups", "2", "--members", "3", "--rate", "5", "--user-rate", "0"}, "--user-rate");
}

}  // namespace
}  // namespace parley_bench
