// hdhub_airlock_bench: the airlock's protection of SNDS-shaped hierarchical
// tables (issue 13, "Benchmark"), one JSON line per measurement.
//
//   --cells 1e3,1e4,...   protect a table of about that many cells (all
//                         margins included; the actual count is printed):
//                         cells, primary / secondary / repair suppressions,
//                         time per phase, peak RSS. Each size runs in its own
//                         process, killed after --timeout-s (default 600).
//   --audit on|off        off: the attacker LP is replaced by one that proves
//                         nothing ([0, +inf) for every target), so the time
//                         is that of the primary rules, the elimination and
//                         the target enumeration; the pattern is NOT audited.
//   --compare N           hdhub against the optimal pattern (Cbc, see
//                         airlock_optimal.h) on N small tables (400..1,825 cells: 2-D,
//                         3-D, then 5-D; beyond 8 the shapes repeat
//                         with other seeds)
//   --cut-rounds R        audits of the Cbc pattern, with a cut after each
//                         failing one but the last (default 1: one audit,
//                         no cut; 0: no audit)
//   --cbc-seconds S       Cbc's time limit per MIP (default 30)
//   --seed S              the tables' RNG seed (default 1)
//   --check               exit 1 when a comparison has an empty hdhub pattern,
//                         an hdhub pattern breaking the MIP's relations, Cbc's
//                         lower bound or proven-optimal count above hdhub's
//                         count (the ctest smoke)
// Tables are count tables with the default rules (min count 11, zeros review).
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "airlock_optimal.h"
#include "airlock_tables.h"
#include "hdhub/airlock/protection.h"

namespace {

using namespace ::hdhub;                  // NOLINT: a benchmark
using namespace ::hdhub::airlock;         // NOLINT
using namespace ::hdhub::airlock::bench;  // NOLINT
using Clock = std::chrono::steady_clock;
using nlohmann::json;

struct Options {
  std::vector<double> cells;
  bool audit = true;
  double timeout_s = 600;
  int compare = 0;
  int cut_rounds = 1;
  double cbc_seconds = 30;
  uint64_t seed = 1;
  bool check = false;
};

[[noreturn]] void Usage(const char* why) {
  std::fprintf(stderr, "hdhub_airlock_bench: %s (see the comment at the top of bench/airlock_bench.cc)\n", why);
  std::exit(2);
}

Options ParseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Usage("missing value");
      return argv[++i];
    };
    if (a == "--cells") {
      const std::string list = value();
      for (size_t start = 0; start <= list.size();) {
        const size_t comma = std::min(list.find(',', start), list.size());
        o.cells.push_back(std::stod(list.substr(start, comma - start)));
        start = comma + 1;
      }
    } else if (a == "--audit") {
      const std::string v = value();
      if (v != "on" && v != "off") Usage("--audit takes on or off");
      o.audit = v == "on";
    } else if (a == "--timeout-s") {
      o.timeout_s = std::stod(value());
    } else if (a == "--compare") {
      o.compare = std::stoi(value());
    } else if (a == "--cut-rounds") {
      o.cut_rounds = std::stoi(value());
    } else if (a == "--cbc-seconds") {
      o.cbc_seconds = std::stod(value());
    } else if (a == "--seed") {
      o.seed = std::stoull(value());
    } else if (a == "--check") {
      o.check = true;
    } else {
      Usage("unknown argument");
    }
  }
  return o;
}

double Seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

[[noreturn]] void Fail(const std::string& what, const Status& s) {
  std::fprintf(stderr, "hdhub_airlock_bench: %s: %s\n", what.c_str(), s.ToString().c_str());
  std::exit(1);
}

// An attacker who proves nothing: every target in [0, +inf). For --audit off only.
class NoLp : public AttackerLp {
 public:
  StatusOr<LpBounds> Bounds(std::span<const int32_t>) override { return LpBounds{.max_unbounded = true}; }
  Status SetRowBounds(int32_t, double, double) override { return OkStatus(); }
  std::string SolverName() const override { return "none (--audit off)"; }
  std::string SolverVersion() const override { return ""; }
};

ProtectionRequest Request(const GeneratedTable& g) {
  return ProtectionRequest{.dimensions = g.dimensions, .tables = {g.table}, .data = g.data};
}

