// hdhub airlock request | list | show | review: the export requests of the
// output airlock (docs/airlock-workflow.md §8) over the service's
// CreateExportRequest … DecideExportRequest. Local only for now: the HTTP
// routes do not exist yet, so with a server set each command refuses
// (UNIMPLEMENTED, exit 3) without contacting it. A command acts as
// the account of its Session, in the role the policy picks (or --as). Exit
// codes as in commands.h; errors come from the service, which names ids and
// output names only (never a cell value, a comment or a pseudonym).
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hdhub/cli/commands.h"
#include "hdhub/cli/output.h"
#include "hdhub/common/file.h"

namespace hdhub::cli {
namespace {

using service::ExportRequestView;
using service::RequestContext;
using service::Service;

// `local`, or with a server set the refusal (no route exists yet to ask,
// so the server is not contacted).
std::function<void()> LocalOnly(const GlobalOptions& opts, int* exit_code, const std::string& command,
                                std::function<void()> local) {
  return [&opts, exit_code, command, local]() {
    if (opts.server.empty()) {
      local();
      return;
    }
    *exit_code = ReportError(opts, UnimplementedError("hdhub airlock " + command +
                                                      " is not available over HTTP yet: run it on the hub machine "
                                                      "(unset HDHUB_SERVER or drop --server)"));
  };
}

std::string Time(int64_t us) { return FormatRfc3339(FromMicros(us)); }

// A stored JSON text as JSON (a string when it does not parse).
nlohmann::json Parsed(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? nlohmann::json(text) : j;
}

nlohmann::json ViewJson(const ExportRequestView& v) {
  const exports::RequestRecord& r = v.request;
  nlohmann::json out = {{"id", r.id},
                        {"project", r.project},
                        {"author", r.author},
                        {"title", r.title},
                        {"state", std::string(exports::ToString(r.state))},
                        {"revision", r.revision},
                        {"created_at", Time(r.created_at_us)},
                        {"frames", nlohmann::json::array()},
                        {"outputs", nlohmann::json::array()},
                        {"reviews", nlohmann::json::array()},
                        {"decisions", nlohmann::json::array()}};
  for (const exports::FrameRecord& f : v.frames) {
    out["frames"].push_back({{"name", f.name},
                             {"declaration", Parsed(f.spec_json)},
                             {"sql_sha256", f.sql_sha256},
                             {"created_by", f.created_by},
                             {"created_at", Time(f.created_at_us)},
                             {"released", f.released_seq.has_value()}});
  }
  for (const exports::OutputRecord& o : v.outputs) {
    out["outputs"].push_back({{"name", o.name},
                              {"revision", o.revision},
                              {"kind", std::string(exports::ToString(o.kind))},
                              {"format", o.format},
                              {"declaration", Parsed(o.declaration_json)},
                              {"bytes", o.bytes},
                              {"sha256", o.sha256},
                              {"verdict", Parsed(o.verdict_json)}});
  }
  for (const exports::CheckerReview& rv : v.reviews) {
    nlohmann::json decisions = nlohmann::json::array();
    for (const exports::OutputReview& d : rv.decisions) {
      decisions.push_back(
          {{"output", d.output}, {"decision", std::string(exports::ToString(d.decision))}, {"comment", d.comment}});
    }
    out["reviews"].push_back(
        {{"checker", rv.checker}, {"revision", rv.revision}, {"at", Time(rv.at_us)}, {"decisions", decisions}});
  }
  for (const exports::DecisionRecord& d : v.decisions) {
    out["decisions"].push_back({{"decision", d.reject ? "reject" : "return"},
                                {"actor", d.actor},
                                {"revision", d.revision},
                                {"reason", std::string(exports::ToString(d.reason))},
                                {"text", d.text},
                                {"at", Time(d.at_us)}});
  }
  if (v.evidence) {
    out["evidence"] = nlohmann::json::array();
    for (const std::string& e : *v.evidence) out["evidence"].push_back(Parsed(e));
  }
  return out;
}

// For people: the request, its frames, outputs, reviews and decisions.
void PrintViewText(const ExportRequestView& v) {
  const exports::RequestRecord& r = v.request;
  std::cout << "export request " << r.id << " of " << r.project << " by " << r.author << ": "
            << exports::ToString(r.state) << ", revision " << r.revision << "\n  title: " << r.title << "\n";
  for (const exports::FrameRecord& f : v.frames) std::cout << "  frame " << f.name << "\n";
  for (const exports::OutputRecord& o : v.outputs) {
    const nlohmann::json verdict = Parsed(o.verdict_json);
    std::cout << "  output " << o.name << " (" << exports::ToString(o.kind) << ", " << o.format << ", " << o.bytes
              << " bytes): " << (verdict.is_object() ? verdict.value("outcome", "?") : "?") << "\n";
  }
  for (const exports::CheckerReview& rv : v.reviews) {
    std::cout << "  review by " << rv.checker << " of revision " << rv.revision << ":";
    for (const exports::OutputReview& d : rv.decisions) {
      std::cout << " " << d.output << " " << exports::ToString(d.decision);
      if (!d.comment.empty()) std::cout << " (" << d.comment << ")";
    }
    std::cout << "\n";
  }
  for (const exports::DecisionRecord& d : v.decisions) {
    std::cout << "  " << (d.reject ? "rejected" : "returned") << " by " << d.actor << " at revision " << d.revision
              << " (" << exports::ToString(d.reason) << ")" << (d.text.empty() ? "" : ": " + d.text) << "\n";
  }
  if (v.evidence) {
    for (const std::string& e : *v.evidence) std::cout << "  evidence " << e << "\n";
  }
}

void PrintView(const GlobalOptions& opts, const ExportRequestView& v) {
  if (opts.json) {
    std::cout << ViewJson(v).dump() << "\n";
  } else {
    PrintViewText(v);
  }
}

// A command whose body gives the request, which it then prints.
template <typename F>
std::function<void()> ViewCommand(const GlobalOptions& opts, int* exit_code, const std::string& command,
                                  std::shared_ptr<std::string> as, F body) {
  return LocalOnly(opts, exit_code, command,
                   OnSession(
                       opts, exit_code,
                       [&opts, body](Service& svc, const RequestContext& ctx) -> Status {
                         ASSIGN_OR_RETURN(ExportRequestView v, body(svc, ctx));
                         PrintView(opts, v);
                         return OkStatus();
                       },
                       as));
}

struct RequestArgs {
  std::string target;  // a project (with --title) or a request id
  std::string title;
  std::vector<std::string> frames, outputs;
  std::string remove;
  bool recompute = false, submit = false, withdraw = false;
};

StatusOr<service::ExportChange> ReadChange(service::ExportChangeKind kind, const std::string& file) {
  ASSIGN_OR_RETURN(std::string json, ReadFile(file));
  return service::ExportChange{.kind = kind, .json = std::move(json), .name = ""};
}

// Each --frame, then each --output, as one change (one revision) apiece.
StatusOr<ExportRequestView> ApplyDeclarations(Service& svc, const RequestContext& ctx, const std::string& id,
                                              const RequestArgs& a, ExportRequestView view) {
  for (const std::string& f : a.frames) {
    ASSIGN_OR_RETURN(service::ExportChange change, ReadChange(service::ExportChangeKind::kFrame, f));
    ASSIGN_OR_RETURN(view, svc.ChangeExportRequest(ctx, id, change));
  }
  for (const std::string& f : a.outputs) {
    ASSIGN_OR_RETURN(service::ExportChange change, ReadChange(service::ExportChangeKind::kOutput, f));
    ASSIGN_OR_RETURN(view, svc.ChangeExportRequest(ctx, id, change));
  }
  return view;
}

Status RunCreate(const GlobalOptions& opts, Service& svc, const RequestContext& ctx, const RequestArgs& a) {
  if (!a.remove.empty() || a.recompute || a.submit || a.withdraw) {
    return InvalidArgumentError(
        "--title creates a request: --remove, --recompute, --submit and --withdraw act on "
        "one that exists (hdhub airlock request ID …)");
  }
  ASSIGN_OR_RETURN(ExportRequestView view, svc.CreateExportRequest(ctx, a.target, a.title));
  const std::string id = view.request.id;
  StatusOr<ExportRequestView> changed = ApplyDeclarations(svc, ctx, id, a, std::move(view));
  if (!changed.ok()) {
    return Status(changed.status().code(), "export request " + id + " was created, as a draft, but a change failed: " +
                                               std::string(changed.status().message()));
  }
  view = std::move(changed).value();
  if (opts.json) {
    PrintView(opts, view);
  } else {
    std::cout << id << "\n";
  }
  return OkStatus();
}

Status RunChange(const GlobalOptions& opts, Service& svc, const RequestContext& ctx, const RequestArgs& a) {
  const size_t actions = a.frames.size() + a.outputs.size() + (a.remove.empty() ? 0 : 1) + (a.recompute ? 1 : 0) +
                         (a.submit ? 1 : 0) + (a.withdraw ? 1 : 0);
  if (actions != 1) {
    return InvalidArgumentError(
        "give exactly one of --frame, --output, --remove, --recompute, --submit, --withdraw for request " + a.target +
        " (or --title to create a request in project " + a.target + ")");
  }
  if (a.withdraw) {
    RETURN_IF_ERROR(svc.WithdrawExportRequest(ctx, a.target));
    if (opts.json) {
      std::cout << nlohmann::json{{"id", a.target}, {"state", "withdrawn"}}.dump() << "\n";
    } else {
      std::cout << "export request " << a.target << " withdrawn\n";
    }
    return OkStatus();
  }
  StatusOr<ExportRequestView> view = [&]() -> StatusOr<ExportRequestView> {
    if (a.submit) return svc.SubmitExportRequest(ctx, a.target);
    if (a.recompute) {
      return svc.ChangeExportRequest(ctx, a.target,
                                     {.kind = service::ExportChangeKind::kRecompute, .json = "", .name = ""});
    }
    if (!a.remove.empty()) {
      return svc.ChangeExportRequest(ctx, a.target,
                                     {.kind = service::ExportChangeKind::kRemove, .json = "", .name = a.remove});
    }
    return ApplyDeclarations(svc, ctx, a.target, a, ExportRequestView{});
  }();
  RETURN_IF_ERROR(view.status());
  PrintView(opts, *view);
  return OkStatus();
}

void AddRequest(CLI::App& airlock, const GlobalOptions& opts, int* exit_code, std::shared_ptr<std::string> as) {
  auto* cmd = airlock.add_subcommand(
      "request",
      "create an export request (PROJECT --title T, prints its id), or change one (ID and one of --frame, "
      "--output, --remove, --recompute, --submit, --withdraw); every change is a new revision, computed again");
  auto a = std::make_shared<RequestArgs>();
  cmd->add_option("target", a->target, "the project (with --title), or the request id (<project>-e<n>)")->required();
  cmd->add_option("--title", a->title, "create a request in the project, with this title (1-200 characters)");
  cmd->add_option("--frame", a->frames, "a frame declaration (JSON file): add or replace the frame of its name")
      ->check(CLI::ExistingFile);
  cmd->add_option("--output", a->outputs,
                  "an output declaration (JSON file, kind table): add or replace the output of its name")
      ->check(CLI::ExistingFile);
  cmd->add_option("--remove", a->remove, "remove the output of this name");
  cmd->add_flag("--recompute", a->recompute, "compute the same outputs again (a new revision)");
  cmd->add_flag("--submit", a->submit, "submit the request to the checkers");
  cmd->add_flag("--withdraw", a->withdraw, "withdraw the request (final)");
  cmd->callback(LocalOnly(opts, exit_code, "request",
                          OnSession(
                              opts, exit_code,
                              [a, cmd, &opts](Service& svc, const RequestContext& ctx) -> Status {
                                if (cmd->count("--title") > 0) return RunCreate(opts, svc, ctx, *a);
                                return RunChange(opts, svc, ctx, *a);
                              },
                              as)));
}

void AddListShow(CLI::App& airlock, const GlobalOptions& opts, int* exit_code, std::shared_ptr<std::string> as) {
  auto* list = airlock.add_subcommand("list", "the export requests one may read, oldest first");
  auto project = std::make_shared<std::string>();
  auto state = std::make_shared<std::string>();
  list->add_option("--project", *project, "only this project's");
  list->add_option("--state", *state,
                   "only those in this state (draft, submitted, partially_reviewed, reviewed, approved, released, "
                   "returned, rejected, withdrawn)");
  list->callback(LocalOnly(
      opts, exit_code, "list",
      OnSession(
          opts, exit_code,
          [project, state, &opts](Service& svc, const RequestContext& ctx) -> Status {
            service::ExportFilter filter;
            if (!project->empty()) filter.project = *project;
            if (!state->empty()) {
              StatusOr<exports::RequestState> s = exports::ParseRequestState(*state);
              if (!s.ok()) return InvalidArgumentError("--state: " + std::string(s.status().message()));
              filter.state = *s;
            }
            ASSIGN_OR_RETURN(std::vector<service::ExportRequestSummary> all, svc.ListExportRequests(ctx, filter));
            sql::QueryResult table;
            table.column_names = {"id", "project", "author", "state", "revision", "created", "title"};
            table.column_types.assign(table.column_names.size(), "VARCHAR");
            for (const service::ExportRequestSummary& r : all) {
              table.rows.push_back({r.id, r.project, r.author, std::string(exports::ToString(r.state)),
                                    std::to_string(r.revision), Time(r.created_at_us), r.title});
            }
            PrintResult(table, opts.json);
            return OkStatus();
          },
          as)));
  auto* show = airlock.add_subcommand("show", "one export request: its outputs, reviews and decisions");
  auto id = std::make_shared<std::string>();
  auto evidence = std::make_shared<bool>(false);
  show->add_option("id", *id, "the request id (<project>-e<n>)")->required();
  show->add_flag("--evidence", *evidence, "with each output's verdict of the automatic checks (checkers)");
  show->callback(ViewCommand(opts, exit_code, "show", as, [id, evidence](Service& svc, const RequestContext& ctx) {
    return svc.ShowExportRequest(ctx, *id, *evidence);
  }));
}

struct ReviewArgs {
  std::string id;
  int64_t revision = 0;
  std::vector<std::string> decide, comment;
  std::string return_reason, reject_reason;
};

// "OUTPUT=REST" of option `option`; the text after '=' is never echoed.
StatusOr<std::pair<std::string, std::string>> SplitAssignment(const std::string& option, const std::string& text) {
  const size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0) return InvalidArgumentError(option + " wants OUTPUT=…");
  return std::make_pair(text.substr(0, eq), text.substr(eq + 1));
}

StatusOr<service::ExportReview> ParseReview(const ReviewArgs& a) {
  service::ExportReview review{.revision = a.revision, .decisions = {}};
  std::map<std::string, size_t> index;
  for (const std::string& d : a.decide) {
    ASSIGN_OR_RETURN(auto pair, SplitAssignment("--decide", d));
    StatusOr<exports::OutputDecision> decision = exports::ParseOutputDecision(pair.second);
    if (!decision.ok()) return InvalidArgumentError("--decide " + pair.first + "=: approve, changes or reject");
    if (!index.emplace(pair.first, review.decisions.size()).second) {
      return InvalidArgumentError("--decide: output " + pair.first + " given twice");
    }
    review.decisions.push_back({.output = pair.first, .decision = *decision, .comment = ""});
  }
  for (const std::string& c : a.comment) {
    ASSIGN_OR_RETURN(auto pair, SplitAssignment("--comment", c));
    const auto it = index.find(pair.first);
    if (it == index.end()) return InvalidArgumentError("--comment: output " + pair.first + " has no --decide");
    if (!review.decisions[it->second].comment.empty()) {
      return InvalidArgumentError("--comment: output " + pair.first + " given twice");
    }
    review.decisions[it->second].comment = pair.second;
  }
  return review;
}

StatusOr<ExportRequestView> RunReview(Service& svc, const RequestContext& ctx, const ReviewArgs& a) {
  const int given = (a.decide.empty() ? 0 : 1) + (a.return_reason.empty() ? 0 : 1) + (a.reject_reason.empty() ? 0 : 1);
  if (given != 1) return InvalidArgumentError("give --decide (one per output), or --return, or --reject");
  if (a.decide.empty() && !a.comment.empty()) return InvalidArgumentError("--comment goes with --decide");
  if (a.decide.empty()) {
    const bool reject = !a.reject_reason.empty();
    return svc.DecideExportRequest(
        ctx, a.id, {.reject = reject, .revision = a.revision, .reason = reject ? a.reject_reason : a.return_reason});
  }
  ASSIGN_OR_RETURN(service::ExportReview review, ParseReview(a));
  return svc.ReviewExportRequest(ctx, a.id, review);
}

void AddReview(CLI::App& airlock, const GlobalOptions& opts, int* exit_code, std::shared_ptr<std::string> as) {
  auto* cmd = airlock.add_subcommand(
      "review",
      "a checker's review of the revision she read: a decision per output (--decide OUTPUT=approve|changes|reject, "
      "--comment OUTPUT=TEXT), or the whole request returned (--return REASON) or rejected (--reject REASON)");
  auto a = std::make_shared<ReviewArgs>();
  cmd->add_option("id", a->id, "the request id (<project>-e<n>)")->required();
  cmd->add_option("--revision", a->revision, "the revision read (as `airlock show` gives it)")->required();
  cmd->add_option("--decide", a->decide, "OUTPUT=approve|changes|reject (one per output of the revision)");
  cmd->add_option("--comment", a->comment, "OUTPUT=TEXT, the comment on that output's decision");
  cmd->add_option("--return", a->return_reason, "return the request to its author, with this reason");
  cmd->add_option("--reject", a->reject_reason, "reject the request (final), with this reason");
  cmd->callback(ViewCommand(opts, exit_code, "review", as,
                            [a](Service& svc, const RequestContext& ctx) { return RunReview(svc, ctx, *a); }));
}

}  // namespace

void AddAirlockRequestCommands(CLI::App& airlock, const GlobalOptions& opts, int* exit_code) {
  auto as = std::make_shared<std::string>();
  airlock.add_option("--as", *as, "act in this role (researcher, checker, auditor, …)");
  AddRequest(airlock, opts, exit_code, as);
  AddListShow(airlock, opts, exit_code, as);
  AddReview(airlock, opts, exit_code, as);
}

}  // namespace hdhub::cli
