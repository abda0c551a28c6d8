// ExportStore: the airlock's records in the hub's SQLite database
// (Hub::database_path()), component "exports" (export_schema.h; tables and
// invariants: docs/formats/exports.md, docs/airlock-workflow.md §3).
//
// A typed API over the tables, and nothing more: no policy, no audit event,
// no key use, no state machine. The service asks the policy, runs
// request_flow.h's Apply and logs the transition; this store persists what
// they decided, and the database's CHECKs and triggers refuse what §3 forbids
// whoever writes (append-only tables, final states, frozen frames, at most
// two reviews per revision and never by the author, release numbers 1, 2, …
// per project chained by their history hashes). Wrapped data keys are opaque
// BLOBs here; the service wraps and unwraps them.
//
// Each method is one transaction. WriteAtomically() runs several in one, so
// that a transition (its rows and its audit event) commits whole or not at
// all. Errors name request ids, project ids, frame and output names, tables
// and columns, never a person, a value or a comment; a trigger's refusal is
// FailedPrecondition with its message ("exports: …"), a taken key
// AlreadyExists (sqlite.h).
//
// Ownership: owns its connection. Thread-safety: every method may be called
// from several threads (one mutex over the connection; WriteAtomically holds
// it for its whole body).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/airlock/table_model.h"
#include "hdhub/catalog/sqlite.h"
#include "hdhub/common/bytes.h"
#include "hdhub/common/status.h"
#include "hdhub/exports/request_flow.h"

namespace hdhub::exports {

// export_frame: one SQL query of a project's workspace (§2.1).
struct FrameRecord {
  std::string project;
  std::string name;       // [a-z][a-z0-9_-]{0,63}
  std::string spec_json;  // the declaration, a JSON object
  std::string sql_sha256;
  std::string created_by;
  int64_t created_at_us = 0;
  std::optional<int64_t> released_seq;  // the first release with a table of it; then frozen
};

// export_request. `id` is allocated by CreateRequest.
struct RequestRecord {
  std::string id;  // <project>-e<n>
  std::string project;
  std::string author;
  std::string title;  // 1-200 characters
  RequestState state = RequestState::kDraft;
  int64_t revision = 1;  // the latest revision appended
  int64_t created_at_us = 0;
  Bytes wrapped_dek;  // the request's data key, wrapped; empty once destroyed
};

// export_revision.
struct RevisionRecord {
  std::string request;
  int64_t revision = 0;
  std::string manifest_json;
  Bytes manifest_salt;  // 32 random bytes
  int64_t created_at_us = 0;
};

// export_output: one output of one revision.
struct OutputRecord {
  std::string request;
  int64_t revision = 0;
  std::string name;  // [a-z][a-z0-9_-]{0,63}
  RequestOutputKind kind = RequestOutputKind::kTable;
  std::string format;  // csv, parquet, png, pdf, txt
  std::string declaration_json;
  std::string logical_name;  // the sealed object's name
  int64_t bytes = 0;
  std::string sha256;
  std::string verdict_json;
};

// One table of the ledger: release_table.
struct ReleaseTableRecord {
  std::string frame;
  std::string measure;  // count, units, sum
  airlock::TableSpec table;
  std::vector<airlock::ReleasedCell> cells;
};

// export_object: a sealed object the airlock wrote to the host, recorded so
// that the host check and a host migration know it (hub/host_records.h).
enum class ExportObjectKind {
  kRelease,   // a release's file or certificate, under the release's key
  kEvidence,  // a request revision's files and evidence, under the request's key
};

struct ExportObjectRecord {
  std::string object_name;  // on the host: SealedStore::ObjectNameFor(logical_name)
  std::string logical_name;
  // Filled by AppendRelease from the release (a caller's value, if any, must
  // agree); seq is set for release objects only.
  std::string project;
  std::string request;
  std::optional<int64_t> seq;
  ExportObjectKind kind = ExportObjectKind::kRelease;
  int64_t bytes = 0;   // of the ciphertext (SealedObjectInfo::ciphertext_size)
  std::string sha256;  // 64 lower-case hex digits, of the ciphertext
  // ListObjects: whether the object still holds readable data. Release
  // objects always (release keys are kept); evidence while its request's key
  // is not destroyed; after, a crypto-shredded leftover. Ignored when written.
  bool live = true;
};

// What AppendRelease writes. The store numbers it (seq) and computes
// certificate_sha256 = SHA-256(body) and history_after =
// HistoryNext(history_before, body) (airlock-certificate.md §3).
struct NewRelease {
  std::string project;
  std::string request;
  int64_t revision = 0;
  std::string body;            // the certificate body line
  std::string history_before;  // hex: the ledger head the release was protected against
  int64_t released_at_us = 0;
  Bytes wrapped_dek;        // the release's data key, wrapped
  int64_t audit_index = 0;  // used when AppendRelease gets no log callback
  std::vector<ReleaseTableRecord> tables;
  // Every object the release sealed on the host (its files, its certificate,
  // the request's evidence), recorded in the release's transaction.
  std::vector<ExportObjectRecord> objects;
};

// release.
struct ReleaseRecord {
  std::string project;
  int64_t seq = 0;
  std::string request;
  int64_t revision = 0;
  std::string body;
  std::string certificate_sha256;
  std::string history_before;
  std::string history_after;
  int64_t audit_index = 0;
  int64_t released_at_us = 0;
  Bytes wrapped_dek;
};

// airlock_hub_rules: a proposal (confirmed_by empty) or the rules in force.
struct HubRulesRecord {
  int64_t version = 0;
  std::string rules_json;  // canonical (sorted keys, no spaces)
  std::string proposed_by;
  std::string confirmed_by;
  int64_t at_us = 0;  // of the proposal, or of the confirmation
};

// The wrapping contexts of the airlock's data keys (§3): a request's
// (drafts, outputs, evidence) and a release's (the files that left).
std::string RequestKeyContext(std::string_view project, std::string_view request);
std::string ReleaseKeyContext(std::string_view project, int64_t seq);

class ExportStore {
 public:
  // Opens (creating if absent) the database at `db_path` and brings the
  // component to its newest schema. The errors of catalog::Database::Open and
  // ApplyMigrations.
  static StatusOr<std::unique_ptr<ExportStore>> Open(const std::string& db_path,
                                                     std::shared_ptr<const catalog::SqliteCipher> cipher = nullptr);

