// Service: every operation a person can do on a hub, one function each,
// taking the RequestContext of an authenticated account. The CLI (and later
// the HTTP API and the PG wire) only parse, call one of these and render.
//
// Each operation asks the one policy (directory/policy.h) which role the
// account acts in, and every decision, allowed or refused, is logged by the
// one recorder (audit/recorder.h): by the directory and the projects for
// their changes, by this layer for the rest (ingest, catalog reads and
// queries). The hub passphrase only opens the key store: no operation is
// allowed without an account.
//
// Ownership: owns the Hub. Thread-safety: every method may be called from
// several threads at once (each request's identity is its own context).
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "hdhub/audit/entry_filter.h"
#include "hdhub/audit/log_verifier.h"
#include "hdhub/catalog/catalog.h"
#include "hdhub/directory/directory.h"
#include "hdhub/hosts/host_registry.h"
#include "hdhub/hub/host_check.h"
#include "hdhub/hub/host_migration.h"
#include "hdhub/hub/hub.h"
#include "hdhub/hub/state_backup.h"
#include "hdhub/ingest/csv_ingest.h"
#include "hdhub/pgwire/engine.h"
#include "hdhub/pgwire/scram.h"
#include "hdhub/projects/project_store.h"
#include "hdhub/projects/session.h"
#include "hdhub/projects/workspace_builder.h"
#include "hdhub/service/context.h"
#include "hdhub/service/export_service.h"
#include "hdhub/sql/database.h"

namespace hdhub::service {

// What proves who makes a request: an API token, or a user's password.
struct Credentials {
  std::optional<SecretBytes> token;
  std::string user;
  std::optional<SecretBytes> password;
  // The request's id when the caller has one (a server's X-Request-Id, 16
  // hex digits), so the context and the audit entries carry it; empty: a
  // new random one.
  std::string request_id;
};

// What a PG wire login checks the client's SCRAM proof against
// (Service::PgwireLogin): the account's salt and the keys of its usable
// tokens, with the tokens' ids in the same order; or mock credentials (one
// key no proof matches, no id).
struct PgLogin {
  pgwire::ScramCredentials scram;
  std::vector<std::string> token_ids;  // parallel to scram.keys; empty for a mock
};

// Single sign-on: what a validated ID token (server/oidc.h) says of who
// logs in, and how the provider's groups and acr map to hdhub roles
// ([serve.oidc], docs/serve.md). Claim values stay in memory: no audit
// entry holds one.
struct OidcIdentity {
  std::string issuer;
  std::string subject;
  std::vector<std::string> groups;
  std::string acr;  // "" when the ID token has none
};
struct OidcRoleMapping {
  // A role is granted through single sign-on when the account holds it and
  // the identity is in one of its groups; a role absent here never is.
  std::map<directory::Role, std::vector<std::string>> groups;
  // A role listed here also needs the ID token's acr to satisfy this value
  // (OidcAcrSatisfies).
  std::map<directory::Role, std::string> acr;
};
// Whether `acr` satisfies `required`: equal, or both "loa-<n>" (LemonLDAP::NG's
// levels) with `acr`'s level at least `required`'s.
bool OidcAcrSatisfies(std::string_view acr, std::string_view required);
// The roles of `held` (kAllRoles order) that `identity` may act in under `mapping`.
std::vector<directory::Role> OidcGrantedRoles(const std::vector<directory::Role>& held, const OidcIdentity& identity,
                                              const OidcRoleMapping& mapping);

// The key store purpose of the key under which mock SCRAM salts are derived.
using hub::kScramMockPurpose;

// One line of the catalog listing.
struct CatalogLine {
  catalog::VersionRecord version;
  size_t objects = 0;
};

// What withdrawing a dataset version did (Service::WithdrawVersion).
struct WithdrawResult {
  std::string dataset;
  int64_t version = 0;
  std::optional<int64_t> current;                // the current version now; none when no committed one is left
  uint64_t objects_deleted = 0;                  // from the host
  std::vector<std::string> workspaces_shredded;  // "project <id> workspace <n>", built from that version
};

// What removing a dataset did (Service::RemoveDataset).
struct RemoveResult {
  std::string dataset;
  std::vector<int64_t> versions_shredded;
  uint64_t objects_deleted = 0;
};

// A project as its reader sees it, with its workspaces.
struct ProjectView {
  projects::ProjectRecord project;
  std::vector<projects::WorkspaceRecord> workspaces;
};

// An inclusion proof of entry `index` in the tree of the first `size`
// entries, and a consistency proof between two sizes (RFC 6962 / 9162).
struct InclusionProof {
  uint64_t index = 0, size = 0;
  audit::Hash leaf_hash{}, root{};
  std::vector<audit::Hash> proof;
};
struct ConsistencyProof {
  uint64_t size1 = 0, size2 = 0;
  audit::Hash root1{}, root2{};
  std::vector<audit::Hash> proof;
};
// A witness of hub.json and the latest checkpoint it cosigned, as its file
// holds it (unchecked: the reader verifies it), or why it could not be read.
struct WitnessView {
  std::string key;         // the witness's verifier key
  std::string checkpoint;  // the cosigned checkpoint's text; empty when `error` is set
  std::string error;
};
// A host of the registry with the decision of the policy in force on it,
// on the day of the request (hosts/sovereignty_policy.h).
struct HostView {
  hosts::HostRecord host;
  hosts::PlacementDecision decision;
  bool current = false;  // the hub's own host (hub.json)
};
enum class PolicyChange { kPending, kApplied };
// What `keys rotate` did: recorded the first operator's request, or rotated.
struct KekRotationOutcome {
  bool rotated = false;
  std::string requested_by;   // the first operator (when rotated: who asked)
  hub::KekRotation rotation;  // when rotated
};

// What `keys custodians` did: recorded the first operator's request, or put
// the stage-2 key in escrow with the new pair.
struct CustodiansOutcome {
  bool escrowed = false;
  std::string requested_by;   // the first operator
  std::string previous;       // the pair before ("" when none)
  keys::Stage2Escrow escrow;  // when escrowed: the record for the custodians
};

// What `host purge` did: the purge, and the first request of the KEK
// rotation that makes any copy left on the old host unreadable.
struct HostPurgeOutcome {
  hub::HostPurgeReport purge;
  std::string kek_rotation_requested_by;  // this operator, or whoever asked first
};

// One statement's result, in a request that may hold several.
struct StatementResult {
  size_t index = 0;  // from 0
  size_t count = 1;  // statements in the request
  sql::QueryResult result;
};
// Receives each statement's result, in order; its error stops the request.
using ResultSink = std::function<Status(const StatementResult&)>;

class Service {
 public:
  // Creates a hub with its first operator account (hub::Hub::Init).
  static Status Init(const hub::Backends& backends, const std::filesystem::path& dir, const SecretBytes& passphrase,
                     const hub::InitOptions& options, const hub::FirstOperator& first_operator);
  // Opens a hub (hub::Hub::Open).
  static StatusOr<std::unique_ptr<Service>> Open(const hub::Backends& backends, const std::filesystem::path& dir,
                                                 const SecretBytes& passphrase, Clock* clock,
                                                 const directory::DirectoryOptions& options = {},
                                                 const hub::OpenOptions& open_options = {});

