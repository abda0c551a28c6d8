// Random walks over the export request's state machine (fixed seed): after
// every step, accepted or refused, the invariants of docs/airlock-workflow.md
// §4 hold.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "hdhub/common/status_matchers.h"
#include "hdhub/exports/request_flow.h"

namespace hdhub::exports {
namespace {

constexpr uint32_t kSeed = 13;
constexpr int kWalks = 400;
constexpr int kStepsPerWalk = 40;

// alice is the author, bob and frank members (frank holds the checker's
// grant too), carol, dave and erin checkers from outside the project.
const std::vector<Actor> kActors = {
    {.account = "alice", .member = true, .granted = true}, {.account = "bob", .member = true, .granted = true},
    {.account = "frank", .member = true, .granted = true}, {.account = "carol", .member = false, .granted = true},
    {.account = "dave", .member = false, .granted = true}, {.account = "erin", .member = false, .granted = true},
    {.account = "zoe", .member = false, .granted = false}};
const std::set<std::string> kMembers = {"alice", "bob", "frank"};

class Walker {
 public:
  explicit Walker(uint32_t seed) : rng_(seed) {}

  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  bool Chance(int percent) { return Pick(100) < percent; }

  std::vector<RequestOutput> Outputs() {
    std::vector<RequestOutput> outputs;
    int n = Pick(4);
    for (int i = 0; i < n; ++i) {
      RequestOutput o{.name = "o" + std::to_string(i), .kind = static_cast<RequestOutputKind>(Pick(4))};
      o.refused = Chance(10);
      o.review_findings = Chance(30);
      o.explanation_given = Chance(85);
      outputs.push_back(o);
    }
    return outputs;
  }

  ReviewAction Review(const ExportRequestRecord& r) {
    ReviewAction a{.revision = Chance(85) ? r.revision : r.revision - 1 + Pick(3)};
    for (const RequestOutput& o : r.outputs) {
      if (Chance(3)) continue;  // an output left undecided
      int d = Pick(100);
      OutputDecision decision = d < 75   ? OutputDecision::kApprove
                                : d < 90 ? OutputDecision::kChanges
                                         : OutputDecision::kReject;
      a.decisions.push_back({.output = o.name, .decision = decision, .comment = Chance(90) ? "because" : ""});
    }
    return a;
  }

  Action NextAction(const ExportRequestRecord& r) {
    int64_t rev = Chance(90) ? r.revision : r.revision - 1;
    // Only a reviewer of a rejecting review can reject: give it its chance.
    if (r.state == RequestState::kReviewed && Chance(40)) return RejectAction{.revision = rev, .reason = "no"};
    switch (Pick(9)) {
      case 0:
        return ChangeAction{.outputs = Outputs()};
      case 1:
      case 2:
        return SubmitAction{};
      case 3:
        return Chance(20) ? Action(WithdrawAction{}) : Action(Review(r));
      case 4:
      case 5:
        return Review(r);
      case 6:
        return ReturnAction{.revision = rev, .reason = Chance(90) ? "fix" : ""};
      case 7:
        return RejectAction{.revision = rev, .reason = "no"};
      default:
        return ReleaseAction{.recomputation = static_cast<Recomputation>(Chance(70) ? 0 : 1 + Pick(2))};
    }
  }

 private:
  std::mt19937 rng_;
};

// The two reviews that make `r` approved at its current revision.
void ExpectApprovedByTwo(const ExportRequestRecord& r) {
  std::vector<const CheckerReview*> current = CurrentReviews(r);
  ASSERT_EQ(current.size(), 2u);
  EXPECT_NE(current[0]->checker, current[1]->checker);
  for (const CheckerReview* c : current) {
    EXPECT_FALSE(kMembers.contains(c->checker)) << c->checker;
    EXPECT_NE(c->checker, r.author);
    EXPECT_EQ(c->decisions.size(), r.outputs.size());
    for (const OutputReview& d : c->decisions) EXPECT_EQ(d.decision, OutputDecision::kApprove);
  }
}

void ExpectInvariants(const ExportRequestRecord& before, const ExportRequestRecord& after) {
  EXPECT_GE(after.revision, before.revision);
  if (after.state == RequestState::kApproved) ExpectApprovedByTwo(after);
  if (after.state == RequestState::kReleased && before.state != RequestState::kReleased) {
    EXPECT_EQ(before.state, RequestState::kApproved);
    EXPECT_EQ(after.revision, before.revision);
    ExpectApprovedByTwo(after);
  }
  std::map<int64_t, std::set<std::string>> checkers;
  for (const CheckerReview& c : after.reviews) {
    EXPECT_TRUE(checkers[c.revision].insert(c.checker).second) << "the same checker twice on a revision";
    EXPECT_LE(checkers[c.revision].size(), 2u);
    EXPECT_FALSE(kMembers.contains(c.checker));
  }
}

TEST(ExportStateTest, RandomWalksKeepTheInvariants) {
  Walker w(kSeed);
  std::map<RequestState, int> reached;
  for (int walk = 0; walk < kWalks; ++walk) {
    ASSERT_OK_AND_ASSIGN(Step created,
                         Create(CreateAction{.id = "p1-e1", .project = "p1", .outputs = w.Outputs()}, kActors[0], 0));
    ExportRequestRecord r = created.record;
    for (int step = 1; step <= kStepsPerWalk; ++step) {
      const Actor& actor = w.Chance(40) ? kActors[0] : kActors[w.Pick(static_cast<int>(kActors.size()))];
      StatusOr<Step> next = Apply(r, w.NextAction(r), actor, step);
      if (IsFinal(r.state)) {
        EXPECT_FALSE(next.ok()) << "a final state changed";
      }
      if (!next.ok()) {
        StatusCode code = next.status().code();
        EXPECT_TRUE(code == StatusCode::kPermissionDenied || code == StatusCode::kFailedPrecondition ||
                    code == StatusCode::kInvalidArgument)
            << next.status();
        continue;
      }
      ExpectInvariants(r, next->record);
      if (::testing::Test::HasFailure()) return;
      r = next->record;
      ++reached[r.state];
    }
  }
  // The walk is only evidence if it reaches every state.
  for (RequestState s :
       {RequestState::kSubmitted, RequestState::kPartiallyReviewed, RequestState::kReviewed, RequestState::kApproved,
        RequestState::kReleased, RequestState::kReturned, RequestState::kRejected, RequestState::kWithdrawn}) {
    EXPECT_GT(reached[s], 0) << ToString(s);
  }
}

}  // namespace
}  // namespace hdhub::exports
