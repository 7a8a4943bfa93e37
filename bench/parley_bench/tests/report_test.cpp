// The group mode's JSON report: what compare.sh reads from it.
#include "report.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

namespace parley_bench {
namespace {

TEST(GroupReport, CarriesSendsDeliveriesAndTheFanout) {
  RunInfo info;
  info.mode = "group";
  GroupResult r;
  r.groups = 5;
  r.members = 100;
  r.created = 5;
  r.step.fanout = 99;
  r.step.sent = 500;
  r.step.failed_acks = 2;
  r.step.delivered = 49'300;
  r.step.lost = 2;
  r.step.achieved_rate = 50;
  r.step.delivered_throughput = 4'930;
  r.step.delivery.p99_ms = 12.5;
  auto json = group_json(info, r);

  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_FALSE(parser.parse(json).get(doc)) << json;
  auto result = doc["result"];
  EXPECT_EQ(uint64_t(result["groups"]), 5u);
  EXPECT_EQ(uint64_t(result["members"]), 100u);
  EXPECT_EQ(uint64_t(result["fanout"]), 99u);
  EXPECT_EQ(uint64_t(result["created"]), 5u);
  EXPECT_DOUBLE_EQ(double(result["sends_per_second"]), 50);
  EXPECT_DOUBLE_EQ(double(result["deliveries_per_second"]), 4'930);
  EXPECT_EQ(uint64_t(result["step"]["expected"]), 498u * 99u);  // deliveries due: acked sends x fan-out
  EXPECT_EQ(uint64_t(result["step"]["delivered"]), 49'300u);
  EXPECT_DOUBLE_EQ(double(result["step"]["delivery_latency"]["p99_ms"]), 12.5);
  EXPECT_EQ(std::string_view(doc["run"]["mode"]), "group");
}

TEST(RateReport, ExpectsOneDeliveryPerAcceptedSend) {
  RunInfo info;
  StepResult s;
  s.sent = 10;
  s.failed_acks = 1;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_FALSE(parser.parse(rate_json(info, s)).get(doc));
  EXPECT_EQ(uint64_t(doc["result"]["expected"]), 9u);
}

}  // namespace
}  // namespace parley_bench