// Per quantity of the model: suppressed, and a primary (rule, ledger or repair).
Pattern PatternOf(const TableModel& model, const ProtectionResult& r) {
  Pattern p{.suppressed = std::vector<bool>(model.quantities().size(), false),
            .primary = std::vector<bool>(model.quantities().size(), false)};
  for (size_t i = 0; i < r.cells.size(); ++i) {
    const auto q = static_cast<size_t>(model.cells()[i].quantity);
    const CellRecord& c = r.cells[i];
    p.suppressed[q] = p.suppressed[q] || c.status == CellStatus::kSuppressed;
    p.primary[q] = p.primary[q] || (c.status == CellStatus::kSuppressed && c.reason != CellReason::kSecondary);
  }
  return p;
}

json Counts(const ProtectionResult& r) {
  int64_t primary = 0, secondary = 0, repair = 0;
  for (const CellRecord& c : r.cells) {
    primary += c.reason == CellReason::kPrimary ? 1 : 0;
    secondary += c.reason == CellReason::kSecondary ? 1 : 0;
    repair += c.reason == CellReason::kRepair ? 1 : 0;
  }
  // What a refused pattern still discloses: the violated targets by kind and rule.
  json violations = json::object();
  for (const AuditTarget& t : r.targets) {
    if (!t.violation) continue;
    const std::string key = std::string(TargetKindName(t.kind)) + "/" + (t.requirement ? t.requirement->rule : "");
    violations[key] = violations.value(key, 0) + 1;
  }
  return {{"cells", r.cells.size()},
          {"violations_by", violations},
          {"primary", primary},
          {"secondary", secondary},
          {"repair", repair},
          {"suppressed", primary + secondary + repair},
          {"outcome", OutcomeName(r.outcome)},
          {"repair_rounds", r.repair_rounds},
          {"refusals", r.refusals.size()},
          {"audit_targets", r.targets.size()}};
}

// One size, in the current (child) process.
json MeasureSize(double target, const Options& o) {
  const TableShape shape = ShapeForCells(static_cast<int64_t>(target));
  auto start = Clock::now();
  const GeneratedTable g = Generate(shape, o.seed);
  json out{{"bench", "airlock_protect"}, {"target_cells", target}, {"audit", o.audit}, {"seed", o.seed}};
  out["generate_s"] = Seconds(start);
  out["atoms_nonzero"] = g.data.counts.size();
  start = Clock::now();
  auto model = TableModel::Create(g.dimensions, {g.table}, {}, g.data);
  if (!model.ok()) Fail("model", model.status());
  out["model_s"] = Seconds(start);
  out["atoms"] = model->num_atoms();
  ProtectionOptions po;
  if (!o.audit) {
    po.lp_factory = [](const LpProblem&) -> StatusOr<std::unique_ptr<AttackerLp>> { return std::make_unique<NoLp>(); };
  }
  start = Clock::now();
  auto result = Protect(Request(g), po);
  if (!result.ok()) Fail("protect", result.status());
  out["protect_s"] = Seconds(start);  // model, primary rules, every elimination, audit and repair round
  out.update(Counts(*result));
  if (o.audit) {
    start = Clock::now();
    auto audit = AuditPattern(*model, PatternOf(*model, *result), {});
    if (!audit.ok()) Fail("final audit", audit.status());
    out["final_audit_s"] = Seconds(start);  // the last round's audit alone, run again
    out["solver"] = audit->solver_name + " " + audit->solver_version;
  }
  return out;
}

