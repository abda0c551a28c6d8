// Tests only: the client side of SCRAM-SHA-256 (RFC 5802 §3), computed from
// the password with OpenSSL directly, not with the server's code, so that
// tests of ScramServer (and of the logins built on it) check it against an
// independent client.
#pragma once

#include <openssl/evp.h>

#include <string>
#include <string_view>

#include "hdhub/audit/note.h"
#include "hdhub/common/bytes.h"
#include "hdhub/common/secret_bytes.h"
#include "hdhub/crypto/hash.h"

namespace hdhub::pgwire::testing {

// The client-final-message of a client holding `password`, after the
// server's `server_first` (whose salt is `salt`), for `without_proof`
// ("c=…,r=…"): SaltedPassword → ClientKey → ClientProof.
inline std::string ScramClientFinalForTest(std::string_view password, ByteSpan salt, int iterations,
                                           std::string_view client_first_bare, std::string_view server_first,
                                           std::string_view without_proof) {
  SecretBytes salted(crypto::kSha256Size);
  if (PKCS5_PBKDF2_HMAC(password.data(), int(password.size()), salt.data(), int(salt.size()), iterations, EVP_sha256(),
                        int(salted.size()), salted.mutable_data()) != 1) {
    return "PBKDF2 failed";
  }
  const std::string auth =
      std::string(client_first_bare) + "," + std::string(server_first) + "," + std::string(without_proof);
  auto salted_mac = crypto::HmacSha256::Create(salted).value();
  const crypto::Digest client_key = salted_mac->Compute(AsBytes("Client Key"));
  auto stored_mac = crypto::HmacSha256::Create(SecretBytes(crypto::Sha256(client_key))).value();
  const crypto::Digest signature = stored_mac->Compute(AsBytes(auth));
  Bytes proof(crypto::kSha256Size);
  for (size_t i = 0; i < proof.size(); ++i) proof[i] = client_key[i] ^ signature[i];
  return std::string(without_proof) + ",p=" + audit::Base64Encode(proof);
}

// The salt and iteration count of a server-first-message "r=…,s=…,i=…"
// (empty salt when it is not one).
struct ServerFirstForTest {
  Bytes salt;
  int iterations = 0;
};
inline ServerFirstForTest ParseServerFirstForTest(std::string_view first) {
  ServerFirstForTest parsed;
  const size_t s = first.find(",s="), i = first.find(",i=");
  if (s == first.npos || i == first.npos || i < s) return parsed;
  parsed.salt = audit::Base64Decode(first.substr(s + 3, i - s - 3)).value_or(Bytes());
  parsed.iterations = std::stoi(std::string(first.substr(i + 3)));
  return parsed;
}

}  // namespace hdhub::pgwire::testing
