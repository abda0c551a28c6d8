#include "hdhub/airlock/protection.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <span>
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
using ::testing::IsEmpty;
using testing::Names;
using ::testing::Not;
using testing::Suppressed;

const CellRecord& Cell(const ProtectionResult& r, const std::string& table, const CellCodes& codes) {
  const CellRecord* c = testing::FindCell(r, table, codes);
  EXPECT_NE(c, nullptr) << table;
  static const CellRecord kMissing;
  return c == nullptr ? kMissing : *c;
}

int CountSuppressed(const ProtectionResult& r) {
  return static_cast<int>(std::count_if(r.cells.begin(), r.cells.end(),
                                        [](const CellRecord& c) { return c.status == CellStatus::kSuppressed; }));
}

// A 1-D count table x over a, b, c with its total.
ProtectionRequest OneD(int64_t a, int64_t b, int64_t c) {
  return ProtectionRequest{.dimensions = {Flat("x", {"a", "b", "c"})},
                           .tables = {Full("t", {"x"})},
                           .data = testing::Counts({{{"a"}, a}, {{"b"}, b}, {{"c"}, c}})};
}

TEST(AirlockProtectTest, AMarginThatWouldGiveBackASmallCellCostsASecondary) {
  ASSERT_OK_AND_ASSIGN(ProtectionResult r, Protect(OneD(4, 30, 40)));
  EXPECT_EQ(r.outcome, Outcome::kPass);
  const CellRecord& a = Cell(r, "t", {"a"});
  EXPECT_EQ(a.status, CellStatus::kSuppressed);
  EXPECT_EQ(a.reason, CellReason::kPrimary);
  EXPECT_EQ(a.rule, kRuleMinCount);
  EXPECT_EQ(a.interval, (Interval{0, 34}));
  EXPECT_EQ(Cell(r, "t", {"b"}).reason, CellReason::kSecondary);  // the smaller of b and c
  EXPECT_EQ(Cell(r, "t", {"c"}).status, CellStatus::kPublished);
  EXPECT_EQ(Cell(r, "t", {"Total"}).status, CellStatus::kPublished);
  EXPECT_EQ(r.solver_name, "COIN-OR Clp");
}

// ACRO's case (airlock research §5.3, case 3): a table whose small cell was
// withheld, after an earlier release gave the true row totals.
TEST(AirlockProtectTest, ASmallCellStaysProtectedWhenAnEarlierReleaseGaveItsRowTotal) {
  const std::vector<std::vector<int64_t>> grid = {{4, 20, 30}, {25, 30, 35}, {40, 22, 28}};
  ProtectionRequest req{.dimensions = {Flat("row", Names("r", 3)), Flat("col", Names("c", 3))},
                        .tables = {Full("cross", {"row", "col"})},
                        .data = testing::Grid(grid)};
  req.history.tables.push_back({.release_id = "r1",
                                .table = Full("rows", {"row"}),
                                .cells = {{{"Total"}, 234.0}, {{"r1"}, 54.0}, {{"r2"}, 90.0}, {{"r3"}, 90.0}}});
  ASSERT_OK_AND_ASSIGN(ProtectionResult r, Protect(req));
  EXPECT_EQ(r.outcome, Outcome::kPass);
  const CellRecord& small = Cell(r, "cross", {"r1", "c1"});
  ASSERT_TRUE(small.interval.has_value());
  EXPECT_FALSE(small.interval->lo >= 1 && small.interval->hi <= 10);
  EXPECT_EQ(Cell(r, "cross", {"r1", "Total"}).reason, CellReason::kForced);
  // Another cell of its row and of its column are withheld.
  EXPECT_TRUE(Suppressed(r, "cross", {"r1", "c2"}) || Suppressed(r, "cross", {"r1", "c3"}));
  EXPECT_TRUE(Suppressed(r, "cross", {"r2", "c1"}) || Suppressed(r, "cross", {"r3", "c1"}));
}

