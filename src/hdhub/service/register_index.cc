// Service: the register entries (docs/formats/audit-log.md §9). When a
// register line comes into being (a project approved, a release made) the hub
// logs, as itself, a register.publish entry whose text_sha256 is the SHA-256
// of the line's public fields in canonical JSON: an entry that names no
// account, which anyone may be handed with its proof (PublicRegisterProof)
// and check against the line the register shows.
#include <charconv>

#include "hdhub/audit/checkpoint.h"
#include "hdhub/audit/note.h"
#include "hdhub/audit/recorder.h"
#include "hdhub/common/clock.h"
#include "hdhub/service/export_ops.h"

namespace hdhub::service {
namespace {

using directory::Operation;
using json = nlohmann::json;

constexpr char kRegisterAction[] = "register.publish";
// Read before decoding: most entries are not register entries.
constexpr char kRegisterMarker[] = "\"action\":\"register.publish\"";

bool IsRegisterEntry(const audit::Entry& e) {
  const audit::Actor hub = hub::HubActor();
  return e.event.action == kRegisterAction && e.event.actor == hub.id && e.event.role == hub.role &&
         e.event.project.has_value() && e.event.objects.contains("project") && e.text_sha256.has_value();
}

}  // namespace

json RegisterFields(const PublicProject& p) {
  return {{"project", p.project},
          {"authorisation", p.authorisation_ref},
          {"purpose", p.purpose},
          {"scope", json::parse(p.scope.ToJson())},
          {"start", FormatRfc3339(p.start)},
          {"end", FormatRfc3339(p.end)}};
}

json RegisterFields(const RegisterEntry& e) {
  json outputs = json::array();
  for (const RegisterOutput& o : e.outputs) {
    outputs.push_back({{"name", o.name}, {"kind", o.kind}, {"format", o.format}, {"bytes", o.bytes}});
  }
  return {{"project", e.project},
          {"authorisation", e.authorisation_ref},
          {"release", e.seq},
          {"released_at", FormatRfc3339(FromMicros(e.released_at_us))},
          {"outputs", std::move(outputs)},
          {"certificate_sha256", e.certificate_sha256}};
}

RegisterEntry ReleaseLine(const exports::ReleaseRecord& r, const exports::CertificateBody& body) {
  RegisterEntry e{.project = r.project,
                  .authorisation_ref = body.authorisation_ref,
                  .seq = r.seq,
                  .released_at_us = r.released_at_us,
                  .outputs = {},
                  .certificate_sha256 = r.certificate_sha256,
                  .audit_index = r.audit_index,
                  .register_entry = std::nullopt};
  for (const exports::Output& o : body.outputs) {
    e.outputs.push_back({.name = o.name, .kind = o.kind, .format = o.format, .bytes = o.bytes});
  }
  return e;
}

PublicProject ProjectLine(const projects::ProjectRecord& record) {
  return PublicProject{.project = record.spec.id,
                       .authorisation_ref = record.spec.authorisation_ref,
                       .purpose = record.spec.purpose,
                       .scope = record.spec.scope,
                       .start = record.spec.start,
                       .end = record.spec.end,
                       .state = record.state,
                       .releases = {},
                       .register_entry = std::nullopt};
}

audit::Event Service::RegisterEvent(const std::string& project, std::optional<int64_t> release, const json& fields) {
  const audit::Actor hub = hub::HubActor();
  audit::Event event{.actor = hub.id, .role = hub.role, .action = kRegisterAction, .project = project};
  event.objects["project"] = project;
  if (release) event.objects["release"] = std::to_string(*release);
  // Canonical: nlohmann's objects keep their keys sorted by byte value, and
  // dump() writes no whitespace and JSON's minimal escaping.
  event.free_text = fields.dump(-1, ' ', false, json::error_handler_t::replace);
  return event;
}

StatusOr<Service::RegisterEntries> Service::CurrentRegisterEntries() {
  std::lock_guard lock(register_mu_);
  const audit::AuditLog& log = hub_->audit();
  const uint64_t size = log.Size();
  for (uint64_t i = register_entries_.scanned; i < size; ++i) {
    ASSIGN_OR_RETURN(std::string raw, log.ReadEntry(i));
    register_entries_.scanned = i + 1;
    if (raw.find(kRegisterMarker) == std::string::npos) continue;
    StatusOr<audit::Entry> entry = audit::DecodeEntry(raw);
    if (!entry.ok()) return DataLossError("audit entry " + std::to_string(i) + ": " + entry.status().ToString());
    if (!IsRegisterEntry(*entry)) continue;
    const std::string& project = entry->event.objects.at("project");
    auto release = entry->event.objects.find("release");
    if (release == entry->event.objects.end()) {
      register_entries_.approvals[project] = static_cast<int64_t>(i);
      continue;
    }
    int64_t seq = 0;
    const std::string& text = release->second;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seq);
    if (ec == std::errc() && end == text.data() + text.size()) register_entries_.releases[{project, seq}] = int64_t(i);
  }
  return register_entries_;
}

StatusOr<RegisterProof> Service::PublicRegisterProof(const PublicContext& ctx, uint64_t index) {
  audit::Event event{.actor = "anonymous",
                     .role = "public",
                     .action = std::string(directory::RuleFor(Operation::kPublicRegisterProof).action)};
  if (!ctx.client_address.empty()) event.details["source"] = ctx.client_address;
  event.details["index"] = index;
  if (Status allowed = directory::AuthorizePublic(Operation::kPublicRegisterProof); !allowed.ok()) {
    return audit::Record(hub_->audit(), event, allowed);
  }
  const audit::AuditLog& log = hub_->audit();
  StatusOr<RegisterProof> proof = [&]() -> StatusOr<RegisterProof> {
    // One answer for an index that is not a register entry, does not exist
    // or is not covered yet: nothing else of the log is told.
    const Status unknown = NotFoundError("register entry " + std::to_string(index) + " is unknown");
    RegisterProof p{.index = index};
    ASSIGN_OR_RETURN(p.checkpoint, hub_->AuditCheckpoint());
    ASSIGN_OR_RETURN(audit::Note note, audit::ParseNote(p.checkpoint));
    ASSIGN_OR_RETURN(audit::Checkpoint checkpoint, audit::ParseCheckpointText(note.text));
    if (index >= checkpoint.size) return unknown;
    ASSIGN_OR_RETURN(p.entry, log.ReadEntry(index));
    StatusOr<audit::Entry> entry = audit::DecodeEntry(p.entry);
    if (!entry.ok()) return DataLossError("audit entry " + std::to_string(index) + " does not decode");
    if (!IsRegisterEntry(*entry)) return unknown;
    p.size = checkpoint.size;
    ASSIGN_OR_RETURN(p.proof, log.InclusionProof(index, p.size));
    ASSIGN_OR_RETURN(p.log_key, hub_->AuditVerifierKey());
    return p;
  }();
  RETURN_IF_ERROR(audit::Record(hub_->audit(), std::move(event), proof.status()));
  return proof;
}

}  // namespace hdhub::service
