// ExportStore: frames, requests, revisions, outputs, reviews and decisions.
// The ledger, releases and hub rules are in export_release.cc.
#include "hdhub/exports/export_store.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <utility>

#include "hdhub/exports/export_rows.h"
#include "hdhub/exports/export_schema.h"

namespace hdhub::exports {
namespace {

using catalog::Statement;
using catalog::Transaction;
using internal::CheckAccount;
using internal::CheckJson;
using internal::CheckName;
using internal::CheckProject;
using internal::CheckSha256;
using internal::Damaged;
using internal::Execute;
using internal::Query;
using internal::SelectAll;
using internal::SelectOne;
using nlohmann::json;

constexpr size_t kMaxTitle = 200;
constexpr size_t kSaltSize = 32;

constexpr std::string_view kFrameColumns =
    "SELECT project, name, spec_json, sql_sha256, created_by, created_at_us, released_seq FROM export_frame";
constexpr std::string_view kRequestColumns =
    "SELECT id, project, author, title, state, revision, created_at_us, wrapped_dek FROM export_request";

StatusOr<FrameRecord> ReadFrame(const Statement& s) {
  FrameRecord f{.project = s.ColumnText(0),
                .name = s.ColumnText(1),
                .spec_json = s.ColumnText(2),
                .sql_sha256 = s.ColumnText(3),
                .created_by = s.ColumnText(4),
                .created_at_us = s.ColumnInt64(5)};
  if (!s.ColumnIsNull(6)) f.released_seq = s.ColumnInt64(6);
  return f;
}

StatusOr<RequestRecord> ReadRequest(const Statement& s) {
  RequestRecord r{
      .id = s.ColumnText(0), .project = s.ColumnText(1), .author = s.ColumnText(2), .title = s.ColumnText(3)};
  StatusOr<RequestState> state = ParseRequestState(s.ColumnText(4));
  if (!state.ok()) return Damaged("export_request", "state", r.id);
  r.state = *state;
  r.revision = s.ColumnInt64(5);
  r.created_at_us = s.ColumnInt64(6);
  r.wrapped_dek = s.ColumnBlob(7);
  return r;
}

StatusOr<RevisionRecord> ReadRevision(const Statement& s) {
  return RevisionRecord{.request = s.ColumnText(0),
                        .revision = s.ColumnInt64(1),
                        .manifest_json = s.ColumnText(2),
                        .manifest_salt = s.ColumnBlob(3),
                        .created_at_us = s.ColumnInt64(4)};
}

StatusOr<OutputRecord> ReadOutput(const Statement& s) {
  OutputRecord o{.request = s.ColumnText(0), .revision = s.ColumnInt64(1), .name = s.ColumnText(2)};
  StatusOr<RequestOutputKind> kind = ParseRequestOutputKind(s.ColumnText(3));
  if (!kind.ok()) return Damaged("export_output", "kind", o.request + "/" + o.name);
  o.kind = *kind;
  o.format = s.ColumnText(4);
  o.declaration_json = s.ColumnText(5);
  o.logical_name = s.ColumnText(6);
  o.bytes = s.ColumnInt64(7);
  o.sha256 = s.ColumnText(8);
  o.verdict_json = s.ColumnText(9);
  return o;
}

// decisions_json: [{"output", "decision", "comment"}], in the review's order.
StatusOr<std::string> DecisionsJson(const std::vector<OutputReview>& decisions) {
  json out = json::array();
  for (const OutputReview& d : decisions) {
    out.push_back({{"output", d.output}, {"decision", ToString(d.decision)}, {"comment", d.comment}});
  }
  try {
    return out.dump();
  } catch (const json::exception&) {
    return InvalidArgumentError("export_review.decisions_json: outputs and comments must be UTF-8");
  }
}

StatusOr<CheckerReview> ReadReview(const Statement& s) {
  const std::string key = s.ColumnText(0) + " r" + std::to_string(s.ColumnInt64(1));
  CheckerReview r{.checker = s.ColumnText(2), .revision = s.ColumnInt64(1), .at_us = s.ColumnInt64(4)};
  const json j = json::parse(s.ColumnText(3), nullptr, false);
  if (!j.is_array()) return Damaged("export_review", "decisions_json", key);
  for (const json& d : j) {
    if (!d.is_object() || !d.value("output", json()).is_string() || !d.value("comment", json()).is_string() ||
        !d.value("decision", json()).is_string()) {
      return Damaged("export_review", "decisions_json", key);
    }
    StatusOr<OutputDecision> decision = ParseOutputDecision(d["decision"].get<std::string>());
    if (!decision.ok()) return Damaged("export_review", "decisions_json", key);
    r.decisions.push_back(
        {.output = d["output"].get<std::string>(), .decision = *decision, .comment = d["comment"].get<std::string>()});
  }
  return r;
}

StatusOr<DecisionRecord> ReadDecision(const Statement& s) {
  DecisionRecord d{.reject = s.ColumnText(3) == "reject", .actor = s.ColumnText(2), .revision = s.ColumnInt64(1)};
  StatusOr<DecisionReason> reason = ParseDecisionReason(s.ColumnText(4));
  if (!reason.ok()) return Damaged("export_decision", "reason", s.ColumnText(0));
  d.reason = *reason;
  d.text = s.ColumnText(5);
  d.at_us = s.ColumnInt64(6);
  return d;
}

Status ValidateOutput(const OutputRecord& o) {
  RETURN_IF_ERROR(CheckName("export_output.name", o.name));
  static const std::vector<std::string_view> kFormats = {"csv", "parquet", "png", "pdf", "txt"};
  if (std::find(kFormats.begin(), kFormats.end(), o.format) == kFormats.end()) {
    return InvalidArgumentError("export_output.format must be csv, parquet, png, pdf or txt");
  }
  RETURN_IF_ERROR(CheckJson("export_output.declaration_json", o.declaration_json, false));
  RETURN_IF_ERROR(CheckJson("export_output.verdict_json", o.verdict_json, false));
  if (o.logical_name.empty()) return InvalidArgumentError("export_output.logical_name must not be empty");
  if (o.bytes < 0) return InvalidArgumentError("export_output.bytes must not be negative");
  return CheckSha256("export_output.sha256", o.sha256);
}

}  // namespace

StatusOr<std::unique_ptr<ExportStore>> ExportStore::Open(const std::string& db_path,
                                                         std::shared_ptr<const catalog::SqliteCipher> cipher) {
  ASSIGN_OR_RETURN(std::unique_ptr<catalog::Database> db,
                   catalog::Database::Open(db_path, catalog::Database::kDefaultBusyTimeoutMs, std::move(cipher)));
  RETURN_IF_ERROR(catalog::ApplyMigrations(db.get(), kExportsComponent, ExportMigrations()));
  return std::make_unique<ExportStore>(std::move(db));
}

Status ExportStore::Write(const std::function<Status()>& fn) {
  std::lock_guard lock(mu_);
  if (txn_open_) return fn();  // joins the transaction of the caller up the stack
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db_.get(), Transaction::Mode::kWrite));
  txn_open_ = true;
  Status status = fn();
  txn_open_ = false;
  RETURN_IF_ERROR(status);
  return txn.Commit();
}

