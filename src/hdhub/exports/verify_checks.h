// Internal to hdhub_exports: the checks of verify.cc on the body alone, the
// files and the earlier bodies (docs/formats/airlock-certificate.md §6 steps
// 5, 6 and 8).
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "hdhub/exports/certificate.h"
#include "hdhub/exports/verify.h"

namespace hdhub::exports {

inline constexpr int kCheckForm = 1;
inline constexpr int kCheckSignature = 2;
inline constexpr int kCheckInclusion = 3;
inline constexpr int kCheckBinding = 4;
inline constexpr int kCheckFiles = 5;
inline constexpr int kCheckRules = 6;
inline constexpr int kCheckHistory = 7;
inline constexpr int kCheckIntervals = 8;

// What does not hold: the check, a message without values, where.
struct Failure {
  int check = 0;
  std::string message;
  std::string output;
  std::string table;
  std::vector<std::string> cell;
};

// Step 5: each file matches exactly one output by SHA-256 and length; a
// table's CSV has the header and, row by row, the cells of the body. Fills
// report.outputs_checked / outputs_not_checked.
std::optional<Failure> CheckFiles(const CertificateBody& body, std::span<const VerifyFile> files, VerifyReport& report);

// Step 6: each table output's cells are its tables' cross-products; counts
// published are 0 or at least min_count; no suppressed interval is empty,
// negative or (counts) inside [1, min_count - 1]; with zeros = suppress, no
// suppressed cell is known to be 0.
std::optional<Failure> CheckRules(const CertificateBody& body);

// Step 8 (verify_intervals.cc), after 1-7 held: per frame and measure of
// `body`'s table outputs, the atom space from the frame, the published cells
// of `body` and of the `earlier` bodies (those of the same frame and
// measure) as the attacker LP's rows, and each suppressed cell of `body`
// re-solved with the airlock's LP (Clp): equal to its interval (count and
// units exactly; sum within 1e-6 relative to the larger bound or the largest
// published value). Fails naming the output, table and cell; fails the
// frame when its published cells contradict each other or the solver fails.
std::optional<Failure> CheckIntervals(const CertificateBody& body, std::span<const CertificateBody> earlier);

}  // namespace hdhub::exports
