// The airlock release certificate's body (docs/formats/airlock-certificate.md
// §2, §3): what left a project's workspace in one release, cell by cell, as
// one line of canonical JSON, and the project's release-history hash chain
// over those lines. The bundle that binds a body to the audit log and its
// offline verification are in bundle.h and verify.h.
//
// A body holds published values (they are in the released files anyway) and,
// for suppressed cells, only what an attacker can prove from everything
// published: never a suppressed value and never the primary rule behind a
// suppression (§2 "Decision"). Errors name members and cells by position or
// codes, never a value.
//
// Thread-safety: values and pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/airlock/disclosure_rules.h"
#include "hdhub/airlock/protection.h"
#include "hdhub/airlock/table_model.h"
#include "hdhub/common/status.h"
#include "hdhub/crypto/hash.h"

namespace hdhub::exports {

inline constexpr std::string_view kCertificateFormat = "hdhub-airlock-certificate";
inline constexpr int kCertificateVersion = 1;

// §3: H_0 = SHA-256("hdhub airlock history v1" || LF || project).
crypto::Digest HistoryStart(std::string_view project);
// §3: H_s = SHA-256(H_(s-1) || SHA-256(body line)).
crypto::Digest HistoryNext(const crypto::Digest& before, std::string_view body_line);

// The measures of a table output: people (`count`), units of a frame whose
// unit is not a person (`units`) and sums of an amount (`sum`). Counts and
// units are integers; sums are doubles.
inline constexpr std::string_view kMeasureCount = "count";
inline constexpr std::string_view kMeasureUnits = "units";
inline constexpr std::string_view kMeasureSum = "sum";

struct Review {
  std::string checker;
  std::string at;  // RFC 3339
};

struct History {
  std::string before;  // hex H_(s-1)
  int64_t releases = 0;
  std::vector<std::string> not_modelled;  // frames
};

struct Frame {
  std::string sql_sha256;
  std::string unit;
  std::vector<airlock::Dimension> dimensions;  // declared order
};

struct CheckerReason {
  std::string checker;
  std::string text_sha256;
};

// One cell of a table output. `codes` has one code per frame dimension, "*"
// where the table sums over it.
struct Cell {
  std::string table;
  std::vector<std::string> codes;
  bool published = true;
  double value = 0;          // published only
  std::string reason;        // safe, review, forced; ledger, protected
  std::string rule;          // published `review` only
  double lo = 0;             // suppressed only
  std::optional<double> hi;  // suppressed only; nullopt when unbounded
};

struct Output {
  std::string name;
  std::string kind;    // table, model, figure, custom
  std::string format;  // csv, parquet, png, pdf, txt
  std::string sha256;
  int64_t bytes = 0;
  std::string verdict_outcome;
  std::string verdict_rule;
  std::optional<std::vector<CheckerReason>> reasons;
  // table and model
  std::string frame;
  std::string measure;
  // table
  std::vector<airlock::TableSpec> tables;
  std::string solver_name;
  std::string solver_version;
  int64_t repair_rounds = 0;
  std::vector<Cell> cells;
  // figure
  std::string figure_of;
  // model
  int64_t parameters = 0;
};

struct CertificateBody {
  std::string log_origin;
  std::string project;
  std::string authorisation_ref;
  std::string request;
  int64_t revision = 0;
  int64_t release = 0;
  std::string released_at;
  std::string author;
  std::vector<Review> reviews;
  airlock::DisclosureRules rules;
  std::string hdhub;
  History history;
  std::map<std::string, Frame> frames;
  std::vector<Output> outputs;  // sorted by name
  std::string evidence_sha256;
  std::string nonce;  // 32 hex

  // The canonical one-line JSON of §2 (no LF): the bytes that are hashed.
  // Deterministic: the same body gives the same bytes.
  std::string ToLine() const;
};

// Parses and validates a body line: a canonical JSON object with every member
// of §2 and none other, each of its type and form (hex lengths, RFC 3339
// times, two reviews by distinct checkers neither the author, outputs sorted
// by name, each cell's members as its status requires). InvalidArgument naming
// the member (e.g. "outputs[1].cells[4].interval"), never its value.
StatusOr<CertificateBody> ParseBody(std::string_view line);

// A table output as declared (docs/airlock-workflow.md §2.2).
struct TableOutputDeclaration {
  std::string name;
  std::string frame;
  std::string measure;  // count, units or sum
  std::vector<airlock::TableSpec> tables;
  std::string verdict_outcome = "pass";
  std::string verdict_rule;
  std::optional<std::vector<CheckerReason>> reasons;
};

// The table output of `declaration` over `frame` from the Protect run that
// covered it (its tables' ids are "<output>/<id>"): the cells table by table
// in the declaration's order, each in cross-product order; suppressed cells
// say `protected` or `ledger` and their interval only (counts and units
// rounded inward to integers); the CSV's SHA-256 and size. InvalidArgument
// for an unknown measure or a table whose cells the result lacks or
// disorders; FailedPrecondition for a result that refused the tables;
// Internal for a suppressed cell without an interval or a count that is not
// an integer.
StatusOr<Output> BuildTableOutput(const TableOutputDeclaration& declaration, const Frame& frame,
                                  const airlock::ProtectionResult& result);

// The CSV of a table output (docs/airlock-workflow.md §2.2): header `table`,
// the frame's dimension names, `value`; one row per cell in order; `*` for a
// dimension summed over; a suppressed cell's value empty. RFC 4180, LF.
std::string RenderTableCsv(const Frame& frame, const Output& output);

// The text of a cell value as the body and the CSV write it: an integer for
// count and units, the shortest round-trip double for sums.
std::string ValueText(std::string_view measure, double value);

}  // namespace hdhub::exports
