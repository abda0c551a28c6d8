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
//   - Several passwords per account: an hdhub account holds several API
//     tokens, and the server-first message must carry a salt before the
//     server knows which token the client holds. So every token of an
//     account has its keys under the account's one salt (ScramCredentials),
//     and the client-final message's proof is checked against each key in
//     turn, the same work for each (no early exit); matched() names the key
//     that held.
//   - For an unknown account (or one that may not log in) the caller passes
//     mock credentials (ScramCredentials::Mock()): the exchange runs the
//     same way and fails at the proof, so neither its messages nor its
//     timing tell that the account does not exist.
//
// Errors: InvalidArgument for a malformed message (SQLSTATE 08P01),
// Unauthenticated for a refused exchange (28P01 / 28000), both without any
// part of what the client sent.
//
// ScramServer: one exchange, single-threaded; ScramVerifier and
// ScramCredentials are value types.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/common/bytes.h"
#include "hdhub/common/secret_bytes.h"
#include "hdhub/common/status.h"
#include "hdhub/crypto/hash.h"
#include "hdhub/crypto/scram_keys.h"

namespace hdhub::pgwire {

inline constexpr int kScramIterations = crypto::kScramIterations;
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

// StoredKey and ServerKey of one password (crypto/scram_keys.h).
using ScramKeys = crypto::ScramKeys;

// What the server checks an account's proofs against: one salt and
// iteration count (sent in the server-first message), and the keys of every
// password the account may use now, each derived under that salt.
struct ScramCredentials {
  int iterations = kScramIterations;
  Bytes salt;
  std::vector<ScramKeys> keys;

  // For an account that does not exist or may not log in: the salt of
  // ScramVerifier::Mock (the same at every attempt for the same name) and
  // one key that no proof matches, so the exchange costs what an account
  // with one token costs.
  static ScramCredentials Mock(const crypto::HmacSha256& mock_key, std::string_view name);
  // One password's verifier.
  static ScramCredentials Of(const ScramVerifier& verifier);
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
  // ClientFirst fails (Internal) when `credentials.salt` is empty (Mock()'s never is).
  ScramServer(ScramCredentials credentials, ScramOptions options);
  // One password: ScramCredentials::Of(verifier).
  ScramServer(const ScramVerifier& verifier, ScramOptions options);

  // The mechanisms to offer, in order of preference.
  std::vector<std::string> Mechanisms() const;

  // SASLInitialResponse: the chosen mechanism and the client-first-message.
  // Returns the server-first-message.
  StatusOr<std::string> ClientFirst(std::string_view mechanism, std::string_view message);
  // SASLResponse: the client-final-message. Returns the server-final-message
  // ("v=<ServerSignature>" of the key that matched) once the proof holds for
  // one of the keys; Unauthenticated otherwise, with one message whichever
  // key was tried.
  StatusOr<std::string> ClientFinal(std::string_view message);

  bool authenticated() const { return state_ == State::kDone; }
  // Once authenticated: the index in `credentials.keys` of the key the proof
  // matched (which token the client holds); nullopt before or after a failure.
  std::optional<size_t> matched() const { return matched_; }

 private:
  enum class State { kStart, kFirstDone, kDone, kFailed };
  Status Fail(Status status);
  // The index of the key `proof` (ClientKey XOR ClientSignature) holds for.
  std::optional<size_t> MatchProof(std::string_view auth_message, ByteSpan proof) const;

  ScramCredentials credentials_;
  ScramOptions options_;
  std::optional<size_t> matched_;
  State state_ = State::kStart;
  bool plus_ = false;
  std::string gs2_header_;         // "n,," / "y,," / "p=tls-server-end-point,,"
  std::string client_first_bare_;  // "n=…,r=…"
  std::string server_first_;
  std::string nonce_;  // client nonce + server nonce
};

}  // namespace hdhub::pgwire
