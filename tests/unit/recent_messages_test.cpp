#include "store/recent_messages.hpp"

#include <gtest/gtest.h>

namespace parley::store {
namespace {

using Ids = std::vector<std::int64_t>;

TEST(RecentMessages, AnswersNewestFirstWithinTheSnapshot) {
  RecentMessages recent;
  recent.reset(10, 10);
  recent.publish({{1, 11}, {2, 12}, {1, 13}, {1, 15}, {2, 16}});
  EXPECT_EQ(recent.size(), 5u);
  EXPECT_EQ(recent.published_through(), 16);
  EXPECT_EQ(recent.ids_for(1, 10, 16, INT64_MAX, 10), Ids({15, 13, 11}));
  EXPECT_EQ(recent.ids_for(1, 10, 16, 15, 10), Ids({13, 11}));  // below `before`
  EXPECT_EQ(recent.ids_for(1, 10, 16, INT64_MAX, 2), Ids({15, 13}));
  EXPECT_EQ(recent.ids_for(1, 10, 14, INT64_MAX, 10), Ids({13, 11}));  // not in a snapshot that ends at 14
  EXPECT_EQ(recent.ids_for(1, 12, 16, INT64_MAX, 10), Ids({15, 13}));  // a snapshot indexed through 12
  EXPECT_EQ(recent.ids_for(3, 10, 16, INT64_MAX, 10), Ids());
  EXPECT_EQ(recent.ids_for(1, 10, 16, INT64_MIN, 10), Ids());
}

TEST(RecentMessages, RefusesSnapshotsItCannotAnswerFor) {
  RecentMessages recent;
  recent.reset(0, 0);
  recent.publish({{1, 1}, {1, 2}});
  // The database has committed id 3 but the writer has not published it yet.
  EXPECT_FALSE(recent.ids_for(1, 0, 3, INT64_MAX, 10));
  recent.publish({{1, 3}});
  EXPECT_TRUE(recent.ids_for(1, 0, 3, INT64_MAX, 10));
  // A bulk indexed through 2 and was pruned: a snapshot from before that bulk cannot be answered.
  recent.prune_through(2);
  EXPECT_FALSE(recent.ids_for(1, 0, 3, INT64_MAX, 10));
  EXPECT_EQ(recent.ids_for(1, 2, 3, INT64_MAX, 10), Ids({3}));
  EXPECT_EQ(recent.size(), 1u);
}

TEST(RecentMessages, CollectsABulkInIndexOrder) {
  RecentMessages recent;
  recent.reset(0, 0);
  recent.load({2, 1});
  recent.load({1, 2});
  recent.publish({{2, 3}, {1, 4}, {3, 5}, {1, 6}});
  auto bulk = recent.collect(1, 5);
  EXPECT_EQ(bulk, (std::vector<IndexEntry>{{1, 2}, {1, 4}, {2, 3}, {3, 5}}));
  recent.prune_through(5);
  EXPECT_EQ(recent.size(), 1u);
  EXPECT_EQ(recent.collect(0, 100), (std::vector<IndexEntry>{{1, 6}}));
}

// Seqs ascend with ids within a conversation: a range of seqs is two binary searches.
TEST(RecentMessages, AnswersASeqRangeNewestFirst) {
  RecentMessages recent;
  recent.reset(10, 10);
  recent.publish({{1, 11, 5}, {2, 12, 1}, {1, 13, 6}, {1, 15, 7}, {2, 16, 2}, {1, 17, 8}});
  auto seqs = [&](LogRange range, std::size_t limit, std::int64_t max_id = 17) {
    Ids out;
    auto entries = recent.entries_for(1, 10, max_id, range, limit);
    for (const auto& e : *entries) out.push_back(e.seq);
    return out;
  };
  EXPECT_EQ(seqs({}, 10), Ids({8, 7, 6, 5}));
  EXPECT_EQ(seqs({.before_seq = 8}, 10), Ids({7, 6, 5}));
  EXPECT_EQ(seqs({.from_seq = 6, .before_seq = 8}, 10), Ids({7, 6}));
  EXPECT_EQ(seqs({.from_seq = 6}, 2), Ids({8, 7}));
  EXPECT_EQ(seqs({.from_seq = 9}, 10), Ids());
  EXPECT_EQ(seqs({.before_id = 15}, 10), Ids({6, 5}));
  EXPECT_EQ(seqs({}, 10, 15), Ids({7, 6, 5}));  // a snapshot that ends at id 15
  auto second = recent.entries_for(2, 10, 17, {.from_seq = 2}, 10);
  ASSERT_TRUE(second);
  EXPECT_EQ(*second, (std::vector<IndexEntry>{{2, 16, 2}}));
  recent.prune_through(13);
  EXPECT_FALSE(recent.entries_for(1, 10, 17, {}, 10));  // pruned past that snapshot's index
  EXPECT_EQ(recent.collect(13, 17), (std::vector<IndexEntry>{{1, 15, 7}, {1, 17, 8}, {2, 16, 2}}));
}

}  // namespace
}  // namespace parley::store
