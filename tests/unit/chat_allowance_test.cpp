// Per-user and per-address rate limits (chat/allowance.hpp): one allowance per key shared by
// its sockets, separate buckets per action, refunds, and a table that forgets what refilled.
#include <gtest/gtest.h>

#include "chat/allowance.hpp"

using namespace parley::chat;
using namespace std::chrono_literals;
using sio::util::RateClock;

namespace {
const ActionLimits limits{.send = {1, 3}, .history = {10, 2}, .typing = {}};
}

TEST(ChatAllowance, EachActionHasItsBucket) {
  auto t = RateClock::now();
  Allowance allowance(limits, t);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(allowance.take(Action::send, t)) << i;
  auto refused = allowance.take(Action::send, t);
  EXPECT_FALSE(refused);
  EXPECT_EQ(refused.retry_after, 1000ms);
  EXPECT_TRUE(allowance.take(Action::history, t));  // its own bucket
  EXPECT_TRUE(allowance.take(Action::history, t));
  EXPECT_FALSE(allowance.take(Action::history, t));
  EXPECT_EQ(allowance.take(Action::history, t).retry_after, 100ms);
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(allowance.take(Action::typing, t));  // no limit
  EXPECT_TRUE(allowance.take(Action::send, t + 1000ms));  // refilled by one
  EXPECT_FALSE(allowance.take(Action::send, t + 1000ms));
}

TEST(ChatAllowance, GiveBackUndoesATake) {
  auto t = RateClock::now();
  Allowance allowance(limits, t);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(allowance.take(Action::send, t));
  allowance.give_back(Action::send, t);
  EXPECT_TRUE(allowance.take(Action::send, t));
  EXPECT_FALSE(allowance.take(Action::send, t));
  EXPECT_FALSE(allowance.refilled(t));
  EXPECT_TRUE(allowance.refilled(t + 3s));
}

TEST(ChatAllowance, OneKeyOneAllowanceSharedByItsSockets) {
  AllowanceTable table(limits);
  auto first = table.find("user-1");
  auto second = table.find("user-1");
  auto other = table.find("user-2");
  EXPECT_EQ(first, second);
  EXPECT_NE(first, other);
  auto t = RateClock::now();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(first->take(Action::send, t));
  EXPECT_FALSE(second->take(Action::send, t));
  EXPECT_TRUE(other->take(Action::send, t));
}

TEST(ChatAllowance, AnAllowanceOutlivesItsSocketsUntilRefilledThenIsForgotten) {
  AllowanceTable table({.send = {0.001, 1}});  // refills in 1000 s: held for the whole test
  {
    auto spent = table.find("spent");
    ASSERT_TRUE(spent->take(Action::send, RateClock::now()));
  }
  // Many keys come and go (each full, nobody holding it): sweeps keep the table small.
  for (int i = 0; i < 10'000; ++i) table.find("passer-by " + std::to_string(i));
  EXPECT_LT(table.size(), 2100u);
  // The spent one was kept: reconnecting buys no new burst.
  EXPECT_FALSE(table.find("spent")->take(Action::send, RateClock::now()));
  // Held ones are kept whatever their state.
  std::vector<std::shared_ptr<Allowance>> held;
  for (int i = 0; i < 3000; ++i) held.push_back(table.find("held " + std::to_string(i)));
  for (int i = 0; i < 3000; ++i) table.find("more " + std::to_string(i));
  EXPECT_EQ(table.find("held 0"), held[0]);
  EXPECT_GE(table.size(), 3000u);
}

TEST(ChatAllowance, LoopbackAddresses) {
  EXPECT_TRUE(is_loopback_address("127.0.0.1"));
  EXPECT_TRUE(is_loopback_address("127.8.9.10"));
  EXPECT_TRUE(is_loopback_address("::1"));
  EXPECT_TRUE(is_loopback_address("::ffff:127.0.0.1"));
  EXPECT_FALSE(is_loopback_address("128.0.0.1"));
  EXPECT_FALSE(is_loopback_address("203.0.113.7"));
  EXPECT_FALSE(is_loopback_address("::2"));
  EXPECT_FALSE(is_loopback_address(""));
}
