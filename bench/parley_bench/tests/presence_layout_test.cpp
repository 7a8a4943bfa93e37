// The presence mode's layout: overlapping groups, every user's contacts, who a storm drops.
#include "presence_layout.hpp"

#include <gtest/gtest.h>

#include <numeric>
#include <set>

namespace parley_bench {
namespace {

// Every user in exactly `rounds` groups, and every group of `members` distinct users.
void expect_a_partition_per_round(const OverlapLayout& layout) {
  auto rosters = rosters_of(layout);
  ASSERT_EQ(rosters.groups(), layout.rounds * layout.users / layout.members);
  ASSERT_EQ(rosters.members, layout.members);
  std::vector<uint32_t> groups_of_user(layout.users, 0);
  for (uint32_t group = 0; group < rosters.groups(); ++group) {
    auto members = rosters.of(group);
    ASSERT_EQ(members.size(), layout.members);
    std::set<uint32_t> distinct(members.begin(), members.end());
    EXPECT_EQ(distinct.size(), layout.members) << "group " << group;
    EXPECT_EQ(rosters.creator(group), members[0]);
    for (uint32_t user : members) {
      ASSERT_LT(user, layout.users);
      ++groups_of_user[user];
    }
  }
  for (uint32_t user = 0; user < layout.users; ++user) EXPECT_EQ(groups_of_user[user], layout.rounds) << user;
  // Each round alone is a partition.
  uint32_t per_round = layout.groups_per_round();
  for (uint32_t round = 0; round < layout.rounds; ++round) {
    std::set<uint32_t> seen;
    for (uint32_t g = round * per_round; g < (round + 1) * per_round; ++g) {
      for (uint32_t user : rosters.of(g)) seen.insert(user);
    }
    EXPECT_EQ(seen.size(), layout.users) << "round " << round;
  }
}

TEST(OverlapLayout, TheMeasuredSizeGivesEveryUserDistinctContacts) {
  auto layout = plan_overlapping_groups(10'000, 20, 10);
  EXPECT_EQ(layout.groups(), 20'000u);
  ASSERT_EQ(layout.strides.size(), 20u);
  for (uint32_t stride : layout.strides) EXPECT_EQ(std::gcd(stride, 10'000u), 1u);
  expect_a_partition_per_round(layout);
  ContactBook book(rosters_of(layout), 10'000);
  auto stats = contact_stats(book);
  EXPECT_EQ(stats.min, 20u * 9u);  // C x (M - 1): no two users meet twice
  EXPECT_EQ(stats.max, 20u * 9u);
  EXPECT_DOUBLE_EQ(stats.mean, 180);
}

TEST(OverlapLayout, TheSmokeSize) {
  auto layout = plan_overlapping_groups(200, 4, 10);
  expect_a_partition_per_round(layout);
  auto stats = contact_stats(ContactBook(rosters_of(layout), 200));
  EXPECT_EQ(stats.min, 36u);
  EXPECT_EQ(stats.max, 36u);
}

TEST(OverlapLayout, TooFewUsersForDistinctContactsStillPartitions) {
  // 20 users, groups of 5, 6 rounds: 24 contacts wanted, 19 others exist.
  auto layout = plan_overlapping_groups(20, 6, 5);
  expect_a_partition_per_round(layout);
  ContactBook book(rosters_of(layout), 20);
  auto stats = contact_stats(book);
  EXPECT_GE(stats.min, 4u);
  EXPECT_LE(stats.max, 19u);
  // One group holding everyone, in every round.
  auto whole = plan_overlapping_groups(10, 3, 10);
  expect_a_partition_per_round(whole);
  EXPECT_EQ(contact_stats(ContactBook(rosters_of(whole), 10)).max, 9u);
}

TEST(ContactBook, ListsEachContactOnceInBothDirections) {
  GroupRosters rosters;
  rosters.members = 3;
  rosters.flat = {0, 1, 2, 2, 3, 0, 4, 1, 0};  // groups {0,1,2}, {2,3,0}, {4,1,0}
  ContactBook book(rosters, 6);
  EXPECT_EQ(std::vector<uint32_t>(book.of(0).begin(), book.of(0).end()), (std::vector<uint32_t>{1, 2, 3, 4}));
  EXPECT_EQ(std::vector<uint32_t>(book.of(3).begin(), book.of(3).end()), (std::vector<uint32_t>{0, 2}));
  EXPECT_TRUE(book.of(5).empty());
  EXPECT_EQ(book.pairs(), 4u + 3u + 3u + 2u + 2u);
  ASSERT_TRUE(book.pair(3, 2));
  EXPECT_FALSE(book.pair(3, 4));
  EXPECT_FALSE(book.pair(5, 0));
  EXPECT_FALSE(book.pair(9, 0));
  // Pair indexes are distinct.
  std::set<std::size_t> indexes;
  for (uint32_t u = 0; u < 6; ++u) {
    for (uint32_t c : book.of(u)) indexes.insert(*book.pair(u, c));
  }
  EXPECT_EQ(indexes.size(), book.pairs());
  EXPECT_LT(*indexes.rbegin(), book.pairs());
}

TEST(StormedUsers, SpreadsTheShareEvenly) {
  EXPECT_EQ(stormed_users(5, 1).size(), 5u);
  EXPECT_EQ(stormed_users(10, 0.5), (std::vector<uint32_t>{1, 3, 5, 7, 9}));
  EXPECT_EQ(stormed_users(200, 0.25).size(), 50u);
  EXPECT_EQ(stormed_users(3, 0.1).size(), 0u);  // options refuse nothing here; the mode reports 0 dropped
}

}  // namespace
}  // namespace parley_bench
