#include "hdhub/crypto/random.h"

#include <openssl/rand.h>

#include <algorithm>
#include <climits>

namespace hdhub::crypto {

Status RandomBytes(MutableByteSpan out) {
  // RAND_bytes takes an int length: feed large buffers in chunks.
  size_t done = 0;
  while (done < out.size()) {
    const size_t chunk = std::min<size_t>(out.size() - done, INT_MAX);
    if (RAND_bytes(out.data() + done, static_cast<int>(chunk)) != 1) {
      return InternalError("the random generator failed (DRBG not seeded)");
    }
    done += chunk;
  }
  return OkStatus();
}

StatusOr<Bytes> RandomBytes(size_t size) {
  Bytes out(size);
  RETURN_IF_ERROR(RandomBytes(MutableByteSpan(out)));
  return out;
}

StatusOr<SecretBytes> RandomSecret(size_t size) {
  SecretBytes secret(size);
  // Keys come from OpenSSL's private DRBG, so that public random output (salts,
  // nonces) never shares generator state with key material.
  size_t done = 0;
  while (done < size) {
    const size_t chunk = std::min<size_t>(size - done, INT_MAX);
    if (RAND_priv_bytes(secret.mutable_data() + done, static_cast<int>(chunk)) != 1) {
      return InternalError("the private random generator failed (DRBG not seeded)");
    }
    done += chunk;
  }
  return secret;
}

}  // namespace hdhub::crypto