Status ExportStore::WriteAtomically(const std::function<Status()>& body) {
  std::lock_guard lock(mu_);
  if (txn_open_) return FailedPreconditionError("exports: WriteAtomically inside a transaction of the store");
  return Write(body);
}

Status ExportStore::PutFrame(const FrameRecord& f) {
  RETURN_IF_ERROR(CheckProject("export_frame.project", f.project));
  RETURN_IF_ERROR(CheckName("export_frame.name", f.name));
  RETURN_IF_ERROR(CheckJson("export_frame.spec_json", f.spec_json, true));
  RETURN_IF_ERROR(CheckSha256("export_frame.sql_sha256", f.sql_sha256));
  RETURN_IF_ERROR(CheckAccount("export_frame.created_by", f.created_by));
  return Locked([&] {
    return Execute(*db_,
                   "INSERT INTO export_frame (project, name, spec_json, sql_sha256, created_by, created_at_us) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (project, name) DO UPDATE SET "
                   "spec_json = excluded.spec_json, sql_sha256 = excluded.sql_sha256, "
                   "created_by = excluded.created_by, created_at_us = excluded.created_at_us",
                   {f.project, f.name, f.spec_json, f.sql_sha256, f.created_by, f.created_at_us})
        .status();
  });
}

StatusOr<FrameRecord> ExportStore::GetFrame(std::string_view project, std::string_view name) {
  return Locked([&] {
    return SelectOne<FrameRecord>(*db_, std::string(kFrameColumns) + " WHERE project = ?1 AND name = ?2",
                                  {project, name}, ReadFrame, "frame " + std::string(name));
  });
}

