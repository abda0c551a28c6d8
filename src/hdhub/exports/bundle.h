// The certificate bundle file `<request>.hdhub-cert`
// (docs/formats/airlock-certificate.md §1): the body line, the release's
// audit entry, its leaf index and tree size, the inclusion proof and the
// signed checkpoint that covers it. Everything an auditor needs besides the
// log's verifier key and the released files.
//
// Parsing checks the layout only (check 1's magic, numbers and hex); what the
// lines mean is verify.h's business. The body and entry are kept as the bytes
// stored: hashes are over them, never over a re-serialisation.
//
// Thread-safety: values and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/audit/audit_log.h"
#include "hdhub/audit/merkle.h"
#include "hdhub/common/status.h"

namespace hdhub::exports {

inline constexpr std::string_view kBundleMagic = "hdhub-airlock-certificate v1";

struct Bundle {
  std::string body;   // the body line, no LF
  std::string entry;  // the airlock.release audit entry, as stored
  uint64_t leaf_index = 0;
  uint64_t tree_size = 0;
  std::vector<audit::Hash> proof;
  std::string checkpoint;  // the C2SP signed note, as stored

  // The file's bytes (§1).
  std::string Serialize() const;
};

// InvalidArgument naming the line when `bytes` is not a bundle: another
// magic, fewer lines, a body or entry with a CR, a position that is not two
// canonical decimal numbers, a proof hash that is not 64 hex digits.
StatusOr<Bundle> ParseBundle(std::string_view bytes);

// The bundle of the entry at `index` of `log`: its inclusion proof in the
// tree of `checkpoint_size` entries, which `checkpoint` (that tree's signed
// checkpoint) covers. Call log.Flush() first so that a checkpoint covers the
// entry. The codes of AuditLog::ReadEntry and InclusionProof.
StatusOr<Bundle> MakeBundle(std::string body_line, const audit::AuditLog& log, uint64_t index, uint64_t checkpoint_size,
                            std::string checkpoint);

}  // namespace hdhub::exports
