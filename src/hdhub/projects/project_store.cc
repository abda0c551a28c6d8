#include "hdhub/projects/project_store.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "hdhub/audit/recorder.h"
#include "hdhub/crypto/hash.h"
#include "hdhub/directory/directory.h"
#include "hdhub/keys/key_store_wrapper.h"
#include "hdhub/projects/project_schema.h"
#include "hdhub/projects/store_util.h"

namespace hdhub::projects {
namespace {

using catalog::Transaction;
using directory::Principal;
using directory::Role;

constexpr size_t kMaxRef = 128;
constexpr size_t kMaxPurpose = 2000;
constexpr int kApprovalsNeeded = 2;

bool IsMember(const ProjectRecord& p, std::string_view user) {
  return std::find(p.spec.members.begin(), p.spec.members.end(), user) != p.spec.members.end();
}

bool IsProjectId(std::string_view id) {
  if (id.empty() || id.size() > 64 || id[0] < 'a' || id[0] > 'z') return false;
  return std::all_of(id.begin(), id.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

bool IsRef(std::string_view ref) {
  if (ref.empty() || ref.size() > kMaxRef) return false;
  return std::all_of(ref.begin(), ref.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == ':' || c == '/' || c == '-';
  });
}

Status Validate(const ProjectSpec& s) {
  if (!IsProjectId(s.id))
    return InvalidArgumentError("project id '" + s.id.substr(0, 64) + "' must be [a-z][a-z0-9-]{0,63}");
  if (!IsRef(s.authorisation_ref)) {
    return InvalidArgumentError("the authorisation reference must be 1-128 of [A-Za-z0-9._:/-]");
  }
  if (s.purpose.empty() || s.purpose.size() > kMaxPurpose)
    return InvalidArgumentError("the purpose must be 1-2000 characters");
  if (s.end <= s.start) return InvalidArgumentError("end: the project's window must end after it starts");
  if (s.members.empty()) return InvalidArgumentError("a project needs at least one member");
  if (s.client_networks.empty()) {
    return InvalidArgumentError("a project needs at least one client network (default: loopback only)");
  }
  for (const std::string& m : s.members) {
    if (!directory::Directory::IsValidUserName(m))
      return InvalidArgumentError("member '" + m.substr(0, 64) + "' is not a user name");
  }
  return OkStatus();
}

}  // namespace

std::string_view ProjectStateName(ProjectState s) {
  switch (s) {
    case ProjectState::kDraft:
      return "draft";
    case ProjectState::kApproved:
      return "approved";
    case ProjectState::kClosed:
      return "closed";
    case ProjectState::kExpired:
      return "expired";
  }
  return "draft";
}

std::string_view PhaseName(Phase p) {
  switch (p) {
    case Phase::kDraft:
      return "draft";
    case Phase::kNotStarted:
      return "approved (not started)";
    case Phase::kActive:
      return "active";
    case Phase::kEnded:
      return "ended (awaiting shredding)";
    case Phase::kClosed:
      return "closed";
    case Phase::kExpired:
      return "expired";
  }
  return "draft";
}

Phase ProjectRecord::PhaseAt(TimePoint now) const {
  switch (state) {
    case ProjectState::kDraft:
      return Phase::kDraft;
    case ProjectState::kClosed:
      return Phase::kClosed;
    case ProjectState::kExpired:
      return Phase::kExpired;
    case ProjectState::kApproved:
      break;
  }
  if (now < spec.start) return Phase::kNotStarted;
  return now < spec.end ? Phase::kActive : Phase::kEnded;
}

std::string Thresholds::ToJson() const {
  return nlohmann::json{{"min_cell_count", min_cell_count},
                        {"dominance_n", dominance_n},
                        {"dominance_k", dominance_k},
                        {"p_percent", p_percent}}
      .dump();
}

StatusOr<Thresholds> Thresholds::FromJson(std::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgumentError("thresholds: not a JSON object");
  Thresholds t;
  t.min_cell_count = j.value("min_cell_count", t.min_cell_count);
  t.dominance_n = j.value("dominance_n", t.dominance_n);
  t.dominance_k = j.value("dominance_k", t.dominance_k);
  t.p_percent = j.value("p_percent", t.p_percent);
  if (t.min_cell_count < 1 || t.dominance_k <= 0 || t.dominance_k > 1 || t.p_percent < 0 || t.p_percent > 1) {
    return InvalidArgumentError("thresholds: min_cell_count >= 1, 0 < dominance_k <= 1, 0 <= p_percent <= 1");
  }
  return t;
}

Status UnknownOrNotYoursError(std::string_view id) {
  return PermissionDeniedError("project " + std::string(id.substr(0, 64)) + " is unknown or not yours");
}

std::string PseudonymKeyContext(std::string_view project) { return "project/" + std::string(project) + "/pseudonyms"; }

std::string WorkspaceKeyContext(std::string_view project, int64_t build) {
  return "project/" + std::string(project) + "/workspace/" + std::to_string(build);
}

StatusOr<std::unique_ptr<ProjectStore>> ProjectStore::Open(const std::string& db_path, Clock* clock,
                                                           audit::AuditLog* log, KeysFor keys_for,
                                                           std::shared_ptr<const catalog::SqliteCipher> cipher) {
  if (!keys_for) return InvalidArgumentError("a project store needs its key views (keys_for)");
  ASSIGN_OR_RETURN(std::unique_ptr<catalog::Database> db,
                   catalog::Database::Open(db_path, catalog::Database::kDefaultBusyTimeoutMs, std::move(cipher)));
  RETURN_IF_ERROR(catalog::ApplyMigrations(db.get(), kProjectsComponent, ProjectMigrations()));
  return std::make_unique<ProjectStore>(std::move(db), clock, log, std::move(keys_for));
}

ProjectStore::KeysFor ProjectStore::Borrowed(keys::KeyStore* store) {
  return [store](const audit::Actor&) -> std::unique_ptr<keys::KeyStore> {
    return std::make_unique<keys::KeyStoreWrapper>(store);
  };
}

Status ProjectStore::Audited(const Principal& who, Role as, directory::Operation op, audit::Event event,
                             const Body& body) {
  audit::Actor actor = who.AsActor(as);
  event.actor = actor.id;
  event.role = actor.role;
  std::lock_guard lock(mu_);
  bool append_failed = false;
  Status status = [&]() -> Status {
    ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db_.get(), Transaction::Mode::kWrite));
    bool member = false;
    if (event.project) {
      StatusOr<ProjectRecord> p = internal::LoadProject(*db_, *event.project);
      member = p.ok() && IsMember(*p, who.user);
    }
    RETURN_IF_ERROR(directory::Authorize(who, op, {.member = member}, as).status());
    RETURN_IF_ERROR(body(event));
    Status logged = log_->Append(event).status();  // before COMMIT: no change without its event
    append_failed = !logged.ok();
    RETURN_IF_ERROR(logged);
    return txn.Commit();
  }();
  if (status.ok() || append_failed) return status;
  event.details = nlohmann::json::object();  // they described a change that did not happen
  return audit::Record(*log_, std::move(event), status);
}

