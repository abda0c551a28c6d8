// The OpenID Connect client's HTTP: a GET (discovery, JWKS) and a form POST
// with HTTP Basic client authentication (the token endpoint), on libcurl.
//
// Why not cli/remote.h or s3/s3_client.h: the server may use neither (layering,
// src/hdhub/README.md), and each is bound to its peer (hdhub serve's API and
// problem+json; one S3 bucket with SigV4).
//
// Transport rules:
//   - https:// with the certificate verified (chain and host name; CA file
//     when given, else the system's), TLS 1.2 at least. http:// only when the
//     caller allows loopback tests AND the host is 127.0.0.1, [::1],
//     localhost or a *.localhost name (libcurl >= 7.85 resolves those to
//     loopback itself, never through DNS). Anything else is refused before
//     a byte is sent.
//   - No redirect is followed; 10 s to connect, 30 s per request; an answer
//     above 1 MiB is refused.
//   - The POST body (code, PKCE verifier) is SecretBytes, which libcurl reads
//     in place; the client secret is SecretBytes too, handed to libcurl for
//     Basic authentication (libcurl keeps its own copy while the request
//     lives, as the S3 client's). Neither is ever part of a message.
//
// Thread-safety: the functions may be called from several threads at once.
#pragma once

#include <string>
#include <string_view>

#include "hdhub/common/secret_bytes.h"
#include "hdhub/common/status.h"

namespace hdhub::server {

struct OidcTransport {
  bool allow_loopback_http = false;  // tests against a provider on 127.0.0.1 only
  std::string ca_file;               // "" for the system's CAs
};

struct OidcHttpAnswer {
  long status = 0;
  std::string content_type;
  std::string body;
};

// OK when `url` may be fetched under `transport`'s rules; InvalidArgument
// otherwise (the message names the rule, not the URL's query).
Status CheckOidcUrl(std::string_view url, const OidcTransport& transport);

// GET `url`. Unavailable when the peer cannot be reached or TLS fails,
// DeadlineExceeded on timeout, ResourceExhausted for a too large answer.
StatusOr<OidcHttpAnswer> OidcGet(const std::string& url, const OidcTransport& transport);

// POST `form` (application/x-www-form-urlencoded) to `url`, authenticated as
// `user`:`password` by HTTP Basic (RFC 6749 §2.3.1: both form-encoded first).
StatusOr<OidcHttpAnswer> OidcPostForm(const std::string& url, const SecretBytes& form, std::string_view user,
                                      const SecretBytes& password, const OidcTransport& transport);

// `text` encoded for application/x-www-form-urlencoded (unreserved characters
// kept, every other byte %XX).
std::string FormEncode(std::string_view text);

}  // namespace hdhub::server
