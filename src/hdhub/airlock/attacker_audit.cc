#include "hdhub/airlock/attacker_audit.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <thread>
#include <utility>

#include "hdhub/airlock/audit_witnesses.h"
#include "hdhub/airlock/enum_names.h"
#include "hdhub/airlock/lp_presolve.h"
#include "hdhub/airlock/primary_checks.h"
#include "hdhub/airlock/published_intervals.h"

namespace hdhub::airlock {

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();
constexpr double kPercent = 100;
// Magnitudes: the self-check's and the protection test's tolerances,
// relative to the largest atom value.
constexpr double kSelfCheckTolerance = 1e-6;
constexpr double kProtectionTolerance = 1e-9;
// Witness points kept per LP: of the LP without insider knowledge (per
// worker; the workers' together for the insider passes), and of each
// singleton's pass (the former's moved onto its row, then its own
// solutions).
constexpr size_t kWitnesses = 8;
constexpr size_t kInsiderWitnesses = 40;
// Threads of the audit (OnWorkers): fixed, so that the same input gives the
// same report on every machine.
constexpr size_t kWorkers = 2;

constexpr NameTable<TargetKind, 5> kTargetKindNames = {{
    {TargetKind::kCell, "cell"},
    {TargetKind::kAtom, "atom"},
    {TargetKind::kDifference, "difference"},
    {TargetKind::kUnion, "union"},
    {TargetKind::kInsider, "insider"},
}};

// The protection level P of a magnitude group from its contributions x1 >=
// x2 >= ... (SDC handbook): p %: (p/100) x1 - (X - x1 - x2); (n, k):
// (100/k)(x1 + ... + xn) - X. Only the rules that fired count.
double ProtectionLevel(std::vector<double> x, const std::vector<Verdict>& findings, const DisclosureRules& rules) {
  std::sort(x.begin(), x.end(), std::greater<double>());
  double total = 0;
  double top_n = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    total += x[i];
    if (std::cmp_less(i, rules.dominance_n)) top_n += x[i];
  }
  const double x1 = x.empty() ? 0 : x[0];
  const double x2 = x.size() < 2 ? 0 : x[1];
  double level = 0;
  for (const Verdict& f : findings) {
    if (f.rule == kRulePPercent) level = std::max(level, rules.p_percent / kPercent * x1 - (total - x1 - x2));
    if (f.rule == kRuleDominanceNk) level = std::max(level, kPercent / rules.dominance_k_percent * top_n - total);
  }
  return level;
}

std::optional<Requirement> MagnitudeRequirement(const GroupData& g, const DisclosureRules& rules) {
  std::optional<Requirement> req;
  const std::vector<Verdict> findings = MagnitudeFindings(g.contributions, rules);
  for (const Verdict& f : findings) {
    if (f.outcome != Outcome::kSuppress || f.rule == kRuleZero) continue;
    if (!req) req = Requirement{.rule = f.rule};
  }
  if (!req) return req;
  req->protection = ProtectionLevel(g.contributions, findings, rules);
  for (const Verdict& f : findings) {  // name the rule behind the level, when there is one
    if (req->protection > 0 && (f.rule == kRulePPercent || f.rule == kRuleDominanceNk)) {
      req->rule = f.rule;
      break;
    }
  }
  return req;
}

}  // namespace

std::string_view TargetKindName(TargetKind kind) { return NameOf(kTargetKindNames, kind); }

std::optional<Requirement> RequirementFor(const GroupData& group, MeasureKind kind, const DisclosureRules& rules,
                                          bool zero_primary) {
  if (zero_primary && group.value == 0) return Requirement{.rule = std::string(kRuleZero)};
  if (kind == MeasureKind::kCount) {
    if (group.value >= 1 && group.value <= static_cast<double>(rules.min_count - 1)) {
      return Requirement{.rule = std::string(kRuleMinCount)};
    }
    return std::nullopt;
  }
  if (group.contributors == 0) return std::nullopt;
  return MagnitudeRequirement(group, rules);
}

std::vector<const AuditTarget*> AuditReport::Violations() const {
  std::vector<const AuditTarget*> out;
  for (const AuditTarget& t : targets) {
    if (t.violation) out.push_back(&t);
  }
  return out;
}