  // The context of a request made with `credentials` from `client_address`,
  // acting in `as` when given. Unauthenticated, with one message whatever the
  // reason (logged by the directory), when they prove no account.
  StatusOr<RequestContext> Authenticate(const Credentials& credentials, std::string client_address,
                                        std::optional<directory::Role> as = std::nullopt);

  // Single sign-on (oidc_service.cc). A login: the account linked to the
  // identity (Directory::LinkOidc), active, acting only in the roles
  // OidcGrantedRoles gives. Logged auth.login (details.method "oidc",
  // details.source, details.roles; the account as actor, "unknown" for an
  // unlinked identity, reason on a refusal; never a claim value).
  // Unauthenticated, with one message whatever the reason (unlinked,
  // disabled, no role granted).
  StatusOr<RequestContext> AuthenticateOidc(const OidcIdentity& identity, const OidcRoleMapping& mapping,
                                            std::string client_address, std::string request_id = "");
  // Each request of a session that AuthenticateOidc opened with `roles`:
  // the identity is still linked to `user`, the account active, and the
  // context's roles are `roles` it still holds (none: refused). Refusals are
  // logged (auth.session, details.method "oidc", reason); a success is not
  // (the operation it authorises is). Unauthenticated, one message.
  StatusOr<RequestContext> AuthenticateOidcSession(const OidcIdentity& identity, const std::string& user,
                                                   const std::vector<directory::Role>& roles,
                                                   std::string client_address, std::optional<directory::Role> as,
                                                   std::string request_id);
  // A single sign-on login that failed before any account was known (the
  // provider refused, the state or the ID token did not check out): event
  // auth.login, actor "unknown", outcome denied, details.method "oidc",
  // details.reason `reason` (an identifier such as "invalid_state"),
  // details.source. The log's error when it cannot be logged, else OK.
  Status RecordOidcFailure(std::string_view client_address, std::string_view reason);
  // A single sign-on session ended by its user (event auth.logout,
  // details.method "oidc"). The log's error when it cannot be logged.
  Status RecordLogout(const RequestContext& ctx);
  // Operators: links and unlinks identities (Directory::LinkOidc,
  // UnlinkOidc, ListOidcLinks; policy user.oidc_link, user.oidc_unlink).
  Status LinkOidc(const RequestContext& ctx, const std::string& user, const std::string& issuer,
                  const std::string& subject);
  Status UnlinkOidc(const RequestContext& ctx, const std::string& user, const std::string& issuer);
  StatusOr<std::vector<directory::OidcLink>> ListOidcLinks(const RequestContext& ctx,
                                                           const std::optional<std::string>& user);

