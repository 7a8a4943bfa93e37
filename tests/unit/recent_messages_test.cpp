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

}  // namespace
}  // namespace parley::store
