// Which address is the client's: the peer's, or what a trusted proxy's X-Forwarded-For says.
#include <gtest/gtest.h>

#include "sio/transport/trusted_proxies.hpp"

using sio::transport::TrustedProxies;

namespace {
TrustedProxies parse(std::vector<std::string> entries) {
  std::string error;
  auto proxies = TrustedProxies::parse(entries, error);
  EXPECT_TRUE(proxies) << error;
  return proxies ? *proxies : TrustedProxies();
}
}  // namespace

TEST(TrustedProxies, AcceptsAddressesAndBlocksOfBothFamilies) {
  auto proxies = parse({"127.0.0.1", "10.0.0.0/8", " fd00::/8 ", "::1"});
  EXPECT_TRUE(proxies.trusted("127.0.0.1"));
  EXPECT_FALSE(proxies.trusted("127.0.0.2"));
  EXPECT_TRUE(proxies.trusted("10.200.3.4"));
  EXPECT_FALSE(proxies.trusted("11.0.0.1"));
  EXPECT_TRUE(proxies.trusted("fd12::5"));
  EXPECT_TRUE(proxies.trusted("::1"));
  EXPECT_TRUE(proxies.trusted("::ffff:10.1.1.1"));  // IPv4-mapped is IPv4
  EXPECT_FALSE(proxies.trusted("not an address"));
}

TEST(TrustedProxies, RefusesWhatIsNotAnAddress) {
  for (std::string bad : {"10.0.0.0/33", "::1/129", "10.0.0/8", "localhost", "10.0.0.0/", "10.0.0.0/x"}) {
    std::string error;
    EXPECT_FALSE(TrustedProxies::parse({bad}, error)) << bad;
    EXPECT_NE(error.find(bad), std::string::npos) << error;
  }
}

TEST(TrustedProxies, BelievesForwardedForOnlyFromATrustedPeer) {
  auto proxies = parse({"10.0.0.0/8"});
  EXPECT_EQ(proxies.client_address("10.0.0.5", "203.0.113.7"), "203.0.113.7");
  EXPECT_EQ(proxies.client_address("198.51.100.1", "203.0.113.7"), "198.51.100.1");
  EXPECT_EQ(proxies.client_address("10.0.0.5", ""), "10.0.0.5");
}

TEST(TrustedProxies, TakesTheRightmostEntryThatIsNotAProxy) {
  auto proxies = parse({"10.0.0.0/8"});
  // The client wrote "6.6.6.6" itself; the proxy chain 10.0.0.9 -> 10.0.0.5 added the rest.
  EXPECT_EQ(proxies.client_address("10.0.0.5", "6.6.6.6, 203.0.113.7, 10.0.0.9"), "203.0.113.7");
  EXPECT_EQ(proxies.client_address("10.0.0.5", "garbage, 203.0.113.7"), "203.0.113.7");
  EXPECT_EQ(proxies.client_address("10.0.0.5", "203.0.113.7,garbage"), "10.0.0.5");
}

TEST(TrustedProxies, NoneConfiguredMeansThePeer) {
  TrustedProxies none;
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none.client_address("127.0.0.1", "203.0.113.7"), "127.0.0.1");
}