namespace {

class Auditor {
 public:
  Auditor(const TableModel& model, const Pattern& pattern, const DisclosureRules& rules, AuditScope scope)
      : m_(model), p_(pattern), rules_(rules), counts_(model.kind() == MeasureKind::kCount), scope_(scope) {}

  StatusOr<AuditReport> Run(const AttackerLpFactory& factory) {
    RETURN_IF_ERROR(Load(factory));
    CellTargets();
    AtomTargets();
    if (counts_) DifferenceTargets();
    UnionTargets();
    // The targets without insider knowledge (OnWorkers), each worker with its
    // own witnesses; the insider passes start from all of them.
    std::vector<AuditWitnesses> found(kWorkers, AuditWitnesses(kWitnesses));
    RETURN_IF_ERROR(OnWorkers(factory, report_.targets.size(), [&](AttackerLp& lp, size_t w, size_t i) {
      return Solve(lp, report_.targets[i], found[w]);
    }));
    AuditWitnesses plain(kWitnesses * kWorkers);
    for (const AuditWitnesses& f : found) plain.AddAll(f);
    RETURN_IF_ERROR(InsiderTargets(plain, factory));
    report_.solver_name = lp_->SolverName();
    report_.solver_version = lp_->SolverVersion();
    return std::move(report_);
  }

  // Solves the cells `report` (of this pattern) left unsolved.
  Status Complete(AuditReport& report, const AttackerLpFactory& factory) {
    // Its cells must be the pattern's suppressed quantities, each once.
    std::vector<bool> seen(p_.suppressed.size(), false);
    bool matches = true;
    for (const AuditTarget& t : report.targets) {
      if (t.kind != TargetKind::kCell) continue;
      const size_t q = static_cast<size_t>(t.quantity);
      // A cell on a published quantity is caught by seen != p_.suppressed below.
      matches = matches && t.quantity >= 0 && q < seen.size() && !seen[q] && Q(t.quantity).atoms == t.atoms;
      if (matches) seen[q] = true;
    }
    if (!matches || seen != p_.suppressed) {
      return InvalidArgumentError("attacker audit: the report to complete is not an audit of this pattern");
    }
    RETURN_IF_ERROR(Load(factory));
    std::vector<AuditTarget*> todo;
    for (AuditTarget& t : report.targets) {
      if (t.kind == TargetKind::kCell && !t.solved) todo.push_back(&t);
    }
    // Solve only adds to the witnesses here (a cell's interval is always
    // solved), and nothing reads them afterwards.
    std::vector<AuditWitnesses> found(kWorkers, AuditWitnesses(0));
    return OnWorkers(factory, todo.size(),
                     [&](AttackerLp& lp, size_t w, size_t i) { return Solve(lp, *todo[i], found[w]); });
  }

 private:
  const Quantity& Q(int32_t q) const { return m_.quantities()[static_cast<size_t>(q)]; }

  // The attacker's LP of the pattern: the published rows, presolved, and a
  // free row per singleton primary.
  Status Load(const AttackerLpFactory& factory) {
    ComputeScale();
    ASSIGN_OR_RETURN(presolved_, Presolve(m_.num_atoms(), PublishedRows(), kPresolveTolerance));
    // The published rows are the true values' sums, so consistent: the dependent ones add nothing.
    ASSIGN_OR_RETURN(presolved_.problem, WithoutDependentRows(presolved_.problem));
    lp_problem_ = WithSingletonRows(presolved_.problem);
    ASSIGN_OR_RETURN(lp_, factory(lp_problem_));
    return OkStatus();
  }

  void ComputeScale() {
    if (counts_) return;
    for (int32_t a = 0; a < m_.num_atoms(); ++a) scale_ = std::max(scale_, m_.AtomValue(a));
  }

  // Every published quantity at its value.
  std::vector<LpRow> PublishedRows() {
    std::vector<LpRow> rows;
    for (size_t q = 0; q < m_.quantities().size(); ++q) {
      if (p_.suppressed[q]) continue;
      const Quantity& qq = m_.quantities()[q];
      published_.push_back(static_cast<int32_t>(q));
      known_.emplace(qq.atoms, -1);
      rows.push_back({qq.atoms, qq.value / scale_, qq.value / scale_});
    }
    return rows;
  }

