#include "hdhub/airlock/protection.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "hdhub/airlock/enum_names.h"
#include "hdhub/airlock/gauss_suppression.h"
#include "hdhub/airlock/primary_checks.h"

namespace hdhub::airlock {

namespace {

constexpr NameTable<CellStatus, 2> kCellStatusNames = {{
    {CellStatus::kPublished, "published"},
    {CellStatus::kSuppressed, "suppressed"},
}};

constexpr NameTable<CellReason, 7> kCellReasonNames = {{
    {CellReason::kSafe, "safe"},
    {CellReason::kReview, "review"},
    {CellReason::kForced, "forced"},
    {CellReason::kPrimary, "primary"},
    {CellReason::kLedger, "ledger"},
    {CellReason::kSecondary, "secondary"},
    {CellReason::kRepair, "repair"},
}};

// What the primary stage decides for one quantity.
struct Role {
  ColumnRole column = ColumnRole::kCandidate;
  CellReason reason = CellReason::kSafe;
  std::string rule;
};

StatusOr<Verdict> PrimaryVerdict(const TableModel& model, const Quantity& q, const DisclosureRules& rules) {
  const GroupData g = model.Group(q.atoms);
  const Verdict v =
      model.kind() == MeasureKind::kCount ? CheckCount(g.contributors, rules) : CheckMagnitude(g.contributions, rules);
  if (v.outcome == Outcome::kRefuse) return InvalidArgumentError("cell " + q.key + ": " + v.reason);
  return v;
}

StatusOr<std::vector<Role>> Roles(const TableModel& model, const DisclosureRules& rules) {
  std::vector<Role> roles;
  for (const Quantity& q : model.quantities()) {
    Role r;
    if (q.in_request || q.earlier_published) {
      ASSIGN_OR_RETURN(Verdict v, PrimaryVerdict(model, q, rules));
      if (v.outcome != Outcome::kPass) r.rule = v.rule;
      if (v.outcome == Outcome::kSuppress) r = {ColumnRole::kPrimary, CellReason::kPrimary, v.rule};
      if (v.outcome == Outcome::kReview) r.reason = CellReason::kReview;
    }
    if (q.earlier_suppressed) r = {ColumnRole::kPrimary, CellReason::kLedger, ""};
    // Published once, public for good: suppressing it now would protect nothing.
    if (q.earlier_published) r = {ColumnRole::kForced, CellReason::kForced, r.rule};
    roles.push_back(std::move(r));
  }
  return roles;
}

// Publication order: forced columns come first anyway; then the largest
// aggregates (margins are the last to be suppressed), then larger values,
// then the canonical key, so the small interior cells are the secondaries.
std::vector<int32_t> PublishOrder(const TableModel& model, const std::vector<Role>& roles) {
  std::vector<int32_t> order;
  for (size_t q = 0; q < roles.size(); ++q) {
    if (roles[q].column == ColumnRole::kCandidate) order.push_back(static_cast<int32_t>(q));
  }
  const auto& qs = model.quantities();
  std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
    const Quantity& x = qs[static_cast<size_t>(a)];
    const Quantity& y = qs[static_cast<size_t>(b)];
    return std::make_tuple(-static_cast<int64_t>(x.atoms.size()), -x.value, std::cref(x.key)) <
           std::make_tuple(-static_cast<int64_t>(y.atoms.size()), -y.value, std::cref(y.key));
  });
  return order;
}

// What the repair carries from one round to the next.
struct Repairs {
  std::set<int32_t> extra;  // extra primaries, protected like the others
  // Every earlier round's secondaries, kept suppressed: the pattern only
  // grows, so every interval only widens and a violation repaired stays so.
  std::set<int32_t> kept;
};

ColumnRole RoleIn(const Repairs& repairs, const std::vector<Role>& roles, int32_t q) {
  if (repairs.extra.contains(q)) return ColumnRole::kPrimary;
  if (repairs.kept.contains(q)) return ColumnRole::kKept;
  return roles[static_cast<size_t>(q)].column;
}

EliminationInput MakeElimination(const TableModel& model, const std::vector<Role>& roles, const Repairs& repairs) {
  EliminationInput in{.num_atoms = model.num_atoms(), .extents = model.space().Extents()};
  for (size_t q = 0; q < roles.size(); ++q) {
    const Quantity& qq = model.quantities()[q];
    const ColumnRole role = RoleIn(repairs, roles, static_cast<int32_t>(q));
    in.columns.push_back(
        {.atoms = qq.atoms, .role = role, .zero = qq.value == 0, .singleton = model.Group(qq.atoms).contributors == 1});
  }
  for (int32_t a = 0; a < model.num_atoms(); ++a) in.zero_atoms.push_back(model.AtomValue(a) == 0);
  return in;
}

