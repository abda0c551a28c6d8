// PgServer: the PostgreSQL wire protocol server of `hdhub serve`.
//
// It listens on the configured addresses and, per connection, on one I/O
// thread (Boost.Asio, C++20 coroutines):
//   - refuses a client outside allowed_networks (FATAL 28000) and any
//     connection beyond max_connections (FATAL 53300), before reading;
//   - reads the first packet unbuffered (exactly its length): SSLRequest is
//     answered 'S' and the TLS handshake follows (1.2 or newer) — refused
//     when any byte arrived after the request, since those bytes would be
//     taken as sent over TLS (CVE-2021-23214); GSSENCRequest is answered
//     'N'; a CancelRequest (plaintext, as libpq sends it) cancels the
//     statement of the session with that key; a StartupMessage without TLS
//     is refused FATAL 28000 "TLS required";
//   - over TLS: NegotiateProtocolVersion for a minor version above 3.0 or
//     _pq_ options, SCRAM-SHA-256(-PLUS, bound to the certificate), and the
//     backend's Open, every refusal answered alike (28P01);
//   - then the session's messages, each handled by a pgwire::ProtocolSession
//     on the worker pool (DuckDB work never blocks the I/O thread).
// Deadlines: auth_timeout for everything before ReadyForQuery,
// idle_timeout between messages (FATAL 57P05).
//
// Stop(): stop accepting, close connections that are not authenticated,
// end idle sessions FATAL 57P01, let running statements finish for
// shutdown_grace (a statement done in time: its answer, then 57P01), then
// cancel them (their clients get FATAL 57P01); Run() returns once every
// connection is closed.
//
// Thread-safety: Stop() may be called from any thread (or a signal, with
// Run(true)); the rest from one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "hdhub/common/status.h"
#include "hdhub/server/config.h"
#include "hdhub/server/limits.h"
#include "hdhub/server/log.h"
#include "hdhub/server/pg_backend.h"

namespace hdhub::server {

class PgServer {
 public:
  // Loads TLS and binds every listen address (port 0: a free port, see
  // ports()). InvalidArgument for an unusable certificate or key,
  // Unavailable for an address that cannot be bound. `backend` and `log`
  // must outlive the server. `limiter` (none: no per-account or per-address
  // limit; it must outlive the server) limits connections per address (FATAL
  // 53300) and per account (53300 once authenticated), locks out after
  // failed logins (answered as any failed login, 28P01) and limits the
  // statements' rate (ERROR 53400, the session goes on).
  static StatusOr<std::unique_ptr<PgServer>> Create(ServeConfig config, PgBackend& backend, Logger& log,
                                                    Limiter* limiter = nullptr);
  ~PgServer();

  // The ports bound, in the order of config.listen.
  std::vector<uint16_t> ports() const;

  // Serves until Stop() (or, with `stop_on_signals`, SIGTERM or SIGINT),
  // returning once every connection is closed.
  void Run(bool stop_on_signals = false);
  void Stop();

 private:
  class Impl;
  explicit PgServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace hdhub::server
