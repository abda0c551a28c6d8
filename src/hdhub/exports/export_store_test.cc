#include "hdhub/exports/export_store.h"

#include "hdhub/exports/export_store_fixture.h"

namespace hdhub::exports {
namespace {

using ::hdhub::testing::IsOkAndHolds;
using ::hdhub::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

using ExportStoreTest = ExportStoreFixture;

TEST_F(ExportStoreTest, FrameRoundTripsAndIsReplacedWhileUnreleased) {
  ASSERT_OK(store_->PutFrame(Frame()));
  ASSERT_OK(store_->PutFrame(Frame("b01")));
  ASSERT_OK_AND_ASSIGN(FrameRecord f, store_->GetFrame("diab", "a10"));
  EXPECT_EQ(f.spec_json, R"({"unit":"person"})");
  EXPECT_EQ(f.sql_sha256, std::string(64, 'b'));
  EXPECT_EQ(f.created_by, "rita");
  EXPECT_EQ(f.created_at_us, 500);
  EXPECT_FALSE(f.released_seq.has_value());

  ASSERT_OK(store_->PutFrame(Frame("a10", R"({"unit":"stay"})")));
  ASSERT_OK_AND_ASSIGN(f, store_->GetFrame("diab", "a10"));
  EXPECT_EQ(f.spec_json, R"({"unit":"stay"})");
  ASSERT_OK_AND_ASSIGN(std::vector<FrameRecord> all, store_->ListFrames("diab"));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].name, "a10");
  EXPECT_EQ(all[1].name, "b01");
  EXPECT_THAT(store_->GetFrame("diab", "zzz"), StatusIs(StatusCode::kNotFound));
}

TEST_F(ExportStoreTest, MalformedFieldsAreRefusedByTheApiAndByTheTables) {
  FrameRecord bad = Frame("A10");
  EXPECT_THAT(store_->PutFrame(bad), StatusIs(StatusCode::kInvalidArgument, HasSubstr("export_frame.name")));
  bad = Frame();
  bad.sql_sha256 = std::string(64, 'G');
  EXPECT_THAT(store_->PutFrame(bad), StatusIs(StatusCode::kInvalidArgument, HasSubstr("sql_sha256")));
  EXPECT_THAT(store_->CreateRequest({.project = "Diab", .author = "rita", .title = "t"}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("project")));
  EXPECT_THAT(store_->CreateRequest({.project = "diab", .author = "rita", .title = ""}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("title")));
  // Raw SQL: a request id not <project>-e<n>, a tenth state, a frame name.
  const std::string insert =
      "INSERT INTO export_request (id, project, author, title, state, revision, created_at_us, wrapped_dek) VALUES ";
  EXPECT_OK(Sql(insert + "('diab-e7', 'diab', 'rita', 't', 'draft', 1, 0, X'01')"));
  for (const char* row : {"('diab-e07', 'diab', 'rita', 't', 'draft', 1, 0, X'01')",
                          "('other-e1', 'diab', 'rita', 't', 'draft', 1, 0, X'01')",
                          "('diab-e8', 'diab', 'rita', 't', 'sent', 1, 0, X'01')",
                          "('diab-x9', 'diab', 'rita', 't', 'draft', 1, 0, X'01')"}) {
    EXPECT_THAT(Sql(insert + row), Not(::hdhub::testing::IsOk())) << row;
  }
  EXPECT_THAT(Sql("INSERT INTO export_frame (project, name, spec_json, sql_sha256, created_by, created_at_us) "
                  "VALUES ('diab', 'Bad Name', '{}', '" +
                  std::string(64, 'b') + "', 'rita', 0)"),
              StatusIs(StatusCode::kFailedPrecondition));
}