// What the repair looks at around a violated target g (a set of atoms).
struct Neighbours {
  std::vector<int32_t> relations;  // published quantities holding g, the tightest first
  std::vector<int32_t> disjoint;   // publishable non-zero quantities disjoint from g
  int32_t meeting = -1;            // the cheapest publishable non-zero quantity meeting g
};

// The cost of suppressing a quantity: its value, then its size.
auto RepairCost(const Quantity& q) { return std::make_tuple(q.value, q.atoms.size(), std::cref(q.key)); }

// "Tightest" relation: the one whose other unknown atoms (those no published
// single-atom cell gives) hold the least, since that is where the attacker
// pins g; then the smallest. Adding a cell there widens g's interval most.
Neighbours NeighboursOf(const TableModel& model, const std::vector<Role>& roles, const std::vector<bool>& suppressed,
                        const std::vector<int32_t>& g) {
  const auto& qs = model.quantities();
  std::vector<bool> in_g(static_cast<size_t>(model.num_atoms()), false);
  std::vector<bool> known(static_cast<size_t>(model.num_atoms()), false);
  for (int32_t a : g) in_g[static_cast<size_t>(a)] = true;
  Neighbours n;
  std::vector<std::tuple<double, size_t, const std::string*, int32_t>> ranked;
  for (size_t q = 0; q < qs.size(); ++q) {
    if (!suppressed[q] && qs[q].atoms.size() == 1) known[static_cast<size_t>(qs[q].atoms[0])] = true;
  }
  for (size_t q = 0; q < qs.size(); ++q) {
    if (suppressed[q]) continue;
    const int32_t id = static_cast<int32_t>(q);
    size_t inside = 0;
    double cover = 0;
    for (int32_t a : qs[q].atoms) {
      if (in_g[static_cast<size_t>(a)])
        ++inside;
      else if (!known[static_cast<size_t>(a)])
        cover += model.AtomValue(a);
    }
    const bool free = roles[q].column != ColumnRole::kForced && qs[q].value != 0;
    if (inside == g.size()) ranked.emplace_back(cover, qs[q].atoms.size(), &qs[q].key, id);
    if (free && inside == 0) n.disjoint.push_back(id);
    if (free && inside > 0 && (n.meeting < 0 || RepairCost(qs[q]) < RepairCost(qs[static_cast<size_t>(n.meeting)]))) {
      n.meeting = id;
    }
  }
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return std::tie(std::get<0>(a), std::get<1>(a), *std::get<2>(a)) <
           std::tie(std::get<0>(b), std::get<1>(b), *std::get<2>(b));
  });
  for (const auto& r : ranked) n.relations.push_back(std::get<3>(r));
  return n;
}

// Repair: the cell to make an extra primary so that target `g` gets room. In
// the tightest relation holding g that has one, the cheapest publishable
// non-zero cell disjoint from g (interior cells before margins); else the
// tightest publishable non-zero relation itself; else the cheapest
// publishable non-zero cell meeting g. -1 if none. Never a zero: suppressed
// zeros protect nothing (gauss_suppression.h).
int32_t RepairCell(const TableModel& model, const std::vector<Role>& roles, const std::vector<bool>& suppressed,
                   const std::vector<int32_t>& g) {
  const auto& qs = model.quantities();
  const Neighbours n = NeighboursOf(model, roles, suppressed, g);
  for (int32_t r : n.relations) {
    int32_t best = -1;
    for (int32_t q : n.disjoint) {
      if (!model.Contains(qs[static_cast<size_t>(r)], qs[static_cast<size_t>(q)])) continue;
      if (best < 0 || RepairCost(qs[static_cast<size_t>(q)]) < RepairCost(qs[static_cast<size_t>(best)])) best = q;
    }
    if (best >= 0) return best;
  }
  for (int32_t r : n.relations) {
    if (roles[static_cast<size_t>(r)].column != ColumnRole::kForced && qs[static_cast<size_t>(r)].value != 0) return r;
  }
  return n.meeting;
}

std::vector<int32_t> RepairAtoms(const TableModel& model, const AuditTarget& t) {
  if (t.insider < 0) return t.atoms;
  const auto& s = model.quantities()[static_cast<size_t>(t.insider)].atoms;
  std::vector<int32_t> both;
  std::set_union(t.atoms.begin(), t.atoms.end(), s.begin(), s.end(), std::back_inserter(both));
  return both;
}