  // PG wire logins: user = the account, password = one of its API tokens,
  // by SCRAM-SHA-256 (pgwire/scram.h), in two steps around the exchange.
  // First, what to check the client's proof against (before the
  // server-first message): the account's salt and its usable tokens' keys
  // (Directory::ScramVerifiersOf). Never fails and logs nothing: an unknown,
  // malformed or disabled account, one without a usable token, or a
  // directory error gets mock credentials (a key no proof matches, under the
  // account's own salt when it has one, else a salt derived from `user`
  // under a key of the hub's key store, purpose kScramMockPurpose, the same
  // at every attempt and every restart), so the messages do not tell them apart.
  PgLogin PgwireLogin(std::string_view user);
  // Then the context: `matched_token_id` is the id in PgwireLogin's
  // token_ids of the key the proof matched (ScramServer::matched()),
  // nullopt when it matched none. Unauthenticated, with one message whatever
  // the reason; every attempt is logged by the directory (auth.token,
  // details.mechanism "scram-sha-256", details.source `client_address`).
  StatusOr<RequestContext> AuthenticatePgwire(std::string_view user, std::optional<std::string> matched_token_id,
                                              std::string client_address);
  // What a project session opened for `ctx` checks before each statement:
  // the account is still active and a researcher, and, for a context
  // authenticated by an API token, that token is neither revoked nor
  // expired. Unauthenticated otherwise (the session logs the refusal). The
  // check borrows this Service, which must outlive it.
  projects::ProjectSession::CredentialCheck CredentialCheckFor(const RequestContext& ctx);
  // Records a lockout `hdhub serve` starts after repeated failed logins
  // (server/limits.h): event auth.lockout by the hub, outcome denied, with
  // details.scope `scope` ("account" or "address"), details.source (the
  // address of the failure that locked it), details.failures and
  // details.seconds; objects.user names the account (when it is a valid
  // user name: a name tried that is not one is left out). The log's error
  // when the event cannot be logged.
  Status RecordLockout(std::string_view scope, std::string_view key, std::string_view client_address, uint32_t failures,
                       std::chrono::seconds duration);

  // Changes the key store's passphrase (operators; event key.passphrase).
  // InvalidArgument for a weak new passphrase; PermissionDenied for a wrong old one.
  Status ChangePassphrase(const RequestContext& ctx, const SecretBytes& old_passphrase,
                          const SecretBytes& new_passphrase);

