#include "hdhub/pgwire/scram.h"

#include <charconv>

#include "hdhub/audit/note.h"  // Base64Encode / Base64Decode
#include "hdhub/crypto/random.h"

namespace hdhub::pgwire {
namespace {

constexpr char kEndPoint[] = "tls-server-end-point";
constexpr size_t kSaltBytes = 16;
constexpr size_t kServerNonceBytes = 18;

crypto::Digest Hmac(ByteSpan key, std::string_view message) {
  // HmacSha256 refuses an empty key; SCRAM's keys are 32 bytes.
  auto mac = crypto::HmacSha256::Create(SecretBytes(key));
  return (*mac)->Compute(AsBytes(message));
}

Status Malformed() { return InvalidArgumentError("malformed SCRAM message"); }

// "<name>=<value>" at the start of `in`, up to the next ',' (consumed).
std::optional<std::string_view> Attribute(std::string_view& in, char name) {
  if (in.size() < 2 || in[0] != name || in[1] != '=') return std::nullopt;
  size_t end = in.find(',');
  std::string_view value = in.substr(2, end == in.npos ? in.npos : end - 2);
  in = end == in.npos ? std::string_view() : in.substr(end + 1);
  return value;
}

bool IsPrintableNonce(std::string_view nonce) {
  if (nonce.empty()) return false;
  for (char c : nonce) {
    if (c < 0x21 || c > 0x7e || c == ',') return false;
  }
  return true;
}

std::optional<Bytes> DecodeBase64(std::string_view text) {
  auto bytes = audit::Base64Decode(text);
  if (!bytes.ok()) return std::nullopt;
  return std::move(*bytes);
}

}  // namespace

StatusOr<ScramVerifier> ScramVerifier::Derive(const SecretBytes& secret, ByteSpan salt, int iterations) {
  ASSIGN_OR_RETURN(ScramKeys keys, crypto::DeriveScramKeys(secret, salt, iterations));
  ScramVerifier v;
  v.iterations = iterations;
  v.salt.assign(salt.begin(), salt.end());
  v.stored_key = keys.stored_key;
  v.server_key = keys.server_key;
  return v;
}

StatusOr<ScramVerifier> ScramVerifier::Create(const SecretBytes& secret, int iterations) {
  ASSIGN_OR_RETURN(Bytes salt, crypto::RandomBytes(kSaltBytes));
  return Derive(secret, salt, iterations);
}

ScramVerifier ScramVerifier::Mock(const crypto::HmacSha256& mock_key, std::string_view name) {
  ScramVerifier v;
  const crypto::Digest salt = mock_key.Compute(AsBytes("scram-mock-salt\n" + std::string(name)));
  v.salt.assign(salt.begin(), salt.begin() + kSaltBytes);
  v.stored_key = mock_key.Compute(AsBytes("scram-mock-stored-key\n" + std::string(name)));
  v.server_key = mock_key.Compute(AsBytes("scram-mock-server-key\n" + std::string(name)));
  return v;
}

ScramCredentials ScramCredentials::Mock(const crypto::HmacSha256& mock_key, std::string_view name) {
  return Of(ScramVerifier::Mock(mock_key, name));
}

ScramCredentials ScramCredentials::Of(const ScramVerifier& verifier) {
  return {.iterations = verifier.iterations,
          .salt = verifier.salt,
          .keys = {ScramKeys{.stored_key = verifier.stored_key, .server_key = verifier.server_key}}};
}

std::string ScramVerifier::ToString() const {
  return std::string(kScramSha256) + "$" + std::to_string(iterations) + ":" + audit::Base64Encode(salt) + "$" +
         audit::Base64Encode(stored_key) + ":" + audit::Base64Encode(server_key);
}

StatusOr<ScramVerifier> ScramVerifier::Parse(std::string_view text) {
  const Status bad = InvalidArgumentError("not a SCRAM-SHA-256 verifier");
  if (!text.starts_with(std::string(kScramSha256) + "$")) return bad;
  text.remove_prefix(std::string_view(kScramSha256).size() + 1);
  size_t colon = text.find(':'), dollar = text.find('$');
  if (colon == text.npos || dollar == text.npos || dollar < colon) return bad;
  size_t colon2 = text.find(':', dollar);
  if (colon2 == text.npos) return bad;
  ScramVerifier v;
  std::string_view iterations = text.substr(0, colon);
  auto [end, ec] = std::from_chars(iterations.data(), iterations.data() + iterations.size(), v.iterations);
  if (ec != std::errc() || end != iterations.data() + iterations.size() || v.iterations < 1) return bad;
  auto salt = DecodeBase64(text.substr(colon + 1, dollar - colon - 1));
  auto stored = DecodeBase64(text.substr(dollar + 1, colon2 - dollar - 1));
  auto server = DecodeBase64(text.substr(colon2 + 1));
  if (!salt || salt->empty() || !stored || stored->size() != crypto::kSha256Size || !server ||
      server->size() != crypto::kSha256Size) {
    return bad;
  }
  v.salt = std::move(*salt);
  std::copy(stored->begin(), stored->end(), v.stored_key.begin());
  std::copy(server->begin(), server->end(), v.server_key.begin());
  return v;
}

ScramServer::ScramServer(ScramCredentials credentials, ScramOptions options)
    : credentials_(std::move(credentials)), options_(std::move(options)) {}

ScramServer::ScramServer(const ScramVerifier& verifier, ScramOptions options)
    : ScramServer(ScramCredentials::Of(verifier), std::move(options)) {}

std::vector<std::string> ScramServer::Mechanisms() const {
  if (options_.tls_server_end_point.empty()) return {kScramSha256};
  return {kScramSha256Plus, kScramSha256};
}

Status ScramServer::Fail(Status status) {
  state_ = State::kFailed;
  return status;
}

StatusOr<std::string> ScramServer::ClientFirst(std::string_view mechanism, std::string_view message) {
  if (state_ != State::kStart) return Fail(FailedPreconditionError("SCRAM exchange out of order"));
  if (credentials_.salt.empty()) return Fail(InternalError("SCRAM: no salt to offer"));
  const bool can_bind = !options_.tls_server_end_point.empty();
  if (mechanism == kScramSha256Plus && can_bind) {
    plus_ = true;
  } else if (mechanism != kScramSha256) {
    return Fail(InvalidArgumentError("the client selected an invalid SASL authentication mechanism"));
  }
  // gs2-header: cbind-flag "," [authzid] ","
  std::string_view in = message;
  if (in.starts_with("n,")) {
    if (plus_) return Fail(InvalidArgumentError("SCRAM-SHA-256-PLUS without channel binding"));
    in.remove_prefix(2);
  } else if (in.starts_with("y,")) {
    if (plus_) return Fail(InvalidArgumentError("SCRAM-SHA-256-PLUS without channel binding"));
    // The client could bind but believes the server cannot: a downgrade.
    if (can_bind) return Fail(UnauthenticatedError("SCRAM channel binding negotiation error"));
    in.remove_prefix(2);
  } else if (in.starts_with("p=")) {
    auto name = Attribute(in, 'p');
    if (!plus_) return Fail(InvalidArgumentError("channel binding requested without SCRAM-SHA-256-PLUS"));
    if (!name || *name != kEndPoint) return Fail(InvalidArgumentError("unsupported SCRAM channel binding type"));
  } else {
    return Fail(Malformed());
  }
  if (in.starts_with("a=")) return Fail(InvalidArgumentError("SCRAM authorization identities are not supported"));
  if (!in.starts_with(",")) return Fail(Malformed());
  in.remove_prefix(1);
  gs2_header_ = std::string(message.substr(0, message.size() - in.size()));
  client_first_bare_ = std::string(in);

  if (in.starts_with("m=")) return Fail(InvalidArgumentError("SCRAM extensions are not supported"));
  if (!Attribute(in, 'n')) return Fail(Malformed());  // the user name: ignored (the StartupMessage's counts)
  auto client_nonce = Attribute(in, 'r');
  if (!client_nonce || !IsPrintableNonce(*client_nonce)) return Fail(Malformed());
  // Optional extensions follow; none is understood, so none may be mandatory.

  std::string server_nonce = options_.server_nonce;
  if (server_nonce.empty()) {
    auto random = crypto::RandomBytes(kServerNonceBytes);
    if (!random.ok()) return Fail(random.status());
    server_nonce = audit::Base64Encode(*random);
  }
  nonce_ = std::string(*client_nonce) + server_nonce;
  server_first_ =
      "r=" + nonce_ + ",s=" + audit::Base64Encode(credentials_.salt) + ",i=" + std::to_string(credentials_.iterations);
  state_ = State::kFirstDone;
  return server_first_;
}

StatusOr<std::string> ScramServer::ClientFinal(std::string_view message) {
  if (state_ != State::kFirstDone) return Fail(FailedPreconditionError("SCRAM exchange out of order"));
  const size_t proof_at = message.rfind(",p=");
  if (proof_at == message.npos) return Fail(Malformed());
  const std::string_view without_proof = message.substr(0, proof_at);
  std::string_view in = without_proof;
  auto binding = Attribute(in, 'c');
  if (!binding) return Fail(Malformed());
  auto binding_bytes = DecodeBase64(*binding);
  Bytes expected_binding = ToBytes(gs2_header_);
  if (plus_) {
    expected_binding.insert(expected_binding.end(), options_.tls_server_end_point.begin(),
                            options_.tls_server_end_point.end());
  }
  if (!binding_bytes || !ConstantTimeEquals(*binding_bytes, expected_binding)) {
    return Fail(UnauthenticatedError("SCRAM channel binding check failed"));
  }
  auto nonce = Attribute(in, 'r');
  if (!nonce || *nonce != nonce_) return Fail(UnauthenticatedError("SCRAM nonce mismatch"));
  auto proof = DecodeBase64(message.substr(proof_at + 3));
  if (!proof || proof->size() != crypto::kSha256Size) return Fail(Malformed());

  const std::string auth_message = client_first_bare_ + "," + server_first_ + "," + std::string(without_proof);
  const std::optional<size_t> matched = MatchProof(auth_message, *proof);
  if (!matched) return Fail(UnauthenticatedError("password authentication failed"));
  state_ = State::kDone;
  matched_ = matched;
  return "v=" + audit::Base64Encode(Hmac(credentials_.keys[*matched].server_key, auth_message));
}

std::optional<size_t> ScramServer::MatchProof(std::string_view auth_message, ByteSpan proof) const {
  // Every key is tried, whichever matched before it, so the time taken tells
  // nothing about which one (if any) holds.
  std::optional<size_t> matched;
  for (size_t k = 0; k < credentials_.keys.size(); ++k) {
    const crypto::Digest& stored_key = credentials_.keys[k].stored_key;
    const crypto::Digest client_signature = Hmac(stored_key, auth_message);
    // The client's key, recovered from its proof: a secret (it would
    // authenticate as the account), wiped when it goes out of scope.
    SecretBytes client_key(crypto::kSha256Size);
    for (size_t i = 0; i < client_key.size(); ++i) client_key.mutable_data()[i] = proof[i] ^ client_signature[i];
    if (ConstantTimeEquals(crypto::Sha256(client_key.span()), stored_key)) matched = k;
  }
  return matched;
}

}  // namespace hdhub::pgwire
