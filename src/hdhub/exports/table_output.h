// A `table` output (docs/airlock-workflow.md §2.2): tables over one frame's
// dimensions, of one measure, declared by the author as JSON:
//
//   {"output": "a10-sex", "kind": "table", "frame": "a10", "measure": "units",
//    "tables": [{"id": "by-sex", "dimensions": [{"dimension": "sex"}]},
//               {"id": "women-by-dept", "dimensions": [
//                   {"dimension": "sex", "filter": "2"},
//                   {"dimension": "dept", "codes": ["11", "24"]}]}]}
//
// A table breaks down by the dimensions it lists, at the codes given (any
// level of the hierarchy; none: every code of the dimension) or at one code
// (`filter`), and sums over the others. `kind` may be omitted.
//
// Rendering reuses the certificate's code: BuildTableOutput(declaration,
// CertificateFrame(...), protection result) gives the cells and
// RenderTableCsv (certificate.h) the CSV.
//
// Thread-safety: values and pure functions.
#pragma once

#include <string_view>
#include <vector>

#include "hdhub/airlock/atom_space.h"
#include "hdhub/airlock/table_model.h"
#include "hdhub/common/status.h"
#include "hdhub/exports/certificate.h"
#include "hdhub/exports/frame.h"

namespace hdhub::exports {

// The most tables one output declares.
inline constexpr size_t kMaxTablesPerOutput = 100;

struct TableOutput {
  TableOutputDeclaration declaration;  // ids as declared, for BuildTableOutput
  Measure measure = Measure::kCount;
  std::vector<airlock::TableSpec> tables;  // ids "<output>/<id>", for the ProtectionRequest
};

// Parses and validates a table output over `frame`, whose airlock dimensions
// are `dimensions` (BuildDimensions). InvalidArgument naming the output, the
// table, the dimension and the field for malformed JSON, an unknown or missing
// field, a kind other than table, a name or id out of [a-z][a-z0-9_-]{0,63},
// another frame than `frame`, a measure the frame does not support
// (CheckMeasure), no table or a repeated id, a dimension the frame lacks or
// listed twice in a table, a code the dimension lacks or listed twice, or both
// codes and filter. Codes are never named.
StatusOr<TableOutput> ParseTableOutput(std::string_view json_text, const FrameDeclaration& frame,
                                       const std::vector<airlock::Dimension>& dimensions);

}  // namespace hdhub::exports