  // Intake and catalog.
  StatusOr<ingest::IngestResult> Ingest(const RequestContext& ctx, const ingest::IngestRequest& request);
  StatusOr<std::vector<CatalogLine>> ListCatalog(const RequestContext& ctx, bool include_unfinished);
  // `version` 0: the latest committed one.
  StatusOr<catalog::VersionWithObjects> ShowVersion(const RequestContext& ctx, const std::string& dataset,
                                                    int64_t version);
  // Withdraws committed `version` of `dataset`, ingested by mistake
  // (operators and stewards; event dataset.withdraw with the dataset, version
  // and reason, logged before anything changes). Under the host lock (no
  // ingest, build or check meanwhile), in this order, so that a command
  // killed midway leaves no readable copy behind and what is left over is
  // found by `hdhub check`:
  //   1. the workspaces built from that version (of projects not yet
  //      shredded) are shredded: key destroyed, objects deleted; their
  //      projects need a rebuild, which reads the version current then;
  //   2. the catalog destroys the version's key and records the withdrawal
  //      in one transaction: the previous committed version is current;
  //   3. the version's objects are deleted from the host (a crash here
  //      leaves objects of a shredded version: leftovers `hdhub check` removes).
  // InvalidArgument for a bad reason; NotFound for an unknown dataset or
  // version; FailedPrecondition for a version not committed (already
  // withdrawn...), for the opt-out register (people leave it only through a
  // withdrawal list from the source), or when the host stays busy.
  StatusOr<WithdrawResult> WithdrawVersion(const RequestContext& ctx, const std::string& dataset, int64_t version,
                                           const std::string& reason);
  // Removes `dataset`, made by mistake (operators and stewards; event
  // dataset.remove): every version's key destroyed and the dataset hidden
  // from the catalog in one transaction (a tombstone stays; the name may be
  // ingested again, its versions numbered after the removed ones), then
  // every object deleted from the host. FailedPrecondition, naming them,
  // while a project not closed or expired reads the dataset; and for the
  // opt-out register. Errors otherwise as WithdrawVersion.
  StatusOr<RemoveResult> RemoveDataset(const RequestContext& ctx, const std::string& dataset,
                                       const std::string& reason);
  // SQL over every dataset's latest committed version (hub staff), each
  // statement of `sql_text` in turn under `limits`, its result handed to
  // `sink` (when given) before the next one runs. InvalidArgument when the
  // text holds no statement or does not parse (nothing runs); a statement's
  // error stops the rest, named "statement i of n" when there are several.
  // `progress`, when set, hears each statement's progress.
  Status QueryCatalog(const RequestContext& ctx, const std::string& sql_text, const sql::QueryLimits& limits,
                      const ResultSink& sink, ProgressFn progress = nullptr);
  // Operators: reconciles the host with the hub's records (hub/host_check.h):
  // discards unfinished work of dead processes, verifies every live object,
  // removes leftovers; event host.check with the counts. A damaged object is
  // in the report (the caller reports DataLoss), not an error here.
  StatusOr<hub::HostCheckReport> CheckHost(const RequestContext& ctx, const hub::HostCheckOptions& options);
  // The same in a project's workspace (its researcher members, within its
  // window), each statement checked (window, membership, credentials) and
  // audited on its own. A batch with a statement the sandbox refuses is
  // refused whole, before any of it runs. An unknown project and another
  // team's get one answer (projects::UnknownOrNotYoursError).
  Status QueryProject(const RequestContext& ctx, const std::string& project, const std::string& sql_text,
                      const projects::SessionLimits& limits, const ResultSink& sink);
  // A PG-wire engine (pgwire/engine.h) over a session of `project`
  // (projects/session.h), for one client connection of `hdhub serve`: the
  // same opening checks and refusals as QueryProject; every statement
  // prepared or run is checked again, sandboxed and audited as query.run,
  // and a statement's rows are read (within `limits`) and its event made
  // durable before the first row is handed on, so no row leaves unaudited.
  StatusOr<std::unique_ptr<pgwire::Engine>> OpenPgEngine(const RequestContext& ctx, const std::string& project,
                                                         const projects::SessionLimits& limits);

  // Accounts.
  Status AddUser(const RequestContext& ctx, const std::string& name, const std::vector<directory::Role>& roles,
                 const SecretBytes& password);
  StatusOr<std::vector<directory::UserRecord>> ListUsers(const RequestContext& ctx);
  Status SetPassword(const RequestContext& ctx, const std::string& name, const SecretBytes& password);
  StatusOr<directory::GrantState> GrantRole(const RequestContext& ctx, const std::string& name, directory::Role role);
  Status RevokeRole(const RequestContext& ctx, const std::string& name, directory::Role role);
  Status DisableUser(const RequestContext& ctx, const std::string& name);
  Status EnableUser(const RequestContext& ctx, const std::string& name);
  StatusOr<directory::IssuedToken> IssueToken(const RequestContext& ctx, const std::string& name,
                                              std::chrono::microseconds ttl, const std::string& label);
  StatusOr<std::vector<directory::TokenRecord>> ListTokens(const RequestContext& ctx,
                                                           const std::optional<std::string>& user);
  Status RevokeToken(const RequestContext& ctx, const std::string& id);

  // Projects.
  Status CreateProject(const RequestContext& ctx, const projects::ProjectSpec& spec);
  StatusOr<projects::ProjectState> ApproveProject(const RequestContext& ctx, const std::string& id);
  // `client_networks`: the new list, or nullopt to keep the project's;
  // `airlock_rules_json`: the project's new airlock rules (a JSON object,
  // checked as at creation), or nullopt to keep them.
  Status ChangeProject(const RequestContext& ctx, const std::string& id, const projects::ProjectScope& scope,
                       const std::vector<std::string>& members,
                       const std::optional<std::vector<Network>>& client_networks = std::nullopt,
                       const std::optional<std::string>& airlock_rules_json = std::nullopt);
  Status CloseProject(const RequestContext& ctx, const std::string& id);
  StatusOr<ProjectView> ShowProject(const RequestContext& ctx, const std::string& id);
  StatusOr<std::vector<projects::ProjectRecord>> ListProjects(const RequestContext& ctx);
  // `progress`, when set, hears each table's copy (common/progress.h).
  StatusOr<projects::BuildResult> BuildWorkspace(const RequestContext& ctx, const std::string& id,
                                                 ProgressFn progress = nullptr);
  // Shreds every project whose window has ended; returns their ids.
  StatusOr<std::vector<std::string>> SweepProjects(const RequestContext& ctx);

