// A property of Protect on random small 2-D and 3-D count tables with every
// margin: after suppression and audit, an independent brute force over the
// integer tables consistent with everything published finds no suppressed
// small cell (1..T-1) pinned inside 1..T-1, and the audit's interval holds
// the brute-force one (equal in 2-D, where the LP is integral). The brute
// force rebuilds the cells' atoms from their codes itself; it shares no code
// with the model, the elimination or the LP.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "hdhub/airlock/protection.h"
#include "hdhub/airlock/published_intervals.h"
#include "hdhub/airlock/test_tables.h"
#include "hdhub/common/status_matchers.h"

namespace hdhub::airlock {
namespace {

using testing::Flat;
using testing::Full;
using testing::kTotal;

constexpr int64_t kMinCount = 5;
constexpr int64_t kNodeBudget = 3'000'000;  // a case above it is skipped (counted)

struct Shape {
  std::vector<std::string> names;  // dimension names
  std::vector<int> sizes;          // leaves per dimension: "<name>1".."<name>n"
};

// The atoms (mixed radix over the shape) of a cell given by its codes.
std::vector<int> AtomsOf(const Shape& s, const CellCodes& codes) {
  std::vector<int> atoms{0};
  for (size_t d = 0; d < s.sizes.size(); ++d) {
    std::vector<int> next;
    for (int base : atoms) {
      for (int leaf = 0; leaf < s.sizes[d]; ++leaf) {
        if (codes[d] == kTotal || codes[d] == s.names[d] + std::to_string(leaf + 1)) {
          next.push_back(base * s.sizes[d] + leaf);
        }
      }
    }
    atoms = std::move(next);
  }
  return atoms;
}

struct Constraint {
  std::vector<int> unknown;  // positions in the unknown list
  int64_t rest = 0;          // value minus the pinned atoms
};

// Enumerates every non-negative integer assignment of the unknown atoms that
// meets every constraint, tracking each target's min and max. An unknown in
// no constraint is free: it is enumerated at 0 only (its targets' minimum)
// and makes its targets unbounded above.
class BruteForce {
 public:
  BruteForce(std::vector<Constraint> cs, int unknowns, std::vector<std::vector<int>> targets)
      : cs_(std::move(cs)), value_(static_cast<size_t>(unknowns), 0), targets_(std::move(targets)) {
    of_.resize(value_.size());
    for (size_t c = 0; c < cs_.size(); ++c) {
      for (int u : cs_[c].unknown) of_[static_cast<size_t>(u)].push_back(c);
    }
    partial_.assign(cs_.size(), 0);
    lo_.assign(targets_.size(), std::numeric_limits<int64_t>::max());
    hi_.assign(targets_.size(), std::numeric_limits<int64_t>::min());
  }

  // False when the node budget ran out.
  bool Run() { return Visit(0); }
  int64_t lo(size_t t) const { return lo_[t]; }
  int64_t hi(size_t t) const { return hi_[t]; }
  bool unbounded(size_t t) const {
    return std::any_of(targets_[t].begin(), targets_[t].end(),
                       [&](int u) { return of_[static_cast<size_t>(u)].empty(); });
  }

 private:
  bool Visit(size_t i) {
    if (++nodes_ > kNodeBudget) return false;
    if (i == value_.size()) {
      Record();
      return true;
    }
    if (of_[i].empty()) {  // free
      value_[i] = 0;
      return Visit(i + 1);
    }
    int64_t hi = std::numeric_limits<int64_t>::max();
    for (size_t c : of_[i]) hi = std::min(hi, cs_[c].rest - partial_[c]);
    if (hi < 0) return true;
    for (int64_t v = 0; v <= hi; ++v) {
      if (!Consistent(i, v)) continue;
      value_[i] = v;
      for (size_t c : of_[i]) partial_[c] += v;
      const bool ok = Visit(i + 1);
      for (size_t c : of_[i]) partial_[c] -= v;
      if (!ok) return false;
    }
    return true;
  }

  // A constraint whose last unknown is i must be met exactly.
  bool Consistent(size_t i, int64_t v) const {
    for (size_t c : of_[i]) {
      if (static_cast<size_t>(cs_[c].unknown.back()) == i && partial_[c] + v != cs_[c].rest) return false;
    }
    return true;
  }

