// What the two CSV fuzz targets share: the tables a fuzz input may be read
// as, the oracle that knows their names, and the input written to a file.
//
// An input's first byte picks the table (and its second, for the ingest
// target, the policy for refused values); the rest is the file's bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/common/status.h"
#include "hdhub/ingest/csv_ingest.h"
#include "leak_oracle.h"

namespace hdhub::fuzz {

struct FuzzTable {
  std::string name;         // e.g. "ER_PRS_F"
  std::string schema_path;  // a Table Schema in ../shared/snds/schemas, or empty
  std::string schema_text;  // hdhub's own schema (the opt-out list), or empty
};

// SNDS tables of every shape (referential, flows, stays, codes) and the
// opt-out list; read once.
const std::vector<FuzzTable>& Tables();

// The oracle, allowing every table's and field's name.
const LeakOracle& Oracle();

// A directory of this process, for the input file and what a target writes.
const std::string& WorkDir();

// An empty directory of WorkDir() (e.g. "no nomenclature here").
const std::string& EmptyDir();

// Writes `bytes` to <WorkDir>/<name> and returns the path.
std::string WriteInput(std::string_view name, std::string_view bytes);

// Checks what a run over `input` said (its error, or its report and the
// report's issue texts) with Oracle(); `who` names the command.
template <typename Result>
void CheckOutcome(std::string_view who, const StatusOr<Result>& outcome, std::string_view input) {
  if (!outcome.ok()) {
    Oracle().Check(std::string(who) + "'s error", outcome.status().ToString(), input);
    return;
  }
  Oracle().Check(std::string(who) + "'s report", outcome->report.ToJson().dump(), input);
  Oracle().Check(std::string(who) + "'s issues", outcome->report.IssuesText(100), input);
}

// Ingests `request` into a new catalog and an in-memory host, with one thread
// (a fuzz target must be deterministic).
StatusOr<ingest::IngestResult> IngestOnce(const ingest::IngestRequest& request);

}  // namespace hdhub::fuzz
