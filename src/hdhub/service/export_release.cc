// Service: the airlock's release and its downloads
// (docs/airlock-workflow.md §6 "Release" steps 1-7, §7 airlock.release and
// airlock.read "download"). The release computes every output again in the
// author's session, builds the certificate body (exports/certificate.h),
// seals the files, the body and the evidence on the host, and records the
// release with its audit event in one transaction; the bundle
// (exports/bundle.h) is made from the stored body and the log, on release
// and on each download. Events carry identifiers, digests and counts: no
// value, no code, no comment.
#include <algorithm>
#include <filesystem>
#include <set>

#include "hdhub/audit/checkpoint.h"
#include "hdhub/audit/ed25519.h"
#include "hdhub/audit/recorder.h"
#include "hdhub/common/clock.h"
#include "hdhub/common/file_lock.h"
#include "hdhub/common/version.h"
#include "hdhub/crypto/hash.h"
#include "hdhub/crypto/random.h"
#include "hdhub/keys/key_store.h"
#include "hdhub/service/export_ops.h"

namespace hdhub::service {

using directory::Operation;
using internal::ComputedOutput;

namespace {

constexpr size_t kSaltBytes = 32;
constexpr size_t kNonceBytes = 16;
constexpr std::chrono::seconds kLockWait(60);
// The sealed body beside the files: a dot no output name has, so that an
// output named "certificate" cannot take its place.
constexpr char kCertificateObject[] = "certificate.json";

std::string Hex(std::string_view text) { return HexEncode(crypto::Sha256(AsBytes(text))); }

std::string ReleaseObject(const std::string& project, int64_t seq, const std::string& name) {
  return "projects/" + project + "/releases/" + std::to_string(seq) + "/" + name;
}

// The release's reviews: those of the approved revision, by checker.
std::vector<const exports::CheckerReview*> SortedReviews(const exports::ExportRequestRecord& flow) {
  std::vector<const exports::CheckerReview*> reviews = exports::CurrentReviews(flow);
  std::sort(reviews.begin(), reviews.end(), [](auto* a, auto* b) { return a->checker < b->checker; });
  return reviews;
}

// The certificate's output of `c`: its verdict, and for one the checkers
// cleared (review cells, cross_frame, a figure or custom file) the digests of
// their comments.
exports::Output CertifiedOutput(const ComputedOutput& c, const std::vector<const exports::CheckerReview*>& reviews) {
  exports::Output o = c.certified;
  o.name = c.record.name;
  o.kind = std::string(exports::ToString(c.record.kind));
  o.format = c.record.format;
  const nlohmann::json verdict = nlohmann::json::parse(c.record.verdict_json, nullptr, false);
  o.verdict_outcome = c.flow.review_findings ? "review" : "pass";
  o.verdict_rule.clear();
  if (c.flow.review_findings) {
    if (verdict.is_object() && verdict.value("cross_frame", false)) o.verdict_rule = "cross_frame";
    for (const exports::Cell& cell : o.cells) {
      if (o.verdict_rule.empty() && cell.published && cell.reason == "review") o.verdict_rule = cell.rule;
    }
  }
  if (exports::ApprovalNeedsComment(c.flow)) {
    o.reasons.emplace();
    for (const exports::CheckerReview* r : reviews) {
      for (const exports::OutputReview& d : r->decisions) {
        if (d.output == o.name) o.reasons->push_back({.checker = r->checker, .text_sha256 = Hex(d.comment)});
      }
    }
  }
  return o;
}

struct Release {
  exports::CertificateBody body;
  std::string evidence;  // canonical JSON, sealed
  std::vector<exports::ReleaseTableRecord> tables;
};

// §6 step 4: the body of release `seq` of `outputs` against ledger head `before`.
StatusOr<Release> BuildRelease(const LoadedRequest& l, const std::vector<ComputedOutput>& outputs,
                               const std::string& authorisation_ref, const airlock::DisclosureRules& rules,
                               const std::vector<exports::FrameRecord>& frames, const std::string& before, int64_t seq,
                               int64_t now_us, const std::string& log_origin) {
  Release r;
  exports::CertificateBody& b = r.body;
  b.log_origin = log_origin;
  b.project = l.request.project;
  b.authorisation_ref = authorisation_ref;
  b.request = l.request.id;
  b.revision = l.request.revision;
  b.release = seq;
  b.released_at = FormatRfc3339(FromMicros(now_us));
  b.author = l.request.author;
  const std::vector<const exports::CheckerReview*> reviews = SortedReviews(l.flow);
  for (const exports::CheckerReview* rv : reviews) {
    b.reviews.push_back({.checker = rv->checker, .at = FormatRfc3339(FromMicros(rv->at_us))});
  }
  b.rules = rules;
  b.hdhub = std::string(kHdhubVersion);
  b.history = {.before = before, .releases = seq - 1, .not_modelled = {}};
  std::set<std::string> used, not_modelled;
  ASSIGN_OR_RETURN(Bytes salt, crypto::RandomBytes(kSaltBytes));
  nlohmann::json runs = nlohmann::json::object();
  for (const ComputedOutput& c : outputs) {
    if (!c.certified.frame.empty()) {  // tables and models
      b.frames[c.certified.frame] = c.frame;
      used.insert(c.certified.frame);
    }
    b.outputs.push_back(CertifiedOutput(c, reviews));
    r.tables.insert(r.tables.end(), c.ledger.begin(), c.ledger.end());
    if (!c.run.empty()) runs[c.run] = c.evidence;
  }
  for (const exports::FrameRecord& f : frames) {
    const bool other_used = std::any_of(used.begin(), used.end(), [&](const std::string& u) { return u != f.name; });
    if (f.released_seq && other_used) not_modelled.insert(f.name);
  }
  b.history.not_modelled.assign(not_modelled.begin(), not_modelled.end());
  std::sort(b.outputs.begin(), b.outputs.end(), [](const auto& x, const auto& y) { return x.name < y.name; });
  r.evidence = nlohmann::json{{"salt", HexEncode(salt)}, {"runs", runs}}.dump();
  b.evidence_sha256 = Hex(r.evidence);
  ASSIGN_OR_RETURN(Bytes nonce, crypto::RandomBytes(kNonceBytes));
  b.nonce = HexEncode(nonce);
  return r;
}

// The outcome of §6 step 3: the same bytes, or why not.
exports::Recomputation Compare(const std::vector<exports::OutputRecord>& approved,
                               const std::vector<ComputedOutput>& now, bool ledger_moved) {
  bool same = approved.size() == now.size();
  for (size_t i = 0; same && i < now.size(); ++i) {
    same = !now[i].flow.refused && now[i].record.name == approved[i].name && now[i].record.sha256 == approved[i].sha256;
  }
  if (same) return exports::Recomputation::kSameBytes;
  return ledger_moved ? exports::Recomputation::kHistoryChanged : exports::Recomputation::kDataChanged;
}

}  // namespace

// The bundle of the entry at `index` binding `body`, against the log's
// latest checkpoint (verified with the log's own key first).
StatusOr<exports::Bundle> Service::ReleaseBundle(std::string body, int64_t index) {
  ASSIGN_OR_RETURN(std::string checkpoint, hub_->AuditCheckpoint());
  ASSIGN_OR_RETURN(std::string key, hub_->AuditVerifierKey());
  ASSIGN_OR_RETURN(std::unique_ptr<audit::Ed25519Verifier> verifier, audit::Ed25519Verifier::FromVerifierKey(key));
  ASSIGN_OR_RETURN(audit::VerifiedCheckpoint opened, audit::OpenSignedCheckpoint(checkpoint, *verifier));
  return exports::MakeBundle(std::move(body), hub_->audit(), static_cast<uint64_t>(index), opened.checkpoint.size,
                             std::move(checkpoint));
}

StatusOr<ReleasedFiles> Service::ReleaseExportRequest(const RequestContext& ctx, const std::string& id) {
  ASSIGN_OR_RETURN(exports::ExportStore * store, Exports());
  ExportOps ops(*this, ctx, *store);
  // Step 1: the policy (Load), the author and the state (Apply), the window (the session below).
  ASSIGN_OR_RETURN(LoadedRequest l, ops.Load(Operation::kAirlockRelease, id));
  const std::string& project = l.request.project;
  StatusOr<exports::Step> probe = exports::Apply(l.flow, exports::ReleaseAction{}, l.actor, ops.NowUs());
  if (!probe.ok()) return ops.Refuse(l.event, probe.status());
  // Step 2: releases of one project are serial across processes.
  std::error_code ec;
  const std::filesystem::path lock_dir = hub_->state_dir() / "exports";
  std::filesystem::create_directories(lock_dir, ec);
  if (ec) return ops.Refuse(l.event, InternalError("cannot create the exports lock folder"));
  StatusOr<FileLock> lock =
      FileLock::Acquire((lock_dir / (project + ".lock")).string(), kLockWait, "releases of project " + project);
  if (!lock.ok()) return ops.Refuse(l.event, lock.status());
  // Reloaded under the lock: another process may have released or returned it meanwhile.
  ASSIGN_OR_RETURN(l, ops.Load(Operation::kAirlockRelease, id));
  probe = exports::Apply(l.flow, exports::ReleaseAction{}, l.actor, ops.NowUs());
  if (!probe.ok()) return ops.Refuse(l.event, probe.status());

  // Step 3: every output again, protected against the ledger now.
  StatusOr<std::string> before = store->LedgerHead(project);
  StatusOr<std::vector<exports::ReleaseRecord>> earlier = store->ListReleases(project);
  StatusOr<std::vector<exports::RevisionRecord>> revisions = store->ListRevisions(id);
  for (const Status& s : {before.status(), earlier.status(), revisions.status()}) {
    if (!s.ok()) return ops.Refuse(l.event, s);
  }
  // File outputs: the approved revision's files, as sealed (their SHA-256 checked).
  StatusOr<std::vector<internal::DeclaredOutput>> declared = ops.Declared(l);
  if (!declared.ok()) return ops.Refuse(l.event, declared.status());
  StatusOr<std::vector<ComputedOutput>> computed = ops.Compute(project, *declared, std::nullopt);
  if (!computed.ok()) return ops.Refuse(l.event, computed.status());
  const int64_t approved_at = revisions->empty() ? 0 : revisions->back().created_at_us;
  const bool ledger_moved = std::any_of(earlier->begin(), earlier->end(), [&](const exports::ReleaseRecord& r) {
    return r.released_at_us >= approved_at;
  });
  const exports::Recomputation outcome = Compare(l.outputs, *computed, ledger_moved);
  if (outcome != exports::Recomputation::kSameBytes) {
    // The hub returns the request; the author hears why, the log says which.
    ASSIGN_OR_RETURN(exports::Step step, exports::Apply(l.flow, exports::ReleaseAction{outcome}, l.actor, ops.NowUs()));
    LoadedRequest returned = l;
    returned.event.action = step.transition.action;
    returned.event.actor = step.transition.actor;
    returned.event.role = "system";
    returned.event.details["op"] = "return";
    RETURN_IF_ERROR(ops.Commit(returned, step, nullptr, std::nullopt));
    const std::string why = outcome == exports::Recomputation::kDataChanged ? "data-changed" : "history-changed";
    const std::string revision = std::to_string(l.request.revision);
    return ops.Refuse(
        l.event, FailedPreconditionError("export request " + id + " no longer computes to the bytes of " + "revision " +
                                         revision + " approved (" + why + "): it is returned to its author"));
  }

  // Step 4: the body.
  const int64_t seq = static_cast<int64_t>(earlier->size()) + 1;
  const int64_t now_us = ops.NowUs();
  const audit::Actor actor{.id = l.event.actor, .role = l.event.role};
  StatusOr<Release> release = [&]() -> StatusOr<Release> {
    ASSIGN_OR_RETURN(projects::ProjectRecord record, hub_->projects().GetForHub(project));
    ASSIGN_OR_RETURN(airlock::DisclosureRules rules, ops.EffectiveRules(project));
    ASSIGN_OR_RETURN(std::vector<exports::FrameRecord> frames, store->ListFrames(project));
    ASSIGN_OR_RETURN(std::string key, hub_->AuditVerifierKey());
    return BuildRelease(l, *computed, record.spec.authorisation_ref, rules, frames, *before, seq, now_us,
                        key.substr(0, key.find('+')));
  }();
  if (!release.ok()) return ops.Refuse(l.event, release.status());
  const std::string line = release->body.ToLine();

  // Step 5: sealed on the host, the placement checked as for a build.
  RETURN_IF_ERROR(CheckCurrentPlacement(actor, "airlock.release"));
  std::unique_ptr<keys::KeyStore> keys = hub_->KeysFor(actor);
  exports::NewRelease row{.project = project,
                          .request = id,
                          .revision = l.request.revision,
                          .body = line,
                          .history_before = *before,
                          .released_at_us = now_us,
                          .wrapped_dek = {},
                          .audit_index = 0,
                          .tables = release->tables};
  StatusOr<FileLock> writing = hub_->HoldHostWrites();
  if (!writing.ok()) return ops.Refuse(l.event, writing.status());
  Status sealed = [&]() -> Status {
    ASSIGN_OR_RETURN(SecretBytes dek, keys::NewDataKey());
    ASSIGN_OR_RETURN(row.wrapped_dek, keys->WrapKey(dek, exports::ReleaseKeyContext(project, seq)));
    // Each object is recorded with the release (hub/host_records.h: the check
    // verifies it, a migration carries it).
    auto seal = [&](const std::string& name, const SecretBytes& key, std::string_view bytes,
                    exports::ExportObjectKind kind) -> Status {
      ASSIGN_OR_RETURN(storage::SealedObjectInfo info, hub_->sealed().Put(name, key, AsBytes(bytes)));
      row.objects.push_back({.object_name = info.object_name,
                             .logical_name = info.logical_name,
                             .kind = kind,
                             .bytes = static_cast<int64_t>(info.ciphertext_size),
                             .sha256 = HexEncode(info.ciphertext_sha256)});
      return OkStatus();
    };
    for (const ComputedOutput& c : *computed) {
      RETURN_IF_ERROR(
          seal(ReleaseObject(project, seq, c.record.name), dek, c.content, exports::ExportObjectKind::kRelease));
    }
    RETURN_IF_ERROR(
        seal(ReleaseObject(project, seq, kCertificateObject), dek, line, exports::ExportObjectKind::kRelease));
    ASSIGN_OR_RETURN(SecretBytes request_key,
                     keys->UnwrapKey(l.request.wrapped_dek, exports::RequestKeyContext(project, id)));
    const std::string evidence =
        "projects/" + project + "/exports/" + id + "/r" + std::to_string(l.request.revision) + "/evidence.json";
    return seal(evidence, request_key, release->evidence, exports::ExportObjectKind::kEvidence);
  }();
  if (!sealed.ok()) return ops.Refuse(l.event, sealed);

  // Step 6: the release and its event in one transaction.
  audit::Event event = l.event;
  for (const auto& [key, value] : probe->transition.details.items()) event.details[key] = value;
  nlohmann::json reviewers = nlohmann::json::array();
  for (const exports::Review& r : release->body.reviews) reviewers.push_back(r.checker);
  event.objects["release"] = std::to_string(seq);
  event.details["seq"] = seq;
  event.details["reviewers"] = reviewers;
  event.details["certificate_sha256"] = Hex(line);
  event.details["history_before"] = *before;
  int64_t index = 0;
  StatusOr<exports::ReleaseRecord> stored =
      store->AppendRelease(row, [&](const exports::ReleaseRecord& r) -> StatusOr<int64_t> {
        if (r.seq != seq) return AbortedError("another release of project " + project + " came first");
        event.details["history_after"] = r.history_after;
        // The release's line in the register and its register entry
        // (audit-log.md §9), in the same transaction as its event.
        const audit::Event line = RegisterEvent(project, seq, RegisterFields(ReleaseLine(r, release->body)));
        const audit::Event both[] = {event, line};
        ASSIGN_OR_RETURN(uint64_t appended, hub_->audit().AppendBatch(both));
        index = static_cast<int64_t>(appended);
        return index;
      });
  if (!stored.ok()) return ops.Refuse(event, stored.status());

  // Step 7: a checkpoint covers the entry; the files and the bundle.
  RETURN_IF_ERROR(hub_->audit().Flush());
  ReleasedFiles out{.request = id,
                    .project = project,
                    .seq = seq,
                    .revision = l.request.revision,
                    .certificate_sha256 = stored->certificate_sha256,
                    .files = {},
                    .bundle = {}};
  for (const ComputedOutput& c : *computed) {
    out.files.push_back({.name = c.record.name,
                         .format = c.record.format,
                         .bytes = c.record.bytes,
                         .sha256 = c.record.sha256,
                         .content = c.content});
  }
  ASSIGN_OR_RETURN(out.bundle, ReleaseBundle(line, index));
  return out;
}

StatusOr<ReleasedFiles> Service::DownloadRelease(const RequestContext& ctx, const std::string& id) {
  ASSIGN_OR_RETURN(exports::ExportStore * store, Exports());
  ExportOps ops(*this, ctx, *store);
  ASSIGN_OR_RETURN(LoadedRequest l, ops.Load(Operation::kAirlockRelease, id));
  l.event.action = "airlock.read";
  l.event.details["what"] = "download";
  if (l.request.author != ctx.principal().user) {
    return ops.Refuse(l.event, PermissionDeniedError("only the author downloads the release of export request " + id));
  }
  if (l.request.state != exports::RequestState::kReleased) {
    return ops.Refuse(l.event, FailedPreconditionError("export request " + id + " is not released"));
  }
  const std::string& project = l.request.project;
  ReleasedFiles out{.request = id, .project = project};
  std::string body;
  int64_t index = 0;
  Status read = [&]() -> Status {
    ASSIGN_OR_RETURN(std::vector<exports::ReleaseRecord> releases, store->ListReleases(project));
    auto it = std::find_if(releases.begin(), releases.end(), [&](const auto& r) { return r.request == id; });
    if (it == releases.end()) return DataLossError("export request " + id + " is released without a release row");
    out.seq = it->seq;
    out.revision = it->revision;
    out.certificate_sha256 = it->certificate_sha256;
    body = it->body;
    index = it->audit_index;
    ASSIGN_OR_RETURN(exports::CertificateBody parsed, exports::ParseBody(body));
    std::unique_ptr<keys::KeyStore> keys = hub_->KeysFor({.id = l.event.actor, .role = l.event.role});
    ASSIGN_OR_RETURN(SecretBytes dek, keys->UnwrapKey(it->wrapped_dek, exports::ReleaseKeyContext(project, it->seq)));
    ASSIGN_OR_RETURN(Bytes sealed_body, hub_->sealed().Get(ReleaseObject(project, it->seq, kCertificateObject), dek));
    if (std::string(sealed_body.begin(), sealed_body.end()) != body) {
      return DataLossError("release " + std::to_string(it->seq) + " of project " + project +
                           ": the certificate on the host is not the one recorded");
    }
    for (const exports::Output& o : parsed.outputs) {
      ASSIGN_OR_RETURN(Bytes bytes, hub_->sealed().Get(ReleaseObject(project, it->seq, o.name), dek));
      ReleasedFile f{.name = o.name,
                     .format = o.format,
                     .bytes = static_cast<int64_t>(bytes.size()),
                     .sha256 = HexEncode(crypto::Sha256(bytes)),
                     .content = std::string(bytes.begin(), bytes.end())};
      if (f.sha256 != o.sha256 || f.bytes != o.bytes) {
        return DataLossError("release " + std::to_string(it->seq) + " of project " + project + ": output " + o.name +
                             " on the host is not the file its certificate names");
      }
      out.files.push_back(std::move(f));
    }
    l.event.objects["release"] = std::to_string(it->seq);
    return OkStatus();
  }();
  RETURN_IF_ERROR(ops.Refuse(l.event, read));
  ASSIGN_OR_RETURN(out.bundle, ReleaseBundle(std::move(body), index));
  return out;
}

}  // namespace hdhub::service