StatusOr<std::vector<FrameRecord>> ExportStore::ListFrames(std::string_view project) {
  return Locked([&] {
    return SelectAll<FrameRecord>(*db_, std::string(kFrameColumns) + " WHERE project = ?1 ORDER BY name", {project},
                                  ReadFrame);
  });
}

StatusOr<std::string> ExportStore::CreateRequest(const RequestRecord& r) {
  RETURN_IF_ERROR(CheckProject("export_request.project", r.project));
  RETURN_IF_ERROR(CheckAccount("export_request.author", r.author));
  if (r.title.empty() || r.title.size() > kMaxTitle) {
    return InvalidArgumentError("export_request.title must be 1-200 characters");
  }
  if (r.wrapped_dek.empty()) return InvalidArgumentError("export_request.wrapped_dek must not be empty");
  std::string id;
  RETURN_IF_ERROR(Write([&]() -> Status {
    // Ids are never reused: requests are never deleted, so the next number
    // is one more than the largest.
    ASSIGN_OR_RETURN(Statement s, Query(*db_,
                                        "SELECT coalesce(max(CAST(substr(id, length(project) + 3) AS INTEGER)), 0) "
                                        "FROM export_request WHERE project = ?1",
                                        {r.project}));
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return InternalError("exports: no row from max()");
    id = r.project + "-e" + std::to_string(s.ColumnInt64(0) + 1);
    return Execute(*db_,
                   "INSERT INTO export_request (id, project, author, title, state, revision, created_at_us, "
                   "wrapped_dek) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                   {id, r.project, r.author, r.title, ToString(r.state), r.revision, r.created_at_us,
                    ByteSpan(r.wrapped_dek)})
        .status();
  }));
  return id;
}

StatusOr<RequestRecord> ExportStore::GetRequest(std::string_view id) {
  return Locked([&] {
    return SelectOne<RequestRecord>(*db_, std::string(kRequestColumns) + " WHERE id = ?1", {id}, ReadRequest,
                                    "export request " + std::string(id));
  });
}

StatusOr<std::vector<RequestRecord>> ExportStore::ListRequests(const std::optional<std::string>& project,
                                                               const std::optional<RequestState>& state) {
  internal::SqlArg p = project ? internal::SqlArg(std::string_view(*project)) : std::monostate{};
  internal::SqlArg st = state ? internal::SqlArg(ToString(*state)) : std::monostate{};
  return Locked([&] {
    return SelectAll<RequestRecord>(*db_,
                                    std::string(kRequestColumns) +
                                        " WHERE (?1 IS NULL OR project = ?1) AND (?2 IS NULL OR state = ?2)"
                                        " ORDER BY rowid",
                                    {p, st}, ReadRequest);
  });
}

Status ExportStore::SetState(std::string_view id, RequestState from, RequestState to) {
  if (IsFinal(from)) {
    return FailedPreconditionError("export request " + std::string(id) + " is " + std::string(ToString(from)) +
                                   ", a final state");
  }
  return Write([&]() -> Status {
    ASSIGN_OR_RETURN(int64_t changed, Execute(*db_, "UPDATE export_request SET state = ?3 WHERE id = ?1 AND state = ?2",
                                              {id, ToString(from), ToString(to)}));
    if (changed == 1) return OkStatus();
    RETURN_IF_ERROR(GetRequest(id).status());
    return FailedPreconditionError("export request " + std::string(id) + " is no longer " +
                                   std::string(ToString(from)));
  });
}

