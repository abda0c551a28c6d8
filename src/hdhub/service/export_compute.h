// Internal to export_service.cc: an export request's outputs computed from
// the author's workspace (docs/airlock-workflow.md §6 "On change and
// submit"). Per (frame, measure): the frame's reference rows and rows
// (FrameQuery, ReferenceQuery) run through `run`, the data gathered
// (FrameDataBuilder), every table of the outputs over it protected together
// against the frame's ledger under `rules` (airlock::Protect), then each
// output's verdict, CSV (RenderTableCsv), size and SHA-256.
//
// The computation holds health data (the rows, the true values); what it
// returns holds published cells, counts, and for a release
// (export_release.cc) the CSV, the certificate's output, the ledger's tables
// and the Protect run's evidence (true values: sealed, never logged).
// Errors name outputs, frames and dimensions, never a value.
//
// Thread-safety: a pure function over its arguments (`run` is called from
// the caller's thread).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "hdhub/airlock/disclosure_rules.h"
#include "hdhub/common/status.h"
#include "hdhub/exports/certificate.h"
#include "hdhub/exports/export_store.h"
#include "hdhub/exports/frame.h"
#include "hdhub/sql/query_result.h"

namespace hdhub::service::internal {

// An output's declaration as the author gave it, and for a model, figure or
// custom output its file (uploaded with this change, or carried from the
// revision before).
struct DeclaredOutput {
  std::string name;
  std::string json;
  std::optional<std::string> content;
};

// An output computed for a revision.
struct ComputedOutput {
  exports::OutputRecord record;  // request, revision and logical_name left to the caller
  exports::RequestOutput flow;
  int64_t review_cells = 0;
  int64_t suppressed_cells = 0;
  int64_t repair_rounds = 0;
  // What a revision seals and a release keeps of it: the file (a table's
  // CSV, or the author's upload), the certificate's output and frame
  // (certificate.h), the ledger's tables (ids "<output>/<id>"), all empty
  // for a refused table; the name of its Protect run ("<frame>/<measure>")
  // and that run's ProtectionResult::ToJson(), for a refused table too
  // (empty for a file output). An upload is kept even when refused, so that
  // a later change carries it.
  std::string content;
  bool upload = false;
  exports::Output certified;
  exports::Frame frame;
  std::vector<exports::ReleaseTableRecord> ledger;
  std::string run;
  nlohmann::json evidence;
};

struct ComputeInput {
  std::string project;
  std::vector<DeclaredOutput> outputs;
  std::map<std::string, exports::FrameDeclaration> frames;  // by name
  // Frames of the project with a release already (§6 "Across frames").
  std::vector<std::string> released_frames;
  airlock::DisclosureRules rules;
  // Runs one statement in the author's session.
  std::function<StatusOr<sql::QueryResult>(const std::string& sql)> run;
};

// The name and kind of an output's declaration: InvalidArgument for
// malformed JSON, a missing or malformed name, or an unknown kind (absent:
// table).
struct OutputIdentity {
  std::string name;
  exports::RequestOutputKind kind = exports::RequestOutputKind::kTable;
};
StatusOr<OutputIdentity> DeclaredOutputIdentity(const std::string& json);

// Every output of `input`, in its order: tables protected per frame and
// measure; a model's file checked against its frame's rows (the
// observations); a figure judged with the table it draws; a custom file
// checked alone (exports/file_output.h). InvalidArgument for an output over
// an unknown frame, a file output without its file, and the errors of the
// declarations' parsers, of the queries and of Protect (docs §9).
StatusOr<std::vector<ComputedOutput>> ComputeOutputs(const ComputeInput& input, exports::ExportStore& store);

}  // namespace hdhub::service::internal