Status ProjectStore::Create(const Principal& who, Role as, const ProjectSpec& spec, const SpecCheck& check) {
  audit::Event e{.action = "project.create", .project = spec.id};
  e.details["authorisation"] = IsRef(spec.authorisation_ref) ? spec.authorisation_ref : std::string("invalid");
  return Audited(who, as, directory::Operation::kProjectCreate, e, [&](audit::Event& event) -> Status {
    RETURN_IF_ERROR(Validate(spec));
    if (spec.end <= clock_->Now()) {
      return InvalidArgumentError("end: the project's window has already ended; record it with its real dates");
    }
    if (check) RETURN_IF_ERROR(check(spec));
    ASSIGN_OR_RETURN(SecretBytes k_project, keys::NewDataKey());
    std::unique_ptr<keys::KeyStore> keys = keys_for_(who.AsActor(as));
    ASSIGN_OR_RETURN(Bytes wrapped, keys->WrapKey(k_project, PseudonymKeyContext(spec.id)));
    RETURN_IF_ERROR(internal::InsertProject(*db_, spec, wrapped, event.actor, clock_->Now()));
    RETURN_IF_ERROR(internal::ReplaceMembers(*db_, spec.id, spec.members));
    event.details["members"] = spec.members.size();
    event.details["tables"] = spec.scope.tables.size();
    event.details["scope_sha256"] = spec.scope.Digest();
    event.details["client_networks"] = spec.client_networks.size();
    return OkStatus();
  });
}

StatusOr<ProjectState> ProjectStore::Approve(const Principal& who, std::string_view id) {
  ProjectState result = ProjectState::kDraft;
  audit::Event e{.action = "project.approve", .project = std::string(id)};
  RETURN_IF_ERROR(
      Audited(who, Role::kOperator, directory::Operation::kProjectApprove, e, [&](audit::Event& event) -> Status {
        ASSIGN_OR_RETURN(ProjectRecord p, internal::LoadProject(*db_, id));
        if (p.state != ProjectState::kDraft) {
          return FailedPreconditionError("project " + std::string(id) + " is " +
                                         std::string(ProjectStateName(p.state)) + ", not a draft awaiting approval");
        }
        if (std::find(p.approvers.begin(), p.approvers.end(), event.actor) != p.approvers.end()) {
          return FailedPreconditionError(event.actor + " already approved scope version " +
                                         std::to_string(p.scope_version) + " of project " + std::string(id) +
                                         "; a second, different operator must approve");
        }
        RETURN_IF_ERROR(internal::InsertApproval(*db_, id, p.scope_version, event.actor, clock_->Now()));
        int approvals = int(p.approvers.size()) + 1;
        if (approvals >= kApprovalsNeeded) {
          RETURN_IF_ERROR(internal::SetState(*db_, id, ProjectState::kApproved, std::nullopt));
          result = ProjectState::kApproved;
        }
        event.details["scope_version"] = p.scope_version;
        event.details["approvals"] = approvals;
        return OkStatus();
      }));
  return result;
}

