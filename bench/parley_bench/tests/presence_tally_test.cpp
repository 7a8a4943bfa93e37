// Judging presence pushes during a storm, and the storm's verdict.
#include "presence_tally.hpp"

#include <gtest/gtest.h>

namespace parley_bench {
namespace {

struct Fixture {
  // Users 0..3: groups {0,1,2} and {2,3,0}; user 3 and user 1 are not contacts.
  Fixture() : book(make_rosters(), 5) {
    uint32_t i = 0;
    for (const char* id : {"u0", "u1", "u2", "u3", "u4"}) index.emplace(id, i++);
  }
  static GroupRosters make_rosters() {
    GroupRosters r;
    r.members = 3;
    r.flat = {0, 1, 2, 2, 3, 0};
    return r;
  }
  ContactBook book;
  std::unordered_map<std::string, uint32_t> index;
};

constexpr const char* online_push = R"({"userId":"u1","online":true,"lastSeenAt":null})";
constexpr const char* offline_push = R"({"userId":"u1","online":false,"lastSeenAt":"2025-01-01T00:00:00.000Z"})";

TEST(PresenceTally, CountsByStateAndReceiver) {
  Fixture f;
  PresenceTally tally(f.book, f.index, {1, 1, 1, 1, 0});
  tally.record(0, offline_push);
  tally.record(0, online_push);
  tally.record(2, online_push);
  tally.other("receive_message");
  tally.other("receive_message");
  auto counts = tally.take();
  EXPECT_EQ(counts.online, 2u);
  EXPECT_EQ(counts.offline, 1u);
  EXPECT_EQ(counts.pushes(), 3u);
  EXPECT_EQ(counts.per_receiver, (std::vector<uint32_t>{2, 0, 1, 0, 0}));
  EXPECT_EQ(counts.other.at("receive_message"), 2u);
  EXPECT_EQ(counts.malformed + counts.not_contact + counts.not_stormed + counts.repeated, 0u);
  // take() starts afresh.
  EXPECT_EQ(tally.take().pushes(), 0u);
}

TEST(PresenceTally, FlagsWhatTheContractDoesNotAllow) {
  Fixture f;
  PresenceTally tally(f.book, f.index, {1, 0, 1, 1, 0});
  tally.record(3, online_push);  // 3 shares no group with 1
  tally.record(0, R"({"userId":"nobody","online":true,"lastSeenAt":null})");
  auto counts = tally.take();
  EXPECT_EQ(counts.not_contact, 2u);
  EXPECT_EQ(counts.online, 2u);

  tally.record(0, online_push);  // user 1 was not dropped
  EXPECT_EQ(tally.take().not_stormed, 1u);

  tally.record(0, R"({"userId":"u2","online":true,"lastSeenAt":"2025-01-01T00:00:00.000Z"})");  // online with a last-seen
  tally.record(0, R"({"userId":"u2","online":false,"lastSeenAt":null})");  // offline, never seen?
  tally.record(0, R"({"userId":"u2","online":"yes","lastSeenAt":null})");
  tally.record(0, R"({"userId":"u2","online":true})");
  tally.record(0, "not json");
  counts = tally.take();
  EXPECT_EQ(counts.malformed, 5u);
  EXPECT_EQ(counts.pushes(), 0u);
}

TEST(PresenceTally, ARepeatIsTheSameStateTwiceAboutTheSameContact) {
  Fixture f;
  PresenceTally tally(f.book, f.index, {1, 1, 1, 1, 1});
  tally.record(0, online_push);
  tally.record(2, online_push);   // another receiver: not a repeat
  tally.record(0, offline_push);
  tally.record(0, online_push);
  EXPECT_EQ(tally.take().repeated, 0u);
  tally.record(0, online_push);
  tally.record(0, online_push);
  EXPECT_EQ(tally.take().repeated, 1u);
}

TEST(PresenceCounts, MergeAddsUp) {
  PresenceCounts a, b;
  a.online = 1;
  a.per_receiver = {1, 0};
  a.other["x"] = 1;
  b.offline = 2;
  b.repeated = 1;
  b.per_receiver = {0, 2};
  b.other["x"] = 2;
  b.other["y"] = 1;
  a.merge(b);
  EXPECT_EQ(a.pushes(), 3u);
  EXPECT_EQ(a.repeated, 1u);
  EXPECT_EQ(a.per_receiver, (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(a.other.at("x"), 3u);
  EXPECT_EQ(a.other.at("y"), 1u);
}

TEST(JudgeStorm, PassesACleanStormWhateverThePushCount) {
  PresenceResult r;
  r.stormed = 10;
  r.reconnected = 10;
  r.online_pushes = 1'000'000;
  judge_storm(r);
  EXPECT_TRUE(r.passed) << r.verdict;

  r.reconnected = 8;
  r.not_contact = 1;
  r.quiet = false;
  judge_storm(r);
  EXPECT_FALSE(r.passed);
  EXPECT_NE(r.verdict.find("2 not reconnected"), std::string::npos) << r.verdict;
  EXPECT_NE(r.verdict.find("non-contact"), std::string::npos) << r.verdict;
  EXPECT_NE(r.verdict.find("still receiving"), std::string::npos) << r.verdict;
}

}  // namespace
}  // namespace parley_bench
