// The typing mode's pure pieces: picking changes, matching each typing_update to its change,
// judging its list, refusals, give-ups, and reading the payloads.
#include "typing_plan.hpp"

#include <gtest/gtest.h>

#include <set>

namespace parley_bench {
namespace {

constexpr int64_t ms = 1'000'000;

TypingPacing pacing() {
  TypingPacing p;
  p.min_gap_ns = 100 * ms;
  p.max_typing_ns = 3000 * ms;
  p.give_up_ns = 5000 * ms;
  return p;
}

// Two groups of three: group 0 is users 0-2 (conversation 70), group 1 users 3-5 (71).
TypingBoard board(uint64_t seed = 7) { return TypingBoard(GroupLayout{2, 3}, {70, 71}, pacing(), seed); }

// Delivers the change's update, with the list the board expects, to every other member.
void deliver_all(TypingBoard& b, const TypingChange& c, int64_t now, uint32_t members = 3) {
  const auto list = b.typists(c.group);
  for (uint32_t u = c.group * members; u < c.group * members + members; ++u) {
    if (u != c.user) {
      EXPECT_EQ(b.on_update(u, 70 + c.group, list, now), UpdateVerdict::delivered);
    }
  }
}

TEST(TypingBoard, OneChangeInFlightPerGroup) {
  auto b = board();
  auto first = b.begin_change(0);
  auto second = b.begin_change(0);
  ASSERT_TRUE(first && second);
  EXPECT_NE(first->group, second->group);
  EXPECT_FALSE(b.begin_change(0)) << "both groups are busy";
  EXPECT_EQ(b.in_flight(), 2u);
  EXPECT_TRUE(first->is_typing);  // nobody types yet: every first change is a start
  EXPECT_EQ(first->user / 3, first->group);
}

TEST(TypingBoard, AStartCompletesWithTheAckAndEveryOtherMembersUpdate) {
  auto b = board();
  auto c = b.begin_change(0);
  ASSERT_TRUE(c);
  b.mark_sent(*c, 1 * ms);
  EXPECT_EQ(b.typists(c->group), std::vector<uint32_t>{c->user});
  deliver_all(b, *c, 3 * ms);
  EXPECT_EQ(b.in_flight(), 1u) << "not complete before its ack";
  b.on_ack(c->group, c->id, TypingAck::ok, 4 * ms);
  EXPECT_EQ(b.in_flight(), 0u);
  const auto& t = b.tally();
  EXPECT_EQ(t.changes, 1u);
  EXPECT_EQ(t.starts, 1u);
  EXPECT_EQ(t.updates_due, 2u);
  EXPECT_EQ(t.delivered, 2u);
  EXPECT_EQ(t.unexpected(), 0u);
  EXPECT_EQ(t.latency.count(), 2u);
  EXPECT_EQ(t.start_latency.count(), 2u);
  EXPECT_NEAR(static_cast<double>(t.latency.max()), 2000, 40);  // µs from the send
}

TEST(TypingBoard, AnUpdateWithTheWrongListOrToTheWrongMemberIsUnexpected) {
  auto b = board();
  auto c = b.begin_change(0);
  ASSERT_TRUE(c);
  b.mark_sent(*c, 0);
  std::vector<uint32_t> others;
  for (uint32_t u = c->group * 3; u < c->group * 3 + 3; ++u) {
    if (u != c->user) others.push_back(u);
  }
  uint32_t other = others[0], third = others[1];
  uint64_t conversation = 70 + c->group;
  std::vector<uint32_t> empty;
  EXPECT_EQ(b.on_update(other, conversation, empty, 1 * ms), UpdateVerdict::wrong_list);
  EXPECT_EQ(b.on_update(other, conversation, b.typists(c->group), 1 * ms), UpdateVerdict::repeated);
  EXPECT_EQ(b.on_update(c->user, conversation, b.typists(c->group), 1 * ms), UpdateVerdict::to_changer);
  EXPECT_EQ(b.on_update(third, conversation + 1, b.typists(c->group), 1 * ms), UpdateVerdict::wrong_conversation);
  EXPECT_EQ(b.on_update(99, conversation, b.typists(c->group), 1 * ms), UpdateVerdict::wrong_conversation);
  const auto& t = b.tally();
  EXPECT_EQ(t.wrong_list, 1u);
  EXPECT_EQ(t.repeated, 1u);
  EXPECT_EQ(t.to_changer, 1u);
  EXPECT_EQ(t.wrong_conversation, 2u);
  EXPECT_EQ(t.unexpected(), 5u);
  EXPECT_EQ(t.delivered, 0u);
}

TEST(TypingBoard, AnUpdateWithNoChangeInFlightIsUnexpected) {
  auto b = board();
  std::vector<uint32_t> list{1};
  EXPECT_EQ(b.on_update(0, 70, list, 0), UpdateVerdict::no_change_in_flight);
  auto c = b.begin_change(0);
  ASSERT_TRUE(c);
  // Begun but not yet handed to the socket: nothing can be its update yet.
  EXPECT_EQ(b.on_update(c->group * 3 + (c->user % 3 + 1) % 3, 70 + c->group, b.typists(c->group), 0),
            UpdateVerdict::no_change_in_flight);
  EXPECT_EQ(b.tally().no_change_in_flight, 2u);
}

TEST(TypingBoard, TypistsStopAndTheListShrinksInStartOrder) {
  // One group of three, with no pacing: the board's own choices, followed until someone stops.
  TypingPacing p = pacing();
  p.min_gap_ns = 0;
  TypingBoard b(GroupLayout{1, 3}, {70}, p, 11);
  std::vector<uint32_t> model;
  bool saw_stop = false;
  for (int i = 0; i < 50; ++i) {
    auto c = b.begin_change(i * ms);
    ASSERT_TRUE(c);
    bool typing = std::find(model.begin(), model.end(), c->user) != model.end();
    EXPECT_EQ(c->is_typing, !typing) << "a member toggles";
    if (c->is_typing) {
      model.push_back(c->user);
    } else {
      std::erase(model, c->user);
      saw_stop = true;
    }
    EXPECT_EQ(b.typists(0), model);
    b.mark_sent(*c, i * ms);
    deliver_all(b, *c, i * ms);
    b.on_ack(0, c->id, TypingAck::ok, i * ms);
    EXPECT_EQ(b.in_flight(), 0u);
  }
  EXPECT_TRUE(saw_stop);
  EXPECT_EQ(b.tally().delivered, 100u);
  EXPECT_EQ(b.tally().starts + b.tally().stops, 50u);
  EXPECT_EQ(b.tally().stop_latency.count(), 2 * b.tally().stops);
}

TEST(TypingBoard, PacesEachUserToItsLimit) {
  // One group of two: after both changed, nobody may change again within min_gap.
  TypingBoard b(GroupLayout{1, 2}, {70}, pacing(), 3);
  std::set<uint32_t> users;
  for (int i = 0; i < 2; ++i) {
    auto c = b.begin_change(0);
    ASSERT_TRUE(c);
    users.insert(c->user);
    b.mark_sent(*c, 0);
    b.on_ack(0, c->id, TypingAck::ok, 0);
    deliver_all(b, *c, 0, 2);
  }
  EXPECT_EQ(users.size(), 2u);
  EXPECT_FALSE(b.begin_change(99 * ms));
  EXPECT_TRUE(b.begin_change(100 * ms));
}

TEST(TypingBoard, StopsATypistBeforeTheServerWouldExpireIt) {
  TypingBoard b(GroupLayout{1, 3}, {70}, pacing(), 5);
  auto c = b.begin_change(0);
  ASSERT_TRUE(c && c->is_typing);
  b.mark_sent(*c, 0);
  b.on_ack(0, c->id, TypingAck::ok, 0);
  deliver_all(b, *c, 0);
  // At max_typing_ns, the oldest typist's stop comes before anything else.
  auto stop = b.begin_change(3000 * ms);
  ASSERT_TRUE(stop);
  EXPECT_EQ(stop->user, c->user);
  EXPECT_FALSE(stop->is_typing);
  EXPECT_TRUE(b.typists(0).empty());
}

TEST(TypingBoard, ARefusalRestoresTheListAndIsDueNothing) {
  auto b = board();
  auto c = b.begin_change(0);
  ASSERT_TRUE(c);
  b.mark_sent(*c, 0);
  b.on_ack(c->group, c->id, TypingAck::rate_limited, 1 * ms);
  EXPECT_TRUE(b.typists(c->group).empty());
  EXPECT_EQ(b.in_flight(), 0u);
  auto d = b.begin_change(200 * ms);
  ASSERT_TRUE(d);
  b.mark_sent(*d, 200 * ms);
  b.on_ack(d->group, d->id, TypingAck::refused, 201 * ms);
  const auto& t = b.tally();
  EXPECT_EQ(t.rate_limited, 1u);
  EXPECT_EQ(t.refused, 1u);
  EXPECT_EQ(t.updates_due, 0u);
  EXPECT_EQ(t.lost, 0u);
}

TEST(TypingBoard, GivesUpIncompleteChangesAsLost) {
  auto b = board();
  auto c = b.begin_change(0);
  auto d = b.begin_change(1000 * ms);
  ASSERT_TRUE(c && d);
  b.mark_sent(*c, 0);
  b.mark_sent(*d, 1000 * ms);
  b.on_ack(c->group, c->id, TypingAck::ok, 1 * ms);
  uint32_t other = c->group * 3 + (c->user % 3 + 1) % 3;
  EXPECT_EQ(b.on_update(other, 70 + c->group, b.typists(c->group), 1 * ms), UpdateVerdict::delivered);
  b.give_up(5000 * ms);  // c is 5 s old, d only 4 s
  EXPECT_EQ(b.in_flight(), 1u);
  EXPECT_EQ(b.tally().lost, 1u);
  EXPECT_EQ(b.tally().unacked, 0u);
  b.give_up(5000 * ms, true);  // the end: d too, never acked
  const auto& t = b.tally();
  EXPECT_EQ(b.in_flight(), 0u);
  EXPECT_EQ(t.given_up, 2u);
  EXPECT_EQ(t.unacked, 1u);
  EXPECT_EQ(t.updates_due, 4u);
  EXPECT_EQ(t.lost, 3u);
  EXPECT_EQ(t.errors.size(), 2u);
  // A late update for a change given up matches nothing.
  EXPECT_EQ(b.on_update(other, 70 + c->group, b.typists(c->group), 6000 * ms), UpdateVerdict::no_change_in_flight);
}

TEST(TypingBoard, ANotSentChangeFreesItsGroup) {
  TypingBoard b(GroupLayout{1, 3}, {70}, pacing(), 9);
  auto c = b.begin_change(0);
  ASSERT_TRUE(c);
  b.not_sent(*c);
  EXPECT_EQ(b.in_flight(), 0u);
  EXPECT_TRUE(b.typists(0).empty());
  EXPECT_EQ(b.tally().not_sent, 1u);
  EXPECT_EQ(b.tally().changes, 0u);
}

TEST(TypingPayloads, EventAndAck) {
  EXPECT_EQ(typing_event(42, true), R"(["typing",{"conversationId":42,"isTyping":true}])");
  EXPECT_EQ(typing_event(7, false), R"(["typing",{"conversationId":7,"isTyping":false}])");
  simdjson::dom::parser parser;
  EXPECT_EQ(classify_typing_ack(parser, R"({"success":true})"), TypingAck::ok);
  EXPECT_EQ(classify_typing_ack(parser, R"({"success":false,"error":"Too many","code":"RATE_LIMITED","retryAfterMs":80})"),
            TypingAck::rate_limited);
  EXPECT_EQ(classify_typing_ack(parser, R"({"success":false,"error":"no","code":"FORBIDDEN"})"), TypingAck::refused);
  EXPECT_EQ(classify_typing_ack(parser, "nope"), TypingAck::refused);
}

TEST(TypingPayloads, ReadsAnUpdateIntoUserIndexes) {
  simdjson::dom::parser parser;
  std::unordered_map<std::string, uint32_t> index{{"a", 0}, {"b", 1}, {"c", 2}};
  TypingUpdate update;
  ASSERT_TRUE(read_typing_update(parser, R"({"conversationId":70,"userIds":["c","a"]})", index, update));
  EXPECT_EQ(update.conversation_id, 70u);
  EXPECT_EQ(update.user_ids, (std::vector<uint32_t>{2, 0}));
  ASSERT_TRUE(read_typing_update(parser, R"({"conversationId":71,"userIds":[]})", index, update));
  EXPECT_TRUE(update.user_ids.empty());
  EXPECT_FALSE(read_typing_update(parser, R"({"conversationId":70,"userIds":["z"]})", index, update));
  EXPECT_FALSE(read_typing_update(parser, R"({"conversationId":"70","userIds":[]})", index, update));
  EXPECT_FALSE(read_typing_update(parser, R"({"conversationId":70,"userIds":[1]})", index, update));
  EXPECT_FALSE(read_typing_update(parser, R"({"conversationId":70})", index, update));
  EXPECT_FALSE(read_typing_update(parser, "[", index, update));
}

}  // namespace
}  // namespace parley_bench