// Runs MeasureSize in a child process (its own peak RSS, killed on timeout).
json RunSize(double target, const Options& o) {
  int fds[2];
  if (pipe(fds) != 0) Usage("pipe failed");
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    const std::string line = MeasureSize(target, o).dump();
    if (write(fds[1], line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(1);
    _exit(0);
  }
  close(fds[1]);
  const auto start = Clock::now();
  int status = 0;
  rusage usage{};
  bool timed_out = false;
  while (wait4(pid, &status, WNOHANG, &usage) == 0) {
    if (Seconds(start) > o.timeout_s && !timed_out) {
      kill(pid, SIGKILL);
      timed_out = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::string line;
  char buf[4096];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) line.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  json out = line.empty() ? json{{"bench", "airlock_protect"}, {"target_cells", target}, {"audit", o.audit}}
                          : json::parse(line);
  out["cells_expected"] = CellCount(ShapeForCells(static_cast<int64_t>(target)));
  out["wall_s"] = Seconds(start);
  out["peak_rss_mb"] = static_cast<double>(usage.ru_maxrss) / 1024.0;
  if (timed_out) out["timeout_s"] = o.timeout_s;
  if (!timed_out && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) out["failed"] = true;
  return out;
}

// hdhub vs the MIP on one small table; false when --check finds it wrong.
bool Compare(int index, const Options& o, json& out) {
  const GeneratedTable g = Generate(SmallShape(index), o.seed + static_cast<uint64_t>(index));
  auto model = TableModel::Create(g.dimensions, {g.table}, {}, g.data);
  if (!model.ok()) Fail("model", model.status());
  auto start = Clock::now();
  auto result = Protect(Request(g));
  if (!result.ok()) Fail("protect", result.status());
  out = {{"bench", "airlock_optimal"}, {"table", index}, {"seed", o.seed + static_cast<uint64_t>(index)}};
  out["hdhub_s"] = Seconds(start);
  out["hdhub"] = Counts(*result);
  const Pattern hdhub = PatternOf(*model, *result);
  std::vector<bool> rule_primary(model->quantities().size(), false);
  double hdhub_value = 0;
  for (size_t i = 0; i < result->cells.size(); ++i) {
    const CellRecord& c = result->cells[i];
    if (c.reason == CellReason::kPrimary) rule_primary[static_cast<size_t>(model->cells()[i].quantity)] = true;
  }
  int64_t hdhub_count = 0;
  for (size_t q = 0; q < hdhub.suppressed.size(); ++q) {
    hdhub_count += hdhub.suppressed[q] ? 1 : 0;
    hdhub_value += hdhub.suppressed[q] ? model->quantities()[q].value : 0;
  }
  const auto relations = QuantityRelations(*model, g);
  const bool hdhub_feasible = SatisfiesRelations(*model, relations, hdhub.suppressed);
  start = Clock::now();
  auto opt = SolveOptimal(*model, relations, rule_primary, {},
                          OptimalOptions{.seconds_per_solve = o.cbc_seconds, .audit_rounds = o.cut_rounds});
  if (!opt.ok()) Fail("optimal", opt.status());
  double cbc_value = 0;
  for (size_t q = 0; q < opt->suppressed.size(); ++q)
    cbc_value += opt->suppressed[q] ? model->quantities()[q].value : 0;
  out["cbc_s"] = Seconds(start);
  out["quantities"] = model->quantities().size();
  out["hdhub_suppressed_quantities"] = hdhub_count;
  out["hdhub_value_suppressed"] = hdhub_value;
  out["hdhub_meets_mip_relations"] = hdhub_feasible;
  out["cbc"] = {{"suppressed", opt->count},
                {"value_suppressed", cbc_value},
                {"proven_optimal", opt->proven_optimal},
                {"lower_bound", opt->lower_bound},
                {"audits", opt->audits},
                {"last_audit_violations", opt->audit_violations},
                {"variables", opt->variables},
                {"rows", opt->rows},
                {"version", opt->solver_version}};
  // Passing the audit makes it a pattern hdhub would accept; else only a lower bound.
  out["cbc_is"] = opt->audit_violations == 0 ? "optimal among audited patterns" : "lower bound";
  out["ratio"] = opt->count > 0 ? static_cast<double>(hdhub_count) / static_cast<double>(opt->count) : 0.0;
  // Cbc's bound is valid even when it stops on time; its count only when proven optimal.
  return hdhub_count > 0 && hdhub_feasible && opt->lower_bound <= static_cast<double>(hdhub_count) + 1e-6 &&
         (!opt->proven_optimal || opt->count <= hdhub_count);
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = ParseArgs(argc, argv);
  if (o.cells.empty() && o.compare == 0) Usage("nothing to do: give --cells and/or --compare");
  for (double target : o.cells) std::printf("%s\n", RunSize(target, o).dump().c_str());
  bool ok = true;
  double worst = 0, sum = 0;
  for (int i = 0; i < o.compare; ++i) {
    json line;
    ok = Compare(i, o, line) && ok;
    worst = std::max(worst, line["ratio"].get<double>());
    sum += line["ratio"].get<double>();
    std::printf("%s\n", line.dump().c_str());
    std::fflush(stdout);
  }
  if (o.compare > 0) {
    std::printf("%s\n", json{{"bench", "airlock_optimal_summary"},
                             {"tables", o.compare},
                             {"mean_ratio", sum / o.compare},
                             {"max_ratio", worst},
                             {"goal_max_ratio", 1.10},
                             {"goal_met", worst <= 1.10}}
                            .dump()
                            .c_str());
  }
  if (o.check && !ok) {
    std::fprintf(stderr, "hdhub_airlock_bench: --check failed (see the airlock_optimal lines)\n");
    return 1;
  }
  return 0;
}
