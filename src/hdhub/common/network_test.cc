#include "hdhub/common/network.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hdhub/common/status_matchers.h"

namespace hdhub {
namespace {

using ::hdhub::testing::StatusIs;

TEST(NetworkTest, ContainsAddressesOfItsPrefixOnly) {
  ASSERT_OK_AND_ASSIGN(Network n, ParseNetwork("10.1.0.0/16"));
  EXPECT_TRUE(n.Contains(*ParseIpAddress("10.1.200.3")));
  EXPECT_FALSE(n.Contains(*ParseIpAddress("10.2.0.1")));
  EXPECT_FALSE(n.Contains(*ParseIpAddress("::1")));
  ASSERT_OK_AND_ASSIGN(Network host, ParseNetwork("127.0.0.2"));
  EXPECT_TRUE(host.Contains(*ParseIpAddress("127.0.0.2")));
  EXPECT_FALSE(host.Contains(*ParseIpAddress("127.0.0.1")));
}

TEST(NetworkTest, LoopbackIsTheV4LoopbackNetworkAndV6Loopback) {
  const std::vector<Network> loopback = LoopbackNetworks();
  EXPECT_TRUE(InNetworks(loopback, *ParseIpAddress("127.0.0.2")));
  EXPECT_TRUE(InNetworks(loopback, *ParseIpAddress("::1")));
  EXPECT_FALSE(InNetworks(loopback, *ParseIpAddress("10.0.0.1")));
  EXPECT_FALSE(InNetworks({}, *ParseIpAddress("127.0.0.1")));
}

TEST(NetworkTest, ToStringIsCanonicalWithHostBitsCleared) {
  EXPECT_EQ(ParseNetwork("10.1.2.3/16")->ToString(), "10.1.0.0/16");
  EXPECT_EQ(ParseNetwork("127.0.0.1")->ToString(), "127.0.0.1/32");
  EXPECT_EQ(ParseNetwork("::1")->ToString(), "::1/128");
  EXPECT_EQ(ParseNetwork("2001:DB8::/32")->ToString(), "2001:db8::/32");
}

TEST(NetworkTest, RefusesMalformedText) {
  for (const char* bad :
       {"", "10.0.0.0/33", "::1/129", "10.0.0.0/", "10.0.0.0/-1", "10.0.0/8", "host/8", "1.2.3.4/8x"}) {
    EXPECT_THAT(ParseNetwork(bad).status(), StatusIs(StatusCode::kInvalidArgument)) << bad;
  }
  EXPECT_THAT(ParseIpAddress("1.2.3.4/8").status(), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace hdhub
