// hdhub project …: research projects from the command line. A command acts
// as the authenticated account of its Session, in the role the policy picks
// (or --as). Exit codes as in commands.h.
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "hdhub/cli/commands.h"
#include "hdhub/cli/output.h"
#include "hdhub/cli/progress.h"
#include "hdhub/cli/remote.h"
#include "hdhub/common/file.h"
#include "hdhub/keys/passphrase.h"
#include "hdhub/server/project_json.h"

namespace hdhub::cli {
namespace {

using projects::ProjectRecord;

using service::RequestContext;
using service::Service;

// --client-network values, each "a.b.c.d/n", "v6/n" or a bare address.
StatusOr<std::vector<Network>> ParseClientNetworks(const std::vector<std::string>& texts) {
  std::vector<Network> out;
  for (const std::string& t : texts) {
    StatusOr<Network> n = ParseNetwork(t);
    if (!n.ok()) return InvalidArgumentError("--client-network: " + std::string(n.status().message()));
    out.push_back(*n);
  }
  return out;
}

struct CreateArgs {
  projects::ProjectSpec spec;
  std::string scope_file, start, end, airlock_rules_file;
  std::vector<std::string> client_networks;
};

constexpr char kClientNetworkHelp[] =
    "a client network its rows may go to, CIDR (repeat; default 127.0.0.0/8 and ::1/128)";

// What a command that changed project `id` says: `text` for people, or
// {"project": id, "state": …} with --json.
void PrintChanged(const GlobalOptions& opts, const std::string& id, std::string_view state, const std::string& text) {
  if (opts.json) {
    std::cout << nlohmann::json{{"project", id}, {"state", std::string(state)}}.dump() << "\n";
  } else {
    std::cout << text << "\n";
  }
}

void AddCreate(CLI::App& project, const GlobalOptions& opts, int* exit_code, std::shared_ptr<std::string> as) {
  auto* cmd = project.add_subcommand("create", "record an authorised project (a draft until two operators approve)");
  auto a = std::make_shared<CreateArgs>();
  cmd->add_option("--id", a->spec.id, "project id, [a-z][a-z0-9-]*")->required();
  cmd->add_option("--authorisation", a->spec.authorisation_ref, "the authorisation's reference")->required();
  cmd->add_option("--purpose", a->spec.purpose, "the authorised purpose")->required();
  cmd->add_option("--scope", a->scope_file, "scope JSON file (docs/formats/projects.md)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--start", a->start, "first day, YYYY-MM-DD (UTC)")->required();
  cmd->add_option("--end", a->end, "day the authorisation ends, YYYY-MM-DD (UTC)")->required();
  cmd->add_option("--member", a->spec.members, "an active researcher account, member of the project (repeat)")
      ->required();
  cmd->add_option("--client-network", a->client_networks, kClientNetworkHelp);
  cmd->add_option("--airlock-rules", a->airlock_rules_file,
                  "the project's disclosure rules, a JSON object of members stricter than the hub's "
                  "(docs/airlock-workflow.md §3; default: the hub's)")
      ->check(CLI::ExistingFile);
  cmd->callback(OnSession(
      opts, exit_code,
      [a, &opts](Service& svc, const RequestContext& ctx) -> Status {
        if (!a->client_networks.empty()) {
          ASSIGN_OR_RETURN(a->spec.client_networks, ParseClientNetworks(a->client_networks));
        }
        ASSIGN_OR_RETURN(std::string text, ReadFile(a->scope_file));
        ASSIGN_OR_RETURN(a->spec.scope, projects::ProjectScope::Parse(text));
        ASSIGN_OR_RETURN(a->spec.start, ParseRfc3339(a->start));
        ASSIGN_OR_RETURN(a->spec.end, ParseRfc3339(a->end));
        if (!a->airlock_rules_file.empty()) {
          ASSIGN_OR_RETURN(a->spec.airlock_rules_json, ReadFile(a->airlock_rules_file));
        }
        RETURN_IF_ERROR(svc.CreateProject(ctx, a->spec));
        PrintChanged(opts, a->spec.id, "draft",
                     "project " + a->spec.id + " created as a draft; two different operators must approve it");
        return OkStatus();
      },
      as));
}

void AddApproveChangeClose(CLI::App& project, const GlobalOptions& opts, int* exit_code,
                           std::shared_ptr<std::string> as) {
  auto id = std::make_shared<std::string>();
  auto* approve = project.add_subcommand("approve", "approve a draft (an operator; two different ones activate it)");
  approve->add_option("id", *id, "project id")->required();
  auto print_state = [&opts](const std::string& project, const std::string& state) {
    if (opts.json) {
      std::cout << nlohmann::json{{"project", project}, {"state", state}}.dump() << "\n";
    } else {
      std::cout << "project " << project
                << (state == projects::ProjectStateName(projects::ProjectState::kDraft)
                        ? ": approval recorded; still a draft until a second, different operator approves it"
                        : " is " + state)
                << "\n";
    }
  };
  approve->callback(LocalOrRemote(opts, exit_code,
                                  OnSession(
                                      opts, exit_code,
                                      [id, print_state](Service& svc, const RequestContext& ctx) -> Status {
                                        ASSIGN_OR_RETURN(projects::ProjectState state, svc.ApproveProject(ctx, *id));
                                        print_state(*id, std::string(projects::ProjectStateName(state)));
                                        return OkStatus();
                                      },
                                      as),
                                  [id, as, print_state](RemoteClient& client) -> Status {
                                    client.ActAs(*as);
                                    const nlohmann::json none = nlohmann::json::object();
                                    ASSIGN_OR_RETURN(
                                        nlohmann::json answer,
                                        client.Call("POST", "/projects/" + UrlEncode(*id) + "/approvals", &none));
                                    print_state(*id, JsonText(answer, "state"));
                                    return OkStatus();
                                  }));
  auto change = std::make_shared<CreateArgs>();
  auto* cmd = project.add_subcommand(
      "change", "a new scope, member list (and client networks): back to draft until approved again");
  cmd->add_option("id", change->spec.id, "project id")->required();
  cmd->add_option("--scope", change->scope_file, "scope JSON file")->required()->check(CLI::ExistingFile);
  cmd->add_option("--member", change->spec.members, "an active researcher account, member of the project (repeat)")
      ->required();
  cmd->add_option("--client-network", change->client_networks, "replaces the client networks, CIDR (repeat)");
  cmd->add_option("--airlock-rules", change->airlock_rules_file,
                  "replaces the project's airlock rules (JSON file; none looser than the defaults)")
      ->check(CLI::ExistingFile);
  cmd->callback(OnSession(
      opts, exit_code,
      [change, &opts](Service& svc, const RequestContext& ctx) -> Status {
        ASSIGN_OR_RETURN(std::string text, ReadFile(change->scope_file));
        ASSIGN_OR_RETURN(projects::ProjectScope scope, projects::ProjectScope::Parse(text));
        std::optional<std::vector<Network>> networks;
        if (!change->client_networks.empty()) {
          ASSIGN_OR_RETURN(networks, ParseClientNetworks(change->client_networks));
        }
        std::optional<std::string> rules;
        if (!change->airlock_rules_file.empty()) {
          ASSIGN_OR_RETURN(rules, ReadFile(change->airlock_rules_file));
        }
        RETURN_IF_ERROR(svc.ChangeProject(ctx, change->spec.id, scope, change->spec.members, networks, rules));
        PrintChanged(opts, change->spec.id, "draft",
                     "project " + change->spec.id + " changed; back to draft until two operators approve it");
        return OkStatus();
      },
      as));
  auto close_id = std::make_shared<std::string>();
  auto* close = project.add_subcommand("close", "end a project now: its workspace is deleted and its keys destroyed");
  close->add_option("id", *close_id, "project id")->required();
  close->callback(LocalOrRemote(
      opts, exit_code,
      OnSession(
          opts, exit_code,
          [close_id, &opts](Service& svc, const RequestContext& ctx) -> Status {
            RETURN_IF_ERROR(svc.CloseProject(ctx, *close_id));
            PrintChanged(opts, *close_id, "closed", "project " + *close_id + " closed; its workspace is shredded");
            return OkStatus();
          },
          as),
      [close_id, as, &opts](RemoteClient& client) -> Status {
        client.ActAs(*as);
        const nlohmann::json none = nlohmann::json::object();
        RETURN_IF_ERROR(client.Call("POST", "/projects/" + UrlEncode(*close_id) + "/close", &none).status());
        PrintChanged(opts, *close_id, "closed", "project " + *close_id + " closed; its workspace is shredded");
        return OkStatus();
      }));
}

void AddReadAndRun(CLI::App& project, const GlobalOptions& opts, int* exit_code, std::shared_ptr<std::string> as) {
  auto id = std::make_shared<std::string>();
  auto* show = project.add_subcommand("show", "one project, its state and its workspaces (JSON)");
  show->add_option("id", *id, "project id")->required();
  show->callback(LocalOrRemote(
      opts, exit_code,
      OnSession(
          opts, exit_code,
          [id](Service& svc, const RequestContext& ctx) -> Status {
            ASSIGN_OR_RETURN(service::ProjectView view, svc.ShowProject(ctx, *id));
            const nlohmann::json out = server::ProjectViewJson(view, svc.clock().Now());
            std::cout << out.dump(2) << "\n";
            return OkStatus();
          },
          as),
      [id, as](RemoteClient& client) -> Status {
        client.ActAs(*as);
        ASSIGN_OR_RETURN(nlohmann::json out, client.Call("GET", "/projects/" + UrlEncode(*id)));
        std::cout << out.dump(2) << "\n";
        return OkStatus();
      }));
  auto* list = project.add_subcommand("list", "the projects one may see");
  auto print_list = [&opts](sql::QueryResult table) {
    table.column_names = {"id", "phase", "authorisation", "start", "end", "members"};
    table.column_types.assign(table.column_names.size(), "VARCHAR");
    PrintResult(table, opts.json);
  };
  list->callback(LocalOrRemote(
      opts, exit_code,
      OnSession(
          opts, exit_code,
          [print_list](Service& svc, const RequestContext& ctx) -> Status {
            ASSIGN_OR_RETURN(std::vector<ProjectRecord> all, svc.ListProjects(ctx));
            sql::QueryResult table;
            for (const ProjectRecord& p : all) {
              table.rows.push_back({p.spec.id, std::string(projects::PhaseName(p.PhaseAt(svc.clock().Now()))),
                                    p.spec.authorisation_ref, FormatRfc3339(p.spec.start).substr(0, 10),
                                    FormatRfc3339(p.spec.end).substr(0, 10), std::to_string(p.spec.members.size())});
            }
            print_list(std::move(table));
            return OkStatus();
          },
          as),
      [as, print_list](RemoteClient& client) -> Status {
        client.ActAs(*as);
        ASSIGN_OR_RETURN(nlohmann::json all, client.ListAll("/projects", ""));
        sql::QueryResult table;
        for (const nlohmann::json& p : all) {
          const nlohmann::json members = p.value("members", nlohmann::json::array());
          table.rows.push_back({JsonText(p, "id"), JsonText(p, "phase"), JsonText(p, "authorisation"),
                                JsonText(p, "start").substr(0, 10), JsonText(p, "end").substr(0, 10),
                                std::to_string(members.is_array() ? members.size() : 0)});
        }
        print_list(std::move(table));
        return OkStatus();
      }));
  auto build_id = std::make_shared<std::string>();
  auto* build = project.add_subcommand("build", "materialise the project's workspace (operator or steward)");
  build->add_option("id", *build_id, "project id")->required();
  auto print_built = [&opts](const std::string& project, const nlohmann::json& build,
                             const std::map<std::string, uint64_t>& rows, const nlohmann::json& provenance) {
    if (opts.json) {
      std::cout << nlohmann::json{{"project", project},
                                  {"workspace", build},
                                  {"rows", rows},
                                  {"provenance", provenance}}
                       .dump()
                << "\n";
      return;
    }
    std::cout << "workspace " << (build.is_string() ? build.get<std::string>() : build.dump()) << " of " << project
              << " built:";
    for (const auto& [table, n] : rows) std::cout << " " << table << " " << n;
    std::cout << " rows\n";
  };
  build->callback(LocalOrRemote(
      opts, exit_code,
      OnSession(
          opts, exit_code,
          [build_id, &opts, print_built](Service& svc, const RequestContext& ctx) -> Status {
            StatusOr<projects::BuildResult> built = [&] {
              TerminalProgress progress(opts);  // its line is cleared before the result prints
              return svc.BuildWorkspace(ctx, *build_id, progress.fn());
            }();
            ASSIGN_OR_RETURN(projects::BuildResult r, std::move(built));
            print_built(*build_id, nlohmann::json(r.build), r.rows, nlohmann::json::parse(r.provenance_json));
            return OkStatus();
          },
          as),
      [build_id, as, print_built](RemoteClient& client) -> Status {
        client.ActAs(*as);
        const nlohmann::json none = nlohmann::json::object();
        ASSIGN_OR_RETURN(nlohmann::json r,
                         client.Call("POST", "/projects/" + UrlEncode(*build_id) + "/workspaces", &none));
        std::map<std::string, uint64_t> rows;
        if (const auto it = r.find("rows"); it != r.end() && it->is_object()) {
          for (const auto& [table, n] : it->items()) rows[table] = n.is_number_unsigned() ? n.get<uint64_t>() : 0;
        }
        print_built(*build_id, r.value("workspace", nlohmann::json()), rows, r.value("provenance", nlohmann::json()));
        return OkStatus();
      }));
  auto* sweep = project.add_subcommand("sweep", "shred every project whose window has ended (operator)");
  auto print_swept = [&opts](const std::vector<std::string>& shredded) {
    if (opts.json) {
      std::cout << nlohmann::json{{"shredded", shredded}}.dump() << "\n";
      return;
    }
    std::cout << shredded.size() << " ended project(s) shredded\n";
    for (const std::string& id : shredded) std::cout << "  " << id << "\n";
  };
  sweep->callback(LocalOrRemote(opts, exit_code,
                                OnSession(
                                    opts, exit_code,
                                    [print_swept](Service& svc, const RequestContext& ctx) -> Status {
                                      ASSIGN_OR_RETURN(std::vector<std::string> shredded, svc.SweepProjects(ctx));
                                      print_swept(shredded);
                                      return OkStatus();
                                    },
                                    as),
                                [as, print_swept](RemoteClient& client) -> Status {
                                  client.ActAs(*as);
                                  const nlohmann::json none = nlohmann::json::object();
                                  ASSIGN_OR_RETURN(nlohmann::json answer,
                                                   client.Call("POST", "/projects/sweep", &none));
                                  std::vector<std::string> shredded;
                                  for (const nlohmann::json& id : answer.value("shredded", nlohmann::json::array())) {
                                    if (id.is_string()) shredded.push_back(id.get<std::string>());
                                  }
                                  print_swept(shredded);
                                  return OkStatus();
                                }));
}

}  // namespace

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
