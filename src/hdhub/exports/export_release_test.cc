#include "hdhub/common/bytes.h"
#include "hdhub/crypto/hash.h"
#include "hdhub/exports/certificate.h"
#include "hdhub/exports/export_store.h"
#include "hdhub/exports/export_store_fixture.h"

namespace hdhub::exports {
namespace {

using ::hdhub::testing::IsOk;
using ::hdhub::testing::IsOkAndHolds;
using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Optional;

class ExportReleaseTest : public ExportStoreFixture {
 protected:
  void SetUp() override {
    ExportStoreFixture::SetUp();
    ASSERT_OK(store_->PutFrame(Frame()));
  }
  std::string ApprovedRequest() {
    const std::string id = NewRequest();
    EXPECT_OK(store_->SetState(id, RequestState::kDraft, RequestState::kApproved));
    return id;
  }
  static ReleaseTableRecord Table(const std::string& id, const std::string& measure = "count") {
    return ReleaseTableRecord{.frame = "a10",
                              .measure = measure,
                              .table = {.id = id, .dimensions = {{.dimension = "age", .codes = {"0-17", "18+"}}}},
                              .cells = {{.codes = {"0-17"}, .value = 12.0}, {.codes = {"18+"}, .value = std::nullopt}}};
  }
  NewRelease Release(const std::string& request, const std::string& before) {
    return NewRelease{.project = "diab",
                      .request = request,
                      .revision = 1,
                      .body = R"({"request":")" + request + R"("})",
                      .history_before = before,
                      .released_at_us = 9000,
                      .wrapped_dek = Bytes{9, 9},
                      .audit_index = 17,
                      .tables = {Table("t1/age")}};
  }
  std::string Start() { return HexEncode(HistoryStart("diab")); }
  // An object as the service records it: only the host's facts, the store
  // fills in project, request and seq.
  static ExportObjectRecord Object(const std::string& name, ExportObjectKind kind = ExportObjectKind::kRelease) {
    return ExportObjectRecord{.object_name = "obj-" + name,
                              .logical_name = "projects/diab/releases/1/" + name,
                              .kind = kind,
                              .bytes = 77,
                              .sha256 = std::string(64, 'f')};
  }
};

TEST_F(ExportReleaseTest, AppendReleaseStoresTheReleaseAndLedgerGivesItBack) {
  EXPECT_THAT(store_->LedgerHead("diab"), IsOkAndHolds(Start()));
  const std::string id = ApprovedRequest();
  NewRelease r = Release(id, Start());
  r.tables.push_back(Table("t2/age", "units"));
  ASSERT_OK_AND_ASSIGN(ReleaseRecord row, store_->AppendRelease(r));
  EXPECT_EQ(row.seq, 1);
  EXPECT_EQ(row.audit_index, 17);
  EXPECT_EQ(row.certificate_sha256, HexEncode(crypto::Sha256(AsBytes(r.body))));
  crypto::Digest start = HistoryStart("diab");
  EXPECT_EQ(row.history_after, HexEncode(HistoryNext(start, r.body)));
  EXPECT_THAT(store_->LedgerHead("diab"), IsOkAndHolds(row.history_after));
  EXPECT_THAT(store_->LedgerHead("obes"), IsOkAndHolds(HexEncode(HistoryStart("obes"))));

  ASSERT_OK_AND_ASSIGN(ReleaseRecord stored, store_->GetRelease("diab", 1));
  EXPECT_EQ(stored.request, id);
  EXPECT_EQ(stored.body, r.body);
  EXPECT_EQ(stored.history_before, Start());
  EXPECT_EQ(stored.history_after, row.history_after);
  EXPECT_EQ(stored.released_at_us, 9000);
  EXPECT_EQ(stored.wrapped_dek, (Bytes{9, 9}));
  EXPECT_THAT(store_->GetRelease("diab", 2), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(store_->GetRequest(id), IsOkAndHolds(::testing::Field(&RequestRecord::state, RequestState::kReleased)));
  EXPECT_THAT(store_->GetFrame("diab", "a10"), IsOkAndHolds(::testing::Field(&FrameRecord::released_seq, Optional(1))));

  ASSERT_OK_AND_ASSIGN(airlock::ReleaseHistory ledger, store_->Ledger("diab", "a10", "count"));
  ASSERT_EQ(ledger.tables.size(), 1u);
  const airlock::ReleasedTable& t = ledger.tables[0];
  EXPECT_EQ(t.release_id, "1");
  EXPECT_EQ(t.table.id, "t1/age");
  ASSERT_EQ(t.table.dimensions.size(), 1u);
  EXPECT_EQ(t.table.dimensions[0].dimension, "age");
  EXPECT_EQ(t.table.dimensions[0].codes, (std::vector<std::string>{"0-17", "18+"}));
  ASSERT_EQ(t.cells.size(), 2u);
  EXPECT_EQ(t.cells[0].codes, std::vector<std::string>{"0-17"});
  EXPECT_THAT(t.cells[0].value, Optional(12.0));
  EXPECT_FALSE(t.cells[1].value.has_value());
  ASSERT_OK_AND_ASSIGN(ledger, store_->Ledger("diab", "a10", "units"));
  EXPECT_EQ(ledger.tables.size(), 1u);
  ASSERT_OK_AND_ASSIGN(ledger, store_->Ledger("diab", "a10", "sum"));
  EXPECT_TRUE(ledger.tables.empty());
}

TEST_F(ExportReleaseTest, AStaleHistoryBeforeIsAbortedAndWritesNothing) {
  ASSERT_OK(store_->AppendRelease(Release(ApprovedRequest(), Start())).status());
  const std::string id = ApprovedRequest();
  ASSERT_OK(store_->PutFrame(Frame("b01")));
  NewRelease stale = Release(id, Start());  // the ledger moved: release 1
  stale.tables = {Table("t1/age")};
  stale.tables[0].frame = "b01";
  bool logged = false;
  EXPECT_THAT(store_->AppendRelease(stale,
                                    [&](const ReleaseRecord&) -> StatusOr<int64_t> {
                                      logged = true;
                                      return 1;
                                    }),
              StatusIs(StatusCode::kAborted, HasSubstr("diab")));
  EXPECT_FALSE(logged);
  EXPECT_EQ(Count("release"), 1);
  EXPECT_EQ(Count("release_table"), 1);
  EXPECT_THAT(store_->GetRequest(id), IsOkAndHolds(::testing::Field(&RequestRecord::state, RequestState::kApproved)));
  EXPECT_THAT(store_->GetFrame("diab", "b01"),
              IsOkAndHolds(::testing::Field(&FrameRecord::released_seq, std::optional<int64_t>())));
  // Against the head as it is now, the same release goes through as seq 2.
  ASSERT_OK_AND_ASSIGN(std::string head, store_->LedgerHead("diab"));
  stale.history_before = head;
  ASSERT_OK_AND_ASSIGN(ReleaseRecord second, store_->AppendRelease(stale));
  EXPECT_EQ(second.seq, 2);
  EXPECT_EQ(second.history_before, head);
}

TEST_F(ExportReleaseTest, TheLogGetsTheRowsIndexAndItsFailureWritesNothing) {
  const std::string id = ApprovedRequest();
  EXPECT_THAT(
      store_->AppendRelease(Release(id, Start()),
                            [](const ReleaseRecord&) -> StatusOr<int64_t> { return UnavailableError("log down"); }),
      StatusIs(StatusCode::kUnavailable));
  EXPECT_EQ(Count("release") + Count("release_table"), 0);
  EXPECT_THAT(store_->GetRequest(id), IsOkAndHolds(::testing::Field(&RequestRecord::state, RequestState::kApproved)));

  int64_t seen_seq = 0;
  ASSERT_OK_AND_ASSIGN(ReleaseRecord row,
                       store_->AppendRelease(Release(id, Start()), [&](const ReleaseRecord& r) -> StatusOr<int64_t> {
                         seen_seq = r.seq;
                         return 41;
                       }));
  EXPECT_EQ(seen_seq, 1);
  EXPECT_EQ(row.audit_index, 41);
  EXPECT_THAT(store_->GetRelease("diab", 1), IsOkAndHolds(::testing::Field(&ReleaseRecord::audit_index, 41)));
}

TEST_F(ExportReleaseTest, AReleaseTheDatabaseRefusesIsNeverLogged) {
  const std::string id = ApprovedRequest();
  NewRelease r = Release(id, Start());
  r.tables[0].frame = "nosuch";  // no such frame: the foreign key refuses it
  bool logged = false;
  auto log = [&](const ReleaseRecord&) -> StatusOr<int64_t> {
    logged = true;
    return 1;
  };
  EXPECT_THAT(store_->AppendRelease(r, log), StatusIs(StatusCode::kFailedPrecondition));
  const std::string draft = NewRequest();
  EXPECT_THAT(store_->AppendRelease(Release(draft, Start()), log), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_FALSE(logged);
  EXPECT_EQ(Count("release") + Count("release_table"), 0);
}

TEST_F(ExportReleaseTest, ReleaseNumbersHaveNoGapsAndChainByRawSqlToo) {
  ASSERT_OK_AND_ASSIGN(ReleaseRecord first, store_->AppendRelease(Release(ApprovedRequest(), Start())));
  const std::string id = ApprovedRequest();
  auto insert = [&](int64_t seq, const std::string& before) {
    return Sql("INSERT INTO release VALUES ('diab', " + std::to_string(seq) + ", '" + id + "', 1, '{}', '" +
               std::string(64, 'c') + "', '" + before + "', '" + std::string(64, 'd') + "', 0, 0, X'01')");
  };
  EXPECT_THAT(insert(3, first.history_after), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("gaps")));
  EXPECT_THAT(insert(1, Start()), Not(IsOk()));
  EXPECT_THAT(insert(2, Start()), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("history_after")));
  EXPECT_OK(insert(2, first.history_after));
  EXPECT_THAT(store_->ListReleases("diab"), IsOkAndHolds(::testing::SizeIs(2)));
}

TEST_F(ExportReleaseTest, AppendOnlyTablesRefuseUpdateAndDeleteByRawSql) {
  const std::string id = ApprovedRequest();
  ASSERT_OK(store_->AppendOutput(Output(id, 1, "t1")));
  ASSERT_OK(store_->AppendReview(id, Review("chloe", 1)));
  ASSERT_OK(store_->AppendDecision(id, {.actor = "chloe", .revision = 1, .text = "why", .at_us = 1}));
  NewRelease release = Release(id, Start());
  release.objects = {Object("t1")};
  ASSERT_OK(store_->AppendRelease(release).status());
  ASSERT_OK(store_->ProposeRules(R"({"min_count": 12})", "olga", 1).status());
  const std::vector<std::pair<std::string, std::string>> tables = {
      {"export_revision", "created_at_us"}, {"export_output", "bytes"}, {"export_review", "at_us"},
      {"export_decision", "at_us"},         {"release", "audit_index"}, {"release_table", "measure"},
      {"airlock_hub_rules", "at_us"},       {"export_object", "bytes"}};
  for (const auto& [table, column] : tables) {
    const int64_t rows = Count(table);
    ASSERT_EQ(rows, 1) << table;
    EXPECT_THAT(Sql("UPDATE " + table + " SET " + column + " = " + column),
                StatusIs(StatusCode::kFailedPrecondition, HasSubstr("append-only")))
        << table;
    EXPECT_THAT(Sql("DELETE FROM " + table), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("append-only")))
        << table;
    EXPECT_EQ(Count(table), rows) << table;
  }
}

// The objects a release sealed on the host are recorded with it; release
// objects stay live, evidence only while its request's key exists.
TEST_F(ExportReleaseTest, AReleaseRecordsItsObjectsAndEvidenceIsShreddedWithItsRequestKey) {
  const std::string id = ApprovedRequest();
  NewRelease r = Release(id, Start());
  r.objects = {Object("t1"), Object("certificate.json"), Object("evidence.json", ExportObjectKind::kEvidence)};
  r.objects[0].seq = 1;  // a caller's seq that agrees is fine
  ASSERT_OK(store_->AppendRelease(r).status());
  ASSERT_OK_AND_ASSIGN(std::vector<ExportObjectRecord> objects, store_->ListObjects());
  ASSERT_EQ(objects.size(), 3u);
  for (const ExportObjectRecord& o : objects) {
    EXPECT_EQ(o.project, "diab") << o.object_name;
    EXPECT_EQ(o.request, id) << o.object_name;
    EXPECT_EQ(o.bytes, 77) << o.object_name;
    EXPECT_EQ(o.sha256, std::string(64, 'f')) << o.object_name;
    EXPECT_TRUE(o.live) << o.object_name;
  }
  EXPECT_EQ(objects[0].object_name, "obj-t1");
  EXPECT_EQ(objects[0].logical_name, "projects/diab/releases/1/t1");
  EXPECT_THAT(objects[1].seq, Optional(1));
  EXPECT_EQ(objects[1].kind, ExportObjectKind::kRelease);
  EXPECT_EQ(objects[2].kind, ExportObjectKind::kEvidence);
  EXPECT_EQ(objects[2].seq, std::nullopt);

  ASSERT_OK(store_->DestroyRequestKey(id));
  ASSERT_OK_AND_ASSIGN(objects, store_->ListObjects());
  ASSERT_EQ(objects.size(), 3u);
  EXPECT_TRUE(objects[0].live);
  EXPECT_TRUE(objects[1].live);
  EXPECT_FALSE(objects[2].live);
}

TEST_F(ExportReleaseTest, AReleaseWithAnObjectRefusedRecordsNothing) {
  const std::string id = ApprovedRequest();
  auto refused = [&](const ExportObjectRecord& o, StatusCode code) {
    NewRelease r = Release(id, Start());
    r.objects = {Object("t1"), o};
    EXPECT_THAT(store_->AppendRelease(r), StatusIs(code)) << o.object_name;
  };
  ExportObjectRecord bad = Object("t2");
  bad.sha256 = std::string(64, 'F');
  refused(bad, StatusCode::kInvalidArgument);
  bad = Object("t2");
  bad.object_name.clear();
  refused(bad, StatusCode::kInvalidArgument);
  bad = Object("t2");
  bad.bytes = -1;
  refused(bad, StatusCode::kInvalidArgument);
  bad = Object("t2");
  bad.request = "diab-e99";
  refused(bad, StatusCode::kInvalidArgument);
  bad = Object("evidence.json", ExportObjectKind::kEvidence);
  bad.seq = 1;
  refused(bad, StatusCode::kInvalidArgument);
  bad = Object("t2");
  bad.seq = 2;  // named for another release
  refused(bad, StatusCode::kFailedPrecondition);
  refused(Object("t1"), StatusCode::kAlreadyExists);  // the same object twice
  // The log failing after the objects were accepted writes nothing either.
  NewRelease r = Release(id, Start());
  r.objects = {Object("t1")};
  EXPECT_THAT(
      store_->AppendRelease(r, [](const ReleaseRecord&) -> StatusOr<int64_t> { return UnavailableError("log down"); }),
      StatusIs(StatusCode::kUnavailable));
  EXPECT_EQ(Count("export_object") + Count("release"), 0);
  EXPECT_THAT(store_->ListObjects(), IsOkAndHolds(::testing::IsEmpty()));
  EXPECT_THAT(store_->GetRequest(id), IsOkAndHolds(::testing::Field(&RequestRecord::state, RequestState::kApproved)));
}

TEST_F(ExportReleaseTest, TheTablesRefuseAnObjectOfAnotherReleaseOrRequestByRawSql) {
  const std::string id = ApprovedRequest();
  ASSERT_OK(store_->AppendRelease(Release(id, Start())).status());
  const std::string other = NewRequest();
  auto insert = [&](const std::string& request, const std::string& seq, const std::string& kind) {
    return Sql("INSERT INTO export_object VALUES ('o', 'l', 'diab', '" + request + "', " + seq + ", '" + kind +
               "', 1, '" + std::string(64, 'a') + "')");
  };
  EXPECT_THAT(insert(other, "1", "release"), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("release object")));
  EXPECT_THAT(insert(id, "2", "release"), Not(IsOk()));
  EXPECT_THAT(insert(id, "NULL", "release"), Not(IsOk()));
  EXPECT_THAT(insert(id, "1", "evidence"), Not(IsOk()));
  EXPECT_THAT(insert("obes-e1", "NULL", "evidence"), Not(IsOk()));
  EXPECT_EQ(Count("export_object"), 0);
  EXPECT_OK(insert(id, "1", "release"));
  EXPECT_EQ(Count("export_object"), 1);
}