  // Adds a row per singleton primary with free atoms left, free until the
  // insider pass fixes it.
  LpProblem WithSingletonRows(LpProblem lp) {
    for (size_t q = 0; q < m_.quantities().size(); ++q) {
      const Quantity& qq = m_.quantities()[q];
      if (!p_.primary[q] || m_.Group(qq.atoms).contributors != 1) continue;
      auto [free, pinned] = presolved_.Split(qq.atoms);
      if (free.empty()) continue;  // already pinned: knowing it adds nothing
      singletons_.push_back(
          {static_cast<int32_t>(q), static_cast<int32_t>(lp.rows.size()), qq.value / scale_ - pinned});
      lp.rows.push_back({std::move(free), -kInfinity, kInfinity});
    }
    return lp;
  }

  bool Inside(const Quantity& outer, const Quantity& inner) const { return m_.Contains(outer, inner); }

  // Adds a target unless its atoms are published or already a target.
  void Add(AuditTarget t) {
    if (!known_.emplace(t.atoms, static_cast<int64_t>(report_.targets.size())).second) return;
    report_.targets.push_back(std::move(t));
  }

  AuditTarget Make(TargetKind kind, std::string name, std::vector<int32_t> atoms, bool zero_primary = false) const {
    const GroupData g = m_.Group(atoms);
    return AuditTarget{.kind = kind,
                       .name = std::move(name),
                       .atoms = std::move(atoms),
                       .true_value = g.value,
                       .requirement = RequirementFor(g, m_.kind(), rules_, zero_primary)};
  }

  void CellTargets() {
    for (size_t q = 0; q < m_.quantities().size(); ++q) {
      if (!p_.suppressed[q]) continue;
      const Quantity& qq = m_.quantities()[q];
      const bool zero_primary = p_.primary[q] && qq.value == 0 && rules_.zeros == Outcome::kSuppress;
      AuditTarget t = Make(TargetKind::kCell, qq.key, qq.atoms, zero_primary);
      t.quantity = static_cast<int32_t>(q);
      Add(std::move(t));
    }
  }

  void AtomTargets() {
    for (int32_t a = 0; a < m_.num_atoms(); ++a) {
      const double v = m_.AtomValue(a);  // counts: decided here, without building a group or a name
      if (counts_ && !(v >= 1 && v <= static_cast<double>(rules_.min_count - 1))) continue;
      AuditTarget t = Make(TargetKind::kAtom, m_.space().AtomKey(a), {a});
      if (t.requirement) Add(std::move(t));
    }
  }

  // Nested published pairs whose values differ by 1..T-1: sorted by value,
  // each c only looks at the c' in (v_c - T, v_c).
  void DifferenceTargets() {
    std::vector<std::pair<double, int32_t>> by_value;
    for (int32_t q : published_) by_value.emplace_back(Q(q).value, q);
    std::sort(by_value.begin(), by_value.end());
    const double window = static_cast<double>(rules_.min_count);
    for (const auto& [value, c] : by_value) {
      auto first = std::upper_bound(by_value.begin(), by_value.end(), std::make_pair(value - window, INT32_MAX));
      for (auto it = first; it != by_value.end() && it->first < value; ++it) {
        if (!Inside(Q(c), Q(it->second))) continue;
        std::vector<int32_t> diff;
        std::set_difference(Q(c).atoms.begin(), Q(c).atoms.end(), Q(it->second).atoms.begin(),
                            Q(it->second).atoms.end(), std::back_inserter(diff));
        AuditTarget t = Make(TargetKind::kDifference, Q(c).key + " minus " + Q(it->second).key, std::move(diff));
        if (t.requirement) Add(std::move(t));
      }
    }
  }

  void UnionTargets() {
    // Per published quantity, the primaries inside it, ascending.
    std::vector<std::vector<int32_t>> inside(m_.quantities().size());
    for (size_t q = 0; q < m_.quantities().size(); ++q) {
      if (!p_.primary[q]) continue;
      for (int32_t c : m_.Holders(static_cast<int32_t>(q))) {
        if (!p_.suppressed[static_cast<size_t>(c)]) inside[static_cast<size_t>(c)].push_back(static_cast<int32_t>(q));
      }
    }
    for (int32_t c : published_) {
      const std::vector<int32_t>& primaries = inside[static_cast<size_t>(c)];
      if (primaries.size() < 2) continue;
      std::vector<int32_t> atoms;
      for (int32_t q : primaries) {
        std::vector<int32_t> merged;
        std::set_union(atoms.begin(), atoms.end(), Q(q).atoms.begin(), Q(q).atoms.end(), std::back_inserter(merged));
        atoms = std::move(merged);
      }
      AuditTarget t = Make(TargetKind::kUnion, "primaries inside " + Q(c).key, std::move(atoms));
      if (t.requirement) Add(std::move(t));
    }
  }