  // The audit log, for auditors and operators. Each read is itself logged
  // (audit.read, details.what), after it is made. A size of 0 means the
  // whole log as it stands.
  // Every check the hub makes at open, again and in full (Hub::VerifyAudit):
  // DataLoss naming the first problem.
  StatusOr<audit::VerifyReport> VerifyAudit(const RequestContext& ctx);
  // The entries `filter` selects, as stored (canonical JSON).
  StatusOr<std::vector<std::string>> AuditEntries(const RequestContext& ctx, const audit::EntryFilter& filter);
  StatusOr<InclusionProof> ProveInclusion(const RequestContext& ctx, uint64_t index, uint64_t size);
  StatusOr<ConsistencyProof> ProveConsistency(const RequestContext& ctx, uint64_t size1, uint64_t size2);
  // The latest signed checkpoint, and the verifier key that checks it.
  StatusOr<std::string> AuditCheckpoint(const RequestContext& ctx);
  StatusOr<std::string> AuditVerifierKey(const RequestContext& ctx);
  // Each witness of hub.json with its cosigned checkpoint, in hub.json's
  // order; a file that cannot be read gives that witness an error, not the call.
  StatusOr<std::vector<WitnessView>> AuditWitnesses(const RequestContext& ctx);
  // Operators, two of them (event audit.recover_checkpoint): republishes the
  // host's audit checkpoint after the host lost it, in a hub opened with
  // hub::OpenOptions::recover_host_checkpoint. The first operator's call is
  // recorded as pending (details.approvals 1); a second, different
  // operator's call republishes (details.approvals 2, details.requested_by
  // naming the first). kNotNeeded (logged too) when the host's checkpoint is
  // current; FailedPrecondition when the same operator asks twice.
  enum class CheckpointRecovery { kNotNeeded, kPending, kRepublished };
  StatusOr<CheckpointRecovery> RecoverCheckpoint(const RequestContext& ctx);

  // Hosts and the sovereignty policy (host_service.cc, docs/hosts.md).
  // Reads (operators, auditors; event host.read, details.what): every host,
  // or one (`name` empty: the hub's own) with the evidence of its decision.
  // NotFound for an unknown host.
  StatusOr<std::vector<HostView>> ListHosts(const RequestContext& ctx);
  StatusOr<HostView> ShowHost(const RequestContext& ctx, const std::string& name);
  // Operators (event host.change, details.change add|change, logged before
  // the change): declares a host, or replaces what is declared of one.
  // Adding a host places nothing on it: the view says whether the policy
  // would accept it. InvalidArgument for a bad spec; AlreadyExists for a
  // name or URI taken; NotFound for an unknown host (change);
  // FailedPrecondition for a new URI of the hub's own host (a migration's job).
  StatusOr<HostView> AddHost(const RequestContext& ctx, const hosts::HostSpec& spec);
  StatusOr<HostView> ChangeHost(const RequestContext& ctx, const hosts::HostSpec& spec);
  // A placement decision for host `name` (empty: the hub's own) on the day,
  // as a migration to it would ask (operators, auditors; event
  // host.placement, outcome denied for a refusal). FailedPrecondition naming
  // the host and the failed criteria when the policy refuses it.
  StatusOr<hosts::PlacementDecision> CheckPlacement(const RequestContext& ctx, const std::string& name);
  // The policy in force and any proposal (host.read).
  StatusOr<hosts::PolicyRecord> ShowHostPolicy(const RequestContext& ctx);
  // Operators, two of them (event host.policy): the first call proposes
  // `policy` (details.approvals 1), a different operator's call with the
  // same policy puts it in force (approvals 2, requested_by). A different
  // policy replaces the proposal. FailedPrecondition when the operator who
  // proposed it confirms it.
  StatusOr<PolicyChange> SetHostPolicy(const RequestContext& ctx, const hosts::SovereigntyPolicy& policy);

  // KEK rotation (key_service.cc; hub::Hub::RotateKek), operators, two of
  // them (event keys.rotate): the first call records a request for the KEK
  // `to_uri` (empty: a new key file; details.approvals 1); a second,
  // different operator's call for the same `to_uri` rotates (approvals 2,
  // details.requested_by), in a hub opened exclusively; a rotation stopped
  // midway is finished by any operator's call (details.resumed). `unlock`
  // seals a new key file or opens the new store. FailedPrecondition when the
  // same operator asks twice, or as Hub::RotateKek.
  StatusOr<KekRotationOutcome> RotateKek(const RequestContext& ctx, const hub::Backends& backends,
                                         const SecretBytes& unlock, const std::string& to_uri,
                                         const std::function<Status(std::string_view)>& after_step_for_test = nullptr);