  // Runs `body` in one write transaction: the calls it makes on this store
  // join it, and its error rolls every one of them back. FailedPrecondition
  // when called from inside another body.
  Status WriteAtomically(const std::function<Status()>& body);

  // Frames. PutFrame records a frame or replaces its declaration while none
  // of its tables was released (FailedPrecondition after: another SQL is
  // another frame); InvalidArgument for a malformed project, name, digest or
  // JSON. GetFrame: NotFound.
  Status PutFrame(const FrameRecord& frame);
  StatusOr<FrameRecord> GetFrame(std::string_view project, std::string_view name);
  StatusOr<std::vector<FrameRecord>> ListFrames(std::string_view project);

  // Records `request` (its id ignored) as `<project>-e<n>`, n one more than the
  // project's last, allocated in the same transaction; state and revision as
  // given (a new request: draft, 1). Returns the id. InvalidArgument for a
  // malformed project, author or title.
  StatusOr<std::string> CreateRequest(const RequestRecord& request);
  // NotFound for an unknown id.
  StatusOr<RequestRecord> GetRequest(std::string_view id);
  // In creation order; either filter may be absent.
  StatusOr<std::vector<RequestRecord>> ListRequests(const std::optional<std::string>& project,
                                                    const std::optional<RequestState>& state);
  // Moves request `id` from `from` to `to`. NotFound for an unknown id;
  // FailedPrecondition when its stored state is not `from` (someone moved it
  // meanwhile) or when `from` is final.
  Status SetState(std::string_view id, RequestState from, RequestState to);
  // Destroys the request's wrapped data key (the project ended). Idempotent.
  Status DestroyRequestKey(std::string_view id);
  // A KEK rotation (hub/kek_rotation.cc): every request key not destroyed
  // and every release key replaced by what `rewrap` makes of it under its
  // context, in one transaction (any error leaves every key as it was).
  // The number of keys rewrapped. The key itself never changes, so the
  // database allows this and nothing else of a release row.
  using RewrapFn = std::function<StatusOr<Bytes>(std::string_view context, ByteSpan wrapped)>;
  StatusOr<size_t> RewrapKeys(const RewrapFn& rewrap);

  // Appends the next revision (1 first, then one more each time), which
  // becomes the request's current one. FailedPrecondition for another number
  // or a final request; InvalidArgument for a salt not of 32 bytes.
  Status AppendRevision(const RevisionRecord& revision);
  StatusOr<std::vector<RevisionRecord>> ListRevisions(std::string_view request);
  // Appends an output to the request's current revision. AlreadyExists for a
  // name taken in it; FailedPrecondition for another revision or a final
  // request; InvalidArgument for a malformed field (naming it).
  Status AppendOutput(const OutputRecord& output);
  // By name.
  StatusOr<std::vector<OutputRecord>> ListOutputs(std::string_view request, int64_t revision);

  // A checker's review of the current revision (its decisions and comments
  // as decisions_json). FailedPrecondition for an older revision, a third
  // review or the author reviewing; AlreadyExists for the same checker twice.
  Status AppendReview(std::string_view request, const CheckerReview& review);
  // Every review of the request, oldest first.
  StatusOr<std::vector<CheckerReview>> ListReviews(std::string_view request);
  // A return or rejection; one per revision (AlreadyExists for a second).
  Status AppendDecision(std::string_view request, const DecisionRecord& decision);
  StatusOr<std::vector<DecisionRecord>> ListDecisions(std::string_view request);

