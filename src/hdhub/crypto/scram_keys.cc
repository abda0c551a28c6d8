#include "hdhub/crypto/scram_keys.h"

#include <openssl/evp.h>

namespace hdhub::crypto {

StatusOr<ScramKeys> DeriveScramKeys(const SecretBytes& password, ByteSpan salt, int iterations) {
  if (iterations < 1 || salt.empty()) return InvalidArgumentError("SCRAM keys: bad salt or iteration count");
  SecretBytes salted(kSha256Size);
  if (PKCS5_PBKDF2_HMAC(reinterpret_cast<const char*>(password.data()), int(password.size()), salt.data(),
                        int(salt.size()), iterations, EVP_sha256(), int(salted.size()), salted.mutable_data()) != 1) {
    return InternalError("SCRAM keys: PBKDF2 failed");
  }
  ASSIGN_OR_RETURN(std::unique_ptr<HmacSha256> mac, HmacSha256::Create(salted));
  ScramKeys keys;
  // The client key authenticates as the password's owner: a secret, wiped.
  SecretBytes client_key(mac->Compute(AsBytes("Client Key")));
  keys.stored_key = Sha256(client_key.span());
  keys.server_key = mac->Compute(AsBytes("Server Key"));
  return keys;
}

}  // namespace hdhub::crypto
