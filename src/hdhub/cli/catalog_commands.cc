// hdhub catalog withdraw | remove: undoing an intake mistake (operators and
// stewards). The service does the work (service.h); this only parses and prints.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "hdhub/cli/commands.h"

namespace hdhub::cli {
namespace {

std::string Plural(uint64_t n, const std::string& what) { return std::to_string(n) + " " + what + (n == 1 ? "" : "s"); }

void PrintWithdraw(const service::WithdrawResult& r, bool json) {
  if (json) {
    std::cout << nlohmann::json{{"dataset", r.dataset},
                                {"version", r.version},
                                {"current", r.current ? nlohmann::json(*r.current) : nlohmann::json()},
                                {"objects_deleted", r.objects_deleted},
                                {"workspaces_shredded", r.workspaces_shredded}}
                     .dump()
              << "\n";
    return;
  }
  std::cout << r.dataset << " v" << r.version << " withdrawn: data key destroyed, "
            << Plural(r.objects_deleted, "object") << " deleted from the host\n";
  std::cout << (r.current ? "current version: v" + std::to_string(*r.current)
                          : "no current version left: ingest one before a project can read " + r.dataset)
            << "\n";
  for (const std::string& w : r.workspaces_shredded) {
    std::cout << "shredded (built from it; rebuild with hdhub project build): " << w << "\n";
  }
}

void AddWithdraw(CLI::App& catalog, const GlobalOptions& opts, int* exit_code) {
  auto* cmd = catalog.add_subcommand(
      "withdraw", "withdraw a version ingested by mistake: its key destroyed, its objects deleted (staff)");
  auto dataset = std::make_shared<std::string>();
  auto version = std::make_shared<int64_t>(0);
  auto reason = std::make_shared<std::string>();
  cmd->add_option("dataset", *dataset, "dataset name")->required();
  cmd->add_option("--version", *version, "the committed version to withdraw (hdhub catalog list)")
      ->required()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--reason", *reason, "why, for the catalog and the audit log (one line)")->required();
  cmd->callback(
      OnSession(opts, exit_code,
                [&opts, dataset, version, reason](service::Service& svc, const service::RequestContext& ctx) -> Status {
                  ASSIGN_OR_RETURN(service::WithdrawResult r, svc.WithdrawVersion(ctx, *dataset, *version, *reason));
                  PrintWithdraw(r, opts.json);
                  return OkStatus();
                }));
}

void AddRemove(CLI::App& catalog, const GlobalOptions& opts, int* exit_code) {
  auto* cmd = catalog.add_subcommand(
      "remove", "remove a dataset made by mistake, while no project reads it: every version shredded (staff)");
  auto dataset = std::make_shared<std::string>();
  auto reason = std::make_shared<std::string>();
  cmd->add_option("dataset", *dataset, "dataset name")->required();
  cmd->add_option("--reason", *reason, "why, for the catalog and the audit log (one line)")->required();
  cmd->callback(OnSession(
      opts, exit_code, [&opts, dataset, reason](service::Service& svc, const service::RequestContext& ctx) -> Status {
        ASSIGN_OR_RETURN(service::RemoveResult r, svc.RemoveDataset(ctx, *dataset, *reason));
        if (opts.json) {
          std::cout << nlohmann::json{{"dataset", r.dataset},
                                      {"versions_shredded", r.versions_shredded},
                                      {"objects_deleted", r.objects_deleted}}
                           .dump()
                    << "\n";
          return OkStatus();
        }
        std::cout << r.dataset << " removed: " << Plural(r.versions_shredded.size(), "version") << " shredded, "
                  << Plural(r.objects_deleted, "object") << " deleted from the host; the name may be used again\n";
        return OkStatus();
      }));
}

}  // namespace

void AddCatalogChanges(CLI::App& catalog, const GlobalOptions& opts, int* exit_code) {
  AddWithdraw(catalog, opts, exit_code);
  AddRemove(catalog, opts, exit_code);
}

}  // namespace hdhub::cli
