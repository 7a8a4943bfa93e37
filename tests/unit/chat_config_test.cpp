// The chat's settings (config/config.hpp): history page size and rate limits, in every layer's
// form, with their defaults and refusals.
#include <gtest/gtest.h>

#include "config/config.hpp"

using namespace parley::config;

namespace {

ParseResult parse_with(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  args.insert(args.begin(), "parley");
  return parse(std::move(args), env);
}

void expect_limit(const sio::util::RateLimit& limit, double rate, double burst) {
  EXPECT_DOUBLE_EQ(limit.rate, rate);
  EXPECT_DOUBLE_EQ(limit.burst, burst);
}

}  // namespace

TEST(ChatConfig, Defaults) {
  auto result = parse_with({});
  ASSERT_FALSE(result.exit_now);
  EXPECT_EQ(result.config.history_page_size, 100u);
  expect_limit(result.config.send_rate_per_user, 20, 100);
  expect_limit(result.config.send_rate_per_address, 200, 1000);
  expect_limit(result.config.history_rate_per_user, 10, 50);
  expect_limit(result.config.history_rate_per_address, 100, 500);
}

TEST(ChatConfig, RateLimitsFromFlagsAndEnvironment) {
  // The same N/DURATION form as the REST and login limits: bursts of N, refilled at N per DURATION.
  auto result = parse_with({"--send-rate-per-user", "10/2s", "--history-rate-per-address", "0", "--history-page-size", "50"},
                           {{"SEND_RATE_PER_ADDRESS", "25/10s"}, {"HISTORY_RATE_PER_USER", "3/1s"}});
  ASSERT_FALSE(result.exit_now);
  expect_limit(result.config.send_rate_per_user, 5, 10);
  expect_limit(result.config.send_rate_per_address, 2.5, 25);
  expect_limit(result.config.history_rate_per_user, 3, 3);
  EXPECT_FALSE(result.config.history_rate_per_address.enabled());
  EXPECT_EQ(result.config.history_page_size, 50u);
}

TEST(ChatConfig, RefusesBadValues) {
  for (auto args : std::vector<std::vector<std::string>>{
           {"--send-rate-per-user", "fast"}, {"--history-page-size", "0"}, {"--history-page-size", "201"},
           {"--send-rate-per-address", "-3"}, {"--send-rate-per-user", "20:100"}}) {
    testing::internal::CaptureStderr();
    auto result = parse_with(args);
    std::string printed = testing::internal::GetCapturedStderr();
    EXPECT_TRUE(result.exit_now) << args[0];
    EXPECT_EQ(result.exit_code, 2) << args[0];
    EXPECT_NE(printed.find("invalid"), std::string::npos) << printed;
  }
}
