#include "hdhub/exports/request_flow.h"

#include <algorithm>
#include <initializer_list>
#include <map>
#include <set>
#include <utility>

#include "hdhub/airlock/enum_names.h"
#include "hdhub/common/bytes.h"
#include "hdhub/crypto/hash.h"

namespace hdhub::exports {

namespace {

constexpr size_t kMaxNameLength = 64;
constexpr std::string_view kHubActor = "hub";

using airlock::NameOf;
using airlock::NameTable;
using airlock::ValueNamed;

constexpr NameTable<RequestState, 9> kStateNames = {{
    {RequestState::kDraft, "draft"},
    {RequestState::kSubmitted, "submitted"},
    {RequestState::kPartiallyReviewed, "partially_reviewed"},
    {RequestState::kReviewed, "reviewed"},
    {RequestState::kApproved, "approved"},
    {RequestState::kReleased, "released"},
    {RequestState::kReturned, "returned"},
    {RequestState::kRejected, "rejected"},
    {RequestState::kWithdrawn, "withdrawn"},
}};
constexpr NameTable<OutputDecision, 3> kDecisionNames = {{
    {OutputDecision::kApprove, "approve"},
    {OutputDecision::kChanges, "changes"},
    {OutputDecision::kReject, "reject"},
}};
constexpr NameTable<RequestOutputKind, 4> kKindNames = {{
    {RequestOutputKind::kTable, "table"},
    {RequestOutputKind::kModel, "model"},
    {RequestOutputKind::kFigure, "figure"},
    {RequestOutputKind::kCustom, "custom"},
}};
constexpr NameTable<DecisionReason, 3> kReasonNames = {{
    {DecisionReason::kChecker, "checker"},
    {DecisionReason::kDataChanged, "data-changed"},
    {DecisionReason::kHistoryChanged, "history-changed"},
}};

bool IsBlank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

std::string Str(RequestState s) { return std::string(ToString(s)); }
std::string Rev(int64_t revision) { return std::to_string(revision); }

bool StateIn(RequestState s, std::initializer_list<RequestState> allowed) {
  return std::find(allowed.begin(), allowed.end(), s) != allowed.end();
}

Status RequireState(const ExportRequestRecord& r, std::initializer_list<RequestState> allowed, std::string_view op) {
  if (StateIn(r.state, allowed)) return OkStatus();
  return FailedPreconditionError("export request " + r.id + " is " + Str(r.state) + ": it cannot be " +
                                 std::string(op));
}

// The author acts on her request while she is a member with the grant.
Status RequireAuthor(const ExportRequestRecord& r, const Actor& actor) {
  if (!actor.granted || !actor.member) {
    return PermissionDeniedError("only a member of the project with airlock.request acts on its export requests");
  }
  if (actor.account != r.author) return PermissionDeniedError("only the author acts on export request " + r.id);
  return OkStatus();
}

// A checker is granted, not the author (even one who left the project) and
// not a member (§5: a member checker is refused even on a colleague's request).
Status RequireChecker(const ExportRequestRecord& r, const Actor& actor) {
  if (!actor.granted) return PermissionDeniedError("only a checker reviews and decides export requests");
  if (actor.account == r.author) return PermissionDeniedError("the author cannot check her own export request");
  if (actor.member) return PermissionDeniedError("a member of the project cannot check its export requests");
  return OkStatus();
}

// A checker names the revision she read; an older one means she judged
// other outputs than those she would approve.
Status RequireRevisionRead(const ExportRequestRecord& r, int64_t revision) {
  if (revision == r.revision) return OkStatus();
  if (revision > 0 && revision < r.revision) {
    return FailedPreconditionError("export request " + r.id + ": request changed since you read it (revision " +
                                   Rev(r.revision) + " is current)");
  }
  return InvalidArgumentError("export request " + r.id + " has no revision " + Rev(revision));
}

Status ValidateOutputs(const std::vector<RequestOutput>& outputs) {
  std::set<std::string_view> seen;
  for (size_t i = 0; i < outputs.size(); ++i) {
    const std::string& name = outputs[i].name;
    if (!IsExportName(name)) {
      return InvalidArgumentError("output " + std::to_string(i + 1) + ": the name is not [a-z][a-z0-9_-]{0,63}");
    }
    if (!seen.insert(name).second) return InvalidArgumentError("output " + name + " is declared twice");
  }
  return OkStatus();
}

// What submit requires, and a change that leaves the request with the checkers.
Status RequireReadyForCheckers(const ExportRequestRecord& r, const std::vector<RequestOutput>& outputs) {
  if (outputs.empty()) return FailedPreconditionError("export request " + r.id + " has no output to check");
  for (const RequestOutput& o : outputs) {
    if (o.refused) return FailedPreconditionError("output " + o.name + " was refused by the automatic checks");
    if (o.kind == RequestOutputKind::kCustom && !o.explanation_given) {
      return FailedPreconditionError("output " + o.name + " is custom and has no explanation");
    }
  }
  return OkStatus();
}

// Every output of the current revision has an approval in `review` (counted
// against the outputs, so that a stored review missing one never approves).
bool ReviewApprovesAll(const CheckerReview& review, const std::vector<RequestOutput>& outputs) {
  std::set<std::string_view> approved;
  for (const OutputReview& d : review.decisions) {
    if (d.decision != OutputDecision::kApprove) return false;
    approved.insert(d.output);
  }
  return !outputs.empty() &&
         std::all_of(outputs.begin(), outputs.end(), [&](const RequestOutput& o) { return approved.contains(o.name); });
}

bool ReviewRejectsOne(const CheckerReview& review) {
  return std::any_of(review.decisions.begin(), review.decisions.end(),
                     [](const OutputReview& d) { return d.decision == OutputDecision::kReject; });
}

std::string Sha256Hex(std::string_view text) { return HexEncode(crypto::Sha256(AsBytes(text))); }

Step MakeStep(ExportRequestRecord record, std::string action, const std::string& actor, const nlohmann::json& details) {
  Transition t{.action = std::move(action), .actor = actor, .details = details};
  return Step{.record = std::move(record), .transition = std::move(t)};
}

// airlock.request: create, change, submit, withdraw.
Step RequestStep(ExportRequestRecord next, std::string_view op, RequestState from, const Actor& actor) {
  int64_t refused = std::count_if(next.outputs.begin(), next.outputs.end(), [](const auto& o) { return o.refused; });
  nlohmann::json details = {{"op", op},
                            {"revision", next.revision},
                            {"state_to", Str(next.state)},
                            {"outputs", next.outputs.size()},
                            {"refused_outputs", refused}};
  if (op != "create") details["state_from"] = Str(from);
  return MakeStep(std::move(next), "airlock.request", actor.account, details);
}

StatusOr<Step> ApplyChange(const ExportRequestRecord& r, const ChangeAction& a, const Actor& actor, int64_t now) {
  RETURN_IF_ERROR(RequireAuthor(r, actor));
  RETURN_IF_ERROR(RequireState(r,
                               {RequestState::kDraft, RequestState::kReturned, RequestState::kSubmitted,
                                RequestState::kPartiallyReviewed, RequestState::kReviewed, RequestState::kApproved},
                               "changed"));
  RETURN_IF_ERROR(ValidateOutputs(a.outputs));
  bool with_checkers = !StateIn(r.state, {RequestState::kDraft, RequestState::kReturned});
  if (with_checkers) RETURN_IF_ERROR(RequireReadyForCheckers(r, a.outputs));
  ExportRequestRecord next = r;
  next.outputs = a.outputs;
  // A new revision: every review of an earlier one stops counting (§4).
  next.revision = r.revision + 1;
  if (with_checkers) next.state = RequestState::kSubmitted;
  next.updated_at_us = now;
  return RequestStep(std::move(next), "change", r.state, actor);
}

StatusOr<Step> ApplySubmit(const ExportRequestRecord& r, const SubmitAction&, const Actor& actor, int64_t now) {
  RETURN_IF_ERROR(RequireAuthor(r, actor));
  RETURN_IF_ERROR(RequireState(r, {RequestState::kDraft, RequestState::kReturned}, "submitted"));
  RETURN_IF_ERROR(RequireReadyForCheckers(r, r.outputs));
  ExportRequestRecord next = r;
  // A returned request is reviewed again in full: unless the author changed
  // it since the return, resubmitting starts a revision no review covers.
  if (r.state == RequestState::kReturned && (r.decisions.empty() || r.decisions.back().revision >= r.revision)) {
    next.revision = r.revision + 1;
  }
  next.state = RequestState::kSubmitted;
  next.updated_at_us = now;
  return RequestStep(std::move(next), "submit", r.state, actor);
}

StatusOr<Step> ApplyWithdraw(const ExportRequestRecord& r, const WithdrawAction&, const Actor& actor, int64_t now) {
  RETURN_IF_ERROR(RequireAuthor(r, actor));
  ExportRequestRecord next = r;
  next.state = RequestState::kWithdrawn;
  next.updated_at_us = now;
  return RequestStep(std::move(next), "withdraw", r.state, actor);
}

// Every output of the revision decided once, comments where §4 wants them.
Status CheckDecisions(const std::vector<RequestOutput>& outputs, const std::vector<OutputReview>& decisions) {
  std::map<std::string_view, const RequestOutput*> by_name;
  for (const RequestOutput& o : outputs) by_name[o.name] = &o;
  std::set<std::string_view> decided;
  for (const OutputReview& d : decisions) {
    auto it = IsExportName(d.output) ? by_name.find(d.output) : by_name.end();
    if (it == by_name.end()) return InvalidArgumentError("a decision names an output the revision does not have");
    if (!decided.insert(d.output).second) return InvalidArgumentError("output " + d.output + " is decided twice");
    bool needs_comment = d.decision != OutputDecision::kApprove || ApprovalNeedsComment(*it->second);
    if (needs_comment && IsBlank(d.comment)) {
      return InvalidArgumentError("output " + d.output + ": a comment is required to " +
                                  std::string(ToString(d.decision)));
    }
  }
  for (const RequestOutput& o : outputs) {
    if (!decided.contains(o.name)) return InvalidArgumentError("output " + o.name + " has no decision");
  }
  return OkStatus();
}

StatusOr<Step> ApplyReview(const ExportRequestRecord& r, const ReviewAction& a, const Actor& actor, int64_t now) {
  RETURN_IF_ERROR(RequireChecker(r, actor));
  RETURN_IF_ERROR(RequireState(r, {RequestState::kSubmitted, RequestState::kPartiallyReviewed}, "reviewed"));
  RETURN_IF_ERROR(RequireRevisionRead(r, a.revision));
  std::vector<const CheckerReview*> current = CurrentReviews(r);
  for (const CheckerReview* c : current) {
    if (c->checker == actor.account) {
      return PermissionDeniedError("this checker already reviewed revision " + Rev(r.revision) + " of " + r.id);
    }
  }
  if (current.size() >= 2) return InternalError("export request " + r.id + " has two reviews yet awaits one");
  RETURN_IF_ERROR(CheckDecisions(r.outputs, a.decisions));

  ExportRequestRecord next = r;
  next.reviews.push_back(
      CheckerReview{.checker = actor.account, .revision = r.revision, .decisions = a.decisions, .at_us = now});
  current = CurrentReviews(next);
  if (current.size() == 1) {
    next.state = RequestState::kPartiallyReviewed;
  } else {
    // Only two reviews approving every output make an approval (§4).
    bool both = ReviewApprovesAll(*current[0], r.outputs) && ReviewApprovesAll(*current[1], r.outputs);
    next.state = both ? RequestState::kApproved : RequestState::kReviewed;
  }
  next.updated_at_us = now;
  std::map<OutputDecision, int64_t> n;
  for (const OutputReview& d : a.decisions) ++n[d.decision];
  nlohmann::json details = {{"revision", r.revision},
                            {"approve", n[OutputDecision::kApprove]},
                            {"changes", n[OutputDecision::kChanges]},
                            {"reject", n[OutputDecision::kReject]},
                            {"review", current.size()},
                            {"state_from", Str(r.state)},
                            {"state_to", Str(next.state)}};
  Step step = MakeStep(std::move(next), "airlock.review", actor.account, details);
  if (auto text = AuditFreeText(a)) step.transition.text_sha256 = Sha256Hex(*text);
  return step;
}

// airlock.decide: a return or a rejection, by a checker or by the hub.
Step DecideStep(const ExportRequestRecord& r, DecisionRecord decision, RequestState to, int64_t now) {
  ExportRequestRecord next = r;
  next.state = to;
  next.updated_at_us = now;
  nlohmann::json details = {{"op", decision.reject ? "reject" : "return"},
                            {"revision", r.revision},
                            {"reason", ToString(decision.reason)},
                            {"state_from", Str(r.state)},
                            {"state_to", Str(to)}};
  std::string actor = decision.actor;
  std::optional<std::string> text;
  if (!decision.text.empty()) text = Sha256Hex(decision.text);
  next.decisions.push_back(std::move(decision));
  Step step = MakeStep(std::move(next), "airlock.decide", actor, details);
  step.transition.text_sha256 = std::move(text);
  return step;
}

// A checker's return or rejection, which needs a reason.
StatusOr<Step> CheckerDecides(const ExportRequestRecord& r, bool reject, const std::string& reason, const Actor& actor,
                              int64_t now) {
  if (IsBlank(reason)) return InvalidArgumentError(reject ? "a rejection needs a reason" : "a return needs a reason");
  DecisionRecord decision{.reject = reject,
                          .actor = actor.account,
                          .revision = r.revision,
                          .reason = DecisionReason::kChecker,
                          .text = reason,
                          .at_us = now};
  return DecideStep(r, std::move(decision), reject ? RequestState::kRejected : RequestState::kReturned, now);
}

StatusOr<Step> ApplyReturn(const ExportRequestRecord& r, const ReturnAction& a, const Actor& actor, int64_t now) {
  RETURN_IF_ERROR(RequireChecker(r, actor));
  RETURN_IF_ERROR(RequireState(r, {RequestState::kSubmitted, RequestState::kPartiallyReviewed, RequestState::kReviewed},
                               "returned"));
  RETURN_IF_ERROR(RequireRevisionRead(r, a.revision));
  return CheckerDecides(r, /*reject=*/false, a.reason, actor, now);
}

StatusOr<Step> ApplyReject(const ExportRequestRecord& r, const RejectAction& a, const Actor& actor, int64_t now) {
  RETURN_IF_ERROR(RequireChecker(r, actor));
  RETURN_IF_ERROR(RequireState(r, {RequestState::kReviewed}, "rejected"));
  RETURN_IF_ERROR(RequireRevisionRead(r, a.revision));
  std::vector<const CheckerReview*> current = CurrentReviews(r);
  bool reviewed_it =
      std::any_of(current.begin(), current.end(), [&](const CheckerReview* c) { return c->checker == actor.account; });
  if (!reviewed_it) {
    return PermissionDeniedError("only a checker who reviewed revision " + Rev(r.revision) + " of " + r.id +
                                 " may reject it");
  }
  if (std::none_of(current.begin(), current.end(), [](const CheckerReview* c) { return ReviewRejectsOne(*c); })) {
    return FailedPreconditionError("no review of revision " + Rev(r.revision) + " of " + r.id + " rejects an output");
  }
  return CheckerDecides(r, /*reject=*/true, a.reason, actor, now);
}

StatusOr<Step> ApplyRelease(const ExportRequestRecord& r, const ReleaseAction& a, const Actor& actor, int64_t now) {
  RETURN_IF_ERROR(RequireAuthor(r, actor));
  RETURN_IF_ERROR(RequireState(r, {RequestState::kApproved}, "released"));
  // Fail closed on a record that says approved without the two approvals.
  std::vector<const CheckerReview*> current = CurrentReviews(r);
  if (current.size() != 2 || current[0]->checker == current[1]->checker || !ReviewApprovesAll(*current[0], r.outputs) ||
      !ReviewApprovesAll(*current[1], r.outputs)) {
    return InternalError("export request " + r.id + " is approved without two approving reviews of revision " +
                         Rev(r.revision));
  }
  if (a.recomputation != Recomputation::kSameBytes) {
    DecisionReason reason =
        a.recomputation == Recomputation::kDataChanged ? DecisionReason::kDataChanged : DecisionReason::kHistoryChanged;
    Step step = DecideStep(
        r,
        DecisionRecord{
            .reject = false, .actor = std::string(kHubActor), .revision = r.revision, .reason = reason, .at_us = now},
        RequestState::kReturned, now);
    step.transition.by_hub = true;
    return step;
  }
  ExportRequestRecord next = r;
  next.state = RequestState::kReleased;
  next.updated_at_us = now;
  nlohmann::json details = {{"op", "release"},
                            {"revision", r.revision},
                            {"state_from", Str(r.state)},
                            {"state_to", Str(next.state)},
                            {"outputs", r.outputs.size()},
                            {"reviewers", {current[0]->checker, current[1]->checker}}};
  return MakeStep(std::move(next), "airlock.release", actor.account, details);
}

}  // namespace

std::string_view ToString(RequestState state) { return NameOf(kStateNames, state); }
StatusOr<RequestState> ParseRequestState(std::string_view name) {
  return ValueNamed(kStateNames, name, "export request state");
}
bool IsFinal(RequestState state) {
  return StateIn(state, {RequestState::kReleased, RequestState::kRejected, RequestState::kWithdrawn});
}

std::string_view ToString(OutputDecision decision) { return NameOf(kDecisionNames, decision); }
StatusOr<OutputDecision> ParseOutputDecision(std::string_view name) {
  return ValueNamed(kDecisionNames, name, "output decision");
}

std::string_view ToString(RequestOutputKind kind) { return NameOf(kKindNames, kind); }
StatusOr<RequestOutputKind> ParseRequestOutputKind(std::string_view name) {
  return ValueNamed(kKindNames, name, "output kind");
}

std::string_view ToString(DecisionReason reason) { return NameOf(kReasonNames, reason); }
StatusOr<DecisionReason> ParseDecisionReason(std::string_view name) {
  return ValueNamed(kReasonNames, name, "decision reason");
}

bool IsExportName(std::string_view s) {
  if (s.empty() || s.size() > kMaxNameLength || s[0] < 'a' || s[0] > 'z') return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'; });
}

bool IsProjectId(std::string_view s) { return IsExportName(s) && s.find('_') == std::string_view::npos; }

bool ApprovalNeedsComment(const RequestOutput& output) {
  return output.kind == RequestOutputKind::kFigure || output.kind == RequestOutputKind::kCustom ||
         output.review_findings;
}

std::optional<std::string> AuditFreeText(const Action& action) {
  if (const auto* review = std::get_if<ReviewAction>(&action)) {
    nlohmann::json comments = nlohmann::json::object();  // keys sorted
    for (const OutputReview& d : review->decisions) {
      if (!d.comment.empty()) comments[d.output] = d.comment;
    }
    if (comments.empty()) return std::nullopt;
    return comments.dump();
  }
  if (const auto* ret = std::get_if<ReturnAction>(&action)) return ret->reason;
  if (const auto* reject = std::get_if<RejectAction>(&action)) return reject->reason;
  return std::nullopt;
}

std::vector<const CheckerReview*> CurrentReviews(const ExportRequestRecord& record) {
  std::vector<const CheckerReview*> current;
  for (const CheckerReview& r : record.reviews) {
    if (r.revision == record.revision) current.push_back(&r);
  }
  return current;
}

StatusOr<Step> Create(const CreateAction& action, const Actor& actor, int64_t now_us) {
  if (!actor.granted || !actor.member) {
    return PermissionDeniedError("only a member of the project with airlock.request creates export requests");
  }
  const std::string& p = action.project;
  if (!IsProjectId(p)) return InvalidArgumentError("the project id is malformed");
  std::string prefix = p + "-e";
  std::string_view n = std::string_view(action.id).substr(std::min(action.id.size(), prefix.size()));
  bool id_ok = action.id.starts_with(prefix) && !n.empty() && n[0] != '0' &&
               std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!id_ok) return InvalidArgumentError("the export request id is not <project>-e<n>");
  RETURN_IF_ERROR(ValidateOutputs(action.outputs));
  ExportRequestRecord record{.id = action.id,
                             .project = p,
                             .author = actor.account,
                             .state = RequestState::kDraft,
                             .revision = 1,
                             .outputs = action.outputs,
                             .created_at_us = now_us,
                             .updated_at_us = now_us};
  return RequestStep(std::move(record), "create", RequestState::kDraft, actor);
}

StatusOr<Step> Apply(const ExportRequestRecord& record, const Action& action, const Actor& actor, int64_t now_us) {
  if (IsFinal(record.state)) {
    return FailedPreconditionError("export request " + record.id + " is " + Str(record.state) +
                                   ", a final state: nothing changes it");
  }
  return std::visit(
      [&](const auto& a) -> StatusOr<Step> {
        using A = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<A, ChangeAction>) return ApplyChange(record, a, actor, now_us);
        if constexpr (std::is_same_v<A, SubmitAction>) return ApplySubmit(record, a, actor, now_us);
        if constexpr (std::is_same_v<A, WithdrawAction>) return ApplyWithdraw(record, a, actor, now_us);
        if constexpr (std::is_same_v<A, ReviewAction>) return ApplyReview(record, a, actor, now_us);
        if constexpr (std::is_same_v<A, ReturnAction>) return ApplyReturn(record, a, actor, now_us);
        if constexpr (std::is_same_v<A, RejectAction>) return ApplyReject(record, a, actor, now_us);
        if constexpr (std::is_same_v<A, ReleaseAction>) return ApplyRelease(record, a, actor, now_us);
      },
      action);
}

}  // namespace hdhub::exports
