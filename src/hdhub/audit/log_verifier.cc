#include "hdhub/audit/log_verifier.h"

#include <charconv>

#include "hdhub/audit/merkle_tree.h"
#include "hdhub/audit/segment.h"
#include "hdhub/common/file.h"

namespace hdhub::audit {

namespace {
// The seq an entry claims, read without a full JSON parse (verification of a
// million entries must stay fast); DecodeEntry-level checks are for `show`.
// Only the entry's own member counts: one scan that skips strings and reads
// the key "seq" at the top level, so a "seq" inside the details (the
// airlock's release number) or in a text is never taken for it.
StatusOr<uint64_t> ClaimedSeq(std::string_view entry) {
  constexpr std::string_view kKey = "\"seq\":";
  int depth = 0;
  for (size_t i = 0; i < entry.size(); ++i) {
    const char c = entry[i];
    if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      --depth;
    } else if (c == '"') {
      if (depth == 1 && entry.substr(i, kKey.size()) == kKey) {
        const char* begin = entry.data() + i + kKey.size();
        uint64_t seq = 0;
        auto [ptr, ec] = std::from_chars(begin, entry.data() + entry.size(), seq);
        if (ec != std::errc() || ptr == begin) return DataLossError("entry has a malformed seq");
        return seq;
      }
      for (++i; i < entry.size() && entry[i] != '"'; ++i) {
        if (entry[i] == '\\') ++i;  // an escaped character, a quote included
      }
    }
  }
  return DataLossError("entry has no seq");
}
}  // namespace

StatusOr<VerifyReport> VerifyLogDirectory(const std::string& dir, const NoteVerifier& log_key,
                                          std::optional<std::string_view> checkpoint_note) {
  std::string note_storage;
  if (!checkpoint_note) {
    ASSIGN_OR_RETURN(note_storage, ReadFile(dir + "/checkpoint"));
    checkpoint_note = note_storage;
  }
  ASSIGN_OR_RETURN(VerifiedCheckpoint signed_cp, OpenSignedCheckpoint(*checkpoint_note, log_key));
  VerifyReport report;
  report.checkpoint = signed_cp.checkpoint;
  const uint64_t want = report.checkpoint.size;

  ASSIGN_OR_RETURN(std::vector<SegmentInfo> segments, ListSegments(dir));
  StreamingRoot stream;
  std::optional<Hash> root_at_checkpoint;
  if (want == 0) root_at_checkpoint = stream.Root();
  for (size_t i = 0; i < segments.size(); ++i) {
    auto visit = [&](uint64_t index, std::string_view entry, const Hash& leaf, uint64_t) -> Status {
      ASSIGN_OR_RETURN(uint64_t seq, ClaimedSeq(entry));
      if (seq != index) {
        return DataLossError("entry at position " + std::to_string(index) + " carries seq " +
                             std::to_string(seq) + ": entries were deleted, inserted or reordered");
      }
      stream.AppendLeaf(leaf);
      if (stream.size() == want) root_at_checkpoint = stream.Root();
      return OkStatus();
    };
    const bool last = i + 1 == segments.size();
    ASSIGN_OR_RETURN(ScanResult scan, ScanSegment(segments[i].path, stream.size(), last, visit));
    if (last) report.torn_bytes = scan.file_bytes - scan.valid_bytes;
  }
  report.entries = stream.size();
  report.root_of_all = stream.Root();
  if (report.entries < want) {
    return DataLossError("the log holds " + std::to_string(report.entries) +
                         " entries but the signed checkpoint covers " + std::to_string(want) +
                         ": entries were deleted or truncated");
  }
  if (*root_at_checkpoint != report.checkpoint.root) {
    return DataLossError("the root of the first " + std::to_string(want) +
                         " entries differs from the signed checkpoint: entries were edited, "
                         "replaced or reordered");
  }
  return report;
}

}  // namespace hdhub::audit
