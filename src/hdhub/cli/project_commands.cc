// hdhub project … and hdhub query --project: research projects from the
// command line. A command acts for the user of $HDHUB_TOKEN (authenticated by
// the directory) or, without a token, for the operator at this terminal;
// --as chooses the role it acts in. Exit codes as in commands.h.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "hdhub/cli/commands.h"
#include "hdhub/cli/output.h"
#include "hdhub/common/file.h"
#include "hdhub/hub/hub.h"
#include "hdhub/keys/passphrase.h"
#include "hdhub/projects/shredder.h"

namespace hdhub::cli {
namespace {

using directory::Principal;
using directory::Role;
using projects::ProjectRecord;

// The hub, and who acts on it: the token's user, or the terminal's operator.
struct Session {
  std::unique_ptr<hub::Hub> hub;
  Principal who;
};

StatusOr<Session> Authenticate(const GlobalOptions& opts, Clock* clock) {
  Session s;
  ASSIGN_OR_RETURN(s.hub, OpenHub(opts, clock));
  std::optional<SecretBytes> token = TokenFromEnvironment();
  if (!token) {
    audit::Actor op = OperatorActor();
    s.who = Principal{op.id, {Role::kOperator}};
    return s;
  }
  ASSIGN_OR_RETURN(directory::Directory * dir, s.hub->directory());
  ASSIGN_OR_RETURN(s.who, dir->AuthenticateToken(*token));
  return s;
}

// The role to act in: --as, else the first of operator, steward, researcher
// that the principal holds.
StatusOr<Role> ActingRole(const Principal& who, const std::string& as) {
  if (!as.empty()) return directory::ParseRole(as);
  for (Role r : {Role::kOperator, Role::kSteward, Role::kResearcher, Role::kAuditor}) {
    if (who.Has(r)) return r;
  }
  return PermissionDeniedError(who.user + " holds no role that acts on projects");
}

template <typename F>
std::function<void()> OnProjects(const GlobalOptions& opts, int* exit_code, std::shared_ptr<std::string> as, F body) {
  return Run(exit_code, [&opts, as, body]() -> Status {
    SystemClock clock;
    ASSIGN_OR_RETURN(Session s, Authenticate(opts, &clock));
    ASSIGN_OR_RETURN(Role role, ActingRole(s.who, *as));
    s.hub->set_actor(s.who.AsActor(role));
    ASSIGN_OR_RETURN(projects::ProjectStore * store, s.hub->projects());
    return body(*s.hub, *store, s.who, role);
  });
}

nlohmann::json ProjectJson(const ProjectRecord& p, TimePoint now) {
  return {{"id", p.spec.id},
          {"authorisation", p.spec.authorisation_ref},
          {"purpose", p.spec.purpose},
          {"state", std::string(projects::ProjectStateName(p.state))},
          {"phase", std::string(projects::PhaseName(p.PhaseAt(now)))},
          {"scope", nlohmann::json::parse(p.spec.scope.ToJson())},
          {"scope_version", p.scope_version},
          {"approvers", p.approvers},
          {"members", p.spec.members},
          {"start", FormatRfc3339(p.spec.start)},
          {"end", FormatRfc3339(p.spec.end)},
          {"thresholds", nlohmann::json::parse(p.spec.thresholds.ToJson())},
          {"created_by", p.created_by},
          {"keys_destroyed", p.wrapped_pseudonym_key.empty()}};
}

struct CreateArgs {
  projects::ProjectSpec spec;
  std::string scope_file, start, end;
  int min_cell_count = 10;
};

void AddCreate(CLI::App& project, const GlobalOptions& opts, int* exit_code, std::shared_ptr<std::string> as) {
  auto* cmd = project.add_subcommand("create", "record an authorised project (a draft until two operators approve)");
  auto a = std::make_shared<CreateArgs>();
  cmd->add_option("--id", a->spec.id, "project id, [a-z][a-z0-9-]*")->required();
  cmd->add_option("--authorisation", a->spec.authorisation_ref, "the authorisation's reference")->required();
  cmd->add_option("--purpose", a->spec.purpose, "the authorised purpose")->required();
  cmd->add_option("--scope", a->scope_file, "scope JSON file (docs/formats/projects.md)")->required();
  cmd->add_option("--start", a->start, "first day, YYYY-MM-DD (UTC)")->required();
  cmd->add_option("--end", a->end, "day the authorisation ends, YYYY-MM-DD (UTC)")->required();
  cmd->add_option("--member", a->spec.members, "a researcher of the project (repeat)")->required();
  cmd->add_option("--min-cell-count", a->min_cell_count, "smallest count a released table may show (default 10)");
  cmd->callback(OnProjects(
      opts, exit_code, as, [a](hub::Hub&, projects::ProjectStore& store, const Principal& who, Role role) -> Status {
        ASSIGN_OR_RETURN(std::string text, ReadFile(a->scope_file));
        ASSIGN_OR_RETURN(a->spec.scope, projects::ProjectScope::Parse(text));
        ASSIGN_OR_RETURN(a->spec.start, ParseRfc3339(a->start));
        ASSIGN_OR_RETURN(a->spec.end, ParseRfc3339(a->end));
        a->spec.thresholds.min_cell_count = a->min_cell_count;
        RETURN_IF_ERROR(store.Create(who, role, a->spec));
        std::cout << "project " << a->spec.id << " created as a draft; two different operators must approve it\n";
        return OkStatus();
      }));
}

void AddApproveChangeClose(CLI::App& project, const GlobalOptions& opts, int* exit_code,
                           std::shared_ptr<std::string> as) {
  auto id = std::make_shared<std::string>();
  auto* approve = project.add_subcommand("approve", "approve a draft (an operator; two different ones activate it)");
  approve->add_option("id", *id, "project id")->required();
  approve->callback(OnProjects(
      opts, exit_code, as, [id, &opts](hub::Hub&, projects::ProjectStore& store, const Principal& who, Role) -> Status {
        ASSIGN_OR_RETURN(projects::ProjectState state, store.Approve(who, *id));
        if (opts.json) {
          std::cout
              << nlohmann::json{{"project", *id}, {"state", std::string(projects::ProjectStateName(state))}}.dump()
              << "\n";
          return OkStatus();
        }
        std::cout << "project " << *id << " is " << projects::ProjectStateName(state) << "\n";
        return OkStatus();
      }));
  auto change = std::make_shared<CreateArgs>();
  auto* cmd = project.add_subcommand("change", "a new scope and member list: back to draft until approved again");
  cmd->add_option("id", change->spec.id, "project id")->required();
  cmd->add_option("--scope", change->scope_file, "scope JSON file")->required();
  cmd->add_option("--member", change->spec.members, "a researcher of the project (repeat)")->required();
  cmd->callback(
      OnProjects(opts, exit_code, as,
                 [change](hub::Hub&, projects::ProjectStore& store, const Principal& who, Role role) -> Status {
                   ASSIGN_OR_RETURN(std::string text, ReadFile(change->scope_file));
                   ASSIGN_OR_RETURN(projects::ProjectScope scope, projects::ProjectScope::Parse(text));
                   return store.Change(who, role, change->spec.id, scope, change->spec.members);
                 }));
  auto close_id = std::make_shared<std::string>();
  auto* close = project.add_subcommand("close", "end a project now: its workspace is deleted and its keys destroyed");
  close->add_option("id", *close_id, "project id")->required();
  close->callback(
      OnProjects(opts, exit_code, as,
                 [close_id](hub::Hub& hub, projects::ProjectStore& store, const Principal& who, Role) -> Status {
                   projects::Shredder shredder(&store, &hub.sealed(), &hub.audit(), &hub.clock());
                   RETURN_IF_ERROR(shredder.Close(who, *close_id));
                   std::cout << "project " << *close_id << " closed; its workspace is shredded\n";
                   return OkStatus();
                 }));
}

void AddReadAndRun(CLI::App& project, const GlobalOptions& opts, int* exit_code, std::shared_ptr<std::string> as) {
  auto id = std::make_shared<std::string>();
  auto* show = project.add_subcommand("show", "one project, its state and its workspaces (JSON)");
  show->add_option("id", *id, "project id")->required();
  show->callback(OnProjects(
      opts, exit_code, as,
      [id](hub::Hub& hub, projects::ProjectStore& store, const Principal& who, Role role) -> Status {
        ASSIGN_OR_RETURN(ProjectRecord p, store.Get(who, role, *id));
        nlohmann::json out = ProjectJson(p, hub.clock().Now());
        ASSIGN_OR_RETURN(std::vector<projects::WorkspaceRecord> workspaces, store.Workspaces(*id));
        out["workspaces"] = nlohmann::json::array();
        for (const auto& w : workspaces) {
          out["workspaces"].push_back({{"build", w.build},
                                       {"state", std::string(projects::WorkspaceStateName(w.state))},
                                       {"provenance", nlohmann::json::parse(w.provenance_json, nullptr, false)}});
        }
        std::cout << out.dump(2) << "\n";
        return OkStatus();
      }));
  auto* list = project.add_subcommand("list", "the projects one may see");
  list->callback(OnProjects(
      opts, exit_code, as,
      [&opts](hub::Hub& hub, projects::ProjectStore& store, const Principal& who, Role role) -> Status {
        ASSIGN_OR_RETURN(std::vector<ProjectRecord> all, store.List(who, role));
        sql::QueryResult table{.column_names = {"id", "phase", "authorisation", "start", "end", "members"}};
        for (const ProjectRecord& p : all) {
          table.rows.push_back({p.spec.id, std::string(projects::PhaseName(p.PhaseAt(hub.clock().Now()))),
                                p.spec.authorisation_ref, FormatRfc3339(p.spec.start).substr(0, 10),
                                FormatRfc3339(p.spec.end).substr(0, 10), std::to_string(p.spec.members.size())});
        }
        table.column_types.assign(table.column_names.size(), "VARCHAR");
        PrintResult(table, opts.json);
        return OkStatus();
      }));
  auto build_id = std::make_shared<std::string>();
  auto* build = project.add_subcommand("build", "materialise the project's workspace (operator or steward)");
  build->add_option("id", *build_id, "project id")->required();
  build->callback(OnProjects(
      opts, exit_code, as,
      [build_id, &opts](hub::Hub& hub, projects::ProjectStore&, const Principal& who, Role role) -> Status {
        ASSIGN_OR_RETURN(projects::BuilderDeps deps, hub.BuilderDependencies());
        ASSIGN_OR_RETURN(projects::BuildResult r, projects::WorkspaceBuilder(deps).Build(who, role, *build_id));
        if (opts.json) {
          std::cout << nlohmann::json{{"project", *build_id},
                                      {"workspace", r.build},
                                      {"rows", r.rows},
                                      {"provenance", nlohmann::json::parse(r.provenance_json)}}
                           .dump()
                    << "\n";
          return OkStatus();
        }
        std::cout << "workspace " << r.build << " of " << *build_id << " built:";
        for (const auto& [table, rows] : r.rows) std::cout << " " << table << " " << rows;
        std::cout << " rows\n";
        return OkStatus();
      }));
  auto* sweep = project.add_subcommand("sweep", "shred every project whose window has ended (operator)");
  sweep->callback(OnProjects(
      opts, exit_code, as, [&opts](hub::Hub& hub, projects::ProjectStore& store, const Principal& who, Role) -> Status {
        projects::Shredder shredder(&store, &hub.sealed(), &hub.audit(), &hub.clock());
        ASSIGN_OR_RETURN(std::vector<std::string> shredded, shredder.Sweep(who));
        if (opts.json) {
          std::cout << nlohmann::json{{"shredded", shredded}}.dump() << "\n";
          return OkStatus();
        }
        std::cout << shredded.size() << " ended project(s) shredded\n";
        for (const std::string& id : shredded) std::cout << "  " << id << "\n";
        return OkStatus();
      }));
}

}  // namespace

Status RunProjectQuery(const GlobalOptions& opts, const std::string& project, const std::string& sql_text,
                       std::chrono::seconds timeout) {
  SystemClock clock;
  ASSIGN_OR_RETURN(Session s, Authenticate(opts, &clock));
  s.hub->set_actor(s.who.AsActor(Role::kResearcher));
  ASSIGN_OR_RETURN(projects::SessionDeps deps, s.hub->SessionDependencies());
  projects::SessionLimits limits;
  if (timeout.count() > 0) limits.timeout = std::min<std::chrono::milliseconds>(limits.timeout, timeout);
  ASSIGN_OR_RETURN(std::unique_ptr<projects::ProjectSession> session,
                   projects::ProjectSession::Open(deps, s.who, project, limits));
  ASSIGN_OR_RETURN(sql::QueryResult result, session->Query(sql_text));
  PrintResult(result, opts.json);
  return OkStatus();
}

void AddProjectCommands(CLI::App& app, const GlobalOptions& opts, int* exit_code) {
  auto* project = app.add_subcommand("project", "research projects: authorisations, approvals, workspaces");
  project->require_subcommand(1);
  auto as = std::make_shared<std::string>();
  project->add_option("--as", *as, "act in this role (operator, steward, researcher, auditor)");
  AddCreate(*project, opts, exit_code, as);
  AddApproveChangeClose(*project, opts, exit_code, as);
  AddReadAndRun(*project, opts, exit_code, as);
}

}  // namespace hdhub::cli
