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

TEST(PresenceReport, CarriesTheStormAndThePushes) {
  RunInfo info;
  info.mode = "presence";
  PresenceResult r;
  r.users = 200;
  r.groups = 80;
  r.created = 80;
  r.stormed = 100;
  r.reconnected = 100;
  r.reconnect_seconds = 0.25;
  r.online_pushes = 900;
  r.offline_pushes = 800;
  r.pushes_per_user_max = 20;
  r.offline.seconds = 3;
  r.other_events = {{"error", 1}, {"receive_message", 4}};
  r.error_events = 1;
  auto json = presence_json(info, r);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_FALSE(parser.parse(json).get(doc)) << json;
  auto result = doc["result"];
  EXPECT_EQ(uint64_t(result["stormed"]), 100u);
  EXPECT_EQ(uint64_t(result["reconnected"]), 100u);
  EXPECT_DOUBLE_EQ(double(result["reconnect_seconds"]), 0.25);
  EXPECT_EQ(uint64_t(result["presence_pushes"]["total"]), 1'700u);
  EXPECT_EQ(uint64_t(result["presence_pushes"]["online"]), 900u);
  EXPECT_EQ(uint64_t(result["presence_pushes"]["offline"]), 800u);
  EXPECT_EQ(uint64_t(result["presence_pushes"]["per_user_max"]), 20u);
  EXPECT_DOUBLE_EQ(double(result["phases"]["while_offline"]["seconds"]), 3);
  EXPECT_EQ(uint64_t(result["other_events"]["receive_message"]), 4u);
  EXPECT_EQ(uint64_t(result["error_events"]), 1u);
  EXPECT_TRUE(result["server"].is_null());  // no --pid
  // The smoke reads the pushes with grep: these keys appear once, with a number.
  for (const char* key : {"\"online\":", "\"offline\":", "\"reconnected\":", "\"stormed\":"}) {
    auto at = json.find(key);
    ASSERT_NE(at, std::string::npos) << key;
    EXPECT_EQ(json.find(key, at + 1), std::string::npos) << key;
    EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(json[at + std::string_view(key).size()]))) << key;
  }
}

}  // namespace
}  // namespace parley_bench