// A KEK rotation rewraps every request key not destroyed and every release
// key, each under its own context, in one transaction; the triggers still
// refuse any other change afterwards.
TEST_F(ExportReleaseTest, AKekRotationRewrapsRequestAndReleaseKeysAndNothingElse) {
  const std::string released = ApprovedRequest();
  ASSERT_OK(store_->AppendRelease(Release(released, Start())).status());
  const std::string destroyed = NewRequest();
  ASSERT_OK(store_->DestroyRequestKey(destroyed));
  const std::string draft = NewRequest();
  // A failing rewrap changes nothing.
  EXPECT_THAT(store_->RewrapKeys(
                  [](std::string_view, ByteSpan) -> StatusOr<Bytes> { return UnavailableError("key store down"); }),
              StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(store_->GetRelease("diab", 1), IsOkAndHolds(::testing::Field(&ReleaseRecord::wrapped_dek, Bytes{9, 9})));

  std::vector<std::string> contexts;
  ASSERT_OK_AND_ASSIGN(size_t n, store_->RewrapKeys([&](std::string_view context, ByteSpan wrapped) {
    contexts.emplace_back(context);
    Bytes out(wrapped.begin(), wrapped.end());
    out.push_back(7);
    return StatusOr<Bytes>(out);
  }));
  EXPECT_EQ(n, 3u);
  EXPECT_THAT(contexts, ::testing::UnorderedElementsAre("exports/diab/" + released, "exports/diab/" + draft,
                                                        "exports/diab/release/1"));
  EXPECT_THAT(store_->GetRelease("diab", 1),
              IsOkAndHolds(::testing::Field(&ReleaseRecord::wrapped_dek, Bytes{9, 9, 7})));
  EXPECT_THAT(store_->GetRequest(draft),
              IsOkAndHolds(::testing::Field(&RequestRecord::wrapped_dek, Bytes{1, 2, 3, 7})));
  EXPECT_THAT(store_->GetRequest(destroyed), IsOkAndHolds(::testing::Field(&RequestRecord::wrapped_dek, Bytes{})));
  EXPECT_THAT(Sql("UPDATE release SET wrapped_dek = X'0102'"), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(Sql("UPDATE export_request SET wrapped_dek = X'01' WHERE id = '" + draft + "'"),
              StatusIs(StatusCode::kFailedPrecondition));
}

TEST_F(ExportReleaseTest, AFrameIsFrozenOnceATableOfItIsReleased) {
  ASSERT_OK(store_->AppendRelease(Release(ApprovedRequest(), Start())).status());
  EXPECT_THAT(store_->PutFrame(Frame("a10", R"({"unit":"stay"})")),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("released frame")));
  EXPECT_THAT(Sql("UPDATE export_frame SET spec_json = '{}'"), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(Sql("UPDATE export_frame SET sql_sha256 = '" + std::string(64, 'e') + "'"),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(Sql("UPDATE export_frame SET released_seq = NULL"), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(Sql("DELETE FROM export_frame"), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(store_->GetFrame("diab", "a10"),
              IsOkAndHolds(::testing::Field(&FrameRecord::spec_json, R"({"unit":"person"})")));
  // An unreleased frame is still the author's to replace or drop.
  ASSERT_OK(store_->PutFrame(Frame("b01")));
  EXPECT_OK(Sql("DELETE FROM export_frame WHERE name = 'b01'"));
}

TEST_F(ExportReleaseTest, HubRulesNeedTwoDistinctOperatorsAndTheSameJson) {
  EXPECT_THAT(store_->CurrentRules(), IsOkAndHolds(::testing::Eq(std::nullopt)));
  EXPECT_THAT(store_->ConfirmRules(R"({"min_count": 12})", "omar", 1), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(store_->ProposeRules(R"({"min_count": "many"})", "olga", 1), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(store_->ProposeRules("[1]", "olga", 1), StatusIs(StatusCode::kInvalidArgument));
  ASSERT_OK_AND_ASSIGN(HubRulesRecord proposal,
                       store_->ProposeRules(R"({"p_percent": 15, "min_count": 12})", "olga", 2));
  EXPECT_EQ(proposal.version, 1);
  EXPECT_EQ(proposal.rules_json, R"({"min_count":12,"p_percent":15})");
  EXPECT_THAT(store_->PendingRules(), IsOkAndHolds(Optional(::testing::Field(&HubRulesRecord::proposed_by, "olga"))));

  Status same = store_->ConfirmRules(R"({"min_count": 12, "p_percent": 15})", "olga", 3).status();
  EXPECT_THAT(same, StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(same.message(), Not(HasSubstr("olga")));
  EXPECT_THAT(store_->ConfirmRules(R"({"min_count": 13, "p_percent": 15})", "omar", 3),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("differ")));
  EXPECT_THAT(Sql("INSERT INTO airlock_hub_rules VALUES (1, '{\"min_count\":12,\"p_percent\":15}', 'olga', 'olga', 3)"),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(store_->CurrentRules(), IsOkAndHolds(::testing::Eq(std::nullopt)));

  ASSERT_OK_AND_ASSIGN(HubRulesRecord confirmed, store_->ConfirmRules(R"({"min_count":12,"p_percent":15})", "omar", 4));
  EXPECT_EQ(confirmed.version, 1);
  EXPECT_EQ(confirmed.proposed_by, "olga");
  EXPECT_EQ(confirmed.confirmed_by, "omar");
  EXPECT_EQ(confirmed.at_us, 4);
  ASSERT_OK_AND_ASSIGN(std::optional<HubRulesRecord> current, store_->CurrentRules());
  ASSERT_TRUE(current.has_value());
  EXPECT_EQ(current->rules_json, R"({"min_count":12,"p_percent":15})");
  EXPECT_EQ(current->confirmed_by, "omar");
  EXPECT_THAT(store_->PendingRules(), IsOkAndHolds(::testing::Eq(std::nullopt)));
  EXPECT_THAT(store_->ConfirmRules(R"({"min_count":12,"p_percent":15})", "oscar", 5),
              StatusIs(StatusCode::kFailedPrecondition));

  // A newer proposal waits while the confirmed rules stay in force.
  ASSERT_OK_AND_ASSIGN(HubRulesRecord next, store_->ProposeRules(R"({"min_count": 20})", "omar", 6));
  EXPECT_EQ(next.version, 2);
  EXPECT_THAT(store_->CurrentRules(), IsOkAndHolds(Optional(::testing::Field(&HubRulesRecord::version, 1))));
  EXPECT_THAT(store_->PendingRules(), IsOkAndHolds(Optional(::testing::Field(&HubRulesRecord::version, 2))));
}

}  // namespace
}  // namespace hdhub::exports
