// Internal to the service's airlock methods (export_service.cc): the steps
// every one of them shares. Access to a request (the policy asked, the
// refusal logged, "unknown or not yours" for one who may not read it), the
// outputs computed in the author's session (export_compute.h), and a
// transition persisted with its audit event in one ExportStore transaction.
//
// One ExportOps per call: it borrows the Service, the context and the store.
// Errors and events name requests, projects, outputs and counts only.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "hdhub/audit/event.h"
#include "hdhub/common/file_lock.h"
#include "hdhub/directory/policy.h"
#include "hdhub/exports/certificate.h"
#include "hdhub/exports/export_store.h"
#include "hdhub/exports/frame.h"
#include "hdhub/exports/request_flow.h"
#include "hdhub/service/export_compute.h"
#include "hdhub/service/service.h"

namespace hdhub::service {

// PermissionDenied "export request <id> is unknown or not yours".
Status UnknownOrNotYoursRequest(std::string_view id);

// The hub's airlock rules in force: the last confirmed, else the defaults.
// FromJson's errors when the stored JSON no longer parses.
StatusOr<airlock::DisclosureRules> HubRulesInForce(exports::ExportStore& store);

// A release's line in the register, from its stored row and certificate body
// (register_index.cc); register_entry left empty.
RegisterEntry ReleaseLine(const exports::ReleaseRecord& r, const exports::CertificateBody& body);
// A project's line in the public register (no releases, no register entry).
PublicProject ProjectLine(const projects::ProjectRecord& record);

// A request loaded for one operation, its caller allowed.
struct LoadedRequest {
  exports::RequestRecord request;
  exports::ExportRequestRecord flow;           // what Apply reads
  std::vector<exports::OutputRecord> outputs;  // of the current revision
  audit::Event event;                          // actor, role, action, objects, project set
  exports::Actor actor;
};

// A revision to append with a transition: its manifest and outputs.
struct NewRevision {
  exports::RevisionRecord revision;
  std::vector<exports::OutputRecord> outputs;
  nlohmann::json details;  // §7's outputs, kinds, manifest_sha256 and verdict counts
  // Its files and checks sealed on the host (SealRevision), recorded with it.
  std::vector<exports::ExportObjectRecord> objects;
};

// The logical name of a revision's checks (§3): every Protect run's
// evidence, for the checkers.
std::string RevisionChecksObject(const std::string& project, const std::string& id, int64_t revision);

class ExportOps {
 public:
  ExportOps(Service& service, const RequestContext& ctx, exports::ExportStore& store)
      : svc_(service), ctx_(ctx), store_(store) {}

  // Request `id` for `op` (its audit action names the event). A caller who
  // may not read it (or an unknown id): UnknownOrNotYoursRequest, logged
  // denied; one who may read it but not do `op`: the policy's refusal, logged.
  StatusOr<LoadedRequest> Load(directory::Operation op, const std::string& id);

  // Logs `event` with the outcome of `status`; returns `status` (or the log's error).
  Status Refuse(audit::Event event, const Status& status);

  // The outputs `declared` of the author's request in `project`, computed
  // over the project's frames (`new_frame` replacing or adding one) in a
  // session opened for the caller (its checks and refusals as QueryProject's).
  StatusOr<std::vector<internal::ComputedOutput>> Compute(const std::string& project,
                                                          const std::vector<internal::DeclaredOutput>& declared,
                                                          const std::optional<exports::FrameDeclaration>& new_frame);

  // The current revision's outputs of `loaded` as declared, each file
  // output with its file read back from the host (the revision sealed it):
  // DataLoss when it is missing, fails its seal or is not the SHA-256 its
  // output records.
  StatusOr<std::vector<internal::DeclaredOutput>> Declared(const LoadedRequest& loaded);

  // The project's airlock rules over the hub's in force (else the
  // defaults). FailedPrecondition when they no longer hold over the hub's.
  StatusOr<airlock::DisclosureRules> EffectiveRules(const std::string& project);

  // Revision `number` of request `id` with `outputs`: a new salt, the
  // manifest and its salted digest (§7) and the verdict counts.
  static StatusOr<NewRevision> Revision(const std::string& id, const std::string& project, int64_t number,
                                        const std::vector<internal::ComputedOutput>& outputs, int64_t now_us);

  // Seals `rev`'s outputs (each file at its logical_name) and the checks of
  // `computed` (RevisionChecksObject: salt, then each Protect run's
  // evidence) on the host under the request's key, and lists them in
  // `rev.objects` for Commit. The placement is checked as for a build; the
  // returned lock keeps a migration from switching hosts until the caller
  // has committed. Refused tables have no file; an upload is sealed even
  // when refused, so that a later change carries it.
  StatusOr<FileLock> SealRevision(const LoadedRequest& loaded, NewRevision& rev,
                                  const std::vector<internal::ComputedOutput>& computed);

  // Persists `step` (from `loaded`'s record) in one transaction: `before`
  // when given (a frame), the revision when given, a new review or decision,
  // the state; then its event (the transition's details, `revision`'s
  // details, the action's free text), whose failure rolls it all back. A
  // failure is logged (as the event, outcome failure) and returned.
  Status Commit(const LoadedRequest& loaded, const exports::Step& step, const exports::Action* action,
                const std::optional<NewRevision>& revision, const std::function<Status()>& before = nullptr);

  // Apply(`action`) to `loaded` by its caller, then Commit with no new
  // revision (withdraw, review, return, reject); Apply's refusal logged.
  Status ApplyAndCommit(const LoadedRequest& loaded, const exports::Action& action);

  // The view of request `id` (no wrapped key); with `evidence`, the outputs'
  // verdicts and, for a revision sealed at change (SealRevision), its files
  // and checks read back from the host: DataLoss when one recorded is
  // missing, fails its seal or is not the file its output's SHA-256 names.
  StatusOr<ExportRequestView> View(const std::string& id, bool evidence);

  int64_t NowUs() const;

 private:
  // Output `o`'s sealed file of request `r` (its current revision) under `key`:
  // DataLoss when missing, failing its seal or not the file `o` records.
  StatusOr<Bytes> ReadOutputFile(const SecretBytes& key, const exports::RequestRecord& r,
                                 const exports::OutputRecord& o);

  Service& svc_;
  const RequestContext& ctx_;
  exports::ExportStore& store_;
};

}  // namespace hdhub::service