Status ExportStore::DestroyRequestKey(std::string_view id) {
  return Write([&]() -> Status {
    RETURN_IF_ERROR(GetRequest(id).status());
    return Execute(*db_, "UPDATE export_request SET wrapped_dek = X'' WHERE id = ?1", {id}).status();
  });
}

Status ExportStore::AppendRevision(const RevisionRecord& r) {
  RETURN_IF_ERROR(CheckJson("export_revision.manifest_json", r.manifest_json, false));
  if (r.manifest_salt.size() != kSaltSize)
    return InvalidArgumentError("export_revision.manifest_salt must be 32 bytes");
  return Locked([&] {
    return Execute(*db_,
                   "INSERT INTO export_revision (request, revision, manifest_json, manifest_salt, created_at_us) "
                   "VALUES (?1, ?2, ?3, ?4, ?5)",
                   {r.request, r.revision, r.manifest_json, ByteSpan(r.manifest_salt), r.created_at_us})
        .status();
  });
}

StatusOr<std::vector<RevisionRecord>> ExportStore::ListRevisions(std::string_view request) {
  return Locked([&] {
    return SelectAll<RevisionRecord>(*db_,
                                     "SELECT request, revision, manifest_json, manifest_salt, created_at_us "
                                     "FROM export_revision WHERE request = ?1 ORDER BY revision",
                                     {request}, ReadRevision);
  });
}

Status ExportStore::AppendOutput(const OutputRecord& o) {
  RETURN_IF_ERROR(ValidateOutput(o));
  return Locked([&] {
    return Execute(*db_,
                   "INSERT INTO export_output (request, revision, name, kind, format, declaration_json, "
                   "logical_name, bytes, sha256, verdict_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                   {o.request, o.revision, o.name, ToString(o.kind), o.format, o.declaration_json, o.logical_name,
                    o.bytes, o.sha256, o.verdict_json})
        .status();
  });
}

StatusOr<std::vector<OutputRecord>> ExportStore::ListOutputs(std::string_view request, int64_t revision) {
  return Locked([&] {
    return SelectAll<OutputRecord>(*db_,
                                   "SELECT request, revision, name, kind, format, declaration_json, logical_name, "
                                   "bytes, sha256, verdict_json FROM export_output "
                                   "WHERE request = ?1 AND revision = ?2 ORDER BY name",
                                   {request, revision}, ReadOutput);
  });
}

Status ExportStore::AppendReview(std::string_view request, const CheckerReview& r) {
  RETURN_IF_ERROR(CheckAccount("export_review.checker", r.checker));
  ASSIGN_OR_RETURN(std::string decisions, DecisionsJson(r.decisions));
  return Locked([&] {
    return Execute(*db_,
                   "INSERT INTO export_review (request, revision, checker, decisions_json, at_us) "
                   "VALUES (?1, ?2, ?3, ?4, ?5)",
                   {request, r.revision, r.checker, decisions, r.at_us})
        .status();
  });
}

StatusOr<std::vector<CheckerReview>> ExportStore::ListReviews(std::string_view request) {
  return Locked([&] {
    return SelectAll<CheckerReview>(*db_,
                                    "SELECT request, revision, checker, decisions_json, at_us FROM export_review "
                                    "WHERE request = ?1 ORDER BY revision, at_us, rowid",
                                    {request}, ReadReview);
  });
}

Status ExportStore::AppendDecision(std::string_view request, const DecisionRecord& d) {
  RETURN_IF_ERROR(CheckAccount("export_decision.actor", d.actor));
  return Locked([&] {
    return Execute(*db_,
                   "INSERT INTO export_decision (request, revision, actor, action, reason, text, at_us) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                   {request, d.revision, d.actor, std::string_view(d.reject ? "reject" : "return"), ToString(d.reason),
                    d.text, d.at_us})
        .status();
  });
}

StatusOr<std::vector<DecisionRecord>> ExportStore::ListDecisions(std::string_view request) {
  return Locked([&] {
    return SelectAll<DecisionRecord>(*db_,
                                     "SELECT request, revision, actor, action, reason, text, at_us "
                                     "FROM export_decision WHERE request = ?1 ORDER BY revision",
                                     {request}, ReadDecision);
  });
}

}  // namespace hdhub::exports
