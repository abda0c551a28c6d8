#include "hdhub/common/network.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace hdhub {
namespace {

constexpr int kV4MappedBits = 96;

bool IsV4Mapped(const IpAddress& a) {
  for (int i = 0; i < 10; ++i) {
    if (a[i] != 0) return false;
  }
  return a[10] == 0xff && a[11] == 0xff;
}

}  // namespace

bool Network::Contains(const IpAddress& mapped) const {
  for (int bit = 0; bit < prefix_bits; ++bit) {
    const uint8_t mask = uint8_t(0x80 >> (bit % 8));
    if ((address[bit / 8] & mask) != (mapped[bit / 8] & mask)) return false;
  }
  return true;
}

std::string Network::ToString() const {
  IpAddress masked{};
  for (int bit = 0; bit < prefix_bits; ++bit) masked[bit / 8] |= address[bit / 8] & uint8_t(0x80 >> (bit % 8));
  char text[INET6_ADDRSTRLEN] = {};
  if (IsV4Mapped(address) && prefix_bits >= kV4MappedBits) {
    ::inet_ntop(AF_INET, masked.data() + 12, text, sizeof text);
    return std::string(text) + "/" + std::to_string(prefix_bits - kV4MappedBits);
  }
  ::inet_ntop(AF_INET6, masked.data(), text, sizeof text);
  return std::string(text) + "/" + std::to_string(prefix_bits);
}

StatusOr<IpAddress> ParseIpAddress(std::string_view text) {
  const std::string s(text);
  IpAddress out{};
  in_addr v4;
  if (::inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    out[10] = out[11] = 0xff;
    std::memcpy(out.data() + 12, &v4, 4);
    return out;
  }
  if (::inet_pton(AF_INET6, s.c_str(), out.data()) == 1) return out;
  return InvalidArgumentError("not an IP address: \"" + s.substr(0, 64) + "\"");
}

StatusOr<Network> ParseNetwork(std::string_view text) {
  const size_t slash = text.find('/');
  Network n;
  ASSIGN_OR_RETURN(n.address, ParseIpAddress(text.substr(0, slash)));
  const bool v4 = text.substr(0, slash).find(':') == std::string_view::npos;
  const int max_bits = v4 ? 32 : 128;
  int bits = max_bits;
  if (slash != text.npos) {
    const std::string_view b = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(b.data(), b.data() + b.size(), bits);
    if (ec != std::errc() || end != b.data() + b.size() || bits < 0 || bits > max_bits) {
      return InvalidArgumentError("bad prefix length in \"" + std::string(text.substr(0, 64)) + "\"");
    }
  }
  n.prefix_bits = bits + (v4 ? kV4MappedBits : 0);
  return n;
}

bool InNetworks(const std::vector<Network>& networks, const IpAddress& address) {
  for (const Network& n : networks) {
    if (n.Contains(address)) return true;
  }
  return false;
}

std::vector<Network> LoopbackNetworks() { return {*ParseNetwork("127.0.0.0/8"), *ParseNetwork("::1/128")}; }

}  // namespace hdhub