TEST_F(ExportStoreTest, CreateRequestAllocatesTheNextIdOfItsProject) {
  EXPECT_EQ(NewRequest(), "diab-e1");
  EXPECT_EQ(NewRequest(), "diab-e2");
  EXPECT_EQ(NewRequest("obes"), "obes-e1");
  EXPECT_EQ(NewRequest(), "diab-e3");
  ASSERT_OK_AND_ASSIGN(RequestRecord r, store_->GetRequest("diab-e2"));
  EXPECT_EQ(r.project, "diab");
  EXPECT_EQ(r.author, "rita");
  EXPECT_EQ(r.title, "Diabetes drugs by age");
  EXPECT_EQ(r.state, RequestState::kDraft);
  EXPECT_EQ(r.revision, 1);
  EXPECT_EQ(r.created_at_us, 1000);
  EXPECT_EQ(r.wrapped_dek, (Bytes{1, 2, 3}));
  EXPECT_THAT(store_->GetRequest("diab-e9"), StatusIs(StatusCode::kNotFound, HasSubstr("diab-e9")));

  ASSERT_OK(store_->SetState("diab-e2", RequestState::kDraft, RequestState::kSubmitted));
  auto ids = [](const std::vector<RequestRecord>& rs) {
    std::vector<std::string> out;
    for (const RequestRecord& r : rs) out.push_back(r.id);
    return out;
  };
  ASSERT_OK_AND_ASSIGN(std::vector<RequestRecord> all, store_->ListRequests(std::nullopt, std::nullopt));
  EXPECT_THAT(ids(all), ElementsAre("diab-e1", "diab-e2", "obes-e1", "diab-e3"));
  ASSERT_OK_AND_ASSIGN(all, store_->ListRequests("diab", std::nullopt));
  EXPECT_THAT(ids(all), ElementsAre("diab-e1", "diab-e2", "diab-e3"));
  ASSERT_OK_AND_ASSIGN(all, store_->ListRequests("diab", RequestState::kSubmitted));
  EXPECT_THAT(ids(all), ElementsAre("diab-e2"));
  ASSERT_OK_AND_ASSIGN(all, store_->ListRequests(std::nullopt, RequestState::kDraft));
  EXPECT_THAT(ids(all), ElementsAre("diab-e1", "obes-e1", "diab-e3"));
}

TEST_F(ExportStoreTest, SetStateFromAStateItIsNotInIsRefused) {
  const std::string id = NewRequest();
  EXPECT_THAT(store_->SetState(id, RequestState::kSubmitted, RequestState::kApproved),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr(id)));
  EXPECT_THAT(store_->GetRequest(id), IsOkAndHolds(::testing::Field(&RequestRecord::state, RequestState::kDraft)));
  EXPECT_THAT(store_->SetState("diab-e9", RequestState::kDraft, RequestState::kSubmitted),
              StatusIs(StatusCode::kNotFound));
  EXPECT_OK(store_->SetState(id, RequestState::kDraft, RequestState::kSubmitted));
}