  // The project's history hash (hex): HistoryStart(project) before its first
  // release, else its last release's history_after.
  StatusOr<std::string> LedgerHead(std::string_view project);
  // Every table released from (frame, measure), release by release, each
  // with release_id = its release's seq in decimal: Protect's history.
  // DataLoss when a stored row does not parse.
  StatusOr<airlock::ReleaseHistory> Ledger(std::string_view project, std::string_view frame, std::string_view measure);
  // Using the log's index (§6 step 6): called once every row is known to be
  // accepted, inside the transaction; its error rolls the release back.
  using LogRelease = std::function<StatusOr<int64_t>(const ReleaseRecord& release)>;
  // In one transaction: Aborted, writing nothing, when LedgerHead(project) is
  // no longer `release.history_before`; otherwise the release row numbered
  // next, its tables, the frames they freeze and the request's state
  // `released`. FailedPrecondition when the request is not approved at that
  // revision (or in another project) or a table's frame is unknown;
  // InvalidArgument for a malformed table. With `log`, audit_index is what
  // it returns. Returns the stored row. Its objects are recorded with it:
  // InvalidArgument for a malformed one (empty name, negative size, digest
  // not hex) or one of another project or request, or evidence with a seq;
  // FailedPrecondition for a release object named for another seq;
  // AlreadyExists for an object name recorded before.
  StatusOr<ReleaseRecord> AppendRelease(const NewRelease& release, const LogRelease& log = nullptr);
  // NotFound for an unknown seq.
  StatusOr<ReleaseRecord> GetRelease(std::string_view project, int64_t seq);
  StatusOr<std::vector<ReleaseRecord>> ListReleases(std::string_view project);
  // Every object the airlock recorded, of every project, in the order
  // written, each with `live` as of now (ExportObjectRecord). DataLoss when a
  // stored row does not parse.
  StatusOr<std::vector<ExportObjectRecord>> ListObjects();
  // Request `request`'s objects only (its revisions' drafts and evidence,
  // its releases' files), in the order written.
  StatusOr<std::vector<ExportObjectRecord>> ListRequestObjects(std::string_view request);
  // Records the sealed objects of revision `revision` of `request` (its
  // outputs' files and the checks' evidence, §3), kind evidence, project and
  // request filled in. FailedPrecondition when `revision` is not the
  // request's current one; InvalidArgument for a malformed object, a release
  // object or one of another request; AlreadyExists for a name recorded
  // before. Joins the caller's transaction.
  Status AppendRevisionObjects(std::string_view request, int64_t revision,
                               const std::vector<ExportObjectRecord>& objects);

  // The hub's airlock rules under dual control: one operator proposes (a new
  // version, replacing any earlier proposal), a second, different one
  // confirms the same JSON (compared canonically), which puts it in force.
  // InvalidArgument for rules DisclosureRules::FromJson refuses;
  // FailedPrecondition for nothing to confirm (none proposed, or the latest
  // proposal already confirmed) or other JSON; PermissionDenied for the
  // proposer confirming.
  StatusOr<HubRulesRecord> ProposeRules(std::string_view rules_json, std::string_view by, int64_t at_us);
  StatusOr<HubRulesRecord> ConfirmRules(std::string_view rules_json, std::string_view by, int64_t at_us);
  // The rules in force (nullopt: none confirmed yet, the defaults apply) and
  // the proposal waiting for a second operator (nullopt: none).
  StatusOr<std::optional<HubRulesRecord>> CurrentRules();
  StatusOr<std::optional<HubRulesRecord>> PendingRules();

  explicit ExportStore(std::unique_ptr<catalog::Database> db) : db_(std::move(db)) {}

 private:
  // `fn()` under the mutex (a read of one statement needs no transaction).
  template <typename Fn>
  auto Locked(const Fn& fn) {
    std::lock_guard lock(mu_);
    return fn();
  }
  // `fn` in a write transaction, or in the one already open (a
  // WriteAtomically body, a method calling another).
  Status Write(const std::function<Status()>& fn);
  Status InsertRelease(const NewRelease& r, const ReleaseRecord& row);
  // The release's objects (export_objects.cc); the caller holds the transaction.
  Status InsertObjects(const NewRelease& r, const ReleaseRecord& row);
  // The first hub rules row after `where` (a WHERE/ORDER BY tail), if any.
  StatusOr<std::optional<HubRulesRecord>> OneRules(std::string_view where);

  std::recursive_mutex mu_;
  bool txn_open_ = false;  // a transaction of Write() is open; guarded by mu_
  std::unique_ptr<catalog::Database> db_;
};

}  // namespace hdhub::exports
