// hdhub: the command line of the sovereign health data hub.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/cli/commands.h"
#include "hdhub/common/version.h"

namespace {

using namespace hdhub::cli;

// Levenshtein distance, for suggesting the command a typo meant.
size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The subcommand of `app` closest to `typed`, when it is close enough to be a typo.
std::string Suggest(const CLI::App& app, const std::string& typed) {
  std::string best;
  size_t best_distance = 3;  // at most two edits away
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    size_t d = EditDistance(typed, sub->get_name());
    if (d < best_distance) best = sub->get_name(), best_distance = d;
  }
  return best;
}

// The deepest subcommand that parsed, where a typo was made.
const CLI::App* Deepest(const CLI::App& app) {
  for (const CLI::App* sub : app.get_subcommands()) return Deepest(*sub);
  return &app;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"hdhub: a sovereign health data hub (sealed storage, pseudonymised data, provable governance)",
               "hdhub"};
  app.require_subcommand(1);
  // --hub and --json are accepted after the subcommand too.
  app.fallthrough();
  app.set_version_flag("--version", "hdhub " + std::string(hdhub::kHdhubVersion) + " (DuckDB 1.4.4)");
  app.footer(
      "Every hub command needs the hub's passphrase (HDHUB_PASSPHRASE, or typed), which only opens the key\n"
      "store, and acts as an account: HDHUB_TOKEN, or HDHUB_USER with HDHUB_PASSWORD (or typed). With\n"
      "HDHUB_SERVER=https://… (or --server), the commands that have an API route act through that server as\n"
      "HDHUB_TOKEN's account, with no passphrase. Researchers also connect to 'hdhub serve' with their token\n"
      "(psql, Python, R: docs/serve.md).\n"
      "Exit codes: 0 done; 1 a check that does not hold (audit verify, airlock verify, a proof, witness,\n"
      "nir check); 2 unusable arguments or input; 3 a refusal, something unknown, or an operational or\n"
      "integrity error (hdhub check finding a damaged object included). 'hdhub help CMD' for a command.");
  // The hosts and key stores this binary knows: a new backend registers here.
  const hdhub::hub::Backends backends = hdhub::hub::BuiltinBackends();
  GlobalOptions opts;
  opts.backends = &backends;
  opts.hub_dir = "hub";
  app.add_option("--hub", opts.hub_dir, "hub directory (else hdhub.toml's hub, else $HDHUB_HOME, else ./hub)")
      ->envname("HDHUB_HOME");
  app.add_option("--user", opts.user, "the account to act as by password, when no HDHUB_TOKEN is set")
      ->envname(kUserEnv);
  app.add_option("--server", opts.server,
                 "act through this hdhub serve (https://host:port) as the account of $HDHUB_TOKEN: "
                 "no passphrase, no hub directory (query, catalog, project, audit, whoami, user, token)")
      ->envname("HDHUB_SERVER");
  app.add_option("--ca-file", opts.ca_file,
                 "with --server: the CA certificate (PEM) to verify it by (default: the system's)")
      ->envname("HDHUB_CA_FILE");
  app.add_flag("--json", opts.json, "print machine-readable JSON (results on stdout, errors on stderr)");
  // Settings that would otherwise live in the environment: hub = "...", user = "...", json = true.
  // Never secrets: passphrases, passwords and tokens stay in the environment or a prompt.
  app.set_config("--config", "hdhub.toml", "read settings from this TOML file (default: ./hdhub.toml if present)")
      ->envname("HDHUB_CONFIG");
  int exit_code = kExitOk;
  AddHubCommands(app, opts, &exit_code);
  AddUserCommands(app, opts, &exit_code);
  AddSourceCommands(app, opts, &exit_code);
  AddProjectCommands(app, opts, &exit_code);
  AddAuditCommands(app, opts, &exit_code);
  AddSynthCommands(app, opts, &exit_code);
  AddHostCommands(app, opts, &exit_code);
  AddRestoreCommand(app, opts, &exit_code);
  AddServeCommand(app, opts, &exit_code);
  AddKeyCommands(app, opts, &exit_code);
  AddAirlockCommands(app, opts, &exit_code);
  auto* help = app.add_subcommand("help", "help on hdhub or on one command: hdhub help project");
  std::vector<std::string> topic;
  help->add_option("command", topic, "a command, e.g. project or 'project create'");
  help->callback([&app, &topic, &exit_code]() {
    const CLI::App* target = &app;
    std::string path = "hdhub";
    std::vector<std::string> words;  // `help project create` and `help 'project create'` alike
    for (const std::string& t : topic) {
      for (size_t start = 0, end; start <= t.size(); start = end + 1) {
        end = std::min(t.find(' ', start), t.size());
        if (end > start) words.push_back(t.substr(start, end - start));
      }
    }
    for (const std::string& name : words) {
      const CLI::App* next = nullptr;
      for (const CLI::App* sub : target->get_subcommands([](const CLI::App*) { return true; })) {
        if (sub->get_name() == name) next = sub;
      }
      if (next == nullptr) {
        std::string suggestion = Suggest(*target, name);
        std::cerr << "hdhub: no command '" << name << "'"
                  << (suggestion.empty() ? "" : "; did you mean '" + suggestion + "'?") << "\n";
        exit_code = kExitUsage;
        return;
      }
      target = next;
      path += " " + name;
    }
    // The formatter directly: App::help() would describe the selected
    // subcommand, `help` itself, instead of the hub's overview.
    std::cout << target->get_formatter()->make_help(target, path, CLI::AppFormatMode::Normal);
  });
  AddExamples(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // With --json anywhere on the line, a usage error is a JSON error too.
    const bool json =
        opts.json || std::any_of(argv + 1, argv + argc, [](const char* a) { return a == std::string_view("--json"); });
    // A word that is no command where a command was expected: suggest the nearest.
    const CLI::App* where = Deepest(app);
    for (const std::string& typed : app.remaining(true)) {
      std::string suggestion = typed.starts_with("-") ? "" : Suggest(*where, typed);
      if (!suggestion.empty() || (where == &app && typed.starts_with("-"))) {
        std::string message = suggestion.empty()
                                  ? "unknown option '" + typed + "' (hdhub --help lists the options and commands)"
                                  : "unknown command '" + typed + "'; did you mean '" + suggestion + "'?";
        if (json) return ReportError({.json = true}, hdhub::InvalidArgumentError(message));
        std::cerr << "hdhub: " << message << "\n";
        return kExitUsage;
      }
    }
    if (json && e.get_exit_code() != 0) return ReportError({.json = true}, hdhub::InvalidArgumentError(e.what()));
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }
  return exit_code;
}
