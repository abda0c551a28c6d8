// Segment files: the on-disk form of the audit log (docs/formats/audit-log.md).
//
//   seg-<20-digit first index>.log
//   header  : "HDHAUD01" (8 bytes) | first entry index (u64 big-endian)
//   record* : entry length L (u32 big-endian) | leaf hash SHA-256(0x00||entry)
//             (32 bytes) | entry (L bytes of canonical JSON)
//
// The stored leaf hash is the record checksum: a torn or edited record fails
// it, and verification reuses it as the Merkle leaf after recomputing it.
//
// Thread-safety: free functions without shared state.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/audit/merkle.h"
#include "hdhub/common/bytes.h"
#include "hdhub/common/status.h"

namespace hdhub::audit {

inline constexpr std::string_view kSegmentMagic = "HDHAUD01";
inline constexpr size_t kSegmentHeaderSize = 16;
inline constexpr size_t kRecordHeaderSize = 4 + 32;
inline constexpr uint32_t kMaxEntrySize = 1 << 16;

struct SegmentInfo {
  uint64_t first_index = 0;
  std::string path;
};

std::string SegmentFileName(uint64_t first_index);
// The segments in `dir` ordered by first index. NotFound if `dir` is missing;
// DataLoss for a file named like a segment whose name does not parse.
StatusOr<std::vector<SegmentInfo>> ListSegments(const std::string& dir);

// Header and one framed record, appended to `out`.
void AppendSegmentHeader(uint64_t first_index, std::string& out);
void AppendRecord(std::string_view entry, const Hash& leaf_hash, std::string& out);

struct ScanResult {
  uint64_t records = 0;      // valid records
  uint64_t valid_bytes = 0;  // header + valid records
  uint64_t file_bytes = 0;
  bool torn_tail() const { return valid_bytes != file_bytes; }
};

// Called for each valid record with its index, entry bytes, verified leaf hash
// and the record's offset in the file.
using RecordVisitor =
    std::function<Status(uint64_t index, std::string_view entry, const Hash& leaf_hash, uint64_t offset)>;

// Reads and checks a segment that must start at `expected_first`. A damaged
// record followed only by the end of the file is a torn tail when
// `allow_torn_tail` (the last segment after a crash): the scan stops there and
// reports it. Any other damage is DataLoss naming the file and offset.
StatusOr<ScanResult> ScanSegment(const std::string& path, uint64_t expected_first,
                                 bool allow_torn_tail, const RecordVisitor& visit);

// Resumes a scan at byte `offset` of the segment, where entry `index` starts
// (what an earlier scan reported as valid_bytes and first_index + records;
// offset 0 is a fresh scan); `records` then counts the records after it and
// the visitor sees indices from `index`. DataLoss if the file is now shorter
// than `offset` (it was cut after being read).
struct ScanResume {
  uint64_t offset = 0;
  uint64_t index = 0;
};
StatusOr<ScanResult> ScanSegmentFrom(const std::string& path, uint64_t expected_first, ScanResume from,
                                     bool allow_torn_tail, const RecordVisitor& visit);

}  // namespace hdhub::audit