Refusal MakeRefusal(const AuditTarget& t, std::string why) {
  const std::string rule = t.requirement ? t.requirement->rule : "";
  return Refusal{.target = std::string(TargetKindName(t.kind)) + " " + t.name,
                 .rule = rule,
                 .reason = std::string(TargetKindName(t.kind)) + " " + t.name + " (rule " + rule +
                           "): the interval an attacker can prove is too narrow; " + std::move(why),
                 .interval = t.interval,
                 .true_value = t.true_value};
}

// One round of the pipeline's state.
struct Round {
  EliminationResult elimination;
  Pattern pattern;
  AuditReport audit;
};

StatusOr<Round> RunRound(const TableModel& model, const std::vector<Role>& roles, const Repairs& repairs,
                         const std::vector<int32_t>& order, const ProtectionRequest& request,
                         const ProtectionOptions& options, AuditScope scope) {
  Round round;
  EliminationInput in = MakeElimination(model, roles, repairs);
  for (int32_t q : order) {
    if (in.columns[static_cast<size_t>(q)].role == ColumnRole::kCandidate) in.publish_order.push_back(q);
  }
  ASSIGN_OR_RETURN(round.elimination, SuppressByElimination(in));
  round.pattern.suppressed = round.elimination.suppressed;
  for (size_t q = 0; q < roles.size(); ++q) {
    round.pattern.primary.push_back(in.columns[q].role == ColumnRole::kPrimary);
  }
  ASSIGN_OR_RETURN(round.audit, AuditPattern(model, round.pattern, request.rules, options.lp_factory, scope));
  return round;
}

CellReason SuppressedReason(const Role& role, bool extra) {
  if (role.column == ColumnRole::kPrimary) return role.reason;
  return extra ? CellReason::kRepair : CellReason::kSecondary;
}

void FillRecords(const TableModel& model, const std::vector<Role>& roles, const std::set<int32_t>& extra,
                 const Round& round, ProtectionResult& out) {
  std::map<int32_t, const AuditTarget*> cell_target;
  for (const AuditTarget& t : round.audit.targets) {
    if (t.kind == TargetKind::kCell) cell_target[t.quantity] = &t;
  }
  for (const ModelCell& cell : model.cells()) {
    const ModelTable& table = model.tables()[static_cast<size_t>(cell.table)];
    if (!table.release_id.empty()) continue;
    const size_t q = static_cast<size_t>(cell.quantity);
    const Quantity& qq = model.quantities()[q];
    CellRecord r{.table = table.id, .codes = cell.codes, .key = qq.key, .rule = roles[q].rule, .value = qq.value};
    if (round.pattern.suppressed[q]) {
      r.status = CellStatus::kSuppressed;
      r.reason = SuppressedReason(roles[q], extra.contains(cell.quantity));
      if (auto it = cell_target.find(cell.quantity); it != cell_target.end()) r.interval = it->second->interval;
    } else {
      r.reason = roles[q].reason;
    }
    out.cells.push_back(std::move(r));
  }
  out.targets = round.audit.targets;
  out.solver_name = round.audit.solver_name;
  out.solver_version = round.audit.solver_version;
}

// Refusals for primaries the ledger alone already discloses.
void RefuseDisclosedByHistory(const TableModel& model, const Round& round, ProtectionResult& out) {
  for (int32_t c : round.elimination.already_disclosed) {
    const std::string key = model.quantities()[static_cast<size_t>(c)].key;
    out.refusals.push_back({.target = "cell " + key,
                            .reason = "cell " + key +
                                      ": the release history already discloses this suppressed cell; no choice in "
                                      "this request can protect it"});
  }
}

// Adds one extra primary per violation; the refusals for violations nothing
// can repair (empty when every one got a new extra primary).
std::vector<Refusal> Repair(const TableModel& model, const std::vector<Role>& roles, const Round& round,
                            const std::vector<const AuditTarget*>& violations, std::set<int32_t>& extra) {
  std::vector<Refusal> refusals;
  const size_t before = extra.size();
  for (const AuditTarget* t : violations) {
    const int32_t fix = RepairCell(model, roles, round.pattern.suppressed, RepairAtoms(model, *t));
    if (fix >= 0) {
      extra.insert(fix);
    } else {
      refusals.push_back(MakeRefusal(*t, "no publishable cell is left to suppress around it"));
    }
  }
  if (refusals.empty() && extra.size() == before) {
    for (const AuditTarget* t : violations) {
      refusals.push_back(MakeRefusal(*t, "the repair found nothing new to suppress"));
    }
  }
  return refusals;
}

}  // namespace

