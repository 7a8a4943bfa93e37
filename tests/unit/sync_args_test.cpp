// sync's arguments (chat/sync_args.hpp) and the stores' shared page rules (store/sync_rules.hpp).
#include <gtest/gtest.h>

#include "parsed_error.hpp"

#include "chat/sync_args.hpp"
#include "store/sync_rules.hpp"

using namespace parley::chat;
namespace rules = parley::store::sync_rules;
using parley::store::EntryKind;
using parley::store::LogEntry;

namespace {

const SyncLimits limits{};

LogEntry entry(std::int64_t id, std::int64_t seq, EntryKind kind = EntryKind::text, std::int64_t target = 0) {
  LogEntry e;
  e.id = id;
  e.conversation_id = 7;
  e.seq = seq;
  e.kind = kind;
  e.target_id = target;
  return e;
}

}  // namespace

TEST(SyncArgs, ReadsKnownSeqsLimitAndCursor) {
  auto all = parse_sync(std::nullopt, limits);
  ASSERT_EQ(error_of(all), "ok");
  EXPECT_TRUE(std::get<SyncArgs>(all).known.empty());
  EXPECT_EQ(std::get<SyncArgs>(all).limit, 100u);
  EXPECT_EQ(std::get<SyncArgs>(all).after, 0);

  auto some = parse_sync(R"({"conversations":{"17":4,"3":0},"limit":7,"before":"12"})", limits);
  ASSERT_EQ(error_of(some), "ok");
  const auto& args = std::get<SyncArgs>(some);
  EXPECT_EQ(args.known.size(), 2u);
  EXPECT_EQ(args.known.at(17), 4);
  EXPECT_EQ(args.known.at(3), 0);
  EXPECT_EQ(args.limit, 7u);
  EXPECT_EQ(args.after, 12);
  EXPECT_EQ(error_of(parse_sync(R"({"conversations":null,"before":null,"limit":null})", limits)), "ok");
}