// A cohort of N published earlier, N + 1 now: the newcomer is the difference.
ProtectionRequest NThenNPlusOne() {
  Dimension cohort{.name = "cohort", .codes = {{"v2", ""}, {"v1", "v2"}, {"added", "v2"}}};
  ProtectionRequest req{.dimensions = {cohort},
                        .tables = {TableSpec{.id = "now", .dimensions = {{"cohort", {"v2"}}}}},
                        .data = testing::Counts({{{"v1"}, 100}, {{"added"}, 1}})};
  req.history.tables.push_back({.release_id = "r1",
                                .table = TableSpec{.id = "then", .dimensions = {{"cohort", {"v1"}}}},
                                .cells = {{{"v1"}, 100.0}}});
  return req;
}

TEST(AirlockProtectTest, TwoReleasesDifferingByOnePersonAreBlocked) {
  ASSERT_OK_AND_ASSIGN(ProtectionResult r, Protect(NThenNPlusOne()));
  EXPECT_EQ(r.outcome, Outcome::kPass);
  const CellRecord& now = Cell(r, "now", {"v2"});
  EXPECT_EQ(now.status, CellStatus::kSuppressed);
  EXPECT_EQ(now.reason, CellReason::kRepair);  // no primary rule objects to 101: the audit does
  EXPECT_EQ(r.repair_rounds, 1);
  for (const AuditTarget& t : r.targets) EXPECT_FALSE(t.violation) << t.name;
}

TEST(AirlockProtectTest, WithoutRepairRoundsTheDifferenceIsRefusedWithItsReason) {
  ASSERT_OK_AND_ASSIGN(ProtectionResult r, Protect(NThenNPlusOne(), ProtectionOptions{.max_repair_rounds = 0}));
  EXPECT_EQ(r.outcome, Outcome::kRefuse);
  ASSERT_EQ(r.refusals.size(), 1u);
  EXPECT_EQ(r.refusals[0].target, "atom {cohort=added}");
  EXPECT_EQ(r.refusals[0].rule, kRuleMinCount);
  EXPECT_EQ(r.refusals[0].interval, (Interval{1, 1}));
  EXPECT_THAT(r.refusals[0].reason, HasSubstr("too narrow"));
  EXPECT_THAT(r.refusals[0].reason, Not(HasSubstr("1")));  // names no value
}

// age x sex now, with the totals per sex but none per age band; the age-only
// table (the totals per age band) released earlier, or not.
ProtectionRequest TableAfterItsSubtable(bool subtable_released_earlier) {
  ProtectionRequest req{.dimensions = {Flat("age", Names("a", 3)), Flat("sex", {"F", "M"})},
                        .tables = {TableSpec{.id = "cross", .dimensions = {{"age", {}}, {"sex", {"F", "M"}}}}},
                        .data = testing::Counts({{{"a1", "F"}, 3},
                                                 {{"a1", "M"}, 40},
                                                 {{"a2", "F"}, 25},
                                                 {{"a2", "M"}, 30},
                                                 {{"a3", "F"}, 20},
                                                 {{"a3", "M"}, 22}})};
  if (subtable_released_earlier) {
    req.history.tables.push_back({.release_id = "r1",
                                  .table = Full("by_age", {"age"}),
                                  .cells = {{{"Total"}, 140.0}, {{"a1"}, 43.0}, {{"a2"}, 55.0}, {{"a3"}, 42.0}}});
  }
  return req;
}

TEST(AirlockProtectTest, ATableAndItsEarlierSubtableAreProtectedTogether) {
  // Alone, a1/F is protected inside its column: a1/M may be published.
  ASSERT_OK_AND_ASSIGN(ProtectionResult alone, Protect(TableAfterItsSubtable(false)));
  EXPECT_EQ(alone.outcome, Outcome::kPass);
  EXPECT_FALSE(Suppressed(alone, "cross", {"a1", "M"}));
  // With a1's total public since r1, a1/M would give a1/F back.
  ASSERT_OK_AND_ASSIGN(ProtectionResult r, Protect(TableAfterItsSubtable(true)));
  EXPECT_EQ(r.outcome, Outcome::kPass);
  EXPECT_EQ(Cell(r, "cross", {"a1", "F"}).reason, CellReason::kPrimary);
  EXPECT_EQ(Cell(r, "cross", {"a1", "M"}).status, CellStatus::kSuppressed);
  EXPECT_EQ(testing::FindCell(r, "by_age", {"a1"}), nullptr);  // records cover the request only
}

