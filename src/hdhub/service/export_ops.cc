#include "hdhub/service/export_ops.h"

#include <algorithm>
#include <chrono>
#include <set>

#include "hdhub/audit/recorder.h"
#include "hdhub/crypto/hash.h"
#include "hdhub/crypto/random.h"
#include "hdhub/exports/file_output.h"
#include "hdhub/keys/key_store.h"

namespace hdhub::service {

using directory::Operation;

namespace {

constexpr size_t kSaltBytes = 32;
// Frames are read whole into the session's result: far above a query's
// default, still bounded.
constexpr uint64_t kMaxFrameRows = 20'000'000;

// `<project>-e<n>`, so that a caller's text reaches the log only in that form.
bool IsRequestId(std::string_view id) {
  const size_t e = id.rfind("-e");
  if (e == std::string_view::npos || e + 2 >= id.size() || id.size() - e - 2 > 18) return false;
  const std::string_view digits = id.substr(e + 2);
  return exports::IsProjectId(id.substr(0, e)) && digits.front() != '0' &&
         std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
}

exports::RequestOutput FlowOutput(const exports::OutputRecord& o) {
  nlohmann::json verdict = nlohmann::json::parse(o.verdict_json, nullptr, false);
  const std::string outcome = verdict.is_object() ? verdict.value("outcome", "refuse") : "refuse";
  return exports::RequestOutput{.name = o.name,
                                .kind = o.kind,
                                .refused = outcome == "refuse",  // unreadable: refused (fail closed)
                                .review_findings = outcome == "review",
                                .explanation_given = exports::ExplanationGiven(o.declaration_json)};
}

// DataLoss naming request `id` and what of revision `revision` is missing.
Status MissingObject(const std::string& id, int64_t revision) {
  return DataLossError("export request " + id + ": a sealed object of revision " + std::to_string(revision) +
                       " is missing on the host");
}

}  // namespace

Status UnknownOrNotYoursRequest(std::string_view id) {
  return PermissionDeniedError("export request " + std::string(id.substr(0, 90)) + " is unknown or not yours");
}

int64_t ExportOps::NowUs() const {
  return std::chrono::duration_cast<std::chrono::microseconds>(svc_.hub_->clock().Now().time_since_epoch()).count();
}

Status ExportOps::Refuse(audit::Event event, const Status& status) {
  return audit::Record(svc_.hub_->audit(), std::move(event), status);
}

StatusOr<LoadedRequest> ExportOps::Load(Operation op, const std::string& id) {
  LoadedRequest l;
  l.event.action = std::string(directory::RuleFor(op).action);
  if (IsRequestId(id)) l.event.objects["export_request"] = id;
  const audit::Actor fallback = svc_.ActingActor(ctx_, op);
  l.event.actor = fallback.id;
  l.event.role = fallback.role;
  StatusOr<exports::RequestRecord> request = IsRequestId(id) ? store_.GetRequest(id) : NotFoundError("malformed id");
  if (!request.ok() && !IsNotFound(request.status())) return Refuse(l.event, request.status());
  StatusOr<projects::ProjectRecord> project =
      request.ok() ? svc_.hub_->projects().GetForHub(request->project) : NotFoundError("no request");
  if (!project.ok() && !IsNotFound(project.status())) return Refuse(l.event, project.status());
  if (!project.ok()) {
    l.event.details["reason"] = "unknown";
    return Refuse(l.event, UnknownOrNotYoursRequest(id));
  }
  l.request = std::move(*request);
  l.event.project = l.request.project;
  const std::string& user = ctx_.principal().user;
  const bool member =
      std::find(project->spec.members.begin(), project->spec.members.end(), user) != project->spec.members.end();
  const directory::PolicyFacts facts{.member = member};
  if (!directory::Authorize(ctx_.principal(), Operation::kAirlockRead, facts, ctx_.requested_role()).ok()) {
    return Refuse(l.event, UnknownOrNotYoursRequest(id));
  }
  StatusOr<directory::Role> role = directory::Authorize(ctx_.principal(), op, facts, ctx_.requested_role());
  const audit::Actor actor = svc_.ActorFor(ctx_, role.ok() ? *role : svc_.ActingRole(ctx_, op, facts));
  l.event.actor = actor.id;
  l.event.role = actor.role;
  if (!role.ok()) return Refuse(l.event, role.status());

  StatusOr<std::vector<exports::OutputRecord>> outputs = store_.ListOutputs(id, l.request.revision);
  StatusOr<std::vector<exports::CheckerReview>> reviews = store_.ListReviews(id);
  StatusOr<std::vector<exports::DecisionRecord>> decisions = store_.ListDecisions(id);
  for (const Status& s : {outputs.status(), reviews.status(), decisions.status()}) {
    if (!s.ok()) return Refuse(l.event, s);
  }
  l.outputs = std::move(*outputs);
  l.flow = exports::ExportRequestRecord{.id = id,
                                        .project = l.request.project,
                                        .author = l.request.author,
                                        .state = l.request.state,
                                        .revision = l.request.revision,
                                        .outputs = {},
                                        .reviews = std::move(*reviews),
                                        .decisions = std::move(*decisions),
                                        .created_at_us = l.request.created_at_us,
                                        .updated_at_us = l.request.created_at_us};
  for (const exports::OutputRecord& o : l.outputs) l.flow.outputs.push_back(FlowOutput(o));
  l.actor = exports::Actor{.account = user, .member = member, .granted = true};
  return l;
}

StatusOr<std::vector<internal::ComputedOutput>> ExportOps::Compute(
    const std::string& project, const std::vector<internal::DeclaredOutput>& declared,
    const std::optional<exports::FrameDeclaration>& new_frame) {
  if (declared.empty()) return std::vector<internal::ComputedOutput>{};
  internal::ComputeInput in{.project = project, .outputs = declared};
  ASSIGN_OR_RETURN(std::vector<exports::FrameRecord> frames, store_.ListFrames(project));
  for (const exports::FrameRecord& f : frames) {
    ASSIGN_OR_RETURN(exports::FrameDeclaration parsed, exports::ParseFrame(f.spec_json));
    in.frames.insert_or_assign(f.name, std::move(parsed));
    if (f.released_seq) in.released_frames.push_back(f.name);
  }
  if (new_frame) in.frames.insert_or_assign(new_frame->name, *new_frame);
  ASSIGN_OR_RETURN(in.rules, EffectiveRules(project));
  projects::SessionLimits limits;
  limits.max_rows = kMaxFrameRows;
  ASSIGN_OR_RETURN(Service::OpenedSession opened, svc_.OpenProjectSession(ctx_, project, limits));
  projects::ProjectSession& session = *opened.session;
  in.run = [&session](const std::string& sql) { return session.Query(sql); };
  return internal::ComputeOutputs(in, store_);
}

StatusOr<std::vector<internal::DeclaredOutput>> ExportOps::Declared(const LoadedRequest& l) {
  std::vector<internal::DeclaredOutput> out;
  std::optional<SecretBytes> key;
  for (const exports::OutputRecord& o : l.outputs) {
    out.push_back({.name = o.name, .json = o.declaration_json, .content = std::nullopt});
    if (!exports::IsFileKind(o.kind)) continue;
    if (!key) {
      std::unique_ptr<keys::KeyStore> keys = svc_.hub_->KeysFor({.id = l.event.actor, .role = l.event.role});
      ASSIGN_OR_RETURN(
          key, keys->UnwrapKey(l.request.wrapped_dek, exports::RequestKeyContext(l.request.project, l.request.id)));
    }
    ASSIGN_OR_RETURN(Bytes bytes, ReadOutputFile(*key, l.request, o));
    out.back().content = std::string(bytes.begin(), bytes.end());
  }
  return out;
}

StatusOr<Bytes> ExportOps::ReadOutputFile(const SecretBytes& key, const exports::RequestRecord& r,
                                          const exports::OutputRecord& o) {
  StatusOr<Bytes> bytes = svc_.hub_->sealed().Get(o.logical_name, key);
  if (!bytes.ok() && IsNotFound(bytes.status())) return MissingObject(r.id, r.revision);
  RETURN_IF_ERROR(bytes.status());
  if (HexEncode(crypto::Sha256(*bytes)) != o.sha256) {
    return DataLossError("export request " + r.id + ": the sealed file of output " + o.name +
                         " is not the one its revision records");
  }
  return bytes;
}

StatusOr<airlock::DisclosureRules> ExportOps::EffectiveRules(const std::string& project) {
  ASSIGN_OR_RETURN(airlock::DisclosureRules hub, HubRulesInForce(store_));
  ASSIGN_OR_RETURN(projects::ProjectRecord record, svc_.hub_->projects().GetForHub(project));
  nlohmann::json rules = nlohmann::json::parse(record.spec.airlock_rules_json, nullptr, /*allow_exceptions=*/false);
  StatusOr<airlock::DisclosureRules> effective = airlock::ProjectRulesFromJson(rules, hub);
  if (!effective.ok()) {
    return FailedPreconditionError("project " + project + ": its airlock rules do not hold over the hub's (" +
                                   std::string(effective.status().message()) + "); change the project's rules");
  }
  return *effective;
}

StatusOr<airlock::DisclosureRules> HubRulesInForce(exports::ExportStore& store) {
  ASSIGN_OR_RETURN(std::optional<exports::HubRulesRecord> confirmed, store.CurrentRules());
  if (!confirmed) return airlock::DisclosureRules{};
  return airlock::DisclosureRules::FromJson(
      nlohmann::json::parse(confirmed->rules_json, nullptr, /*allow_exceptions=*/false));
}

StatusOr<NewRevision> ExportOps::Revision(const std::string& id, const std::string& project, int64_t number,
                                          const std::vector<internal::ComputedOutput>& outputs, int64_t now_us) {
  NewRevision r;
  ASSIGN_OR_RETURN(Bytes salt, crypto::RandomBytes(kSaltBytes));
  nlohmann::json manifest = nlohmann::json::array();
  std::set<std::string> kinds;
  int64_t refused = 0, review = 0, suppressed = 0, rounds = 0;
  for (const internal::ComputedOutput& c : outputs) {
    exports::OutputRecord o = c.record;
    o.request = id;
    o.revision = number;
    o.logical_name = "projects/" + project + "/exports/" + id + "/r" + std::to_string(number) + "/" + o.name;
    manifest.push_back({{"name", o.name},
                        {"kind", exports::ToString(o.kind)},
                        {"format", o.format},
                        {"declaration_sha256", HexEncode(crypto::Sha256(AsBytes(o.declaration_json)))},
                        {"bytes", o.bytes},
                        {"sha256", o.sha256}});
    kinds.insert(std::string(exports::ToString(o.kind)));
    refused += c.flow.refused ? 1 : 0;
    review += c.review_cells;
    suppressed += c.suppressed_cells;
    rounds = std::max(rounds, c.repair_rounds);
    r.outputs.push_back(std::move(o));
  }
  const std::string manifest_json = nlohmann::json{{"outputs", manifest}}.dump();
  Bytes salted = salt;
  salted.insert(salted.end(), manifest_json.begin(), manifest_json.end());
  r.details = {
      {"outputs", outputs.size()},  {"kinds", kinds},         {"manifest_sha256", HexEncode(crypto::Sha256(salted))},
      {"refused_outputs", refused}, {"review_cells", review}, {"suppressed_cells", suppressed},
      {"repair_rounds", rounds}};
  r.revision = exports::RevisionRecord{.request = id,
                                       .revision = number,
                                       .manifest_json = manifest_json,
                                       .manifest_salt = std::move(salt),
                                       .created_at_us = now_us};
  return r;
}

std::string RevisionChecksObject(const std::string& project, const std::string& id, int64_t revision) {
  return "projects/" + project + "/exports/" + id + "/r" + std::to_string(revision) + "/checks.json";
}

StatusOr<FileLock> ExportOps::SealRevision(const LoadedRequest& l, NewRevision& rev,
                                           const std::vector<internal::ComputedOutput>& computed) {
  const std::string& project = l.request.project;
  const audit::Actor actor{.id = l.event.actor, .role = l.event.role};
  RETURN_IF_ERROR(svc_.CheckCurrentPlacement(actor, "airlock.request"));
  ASSIGN_OR_RETURN(FileLock writing, svc_.hub_->HoldHostWrites());
  std::unique_ptr<keys::KeyStore> keys = svc_.hub_->KeysFor(actor);
  ASSIGN_OR_RETURN(SecretBytes key,
                   keys->UnwrapKey(l.request.wrapped_dek, exports::RequestKeyContext(project, l.request.id)));
  auto seal = [&](const std::string& name, std::string_view bytes) -> Status {
    ASSIGN_OR_RETURN(storage::SealedObjectInfo info, svc_.hub_->sealed().Put(name, key, AsBytes(bytes)));
    rev.objects.push_back({.object_name = info.object_name,
                           .logical_name = info.logical_name,
                           .kind = exports::ExportObjectKind::kEvidence,
                           .bytes = static_cast<int64_t>(info.ciphertext_size),
                           .sha256 = HexEncode(info.ciphertext_sha256)});
    return OkStatus();
  };
  nlohmann::json runs = nlohmann::json::object();
  for (size_t i = 0; i < computed.size(); ++i) {
    const internal::ComputedOutput& c = computed[i];
    if (!c.run.empty()) runs[c.run] = c.evidence;
    if (!c.flow.refused || c.upload) RETURN_IF_ERROR(seal(rev.outputs.at(i).logical_name, c.content));
  }
  if (computed.empty()) return writing;
  ASSIGN_OR_RETURN(Bytes salt, crypto::RandomBytes(kSaltBytes));
  const std::string checks = nlohmann::json{{"salt", HexEncode(salt)}, {"runs", runs}}.dump();
  RETURN_IF_ERROR(seal(RevisionChecksObject(project, l.request.id, rev.revision.revision), checks));
  return writing;
}

Status ExportOps::Commit(const LoadedRequest& l, const exports::Step& step, const exports::Action* action,
                         const std::optional<NewRevision>& revision, const std::function<Status()>& before) {
  audit::Event event = l.event;
  for (const auto& [key, value] : step.transition.details.items()) event.details[key] = value;
  if (revision) {
    for (const auto& [key, value] : revision->details.items()) event.details[key] = value;
  }
  if (action) event.free_text = exports::AuditFreeText(*action);
  const exports::ExportRequestRecord& to = step.record;
  Status written = store_.WriteAtomically([&]() -> Status {
    if (before) RETURN_IF_ERROR(before());
    if (revision) {
      RETURN_IF_ERROR(store_.AppendRevision(revision->revision));
      for (const exports::OutputRecord& o : revision->outputs) RETURN_IF_ERROR(store_.AppendOutput(o));
      if (!revision->objects.empty()) {
        RETURN_IF_ERROR(store_.AppendRevisionObjects(l.request.id, revision->revision.revision, revision->objects));
      }
    }
    if (to.reviews.size() > l.flow.reviews.size()) RETURN_IF_ERROR(store_.AppendReview(to.id, to.reviews.back()));
    if (to.decisions.size() > l.flow.decisions.size()) {
      RETURN_IF_ERROR(store_.AppendDecision(to.id, to.decisions.back()));
    }
    if (to.state != l.flow.state) RETURN_IF_ERROR(store_.SetState(to.id, l.flow.state, to.state));
    return svc_.hub_->audit().Append(event).status();
  });
  if (written.ok()) return written;
  return Refuse(std::move(event), written);
}

Status ExportOps::ApplyAndCommit(const LoadedRequest& l, const exports::Action& action) {
  StatusOr<exports::Step> step = exports::Apply(l.flow, action, l.actor, NowUs());
  if (!step.ok()) return Refuse(l.event, step.status());
  return Commit(l, *step, &action, std::nullopt);
}

StatusOr<ExportRequestView> ExportOps::View(const std::string& id, bool evidence) {
  ExportRequestView v;
  ASSIGN_OR_RETURN(v.request, store_.GetRequest(id));
  const Bytes wrapped = std::move(v.request.wrapped_dek);
  v.request.wrapped_dek.clear();
  ASSIGN_OR_RETURN(v.frames, store_.ListFrames(v.request.project));
  ASSIGN_OR_RETURN(v.outputs, store_.ListOutputs(id, v.request.revision));
  ASSIGN_OR_RETURN(v.reviews, store_.ListReviews(id));
  ASSIGN_OR_RETURN(v.decisions, store_.ListDecisions(id));
  if (!evidence) return v;
  v.evidence.emplace();
  for (const exports::OutputRecord& o : v.outputs) v.evidence->push_back(o.verdict_json);
  // The revision's sealed files and checks, when it has them (a revision
  // from before they were sealed, or a request whose key the project's end
  // destroyed, has its verdicts only).
  ASSIGN_OR_RETURN(std::vector<exports::ExportObjectRecord> objects, store_.ListRequestObjects(id));
  std::set<std::string> recorded;
  for (const exports::ExportObjectRecord& o : objects) recorded.insert(o.logical_name);
  const std::string checks = RevisionChecksObject(v.request.project, id, v.request.revision);
  if (wrapped.empty() || !recorded.contains(checks)) return v;
  const audit::Actor actor = svc_.ActingActor(ctx_, Operation::kAirlockEvidence);
  std::unique_ptr<keys::KeyStore> keys = svc_.hub_->KeysFor(actor);
  ASSIGN_OR_RETURN(SecretBytes key, keys->UnwrapKey(wrapped, exports::RequestKeyContext(v.request.project, id)));
  auto read = [&](const std::string& name) -> StatusOr<Bytes> {
    StatusOr<Bytes> bytes = svc_.hub_->sealed().Get(name, key);
    if (bytes.ok() || !IsNotFound(bytes.status())) return bytes;
    return MissingObject(id, v.request.revision);
  };
  v.files.emplace();
  for (const exports::OutputRecord& o : v.outputs) {
    if (!recorded.contains(o.logical_name)) continue;  // refused: no file
    ASSIGN_OR_RETURN(Bytes bytes, ReadOutputFile(key, v.request, o));
    v.files->push_back({.name = o.name,
                        .format = o.format,
                        .bytes = static_cast<int64_t>(bytes.size()),
                        .sha256 = o.sha256,
                        .content = std::string(bytes.begin(), bytes.end())});
  }
  ASSIGN_OR_RETURN(Bytes bytes, read(checks));
  v.checks = std::string(bytes.begin(), bytes.end());
  return v;
}

}  // namespace hdhub::service
