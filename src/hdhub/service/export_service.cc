// Service: the airlock's export requests (docs/airlock-workflow.md §4-§8):
// create, change, submit, withdraw, show, list, review, return and reject.
// Each asks the policy and logs its decision (export_ops.h); request_flow.h's
// Apply decides every transition, persisted with its event in one
// transaction. Release, downloads and the register are not here yet.
#include <algorithm>

#include "hdhub/audit/recorder.h"
#include "hdhub/exports/file_output.h"
#include "hdhub/keys/key_store.h"
#include "hdhub/service/export_ops.h"

namespace hdhub::service {

using directory::Operation;
using internal::ComputedOutput;
using internal::DeclaredOutput;

namespace {

// The id CreateRequest will allocate next: one more than the project's largest.
StatusOr<std::string> NextRequestId(exports::ExportStore& store, const std::string& project) {
  ASSIGN_OR_RETURN(std::vector<exports::RequestRecord> all, store.ListRequests(project, std::nullopt));
  int64_t last = 0;
  for (const exports::RequestRecord& r : all) {
    last = std::max<int64_t>(last, std::stoll(r.id.substr(project.size() + 2)));
  }
  return project + "-e" + std::to_string(last + 1);
}

std::vector<exports::RequestOutput> FlowOutputs(const std::vector<ComputedOutput>& computed) {
  std::vector<exports::RequestOutput> out;
  for (const ComputedOutput& c : computed) out.push_back(c.flow);
  return out;
}

// The outputs of the next revision after `change` (a frame leaves them as
// they are). A file output replaced without a file keeps the one it had; a
// file over the rules' byte limit is refused before it is kept anywhere.
StatusOr<std::vector<DeclaredOutput>> ChangedDeclarations(std::vector<DeclaredOutput> outputs,
                                                          const ExportChange& change, int64_t max_bytes) {
  auto named = [&outputs](const std::string& name) {
    return std::find_if(outputs.begin(), outputs.end(), [&](const DeclaredOutput& o) { return o.name == name; });
  };
  if (change.kind != ExportChangeKind::kOutput && change.content) {
    return InvalidArgumentError("a file goes with an output's declaration only");
  }
  if (change.kind == ExportChangeKind::kOutput) {
    ASSIGN_OR_RETURN(internal::OutputIdentity id, internal::DeclaredOutputIdentity(change.json));
    if (!exports::IsFileKind(id.kind) && change.content) {
      return InvalidArgumentError("output " + id.name + " is a table: hdhub computes its file, none is uploaded");
    }
    if (change.content && static_cast<int64_t>(change.content->size()) > max_bytes) {
      return InvalidArgumentError("output " + id.name + ": the file is " + std::to_string(change.content->size()) +
                                  " bytes, over the limit of " + std::to_string(max_bytes));
    }
    auto it = named(id.name);
    if (it == outputs.end()) {
      outputs.push_back({.name = id.name, .json = change.json, .content = change.content});
    } else {
      it->json = change.json;
      if (change.content || !exports::IsFileKind(id.kind)) it->content = change.content;
    }
  } else if (change.kind == ExportChangeKind::kRemove) {
    auto it = exports::IsExportName(change.name) ? named(change.name) : outputs.end();
    if (it == outputs.end()) return InvalidArgumentError("no output of that name in the request");
    outputs.erase(it);
  }
  return outputs;
}

}  // namespace

StatusOr<exports::ExportStore*> Service::Exports() {
  std::lock_guard lock(exports_mu_);
  if (!exports_) {
    ASSIGN_OR_RETURN(exports_, exports::ExportStore::Open(hub_->database_path(), hub_->state_cipher()));
  }
  return exports_.get();
}

StatusOr<ExportRequestView> Service::CreateExportRequest(const RequestContext& ctx, const std::string& project,
                                                         const std::string& title) {
  ASSIGN_OR_RETURN(exports::ExportStore * store, Exports());
  ExportOps ops(*this, ctx, *store);
  audit::Event event{.action = "airlock.request"};
  event.details["op"] = "create";
  StatusOr<projects::ProjectRecord> record = hub_->projects().GetForHub(project);
  const std::vector<std::string> none;
  const std::vector<std::string>& members = record.ok() ? record->spec.members : none;
  const bool member = std::find(members.begin(), members.end(), ctx.principal().user) != members.end();
  const audit::Actor acting = ActingActor(ctx, Operation::kAirlockRequest, {.member = member});
  event.actor = acting.id;
  event.role = acting.role;
  if (record.ok()) event.project = project;
  if (!record.ok() && !IsNotFound(record.status())) return ops.Refuse(event, record.status());
  if (!record.ok() || !member) return ops.Refuse(event, projects::UnknownOrNotYoursError(project));
  Status allowed =
      directory::Authorize(ctx.principal(), Operation::kAirlockRequest, {.member = member}, ctx.requested_role())
          .status();
  if (!allowed.ok()) return ops.Refuse(event, allowed);
  // A request needs what a query needs: the window, a workspace ready (the
  // session checks and logs them).
  RETURN_IF_ERROR(OpenProjectSession(ctx, project, {}).status());
  const int64_t now_us = ops.NowUs();
  std::unique_ptr<keys::KeyStore> keys = hub_->KeysFor(acting);
  std::string id;
  Status created = store->WriteAtomically([&]() -> Status {
    ASSIGN_OR_RETURN(id, NextRequestId(*store, project));
    ASSIGN_OR_RETURN(SecretBytes dek, keys::NewDataKey());
    exports::RequestRecord r{
        .project = project, .author = ctx.principal().user, .title = title, .created_at_us = now_us};
    ASSIGN_OR_RETURN(r.wrapped_dek, keys->WrapKey(dek, exports::RequestKeyContext(project, id)));
    ASSIGN_OR_RETURN(std::string allocated, store->CreateRequest(r));
    if (allocated != id) return InternalError("export request ids moved under the transaction");
    const exports::Actor actor{.account = ctx.principal().user, .member = true, .granted = true};
    ASSIGN_OR_RETURN(exports::Step step, exports::Create({.id = id, .project = project, .outputs = {}}, actor, now_us));
    ASSIGN_OR_RETURN(NewRevision rev, ExportOps::Revision(id, project, 1, {}, now_us));
    RETURN_IF_ERROR(store->AppendRevision(rev.revision));
    event.objects["export_request"] = id;
    for (const auto& [key, value] : step.transition.details.items()) event.details[key] = value;
    for (const auto& [key, value] : rev.details.items()) event.details[key] = value;
    return hub_->audit().Append(event).status();
  });
  if (!created.ok()) return ops.Refuse(event, created);
  return ops.View(id, false);
}

StatusOr<ExportRequestView> Service::ChangeExportRequest(const RequestContext& ctx, const std::string& id,
                                                         const ExportChange& change) {
  ASSIGN_OR_RETURN(exports::ExportStore * store, Exports());
  ExportOps ops(*this, ctx, *store);
  ASSIGN_OR_RETURN(LoadedRequest l, ops.Load(Operation::kAirlockRequest, id));
  l.event.details["op"] = "change";
  const int64_t now_us = ops.NowUs();
  // Who and state first (the same outputs stand in for the new ones), so
  // that nobody else's query runs in the author's name.
  StatusOr<exports::Step> probe = exports::Apply(l.flow, exports::ChangeAction{l.flow.outputs}, l.actor, now_us);
  if (!probe.ok()) return ops.Refuse(l.event, probe.status());
  std::optional<exports::FrameDeclaration> frame;
  if (change.kind == ExportChangeKind::kFrame) {
    StatusOr<exports::FrameDeclaration> parsed = exports::ParseFrame(change.json);
    if (!parsed.ok()) return ops.Refuse(l.event, parsed.status());
    frame = std::move(*parsed);
  }
  StatusOr<std::vector<DeclaredOutput>> declared = [&]() -> StatusOr<std::vector<DeclaredOutput>> {
    int64_t max_bytes = 0;  // an upload's limit: the rules are read only for one
    if (change.content) {
      ASSIGN_OR_RETURN(airlock::DisclosureRules rules, ops.EffectiveRules(l.request.project));
      max_bytes = rules.max_bytes;
    }
    ASSIGN_OR_RETURN(std::vector<DeclaredOutput> current, ops.Declared(l));
    return ChangedDeclarations(std::move(current), change, max_bytes);
  }();
  if (!declared.ok()) return ops.Refuse(l.event, declared.status());
  StatusOr<std::vector<ComputedOutput>> computed = ops.Compute(l.request.project, *declared, frame);
  if (!computed.ok()) return ops.Refuse(l.event, computed.status());
  const exports::Action action = exports::ChangeAction{FlowOutputs(*computed)};
  StatusOr<exports::Step> step = exports::Apply(l.flow, action, l.actor, now_us);
  if (!step.ok()) return ops.Refuse(l.event, step.status());
  ASSIGN_OR_RETURN(NewRevision rev,
                   ExportOps::Revision(id, l.request.project, step->record.revision, *computed, now_us));
  // The checkers will read the files and checks of this revision as sealed
  // now; the lock is held until the revision that records them is committed.
  StatusOr<FileLock> sealing = ops.SealRevision(l, rev, *computed);
  if (!sealing.ok()) return ops.Refuse(l.event, sealing.status());
  std::function<Status()> put_frame;
  if (frame) {
    put_frame = [&] {
      return store->PutFrame({.project = l.request.project,
                              .name = frame->name,
                              .spec_json = change.json,
                              .sql_sha256 = exports::FrameSqlSha256(*frame),
                              .created_by = ctx.principal().user,
                              .created_at_us = now_us});
    };
  }
  RETURN_IF_ERROR(ops.Commit(l, *step, &action, rev, put_frame));
  return ops.View(id, false);
}

StatusOr<ExportRequestView> Service::SubmitExportRequest(const RequestContext& ctx, const std::string& id) {
  ASSIGN_OR_RETURN(exports::ExportStore * store, Exports());
  ExportOps ops(*this, ctx, *store);
  ASSIGN_OR_RETURN(LoadedRequest l, ops.Load(Operation::kAirlockRequest, id));
  l.event.details["op"] = "submit";
  const int64_t now_us = ops.NowUs();
  const exports::Action action = exports::SubmitAction{};
  StatusOr<exports::Step> probe = exports::Apply(l.flow, action, l.actor, now_us);
  if (!probe.ok()) return ops.Refuse(l.event, probe.status());
  // §6: submit computes again; the checkers read what the data give now.
  StatusOr<std::vector<DeclaredOutput>> declared = ops.Declared(l);
  if (!declared.ok()) return ops.Refuse(l.event, declared.status());
  StatusOr<std::vector<ComputedOutput>> computed = ops.Compute(l.request.project, *declared, std::nullopt);
  if (!computed.ok()) return ops.Refuse(l.event, computed.status());
  exports::ExportRequestRecord now = l.flow;
  now.outputs = FlowOutputs(*computed);
  StatusOr<exports::Step> step = exports::Apply(now, action, l.actor, now_us);
  if (!step.ok()) return ops.Refuse(l.event, step.status());
  std::optional<NewRevision> rev;
  std::optional<FileLock> sealing;
  if (step->record.revision != l.flow.revision) {
    ASSIGN_OR_RETURN(rev, ExportOps::Revision(id, l.request.project, step->record.revision, *computed, now_us));
    StatusOr<FileLock> sealed = ops.SealRevision(l, *rev, *computed);
    if (!sealed.ok()) return ops.Refuse(l.event, sealed.status());
    sealing.emplace(std::move(*sealed));
  } else {
    for (size_t i = 0; i < computed->size(); ++i) {
      if ((*computed)[i].record.sha256 != l.outputs[i].sha256) {
        return ops.Refuse(l.event, FailedPreconditionError("output " + l.outputs[i].name + " of request " + id +
                                                           " no longer computes to the bytes of revision " +
                                                           std::to_string(l.flow.revision) +
                                                           ": recompute it (a change), then submit"));
      }
    }
  }
  RETURN_IF_ERROR(ops.Commit(l, *step, &action, rev));
  return ops.View(id, false);
}

Status Service::WithdrawExportRequest(const RequestContext& ctx, const std::string& id) {
  ASSIGN_OR_RETURN(exports::ExportStore * store, Exports());
  ExportOps ops(*this, ctx, *store);
  ASSIGN_OR_RETURN(LoadedRequest l, ops.Load(Operation::kAirlockRequest, id));
  l.event.details["op"] = "withdraw";
  return ops.ApplyAndCommit(l, exports::WithdrawAction{});
}

StatusOr<ExportRequestView> Service::ShowExportRequest(const RequestContext& ctx, const std::string& id,
                                                       bool evidence) {
  ASSIGN_OR_RETURN(exports::ExportStore * store, Exports());
  ExportOps ops(*this, ctx, *store);
  ASSIGN_OR_RETURN(LoadedRequest l, ops.Load(evidence ? Operation::kAirlockEvidence : Operation::kAirlockRead, id));
  l.event.details["what"] = evidence ? "evidence" : "show";
  StatusOr<ExportRequestView> view = ops.View(id, evidence);
  RETURN_IF_ERROR(ops.Refuse(l.event, view.status()));
  return view;
}

StatusOr<std::vector<ExportRequestSummary>> Service::ListExportRequests(const RequestContext& ctx,
                                                                        const ExportFilter& filter) {
  ASSIGN_OR_RETURN(exports::ExportStore * store, Exports());
  ExportOps ops(*this, ctx, *store);
  audit::Event event{.action = "airlock.read"};
  event.details["what"] = "list";
  // A researcher reads her projects' requests: allowed as a member here,
  // each request filtered below.
  StatusOr<directory::Role> role =
      directory::Authorize(ctx.principal(), Operation::kAirlockRead, {.member = true}, ctx.requested_role());
  const audit::Actor actor = ActorFor(ctx, role.ok() ? *role : ActingRole(ctx, Operation::kAirlockRead));
  event.actor = actor.id;
  event.role = actor.role;
  if (!role.ok()) return ops.Refuse(event, role.status());
  const bool reads_all = directory::Decide(Operation::kAirlockRead, *role, {}).ok();
  std::vector<ExportRequestSummary> out;
  Status listed = [&]() -> Status {
    ASSIGN_OR_RETURN(std::vector<exports::RequestRecord> all, store->ListRequests(filter.project, filter.state));
    for (const exports::RequestRecord& r : all) {
      if (!reads_all) {
        ASSIGN_OR_RETURN(projects::ProjectRecord p, hub_->projects().GetForHub(r.project));
        const std::vector<std::string>& m = p.spec.members;
        if (std::find(m.begin(), m.end(), ctx.principal().user) == m.end()) continue;
      }
      out.push_back({.id = r.id,
                     .project = r.project,
                     .author = r.author,
                     .title = r.title,
                     .state = r.state,
                     .revision = r.revision,
                     .created_at_us = r.created_at_us});
    }
    return OkStatus();
  }();
  event.details["requests"] = out.size();
  RETURN_IF_ERROR(ops.Refuse(event, listed));
  return out;
}

StatusOr<ExportRequestView> Service::ReviewExportRequest(const RequestContext& ctx, const std::string& id,
                                                         const ExportReview& review) {
  ASSIGN_OR_RETURN(exports::ExportStore * store, Exports());
  ExportOps ops(*this, ctx, *store);
  ASSIGN_OR_RETURN(LoadedRequest l, ops.Load(Operation::kAirlockReview, id));
  const exports::Action action = exports::ReviewAction{.revision = review.revision, .decisions = review.decisions};
  RETURN_IF_ERROR(ops.ApplyAndCommit(l, action));
  return ops.View(id, false);
}

StatusOr<ExportRequestView> Service::DecideExportRequest(const RequestContext& ctx, const std::string& id,
                                                         const ExportDecision& decision) {
  ASSIGN_OR_RETURN(exports::ExportStore * store, Exports());
  ExportOps ops(*this, ctx, *store);
  ASSIGN_OR_RETURN(LoadedRequest l, ops.Load(Operation::kAirlockDecide, id));
  l.event.details["op"] = decision.reject ? "reject" : "return";
  exports::Action action = exports::ReturnAction{.revision = decision.revision, .reason = decision.reason};
  if (decision.reject) action = exports::RejectAction{.revision = decision.revision, .reason = decision.reason};
  RETURN_IF_ERROR(ops.ApplyAndCommit(l, action));
  return ops.View(id, false);
}

}  // namespace hdhub::service