TEST(AirlockProtectTest, LinkedTablesInOneRequestShareOnePattern) {
  ProtectionRequest req = TableAfterItsSubtable(false);
  req.tables = {Full("cross", {"age", "sex"}), Full("by_age", {"age"})};
  ASSERT_OK_AND_ASSIGN(ProtectionResult r, Protect(req));
  EXPECT_EQ(r.outcome, Outcome::kPass);
  for (const char* age : {"Total", "a1", "a2", "a3"}) {
    EXPECT_EQ(Cell(r, "by_age", {age}).status, Cell(r, "cross", {age, "Total"}).status) << age;
  }
}

// France -> regions R1 (d1, d2) and R2 (d3, d4); d1 holds 4 people.
ProtectionRequest Departments(bool regions_released_earlier) {
  Dimension geo{
      .name = "geo",
      .codes = {{"FR", ""}, {"R1", "FR"}, {"R2", "FR"}, {"d1", "R1"}, {"d2", "R1"}, {"d3", "R2"}, {"d4", "R2"}}};
  ProtectionRequest req{.dimensions = {geo},
                        .tables = {TableSpec{.id = "depts", .dimensions = {{"geo", {"FR", "d1", "d2", "d3", "d4"}}}}},
                        .data = testing::Counts({{{"d1"}, 4}, {{"d2"}, 30}, {{"d3"}, 25}, {{"d4"}, 35}})};
  if (regions_released_earlier) {
    req.history.tables.push_back({.release_id = "r1",
                                  .table = TableSpec{.id = "regions", .dimensions = {{"geo", {"R1", "R2"}}}},
                                  .cells = {{{"R1"}, 34.0}, {{"R2"}, 60.0}}});
  }
  return req;
}

TEST(AirlockProtectTest, ACellRecoverableThroughItsRegionIsProtectedInsideTheRegion) {
  ASSERT_OK_AND_ASSIGN(ProtectionResult alone, Protect(Departments(false)));
  EXPECT_EQ(alone.outcome, Outcome::kPass);
  EXPECT_TRUE(Suppressed(alone, "depts", {"d3"}));  // the smallest candidate will do
  EXPECT_FALSE(Suppressed(alone, "depts", {"d2"}));
  // With R1 public, d1 = R1 - d2: the secondary must be d2.
  ASSERT_OK_AND_ASSIGN(ProtectionResult r, Protect(Departments(true)));
  EXPECT_EQ(r.outcome, Outcome::kPass);
  EXPECT_TRUE(Suppressed(r, "depts", {"d2"}));
  EXPECT_FALSE(Suppressed(r, "depts", {"d3"}));
  EXPECT_EQ(Cell(r, "depts", {"d1"}).interval, (Interval{0, 34}));
}

TEST(AirlockProtectTest, DisclosiveZerosAreProtectedOnlyByNonZeroCells) {
  ProtectionRequest req = OneD(0, 0, 50);
  req.rules.zeros = Outcome::kSuppress;
  ASSERT_OK_AND_ASSIGN(ProtectionResult r, Protect(req));
  EXPECT_EQ(r.outcome, Outcome::kPass);
  EXPECT_EQ(Cell(r, "t", {"a"}).rule, kRuleZero);
  EXPECT_EQ(Cell(r, "t", {"c"}).reason, CellReason::kSecondary);
  EXPECT_EQ(Cell(r, "t", {"a"}).interval, (Interval{0, 50}));
  // By default zeros go to the checkers: published, marked for review.
  ASSERT_OK_AND_ASSIGN(ProtectionResult review, Protect(OneD(0, 0, 50)));
  EXPECT_EQ(CountSuppressed(review), 0);
  EXPECT_EQ(Cell(review, "t", {"a"}).reason, CellReason::kReview);
}

