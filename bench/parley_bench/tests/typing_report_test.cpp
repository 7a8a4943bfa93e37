// The typing mode's verdict and report.
#include "typing_report.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace parley_bench {
namespace {

TypingResult clean() {
  TypingResult r;
  r.groups = 2;
  r.members = 3;
  r.attempted = 100;
  r.tally.changes = 100;
  r.tally.acked = 100;
  r.tally.updates_due = 200;
  r.tally.delivered = 200;
  for (int i = 0; i < 200; ++i) r.tally.latency.record(1000);
  return r;
}

TEST(TypingReport, ACleanRunPasses) {
  auto r = clean();
  judge_typing(r);
  EXPECT_TRUE(r.passed) << r.verdict;
  EXPECT_NEAR(r.latency.p99_ms, 1.0, 0.02);
}

TEST(TypingReport, LossesRefusalsAndUnexpectedUpdatesFail) {
  auto r = clean();
  r.tally.lost = 2;
  r.tally.rate_limited = 1;
  r.tally.wrong_list = 3;
  judge_typing(r);
  EXPECT_FALSE(r.passed);
  EXPECT_NE(r.verdict.find("2 updates lost"), std::string::npos) << r.verdict;
  EXPECT_NE(r.verdict.find("1 changes RATE_LIMITED"), std::string::npos) << r.verdict;
  EXPECT_NE(r.verdict.find("3 unexpected updates"), std::string::npos) << r.verdict;
}

TEST(TypingReport, AFewSkippedChangesAreTolerated) {
  auto r = clean();
  r.skipped = 1;
  judge_typing(r);
  EXPECT_TRUE(r.passed) << r.verdict;
  r.skipped = 2;
  judge_typing(r);
  EXPECT_FALSE(r.passed);
}

TEST(TypingReport, JsonHasTheFiguresTheSmokeReads) {
  auto r = clean();
  judge_typing(r);
  RunInfo info;
  info.mode = "typing";
  auto json = typing_json(info, r);
  for (const char* key : {"\"created\":", "\"sent\":100", "\"due\":200", "\"delivered\":200", "\"lost\":0",
                          "\"unexpected\":0", "\"rate_limited\":0", "\"fanout_latency\":", "\"updates_per_second\":",
                          "\"passed\":true"}) {
    EXPECT_NE(json.find(key), std::string::npos) << key << " in " << json;
  }
  std::ostringstream table;
  print_typing(table, r);
  EXPECT_NE(table.str().find("fan-out"), std::string::npos);
}

}  // namespace
}  // namespace parley_bench
