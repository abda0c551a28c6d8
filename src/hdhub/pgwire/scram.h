// SCRAM-SHA-256 (RFC 5802, RFC 7677) on the server side, in PostgreSQL's
// dialect (src/backend/libpq/auth-scram.c), for the PG wire protocol of
// `hdhub serve`: a client proves it knows an API token without sending it.
//
//   - The verifier is stored, never the token: PostgreSQL's text form
//     "SCRAM-SHA-256$<iterations>:<salt b64>$<StoredKey b64>:<ServerKey b64>".
//   - The SCRAM user name (n=) is ignored (libpq sends it empty): the
//     StartupMessage's user is the one authenticated.
//   - Channel binding: under TLS with the server certificate's hash
//     (tls-server-end-point, RFC 5929) the server offers SCRAM-SHA-256-PLUS
//     first; a client that says "y" (it could bind but thinks the server
//     cannot) is refused there, since that means a downgrade. "p=" is only
//     valid with -PLUS, and -PLUS only with "p=tls-server-end-point".
//   - No authorization identity (a=), no extension (m=).
//   - For an unknown account the caller passes a mock verifier (Mock()):
//     the exchange runs the same way and fails at the proof, so neither its
//     messages nor its timing tell that the account does not exist.
//
// Errors: InvalidArgument for a malformed message (SQLSTATE 08P01),
// Unauthenticated for a refused exchange (28P01 / 28000), both without any
// part of what the client sent.
//
// ScramServer: one exchange, single-threaded; ScramVerifier is a value type.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/common/bytes.h"
#include "hdhub/common/secret_bytes.h"
#include "hdhub/common/status.h"
#include "hdhub/crypto/hash.h"

namespace hdhub::pgwire {

inline constexpr int kScramIterations = 4096;
inline constexpr char kScramSha256[] = "SCRAM-SHA-256";
inline constexpr char kScramSha256Plus[] = "SCRAM-SHA-256-PLUS";

struct ScramVerifier {
  int iterations = kScramIterations;
  Bytes salt;
  crypto::Digest stored_key{};
  crypto::Digest server_key{};

  // From a secret (an API token's text) with a random 16-byte salt.
  static StatusOr<ScramVerifier> Create(const SecretBytes& secret, int iterations = kScramIterations);
  // The same with a given salt (test vectors).
  static StatusOr<ScramVerifier> Derive(const SecretBytes& secret, ByteSpan salt, int iterations);
  // For an account that does not exist: a salt that is the same at every
  // attempt for the same name (HMAC of `name` under `mock_key`, as
  // PostgreSQL's mock salt) and keys that no proof matches.
  static ScramVerifier Mock(const crypto::HmacSha256& mock_key, std::string_view name);

  // PostgreSQL's text form; Parse refuses anything else (InvalidArgument).
  std::string ToString() const;
  static StatusOr<ScramVerifier> Parse(std::string_view text);
};

struct ScramOptions {
  // SHA-256 (or the certificate's own stronger hash) of the server
  // certificate, under TLS: enables SCRAM-SHA-256-PLUS. Empty: no binding.
  Bytes tls_server_end_point;
  // Tests only: the server's nonce part (empty: 18 random bytes, base64).
  std::string server_nonce;
};

class ScramServer {
 public:
  ScramServer(ScramVerifier verifier, ScramOptions options);

  // The mechanisms to offer, in order of preference.
  std::vector<std::string> Mechanisms() const;

  // SASLInitialResponse: the chosen mechanism and the client-first-message.
  // Returns the server-first-message.
  StatusOr<std::string> ClientFirst(std::string_view mechanism, std::string_view message);
  // SASLResponse: the client-final-message. Returns the server-final-message
  // ("v=<ServerSignature>") once the proof holds; Unauthenticated otherwise.
  StatusOr<std::string> ClientFinal(std::string_view message);

  bool authenticated() const { return state_ == State::kDone; }

 private:
  enum class State { kStart, kFirstDone, kDone, kFailed };
  Status Fail(Status status);

  ScramVerifier verifier_;
  ScramOptions options_;
  State state_ = State::kStart;
  bool plus_ = false;
  std::string gs2_header_;         // "n,," / "y,," / "p=tls-server-end-point,,"
  std::string client_first_bare_;  // "n=…,r=…"
  std::string server_first_;
  std::string nonce_;  // client nonce + server nonce
};

}  // namespace hdhub::pgwire
