// HKDF-SHA256 (RFC 5869) on OpenSSL 3's EVP_KDF.
// Thread-safe.
#pragma once

#include "hdhub/common/bytes.h"
#include "hdhub/common/secret_bytes.h"
#include "hdhub/common/status.h"

namespace hdhub::crypto {

// OpenSSL 3.0's HKDF refuses a longer info; checked here so the error is clear.
inline constexpr size_t kMaxHkdfInfoSize = 32 * 1024;

// Returns `length` bytes of output keying material. InvalidArgument when ikm is
// empty, info is longer than kMaxHkdfInfoSize, or length is 0 or above 255*32.
StatusOr<SecretBytes> HkdfSha256(const SecretBytes& ikm, ByteSpan salt, ByteSpan info, size_t length);

}  // namespace hdhub::crypto
