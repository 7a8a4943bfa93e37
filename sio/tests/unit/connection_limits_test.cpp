// Per-address connection counting (transport/connection_limits.hpp): the cap, places given back
// when slots go, and the addresses that are not counted.
#include "transport/connection_limits.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace {

using sio::transport::TrustedProxies;
using sio::transport::detail::ConnectionLimits;
namespace ip = boost::asio::ip;

TrustedProxies proxies(const std::vector<std::string>& entries) {
  std::string error;
  return TrustedProxies::parse(entries, error).value();
}

ip::address address(const char* text) { return ip::make_address(text); }

TEST(ConnectionLimits, RefusesPastTheCapAndTakesPlacesBack) {
  ConnectionLimits limits(2, false, {});
  auto first = limits.acquire(address("203.0.113.7"));
  auto second = limits.acquire(address("203.0.113.7"));
  ASSERT_TRUE(first && second);
  EXPECT_FALSE(limits.acquire(address("203.0.113.7")));
  EXPECT_TRUE(limits.acquire(address("203.0.113.8"))) << "another address has its own count";
  EXPECT_EQ(limits.open(address("203.0.113.7")), 2u);
  first.reset();
  EXPECT_EQ(limits.open(address("203.0.113.7")), 1u);
  EXPECT_TRUE(limits.acquire(address("203.0.113.7")));
}

TEST(ConnectionLimits, AMovedSlotGivesItsPlaceBackOnce) {
  ConnectionLimits limits(1, false, {});
  auto slot = limits.acquire(address("2001:db8::1"));
  ASSERT_TRUE(slot);
  ConnectionLimits::Slot moved = std::move(*slot);
  slot.reset();
  EXPECT_EQ(limits.open(address("2001:db8::1")), 1u);
  ConnectionLimits::Slot assigned;
  assigned = std::move(moved);
  EXPECT_EQ(limits.open(address("2001:db8::1")), 1u);
  assigned = {};
  EXPECT_EQ(limits.open(address("2001:db8::1")), 0u);
}

TEST(ConnectionLimits, Ipv4MappedAddressesCountAsTheirIpv4Address) {
  ConnectionLimits limits(1, false, {});
  auto slot = limits.acquire(address("::ffff:198.51.100.1"));
  ASSERT_TRUE(slot);
  EXPECT_FALSE(limits.acquire(address("198.51.100.1")));
}

TEST(ConnectionLimits, LoopbackIsExemptUnlessLimited) {
  ConnectionLimits exempt(1, false, {});
  std::vector<ConnectionLimits::Slot> slots;
  for (const char* local : {"127.0.0.1", "127.0.0.1", "::1", "::1", "::ffff:127.0.0.1"}) {
    auto slot = exempt.acquire(address(local));
    ASSERT_TRUE(slot) << local;
    slots.push_back(std::move(*slot));
  }
  ConnectionLimits limited(1, true, {});
  auto slot = limited.acquire(address("127.0.0.1"));
  ASSERT_TRUE(slot);
  EXPECT_FALSE(limited.acquire(address("127.0.0.1")));
}

TEST(ConnectionLimits, TrustedProxiesAreExempt) {
  ConnectionLimits limits(1, true, proxies({"10.0.0.0/8", "127.0.0.9"}));
  std::vector<ConnectionLimits::Slot> slots;
  for (int i = 0; i < 3; ++i) {
    for (const char* proxy : {"10.1.2.3", "127.0.0.9"}) {
      auto slot = limits.acquire(address(proxy));
      ASSERT_TRUE(slot) << proxy;
      slots.push_back(std::move(*slot));
    }
  }
  auto client = limits.acquire(address("11.0.0.1"));
  ASSERT_TRUE(client);
  EXPECT_FALSE(limits.acquire(address("11.0.0.1")));
}

TEST(ConnectionLimits, ZeroMeansNoCap) {
  ConnectionLimits limits(0, true, {});
  std::vector<ConnectionLimits::Slot> slots;
  for (int i = 0; i < 100; ++i) {
    auto slot = limits.acquire(address("203.0.113.7"));
    ASSERT_TRUE(slot);
    slots.push_back(std::move(*slot));
  }
  EXPECT_EQ(limits.open(address("203.0.113.7")), 0u) << "nothing is counted";
}

}  // namespace