TEST_F(ExportStoreTest, AFinalStateIsFrozenThroughTheApiAndRawSql) {
  const std::string id = NewRequest();
  ASSERT_OK(store_->SetState(id, RequestState::kDraft, RequestState::kWithdrawn));
  EXPECT_THAT(store_->SetState(id, RequestState::kWithdrawn, RequestState::kDraft),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("final")));
  EXPECT_THAT(Sql("UPDATE export_request SET state = 'draft' WHERE id = '" + id + "'"),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("never changes")));
  EXPECT_THAT(Sql("UPDATE export_request SET title = 'other' WHERE id = '" + id + "'"),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(store_->AppendRevision(Revision(id, 2)), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(store_->AppendOutput(Output(id, 1, "t1")), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(Sql("DELETE FROM export_request"), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("deleted")));
  // The project's end still destroys the request's key, and nothing puts it back.
  ASSERT_OK(store_->DestroyRequestKey(id));
  EXPECT_THAT(store_->GetRequest(id), IsOkAndHolds(::testing::Field(&RequestRecord::wrapped_dek, Bytes{})));
  EXPECT_THAT(Sql("UPDATE export_request SET wrapped_dek = X'01' WHERE id = '" + id + "'"),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(store_->GetRequest(id), IsOkAndHolds(::testing::Field(&RequestRecord::state, RequestState::kWithdrawn)));
}

TEST_F(ExportStoreTest, RevisionsFollowEachOtherAndBecomeCurrent) {
  const std::string id = NewRequest();
  EXPECT_THAT(store_->AppendRevision(Revision(id, 3)), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("1, 2")));
  EXPECT_THAT(store_->AppendRevision(Revision(id, 1)), StatusIs(StatusCode::kFailedPrecondition));
  RevisionRecord short_salt = Revision(id, 2);
  short_salt.manifest_salt.pop_back();
  EXPECT_THAT(store_->AppendRevision(short_salt), StatusIs(StatusCode::kInvalidArgument, HasSubstr("salt")));
  ASSERT_OK(store_->AppendRevision(Revision(id, 2)));
  EXPECT_THAT(store_->GetRequest(id), IsOkAndHolds(::testing::Field(&RequestRecord::revision, 2)));
  ASSERT_OK_AND_ASSIGN(std::vector<RevisionRecord> revs, store_->ListRevisions(id));
  ASSERT_EQ(revs.size(), 2u);
  EXPECT_EQ(revs[1].revision, 2);
  EXPECT_EQ(revs[1].manifest_salt, Bytes(32, 7));
  EXPECT_EQ(revs[1].manifest_json, R"({"outputs":[]})");
  EXPECT_THAT(Sql("UPDATE export_request SET revision = 1 WHERE id = '" + id + "'"),
              StatusIs(StatusCode::kFailedPrecondition));
}

TEST_F(ExportStoreTest, OutputsRoundTripAndJoinOnlyTheCurrentRevision) {
  const std::string id = NewRequest();
  ASSERT_OK(store_->AppendOutput(Output(id, 1, "t2")));
  ASSERT_OK(store_->AppendOutput(Output(id, 1, "t1")));
  EXPECT_THAT(store_->AppendOutput(Output(id, 1, "t1")), StatusIs(StatusCode::kAlreadyExists));
  OutputRecord bad = Output(id, 1, "t3");
  bad.format = "xlsx";
  EXPECT_THAT(store_->AppendOutput(bad), StatusIs(StatusCode::kInvalidArgument, HasSubstr("format")));
  ASSERT_OK_AND_ASSIGN(std::vector<OutputRecord> outs, store_->ListOutputs(id, 1));
  ASSERT_EQ(outs.size(), 2u);
  EXPECT_EQ(outs[0].name, "t1");
  EXPECT_EQ(outs[0].kind, RequestOutputKind::kTable);
  EXPECT_EQ(outs[0].format, "csv");
  EXPECT_EQ(outs[0].bytes, 120);
  EXPECT_EQ(outs[0].sha256, std::string(64, 'a'));
  EXPECT_EQ(outs[0].verdict_json, R"({"outcome":"pass"})");
  EXPECT_EQ(outs[0].logical_name, "projects/diab/exports/diab-e1/r1/t1");
  ASSERT_OK(store_->AppendRevision(Revision(id, 2)));
  EXPECT_THAT(store_->AppendOutput(Output(id, 1, "t3")), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(store_->ListOutputs(id, 2), IsOkAndHolds(::testing::IsEmpty()));
}

TEST_F(ExportStoreTest, AtMostTwoReviewsPerRevisionNeverByTheAuthor) {
  const std::string id = NewRequest();
  ASSERT_OK(store_->AppendReview(id, Review("chloe", 1)));
  EXPECT_THAT(store_->AppendReview(id, Review("chloe", 1)), StatusIs(StatusCode::kAlreadyExists));
  Status by_author = store_->AppendReview(id, Review("rita", 1));
  EXPECT_THAT(by_author, StatusIs(StatusCode::kFailedPrecondition, HasSubstr("author")));
  EXPECT_THAT(by_author.message(), Not(HasSubstr("rita")));  // no person in an error
  ASSERT_OK(store_->AppendReview(id, Review("carl", 1)));
  EXPECT_THAT(store_->AppendReview(id, Review("cora", 1)), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("two")));
  EXPECT_THAT(Sql("INSERT INTO export_review VALUES ('" + id + "', 1, 'cora', '[]', 0)"),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("two")));
  ASSERT_OK(store_->AppendRevision(Revision(id, 2)));
  EXPECT_THAT(Sql("INSERT INTO export_review VALUES ('" + id + "', 2, 'rita', '[]', 0)"),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("author")));
  EXPECT_THAT(store_->AppendReview(id, Review("cora", 1)), StatusIs(StatusCode::kFailedPrecondition));
  ASSERT_OK(store_->AppendReview(id, Review("cora", 2)));

  ASSERT_OK_AND_ASSIGN(std::vector<CheckerReview> reviews, store_->ListReviews(id));
  ASSERT_EQ(reviews.size(), 3u);
  EXPECT_EQ(reviews[0].checker, "chloe");
  EXPECT_EQ(reviews[2].checker, "cora");
  EXPECT_EQ(reviews[2].revision, 2);
  EXPECT_EQ(reviews[2].at_us, 2000);
  ASSERT_EQ(reviews[2].decisions.size(), 1u);
  EXPECT_EQ(reviews[2].decisions[0].output, "t1");
  EXPECT_EQ(reviews[2].decisions[0].decision, OutputDecision::kApprove);
  EXPECT_EQ(reviews[2].decisions[0].comment, "fine");
}

