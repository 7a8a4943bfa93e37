#include "rate_search.hpp"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

namespace parley_bench {
namespace {

// A server that keeps up to `capacity` msgs/s; its p99 grows steeply as it nears it.
struct ModelServer {
  double capacity;
  bool passes(double rate) const { return rate <= capacity; }
  double p99_ms(double rate) const { return 100 * std::pow(rate / capacity, 6); }
};

std::vector<double> run(RateSearch& search, const ModelServer& server, int max_steps = 40) {
  std::vector<double> rates;
  while (auto rate = search.next_rate()) {
    if (static_cast<int>(rates.size()) == max_steps) break;
    rates.push_back(*rate);
    search.record(*rate, server.passes(*rate), server.p99_ms(*rate));
  }
  return rates;
}

TEST(RateSearch, DoublesFarFromTheBoundThenStepsGently) {
  RateSearch search(SearchPlan{});  // 1,000 msgs/s, x2, x1.15 from p99 > 10 ms
  ModelServer server{40'000};
  auto rates = run(search, server);
  // 16,000 has p99 0.4 ms, 32,000 has 26 ms: the ramp turns gentle after 32,000 rather than
  // jumping to 64,000.
  ASSERT_GE(rates.size(), 9u);
  EXPECT_EQ(rates[0], 1'000);
  EXPECT_EQ(rates[4], 16'000);
  EXPECT_EQ(rates[5], 32'000);
  EXPECT_EQ(rates[6], 36'800);
  EXPECT_EQ(rates[7], 42'320);  // fails: above capacity
  EXPECT_EQ(rates[8], 39'560);  // then bisects between the best pass and that failure
  for (double r : rates) EXPECT_LT(r, 64'000);
}

TEST(RateSearch, EndsWithinPrecisionBelowCapacity) {
  for (double capacity : {900.0, 7'900.0, 40'000.0, 123'456.0}) {
    SearchPlan plan;
    plan.precision = 0.02;
    RateSearch search(plan);
    ModelServer server{capacity};
    run(search, server);
    EXPECT_LE(search.best(), capacity) << capacity;
    EXPECT_GE(search.best(), capacity * (1 - plan.precision) - 1) << capacity;
    EXPECT_EQ(search.finished_because(), "bracket within --precision");
  }
}

TEST(RateSearch, FailingFirstStepBisectsDownwards) {
  RateSearch search(SearchPlan{});
  ModelServer server{300};
  auto rates = run(search, server);
  ASSERT_GE(rates.size(), 2u);
  EXPECT_EQ(rates[0], 1'000);
  EXPECT_EQ(rates[1], 500);
  EXPECT_GT(search.best(), 0);
  EXPECT_LE(search.best(), 300);
}

TEST(RateSearch, StopsAtMaxRate) {
  SearchPlan plan;
  plan.max_rate = 5'000;
  RateSearch search(plan);
  ModelServer server{1e9};
  auto rates = run(search, server);
  EXPECT_EQ(rates, (std::vector<double>{1'000, 2'000, 4'000, 5'000}));
  EXPECT_EQ(search.best(), 5'000);
  EXPECT_EQ(search.finished_because(), "reached --max-rate");
}

TEST(RateSearch, SmallRatesStillMove) {
  SearchPlan plan;
  plan.start_rate = 1;
  plan.fine_from = 0;  // gentle from the start: 1 x 1.15 rounds back to 1
  RateSearch search(plan);
  ModelServer server{5};
  auto rates = run(search, server);
  ASSERT_GE(rates.size(), 3u);
  EXPECT_EQ(rates[1], 2);
  EXPECT_EQ(rates[2], 3);
  EXPECT_EQ(search.best(), 5);
}

TEST(RateSearch, APassAboveAFailureEndsTheBisection) {
  // Noise: a rate fails, a higher one then passes. The bracket is empty; the best pass stands.
  RateSearch search(SearchPlan{});
  search.record(1'000, true, 1);
  search.record(2'000, false, 500);
  ASSERT_EQ(search.next_rate(), 1'500);
  search.record(1'500, true, 50);
  search.record(1'750, true, 60);
  search.record(1'900, false, 300);
  search.record(2'500, true, 80);  // out of order, as a caller replaying noise might record it
  EXPECT_FALSE(search.next_rate());
  EXPECT_EQ(search.best(), 2'500);
}

}  // namespace
}  // namespace parley_bench
