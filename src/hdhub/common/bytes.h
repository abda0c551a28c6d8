// Byte buffers and hex: the vocabulary types for data that is not secret.
// Keys and anything derived from them live in SecretBytes (secret_bytes.h).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/common/status.h"

namespace hdhub {

using Bytes = std::vector<uint8_t>;
using ByteSpan = std::span<const uint8_t>;
using MutableByteSpan = std::span<uint8_t>;

inline ByteSpan AsBytes(std::string_view s) {
  return ByteSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}
inline std::string_view AsStringView(ByteSpan b) {
  return std::string_view(reinterpret_cast<const char*>(b.data()), b.size());
}
inline Bytes ToBytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

// Lower-case hex.
std::string HexEncode(ByteSpan data);
// Accepts upper or lower case; InvalidArgument on odd length or a non-hex digit.
StatusOr<Bytes> HexDecode(std::string_view hex);

// Big-endian fixed-width integers, as every hdhub byte format stores them.
inline void PutBigEndian32(uint32_t v, uint8_t* out) {
  out[0] = uint8_t(v >> 24); out[1] = uint8_t(v >> 16); out[2] = uint8_t(v >> 8); out[3] = uint8_t(v);
}
inline uint32_t GetBigEndian32(const uint8_t* in) {
  return uint32_t(in[0]) << 24 | uint32_t(in[1]) << 16 | uint32_t(in[2]) << 8 | uint32_t(in[3]);
}
inline void PutBigEndian64(uint64_t v, uint8_t* out) {
  PutBigEndian32(uint32_t(v >> 32), out);
  PutBigEndian32(uint32_t(v), out + 4);
}
inline uint64_t GetBigEndian64(const uint8_t* in) {
  return uint64_t(GetBigEndian32(in)) << 32 | GetBigEndian32(in + 4);
}

}  // namespace hdhub
