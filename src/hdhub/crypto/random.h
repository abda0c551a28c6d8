// CSPRNG: OpenSSL's RAND_bytes (DRBG seeded from the kernel).
// Thread-safe. Failure is Internal (the DRBG could not be seeded): fail closed.
#pragma once

#include <cstddef>

#include "hdhub/common/bytes.h"
#include "hdhub/common/secret_bytes.h"
#include "hdhub/common/status.h"

namespace hdhub::crypto {

Status RandomBytes(MutableByteSpan out);
StatusOr<Bytes> RandomBytes(size_t size);
StatusOr<SecretBytes> RandomSecret(size_t size);

}  // namespace hdhub::crypto
