// The memory of delivered messages (chat/delivery_memory.hpp): a retried send is delivered
// unless this process delivered that message, within the last `capacity` delivered.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "chat/delivery_memory.hpp"

using namespace parley::chat;

TEST(ChatDeliveryMemory, EachMessageIsDeliveredOnce) {
  DeliveryMemory memory(10);
  EXPECT_TRUE(memory.first_delivery(1));
  EXPECT_FALSE(memory.first_delivery(1));
  EXPECT_TRUE(memory.first_delivery(2));
  EXPECT_FALSE(memory.first_delivery(2));
  EXPECT_EQ(memory.size(), 2u);
}

TEST(ChatDeliveryMemory, ForgetsTheOldestBeyondItsCapacity) {
  DeliveryMemory memory(3);
  for (std::int64_t id = 1; id <= 3; ++id) EXPECT_TRUE(memory.first_delivery(id));
  EXPECT_TRUE(memory.first_delivery(4));   // 1 is forgotten
  EXPECT_EQ(memory.size(), 3u);
  EXPECT_FALSE(memory.first_delivery(2));  // still known
  EXPECT_TRUE(memory.first_delivery(1));   // forgotten: delivered again (at least once, never zero)
  EXPECT_FALSE(memory.first_delivery(4));
  EXPECT_EQ(memory.size(), 3u);
}

TEST(ChatDeliveryMemory, OneWinnerPerIdAcrossThreads) {
  DeliveryMemory memory(100'000);
  std::atomic<int> winners = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (std::int64_t id = 0; id < 10'000; ++id) winners += memory.first_delivery(id);
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(winners.load(), 10'000);
}
