// The server side of TLS for `hdhub serve`, on OpenSSL 3: the context's
// settings (TLS 1.2 or newer only, certificate chain and key from files) and
// the certificate hash SCRAM binds the channel to.
//
// Functions; a configured SSL_CTX is then shared read-only by connections.
#pragma once

#include <openssl/ssl.h>

#include "hdhub/common/bytes.h"
#include "hdhub/common/status.h"
#include "hdhub/server/config.h"

namespace hdhub::server {

// Loads `config`'s certificate chain and key into `ctx` and sets the minimum
// protocol version (1.2 or 1.3), no compression, no renegotiation.
// InvalidArgument naming the file that cannot be read or that does not match.
Status ConfigureTls(SSL_CTX* ctx, const TlsConfig& config);

// RFC 5929 tls-server-end-point: the hash of the DER certificate under its
// signature's hash algorithm, SHA-256 for MD5 and SHA-1. What libpq computes
// for SCRAM-SHA-256-PLUS. InvalidArgument for a certificate without one.
StatusOr<Bytes> TlsServerEndPoint(X509* certificate);

}  // namespace hdhub::server
