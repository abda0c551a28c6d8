#include "hdhub/server/listener.h"

namespace hdhub::server {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

StatusOr<std::unique_ptr<tcp::acceptor>> Listen(asio::io_context& io, const ListenAddress& listen) {
  boost::system::error_code ec;
  const tcp::endpoint endpoint(asio::ip::make_address(listen.host, ec), listen.port);
  auto acceptor = std::make_unique<tcp::acceptor>(io);
  if (!ec) acceptor->open(endpoint.protocol(), ec);
  if (!ec) acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return UnavailableError("cannot listen on " + listen.host + ":" + std::to_string(listen.port) + ": " +
                            ec.message());
  }
  return acceptor;
}

bool Allowed(const std::vector<Network>& networks, const asio::ip::address& peer) {
  // As IPv4-mapped IPv6 bytes, as Network keeps them.
  const auto mapped =
      peer.is_v4() ? asio::ip::make_address_v6(asio::ip::v4_mapped, peer.to_v4()).to_bytes() : peer.to_v6().to_bytes();
  return InNetworks(networks, mapped);
}

}  // namespace hdhub::server
