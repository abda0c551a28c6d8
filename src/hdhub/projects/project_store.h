// ProjectStore: research projects and their workspaces, kept in the hub's
// SQLite database (Hub::database_path()) under the component "projects".
// Tables and invariants: docs/formats/projects.md.
//
// A project exists only with its authorisation: reference, purpose, scope
// (scope.h), members, a window [start, end) and disclosure thresholds.
//
//   draft ──(two approvals by two different operators)──▶ approved
//     ▲                                                      │
//     └──────────── a new scope or member list ◀─────────────┤
//   approved + start <= now < end: active (members may query)│
//   close (operator) ─▶ closed;  now >= end, swept ─▶ expired (keys destroyed)
//
// Each project has its own pseudonymization key K_project (stage 3), random,
// stored only wrapped by the KEK, and each workspace build its own data key;
// shredding a project destroys both (crypto-shredding).
//
// Who may act (a Principal from the directory, acting in one role) is the
// one policy's decision (directory/policy.h): create and change, operator or
// steward; approve, an operator who is not a member, never twice for one scope
// version (two different operators activate it); close, an operator; read,
// staff or the project's members. Every change and every refusal is an audit
// event (audit::Record); a change whose event cannot be logged is rolled back.
//
// Ownership: borrows the clock, log and key store. Thread-safety: every
// method may be called from several threads (one mutex over the connection).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "hdhub/audit/audit_log.h"
#include "hdhub/catalog/sqlite.h"
#include "hdhub/common/clock.h"
#include "hdhub/common/network.h"
#include "hdhub/directory/policy.h"
#include "hdhub/keys/key_store.h"
#include "hdhub/projects/scope.h"

namespace hdhub::projects {

enum class ProjectState { kDraft, kApproved, kClosed, kExpired };
std::string_view ProjectStateName(ProjectState state);

// Where a project stands at a given time.
enum class Phase { kDraft, kNotStarted, kActive, kEnded, kClosed, kExpired };
std::string_view PhaseName(Phase phase);

struct Thresholds {
  int min_cell_count = 10;   // smallest count a released table may show
  double dominance_n = 2;    // NK rule: the n largest contributors…
  double dominance_k = 0.9;  // …may not make more than k of a cell
  double p_percent = 0.1;    // p% rule
  std::string ToJson() const;
  static StatusOr<Thresholds> FromJson(std::string_view json);
};

struct ProjectSpec {
  std::string id;                 // [a-z][a-z0-9-]{0,63}
  std::string authorisation_ref;  // e.g. "CNIL-DR-2026-123", 1-128 of [A-Za-z0-9._:/-]
  std::string purpose;            // 1-2000 characters
  ProjectScope scope;
  std::vector<std::string> members;  // directory user names
  TimePoint start;
  TimePoint end;
  Thresholds thresholds;
  // The client addresses its rows may go to (a session opened, a statement
  // run, from elsewhere is refused); at least one. Default: loopback only.
  std::vector<Network> client_networks = LoopbackNetworks();
  // The project's airlock rules over the hub's (airlock::ProjectRulesFromJson):
  // a JSON object, `{}` for the hub's as they are. Set at creation.
  std::string airlock_rules_json = "{}";
};

struct ProjectRecord {
  ProjectSpec spec;
  ProjectState state = ProjectState::kDraft;
  int64_t scope_version = 1;
  std::vector<std::string> approvers;  // of the current scope version
  std::string created_by;
  TimePoint created_at;
  std::optional<TimePoint> ended_at;  // closed or expired
  Bytes wrapped_pseudonym_key;        // empty once shredded
  Phase PhaseAt(TimePoint now) const;
};

enum class WorkspaceState { kBuilding, kReady, kDiscarded, kShredded };
std::string_view WorkspaceStateName(WorkspaceState state);

struct WorkspaceObject {
  std::string table;
  std::string logical_name;
  std::string object_name;
  uint64_t rows = 0;
  uint64_t ciphertext_size = 0;
  std::string ciphertext_sha256;
};

struct WorkspaceRecord {
  std::string project;
  int64_t build = 0;
  WorkspaceState state = WorkspaceState::kBuilding;
  Bytes wrapped_dek;            // empty once shredded
  std::string provenance_json;  // dataset versions, scope digest and version, opt-out version
  std::string built_by;
  TimePoint built_at;
  std::vector<WorkspaceObject> objects;
};

// The one answer to a caller who may not see project `id`, whether it exists
// or not (PermissionDenied "project <id> is unknown or not yours"): which ids
// exist is not disclosed. The audit event says which it was.
Status UnknownOrNotYoursError(std::string_view id);

// The wrapping contexts of a project's keys.
std::string PseudonymKeyContext(std::string_view project);
std::string WorkspaceKeyContext(std::string_view project, int64_t build);

class ProjectStore {
 public:
  // The key store as one actor uses it (its uses logged under that actor).
  using KeysFor = std::function<std::unique_ptr<keys::KeyStore>(const audit::Actor&)>;
  // Project keys are wrapped and unwrapped through the view `keys_for`
  // returns for the acting account (the hub's audited key uses: Hub::KeysFor),
  // never through a store shared by every request.
  // `cipher`: the hub's state is encrypted on disk (catalog/sqlite_cipher.h).
  static StatusOr<std::unique_ptr<ProjectStore>> Open(const std::string& db_path, Clock* clock, audit::AuditLog* log,
                                                      KeysFor keys_for,
                                                      std::shared_ptr<const catalog::SqliteCipher> cipher = nullptr);
  // Views that forward to `store` unchanged, for whoever acts (tests, and
  // tools with no audited key store); `store` must outlive them.
  static KeysFor Borrowed(keys::KeyStore* store);

