// The opt-out set: people who object to research use of their data (DESIGN
// §3). A source sends its full current list (NIR, NAI_DTE, SEX_COD); it is
// pseudonymized like any extract (stage 1 at the source, stage 2 at the hub)
// and ingested as a version of the dataset OPT_OUT, whose one column is the
// person's pseudonym. Each version replaces the previous list; workspace
// builds remove the people of the latest committed version.
#pragma once

#include <string_view>

namespace hdhub::ingest {

inline constexpr std::string_view kOptOutDataset = "OPT_OUT";

// hdhub's own Table Schema of the opt-out list (one person pseudonym column).
inline constexpr std::string_view kOptOutSchemaJson = R"json({
  "name": "OPT_OUT",
  "title": "People who object to research use of their data (hdhub)",
  "fields": [
    {"name": "BEN_NIR_PSA", "type": "string", "description": "the person's pseudonym",
     "constraints": {"required": true}}
  ],
  "missingValues": [""]
})json";

}  // namespace hdhub::ingest