  // A new pair of custodians for the stage-2 key (key_service.cc;
  // hub::Hub::MakeStageTwoEscrow), operators, two of them (event
  // keys.custodians, details.custodians the new pair's fingerprints): the
  // first call records a request for the pair `pair` makes (approvals 1); a
  // second, different operator's call with the same pair's contributions
  // puts the key in escrow with it (approvals 2, details.requested_by,
  // details.previous_custodians). The key and every pseudonym stay as they
  // are. FailedPrecondition when the same operator asks twice;
  // InvalidArgument unless `pair` is two different contributions.
  StatusOr<CustodiansOutcome> ChangeCustodians(const RequestContext& ctx,
                                               const std::vector<keys::CustodianContribution>& pair);

  // Host migration (host_migration_service.cc; hub/host_migration.h), by
  // operators (event host.migrate, details.step plan, copy, switch or
  // abandon): the target `to_name` must be in the registry and accepted by
  // the sovereignty policy today (a refusal logged as host.placement). The
  // switch's event is written once the hub is on the new host, so its
  // signed checkpoint is the new host's first. options.to_uri and to_name
  // are filled in from the registry.
  StatusOr<hub::HostMigrationPlan> PlanHostMigration(const RequestContext& ctx, const std::string& to_name,
                                                     hub::HostMigrationOptions options);
  StatusOr<hub::HostMigrationReport> MigrateHost(const RequestContext& ctx, const hub::Backends& backends,
                                                 const std::string& to_name, hub::HostMigrationOptions options);
  StatusOr<hub::HostMigrationJournal> AbandonHostMigration(const RequestContext& ctx);
  // The old host purged (event host.purge), then a first request to rotate
  // the KEK to `rotate_to` (empty: a new key file; an HSM hub names its new
  // key), checked before anything is deleted (event keys.rotate, approvals 1),
  // unless one is pending already.
  StatusOr<HostPurgeOutcome> PurgeRetiredHost(const RequestContext& ctx, const hub::Backends& backends,
                                              const std::string& rotate_to, const ProgressFn& progress);

  // A hub just rebuilt from its host's backup (hub::RestoreHubFiles) and
  // opened: an operator confirms it, every check of the log is made again
  // in full (Hub::VerifyAudit), and hub.restore is logged with what came
  // back. PermissionDenied for any other role: the caller then removes the
  // restored files.
  StatusOr<audit::VerifyReport> ConfirmRestore(const RequestContext& ctx, const hub::RestoreReport& restored);