  // What the store cannot check alone (the scope against the catalog, the
  // members against the directory): OK, or InvalidArgument naming the field.
  using SpecCheck = std::function<Status(const ProjectSpec& spec)>;

  // Event project.create. AlreadyExists for a taken id; InvalidArgument for a
  // malformed field, an empty member list, a window that ends before it
  // starts or has already ended, or what `check` (when given) refuses; the
  // checks run once the policy allowed the caller, so that their answers
  // (which tables and accounts exist) go only to those who may create.
  Status Create(const directory::Principal& who, directory::Role as, const ProjectSpec& spec,
                const SpecCheck& check = nullptr);
  // Event project.approve. FailedPrecondition when not a draft or when this
  // operator already approved this scope version. Returns the new state.
  StatusOr<ProjectState> Approve(const directory::Principal& who, std::string_view id);
  // A new scope and member list, and client networks and airlock rules
  // (a JSON object) when given (else they stay): scope version + 1, back to
  // draft until two new approvals (event project.change, with the rules'
  // SHA-256), checked as Create checks them. FailedPrecondition once
  // closed/expired or past the end of its window.
  Status Change(const directory::Principal& who, directory::Role as, std::string_view id, const ProjectScope& scope,
                const std::vector<std::string>& members, const SpecCheck& check = nullptr,
                const std::optional<std::vector<Network>>& client_networks = std::nullopt,
                const std::optional<std::string>& airlock_rules_json = std::nullopt);
  // Event project.close. FailedPrecondition when already closed or expired.
  Status Close(const directory::Principal& who, std::string_view id);

  // Reading: for someone who may not see it, UnknownOrNotYoursError whether
  // it exists or not (audited); NotFound for an unknown id to staff.
  StatusOr<ProjectRecord> Get(const directory::Principal& who, directory::Role as, std::string_view id);
  StatusOr<std::vector<ProjectRecord>> List(const directory::Principal& who, directory::Role as);
  // For the hub's own work (build, shredding, sessions), no permission check.
  StatusOr<ProjectRecord> GetForHub(std::string_view id);
  StatusOr<std::vector<ProjectRecord>> ListForHub();

  // Workspaces (called by the builder and the shredder).
  // The number the next build will take, and the start of that build
  // (AlreadyExists when another build took the number meanwhile).
  StatusOr<int64_t> NextWorkspaceBuild(std::string_view project);
  Status BeginWorkspace(std::string_view project, int64_t build, ByteSpan wrapped_dek, std::string_view built_by);
  Status AddWorkspaceObject(std::string_view project, int64_t build, const WorkspaceObject& object);
  Status FinishWorkspace(std::string_view project, int64_t build, std::string_view provenance_json);
  Status DiscardWorkspace(std::string_view project, int64_t build);
  // Destroys one workspace's data key (a newer build replaced it).
  Status ShredWorkspace(std::string_view project, int64_t build);
  StatusOr<std::vector<WorkspaceRecord>> Workspaces(std::string_view project);
  // NotFound when the project has no ready workspace.
  StatusOr<WorkspaceRecord> LatestReadyWorkspace(std::string_view project);
  // Destroys the wrapped keys of the project (K_project) and of its
  // workspaces, marks the workspaces shredded and the project `final_state`
  // (kClosed or kExpired), and truncates the database's WAL so no old page
  // holds a key. Idempotent for keys. Event logged by the caller.
  Status DestroyKeys(std::string_view project, ProjectState final_state);

  // A KEK rotation (hub/kek_rotation.h): replaces every wrapped key not yet
  // destroyed (projects' K_project, workspaces' DEKs) by what `rewrap`
  // returns for it, given its context (PseudonymKeyContext,
  // WorkspaceKeyContext), in one transaction; `rewrap`'s error rolls back
  // every change. Returns how many keys it rewrapped.
  using RewrapFn = std::function<StatusOr<Bytes>(std::string_view context, ByteSpan wrapped)>;
  StatusOr<size_t> RewrapKeys(const RewrapFn& rewrap);

  ProjectStore(std::unique_ptr<catalog::Database> db, Clock* clock, audit::AuditLog* log, KeysFor keys_for)
      : db_(std::move(db)), clock_(clock), log_(log), keys_for_(std::move(keys_for)) {}

 private:
  using Body = std::function<Status(audit::Event& event)>;
  // One audited change by `who` acting `as`: the policy decides `op` (with
  // membership read in the same transaction when `event` names a project),
  // then `body` changes the tables and the event is logged before COMMIT.
  Status Audited(const directory::Principal& who, directory::Role as, directory::Operation op, audit::Event event,
                 const Body& body);

  std::mutex mu_;
  std::unique_ptr<catalog::Database> db_;
  Clock* clock_;
  audit::AuditLog* log_;
  KeysFor keys_for_;
};

}  // namespace hdhub::projects
