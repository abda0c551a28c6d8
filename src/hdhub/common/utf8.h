// UTF-8 structure checks shared by the readers of author-given text (CSV
// extracts at ingest, files declared for the airlock).
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace hdhub {

// The number of bytes at the start of `data` that form complete, valid UTF-8
// sequences (structure only: lead and continuation bytes, enough to refuse
// Latin-1); stops at the first invalid byte or at a sequence cut by the end.
size_t ValidUtf8Prefix(const uint8_t* data, size_t size);

// True when the whole of `text` is valid UTF-8 (ValidUtf8Prefix).
bool IsValidUtf8(std::string_view text);

}  // namespace hdhub