Status ProjectStore::Change(const Principal& who, Role as, std::string_view id, const ProjectScope& scope,
                            const std::vector<std::string>& members, const SpecCheck& check,
                            const std::optional<std::vector<Network>>& client_networks,
                            const std::optional<std::string>& airlock_rules_json) {
  audit::Event e{.action = "project.change", .project = std::string(id)};
  return Audited(who, as, directory::Operation::kProjectChange, e, [&](audit::Event& event) -> Status {
    ASSIGN_OR_RETURN(ProjectRecord p, internal::LoadProject(*db_, id));
    if (p.state == ProjectState::kClosed || p.state == ProjectState::kExpired) {
      return FailedPreconditionError("project " + std::string(id) + " has ended; it cannot change");
    }
    if (p.spec.end <= clock_->Now()) {
      return FailedPreconditionError("project " + std::string(id) + "'s window ended on " + FormatRfc3339(p.spec.end) +
                                     "; it cannot change");
    }
    p.spec.scope = scope;
    p.spec.members = members;
    if (client_networks) p.spec.client_networks = *client_networks;
    if (airlock_rules_json) p.spec.airlock_rules_json = *airlock_rules_json;
    RETURN_IF_ERROR(Validate(p.spec));
    if (check) RETURN_IF_ERROR(check(p.spec));
    RETURN_IF_ERROR(
        internal::UpdateScope(*db_, id, scope, p.spec.client_networks, p.spec.airlock_rules_json, p.scope_version + 1));
    RETURN_IF_ERROR(internal::ReplaceMembers(*db_, id, members));
    event.details["scope_version"] = p.scope_version + 1;
    event.details["scope_sha256"] = scope.Digest();
    event.details["members"] = members.size();
    event.details["client_networks"] = p.spec.client_networks.size();
    event.details["airlock_rules_sha256"] = HexEncode(crypto::Sha256(AsBytes(p.spec.airlock_rules_json)));
    return OkStatus();
  });
}

Status ProjectStore::Close(const Principal& who, std::string_view id) {
  audit::Event e{.action = "project.close", .project = std::string(id)};
  return Audited(who, Role::kOperator, directory::Operation::kProjectClose, e, [&](audit::Event&) -> Status {
    ASSIGN_OR_RETURN(ProjectRecord p, internal::LoadProject(*db_, id));
    if (p.state == ProjectState::kClosed || p.state == ProjectState::kExpired) {
      return FailedPreconditionError("project " + std::string(id) + " has already ended");
    }
    return internal::SetState(*db_, id, ProjectState::kClosed, clock_->Now());
  });
}

StatusOr<ProjectRecord> ProjectStore::Get(const Principal& who, Role as, std::string_view id) {
  StatusOr<ProjectRecord> p = GetForHub(id);
  const bool member = p.ok() && IsMember(*p, who.user);
  Status allowed = directory::Authorize(who, directory::Operation::kProjectRead, {.member = member}, as).status();
  // One answer for "no such project" and "not yours": ids are not disclosed.
  if (!allowed.ok() || IsNotFound(p.status())) {
    audit::Actor actor = who.AsActor(as);
    audit::Event e{.actor = actor.id, .role = actor.role, .action = "project.read", .project = std::string(id)};
    if (!allowed.ok() || !who.Has(as)) {
      return audit::Record(*log_, std::move(e), UnknownOrNotYoursError(id));
    }
    return p.status();
  }
  audit::Actor actor = who.AsActor(as);
  RETURN_IF_ERROR(audit::Record(
      *log_, audit::Event{.actor = actor.id, .role = actor.role, .action = "project.read", .project = std::string(id)},
      OkStatus()));
  return p;
}

StatusOr<std::vector<ProjectRecord>> ProjectStore::List(const Principal& who, Role as) {
  audit::Actor actor = who.AsActor(as);
  audit::Event event{.actor = actor.id, .role = actor.role, .action = "project.list"};
  // A role that may see no project at all, even its own, is refused.
  Status may_list = directory::Authorize(who, directory::Operation::kProjectList, {.member = true}, as).status();
  if (!may_list.ok()) return audit::Record(*log_, std::move(event), may_list);
  ASSIGN_OR_RETURN(std::vector<ProjectRecord> all, ListForHub());
  std::vector<ProjectRecord> visible;
  for (ProjectRecord& p : all) {
    const bool member = IsMember(p, who.user);
    if (directory::Authorize(who, directory::Operation::kProjectList, {.member = member}, as).ok()) {
      visible.push_back(std::move(p));
    }
  }
  event.details["count"] = visible.size();
  RETURN_IF_ERROR(audit::Record(*log_, std::move(event), OkStatus()));
  return visible;
}

StatusOr<ProjectRecord> ProjectStore::GetForHub(std::string_view id) {
  std::lock_guard lock(mu_);
  return internal::LoadProject(*db_, id);
}

StatusOr<std::vector<ProjectRecord>> ProjectStore::ListForHub() {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(std::vector<std::string> ids, internal::ProjectIds(*db_));
  std::vector<ProjectRecord> out;
  for (const std::string& id : ids) {
    ASSIGN_OR_RETURN(ProjectRecord p, internal::LoadProject(*db_, id));
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace hdhub::projects
