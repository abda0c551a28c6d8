#include "hdhub/airlock/attacker_audit.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "hdhub/airlock/test_tables.h"
#include "hdhub/common/status_matchers.h"

namespace hdhub::airlock {
namespace {

using ::hdhub::testing::StatusIs;
using testing::Flat;
using testing::Full;
using ::testing::HasSubstr;
using testing::QuantityByKey;

constexpr double kInf = std::numeric_limits<double>::infinity();

// A pattern over `model` from the keys of its suppressed and primary cells.
Pattern Make(const TableModel& model, const std::vector<std::string>& suppressed,
             const std::vector<std::string>& primaries) {
  Pattern p{.suppressed = std::vector<bool>(model.quantities().size(), false),
            .primary = std::vector<bool>(model.quantities().size(), false)};
  for (const std::string& k : suppressed) p.suppressed.at(static_cast<size_t>(QuantityByKey(model, k))) = true;
  for (const std::string& k : primaries) p.primary.at(static_cast<size_t>(QuantityByKey(model, k))) = true;
  return p;
}

const AuditTarget* Find(const AuditReport& r, TargetKind kind, const std::string& name) {
  for (const AuditTarget& t : r.targets) {
    if (t.kind == kind && t.name == name) return &t;
  }
  return nullptr;
}

// The first target over exactly `atoms`, whatever its kind.
const AuditTarget* WithAtoms(const AuditReport& r, const std::vector<int32_t>& atoms) {
  for (const AuditTarget& t : r.targets) {
    if (t.atoms == atoms) return &t;
  }
  return nullptr;
}

Interval Of(const AuditReport& r, const std::string& cell) {
  const AuditTarget* t = Find(r, TargetKind::kCell, cell);
  return t == nullptr ? Interval{-1, -1} : t->interval;
}

// A 1-D count table over a, b, c with its total.
StatusOr<TableModel> OneD(int64_t a, int64_t b, int64_t c) {
  return TableModel::Create({Flat("x", {"a", "b", "c"})}, {Full("t", {"x"})}, {},
                            testing::Counts({{{"a"}, a}, {{"b"}, b}, {{"c"}, c}}));
}

// The τ-ARGUS manual's audit example (airlock research §5.3, case 1): the
// 2x2 block X11..X22 suppressed, row III and every margin published.
TEST(AirlockAttackerAuditTest, ReproducesTheTauArgusManualIntervals) {
  ASSERT_OK_AND_ASSIGN(TableModel m, testing::TauArgusExample());
  const std::vector<std::string> block = {"{col=A, row=I}", "{col=B, row=I}", "{col=A, row=II}", "{col=B, row=II}"};
  ASSERT_OK_AND_ASSIGN(AuditReport r, AuditPattern(m, Make(m, block, {}), DisclosureRules{}));
  EXPECT_EQ(Of(r, block[0]), (Interval{3, 6}));
  EXPECT_EQ(Of(r, block[1]), (Interval{1, 4}));
  EXPECT_EQ(Of(r, block[2]), (Interval{0, 3}));
  EXPECT_EQ(Of(r, block[3]), (Interval{0, 3}));
  EXPECT_EQ(r.solver_name, "COIN-OR Clp");
  EXPECT_FALSE(r.solver_version.empty());
}

TEST(AirlockAttackerAuditTest, ASmallCellWhoseMarginGivesItBackIsAViolation) {
  ASSERT_OK_AND_ASSIGN(TableModel m, OneD(4, 30, 40));
  ASSERT_OK_AND_ASSIGN(AuditReport alone, AuditPattern(m, Make(m, {"{x=a}"}, {"{x=a}"}), DisclosureRules{}));
  EXPECT_EQ(Of(alone, "{x=a}"), (Interval{4, 4}));
  ASSERT_EQ(alone.Violations().size(), 1u);
  EXPECT_EQ(alone.Violations()[0]->requirement->rule, kRuleMinCount);
  ASSERT_OK_AND_ASSIGN(AuditReport with_b, AuditPattern(m, Make(m, {"{x=a}", "{x=b}"}, {"{x=a}"}), DisclosureRules{}));
  EXPECT_EQ(Of(with_b, "{x=a}"), (Interval{0, 34}));
  EXPECT_TRUE(with_b.Violations().empty());
}

TEST(AirlockAttackerAuditTest, TheUnionOfPrimariesInARelationMustNotBeSmall) {
  // a = 4, b = 6 both suppressed; total - c gives a + b = 10, a small group.
  ASSERT_OK_AND_ASSIGN(TableModel m, OneD(4, 6, 40));
  ASSERT_OK_AND_ASSIGN(AuditReport r,
                       AuditPattern(m, Make(m, {"{x=a}", "{x=b}"}, {"{x=a}", "{x=b}"}), DisclosureRules{}));
  EXPECT_EQ(Of(r, "{x=a}"), (Interval{0, 10}));
  // Found as total minus c (a difference) before the union of the primaries.
  const AuditTarget* u = WithAtoms(r, {0, 1});
  ASSERT_NE(u, nullptr);
  EXPECT_EQ(u->interval, (Interval{10, 10}));
  EXPECT_TRUE(u->violation);
  // With b = 7 the pair holds 11 people: not a small group.
  ASSERT_OK_AND_ASSIGN(TableModel m11, OneD(4, 7, 40));
  ASSERT_OK_AND_ASSIGN(AuditReport r11,
                       AuditPattern(m11, Make(m11, {"{x=a}", "{x=b}"}, {"{x=a}", "{x=b}"}), DisclosureRules{}));
  EXPECT_TRUE(r11.Violations().empty());
}

TEST(AirlockAttackerAuditTest, ASuppressedZeroWithZerosDisclosiveIsViolatedOnlyWhenPinnedAtZero) {
  const DisclosureRules zeros{.zeros = Outcome::kSuppress};
  ASSERT_OK_AND_ASSIGN(TableModel m, OneD(0, 0, 20));
  ASSERT_OK_AND_ASSIGN(AuditReport pinned, AuditPattern(m, Make(m, {"{x=a}", "{x=b}"}, {"{x=a}", "{x=b}"}), zeros));
  EXPECT_EQ(Of(pinned, "{x=a}"), (Interval{0, 0}));
  EXPECT_EQ(pinned.Violations().size(), 2u);
  ASSERT_OK_AND_ASSIGN(AuditReport open, AuditPattern(m, Make(m, {"{x=a}", "{x=c}"}, {"{x=a}"}), zeros));
  EXPECT_EQ(Of(open, "{x=a}"), (Interval{0, 20}));
  EXPECT_TRUE(open.Violations().empty());
  // Under the default (zeros reviewed, not suppressed) a pinned zero is no violation.
  ASSERT_OK_AND_ASSIGN(AuditReport review,
                       AuditPattern(m, Make(m, {"{x=a}", "{x=b}"}, {"{x=a}", "{x=b}"}), DisclosureRules{}));
  EXPECT_TRUE(review.Violations().empty());
}

TEST(AirlockAttackerAuditTest, TheInsiderOfASingletonIsAudited) {
  // a = 1 (one person, who knows it), b = 10: a + b = 11 is public, so a's
  // insider learns b exactly.
  ASSERT_OK_AND_ASSIGN(TableModel m, OneD(1, 10, 40));
  ASSERT_OK_AND_ASSIGN(AuditReport r,
                       AuditPattern(m, Make(m, {"{x=a}", "{x=b}"}, {"{x=a}", "{x=b}"}), DisclosureRules{}));
  EXPECT_EQ(Of(r, "{x=b}"), (Interval{0, 11}));
  const AuditTarget* insider = Find(r, TargetKind::kInsider, "{x=b} given {x=a}");
  ASSERT_NE(insider, nullptr);
  EXPECT_EQ(insider->interval, (Interval{10, 10}));
  EXPECT_TRUE(insider->violation);
}

// A 2 x 2 count grid (rows r1, r2; columns c1, c2) with its margins.
StatusOr<TableModel> TwoByTwo(const std::vector<std::vector<int64_t>>& grid) {
  return TableModel::Create({Flat("row", {"r1", "r2"}), Flat("col", {"c1", "c2"})}, {Full("t", {"row", "col"})}, {},
                            testing::Grid(grid));
}

TEST(AirlockAttackerAuditTest, TheInsiderIsAuditedOnThePeopleOutsideTheSingleton) {
  // r1 = (1, 0): the singleton (r1, c1) and its row total hold the same one
  // person, the published zero (r1, c2) says so. Knowing either, its insider
  // learns that the other holds only himself: nobody else, no small group.
  const std::vector<std::string> rows = {"{col=c1, row=r1}", "{col=Total, row=r1}", "{col=c1, row=r2}",
                                         "{col=Total, row=r2}"};
  ASSERT_OK_AND_ASSIGN(TableModel alone, TwoByTwo({{1, 0}, {20, 20}}));
  ASSERT_OK_AND_ASSIGN(AuditReport r, AuditPattern(alone, Make(alone, rows, {rows[0], rows[1]}), DisclosureRules{}));
  EXPECT_EQ(Of(r, rows[0]), (Interval{0, 21}));
  EXPECT_TRUE(r.Violations().empty());
  EXPECT_EQ(Find(r, TargetKind::kInsider, rows[1] + " given " + rows[0]), nullptr);
  EXPECT_EQ(Find(r, TargetKind::kInsider, rows[0] + " given " + rows[1]), nullptr);
  // r1 = (1, 3): the row total's target given (r1, c1) is the 3 others.
  ASSERT_OK_AND_ASSIGN(TableModel three, TwoByTwo({{1, 3}, {20, 20}}));
  const std::vector<std::string> both = {"{col=c1, row=r1}", "{col=c2, row=r1}", "{col=Total, row=r1}",
                                         "{col=c1, row=r2}", "{col=c2, row=r2}", "{col=Total, row=r2}"};
  ASSERT_OK_AND_ASSIGN(AuditReport r3,
                       AuditPattern(three, Make(three, both, {both[0], both[1], both[2]}), DisclosureRules{}));
  const AuditTarget* others = Find(r3, TargetKind::kInsider, both[2] + " given " + both[0]);
  ASSERT_NE(others, nullptr);
  EXPECT_EQ(others->atoms, three.quantities()[static_cast<size_t>(QuantityByKey(three, both[1]))].atoms);
  EXPECT_EQ(others->true_value, 3);
  ASSERT_TRUE(others->requirement.has_value());
  EXPECT_EQ(others->requirement->rule, kRuleMinCount);
  EXPECT_FALSE(others->violation);  // (r1, c2) + (r2, c2) = 23: anything from 0 to 23
}

TEST(AirlockAttackerAuditTest, AnInsiderWhoProvesASmallGroupOfOthersIsAViolationEvenWhenTheCellReachesT) {
  // Minimum count 5; a 3 x 4 table found by a random search (the property
  // test's generator) where no target is violated without insider knowledge.
  // Column b2 holds 4 people: the singleton (a1, b2), 0 in (a2, b2), 3 in
  // (a3, b2). Knowing (a1, b2), its insider proves 3 or 4 others in b2: a
  // small group. b2 whole, [4, 5] given (a1, b2), reaches T only with him.
  const DisclosureRules rules{.min_count = 5};
  const std::vector<std::vector<int64_t>> grid = {{11, 1, 11, 0}, {10, 0, 5, 1}, {7, 3, 8, 0}};
  MeasureData data{.kind = MeasureKind::kCount};
  for (size_t a = 0; a < grid.size(); ++a) {
    for (size_t b = 0; b < grid[a].size(); ++b) {
      data.counts.push_back({{"a" + std::to_string(a + 1), "b" + std::to_string(b + 1)}, grid[a][b]});
    }
  }
  ASSERT_OK_AND_ASSIGN(TableModel m,
                       TableModel::Create({Flat("a", {"a1", "a2", "a3"}), Flat("b", {"b1", "b2", "b3", "b4"})},
                                          {Full("t", {"a", "b"})}, {}, data));
  const std::vector<std::string> primaries = {"{a=Total, b=b2}", "{a=Total, b=b4}", "{a=a1, b=b2}", "{a=a2, b=b4}",
                                              "{a=a3, b=b2}"};
  std::vector<std::string> suppressed = {"{a=Total, b=b1}", "{a=a1, b=Total}", "{a=a2, b=b2}", "{a=a3, b=Total}"};
  suppressed.insert(suppressed.end(), primaries.begin(), primaries.end());
  ASSERT_OK_AND_ASSIGN(AuditReport r, AuditPattern(m, Make(m, suppressed, primaries), rules));
  for (const AuditTarget* v : r.Violations()) EXPECT_EQ(v->kind, TargetKind::kInsider) << v->name;
  const AuditTarget* others = Find(r, TargetKind::kInsider, "{a=Total, b=b2} given {a=a1, b=b2}");
  ASSERT_NE(others, nullptr);
  EXPECT_EQ(others->true_value, 3);
  EXPECT_EQ(others->interval, (Interval{3, 4}));
  EXPECT_TRUE(others->violation);
}

TEST(AirlockAttackerAuditTest, AnAtomOrADifferenceOfPublishedCellsIsATarget) {
  // "old" published (100), then "all" (101): the newcomer is pinned at 1.
  Dimension cohort{.name = "cohort", .codes = {{"all", ""}, {"old", "all"}, {"new", "all"}}};
  TableSpec both{.id = "t", .dimensions = {{"cohort", {"old", "all"}}}};
  ASSERT_OK_AND_ASSIGN(TableModel m,
                       TableModel::Create({cohort}, {both}, {}, testing::Counts({{{"old"}, 100}, {{"new"}, 1}})));
  ASSERT_OK_AND_ASSIGN(AuditReport r, AuditPattern(m, Make(m, {}, {}), DisclosureRules{}));
  const AuditTarget* atom = Find(r, TargetKind::kAtom, "{cohort=new}");
  ASSERT_NE(atom, nullptr);
  EXPECT_EQ(atom->interval, (Interval{1, 1}));
  EXPECT_TRUE(atom->violation);
}

TEST(AirlockAttackerAuditTest, MagnitudeProtectionLevelsFollowThePAndNkRules) {
  // x1 = 100, x2 = 5, nine of 1: T = 114. NK(2, 90): 105 > 102.6, level
  // 100/90 * 105 - 114 = 2.67. p 10 %: 9 < 10, level 10 - 9 = 1.
  GroupData g{.value = 114, .contributors = 11, .contributions = {100, 5, 1, 1, 1, 1, 1, 1, 1, 1, 1}};
  auto req = RequirementFor(g, MeasureKind::kMagnitude, DisclosureRules{}, false);
  ASSERT_TRUE(req.has_value());
  EXPECT_EQ(req->rule, kRuleDominanceNk);
  EXPECT_NEAR(req->protection, 100.0 / 90 * 105 - 114, 1e-9);
  GroupData spread{.value = 110, .contributors = 11, .contributions = std::vector<double>(11, 10.0)};
  EXPECT_FALSE(RequirementFor(spread, MeasureKind::kMagnitude, DisclosureRules{}, false).has_value());
}

// A magnitude table: a dominated cell a, a cell b of 11 equal contributions.
StatusOr<TableModel> Dominated(double b_each) {
  MeasureData data{.kind = MeasureKind::kMagnitude};
  const std::vector<double> a = {100, 5, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  for (size_t i = 0; i < a.size(); ++i) data.contributions.push_back({{"a"}, i, a[i]});
  for (uint64_t i = 0; i < 11; ++i) data.contributions.push_back({{"b"}, 100 + i, b_each});
  for (uint64_t i = 0; i < 11; ++i) data.contributions.push_back({{"c"}, 200 + i, 50.0});
  return TableModel::Create({Flat("x", {"a", "b", "c"})}, {Full("t", {"x"})}, {}, data);
}

TEST(AirlockAttackerAuditTest, AMagnitudeCellNeedsItsProtectionLevelOnBothSides) {
  ASSERT_OK_AND_ASSIGN(TableModel wide, Dominated(5.0));  // b = 55: a in [0, 169]
  ASSERT_OK_AND_ASSIGN(AuditReport ok, AuditPattern(wide, Make(wide, {"{x=a}", "{x=b}"}, {"{x=a}"}), {}));
  EXPECT_TRUE(ok.Violations().empty());
  ASSERT_OK_AND_ASSIGN(TableModel narrow, Dominated(0.1));  // b = 1.1: a in [0, 115.1], short of 116.67
  ASSERT_OK_AND_ASSIGN(AuditReport bad, AuditPattern(narrow, Make(narrow, {"{x=a}", "{x=b}"}, {"{x=a}"}), {}));
  ASSERT_EQ(bad.Violations().size(), 1u);
  EXPECT_EQ(bad.Violations()[0]->name, "{x=a}");
  EXPECT_NEAR(bad.Violations()[0]->interval.hi, 115.1, 1e-6);
}

TEST(AirlockAttackerAuditTest, TheSelfCheckTurnsAWrongIntervalIntoAnError) {
  ASSERT_OK_AND_ASSIGN(TableModel m, OneD(4, 30, 40));
  AttackerLpFactory lying = testing::CreatePinnedAtMaxLp;
  // a (4) is in [0, 34]: the liar says [34, 34], which does not hold it.
  EXPECT_THAT(AuditPattern(m, Make(m, {"{x=a}", "{x=b}"}, {"{x=a}"}), DisclosureRules{}, lying),
              StatusIs(StatusCode::kInternal, HasSubstr("self-check failed for cell target {x=a}")));
}

TEST(AirlockAttackerAuditTest, ASolverFaultIsAnErrorNeverAPass) {
  ASSERT_OK_AND_ASSIGN(TableModel m, OneD(4, 30, 40));
  AttackerLpFactory broken = [](const LpProblem&) -> StatusOr<std::unique_ptr<AttackerLp>> {
    return InternalError("no solver");
  };
  EXPECT_THAT(AuditPattern(m, Make(m, {"{x=a}"}, {"{x=a}"}), DisclosureRules{}, broken),
              StatusIs(StatusCode::kInternal));
}

TEST(AirlockAttackerAuditTest, RejectsAPatternThatDoesNotFitTheModel) {
  ASSERT_OK_AND_ASSIGN(TableModel m, OneD(4, 30, 40));
  Pattern p = Make(m, {}, {});
  p.primary[0] = true;  // a primary that is published
  EXPECT_THAT(AuditPattern(m, p, DisclosureRules{}), StatusIs(StatusCode::kInvalidArgument));
  p.primary.pop_back();
  EXPECT_THAT(AuditPattern(m, p, DisclosureRules{}), StatusIs(StatusCode::kInvalidArgument));
}

TEST(AirlockAttackerAuditTest, CompletingAViolationsReportSolvesItsCellsOnly) {
  ASSERT_OK_AND_ASSIGN(TableModel m, testing::TauArgusExample());
  const std::vector<std::string> block = {"{col=A, row=I}", "{col=B, row=I}", "{col=A, row=II}", "{col=B, row=II}"};
  const Pattern p = Make(m, block, {});
  ASSERT_OK_AND_ASSIGN(AuditReport r,
                       AuditPattern(m, p, DisclosureRules{}, CreateClpAttackerLp, AuditScope::kViolations));
  ASSERT_OK(CompleteCellIntervals(m, p, DisclosureRules{}, r));
  EXPECT_EQ(Of(r, block[0]), (Interval{3, 6}));
  EXPECT_EQ(Of(r, block[1]), (Interval{1, 4}));
  EXPECT_EQ(Of(r, block[2]), (Interval{0, 3}));
  EXPECT_EQ(Of(r, block[3]), (Interval{0, 3}));
  for (const AuditTarget& t : r.targets) {
    if (t.kind == TargetKind::kCell) {
      EXPECT_TRUE(t.solved) << t.name;
    }
  }
  // A report of another pattern is refused, and left as it was.
  const Pattern other = Make(m, {block[0], block[1]}, {});
  const AuditReport before = r;
  EXPECT_THAT(CompleteCellIntervals(m, other, DisclosureRules{}, r),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("not an audit of this pattern")));
  EXPECT_EQ(r.targets.size(), before.targets.size());
}

TEST(AirlockAttackerAuditTest, NegativeContributionsGoToTheCheckers) {
  MeasureData data{.kind = MeasureKind::kMagnitude, .contributions = {{{"a"}, 1, -5.0}, {{"b"}, 2, 7.0}}};
  ASSERT_OK_AND_ASSIGN(TableModel m, TableModel::Create({Flat("x", {"a", "b"})}, {Full("t", {"x"})}, {}, data));
  EXPECT_THAT(AuditPattern(m, Make(m, {}, {}), DisclosureRules{}), StatusIs(StatusCode::kFailedPrecondition));
}

}  // namespace
}  // namespace hdhub::airlock
