// IP networks and addresses: "10.0.0.0/8", "::1/128", and whether an
// address is in a list of them. Used by `hdhub serve` ([serve]
// allowed_networks) and by each project's client networks (projects/).
//
// Value types and pure functions; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/common/status.h"

namespace hdhub {

// An IPv4 or IPv6 address as IPv6 bytes; IPv4 as IPv4-mapped IPv6
// (::ffff:a.b.c.d), so that one comparison serves both.
using IpAddress = std::array<uint8_t, 16>;

// An IPv4 or IPv6 network ("10.0.0.0/8", "::1/128").
struct Network {
  IpAddress address{};
  int prefix_bits = 0;  // of the 128
  bool Contains(const IpAddress& mapped) const;
  // "a.b.c.d/n" or "v6/n", the address's host bits cleared.
  std::string ToString() const;
};

// Parses "a.b.c.d/n", "v6/n" or a bare address (a /32 or /128).
// InvalidArgument naming the text otherwise.
StatusOr<Network> ParseNetwork(std::string_view text);
// A textual IP address ("127.0.0.1", "::1"); InvalidArgument otherwise.
StatusOr<IpAddress> ParseIpAddress(std::string_view text);
// Whether `address` is in one of `networks`.
bool InNetworks(const std::vector<Network>& networks, const IpAddress& address);
// 127.0.0.0/8 and ::1/128: the default of the lists above.
std::vector<Network> LoopbackNetworks();

}  // namespace hdhub
