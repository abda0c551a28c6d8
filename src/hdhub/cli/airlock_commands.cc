// hdhub airlock …: the output airlock (issue 13). Here
//   hdhub airlock verify BUNDLE FILE... --log-key KEY [--history DIR]
// the offline verification of a release certificate
// (docs/formats/airlock-certificate.md §6): no hub, no account, no hub key.
// The export requests (request, list, show, review) are in
// airlock_request_commands.cc; release, download and register in
// airlock_release_commands.cc, rules in airlock_rules_commands.cc
// (docs/airlock-workflow.md §8). Exit codes as in commands.h: a check that
// does not hold is 1, unusable arguments 2.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hdhub/cli/commands.h"
#include "hdhub/common/file.h"
#include "hdhub/exports/verify.h"

namespace hdhub::cli {
namespace {

constexpr std::string_view kBundleExtension = ".hdhub-cert";

struct VerifyArgs {
  std::string bundle;
  std::vector<std::string> files;
  std::string log_key;
  std::string history;
};

// The bundles of `dir` (files ending in .hdhub-cert), but `bundle` itself.
StatusOr<std::vector<std::string>> EarlierBundles(const std::string& dir, const std::string& bundle) {
  std::error_code ec;
  std::vector<std::string> paths;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::filesystem::path& p = entry.path();
    if (p.extension() != kBundleExtension || std::filesystem::equivalent(p, bundle, ec)) continue;
    paths.push_back(p.string());
  }
  if (ec) return InvalidArgumentError("--history: cannot list " + dir);
  std::sort(paths.begin(), paths.end());
  std::vector<std::string> bundles;
  for (const std::string& p : paths) {
    ASSIGN_OR_RETURN(std::string bytes, ReadFile(p));
    bundles.push_back(std::move(bytes));
  }
  return bundles;
}

Status RunVerify(const GlobalOptions& opts, const VerifyArgs& a, int* exit_code) {
  ASSIGN_OR_RETURN(std::string bundle, ReadFile(a.bundle));
  std::vector<exports::VerifyFile> files;
  for (const std::string& f : a.files) {
    ASSIGN_OR_RETURN(std::string bytes, ReadFile(f));
    files.push_back({std::filesystem::path(f).filename().string(), std::move(bytes)});
  }
  std::optional<std::vector<std::string>> earlier;
  if (!a.history.empty()) {
    ASSIGN_OR_RETURN(earlier, EarlierBundles(a.history, a.bundle));
  }
  std::optional<std::span<const std::string>> history;
  if (earlier) history = *earlier;
  ASSIGN_OR_RETURN(exports::VerifyReport report, exports::VerifyBundle(bundle, a.log_key, files, history));
  if (opts.json) {
    std::cout << report.ToJson().dump() << "\n";
  } else if (report.ok()) {
    std::cout << report.Summary() << "\n";
  }
  if (!report.ok()) {
    if (opts.json) {
      std::cerr << nlohmann::json{{"error", {{"code", "CHECK_FAILED"}, {"message", report.Summary()}}}}.dump() << "\n";
    } else {
      std::cerr << "hdhub: " << report.Summary() << "\n";
    }
  }
  *exit_code = report.ok() ? kExitOk : kExitCheckFailed;
  return OkStatus();
}

}  // namespace

void AddAirlockCommands(CLI::App& app, const GlobalOptions& opts, int* exit_code) {
  auto* airlock = app.add_subcommand(
      "airlock",
      "the output airlock (docs/airlock-workflow.md): export requests (request, list, show), checkers' reviews "
      "(review), the release and its files (release, download), the transparency register (register), the hub's "
      "disclosure rules (rules) and the offline check of a release certificate (verify)");
  airlock->require_subcommand(1);
  auto* verify = airlock->add_subcommand(
      "verify",
      "check a release certificate bundle and the released files: signature, inclusion in the audit log, binding, "
      "files, disclosure rules (offline: no hub, no account; exit 1 and the failed check when one does not hold)");
  auto a = std::make_shared<VerifyArgs>();
  verify->add_option("bundle", a->bundle, "the certificate bundle (<request>.hdhub-cert)")
      ->required()
      ->check(CLI::ExistingFile);
  verify->add_option("files", a->files, "the released files (matched by SHA-256; those not given are listed)")
      ->check(CLI::ExistingFile);
  // Required: the hub's own key needs the hub opened (passphrase, account),
  // and a key shipped with the bundle would vouch for nothing.
  verify
      ->add_option("--log-key", a->log_key,
                   "the audit log's verifier key (<name>+<8 hex>+<base64>, as `hdhub audit log-key` prints it), "
                   "obtained apart from the bundle: the hub's register or an auditor")
      ->required();
  verify
      ->add_option("--history", a->history,
                   "a directory with the project's earlier bundles: also check the release-history chain (step 7)")
      ->check(CLI::ExistingDirectory);
  verify->callback([&opts, exit_code, a]() {
    Status s = RunVerify(opts, *a, exit_code);
    if (!s.ok()) *exit_code = ReportError(opts, s);
  });
  AddAirlockRequestCommands(*airlock, opts, exit_code);
}

}  // namespace hdhub::cli
