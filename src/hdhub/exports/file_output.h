// The airlock's file outputs (docs/airlock-workflow.md §2.2): a model's
// coefficients, a figure and a custom file, each uploaded by the author and
// declared as JSON:
//
//   {"output": "fit", "kind": "model", "frame": "a10", "format": "csv",
//    "columns": [{"name": "term", "kind": "dimension"},
//                {"name": "estimate", "kind": "measure"}]}
//   {"output": "fig", "kind": "figure", "format": "png", "figure_of": "by-sex"}
//   {"output": "notes", "kind": "custom", "format": "txt",
//    "explanation": "the method, no number from the data"}
//
// hdhub computes none of them; it checks what it can of the bytes:
//   - the declared format against the first bytes (PNG signature, `%PDF-`,
//     `PAR1` at both ends, UTF-8 text without NUL for csv and txt): a file
//     that is not what it says is InvalidArgument, not a verdict;
//   - a CSV's shape (RFC 4180, header line, every record as many fields as
//     the header, LF or CRLF), its header equal to the declared columns, in
//     order, and the columns' kinds (airlock::CheckColumns: no identifier,
//     record key or free text ever leaves);
//   - rows and bytes against the limits (airlock::FileFindings; a text
//     file's rows are its lines, a binary file has none);
//   - a model: airlock::CheckModel with N the frame's units and P the file's
//     data rows (one per coefficient).
// A figure's verdict is that of the table it draws (the service's); a
// custom file cannot be cleared by these checks alone: both checkers must
// give a reason (request_flow.h, ApprovalNeedsComment), and the author an
// explanation.
//
// Errors name the output and the field or the line, never a value.
//
// Thread-safety: values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/airlock/disclosure_rules.h"
#include "hdhub/airlock/primary_checks.h"
#include "hdhub/common/status.h"
#include "hdhub/exports/request_flow.h"

namespace hdhub::exports {

// The longest explanation an author gives (bytes of UTF-8).
inline constexpr size_t kMaxExplanationBytes = 4000;
// The most columns a declaration lists.
inline constexpr size_t kMaxDeclaredColumns = 1000;

struct FileOutputDeclaration {
  std::string name;
  RequestOutputKind kind = RequestOutputKind::kCustom;  // model, figure or custom
  std::string format;                                   // csv, parquet, png, pdf, txt
  std::string frame;                                    // model only
  std::string figure_of;                                // figure only: a table output of the request
  std::string explanation;                              // custom only; may be empty until submit
  std::optional<std::vector<airlock::Column>> columns;  // model (required), custom csv (optional)
};

// Parses and validates a file output's declaration. InvalidArgument naming
// the output and the field for malformed JSON, an unknown or missing field,
// kind table (ParseTableOutput's), a format other than the five (a model's
// other than csv, a figure's other than png), columns with a format other
// than csv or on a figure, a column name empty, over 64 bytes or repeated, an
// unknown column kind, a frame other than on a model, figure_of other than on
// a figure, an explanation other than on a custom output, not UTF-8 or over
// kMaxExplanationBytes.
StatusOr<FileOutputDeclaration> ParseFileOutput(std::string_view json_text);

// True when `kind` is uploaded rather than computed (model, figure, custom).
bool IsFileKind(RequestOutputKind kind);

// True when an output's declaration (JSON text) holds an explanation that
// is not blanks only: what submit requires of a custom output. False for
// text that is not a JSON object.
bool ExplanationGiven(std::string_view declaration_json);

// What the checks found in one file.
struct FileVerdict {
  int64_t rows = 0;  // csv: data records; txt: lines; binary formats: 0
  int64_t bytes = 0;
  std::vector<std::string> rules;       // the refusing rules' ids, in the order found, each once
  std::vector<std::string> columns;     // the refused columns' names, as declared
  std::optional<int64_t> residual_dof;  // model: observations - rows
  bool refused() const { return !rules.empty(); }
};

// The checks of `declaration`'s file `bytes` under `rules`; `observations`
// is the model's N (ignored for other kinds). InvalidArgument naming the
// output for a file that does not match its format, a CSV that does not
// parse (naming the line) or whose header is not the declared columns.
StatusOr<FileVerdict> CheckFileOutput(const FileOutputDeclaration& declaration, std::string_view bytes,
                                      const airlock::DisclosureRules& rules, int64_t observations);

}  // namespace hdhub::exports
