// The chat's settings (config/config.hpp): the history page size, in every layer's form, with
// its default and refusals.
#include <gtest/gtest.h>

#include "config/config.hpp"

using namespace parley::config;

namespace {

ParseResult parse_with(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  args.insert(args.begin(), "parley");
  return parse(std::move(args), env);
}

}  // namespace

TEST(ChatConfig, Defaults) {
  auto result = parse_with({});
  ASSERT_FALSE(result.exit_now);
  EXPECT_EQ(result.config.history_page_size, 100u);
}

TEST(ChatConfig, HistoryPageSizeFromFlagsAndEnvironment) {
  EXPECT_EQ(parse_with({"--history-page-size", "50"}).config.history_page_size, 50u);
  EXPECT_EQ(parse_with({}, {{"HISTORY_PAGE_SIZE", "200"}}).config.history_page_size, 200u);
}

TEST(ChatConfig, RefusesBadValues) {
  for (auto args : std::vector<std::vector<std::string>>{{"--history-page-size", "0"}, {"--history-page-size", "201"},
                                                         {"--history-page-size", "ten"}}) {
    testing::internal::CaptureStderr();
    auto result = parse_with(args);
    std::string printed = testing::internal::GetCapturedStderr();
    EXPECT_TRUE(result.exit_now) << args[1];
    EXPECT_EQ(result.exit_code, 2) << args[1];
    EXPECT_NE(printed.find("invalid"), std::string::npos) << printed;
  }
}