TEST(AirlockProtectTest, ASingletonCannotBeTheOnlyProtectionOfAnotherSmallCell) {
  // a = 1 and b = 10 are primaries; their sum (11) is no small group, but a's
  // one person would learn b from it.
  ASSERT_OK_AND_ASSIGN(ProtectionResult r, Protect(OneD(1, 10, 40)));
  EXPECT_EQ(r.outcome, Outcome::kPass);
  EXPECT_EQ(Cell(r, "t", {"c"}).reason, CellReason::kSecondary);
  EXPECT_EQ(Cell(r, "t", {"b"}).interval, (Interval{0, 51}));
}

TEST(AirlockProtectTest, AMagnitudeCellGetsItsProtectionLevelThroughRepair) {
  MeasureData data{.kind = MeasureKind::kMagnitude};
  const std::vector<double> a = {100, 5, 1, 1, 1, 1, 1, 1, 1, 1, 1};  // dominated: needs 116.67 reachable
  for (size_t i = 0; i < a.size(); ++i) data.contributions.push_back({{"a"}, i, a[i]});
  for (uint64_t i = 0; i < 11; ++i) data.contributions.push_back({{"b"}, 100 + i, 0.1});
  for (uint64_t i = 0; i < 11; ++i) data.contributions.push_back({{"c"}, 200 + i, 50.0});
  ProtectionRequest req{.dimensions = {Flat("x", {"a", "b", "c"})}, .tables = {Full("t", {"x"})}, .data = data};
  ASSERT_OK_AND_ASSIGN(ProtectionResult r, Protect(req));
  EXPECT_EQ(r.outcome, Outcome::kPass);
  EXPECT_EQ(Cell(r, "t", {"a"}).rule, kRuleDominanceNk);
  EXPECT_EQ(Cell(r, "t", {"c"}).reason, CellReason::kRepair);  // b alone leaves a within 115.1
  EXPECT_GE(Cell(r, "t", {"a"}).interval->hi, 114 + 100.0 / 90 * 105 - 114);
}

TEST(AirlockProtectTest, APrimaryTheHistoryAlreadyDisclosesIsRefused) {
  ProtectionRequest req = OneD(4, 30, 40);
  req.history.tables.push_back({.release_id = "r1",
                                .table = Full("t", {"x"}),
                                .cells = {{{"Total"}, 74.0}, {{"a"}, std::nullopt}, {{"b"}, 30.0}, {{"c"}, 40.0}}});
  ASSERT_OK_AND_ASSIGN(ProtectionResult r, Protect(req));
  EXPECT_EQ(r.outcome, Outcome::kRefuse);
  ASSERT_FALSE(r.refusals.empty());
  EXPECT_EQ(r.refusals[0].target, "cell {x=a}");
  EXPECT_THAT(r.refusals[0].reason, HasSubstr("release history already discloses"));
  EXPECT_EQ(Cell(r, "t", {"a"}).reason, CellReason::kLedger);
}

TEST(AirlockProtectTest, CellsSuppressedEarlierStaySuppressedAndPublishedOnesStayPublished) {
  ProtectionRequest req = OneD(4, 30, 40);
  req.history.tables.push_back(
      {.release_id = "r1",
       .table = Full("t", {"x"}),
       .cells = {{{"Total"}, 74.0}, {{"a"}, std::nullopt}, {{"b"}, std::nullopt}, {{"c"}, 40.0}}});
  ASSERT_OK_AND_ASSIGN(ProtectionResult r, Protect(req));
  EXPECT_EQ(r.outcome, Outcome::kPass);
  EXPECT_EQ(Cell(r, "t", {"b"}).reason, CellReason::kLedger);  // 30 passes the rules, but was withheld
  EXPECT_EQ(Cell(r, "t", {"a"}).reason, CellReason::kLedger);
  EXPECT_EQ(Cell(r, "t", {"c"}).reason, CellReason::kForced);
  EXPECT_EQ(Cell(r, "t", {"Total"}).reason, CellReason::kForced);
}

