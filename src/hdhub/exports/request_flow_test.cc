#include "hdhub/exports/request_flow.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

#include "hdhub/audit/event.h"
#include "hdhub/common/bytes.h"
#include "hdhub/common/status_matchers.h"
#include "hdhub/crypto/hash.h"

namespace hdhub::exports {
namespace {

using ::hdhub::testing::IsOk;
using ::hdhub::testing::IsOkAndHolds;
using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int64_t kT0 = 1'700'000'000'000'000;

const Actor kAuthor{.account = "alice", .member = true, .granted = true};
const Actor kColleague{.account = "bob", .member = true, .granted = true};
const Actor kCarol{.account = "carol", .member = false, .granted = true};
const Actor kDave{.account = "dave", .member = false, .granted = true};
const Actor kErin{.account = "erin", .member = false, .granted = true};

RequestOutput Table(std::string name) { return RequestOutput{.name = std::move(name)}; }
RequestOutput Custom(std::string name) {
  return RequestOutput{.name = std::move(name), .kind = RequestOutputKind::kCustom, .explanation_given = true};
}

// The record after `step`, failing the test (and returning an empty record)
// when the step failed.
ExportRequestRecord Next(const StatusOr<Step>& step) {
  EXPECT_THAT(step, IsOk());
  return step.ok() ? step->record : ExportRequestRecord{};
}

ExportRequestRecord Draft(std::vector<RequestOutput> outputs = {Table("t1"), Table("t2")}) {
  return Next(Create(CreateAction{.id = "p1-e1", .project = "p1", .outputs = std::move(outputs)}, kAuthor, kT0));
}

ExportRequestRecord Submitted(std::vector<RequestOutput> outputs = {Table("t1"), Table("t2")}) {
  return Next(Apply(Draft(std::move(outputs)), SubmitAction{}, kAuthor, kT0 + 1));
}

// A review of the record's current revision deciding every output alike.
ReviewAction ReviewAll(const ExportRequestRecord& r, OutputDecision decision = OutputDecision::kApprove) {
  ReviewAction a{.revision = r.revision};
  for (const RequestOutput& o : r.outputs) {
    a.decisions.push_back({.output = o.name, .decision = decision, .comment = "checked the margins"});
  }
  return a;
}

ExportRequestRecord Reviewed(const ExportRequestRecord& r, const Actor& checker,
                             OutputDecision decision = OutputDecision::kApprove) {
  return Next(Apply(r, ReviewAll(r, decision), checker, kT0 + 2));
}

ExportRequestRecord Approved() { return Reviewed(Reviewed(Submitted(), kCarol), kDave); }

TEST(ExportStateTest, StateNamesAreStableAndReadBack) {
  std::vector<std::string> names;
  for (RequestState s : {RequestState::kDraft, RequestState::kSubmitted, RequestState::kPartiallyReviewed,
                         RequestState::kReviewed, RequestState::kApproved, RequestState::kReleased,
                         RequestState::kReturned, RequestState::kRejected, RequestState::kWithdrawn}) {
    EXPECT_THAT(ParseRequestState(ToString(s)), IsOkAndHolds(s));
    names.emplace_back(ToString(s));
  }
  EXPECT_EQ(names, (std::vector<std::string>{"draft", "submitted", "partially_reviewed", "reviewed", "approved",
                                             "released", "returned", "rejected", "withdrawn"}));
  EXPECT_THAT(ParseRequestState("Approved"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseOutputDecision("approve"), IsOkAndHolds(OutputDecision::kApprove));
  EXPECT_THAT(ParseOutputDecision("accept"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("approve, changes or reject")));
  EXPECT_THAT(ParseRequestOutputKind("figure"), IsOkAndHolds(RequestOutputKind::kFigure));
}

// Row 1: — create → draft, by a member with the grant.
TEST(ExportStateTest, CreateMakesADraftAtRevisionOne) {
  ASSERT_OK_AND_ASSIGN(Step step,
                       Create(CreateAction{.id = "p1-e7", .project = "p1", .outputs = {Table("t1")}}, kAuthor, kT0));
  EXPECT_EQ(step.record.state, RequestState::kDraft);
  EXPECT_EQ(step.record.revision, 1);
  EXPECT_EQ(step.record.author, "alice");
  EXPECT_EQ(step.transition.action, "airlock.request");
  EXPECT_EQ(step.transition.details["op"], "create");
  EXPECT_EQ(step.transition.details["state_to"], "draft");
  EXPECT_FALSE(step.transition.details.contains("state_from"));
}

TEST(ExportStateTest, CreateRefusesNonMembersAndMalformedInput) {
  CreateAction ok{.id = "p1-e1", .project = "p1", .outputs = {Table("t1")}};
  EXPECT_THAT(Create(ok, kCarol, kT0), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(Create(ok, Actor{.account = "alice", .member = true, .granted = false}, kT0),
              StatusIs(StatusCode::kPermissionDenied));
  CreateAction bad_id = ok;
  bad_id.id = "p2-e1";
  EXPECT_THAT(Create(bad_id, kAuthor, kT0), StatusIs(StatusCode::kInvalidArgument, HasSubstr("<project>-e<n>")));
  CreateAction bad_name = ok;
  bad_name.outputs = {Table("t1"), Table("Secret Name")};
  EXPECT_THAT(Create(bad_name, kAuthor, kT0),
              StatusIs(StatusCode::kInvalidArgument, AllOf(HasSubstr("output 2"), Not(HasSubstr("Secret")))));
  CreateAction twice = ok;
  twice.outputs = {Table("t1"), Table("t1")};
  EXPECT_THAT(Create(twice, kAuthor, kT0), StatusIs(StatusCode::kInvalidArgument, HasSubstr("t1")));
}

// Row 2: draft, returned — change → same state, revision + 1.
TEST(ExportStateTest, ChangeOfADraftKeepsItADraftAtTheNextRevision) {
  ExportRequestRecord r = Next(Apply(Draft(), ChangeAction{.outputs = {Table("t3")}}, kAuthor, kT0 + 1));
  EXPECT_EQ(r.state, RequestState::kDraft);
  EXPECT_EQ(r.revision, 2);
  ASSERT_EQ(r.outputs.size(), 1u);
  EXPECT_EQ(r.outputs[0].name, "t3");
}

TEST(ExportStateTest, ChangeOnlyByTheAuthorWhileAMember) {
  ExportRequestRecord r = Submitted();
  EXPECT_THAT(Apply(r, ChangeAction{.outputs = {Table("t1")}}, kColleague, kT0),
              StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(Apply(r, ChangeAction{.outputs = {Table("t1")}}, kCarol, kT0), StatusIs(StatusCode::kPermissionDenied));
  Actor left = kAuthor;
  left.member = false;
  EXPECT_THAT(Apply(r, ChangeAction{.outputs = {Table("t1")}}, left, kT0), StatusIs(StatusCode::kPermissionDenied));
}

// Row 3: submitted … approved — change → submitted: no earlier review counts.
TEST(ExportStateTest, ChangeAfterOneReviewNeedsTwoNew) {
  ExportRequestRecord r = Reviewed(Submitted(), kCarol);
  ASSERT_EQ(r.state, RequestState::kPartiallyReviewed);
  r = Next(Apply(r, ChangeAction{.outputs = {Table("t1"), Table("t2")}}, kAuthor, kT0 + 3));
  EXPECT_EQ(r.state, RequestState::kSubmitted);
  EXPECT_EQ(r.revision, 2);
  EXPECT_TRUE(CurrentReviews(r).empty());
  // Carol's review was of revision 1: she may review revision 2, and hers
  // is again only the first.
  r = Reviewed(r, kDave);
  EXPECT_EQ(r.state, RequestState::kPartiallyReviewed);
  r = Reviewed(r, kCarol);
  EXPECT_EQ(r.state, RequestState::kApproved);
}

TEST(ExportStateTest, ChangeAfterApprovalVoidsIt) {
  ExportRequestRecord r = Approved();
  ASSERT_EQ(r.state, RequestState::kApproved);
  r = Next(Apply(r, ChangeAction{.outputs = {Table("t1"), Table("t2")}}, kAuthor, kT0 + 3));
  EXPECT_EQ(r.state, RequestState::kSubmitted);
  EXPECT_EQ(r.revision, 2);
  EXPECT_THAT(Apply(r, ReleaseAction{}, kAuthor, kT0 + 4), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_EQ(Reviewed(r, kErin).state, RequestState::kPartiallyReviewed);
}

TEST(ExportStateTest, ChangeFromReviewedGoesBackToSubmitted) {
  ExportRequestRecord r = Reviewed(Reviewed(Submitted(), kCarol), kDave, OutputDecision::kChanges);
  ASSERT_EQ(r.state, RequestState::kReviewed);
  r = Next(Apply(r, ChangeAction{.outputs = {Table("t1")}}, kAuthor, kT0 + 3));
  EXPECT_EQ(r.state, RequestState::kSubmitted);
  EXPECT_TRUE(CurrentReviews(r).empty());
}

// A change that leaves the request with the checkers meets submit's conditions.
TEST(ExportStateTest, ChangeWhileSubmittedRefusesWhatSubmitRefuses) {
  ExportRequestRecord r = Submitted();
  RequestOutput refused = Table("t1");
  refused.refused = true;
  EXPECT_THAT(Apply(r, ChangeAction{.outputs = {refused}}, kAuthor, kT0),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("t1")));
  EXPECT_THAT(Apply(r, ChangeAction{.outputs = {}}, kAuthor, kT0), StatusIs(StatusCode::kFailedPrecondition));
  // In a draft, a refused output may wait for its repair.
  EXPECT_EQ(Next(Apply(Draft(), ChangeAction{.outputs = {refused}}, kAuthor, kT0)).state, RequestState::kDraft);
}

// Row 4: draft, returned — submit → submitted.
TEST(ExportStateTest, SubmitNeedsOutputsNoneRefusedAndExplanations) {
  EXPECT_THAT(Apply(Draft({}), SubmitAction{}, kAuthor, kT0), StatusIs(StatusCode::kFailedPrecondition));
  RequestOutput refused = Table("t2");
  refused.refused = true;
  EXPECT_THAT(Apply(Draft({Table("t1"), refused}), SubmitAction{}, kAuthor, kT0),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("t2")));
  RequestOutput unexplained = Custom("notes");
  unexplained.explanation_given = false;
  EXPECT_THAT(Apply(Draft({unexplained}), SubmitAction{}, kAuthor, kT0),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("notes")));
  ExportRequestRecord r = Next(Apply(Draft({Custom("notes")}), SubmitAction{}, kAuthor, kT0));
  EXPECT_EQ(r.state, RequestState::kSubmitted);
  EXPECT_EQ(r.revision, 1);
  EXPECT_THAT(Apply(Draft(), SubmitAction{}, kColleague, kT0), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(Apply(r, SubmitAction{}, kAuthor, kT0), StatusIs(StatusCode::kFailedPrecondition));
}

TEST(ExportStateTest, ReturnedRequestNeedsTwoNewReviews) {
  ExportRequestRecord r = Reviewed(Reviewed(Submitted(), kCarol), kDave, OutputDecision::kChanges);
  r = Next(Apply(r, ReturnAction{.revision = r.revision, .reason = "label the margins"}, kDave, kT0 + 3));
  ASSERT_EQ(r.state, RequestState::kReturned);
  // Resubmitted unchanged: a new revision, which no review covers.
  ExportRequestRecord again = Next(Apply(r, SubmitAction{}, kAuthor, kT0 + 4));
  EXPECT_EQ(again.state, RequestState::kSubmitted);
  EXPECT_EQ(again.revision, 2);
  EXPECT_TRUE(CurrentReviews(again).empty());
  EXPECT_EQ(Reviewed(again, kCarol).state, RequestState::kPartiallyReviewed);
  // Changed since the return: the change made the new revision already.
  ExportRequestRecord changed = Next(Apply(r, ChangeAction{.outputs = {Table("t1")}}, kAuthor, kT0 + 4));
  EXPECT_EQ(changed.state, RequestState::kReturned);
  EXPECT_EQ(changed.revision, 2);
  EXPECT_EQ(Next(Apply(changed, SubmitAction{}, kAuthor, kT0 + 5)).revision, 2);
}

// Row 5: any but final — withdraw → withdrawn, by the author.
TEST(ExportStateTest, WithdrawFromAnyStateButFinalByTheAuthor) {
  ExportRequestRecord returned = Next(Apply(Submitted(), ReturnAction{.revision = 1, .reason = "r"}, kCarol, kT0));
  for (const ExportRequestRecord& r : {Draft(), Submitted(), Reviewed(Submitted(), kCarol), Approved(), returned}) {
    EXPECT_THAT(Apply(r, WithdrawAction{}, kCarol, kT0), StatusIs(StatusCode::kPermissionDenied));
    ASSERT_OK_AND_ASSIGN(Step step, Apply(r, WithdrawAction{}, kAuthor, kT0));
    EXPECT_EQ(step.record.state, RequestState::kWithdrawn);
    EXPECT_EQ(step.transition.details["op"], "withdraw");
    EXPECT_EQ(step.transition.details["state_from"], ToString(r.state));
  }
}

// Row 6: submitted — review → partially_reviewed, by C ≠ A, not a member.
TEST(ExportStateTest, AuthorCannotReview) {
  ExportRequestRecord r = Submitted();
  EXPECT_THAT(Apply(r, ReviewAll(r), kAuthor, kT0), StatusIs(StatusCode::kPermissionDenied, HasSubstr("author")));
  // Nor once she has left the project and holds the checker's grant.
  Actor left{.account = "alice", .member = false, .granted = true};
  EXPECT_THAT(Apply(r, ReviewAll(r), left, kT0), StatusIs(StatusCode::kPermissionDenied, HasSubstr("author")));
}

TEST(ExportStateTest, MemberCheckerCannotReview) {
  ExportRequestRecord r = Submitted();
  EXPECT_THAT(Apply(r, ReviewAll(r), kColleague, kT0), StatusIs(StatusCode::kPermissionDenied, HasSubstr("member")));
  EXPECT_THAT(Apply(r, ReviewAll(r), Actor{.account = "zoe", .member = false, .granted = false}, kT0),
              StatusIs(StatusCode::kPermissionDenied));
}

TEST(ExportStateTest, OneApprovalIsPartial) {
  ASSERT_OK_AND_ASSIGN(Step step, Apply(Submitted(), ReviewAll(Submitted()), kCarol, kT0));
  EXPECT_EQ(step.record.state, RequestState::kPartiallyReviewed);
  EXPECT_EQ(step.transition.action, "airlock.review");
  EXPECT_EQ(step.transition.details["review"], 1);
  EXPECT_EQ(step.transition.details["approve"], 2);
  EXPECT_THAT(Apply(step.record, ReleaseAction{}, kAuthor, kT0), StatusIs(StatusCode::kFailedPrecondition));
}

// Row 7: partially_reviewed — review → approved: two distinct Cs approve all.
TEST(ExportStateTest, TwoApprovalsByDistinctCheckersApprove) {
  ASSERT_OK_AND_ASSIGN(Step step, Apply(Reviewed(Submitted(), kCarol), ReviewAll(Submitted()), kDave, kT0));
  EXPECT_EQ(step.record.state, RequestState::kApproved);
  EXPECT_EQ(step.transition.details["review"], 2);
  EXPECT_EQ(step.transition.details["state_to"], "approved");
}

TEST(ExportStateTest, SameCheckerTwiceRefused) {
  ExportRequestRecord r = Reviewed(Submitted(), kCarol);
  EXPECT_THAT(Apply(r, ReviewAll(r), kCarol, kT0), StatusIs(StatusCode::kPermissionDenied, HasSubstr("already")));
  EXPECT_EQ(r.state, RequestState::kPartiallyReviewed);
}

// Row 8: partially_reviewed — review → reviewed: anything else.
TEST(ExportStateTest, DisagreementIsNotApproval) {
  ExportRequestRecord r = Reviewed(Reviewed(Submitted(), kCarol), kDave, OutputDecision::kChanges);
  EXPECT_EQ(r.state, RequestState::kReviewed);
  // One output short of unanimous is still not an approval.
  ExportRequestRecord partial = Reviewed(Submitted(), kCarol);
  ReviewAction mixed = ReviewAll(partial);
  mixed.decisions[1].decision = OutputDecision::kReject;
  EXPECT_EQ(Next(Apply(partial, mixed, kDave, kT0)).state, RequestState::kReviewed);
  // Nothing turns reviewed into approved: neither a third checker nor the author.
  EXPECT_THAT(Apply(r, ReviewAll(r), kErin, kT0), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(Apply(r, ReleaseAction{}, kAuthor, kT0), StatusIs(StatusCode::kFailedPrecondition));
}

TEST(ExportStateTest, ReviewOfOlderRevisionRefused) {
  ExportRequestRecord r = Submitted();
  ReviewAction read = ReviewAll(r);
  r = Next(Apply(r, ChangeAction{.outputs = {Table("t1"), Table("t2")}}, kAuthor, kT0));
  EXPECT_THAT(Apply(r, read, kCarol, kT0),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("request changed since you read it")));
  read.revision = 9;
  EXPECT_THAT(Apply(r, read, kCarol, kT0), StatusIs(StatusCode::kInvalidArgument));
}

TEST(ExportStateTest, ReviewDecidesEveryOutputOnce) {
  ExportRequestRecord r = Submitted();
  ReviewAction missing = ReviewAll(r);
  missing.decisions.pop_back();
  EXPECT_THAT(Apply(r, missing, kCarol, kT0), StatusIs(StatusCode::kInvalidArgument, HasSubstr("t2")));
  ReviewAction twice = ReviewAll(r);
  twice.decisions[1].output = "t1";
  EXPECT_THAT(Apply(r, twice, kCarol, kT0), StatusIs(StatusCode::kInvalidArgument, HasSubstr("t1")));
  ReviewAction unknown = ReviewAll(r);
  unknown.decisions[1].output = "Not An Output";
  EXPECT_THAT(Apply(r, unknown, kCarol, kT0), StatusIs(StatusCode::kInvalidArgument, Not(HasSubstr("Not An"))));
}

TEST(ExportStateTest, CommentsRequiredWhereTheDesignSays) {
  RequestOutput flagged = Table("t2");
  flagged.review_findings = true;
  RequestOutput figure{.name = "fig", .kind = RequestOutputKind::kFigure};
  ExportRequestRecord r = Submitted({Table("t1"), flagged, figure, Custom("notes")});
  ReviewAction a = ReviewAll(r);
  for (OutputReview& d : a.decisions) d.comment.clear();
  // A plain table needs no reason to be approved ...
  ReviewAction plain = ReviewAll(r);
  plain.decisions[0].comment.clear();
  EXPECT_THAT(Apply(r, plain, kCarol, kT0), IsOk());
  // ... but review findings, figures and custom outputs do, and so do changes and reject.
  for (size_t i = 1; i < a.decisions.size(); ++i) {
    ReviewAction one = ReviewAll(r);
    one.decisions[i].comment = " \n";
    EXPECT_THAT(Apply(r, one, kCarol, kT0),
                StatusIs(StatusCode::kInvalidArgument, HasSubstr("output " + r.outputs[i].name)));
  }
  for (OutputDecision d : {OutputDecision::kChanges, OutputDecision::kReject}) {
    ReviewAction one = ReviewAll(r);
    one.decisions[0] = {.output = "t1", .decision = d, .comment = ""};
    EXPECT_THAT(Apply(r, one, kCarol, kT0), StatusIs(StatusCode::kInvalidArgument, HasSubstr("comment")));
  }
}

TEST(ExportStateTest, ReviewOnlyWhileWithTheCheckers) {
  ExportRequestRecord d = Draft();
  EXPECT_THAT(Apply(d, ReviewAll(d), kCarol, kT0), StatusIs(StatusCode::kFailedPrecondition));
  ExportRequestRecord a = Approved();
  EXPECT_THAT(Apply(a, ReviewAll(a), kErin, kT0), StatusIs(StatusCode::kFailedPrecondition));
}

// Row 9: submitted, partially_reviewed, reviewed — return (reason) → returned.
TEST(ExportStateTest, CheckerReturnsWithAReason) {
  ExportRequestRecord reviewed = Reviewed(Reviewed(Submitted(), kCarol), kDave, OutputDecision::kChanges);
  for (const ExportRequestRecord& r : {Submitted(), Reviewed(Submitted(), kCarol), reviewed}) {
    ASSERT_OK_AND_ASSIGN(Step step, Apply(r, ReturnAction{.revision = r.revision, .reason = "why"}, kErin, kT0));
    EXPECT_EQ(step.record.state, RequestState::kReturned);
    ASSERT_EQ(step.record.decisions.size(), 1u);
    EXPECT_EQ(step.record.decisions[0].text, "why");
    EXPECT_EQ(step.transition.action, "airlock.decide");
    EXPECT_EQ(step.transition.details["op"], "return");
    EXPECT_EQ(step.transition.details["reason"], "checker");
  }
  ExportRequestRecord r = Submitted();
  EXPECT_THAT(Apply(r, ReturnAction{.revision = 1, .reason = " "}, kErin, kT0), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Apply(r, ReturnAction{.revision = 1, .reason = "x"}, kAuthor, kT0),
              StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(Apply(r, ReturnAction{.revision = 1, .reason = "x"}, kColleague, kT0),
              StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(Apply(Approved(), ReturnAction{.revision = 1, .reason = "x"}, kErin, kT0),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(Apply(Draft(), ReturnAction{.revision = 1, .reason = "x"}, kErin, kT0),
              StatusIs(StatusCode::kFailedPrecondition));
}

TEST(ExportStateTest, ReturnAndRejectNameTheRevisionRead) {
  ExportRequestRecord r = Submitted();
  r = Next(Apply(r, ChangeAction{.outputs = {Table("t1")}}, kAuthor, kT0));
  EXPECT_THAT(Apply(r, ReturnAction{.revision = 1, .reason = "x"}, kErin, kT0),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("request changed since you read it")));
  r = Reviewed(r, kCarol);
  ReviewAction rejecting = ReviewAll(r, OutputDecision::kReject);
  r = Next(Apply(r, rejecting, kDave, kT0));
  ASSERT_EQ(r.state, RequestState::kReviewed);
  EXPECT_THAT(Apply(r, RejectAction{.revision = 1, .reason = "x"}, kDave, kT0),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("request changed since you read it")));
  EXPECT_THAT(Apply(r, RejectAction{.revision = 2, .reason = "x"}, kDave, kT0), IsOk());
}

// Row 10: reviewed — reject (reason) → rejected, by a C who reviewed it.
TEST(ExportStateTest, RejectOnlyByACheckerWhoReviewedARejection) {
  ExportRequestRecord partial = Reviewed(Submitted(), kCarol);
  ReviewAction mixed = ReviewAll(partial);
  mixed.decisions[0].decision = OutputDecision::kReject;
  ExportRequestRecord r = Next(Apply(partial, mixed, kDave, kT0));
  ASSERT_EQ(r.state, RequestState::kReviewed);
  EXPECT_THAT(Apply(r, RejectAction{.revision = 1, .reason = "x"}, kErin, kT0),
              StatusIs(StatusCode::kPermissionDenied, HasSubstr("reviewed")));
  EXPECT_THAT(Apply(r, RejectAction{.revision = 1, .reason = ""}, kCarol, kT0), StatusIs(StatusCode::kInvalidArgument));
  ASSERT_OK_AND_ASSIGN(Step step, Apply(r, RejectAction{.revision = 1, .reason = "identifies a ward"}, kCarol, kT0));
  EXPECT_EQ(step.record.state, RequestState::kRejected);
  EXPECT_EQ(step.transition.details["op"], "reject");
  // Without a rejecting review there is nothing to reject; before reviewed, neither.
  ExportRequestRecord changes = Reviewed(Reviewed(Submitted(), kCarol), kDave, OutputDecision::kChanges);
  EXPECT_THAT(Apply(changes, RejectAction{.revision = 1, .reason = "x"}, kCarol, kT0),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(Apply(partial, RejectAction{.revision = 1, .reason = "x"}, kCarol, kT0),
              StatusIs(StatusCode::kFailedPrecondition));
}

// Row 11: approved — release → released, by the author.
TEST(ExportStateTest, ReleaseOnlyFromApprovedOnlyByTheAuthor) {
  ExportRequestRecord r = Approved();
  EXPECT_THAT(Apply(r, ReleaseAction{}, kColleague, kT0), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(Apply(r, ReleaseAction{}, kCarol, kT0), StatusIs(StatusCode::kPermissionDenied));
  for (const ExportRequestRecord& other : {Draft(), Submitted(), Reviewed(Submitted(), kCarol)}) {
    EXPECT_THAT(Apply(other, ReleaseAction{}, kAuthor, kT0), StatusIs(StatusCode::kFailedPrecondition));
  }
  ASSERT_OK_AND_ASSIGN(Step step, Apply(r, ReleaseAction{}, kAuthor, kT0 + 9));
  EXPECT_EQ(step.record.state, RequestState::kReleased);
  EXPECT_EQ(step.record.revision, r.revision);
  EXPECT_EQ(step.transition.action, "airlock.release");
  EXPECT_EQ(step.transition.details["reviewers"], (nlohmann::json{"carol", "dave"}));
}

// A record that claims approval without two approving reviews is not released.
TEST(ExportStateTest, ReleaseFailsClosedOnAnInconsistentRecord) {
  ExportRequestRecord r = Approved();
  r.reviews.pop_back();
  EXPECT_THAT(Apply(r, ReleaseAction{}, kAuthor, kT0), StatusIs(StatusCode::kInternal));
  ExportRequestRecord short_review = Approved();
  short_review.reviews.back().decisions.pop_back();
  EXPECT_THAT(Apply(short_review, ReleaseAction{}, kAuthor, kT0), StatusIs(StatusCode::kInternal));
}

// Row 12: approved — release, recomputation differs → returned, by the hub.
TEST(ExportStateTest, HubReturnsWhenTheRecomputationDiffers) {
  for (auto [outcome, reason] : {std::pair{Recomputation::kDataChanged, "data-changed"},
                                 std::pair{Recomputation::kHistoryChanged, "history-changed"}}) {
    ASSERT_OK_AND_ASSIGN(Step step, Apply(Approved(), ReleaseAction{.recomputation = outcome}, kAuthor, kT0));
    EXPECT_EQ(step.record.state, RequestState::kReturned);
    EXPECT_TRUE(step.transition.by_hub);
    EXPECT_EQ(step.transition.actor, "hub");
    EXPECT_EQ(step.transition.details["reason"], reason);
    ASSERT_EQ(step.record.decisions.size(), 1u);
    EXPECT_EQ(step.record.decisions[0].actor, "hub");
    // The approval covered bytes that no longer come out: two new reviews.
    ExportRequestRecord again = Next(Apply(step.record, SubmitAction{}, kAuthor, kT0 + 1));
    EXPECT_EQ(again.revision, 2);
    EXPECT_EQ(Reviewed(again, kCarol).state, RequestState::kPartiallyReviewed);
  }
}

TEST(ExportStateTest, FinalStatesRefuseEverything) {
  ExportRequestRecord reject_ready = Reviewed(Submitted(), kCarol);
  reject_ready = Reviewed(reject_ready, kDave, OutputDecision::kReject);
  std::vector<ExportRequestRecord> finals = {
      Next(Apply(Approved(), ReleaseAction{}, kAuthor, kT0)),
      Next(Apply(reject_ready, RejectAction{.revision = 1, .reason = "x"}, kDave, kT0)),
      Next(Apply(Submitted(), WithdrawAction{}, kAuthor, kT0))};
  for (const ExportRequestRecord& r : finals) {
    ASSERT_TRUE(IsFinal(r.state)) << ToString(r.state);
    std::vector<std::pair<Action, Actor>> attempts = {{ChangeAction{.outputs = {Table("t1")}}, kAuthor},
                                                      {SubmitAction{}, kAuthor},
                                                      {WithdrawAction{}, kAuthor},
                                                      {ReviewAll(r), kErin},
                                                      {ReturnAction{.revision = 1, .reason = "x"}, kDave},
                                                      {RejectAction{.revision = 1, .reason = "x"}, kDave},
                                                      {ReleaseAction{}, kAuthor}};
    for (const auto& [action, actor] : attempts) {
      EXPECT_THAT(Apply(r, action, actor, kT0), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("final")));
    }
  }
}

// What goes to the log validates as an event and holds no comment text.
TEST(ExportStateTest, TransitionsHoldNoTextOnlyItsHash) {
  RequestOutput figure{.name = "fig", .kind = RequestOutputKind::kFigure};
  ExportRequestRecord r = Submitted({figure});
  ReviewAction a = ReviewAll(r);
  a.decisions[0].comment = "the bar for ward 7 shows 3 patients";
  ASSERT_OK_AND_ASSIGN(Step step, Apply(r, a, kCarol, kT0));
  audit::Event event{.actor = step.transition.actor,
                     .role = "checker",
                     .action = step.transition.action,
                     .objects = {{"export_request", r.id}},
                     .project = r.project,
                     .details = step.transition.details};
  EXPECT_THAT(audit::ValidateEvent(event), IsOk());
  EXPECT_THAT(step.transition.details.dump(), Not(HasSubstr("ward")));
  std::optional<std::string> text = AuditFreeText(a);
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(step.transition.text_sha256, HexEncode(crypto::Sha256(AsBytes(*text))));
  EXPECT_EQ(AuditFreeText(SubmitAction{}), std::nullopt);
}

}  // namespace
}  // namespace hdhub::exports
