#include "hdhub/crypto/random.h"

#include <openssl/rand.h>

#include <algorithm>
#include <climits>

namespace hdhub::crypto {
namespace {

// RAND_bytes and RAND_priv_bytes take an int length: large buffers go in chunks.
Status Fill(int (*generator)(unsigned char*, int), uint8_t* out, size_t size) {
  for (size_t done = 0; done < size;) {
    const size_t chunk = std::min<size_t>(size - done, INT_MAX);
    if (generator(out + done, static_cast<int>(chunk)) != 1) {
      return InternalError("the random generator failed (DRBG not seeded)");
    }
    done += chunk;
  }
  return OkStatus();
}

}  // namespace

Status RandomBytes(MutableByteSpan out) { return Fill(RAND_bytes, out.data(), out.size()); }

StatusOr<Bytes> RandomBytes(size_t size) {
  Bytes out(size);
  RETURN_IF_ERROR(RandomBytes(MutableByteSpan(out)));
  return out;
}

StatusOr<SecretBytes> RandomSecret(size_t size) {
  SecretBytes secret(size);
  // Keys come from OpenSSL's private DRBG, so public random output (salts,
  // nonces) never shares generator state with key material.
  RETURN_IF_ERROR(Fill(RAND_priv_bytes, secret.mutable_data(), size));
  return secret;
}

}  // namespace hdhub::crypto
