// Step 8 of `hdhub airlock verify` (docs/formats/airlock-certificate.md §6):
// re-solving each suppressed cell's interval from the published cells of
// the release and of the earlier releases of its frame and measure. Every
// bundle here is a real one: a real Protect run, bound to a real file audit
// log and signed by the test key, so checks 1-7 hold and only 8 can fail.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "hdhub/airlock/test_tables.h"
#include "hdhub/common/bytes.h"
#include "hdhub/common/status_matchers.h"
#include "hdhub/crypto/hash.h"
#include "hdhub/exports/certificate.h"
#include "hdhub/exports/certificate_test_util.h"
#include "hdhub/exports/verify.h"

namespace hdhub::exports {
namespace {

using ::testing::ContainsRegex;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Not;
using namespace ::hdhub::exports::testing;  // NOLINT: this file tests what it builds

const std::string& H0() {
  static const std::string* h0 = new std::string(HexEncode(HistoryStart(kTestProject)));
  return *h0;
}

// Signs `body` through `log` and verifies it with `earlier` as its history
// (an empty history: release 1).
VerifyReport SignAndVerify(TestLog& log, const CertificateBody& body, const std::vector<std::string>& earlier = {}) {
  const Bundle bundle = log.Release(body, body.ToLine()).value();
  return VerifyBundle(bundle.Serialize(), log.VerifierKey(), {}, std::span<const std::string>(earlier)).value();
}

Cell* FirstSuppressed(Output& out) {
  for (Cell& c : out.cells) {
    if (!c.published && c.hi) return &c;
  }
  return nullptr;
}

TEST(VerifyIntervalsTest, GenuineReleasesPassStepEight) {
  TestLog log;
  const CertificateBody b1 = ReleaseBody(1, H0(), 0);
  const std::string line1 = b1.ToLine();
  const Bundle r1 = log.Release(b1, line1).value();
  const VerifyReport first = SignAndVerify(log, b1);
  EXPECT_TRUE(first.ok()) << first.Summary();
  EXPECT_THAT(first.ToJson()["checks_not_run"], IsEmpty());
  EXPECT_EQ(first.Summary().substr(0, 19), "OK: checks 1-8 hold");
  // Release 2 publishes the same grid: the two releases agree.
  const CertificateBody b2 = ReleaseBody(2, HexEncode(HistoryNext(HistoryStart(kTestProject), line1)), 1);
  const VerifyReport second = SignAndVerify(log, b2, {r1.Serialize()});
  EXPECT_TRUE(second.ok()) << second.Summary();
  EXPECT_THAT(second.ToJson()["checks_not_run"], IsEmpty());
  // Without --history, 7 and 8 are not run, as documented.
  const Bundle again = log.Release(b1, line1).value();
  const VerifyReport alone = VerifyBundle(again.Serialize(), log.VerifierKey(), {}).value();
  EXPECT_TRUE(alone.ok());
  EXPECT_EQ(alone.ToJson()["checks_not_run"], nlohmann::json::array({7, 8}));
}

TEST(VerifyIntervalsTest, ANarrowedOrWidenedIntervalFailsStepEightNamingTheCell) {
  TestLog log;
  for (const double shift : {-1.0, 1.0}) {  // hi one lower (narrowed) or one higher (widened)
    CertificateBody b = ReleaseBody(1, H0(), 0);
    Cell* c = FirstSuppressed(b.outputs.at(0));
    ASSERT_NE(c, nullptr);
    ASSERT_GE(*c->hi + shift, static_cast<double>(b.rules.min_count));  // still passes check 6
    *c->hi += shift;
    const VerifyReport r = SignAndVerify(log, b);
    EXPECT_EQ(r.failed_check, 8) << r.Summary();
    EXPECT_EQ(r.check_name, "intervals");
    EXPECT_EQ(r.output, "grid");
    EXPECT_EQ(r.table, "by_row_col");
    EXPECT_EQ(r.cell, c->codes);
    EXPECT_THAT(r.message, Not(ContainsRegex("[0-9]")));  // no bound, no value
  }
}

TEST(VerifyIntervalsTest, ASecondReleasePinnedByTheFirstsPublishedCellsFailsStepEight) {
  // Release 1 publishes one cell, r2 x c1 (25 people: safe alone). Release 2,
  // the grid, suppresses r1/r2 x c1/c3 and claims the intervals of a run
  // without that history; but its column c1 minus r3 x c1 minus release 1's
  // cell gives r1 x c1, and then its row the primary r1 x c3: differencing.
  TestLog log;
  CertificateBody b1 = ReleaseBody(1, H0(), 0);
  Output& one = b1.outputs.at(0);
  one.tables = {{.id = "one", .dimensions = {{"row", {"r2"}}, {"col", {"c1"}}}}};
  one.cells = {Cell{.table = "one", .codes = {"r2", "c1"}, .published = true, .value = 25, .reason = "safe"}};
  const std::string csv = RenderTableCsv(TestFrame(), one);
  one.sha256 = HexEncode(crypto::Sha256(AsBytes(csv)));
  one.bytes = static_cast<int64_t>(csv.size());
  const std::string line1 = b1.ToLine();
  const Bundle r1 = log.Release(b1, line1).value();
  ASSERT_TRUE(VerifyBundle(r1.Serialize(), log.VerifierKey(), {}, std::span<const std::string>()).value().ok());

  const CertificateBody b2 = ReleaseBody(2, HexEncode(HistoryNext(HistoryStart(kTestProject), line1)), 1);
  const VerifyReport r = SignAndVerify(log, b2, {r1.Serialize()});
  EXPECT_EQ(r.failed_check, 8) << r.Summary();
  EXPECT_EQ(r.output, "grid");
  EXPECT_EQ(r.table, "by_row_col");
  EXPECT_THAT(r.cell, ElementsAre("r1", "c1"));
}

// A `sum` output over the same frame: amounts per contributor, one atom
// (r1 x c3) dominated by a single contributor.
CertificateBody SumBody() {
  airlock::MeasureData data{.kind = airlock::MeasureKind::kMagnitude};
  uint64_t person = 1;
  for (int r = 1; r <= 3; ++r) {
    for (int c = 1; c <= 3; ++c) {
      const std::vector<std::string> leaves = {"r" + std::to_string(r), "c" + std::to_string(c)};
      if (r == 1 && c == 3) {
        data.contributions.push_back({leaves, person++, 9'000.75});
        data.contributions.push_back({leaves, person++, 12.5});
        continue;
      }
      for (int k = 0; k < 6; ++k) data.contributions.push_back({leaves, person++, 250.25 * (r + c) + 10.5 * k});
    }
  }
  TableOutputDeclaration decl = TestTableDeclaration();
  decl.measure = "sum";
  airlock::ProtectionRequest request{.dimensions = TestFrame().dimensions,
                                     .tables = {airlock::testing::Full("grid/by_row_col", {"row", "col"})},
                                     .data = data};
  CertificateBody b = ReleaseBody(1, H0(), 0);
  b.outputs.at(0) = BuildTableOutput(decl, TestFrame(), airlock::Protect(request).value()).value();
  return b;
}

TEST(VerifyIntervalsTest, MagnitudeBoundsHoldWithinOnePartPerMillionOfTheLargestPublishedValue) {
  TestLog log;
  const CertificateBody genuine = SumBody();
  const VerifyReport ok = SignAndVerify(log, genuine);
  ASSERT_TRUE(ok.ok()) << ok.Summary();
  double largest = 0;  // the tolerance's scale (the grand total here)
  for (const Cell& c : genuine.outputs.at(0).cells) {
    if (c.published) largest = std::max(largest, std::fabs(c.value));
  }
  struct Case {
    double parts_per_million;
    bool passes;
  };
  for (const Case& k : {Case{0.999, true}, Case{-0.999, true}, Case{1.001, false}, Case{-1.001, false}}) {
    CertificateBody b = genuine;
    Cell* c = FirstSuppressed(b.outputs.at(0));
    ASSERT_NE(c, nullptr);
    ASSERT_GT(*c->hi, c->lo);
    *c->hi += k.parts_per_million * 1e-6 * largest;
    const VerifyReport r = SignAndVerify(log, b);
    EXPECT_EQ(r.failed_check, k.passes ? 0 : 8) << k.parts_per_million << ": " << r.Summary();
    if (!k.passes) {
      EXPECT_EQ(r.cell, c->codes);
    }
  }
}

}  // namespace
}  // namespace hdhub::exports
