// hdhub airlock release | download | register: what leaves the airlock
// (docs/airlock-workflow.md §6, §8) over ExportRequests' Release, Download
// and Register (airlock_requests.h: the service on the hub machine, or the
// routes of `hdhub serve` with a server set; both write and print the same).
// release and download write each file as DIR/<request>.<output>.<format>
// and the certificate bundle as DIR/<request>.hdhub-cert (what `hdhub
// airlock verify` and its --history read); a path already there is refused
// before anything is written, and each file is written whole or not at all.
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hdhub/cli/airlock_requests.h"
#include "hdhub/cli/commands.h"
#include "hdhub/cli/output.h"
#include "hdhub/common/file.h"

namespace hdhub::cli {
namespace {

using service::ReleasedFiles;

struct Written {
  std::string bundle;
  std::vector<std::string> files;  // as r.files
};

// The paths `r` goes to under `dir`: every one refused when one exists.
StatusOr<Written> Paths(const std::string& dir, const ReleasedFiles& r) {
  Written w;
  const std::filesystem::path base(dir);
  w.bundle = (base / (r.request + ".hdhub-cert")).string();
  for (const service::ReleasedFile& f : r.files) {
    w.files.push_back((base / (r.request + "." + f.name + "." + f.format)).string());
  }
  std::error_code ec;
  for (const std::string& p : w.files) {
    if (std::filesystem::exists(p, ec)) return AlreadyExistsError(p + " exists already: give another --out");
  }
  if (std::filesystem::exists(w.bundle, ec))
    return AlreadyExistsError(w.bundle + " exists already: give another --out");
  return w;
}

StatusOr<Written> WriteOut(const std::string& dir, const ReleasedFiles& r) {
  RETURN_IF_ERROR(MakeDirs(dir, 0700));
  ASSIGN_OR_RETURN(Written w, Paths(dir, r));
  for (size_t i = 0; i < r.files.size(); ++i) {
    RETURN_IF_ERROR(WriteFileAtomically(w.files[i], AsBytes(r.files[i].content), 0600));
  }
  RETURN_IF_ERROR(WriteFileAtomically(w.bundle, AsBytes(r.bundle.Serialize()), 0600));
  return w;
}

void PrintWritten(const GlobalOptions& opts, const ReleasedFiles& r, const Written& w, const std::string& verb) {
  if (opts.json) {
    nlohmann::json files = nlohmann::json::array();
    for (size_t i = 0; i < r.files.size(); ++i) {
      const service::ReleasedFile& f = r.files[i];
      files.push_back(
          {{"name", f.name}, {"format", f.format}, {"bytes", f.bytes}, {"sha256", f.sha256}, {"path", w.files[i]}});
    }
    std::cout << nlohmann::json{{"request", r.request},
                                {"project", r.project},
                                {"release", r.seq},
                                {"revision", r.revision},
                                {"certificate_sha256", r.certificate_sha256},
                                {"certificate", w.bundle},
                                {"files", files}}
                     .dump()
              << "\n";
    return;
  }
  std::cout << verb << " " << r.request << ": release " << r.seq << " of project " << r.project << " (revision "
            << r.revision << ")\n";
  for (size_t i = 0; i < r.files.size(); ++i) {
    std::cout << "  " << w.files[i] << " (" << r.files[i].bytes << " bytes, sha256 " << r.files[i].sha256 << ")\n";
  }
  std::cout << "  " << w.bundle << " (certificate " << r.certificate_sha256 << ")\n"
            << "check them with: hdhub airlock verify " << w.bundle << " FILE... --log-key KEY\n";
}

struct OutArgs {
  std::string id, dir;
};

void AddReleaseOrDownload(CLI::App& airlock, const GlobalOptions& opts, int* exit_code, std::shared_ptr<std::string> as,
                          bool release) {
  const std::string name = release ? "release" : "download";
  auto* cmd = airlock.add_subcommand(
      name, release ? "release an approved request (its author): the files computed again, checked against the "
                      "approved bytes, sealed, logged, and written to --out with their certificate"
                    : "the files of a released request and its certificate again (its author), to --out");
  auto a = std::make_shared<OutArgs>();
  cmd->add_option("id", a->id, "the request id (<project>-e<n>)")->required();
  cmd->add_option("--out", a->dir, "the directory to write to (created if absent)")->required();
  cmd->callback(OnExportRequests(opts, exit_code, as, [a, &opts, release](ExportRequests& requests) -> Status {
    // Before the hub is asked: the directory, and no earlier copy of this
    // request's certificate there (its files carry the same prefix).
    RETURN_IF_ERROR(MakeDirs(a->dir, 0700));
    const std::string bundle = (std::filesystem::path(a->dir) / (a->id + ".hdhub-cert")).string();
    std::error_code ec;
    if (std::filesystem::exists(bundle, ec)) return AlreadyExistsError(bundle + " exists already: give another --out");
    if (!release) {
      ASSIGN_OR_RETURN(ReleasedFiles r, requests.Download(a->id));
      ASSIGN_OR_RETURN(Written w, WriteOut(a->dir, r));
      PrintWritten(opts, r, w, "downloaded");
      return OkStatus();
    }
    ASSIGN_OR_RETURN(ReleasedFiles r, requests.Release(a->id));
    StatusOr<Written> w = WriteOut(a->dir, r);
    if (!w.ok()) {
      return Status(w.status().code(), "released, but not written: " + std::string(w.status().message()) +
                                           "; get the files with hdhub airlock download " + a->id + " --out DIR");
    }
    PrintWritten(opts, r, *w, "released");
    return OkStatus();
  }));
}

// The text of a JSON number or string member of `j`.
std::string Member(const nlohmann::json& j, const char* key) {
  const nlohmann::json& v = j.at(key);
  return v.is_string() ? v.get<std::string>() : v.dump();
}

// The register (RegisterJson) as a table, one row per release.
void PrintRegister(const nlohmann::json& reg) {
  sql::QueryResult table;
  table.column_names = {"project", "authorisation",      "release",    "released",
                        "outputs", "certificate_sha256", "audit_index"};
  table.column_types.assign(table.column_names.size(), "VARCHAR");
  for (const nlohmann::json& e : reg.at("entries")) {
    std::string outputs;
    for (const nlohmann::json& o : e.at("outputs")) {
      if (!outputs.empty()) outputs += ", ";
      outputs += Member(o, "name") + " (" + Member(o, "kind") + ", " + Member(o, "format") + ", " + Member(o, "bytes") +
                 " bytes)";
    }
    table.rows.push_back({Member(e, "project"), Member(e, "authorisation"), Member(e, "release"),
                          Member(e, "released_at"), outputs, Member(e, "certificate_sha256"),
                          Member(e, "audit_index")});
  }
  PrintResult(table, false);
}

void AddRegister(CLI::App& airlock, const GlobalOptions& opts, int* exit_code, std::shared_ptr<std::string> as) {
  auto* cmd = airlock.add_subcommand("register",
                                     "the transparency register: every release, with its authorisation, outputs, "
                                     "certificate digest and audit entry (no cell, no value, no checker)");
  auto project = std::make_shared<std::string>();
  cmd->add_option("--project", *project, "only this project's releases");
  cmd->callback(OnExportRequests(opts, exit_code, as, [project, &opts](ExportRequests& requests) -> Status {
    std::optional<std::string> only;
    if (!project->empty()) only = *project;
    ASSIGN_OR_RETURN(const nlohmann::json reg, requests.Register(only));
    // A server's answer of another shape is refused, not half printed.
    if (!reg.is_object() || !reg.contains("entries") || !reg["entries"].is_array()) {
      return DataLossError("the register answered is not a register");
    }
    if (opts.json) {
      std::cout << reg.dump() << "\n";
      return OkStatus();
    }
    try {
      PrintRegister(reg);
    } catch (const nlohmann::json::exception&) {
      return DataLossError("the register answered is not a register");
    }
    return OkStatus();
  }));
}

}  // namespace

void AddAirlockReleaseCommands(CLI::App& airlock, const GlobalOptions& opts, int* exit_code,
                               std::shared_ptr<std::string> as) {
  AddReleaseOrDownload(airlock, opts, exit_code, as, /*release=*/true);
  AddReleaseOrDownload(airlock, opts, exit_code, as, /*release=*/false);
  AddRegister(airlock, opts, exit_code, as);
}

}  // namespace hdhub::cli