  // The LP bounds over the target's free atoms, plus its pinned part; the
  // solutions become witnesses for `witnesses` (the LP's current constraints).
  Status Solve(AttackerLp& lp, AuditTarget& t, AuditWitnesses& witnesses) const {
    // A suppressed cell's interval is published (the certificate) in the full
    // scope; any other target only needs its verdict.
    const bool interval_needed = scope_ == AuditScope::kFull && t.kind == TargetKind::kCell;
    if (!interval_needed && CannotBeViolated(t, witnesses)) {
      t.solved = false;
      t.interval = {.lo = 0, .hi = kInfinity};
      return OkStatus();
    }
    t.solved = true;
    const std::optional<double> enough = interval_needed ? std::nullopt : MaxThatClears(t);
    ASSIGN_OR_RETURN(LpBounds b, GroupBounds(presolved_, lp, t.atoms, enough));
    witnesses.Add(std::move(b.min_point));
    witnesses.Add(std::move(b.max_point));
    if (b.min_skipped) return ClearedByMax(b, t);
    return Evaluate(b, t);
  }

  // Counts: the greatest sum from which a sensitive target cannot be
  // violated (hi >= T; hi >= 1 for a zero primary), so that its minimum
  // need not be solved (AttackerLp::BoundsUnlessMaxReaches). Magnitudes
  // need both sides.
  std::optional<double> MaxThatClears(const AuditTarget& t) const {
    if (!counts_ || !t.requirement) return std::nullopt;
    return t.requirement->rule == kRuleZero ? 1.0 : static_cast<double>(rules_.min_count);
  }

  // A count target whose maximum reached MaxThatClears: not violated, and
  // reported as a witness-cleared one (its minimum is unsolved); the
  // self-check on the side solved.
  Status ClearedByMax(const LpBounds& b, AuditTarget& t) const {
    if (!(t.true_value <= RoundInward(b).hi)) return SelfCheckError(t);
    t.solved = false;
    t.interval = {.lo = 0, .hi = kInfinity};
    t.violation = false;
    return OkStatus();
  }

  static Status SelfCheckError(const AuditTarget& t) {
    return InternalError("attacker audit: self-check failed for " + std::string(TargetKindName(t.kind)) + " target " +
                         t.name + ": the solver's interval does not contain the true value");
  }

  // Counts only: a witness w gives min <= w and max >= w, so lo <= 0 when w
  // <= 0 and hi >= T when w >= T (the rounding is monotone); no slack is
  // granted, so a witness within the solver's tolerance of a threshold does
  // not count. Magnitudes are always solved.
  bool CannotBeViolated(const AuditTarget& t, const AuditWitnesses& witnesses) const {
    if (!t.requirement) return true;
    if (!counts_) return false;
    auto [free, pinned] = presolved_.Split(t.atoms);
    const std::optional<AuditWitnesses::Range> r = witnesses.SumRange(free, pinned);
    if (!r) return false;
    if (t.requirement->rule == kRuleZero) return r->greatest >= 1;
    return r->least <= 0 || r->greatest >= static_cast<double>(rules_.min_count);
  }

  Status Evaluate(const LpBounds& b, AuditTarget& t) const {
    const double x = t.true_value;
    t.interval = counts_ ? RoundInward(b) : ScaledNonNegative(b, scale_);
    const double slack = counts_ ? 0 : kSelfCheckTolerance * scale_;
    if (!(t.interval.lo - slack <= x && x <= t.interval.hi + slack)) return SelfCheckError(t);
    t.violation = t.requirement.has_value() && Violated(*t.requirement, x, t.interval);
    return OkStatus();
  }

