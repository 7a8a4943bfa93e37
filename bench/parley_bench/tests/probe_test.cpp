#include "probe.hpp"

#include <gtest/gtest.h>

namespace parley_bench {
namespace {

TEST(Probe, RoundTripsAndPads) {
  std::string text;
  append_probe(text, Probe{3, 123456789, 987654321012345, 17, 42}, 80);
  EXPECT_EQ(text.size(), 80u);
  EXPECT_TRUE(text.starts_with("pb:3:123456789:987654321012345:17:42:x"));
  auto p = parse_probe(text);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->step, 3u);
  EXPECT_EQ(p->seq, 123456789u);
  EXPECT_EQ(p->sent_ns, 987654321012345);
  EXPECT_EQ(p->from, 17u);
  EXPECT_EQ(p->to, 42u);
}

TEST(Probe, NeverShorterThanItsFields) {
  std::string text;
  append_probe(text, Probe{1, 2, 3, 4, 5}, 1);
  EXPECT_EQ(text, "pb:1:2:3:4:5:");
  EXPECT_TRUE(parse_probe(text));
}

TEST(Probe, RejectsOtherContent) {
  EXPECT_FALSE(parse_probe("hello"));
  EXPECT_FALSE(parse_probe("pb:"));
  EXPECT_FALSE(parse_probe("pb:1:2:3:4:5"));
  EXPECT_FALSE(parse_probe("pb:1:2:x:4:5:"));
  EXPECT_FALSE(parse_probe("pb:-1:2:3:4:5:"));
  EXPECT_FALSE(parse_probe("pb:1:99999999999999999999999:3:4:5:"));
}

}  // namespace
}  // namespace parley_bench