  // The airlock's export requests (export_service.cc;
  // docs/airlock-workflow.md §4-§8), each asking the policy
  // (kAirlockRequest, kAirlockRead, kAirlockEvidence, kAirlockReview,
  // kAirlockDecide) and logging its decision; a transition (request_flow.h's
  // Apply) persisted with its event in one transaction. A caller who may not
  // read a request gets PermissionDenied "export request <id> is unknown or
  // not yours", whether it exists or not. Create: the author, a member, in a
  // session a QueryProject would get (projects::UnknownOrNotYoursError, the
  // window, a workspace ready). Change and submit compute every output in the
  // author's session (§6): InvalidArgument for a malformed declaration or a
  // kind other than table ("not supported yet"), the queries' and Protect's
  // errors (§9); Apply's codes for who and state.
  StatusOr<ExportRequestView> CreateExportRequest(const RequestContext& ctx, const std::string& project,
                                                  const std::string& title);
  StatusOr<ExportRequestView> ChangeExportRequest(const RequestContext& ctx, const std::string& id,
                                                  const ExportChange& change);
  StatusOr<ExportRequestView> SubmitExportRequest(const RequestContext& ctx, const std::string& id);
  Status WithdrawExportRequest(const RequestContext& ctx, const std::string& id);
  // A change (or a submit from returned) seals its revision's files and
  // checks on the host first (the placement's and the host's errors).
  // `evidence` (checkers, airlock.evidence): the outputs' verdicts, files
  // and the checks with true values too (ExportRequestView); DataLoss when
  // the host lost or altered one.
  StatusOr<ExportRequestView> ShowExportRequest(const RequestContext& ctx, const std::string& id, bool evidence);
  // The requests the caller may read (checkers and auditors: all; a
  // researcher: her projects'), in creation order.
  StatusOr<std::vector<ExportRequestSummary>> ListExportRequests(const RequestContext& ctx, const ExportFilter& filter);
  StatusOr<ExportRequestView> ReviewExportRequest(const RequestContext& ctx, const std::string& id,
                                                  const ExportReview& review);
  StatusOr<ExportRequestView> DecideExportRequest(const RequestContext& ctx, const std::string& id,
                                                  const ExportDecision& decision);
  // The release (export_release.cc, §6 steps 1-7): the author of an
  // approved request, in the project's window; every output computed again
  // in her session and protected against the ledger now. Bytes other than
  // the approved revision's (or a Protect error): the hub returns the request
  // (data-changed, or history-changed when the ledger moved) and answers
  // FailedPrecondition. Otherwise the files, the certificate body and the
  // evidence sealed on the host, the release and its airlock.release event
  // in one transaction (Aborted when another release of the project came
  // first), the log flushed; answers the files and the bundle.
  StatusOr<ReleasedFiles> ReleaseExportRequest(const RequestContext& ctx, const std::string& id);
  // The files of a released request again, read from the host (each checked
  // against the certificate) and a bundle made now: its author only (the
  // airlock.release row), logged airlock.read (what: download).
  // FailedPrecondition for a request not released.
  StatusOr<ReleasedFiles> DownloadRelease(const RequestContext& ctx, const std::string& id);
  // The transparency register (export_register.cc), every release or one
  // project's, oldest first: any account of the five roles
  // (kAirlockRegister), logged airlock.register.
  StatusOr<std::vector<RegisterEntry>> Register(const RequestContext& ctx, const std::optional<std::string>& project);
  // The public transparency register (issue 11): every project that is
  // approved, closed or expired (drafts are left out), by id, each with its
  // releases as Register gives them. Anyone, without an account
  // (kPublicRegister, directory::AuthorizePublic); logged register.public
  // by the actor "anonymous" in the role "public", details.source the
  // client's address, details.projects and details.releases the counts.
  StatusOr<std::vector<PublicProject>> PublicRegister(const PublicContext& ctx);
  // A register entry (register_index.cc, docs/formats/audit-log.md §9) with
  // its proof to the latest signed checkpoint: anyone, without an account
  // (kPublicRegisterProof); logged register.proof like PublicRegister, with
  // details.index. NotFound, the same for each, when `index` is not a
  // register entry, does not exist or is not yet covered by a checkpoint.
  StatusOr<RegisterProof> PublicRegisterProof(const PublicContext& ctx, uint64_t index);
  // The hub's airlock rules (airlock_rules_service.cc). Show: any role of
  // the register (the rules are public, as the register is). Propose: an
  // operator records `rules_json` (InvalidArgument for rules
  // DisclosureRules::FromJson refuses), replacing any earlier proposal.
  // Confirm: a second, different operator gives the same JSON (compared
  // canonically), which puts it in force (FailedPrecondition for nothing to
  // confirm or other JSON; PermissionDenied for the proposer). Each logged
  // airlock.rules (rules_sha256, approvals 1 or 2) in the store's
  // transaction; refusals logged.
  StatusOr<AirlockRulesView> ShowAirlockRules(const RequestContext& ctx);
  StatusOr<AirlockRulesView> ProposeAirlockRules(const RequestContext& ctx, const std::string& rules_json);
  StatusOr<AirlockRulesView> ConfirmAirlockRules(const RequestContext& ctx, const std::string& rules_json);

  // The folder of this process's scratch area (the hub's, under state/tmp,
  // mode 0700, removed when the hub closes and by the next open after a
  // crash), for a request's temporary files such as an HTTP upload; the
  // caller removes what it puts there.
  StatusOr<std::string> ScratchFolder() { return hub_->PrivateTempRoot(); }

  Clock& clock() { return hub_->clock(); }
  // The hub, for tests that look under the service (the log, the host).
  hub::Hub& HubForTest() { return *hub_; }

 private:
  explicit Service(std::unique_ptr<hub::Hub> hub) : hub_(std::move(hub)) {}

  // Completes a context the directory authenticated: request id, address,
  // requested role, time.
  Status Stamp(RequestContext& ctx, std::string client_address, std::optional<directory::Role> as,
               std::string request_id = "");
  // The key of mock SCRAM salts, derived from the key store at the first PG
  // wire login of this process (auth_service.cc).
  const crypto::HmacSha256& ScramMockKey();