std::string_view CellStatusName(CellStatus status) { return NameOf(kCellStatusNames, status); }
std::string_view CellReasonName(CellReason reason) { return NameOf(kCellReasonNames, reason); }

StatusOr<ProtectionResult> Protect(const ProtectionRequest& request, const ProtectionOptions& options) {
  RETURN_IF_ERROR(request.rules.Validate());
  if (options.max_repair_rounds < 0) return InvalidArgumentError("max_repair_rounds must not be negative");
  ASSIGN_OR_RETURN(TableModel model,
                   TableModel::Create(request.dimensions, request.tables, request.history, request.data));
  ASSIGN_OR_RETURN(std::vector<Role> roles, Roles(model, request.rules));
  const std::vector<int32_t> order = PublishOrder(model, roles);
  Repairs repairs;
  for (int round_no = 0;; ++round_no) {
    // Each round is audited for its violations only (the same violations,
    // fewer LPs); the last one's report is then completed with the suppressed
    // cells' intervals, which go into the result.
    ASSIGN_OR_RETURN(Round round, RunRound(model, roles, repairs, order, request, options, AuditScope::kViolations));
    const std::vector<const AuditTarget*> violations = round.audit.Violations();
    std::vector<Refusal> refusals;
    // The ledger alone disclosing a primary cannot be repaired here: refuse at once.
    const bool done = violations.empty() || !round.elimination.already_disclosed.empty();
    if (!done && round_no == options.max_repair_rounds) {
      for (const AuditTarget* t : violations) {
        refusals.push_back(MakeRefusal(*t, "still so after " + std::to_string(round_no) + " repair rounds"));
      }
    } else if (!done) {
      std::set<int32_t> more = repairs.extra;
      refusals = Repair(model, roles, round, violations, more);
      if (refusals.empty()) {
        repairs.extra = std::move(more);
        repairs.kept.insert(round.elimination.secondaries.begin(), round.elimination.secondaries.end());
        continue;
      }
    }
    RETURN_IF_ERROR(CompleteCellIntervals(model, round.pattern, request.rules, round.audit, options.lp_factory));
    ProtectionResult out{.repair_rounds = round_no};
    FillRecords(model, roles, repairs.extra, round, out);
    RefuseDisclosedByHistory(model, round, out);
    out.refusals.insert(out.refusals.end(), refusals.begin(), refusals.end());
    out.outcome = out.refusals.empty() ? Outcome::kPass : Outcome::kRefuse;
    return out;
  }
}

namespace {

nlohmann::json IntervalJson(const Interval& iv) {
  return nlohmann::json::array({iv.lo, std::isinf(iv.hi) ? nlohmann::json(nullptr) : nlohmann::json(iv.hi)});
}

}  // namespace

nlohmann::json ProtectionResult::ToJson() const {
  nlohmann::json j{
      {"outcome", OutcomeName(outcome)},    {"solver", {{"name", solver_name}, {"version", solver_version}}},
      {"repair_rounds", repair_rounds},     {"cells", nlohmann::json::array()},
      {"targets", nlohmann::json::array()}, {"refusals", nlohmann::json::array()}};
  for (const CellRecord& c : cells) {
    j["cells"].push_back({{"table", c.table},
                          {"codes", c.codes},
                          {"key", c.key},
                          {"status", CellStatusName(c.status)},
                          {"reason", CellReasonName(c.reason)},
                          {"rule", c.rule},
                          {"value", c.value},
                          {"interval", c.interval ? IntervalJson(*c.interval) : nlohmann::json(nullptr)}});
  }
  for (const AuditTarget& t : targets) {
    j["targets"].push_back({{"kind", TargetKindName(t.kind)},
                            {"name", t.name},
                            {"value", t.true_value},
                            {"rule", t.requirement ? t.requirement->rule : ""},
                            {"protection", t.requirement ? t.requirement->protection : 0.0},
                            // null: not solved, a witness showed it wide enough (attacker_audit.h)
                            {"interval", t.solved ? IntervalJson(t.interval) : nlohmann::json(nullptr)},
                            {"violation", t.violation}});
  }
  for (const Refusal& r : refusals) {
    j["refusals"].push_back({{"target", r.target},
                             {"rule", r.rule},
                             {"reason", r.reason},
                             {"interval", IntervalJson(r.interval)},
                             {"value", r.true_value}});
  }
  return j;
}

}  // namespace hdhub::airlock
