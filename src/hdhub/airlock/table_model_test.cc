#include "hdhub/airlock/table_model.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hdhub/airlock/test_tables.h"
#include "hdhub/common/status_matchers.h"

namespace hdhub::airlock {
namespace {

using ::hdhub::testing::StatusIs;
using ::testing::ElementsAre;
using testing::Flat;
using testing::Full;
using ::testing::HasSubstr;
using testing::QuantityByKey;

// France -> regions R1 (d1, d2), R2 (d3) -> departments.
Dimension Geo() {
  return Dimension{.name = "geo",
                   .codes = {{"FR", ""}, {"R1", "FR"}, {"R2", "FR"}, {"d1", "R1"}, {"d2", "R1"}, {"d3", "R2"}}};
}

TEST(AirlockAtomSpaceTest, LeavesAreTheCodesWithoutChildrenAndEqualLeafSetsShareAName) {
  ASSERT_OK_AND_ASSIGN(AtomSpace space, AtomSpace::Create({Geo()}));
  EXPECT_EQ(space.num_atoms(), 3);
  ASSERT_OK_AND_ASSIGN(int32_t r2, space.CodeSet(0, "R2"));
  ASSERT_OK_AND_ASSIGN(int32_t d3, space.CodeSet(0, "d3"));
  EXPECT_EQ(r2, d3);  // a region with one department is that department
  std::vector<int32_t> sets = {r2};
  EXPECT_EQ(space.Key(sets), "{geo=R2}");
  ASSERT_OK_AND_ASSIGN(int32_t fr, space.CodeSet(0, "FR"));
  EXPECT_EQ(fr, space.AllSets()[0]);
  ASSERT_OK_AND_ASSIGN(int32_t r1, space.CodeSet(0, "R1"));
  sets = {r1};
  EXPECT_THAT(space.Atoms(sets), ElementsAre(0, 1));
}

TEST(AirlockAtomSpaceTest, RejectsCyclesUnknownParentsAndRepeats) {
  Dimension cycle{.name = "x", .codes = {{"a", "b"}, {"b", "a"}}};
  EXPECT_THAT(AtomSpace::Create({cycle}), StatusIs(StatusCode::kInvalidArgument, HasSubstr("cycle")));
  Dimension orphan{.name = "x", .codes = {{"a", "nowhere"}}};
  EXPECT_THAT(AtomSpace::Create({orphan}), StatusIs(StatusCode::kInvalidArgument, HasSubstr("nowhere")));
  Dimension repeated{.name = "x", .codes = {{"a", ""}, {"a", ""}}};
  EXPECT_THAT(AtomSpace::Create({repeated}), StatusIs(StatusCode::kInvalidArgument, HasSubstr("repeats")));
  EXPECT_THAT(AtomSpace::Create({Geo(), Geo()}), StatusIs(StatusCode::kInvalidArgument, HasSubstr("twice")));
  EXPECT_THAT(AtomSpace::Create({Dimension{.name = "empty"}}), StatusIs(StatusCode::kInvalidArgument));
}

TEST(AirlockAtomSpaceTest, AtomsFollowTheSortedDimensionsWhateverTheDeclaredOrder) {
  ASSERT_OK_AND_ASSIGN(AtomSpace space, AtomSpace::Create({Flat("sex", {"M", "F"}), Flat("age", {"a2", "a1"})}));
  ASSERT_OK_AND_ASSIGN(int32_t atom, space.Atom(std::vector<std::string>{"M", "a1"}));
  EXPECT_EQ(space.AtomKey(atom), "{age=a1, sex=M}");
  EXPECT_THAT(space.Atom(std::vector<std::string>{"Total", "a1"}), StatusIs(StatusCode::kInvalidArgument));
}

TEST(AirlockTableModelTest, AMarginAndTheSameCellOfASubtableAreOneQuantity) {
  const std::vector<Dimension> dims = {Flat("age", {"a1", "a2"}), Flat("sex", {"F", "M"})};
  const MeasureData data =
      testing::Counts({{{"a1", "F"}, 3}, {{"a1", "M"}, 40}, {{"a2", "F"}, 25}, {{"a2", "M"}, 30}, {{"a1", "F"}, 2}});
  ASSERT_OK_AND_ASSIGN(TableModel m,
                       TableModel::Create(dims, {Full("cross", {"age", "sex"}), Full("by_age", {"age"})}, {}, data));
  EXPECT_EQ(m.quantities().size(), 9u);  // 3 x 3 cells; the subtable adds none
  EXPECT_EQ(m.cells().size(), 12u);
  const int32_t a1 = QuantityByKey(m, "{age=a1, sex=Total}");
  ASSERT_GE(a1, 0);
  EXPECT_EQ(m.quantities()[static_cast<size_t>(a1)].value, 45);  // repeated atoms add up
  int appearances = 0;
  for (const ModelCell& c : m.cells()) appearances += c.quantity == a1;
  EXPECT_EQ(appearances, 2);
}

TEST(AirlockTableModelTest, TheHoldersOfAQuantityAreExactlyThoseContainingIt) {
  // A hierarchy crossed with a flat dimension, a table by region only: every
  // quantity's holders, against a test of every pair.
  const std::vector<Dimension> dims = {Geo(), Flat("sex", {"F", "M"})};
  const MeasureData data = testing::Counts({{{"d1", "F"}, 3}, {{"d3", "M"}, 4}});
  TableSpec by_region{.id = "by_region", .dimensions = {{.dimension = "geo", .codes = {"R1", "R2"}}}};
  ASSERT_OK_AND_ASSIGN(TableModel m, TableModel::Create(dims, {Full("cross", {"geo", "sex"}), by_region}, {}, data));
  int nested = 0;
  for (size_t q = 0; q < m.quantities().size(); ++q) {
    std::vector<int32_t> expected;
    for (size_t c = 0; c < m.quantities().size(); ++c) {
      if (m.Contains(m.quantities()[c], m.quantities()[q])) expected.push_back(static_cast<int32_t>(c));
    }
    EXPECT_EQ(m.Holders(static_cast<int32_t>(q)), expected) << m.quantities()[q].key;
    nested += static_cast<int>(expected.size()) - 1;
  }
  EXPECT_GT(nested, 20);  // 5 x 3 cells, most inside several others
  const int32_t d1_f = QuantityByKey(m, "{geo=d1, sex=F}");
  ASSERT_GE(d1_f, 0);
  std::vector<std::string> keys;
  for (int32_t h : m.Holders(d1_f)) keys.push_back(m.quantities()[static_cast<size_t>(h)].key);
  EXPECT_THAT(keys, ::testing::UnorderedElementsAre("{geo=d1, sex=F}", "{geo=d1, sex=Total}", "{geo=R1, sex=F}",
                                                    "{geo=R1, sex=Total}", "{geo=FR, sex=F}", "{geo=FR, sex=Total}"));
}

TEST(AirlockTableModelTest, TheLedgerMarksEarlierCellsAndMustMatchTheData) {
  const std::vector<Dimension> dims = {Flat("age", {"a1", "a2"})};
  const MeasureData data = testing::Counts({{{"a1"}, 3}, {{"a2"}, 40}});
  ReleaseHistory history{.tables = {{.release_id = "r1",
                                     .table = Full("t", {"age"}),
                                     .cells = {{{"Total"}, 43.0}, {{"a1"}, std::nullopt}, {{"a2"}, 40.0}}}}};
  ASSERT_OK_AND_ASSIGN(TableModel m, TableModel::Create(dims, {}, history, data));
  const Quantity& a1 = m.quantities()[static_cast<size_t>(QuantityByKey(m, "{age=a1}"))];
  const Quantity& total = m.quantities()[static_cast<size_t>(QuantityByKey(m, "{age=Total}"))];
  EXPECT_TRUE(a1.earlier_suppressed);
  EXPECT_TRUE(total.earlier_published);
  EXPECT_FALSE(total.in_request);

  history.tables[0].cells[0].value = 44.0;
  EXPECT_THAT(TableModel::Create(dims, {}, history, data),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("release \"r1\" table \"t\"")));
  history.tables[0].cells.pop_back();
  history.tables[0].cells[0].value = 43.0;
  EXPECT_THAT(TableModel::Create(dims, {}, history, data), StatusIs(StatusCode::kInvalidArgument));
}

TEST(AirlockTableModelTest, RejectsUnknownCodesAndBadData) {
  const std::vector<Dimension> dims = {Flat("age", {"a1", "a2"})};
  const MeasureData ok = testing::Counts({{{"a1"}, 3}});
  TableSpec unknown{.id = "t", .dimensions = {{"age", {"a9"}}}};
  EXPECT_THAT(TableModel::Create(dims, {unknown}, {}, ok), StatusIs(StatusCode::kNotFound, HasSubstr("a9")));
  EXPECT_THAT(TableModel::Create(dims, {Full("t", {"sex"})}, {}, ok), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(TableModel::Create(dims, {Full("t", {"age"}), Full("t", {"age"})}, {}, ok),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("twice")));
  EXPECT_THAT(TableModel::Create(dims, {}, {}, testing::Counts({{{"a1"}, -1}})),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(TableModel::Create(dims, {}, {}, testing::Counts({{{"Total"}, 1}})),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST(AirlockTableModelTest, AMagnitudeGroupSumsEachContributorAcrossItsAtoms) {
  const std::vector<Dimension> dims = {Flat("year", {"y1", "y2"})};
  MeasureData data{.kind = MeasureKind::kMagnitude,
                   .contributions = {{{"y1"}, 7, 10.0}, {{"y2"}, 7, 5.0}, {{"y2"}, 8, 1.0}}};
  ASSERT_OK_AND_ASSIGN(TableModel m, TableModel::Create(dims, {Full("t", {"year"})}, {}, data));
  const std::vector<int32_t> both = {0, 1};
  const GroupData g = m.Group(both);
  EXPECT_EQ(g.value, 16.0);
  EXPECT_EQ(g.contributors, 2);
  EXPECT_THAT(g.contributions, ElementsAre(15.0, 1.0));
}

}  // namespace
}  // namespace hdhub::airlock
