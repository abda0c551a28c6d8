// Internal to hdhub_exports: what the body's writer, its parser and the
// verifier share about cell values and the order of a table's cells
// (docs/formats/airlock-certificate.md §2, §6 step 6).
//
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "hdhub/common/status.h"
#include "hdhub/exports/certificate.h"

namespace hdhub::exports {

// count and units: values and intervals are integers.
bool IsIntegerMeasure(std::string_view measure);
// `value` as the body writes it for `measure`: an integer or a double.
nlohmann::json NumberJson(std::string_view measure, double value);

// OK when `output`'s cells are, table by table in `output.tables`' order,
// the full cross-product of each table's codes (a dimension's listed codes,
// or all the frame declares; the last dimension fastest), "*" for a frame
// dimension the table sums over. InvalidArgument naming `where`, the table
// and the cell's position otherwise (or an unknown dimension).
Status CheckCrossProduct(const Frame& frame, const Output& output, const std::string& where);

}  // namespace hdhub::exports
