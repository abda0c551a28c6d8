// The airlock's export requests as the service layer shows them
// (docs/airlock-workflow.md §8): what a change asks for, what a reader sees,
// what a list holds, a checker's review and a return or rejection. The
// Service methods that take and give these are in service.h; their code is
// in export_service.cc (access, transitions, events) and export_compute.cc
// (the outputs computed from the author's workspace and protected).
//
// Thread-safety: values.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "hdhub/airlock/disclosure_rules.h"
#include "hdhub/exports/bundle.h"
#include "hdhub/exports/export_store.h"
#include "hdhub/exports/request_flow.h"
#include "hdhub/projects/project_store.h"

namespace hdhub::service {

// One change of a request (§4 "change"): each starts a new revision whose
// outputs are all computed again.
enum class ExportChangeKind {
  kFrame,      // add or replace a frame: `json` is its declaration (exports/frame.h)
  kOutput,     // add or replace an output: `json` is its declaration (exports/table_output.h,
               // exports/file_output.h), `content` the file of a model, figure or custom output
  kRemove,     // remove the output named `name`
  kRecompute,  // the same outputs, computed again
};

struct ExportChange {
  ExportChangeKind kind = ExportChangeKind::kRecompute;
  std::string json;
  std::string name;
  // kOutput of a model, figure or custom output: the author's file. Absent
  // when replacing such an output's declaration only (its file is carried
  // from the current revision); never with a table output.
  std::optional<std::string> content;
};

// A request as a reader sees it: the record (its wrapped data key left
// out), the project's frames, the outputs of the current revision with their
// sizes, digests and verdicts, every review (comments included) and every
// return or rejection.
// One released file (§6 "Release" step 7), or one a checker reads before:
// its name as the author gave the output, format, size, SHA-256 (hex) and
// bytes.
struct ReleasedFile {
  std::string name;
  std::string format;  // csv for a table; csv, parquet, png, pdf or txt for a file output
  int64_t bytes = 0;
  std::string sha256;
  std::string content;
};

struct ExportRequestView {
  exports::RequestRecord request;
  std::vector<exports::FrameRecord> frames;
  std::vector<exports::OutputRecord> outputs;
  std::vector<exports::CheckerReview> reviews;
  std::vector<exports::DecisionRecord> decisions;
  // Asked with `evidence` (checkers, kAirlockEvidence): each output's
  // verdict as the automatic checks gave it, in the outputs' order; and,
  // when the revision's objects were sealed at change (every revision since
  // they are), each output's file as it would leave (none for a refused
  // output) and the checks with true values (`{"salt", "runs": {"<frame>/
  // <measure>": ProtectionResult::ToJson()}}`).
  std::optional<std::vector<std::string>> evidence;
  std::optional<std::vector<ReleasedFile>> files;
  std::optional<std::string> checks;
};

// One line of ListExportRequests.
struct ExportRequestSummary {
  std::string id;
  std::string project;
  std::string author;
  std::string title;
  exports::RequestState state = exports::RequestState::kDraft;
  int64_t revision = 0;
  int64_t created_at_us = 0;
};

// Either member may be absent.
struct ExportFilter {
  std::optional<std::string> project;
  std::optional<exports::RequestState> state;
};

// A checker's review of the revision she read (§8's `Review`).
struct ExportReview {
  int64_t revision = 0;
  std::vector<exports::OutputReview> decisions;
};

// A return (`reject` false) or a rejection, of the revision read, with the
// checker's reason (§8's `Decision`).
struct ExportDecision {
  bool reject = false;
  int64_t revision = 0;
  std::string reason;
};

// The hub's airlock rules (§5 `kAirlockRules`, docs/airlock-workflow.md §3):
// those in force (the confirmed ones, else the defaults), the confirmed
// record if any, and a proposal waiting for a second operator if any.
struct AirlockRulesView {
  airlock::DisclosureRules in_force;
  std::optional<exports::HubRulesRecord> confirmed;
  std::optional<exports::HubRulesRecord> pending;
};

// What a release or a download answers: the files and the certificate
// bundle (`bundle.Serialize()` is the `<request>.hdhub-cert` file).
struct ReleasedFiles {
  std::string request;
  std::string project;
  int64_t seq = 0;
  int64_t revision = 0;
  std::string certificate_sha256;
  std::vector<ReleasedFile> files;  // by name
  exports::Bundle bundle;
};

// One output of a register entry: identifiers and size only.
struct RegisterOutput {
  std::string name;
  std::string kind;
  std::string format;
  int64_t bytes = 0;
};

// One release in the transparency register (§6 "Register"): no cell, no
// value, no checker.
struct RegisterEntry {
  std::string project;
  std::string authorisation_ref;
  int64_t seq = 0;
  int64_t released_at_us = 0;
  std::vector<RegisterOutput> outputs;
  std::string certificate_sha256;
  int64_t audit_index = 0;
  // The release's register entry (docs/formats/audit-log.md §9): none for a
  // release made before hubs recorded them.
  std::optional<int64_t> register_entry;
};

// Who reads the public register (issue 11): a visitor without an account.
// It proves nothing and grants nothing but the policy's kPublic rows.
struct PublicContext {
  std::string client_address;  // the peer's IP address, logged
};

// One project in the public register: what was authorised and what left.
// No member, approver or author, no threshold, no value.
struct PublicProject {
  std::string project;
  std::string authorisation_ref;
  std::string purpose;
  projects::ProjectScope scope;  // the data used, as approved
  TimePoint start;
  TimePoint end;
  projects::ProjectState state = projects::ProjectState::kApproved;  // never kDraft
  std::vector<RegisterEntry> releases;                               // oldest first
  // The register entry of its latest approval (audit-log.md §9): none for a
  // project approved before hubs recorded them.
  std::optional<int64_t> register_entry;
};

// A register line's public fields as the register shows them, which its
// register entry's text_sha256 covers: the SHA-256 of their canonical JSON
// (audit-log.md §9). A project's: project, authorisation, purpose, scope,
// start, end. A release's: project, authorisation, release, released_at,
// outputs, certificate_sha256.
nlohmann::json RegisterFields(const PublicProject& project);
nlohmann::json RegisterFields(const RegisterEntry& release);

// A register entry with what proves it (audit-log.md §9): the entry's bytes
// as stored, its inclusion proof in the tree of the latest signed
// checkpoint's size, that checkpoint as stored and the verifier key of the
// hub's log.
struct RegisterProof {
  uint64_t index = 0;
  std::string entry;
  uint64_t size = 0;
  std::vector<audit::Hash> proof;
  std::string checkpoint;
  std::string log_key;
};

}  // namespace hdhub::service
