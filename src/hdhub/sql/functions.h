// hdhub's vectorised scalar functions for DuckDB: the pseudonymization stages
// of DESIGN §3 and the checks that ingest and pseudonymize run inside SQL.
// Registered per Database (one DuckDB instance), each with the key it needs;
// an instance that was not given a key has no function that uses it.
//
//   stage 1 (at the source)  hdhub_p1(nir, birth_date, sex) -> VARCHAR
//       64 lower-case hex digits of HMAC-SHA256(K_source, NIR ‖ YYYYMMDD ‖ sex),
//       NULL when the NIR or the date is not valid (hdhub_nir_error says why)
//   stage 2 (at the hub)     hdhub_p2(transfer) -> UUID
//       first 16 bytes of HMAC-SHA256(K_hub, P1 bytes or SNDS pseudonym),
//       NULL for a value hdhub_pseudonym_ok() refuses
//   stage 3 (per project)    hdhub_p3(UUID) -> UUID
//       first 16 bytes of HMAC-SHA256(K_project, P2 bytes)
//   hdhub_link(VARCHAR) -> BIGINT          a claim or stay number re-keyed per
//                                          project: HMAC-SHA256(K_project,
//                                          "link:" ‖ text), first 8 bytes, 63 bits
//   hdhub_nir_error(VARCHAR) -> VARCHAR    NULL when valid, else the reason
//   hdhub_pseudonym_ok(VARCHAR) -> BOOLEAN a 64-hex P1 or a 17-character
//                                          SNDS pseudonym (printable, no space)
//   hdhub_code_ok(set, VARCHAR) -> BOOLEAN membership in code set number `set`
//   hdhub_shape_ok(shape, VARCHAR) -> BOOLEAN the text has the TextShape
//                                          (a character loop, not a regex)
//   hdhub_invalid(field) -> BOOLEAN        counts an invalid value of field
//                                          number `field`; throws instead when
//                                          the tally is in fail mode
//   hdhub_reject(0) -> BOOLEAN             counts a rejected row; true
// Formats: docs/pseudonymization.md.
//
// Ownership: the keys, code sets and tallies are borrowed and must outlive
// the Database. Thread-safety: DuckDB calls the functions from several
// threads; HmacSha256 and the tallies are safe for that.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "hdhub/common/status.h"
#include "hdhub/crypto/hash.h"
#include "hdhub/sql/database.h"

namespace hdhub::sql {

inline constexpr size_t kPseudonymBytes = 16;  // stored pseudonyms (UUID)
inline constexpr size_t kP1HexSize = 64;
inline constexpr size_t kSndsPseudonymSize = 17;

// True for a value stage 2 accepts (see above).
bool IsTransferPseudonym(std::string_view value);

// Stage computations on bytes, for tests and tools outside SQL.
std::string StageOneHex(const crypto::HmacSha256& k_source, std::string_view nir, std::string_view yyyymmdd, char sex);
std::array<uint8_t, kPseudonymBytes> StageTwo(const crypto::HmacSha256& k_hub, std::string_view transfer);
std::array<uint8_t, kPseudonymBytes> StageThree(const crypto::HmacSha256& k_project,
                                                const std::array<uint8_t, kPseudonymBytes>& p2);

int64_t LinkKey(const crypto::HmacSha256& k_project, std::string_view value);

// Counts invalid values per field (and rejected rows) across DuckDB's
// threads. In fail mode the first invalid value aborts the statement with
// "hdhub INVALID_ARGUMENT: field <name> …" (no value in the message).
class ValueTally {
 public:
  enum class Mode { kFail, kCount };
  ValueTally(std::vector<std::string> field_names, Mode mode);
  Mode mode() const { return mode_; }
  const std::string& field_name(size_t i) const { return names_.at(i); }
  size_t fields() const { return names_.size(); }
  uint64_t invalid(size_t field) const { return counts_[field].load(); }
  uint64_t rejected_rows() const { return rejected_.load(); }
  void CountInvalid(size_t field, uint64_t n);
  void CountRejected(uint64_t n) { rejected_ += n; }

 private:
  std::vector<std::string> names_;
  Mode mode_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;
  std::atomic<uint64_t> rejected_{0};
};

using CodeSet = std::unordered_set<std::string>;

// Shapes a text must have before its cast is trusted (DuckDB's casts are
// more lenient than a Table Schema: '1.5' casts to an integer).
enum class TextShape {
  kInteger = 0,    // [+-]?[0-9]+
  kYear = 1,       // [0-9]{4}
  kYearMonth = 2,  // [0-9]{4}(0[1-9]|1[0-2])
  kMonth = 3,      // 0[1-9]|1[0-2]
  kIsoDate = 4,    // [0-9]{4}-[0-9]{2}-[0-9]{2}
};
bool HasShape(TextShape shape, std::string_view text);

// Each Register* may be called once per Database. Internal when DuckDB
// refuses the registration.
Status RegisterNirCheck(Database& db);
Status RegisterStageOne(Database& db, const crypto::HmacSha256* k_source);
Status RegisterStageTwo(Database& db, const crypto::HmacSha256* k_hub);
Status RegisterStageThree(Database& db, const crypto::HmacSha256* k_project);
Status RegisterCodeSets(Database& db, const std::vector<CodeSet>* sets);
Status RegisterShapeCheck(Database& db);
Status RegisterTally(Database& db, ValueTally* tally);

}  // namespace hdhub::sql
