// HttpServer: the HTTP JSON API of `hdhub serve` (http_api.h) over
// HTTP/1.1 and TLS (Boost.Beast, C++20 coroutines), beside the PG server.
//
// It listens on config.http_listen and, per connection, on its I/O thread:
//   - refuses a client outside allowed_networks and any connection beyond
//     max_connections (closed before the handshake);
//   - TLS as the PG server (tls.h: 1.2 or newer, the same certificate);
//   - reads each request within http_header_timeout (header and body),
//     bodies up to http_max_body_bytes (413 problem+json beyond), keep-alive
//     connections idle at most http_idle_timeout; an upload route's body
//     (IsUploadRoute) is spooled to a file of the hub's scratch area instead,
//     up to http_max_upload_bytes, with http_header_timeout between two
//     reads, and the file removed when the request ends;
//   - hands the request to HttpApi on the worker pool (a handler calls the
//     Service, which may take a while: never on the I/O thread), then writes
//     the answer with its X-Request-Id; a streamed answer (query results) is
//     written with chunked transfer encoding as the worker produces it, the
//     worker waiting for each chunk to be written (bounded memory).
//   - with [serve] portal_dir, answers every path outside /api/ with the
//     portal's files instead (static_files.h), after the per-address rate.
// Stop(): stop accepting, close idle connections, let requests being
// handled finish and answer (then close); Run() returns when all are closed.
//
// Thread-safety: Stop() from any thread; the rest from one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "hdhub/common/status.h"
#include "hdhub/server/config.h"
#include "hdhub/server/http_api.h"
#include "hdhub/server/limits.h"
#include "hdhub/server/log.h"

namespace hdhub::server {

// The most a request's start line and header fields may take (431 beyond);
// the body's limit is ServeConfig::http_max_body_bytes. The HTTP fuzz target
// parses with the same limits.
inline constexpr uint32_t kHttpMaxHeaderBytes = 16 << 10;

class HttpServer {
 public:
  // Loads TLS and binds every address of config.http_listen (port 0: a free
  // port, see ports()). InvalidArgument for an unusable certificate or key,
  // Unavailable for an address that cannot be bound. `api` and `log` must
  // outlive the server. `limiter` (none: no per-address limit; it must
  // outlive the server) limits connections per client address, the request
  // rate per address (429 problem+json, Retry-After) and locks an address
  // out after failed bearer tokens (answered as a wrong token, 401); once a
  // token is authenticated, its account's request rate and requests in
  // progress too (AccountAdmission, http_admission.h).
  static StatusOr<std::unique_ptr<HttpServer>> Create(ServeConfig config, HttpApi& api, Logger& log,
                                                      Limiter* limiter = nullptr);
  ~HttpServer();

  std::vector<uint16_t> ports() const;

  // Serves until Stop(), returning once every connection is closed.
  void Run();
  void Stop();

 private:
  class Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace hdhub::server
