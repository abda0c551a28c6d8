// The export request's state machine (docs/airlock-workflow.md §4): who may
// move a request from which state to which, and what each move records.
//
// A pure library: no storage, no I/O, no clock (the caller passes the time),
// no policy. The service asks the policy whether the account may perform the
// operation at all (Actor::granted, Actor::member) and persists the record and
// the transition's audit event in one transaction; this file enforces the
// rules of the states themselves: author-only actions, two distinct checkers
// per revision who are neither the author nor members, reviews that count for
// the revision they read only, comments where §4 requires them, final states
// that never change.
//
// Apply() never mutates its argument: it returns a new record, so the caller
// writes nothing when it fails. The transition it describes holds counts,
// names and states only; comments and reasons appear as their SHA-256.
//
// Thread-safety: values and pure functions.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "hdhub/common/status.h"

namespace hdhub::exports {

// The nine states; their names are stored and logged, never renamed.
enum class RequestState {
  kDraft,
  kSubmitted,
  kPartiallyReviewed,
  kReviewed,
  kApproved,
  kReleased,
  kReturned,
  kRejected,
  kWithdrawn,
};
// "draft", "submitted", "partially_reviewed", "reviewed", "approved",
// "released", "returned", "rejected", "withdrawn".
std::string_view ToString(RequestState state);
// The inverse of ToString (exact names); InvalidArgument listing the names for
// any other text. So for the Parse functions below.
StatusOr<RequestState> ParseRequestState(std::string_view name);
// Released, rejected and withdrawn: nothing changes them.
bool IsFinal(RequestState state);

// A checker's decision on one output.
enum class OutputDecision { kApprove, kChanges, kReject };
std::string_view ToString(OutputDecision decision);  // "approve", "changes", "reject"
StatusOr<OutputDecision> ParseOutputDecision(std::string_view name);

enum class RequestOutputKind { kTable, kModel, kFigure, kCustom };
std::string_view ToString(RequestOutputKind kind);  // "table", "model", "figure", "custom"
StatusOr<RequestOutputKind> ParseRequestOutputKind(std::string_view name);

// What the flow needs to know of one output of the current revision; the
// declaration, the bytes and the verdicts stay with the service.
struct RequestOutput {
  std::string name;  // [a-z][a-z0-9_-]{0,63}, unique in the request
  RequestOutputKind kind = RequestOutputKind::kTable;
  bool refused = false;            // the automatic checks refused it
  bool review_findings = false;    // a published `review` cell or a `cross_frame` finding
  bool explanation_given = false;  // the author's explanation (required for custom outputs)
};

// True when a checker must give a comment to approve `output`: a figure or
// custom output, or one with review findings (§4).
bool ApprovalNeedsComment(const RequestOutput& output);

struct OutputReview {
  std::string output;
  OutputDecision decision = OutputDecision::kChanges;
  std::string comment;  // kept in the record, never in the log
};

// One checker's review of one revision.
struct CheckerReview {
  std::string checker;
  int64_t revision = 0;
  std::vector<OutputReview> decisions;  // one per output of that revision
  int64_t at_us = 0;
};

// Why a request was returned or rejected.
enum class DecisionReason { kChecker, kDataChanged, kHistoryChanged };
std::string_view ToString(DecisionReason reason);  // "checker", "data-changed", "history-changed"
StatusOr<DecisionReason> ParseDecisionReason(std::string_view name);

// Names of frames, outputs and dimensions reach the log and the register:
// [a-z][a-z0-9_-]{0,63}.
bool IsExportName(std::string_view name);
// Project ids: [a-z][a-z0-9-]{0,63} (docs/formats/projects.md).
bool IsProjectId(std::string_view id);

// A return, a rejection or the hub's return (§3's export_decision).
struct DecisionRecord {
  bool reject = false;  // false: a return
  std::string actor;    // the checker, or "hub"
  int64_t revision = 0;
  DecisionReason reason = DecisionReason::kChecker;
  std::string text;  // the checker's reason; empty for the hub's
  int64_t at_us = 0;
};

struct ExportRequestRecord {
  std::string id;  // <project>-e<n>
  std::string project;
  std::string author;
  RequestState state = RequestState::kDraft;
  int64_t revision = 1;
  std::vector<RequestOutput> outputs;     // of the current revision
  std::vector<CheckerReview> reviews;     // every review ever made, oldest first
  std::vector<DecisionRecord> decisions;  // every return and rejection, oldest first
  int64_t created_at_us = 0;
  int64_t updated_at_us = 0;
};

// Who acts. The service fills it from the request context and the policy.
struct Actor {
  std::string account;
  bool member = false;   // a member of the request's project, in any role
  bool granted = false;  // the policy granted the operation this action needs (§5)
};

// The actions. Create is separate (there is no record before it).
struct CreateAction {
  std::string id;
  std::string project;
  std::vector<RequestOutput> outputs;  // may be empty: a draft
};
// Add, replace, remove or recompute: the caller gives the whole new set of
// outputs of the next revision.
struct ChangeAction {
  std::vector<RequestOutput> outputs;
};
struct SubmitAction {};
struct WithdrawAction {};
struct ReviewAction {
  int64_t revision = 0;  // the revision the checker read
  std::vector<OutputReview> decisions;
};
struct ReturnAction {
  int64_t revision = 0;  // the revision the checker read
  std::string reason;
};
struct RejectAction {
  int64_t revision = 0;
  std::string reason;
};
// The outcome of the release's recomputation (§6 step 3).
enum class Recomputation { kSameBytes, kDataChanged, kHistoryChanged };
struct ReleaseAction {
  Recomputation recomputation = Recomputation::kSameBytes;
};
using Action =
    std::variant<ChangeAction, SubmitAction, WithdrawAction, ReviewAction, ReturnAction, RejectAction, ReleaseAction>;

// What the audit event of a transition says (§7), without the text.
struct Transition {
  std::string action;  // "airlock.request", "airlock.review", "airlock.decide", "airlock.release"
  std::string actor;   // the acting account, or "hub" (role system) for the hub's return
  bool by_hub = false;
  // Flat, audit::ValidateEvent-clean: op, revision, state_from, state_to and
  // per action the numbers of outputs, approve/changes/reject, review (1 or
  // 2), reason, reviewers. The service adds what it computed (manifest,
  // verdict counts, seq, certificate).
  nlohmann::json details = nlohmann::json::object();
  // Hex SHA-256 of AuditFreeText(action) when the action carries text.
  std::optional<std::string> text_sha256;
};

struct Step {
  ExportRequestRecord record;
  Transition transition;
};

// The text an action carries, for audit::Event::free_text (the log keeps its
// SHA-256 only, equal to Transition::text_sha256): a return's or rejection's
// reason, or a review's comments as a JSON object output -> comment (keys
// sorted). nullopt for actions without text.
std::optional<std::string> AuditFreeText(const Action& action);

// Creates a draft at revision 1 authored by `actor`. PermissionDenied unless
// granted and a member; InvalidArgument for a malformed id, project or output
// (naming the output's position or name).
StatusOr<Step> Create(const CreateAction& action, const Actor& actor, int64_t now_us);

// Applies `action` by `actor` to `record`, returning the new record and its
// transition. PermissionDenied when the actor may not take this action on
// this request (not granted, not the author, the author or a member
// reviewing, the same checker twice, a rejection by one who did not review);
// FailedPrecondition in a state that does not allow it (final states,
// "request changed since you read it" for an older revision, submit
// without outputs or with a refused one); InvalidArgument for malformed
// input (an output undecided, unknown or decided twice, a missing comment
// or reason), naming the output, never a comment. A release whose
// recomputation differs succeeds as the hub's return (state returned,
// Transition::by_hub): the service commits it and then answers the author
// FailedPrecondition.
StatusOr<Step> Apply(const ExportRequestRecord& record, const Action& action, const Actor& actor, int64_t now_us);

// The reviews of the record's current revision, oldest first.
std::vector<const CheckerReview*> CurrentReviews(const ExportRequestRecord& record);

}  // namespace hdhub::exports
