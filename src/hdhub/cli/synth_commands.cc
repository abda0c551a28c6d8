// hdhub synth: write a synthetic, coherent SNDS-shaped source extract (what
// a health insurer or hospital holds before pseudonymisation) for tests,
// demos and benchmarks of the whole chain. Format: docs/formats/source-extract.md.

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "hdhub/cli/commands.h"
#include "hdhub/cli/progress.h"
#include "hdhub/synth/drug_reference.h"
#include "hdhub/synth/drugs.h"
#include "hdhub/synth/synth.h"

namespace hdhub::cli {
namespace {

struct SynthArgs {
  int64_t people = 0;
  uint64_t seed = 1;
  std::string years = "2019-2023";
  std::string out;
  int threads = 0;
  double opt_out_rate = 0.01;
};

void PrintSummary(const synth::SynthOptions& o, const synth::SynthResult& r, bool json) {
  double rate = r.seconds > 0 ? static_cast<double>(r.total_rows) / r.seconds : 0;
  std::string years = std::to_string(o.years.first) + "-" + std::to_string(o.years.last);
  if (json) {
    nlohmann::ordered_json rows = nlohmann::ordered_json::object();
    for (int i = 0; i < synth::kOutputFiles; ++i) rows[std::string(synth::kTableNames[i])] = r.rows[i];
    std::cout << nlohmann::ordered_json{{"out", o.out_dir},
                                        {"people", o.people},
                                        {"seed", o.seed},
                                        {"years", years},
                                        {"rows", rows},
                                        {"total_rows", r.total_rows},
                                        {"reference_tables", {{synth::kDrugReferenceTable, synth::kDrugCount}}},
                                        {"seconds", r.seconds},
                                        {"rows_per_second", rate},
                                        {"threads", r.threads}}
                     .dump()
              << "\n";
    return;
  }
  std::cout << "synthetic extract of " << o.people << " people, " << years << ", seed " << o.seed << " in "
            << o.out_dir << "\n";
  for (int i = 0; i < synth::kOutputFiles; ++i) {
    std::printf("  %-10s %12lld rows\n", std::string(synth::kTableNames[i]).c_str(), static_cast<long long>(r.rows[i]));
  }
  std::printf("  %-10s %12lld rows in %.1f s: %.0f rows/s on %d threads\n", "total",
              static_cast<long long>(r.total_rows), r.seconds, rate, r.threads);
  std::printf("  and the drug reference table %s (%d drug codes with their ATC class): ingest it with --reference\n",
              std::string(synth::kDrugReferenceTable).c_str(), synth::kDrugCount);
}

Status RunSynth(const SynthArgs& args, const GlobalOptions& opts) {
  synth::SynthOptions o;
  o.people = args.people;
  o.seed = args.seed;
  ASSIGN_OR_RETURN(o.years, synth::ParseYears(args.years));
  o.out_dir = args.out;
  o.threads = args.threads;
  o.opt_out_rate = args.opt_out_rate;
  StatusOr<synth::SynthResult> generated = [&] {
    TerminalProgress progress(opts);  // its line is cleared before the summary prints
    if (ProgressFn show = progress.fn()) {
      o.progress = [show, total = static_cast<uint64_t>(args.people)](int64_t done) {
        show({.phase = "synth",
              .fraction = static_cast<double>(done) / static_cast<double>(std::max<uint64_t>(total, 1)),
              .done = static_cast<uint64_t>(done),
              .total = total,
              .unit = "people"});
      };
    }
    return synth::GenerateExtract(o);
  }();
  ASSIGN_OR_RETURN(synth::SynthResult result, std::move(generated));
  PrintSummary(o, result, opts.json);
  return OkStatus();
}

}  // namespace

void AddSynthCommands(CLI::App& app, const GlobalOptions& opts, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "synth", "write a synthetic SNDS-shaped source extract (raw NIR, before pseudonymisation) for tests and benchmarks");
  auto args = std::make_shared<SynthArgs>();
  cmd->add_option("--people", args->people, "number of people, 1 to 100000000")->required();
  cmd->add_option("--seed", args->seed, "random seed; the same seed writes the same bytes (default 1)");
  cmd->add_option("--years", args->years, "span of years FIRST-LAST, at most 30 (default 2019-2023)");
  cmd->add_option("--out", args->out, "output directory, created if needed")->required();
  cmd->add_option("--threads", args->threads, "worker threads (default 0: one per core)");
  cmd->add_option("--opt-out-rate", args->opt_out_rate, "share of people who object to research use (default 0.01)");
  cmd->callback(Run(opts, exit_code, [&opts, args]() { return RunSynth(*args, opts); }));
}

}  // namespace hdhub::cli