TEST_F(ExportStoreTest, DecisionsRoundTripOnePerRevision) {
  const std::string id = NewRequest();
  DecisionRecord ret{.reject = false, .actor = "chloe", .revision = 1, .text = "too fine", .at_us = 3000};
  ASSERT_OK(store_->AppendDecision(id, ret));
  EXPECT_THAT(store_->AppendDecision(id, ret), StatusIs(StatusCode::kAlreadyExists));
  ASSERT_OK(store_->AppendRevision(Revision(id, 2)));
  DecisionRecord hub{.actor = "hub", .revision = 2, .reason = DecisionReason::kHistoryChanged, .at_us = 4000};
  ASSERT_OK(store_->AppendDecision(id, hub));
  ASSERT_OK_AND_ASSIGN(std::vector<DecisionRecord> ds, store_->ListDecisions(id));
  ASSERT_EQ(ds.size(), 2u);
  EXPECT_FALSE(ds[0].reject);
  EXPECT_EQ(ds[0].actor, "chloe");
  EXPECT_EQ(ds[0].reason, DecisionReason::kChecker);
  EXPECT_EQ(ds[0].text, "too fine");
  EXPECT_EQ(ds[1].reason, DecisionReason::kHistoryChanged);
  EXPECT_EQ(ds[1].at_us, 4000);
  // Only the hub returns for a changed recomputation.
  ASSERT_OK(store_->AppendRevision(Revision(id, 3)));
  EXPECT_THAT(store_->AppendDecision(id, {.actor = "chloe", .revision = 3, .reason = DecisionReason::kDataChanged}),
              StatusIs(StatusCode::kFailedPrecondition));
}

TEST_F(ExportStoreTest, WriteAtomicallyRollsEveryCallBackOnError) {
  const std::string id = NewRequest();
  Status status = store_->WriteAtomically([&]() -> Status {
    RETURN_IF_ERROR(store_->AppendRevision(Revision(id, 2)));
    RETURN_IF_ERROR(store_->SetState(id, RequestState::kDraft, RequestState::kSubmitted));
    EXPECT_THAT(store_->GetRequest(id), IsOkAndHolds(::testing::Field(&RequestRecord::revision, 2)));
    EXPECT_THAT(store_->WriteAtomically([] { return OkStatus(); }), StatusIs(StatusCode::kFailedPrecondition));
    return UnavailableError("the log append failed");
  });
  EXPECT_THAT(status, StatusIs(StatusCode::kUnavailable));
  ASSERT_OK_AND_ASSIGN(RequestRecord r, store_->GetRequest(id));
  EXPECT_EQ(r.revision, 1);
  EXPECT_EQ(r.state, RequestState::kDraft);
  EXPECT_EQ(Count("export_revision"), 1);
  ASSERT_OK(store_->WriteAtomically([&]() -> Status {
    RETURN_IF_ERROR(store_->AppendRevision(Revision(id, 2)));
    return store_->SetState(id, RequestState::kDraft, RequestState::kSubmitted);
  }));
  EXPECT_EQ(Count("export_revision"), 2);
}

}  // namespace
}  // namespace hdhub::exports