TEST(SyncArgs, RefusesWhatIsNotAMapOfIdsToSeqs) {
  for (const char* bad : {R"({"conversations":[1]})", R"({"conversations":{"x":1}})", R"({"conversations":{"0":1}})",
                          R"({"conversations":{"-2":1}})", R"({"conversations":{"07":1}})",
                          R"({"conversations":{"1":-1}})", R"({"conversations":{"1":"2"}})",
                          R"({"conversations":{"1":1.5}})", R"({"conversations":{"1":1,"1":2}})",
                          R"({"conversations":{"99999999999999999999":1}})", R"({"conversations":"1"})"}) {
    EXPECT_EQ(error_of(parse_sync(bad, limits)), "INVALID_ARGUMENT Invalid conversations") << bad;
  }
  std::string many = R"({"conversations":{)";
  for (int i = 1; i <= 10'001; ++i) many += (i > 1 ? ",\"" : "\"") + std::to_string(i) + "\":0";
  EXPECT_EQ(error_of(parse_sync(many + "}}", limits)), "INVALID_ARGUMENT Too many conversations (max 10000)");
  EXPECT_EQ(error_of(parse_sync(R"({"limit":0})", limits)), "INVALID_ARGUMENT Invalid limit (1 to 200)");
  EXPECT_EQ(error_of(parse_sync(R"({"limit":201})", limits)), "INVALID_ARGUMENT Invalid limit (1 to 200)");
  EXPECT_EQ(error_of(parse_sync(R"({"before":3})", limits)), "INVALID_ARGUMENT Invalid before");
  EXPECT_EQ(error_of(parse_sync(R"({"before":"0"})", limits)), "INVALID_ARGUMENT Invalid before");
  EXPECT_EQ(error_of(parse_sync(R"({"before":"3x"})", limits)), "INVALID_ARGUMENT Invalid before");
  EXPECT_EQ(error_of(parse_sync("[1]", limits)), "INVALID_ARGUMENT Invalid arguments");
  EXPECT_EQ(error_of(parse_sync("{", limits)), "INVALID_ARGUMENT Invalid arguments");
}

TEST(SyncArgs, CursorRoundTrips) {
  EXPECT_EQ(decode_sync_cursor(encode_sync_cursor(42)), 42);
  EXPECT_EQ(decode_sync_cursor(""), std::nullopt);
  EXPECT_EQ(decode_sync_cursor("-1"), std::nullopt);
}

TEST(SyncRules, RangeStartsAboveTheClientAndAtTheJoining) {
  parley::store::SyncRequest request;
  request.user_id = "ben";
  request.known = {{7, 10}};
  parley::store::ConversationView view;
  view.state.id = 7;
  view.state.last_seq = 20;
  view.state.members = {parley::store::Member{"ben", "Ben", parley::store::Role::member, 4, 0, 0}};
  auto range = rules::range(request, view);
  EXPECT_EQ(range.from_seq, 11);
  EXPECT_EQ(range.before_seq, 21);
  view.state.members[0].joined_seq = 15;  // joined after what the client has
  EXPECT_EQ(rules::range(request, view).from_seq, 15);
  request.known.clear();
  view.state.members[0].joined_seq = 1;
  EXPECT_EQ(rules::range(request, view).from_seq, 1);
  request.known = {{7, 20}};
  range = rules::range(request, view);
  EXPECT_GE(range.from_seq, range.before_seq) << "nothing due";
}

TEST(SyncRules, KeepsTheNewestLimitOldestFirst) {
  parley::store::SyncedConversation synced;
  synced.entries = {entry(5, 5), entry(4, 4), entry(3, 3)};  // as read: newest first, limit + 1
  rules::keep_newest(synced, 2);
  EXPECT_TRUE(synced.limited);
  ASSERT_EQ(synced.entries.size(), 2u);
  EXPECT_EQ(synced.entries[0].seq, 4);
  EXPECT_EQ(synced.entries[1].seq, 5);
  parley::store::SyncedConversation exact;
  exact.entries = {entry(2, 2), entry(1, 1)};
  rules::keep_newest(exact, 2);
  EXPECT_FALSE(exact.limited);
  EXPECT_EQ(exact.entries.front().seq, 1);
}

TEST(SyncRules, ChangesOfMessagesFromBeforeTheJoiningAreDropped) {
  parley::store::SyncRequest request;
  request.user_id = "ben";
  parley::store::SyncedConversation synced;
  synced.view.state.id = 7;
  synced.view.state.members = {parley::store::Member{"ben", "Ben", parley::store::Role::member, 10, 0, 0}};
  synced.entries = {entry(20, 10, EntryKind::system), entry(21, 11, EntryKind::edit, 3),
                    entry(22, 12, EntryKind::reaction, 20), entry(23, 13, EntryKind::edit, 3),
                    entry(24, 14, EntryKind::deletion, 99)};
  EXPECT_EQ(rules::changed_targets(synced), (std::vector<std::int64_t>{3, 20, 99}));
  rules::take_changed(request, synced, {entry(3, 2), entry(20, 10, EntryKind::system)});  // 99: gone
  std::vector<std::int64_t> seqs;
  for (const auto& e : synced.entries) seqs.push_back(e.seq);
  EXPECT_EQ(seqs, (std::vector<std::int64_t>{10, 12}));
  EXPECT_EQ(synced.changed.size(), 1u);
  EXPECT_TRUE(synced.changed.contains(20));
}

TEST(SyncRules, PagesAndGone) {
  parley::store::SyncRequest request;
  request.max_conversations = 2;
  request.max_entries = 10;
  request.known = {{3, 1}, {9, 0}, {4, 2}};
  EXPECT_EQ(rules::gone(request, {1, 3, 5}), (std::vector<std::int64_t>{4, 9}));
  EXPECT_EQ(rules::known_seq(request, 4), 2);
  EXPECT_EQ(rules::known_seq(request, 5), 0);
  parley::store::SyncPage page;
  EXPECT_FALSE(rules::page_full(request, page, 50)) << "a page holds at least one conversation";
  page.conversations.emplace_back();
  EXPECT_FALSE(rules::page_full(request, page, 9));
  EXPECT_TRUE(rules::page_full(request, page, 10));
  page.conversations.emplace_back();
  EXPECT_TRUE(rules::page_full(request, page, 0));
}