  bool Violated(const Requirement& r, double x, const Interval& iv) const {
    const double tol = counts_ ? 0 : kProtectionTolerance * scale_;
    if (r.rule == kRuleZero) return iv.hi <= tol;
    if (counts_) return iv.lo >= 1 && iv.hi <= static_cast<double>(rules_.min_count - 1);
    if (r.protection <= 0) return iv.hi - iv.lo <= tol;  // only exact disclosure is ruled out
    return iv.hi < x + r.protection - tol || iv.lo > x - std::min(r.protection, x) + tol;
  }

  // The atoms of the tightest published relations holding `q`: the
  // published quantities containing it with no smaller published one
  // between (in a 2-D table, its row and its column).
  // Ascending, each once.
  std::vector<int32_t> Neighbourhood(int32_t q) const {
    std::vector<int32_t> holders;
    for (int32_t c : m_.Holders(q)) {
      if (!p_.suppressed[static_cast<size_t>(c)]) holders.push_back(c);
    }
    std::vector<int32_t> out;
    for (int32_t c : holders) {
      const bool minimal = std::none_of(holders.begin(), holders.end(), [&](int32_t d) {
        return d != c && Inside(Q(c), Q(d)) && Q(d).atoms.size() < Q(c).atoms.size();
      });
      if (minimal) out.insert(out.end(), Q(c).atoms.begin(), Q(c).atoms.end());
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  // The targets an insider pass starts from (sensitive cells and unions),
  // by atom: target_at_[a] lists, ascending, those holding atom a.
  void IndexInsiderBases() {
    target_at_.assign(static_cast<size_t>(m_.num_atoms()), {});
    for (size_t i = 0; i < report_.targets.size(); ++i) {
      const AuditTarget& t = report_.targets[i];
      if (!t.requirement || (t.kind != TargetKind::kCell && t.kind != TargetKind::kUnion)) continue;
      for (int32_t a : t.atoms) target_at_[static_cast<size_t>(a)].push_back(i);
    }
  }

  // The bases of singleton s's pass: the targets meeting its neighbourhood
  // but s itself, in report order.
  std::vector<size_t> InsiderBases(int32_t s) const {
    std::vector<size_t> bases;
    for (int32_t a : Neighbourhood(s)) {
      const auto& at = target_at_[static_cast<size_t>(a)];
      bases.insert(bases.end(), at.begin(), at.end());
    }
    std::sort(bases.begin(), bases.end());
    bases.erase(std::unique(bases.begin(), bases.end()), bases.end());
    std::erase_if(bases, [&](size_t i) { return report_.targets[i].quantity == s; });
    return bases;
  }

  // The insider targets of singleton `i` (singletons_), solved on `lp` with
  // its row fixed, then freed; `plain`: points of the LP without insider
  // knowledge, moved onto its row as witnesses of its pass.
  Status InsiderPass(AttackerLp& lp, size_t i, const AuditWitnesses& plain, std::vector<AuditTarget>& out) const {
    const auto& [s, row, value] = singletons_[i];
    const Quantity& sq = Q(s);
    RETURN_IF_ERROR(lp.SetRowBounds(row, value, value));
    // Points meeting s's row: valid for this pass only.
    AuditWitnesses witnesses(kInsiderWitnesses);
    witnesses.AddMeeting(plain, presolved_.Split(sq.atoms).first, value);
    for (size_t b : InsiderBases(s)) {
      const AuditTarget& base = report_.targets[b];
      // The people of base the insider does not know: those outside s.
      std::vector<int32_t> others;
      std::set_difference(base.atoms.begin(), base.atoms.end(), sq.atoms.begin(), sq.atoms.end(),
                          std::back_inserter(others));
      if (others.empty()) continue;
      AuditTarget t = Make(TargetKind::kInsider, base.name + " given " + sq.key, std::move(others));
      if (!t.requirement) continue;  // none, or T or more: nothing small to learn about them
      t.insider = s;
      RETURN_IF_ERROR(Solve(lp, t, witnesses));
      out.push_back(std::move(t));
    }
    return lp.SetRowBounds(row, -kInfinity, kInfinity);
  }

  // Runs task(lp, w, i) for every i < n on up to kWorkers threads, each
  // with its own LP (lp_ and copies of lp_problem_): worker w takes w, w +
  // workers, ..., in order, so that each LP solves the same sequence on
  // every run (the same witnesses, the same targets solved).
  Status OnWorkers(const AttackerLpFactory& factory, size_t n,
                   const std::function<Status(AttackerLp&, size_t, size_t)>& task) {
    const size_t workers = std::min(kWorkers, n);
    if (workers == 0) return OkStatus();
    while (lps_.size() + 1 < workers) {
      ASSIGN_OR_RETURN(std::unique_ptr<AttackerLp> lp, factory(lp_problem_));
      lps_.push_back(std::move(lp));
    }
    std::vector<Status> status(workers);
    auto work = [&](size_t w) {
      AttackerLp& lp = w == 0 ? *lp_ : *lps_[w - 1];
      for (size_t i = w; i < n && status[w].ok(); i += workers) status[w] = task(lp, w, i);
    };
    std::vector<std::thread> threads;
    for (size_t w = 1; w < workers; ++w) threads.emplace_back(work, w);
    work(0);
    for (std::thread& t : threads) t.join();
    for (const Status& s : status) RETURN_IF_ERROR(s);
    return OkStatus();
  }

  // Every singleton's pass (OnWorkers); the targets are appended in
  // singleton order.
  Status InsiderTargets(const AuditWitnesses& plain, const AttackerLpFactory& factory) {
    IndexInsiderBases();
    std::vector<std::vector<AuditTarget>> found(singletons_.size());
    RETURN_IF_ERROR(OnWorkers(factory, singletons_.size(),
                              [&](AttackerLp& lp, size_t, size_t i) { return InsiderPass(lp, i, plain, found[i]); }));
    for (std::vector<AuditTarget>& targets : found) {
      for (AuditTarget& t : targets) report_.targets.push_back(std::move(t));
    }
    return OkStatus();
  }

  const TableModel& m_;
  const Pattern& p_;
  const DisclosureRules& rules_;
  const bool counts_;
  const AuditScope scope_;
  double scale_ = 1;  // magnitudes: LP values are in units of the largest atom value
  struct Singleton {
    int32_t quantity;
    int32_t row;   // its LP row
    double value;  // its free part's value (LP units)
  };
  Presolved presolved_;
  LpProblem lp_problem_;  // the loaded problem: lp_ and every other worker's LP are made from it
  std::unique_ptr<AttackerLp> lp_;
  std::vector<std::unique_ptr<AttackerLp>> lps_;  // the LPs of OnWorkers' workers 1, 2, ...; worker 0 uses lp_
  std::vector<int32_t> published_;
  std::vector<Singleton> singletons_;
  std::map<std::vector<int32_t>, int64_t> known_;  // atom sets published (-1) or targeted
  std::vector<std::vector<size_t>> target_at_;     // IndexInsiderBases
  AuditReport report_;
};

Status CheckPattern(const TableModel& model, const Pattern& pattern) {
  const size_t n = model.quantities().size();
  if (pattern.suppressed.size() != n || pattern.primary.size() != n) {
    return InvalidArgumentError("attacker audit: the pattern needs one entry per quantity of the model");
  }
  for (size_t q = 0; q < n; ++q) {
    if (pattern.primary[q] && !pattern.suppressed[q]) {
      return InvalidArgumentError("attacker audit: primary " + model.quantities()[q].key + " is not suppressed");
    }
  }
  if (model.kind() == MeasureKind::kMagnitude && model.AnyNegativeContribution()) {
    return FailedPreconditionError(
        "attacker audit: a magnitude with negative contributions cannot be audited (the attacker model assumes "
        "non-negative cells); the checkers must review this output");
  }
  return OkStatus();
}

}  // namespace

StatusOr<AuditReport> AuditPattern(const TableModel& model, const Pattern& pattern, const DisclosureRules& rules,
                                   const AttackerLpFactory& lp_factory, AuditScope scope) {
  RETURN_IF_ERROR(CheckPattern(model, pattern));
  return Auditor(model, pattern, rules, scope).Run(lp_factory);
}

Status CompleteCellIntervals(const TableModel& model, const Pattern& pattern, const DisclosureRules& rules,
                             AuditReport& report, const AttackerLpFactory& lp_factory) {
  RETURN_IF_ERROR(CheckPattern(model, pattern));
  return Auditor(model, pattern, rules, AuditScope::kFull).Complete(report, lp_factory);
}

}  // namespace hdhub::airlock
