// SigV4 canonicalisation that Debian 12's libcurl (7.88) leaves to its caller.
// CURLOPT_AWS_SIGV4 signs the query string as given: it neither sorts the
// parameters, nor writes a valueless one as "name=", nor percent-encodes the
// values, and S3 hosts (radosgw, Swift s3api) then answer 403
// SignatureDoesNotMatch. hdhub therefore builds every URL's path and query in
// canonical form here, so that what curl signs is what the host recomputes.
// (docs: /work/shared/research/infra.md section 1.)
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hdhub::s3 {

// Percent-encodes every byte but the RFC 3986 unreserved characters
// (A-Z a-z 0-9 - . _ ~), as SigV4 requires, with upper-case hex digits;
// '/' is kept when `keep_slash` (an object key in a path).
std::string UriEncode(std::string_view text, bool keep_slash);

// Decodes %XX escapes (and nothing else: '+' stays '+'); false on a malformed
// escape.
bool UriDecode(std::string_view text, std::string& out);

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// The canonical query string: each name and value encoded with UriEncode,
// pairs sorted by encoded name then encoded value, a valueless parameter
// written "name=" (so "uploads" becomes "uploads="), joined by '&'.
std::string CanonicalQuery(QueryParams params);

}  // namespace hdhub::s3