  void Record() {
    for (size_t t = 0; t < targets_.size(); ++t) {
      int64_t sum = 0;
      for (int u : targets_[t]) sum += value_[static_cast<size_t>(u)];
      lo_[t] = std::min(lo_[t], sum);
      hi_[t] = std::max(hi_[t], sum);
    }
  }

  std::vector<Constraint> cs_;
  std::vector<int64_t> value_;
  std::vector<std::vector<int>> targets_;  // each over unknown positions (pinned part added by the caller)
  std::vector<std::vector<size_t>> of_;
  std::vector<int64_t> partial_;
  std::vector<int64_t> lo_, hi_;
  int64_t nodes_ = 0;
};

// The leaf codes of an atom (the inverse of AtomsOf's numbering).
std::vector<std::string> LeavesOf(const Shape& s, int atom) {
  std::vector<std::string> leaves(s.sizes.size());
  for (size_t d = s.sizes.size(); d-- > 0;) {
    leaves[d] = s.names[d] + std::to_string(atom % s.sizes[d] + 1);
    atom /= s.sizes[d];
  }
  return leaves;
}

ProtectionRequest RandomRequest(const Shape& s, std::mt19937& rng, std::vector<int64_t>& truth) {
  ProtectionRequest req{.tables = {Full("t", s.names)}};
  req.rules.min_count = kMinCount;
  int atoms = 1;
  for (size_t d = 0; d < s.sizes.size(); ++d) {
    req.dimensions.push_back(Flat(s.names[d], testing::Names(s.names[d], s.sizes[d])));
    atoms *= s.sizes[d];
  }
  std::uniform_int_distribution<int> kind(0, 9);
  truth.assign(static_cast<size_t>(atoms), 0);
  for (int a = 0; a < atoms; ++a) {
    const int k = kind(rng);
    truth[static_cast<size_t>(a)] = k == 0   ? 0
                                    : k <= 3 ? std::uniform_int_distribution<int>(1, 4)(rng)
                                             : std::uniform_int_distribution<int>(5, 14)(rng);
    req.data.counts.push_back({LeavesOf(s, a), truth[static_cast<size_t>(a)]});
  }
  return req;
}

struct Tally {
  int cases = 0;
  int skipped = 0;
  int checked_cells = 0;
  int refused = 0;
};

// Protects one random table and checks every suppressed cell by brute force.
void CheckOne(const Shape& s, std::mt19937& rng, bool integral_lp, Tally& tally) {
  std::vector<int64_t> truth;
  const ProtectionRequest req = RandomRequest(s, rng, truth);
  ASSERT_OK_AND_ASSIGN(ProtectionResult r, Protect(req));
  ++tally.cases;
  if (r.outcome != Outcome::kPass) {  // a refusal publishes nothing
    ++tally.refused;
    return;
  }
  std::vector<int> position(truth.size(), -1);  // atom -> unknown position, -1 when pinned
  int unknowns = 0;
  for (const CellRecord& c : r.cells) {
    const std::vector<int> atoms = AtomsOf(s, c.codes);
    if (atoms.size() == 1 && c.status == CellStatus::kSuppressed) position[static_cast<size_t>(atoms[0])] = unknowns++;
  }
  std::vector<Constraint> cs;
  std::vector<std::vector<int>> targets;
  std::vector<const CellRecord*> target_cells;
  std::vector<int64_t> pinned_part;
  for (const CellRecord& c : r.cells) {
    Constraint k;
    int64_t pinned = 0;
    for (int a : AtomsOf(s, c.codes)) {
      if (position[static_cast<size_t>(a)] < 0)
        pinned += truth[static_cast<size_t>(a)];
      else
        k.unknown.push_back(position[static_cast<size_t>(a)]);
    }
    std::sort(k.unknown.begin(), k.unknown.end());
    if (c.status == CellStatus::kPublished) {
      k.rest = static_cast<int64_t>(c.value) - pinned;
      if (!k.unknown.empty()) cs.push_back(std::move(k));
    } else {
      targets.push_back(k.unknown);
      target_cells.push_back(&c);
      pinned_part.push_back(pinned);
    }
  }
  BruteForce bf(std::move(cs), unknowns, targets);
  if (!bf.Run()) {
    ++tally.skipped;
    return;
  }
  for (size_t t = 0; t < targets.size(); ++t) {
    const CellRecord& c = *target_cells[t];
    const int64_t lo = bf.lo(t) + pinned_part[t];
    const int64_t hi = bf.unbounded(t) ? std::numeric_limits<int64_t>::max() : bf.hi(t) + pinned_part[t];
    ++tally.checked_cells;
    ASSERT_LE(lo, c.value) << c.key;
    ASSERT_GE(hi, c.value) << c.key;
    if (c.value >= 1 && c.value <= kMinCount - 1) {
      EXPECT_FALSE(lo >= 1 && hi <= kMinCount - 1) << "disclosed: " << c.key << " in [" << lo << ", " << hi << "]";
    }
    ASSERT_TRUE(c.interval.has_value()) << c.key;
    EXPECT_LE(c.interval->lo, static_cast<double>(lo)) << c.key;
    EXPECT_GE(c.interval->hi, static_cast<double>(hi)) << c.key;
    if (integral_lp) {
      EXPECT_EQ(c.interval->lo, static_cast<double>(lo)) << c.key;
      if (!std::isinf(c.interval->hi)) {
        EXPECT_EQ(c.interval->hi, static_cast<double>(hi)) << c.key;
      }
    }
  }
}

TEST(AirlockProtectPropertyTest, NoSuppressedSmallCellOfARandom2DTableIsPinned) {
  std::mt19937 rng(20240613);
  Tally tally;
  for (int i = 0; i < 40; ++i) {
    const Shape s{{"r", "c"}, {2 + i % 2, 3 + (i / 2) % 2}};
    CheckOne(s, rng, /*integral_lp=*/true, tally);
    if (HasFatalFailure()) return;
  }
  EXPECT_LE(tally.skipped * 10, tally.cases);
  EXPECT_LE(tally.refused * 10, tally.cases);
  EXPECT_GT(tally.checked_cells, 100);
}

TEST(AirlockProtectPropertyTest, NoSuppressedSmallCellOfARandom3DTableIsPinned) {
  std::mt19937 rng(1303);
  Tally tally;
  for (int i = 0; i < 20; ++i) {
    const Shape s{{"a", "b", "c"}, {2, 2, 2 + i % 2}};
    CheckOne(s, rng, /*integral_lp=*/false, tally);
    if (HasFatalFailure()) return;
  }
  EXPECT_LE(tally.skipped * 5, tally.cases);
  EXPECT_LE(tally.refused * 10, tally.cases);
  EXPECT_GT(tally.checked_cells, 50);
}

// The audit's shortcuts against the plain LP, on random suppression patterns
// (violations included): the audit drops dependent rows (lp_presolve.h) and,
// in AuditScope::kViolations, skips targets a witness shows safe. Reference:
// IntervalsFromPublished, which keeps every published row, solved per target
// (an insider target with its singleton's value published too). Every
// interval must be equal, and the violation-only scope must find the same
// violations, its skipped targets being safe under the reference.
struct ShortcutTally {
  int targets = 0;
  int skipped = 0;
  int violations = 0;
  int completed = 0;  // cells the fast scope left unsolved, solved by CompleteCellIntervals
};

Pattern RandomPattern(const TableModel& m, std::mt19937& rng) {
  const size_t n = m.quantities().size();
  Pattern p{.suppressed = std::vector<bool>(n, false), .primary = std::vector<bool>(n, false)};
  std::bernoulli_distribution extra(0.3);
  for (size_t q = 0; q < n; ++q) {
    const double v = m.quantities()[q].value;
    p.primary[q] = v >= 1 && v <= kMinCount - 1;
    p.suppressed[q] = p.primary[q] || extra(rng);
  }
  return p;
}

Interval Reference(const TableModel& m, const Pattern& p, const AuditTarget& t) {
  std::vector<PublishedGroup> published;
  for (size_t q = 0; q < m.quantities().size(); ++q) {
    if (!p.suppressed[q]) published.push_back({m.quantities()[q].atoms, m.quantities()[q].value});
  }
  if (t.insider >= 0) {
    const Quantity& s = m.quantities()[static_cast<size_t>(t.insider)];
    published.push_back({s.atoms, s.value});
  }
  const std::vector<std::vector<int32_t>> targets = {t.atoms};
  StatusOr<std::vector<Interval>> iv = IntervalsFromPublished(m.num_atoms(), published, targets, MeasureKind::kCount);
  EXPECT_TRUE(iv.ok()) << t.name;
  return iv.ok() ? (*iv)[0] : Interval{};
}

void CheckShortcuts(const Shape& s, std::mt19937& rng, ShortcutTally& tally) {
  std::vector<int64_t> truth;
  const ProtectionRequest req = RandomRequest(s, rng, truth);
  ASSERT_OK_AND_ASSIGN(TableModel m, TableModel::Create(req.dimensions, req.tables, {}, req.data));
  const Pattern p = RandomPattern(m, rng);
  ASSERT_OK_AND_ASSIGN(AuditReport full, AuditPattern(m, p, req.rules, CreateClpAttackerLp, AuditScope::kFull));
  ASSERT_OK_AND_ASSIGN(AuditReport fast, AuditPattern(m, p, req.rules, CreateClpAttackerLp, AuditScope::kViolations));
  ASSERT_EQ(full.targets.size(), fast.targets.size());
  // The fast report completed with its cells' intervals (a repair loop's last round).
  AuditReport completed = fast;
  ASSERT_OK(CompleteCellIntervals(m, p, req.rules, completed));
  ASSERT_EQ(completed.targets.size(), fast.targets.size());
  for (size_t i = 0; i < full.targets.size(); ++i) {
    const AuditTarget& f = full.targets[i];
    const AuditTarget& v = fast.targets[i];
    ++tally.targets;
    ASSERT_EQ(f.name, v.name);
    // The full scope solves every suppressed cell: the certificate publishes its interval.
    if (f.kind == TargetKind::kCell) {
      ASSERT_TRUE(f.solved) << f.name;
    }
    EXPECT_EQ(f.violation, v.violation) << f.name;
    const AuditTarget& c = completed.targets[i];
    EXPECT_EQ(c.violation, v.violation) << c.name;
    if (c.kind == TargetKind::kCell) {
      EXPECT_TRUE(c.solved) << c.name;
      EXPECT_EQ(c.interval, f.interval) << c.name;
      tally.completed += v.solved ? 0 : 1;
    } else {
      EXPECT_EQ(c.solved, v.solved) << c.name;
      EXPECT_EQ(c.interval, v.interval) << c.name;
    }
    tally.violations += f.violation ? 1 : 0;
    const Interval ref = Reference(m, p, f);
    for (const AuditTarget* t : {&f, &v}) {
      if (t->solved) {
        EXPECT_EQ(t->interval, ref) << t->name;
        continue;
      }
      ++tally.skipped;
      EXPECT_FALSE(t->violation) << t->name;
      if (t->requirement) {  // safe under the reference too
        EXPECT_FALSE(ref.lo >= 1 && ref.hi <= kMinCount - 1 && t->requirement->rule != kRuleZero) << t->name;
      }
    }
  }
}

TEST(AirlockProtectPropertyTest, AuditShortcutsGiveThePlainLpsAnswersOnRandomPatterns) {
  std::mt19937 rng(7);
  ShortcutTally tally;
  for (int i = 0; i < 30; ++i) {
    const Shape s = i % 2 == 0 ? Shape{{"r", "c"}, {3 + i % 3, 4}} : Shape{{"a", "b", "c"}, {2, 3, 2 + i % 2}};
    CheckShortcuts(s, rng, tally);
    if (HasFatalFailure()) return;
  }
  EXPECT_GT(tally.violations, 10);  // violated targets were compared
  EXPECT_GT(tally.skipped, 10);     // and the witnesses skipped some
  EXPECT_GT(tally.completed, 10);   // cells among them, completed
  EXPECT_GT(tally.targets, 500);
}

}  // namespace
}  // namespace hdhub::airlock
