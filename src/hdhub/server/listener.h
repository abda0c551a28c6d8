// The listening side shared by the servers of `hdhub serve`: binding an
// address and telling whether a peer's address is allowed.
//
// Functions; thread-safety that of the io_context given.
#pragma once

#include <boost/asio.hpp>
#include <memory>
#include <vector>

#include "hdhub/common/status.h"
#include "hdhub/server/config.h"

namespace hdhub::server {

// An acceptor on `io` bound to `listen` (port 0: a free port), listening.
// Unavailable naming the address when it cannot be bound.
StatusOr<std::unique_ptr<boost::asio::ip::tcp::acceptor>> Listen(boost::asio::io_context& io,
                                                                 const ListenAddress& listen);
// Whether `peer` is in one of `networks`.
bool Allowed(const std::vector<Network>& networks, const boost::asio::ip::address& peer);

}  // namespace hdhub::server