  // The role `ctx` acts in for `op`: the policy's choice; when the policy
  // refuses, the requested or first held role, so that the code that acts
  // refuses and logs it.
  directory::Role ActingRole(const RequestContext& ctx, directory::Operation op,
                             const directory::PolicyFacts& facts = {}) const;
  audit::Actor ActorFor(const RequestContext& ctx, directory::Role role) const;
  // ActorFor the role ActingRole picks.
  audit::Actor ActingActor(const RequestContext& ctx, directory::Operation op,
                           const directory::PolicyFacts& facts = {}) const {
    return ActorFor(ctx, ActingRole(ctx, op, facts));
  }
  // For operations no domain object guards: the policy's decision for `op`.
  // Fills in `event`'s actor and role either way; a refusal is logged as
  // `event`. Returns the actor the operation acts as.
  StatusOr<audit::Actor> Gate(const RequestContext& ctx, directory::Operation op, audit::Event& event);
  // An audit read named `what`: gated, run, and logged with its outcome.
  template <typename T, typename F>
  StatusOr<T> AuditRead(const RequestContext& ctx, std::string_view what, F read);
  // Health data is about to be written to the hub's host by `actor` doing
  // `action`: OK when the sovereignty policy accepts the host today (an
  // acceptance as a local exemption is logged as host.placement, success,
  // details.placement_exempted); otherwise the refusal, logged as
  // host.placement (denied).
  Status CheckCurrentPlacement(const audit::Actor& actor, std::string_view action);
  // The same for a host moved to (`target`, by `action`): every decision is
  // logged as host.placement except a plain acceptance.
  Status CheckTargetPlacement(const audit::Actor& actor, const hosts::HostRecord& target, std::string_view action);
  // The first approval of a KEK rotation to `to_uri` by `actor_id`: `event`
  // (its actor and role set) logged as keys.rotate, details.approvals 1,
  // and the request recorded (a failure to record it logged too).
  Status RecordKekRotationRequest(audit::Event event, const std::string& actor_id, const std::string& to_uri);
  // details.from_host: the registry name of the host at `uri` ("unregistered" if none).
  void AddFromHost(audit::Event& event, const std::string& uri);
  // A migration's target: its registry record, the placement accepted.
  StatusOr<hosts::HostRecord> MigrationTarget(const audit::Actor& actor, const std::string& to_name,
                                              std::string_view step);
  StatusOr<HostView> ViewOf(hosts::HostRecord record);
  // FailedPrecondition when `spec` would move the hub's own host elsewhere.
  Status CheckKeepsHubHost(const hosts::HostSpec& spec);
  // AddHost (`add`) or ChangeHost.
  StatusOr<HostView> DeclareHost(const RequestContext& ctx, const hosts::HostSpec& spec, bool add);
  // A session of `project` for `ctx`, with the key store it borrows.
  struct OpenedSession {
    std::unique_ptr<keys::KeyStore> keys;
    std::unique_ptr<projects::ProjectSession> session;  // destroyed first
  };
  StatusOr<OpenedSession> OpenProjectSession(const RequestContext& ctx, const std::string& project,
                                             const projects::SessionLimits& limits);
  // The airlock's store on the hub's database, opened at first use.
  StatusOr<exports::ExportStore*> Exports();
  // export_service.cc's steps (ExportOps there does the rest).
  friend class ExportOps;
  // The certificate bundle of the airlock.release entry at `index` binding
  // `body`, against the log's latest checkpoint (export_release.cc).
  StatusOr<exports::Bundle> ReleaseBundle(std::string body, int64_t index);
  // ProposeAirlockRules (`confirm` false) and ConfirmAirlockRules.
  StatusOr<AirlockRulesView> ChangeAirlockRules(const RequestContext& ctx, const std::string& rules_json, bool confirm);

  std::unique_ptr<hub::Hub> hub_;
  std::once_flag scram_mock_key_once_;
  std::unique_ptr<crypto::HmacSha256> scram_mock_key_;
  std::mutex exports_mu_;
  std::unique_ptr<exports::ExportStore> exports_;  // guarded by exports_mu_ until set

  // The register entries in the log (register_index.cc): the latest of each
  // project's approval and of each release, read incrementally.
  struct RegisterEntries {
    uint64_t scanned = 0;  // entries read so far
    std::map<std::string, int64_t> approvals;
    std::map<std::pair<std::string, int64_t>, int64_t> releases;  // (project, seq)
  };
  // The index caught up with the log; Internal/DataLoss when an entry does not read.
  StatusOr<RegisterEntries> CurrentRegisterEntries();
  // The register entry of a line whose public fields are `fields`
  // (RegisterFields), by the hub, for the caller to append with its own.
  audit::Event RegisterEvent(const std::string& project, std::optional<int64_t> release, const nlohmann::json& fields);
  std::mutex register_mu_;
  RegisterEntries register_entries_;  // guarded by register_mu_
};

}  // namespace hdhub::service