TEST(AirlockProtectTest, AWrongSolverAnswerFailsTheRequestInsteadOfPassingIt) {
  ProtectionOptions options{.lp_factory = testing::CreatePinnedAtMaxLp};
  EXPECT_THAT(Protect(OneD(4, 30, 40), options), StatusIs(StatusCode::kInternal, HasSubstr("self-check failed")));
}

TEST(AirlockProtectTest, ALedgerThatDisagreesWithTheDataIsAnError) {
  ProtectionRequest req = NThenNPlusOne();
  req.history.tables[0].cells[0].value = 99.0;
  EXPECT_THAT(Protect(req), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("release \"r1\"")));
  req = OneD(4, 30, 40);
  req.rules.min_count = 0;
  EXPECT_THAT(Protect(req), StatusIs(StatusCode::kInvalidArgument));
}

// A 4x4 table with several small cells, for determinism.
ProtectionRequest Busy() {
  return ProtectionRequest{.dimensions = {Flat("row", Names("r", 4)), Flat("col", Names("c", 4))},
                           .tables = {Full("cross", {"row", "col"})},
                           .data = testing::Grid({{3, 40, 25, 12}, {30, 2, 45, 60}, {18, 22, 0, 7}, {50, 33, 41, 29}})};
}

std::map<std::string, CellStatus> PatternByKey(const ProtectionResult& r) {
  std::map<std::string, CellStatus> out;
  for (const CellRecord& c : r.cells) out[c.key] = c.status;
  return out;
}

TEST(AirlockProtectTest, TheSameRequestGivesTheSameCertificateContent) {
  ASSERT_OK_AND_ASSIGN(ProtectionResult first, Protect(Busy()));
  ASSERT_OK_AND_ASSIGN(ProtectionResult second, Protect(Busy()));
  EXPECT_EQ(first.outcome, Outcome::kPass);
  EXPECT_GE(CountSuppressed(first), 4);
  EXPECT_EQ(first.ToJson().dump(), second.ToJson().dump());
}

TEST(AirlockProtectTest, ThePatternDoesNotDependOnTheOrderOfTheInput) {
  ASSERT_OK_AND_ASSIGN(ProtectionResult base, Protect(Busy()));
  ProtectionRequest permuted = Busy();
  std::reverse(permuted.data.counts.begin(), permuted.data.counts.end());
  for (Dimension& d : permuted.dimensions) std::reverse(d.codes.begin(), d.codes.end());
  std::swap(permuted.dimensions[0], permuted.dimensions[1]);
  for (AtomCount& c : permuted.data.counts) std::swap(c.leaves[0], c.leaves[1]);
  std::swap(permuted.tables[0].dimensions[0], permuted.tables[0].dimensions[1]);
  ASSERT_OK_AND_ASSIGN(ProtectionResult r, Protect(permuted));
  EXPECT_EQ(PatternByKey(r), PatternByKey(base));
  EXPECT_EQ(r.targets.size(), base.targets.size());
}

TEST(AirlockProtectTest, TheCertificateContentNamesTheSolverAndEveryCell) {
  ASSERT_OK_AND_ASSIGN(ProtectionResult r, Protect(OneD(4, 30, 40)));
  const nlohmann::json j = r.ToJson();
  EXPECT_EQ(j["outcome"], "pass");
  EXPECT_EQ(j["solver"]["name"], "COIN-OR Clp");
  EXPECT_EQ(j["solver"]["version"], ClpLibraryVersion());
  ASSERT_EQ(j["cells"].size(), 4u);
  EXPECT_EQ(j["cells"][1]["codes"], nlohmann::json::array({"a"}));
  EXPECT_EQ(j["cells"][1]["status"], "suppressed");
  EXPECT_EQ(j["cells"][1]["interval"], nlohmann::json::array({0.0, 34.0}));
  EXPECT_THAT(j["refusals"], IsEmpty());
}

}  // namespace
}  // namespace hdhub::airlock
