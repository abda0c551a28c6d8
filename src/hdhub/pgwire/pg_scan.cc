#include "hdhub/pgwire/pg_scan.h"

#include <pg_query.h>

#include <cstdint>

namespace hdhub::pgwire {
namespace {

bool ReadVarint(const uint8_t*& p, const uint8_t* end, uint64_t& v) {
  v = 0;
  for (int shift = 0; p < end && shift < 64; shift += 7) {
    const uint8_t b = *p++;
    v |= uint64_t(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

// Reads the fields of a protobuf message: varints go to `on_varint`,
// length-delimited fields to `on_bytes`; false when malformed.
template <typename V, typename B>
bool ReadMessage(const uint8_t* p, const uint8_t* end, V&& on_varint, B&& on_bytes) {
  while (p < end) {
    uint64_t key, v;
    if (!ReadVarint(p, end, key)) return false;
    const int wire = int(key & 7), field = int(key >> 3);
    if (wire == 0) {
      if (!ReadVarint(p, end, v)) return false;
      on_varint(field, v);
    } else if (wire == 2) {
      if (!ReadVarint(p, end, v) || v > uint64_t(end - p)) return false;
      on_bytes(field, p, p + v);
      p += v;
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

std::vector<PgToken> PgScan(const std::string& sql) {
  std::vector<PgToken> tokens;
  PgQueryScanResult result = pg_query_scan(sql.c_str());
  if (result.error == nullptr) {
    const auto* data = reinterpret_cast<const uint8_t*>(result.pbuf.data);
    ReadMessage(
        data, data + result.pbuf.len, [](int, uint64_t) {},
        [&](int field, const uint8_t* p, const uint8_t* end) {
          if (field != 2) return;
          PgToken t;
          ReadMessage(
              p, end,
              [&](int f, uint64_t v) {
                if (f == 1) t.start = int(v);
                if (f == 2) t.end = int(v);
                if (f == 4) t.kind = int(v);
              },
              [](int, const uint8_t*, const uint8_t*) {});
          tokens.push_back(t);
        });
  }
  pg_query_free_scan_result(result);
  return tokens;
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace hdhub::pgwire
