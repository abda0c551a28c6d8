#include "hdhub/common/utf8.h"

#include <cstring>

namespace hdhub {

size_t ValidUtf8Prefix(const uint8_t* data, size_t size) {
  size_t i = 0;
  while (i < size) {
    if (i + 8 <= size) {  // fast path over ASCII
      uint64_t word;
      std::memcpy(&word, data + i, sizeof(word));
      if ((word & 0x8080808080808080ull) == 0) {
        i += 8;
        continue;
      }
    }
    uint8_t c = data[i];
    size_t n = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : 4;
    if (n == 4 || i + n >= size + (n == 0)) return i;
    for (size_t k = 1; k <= n; ++k) {
      if ((data[i + k] >> 6) != 0x2) return i;
    }
    i += n + 1;
  }
  return i;
}

bool IsValidUtf8(std::string_view text) {
  return ValidUtf8Prefix(reinterpret_cast<const uint8_t*>(text.data()), text.size()) == text.size();
}

}  // namespace hdhub
