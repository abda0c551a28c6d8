// hdhub airlock request | list | show | review: the export requests of the
// output airlock (docs/airlock-workflow.md §8) over the service's
// CreateExportRequest … DecideExportRequest, on the hub machine or, with a
// server set, through its routes (airlock_requests.h): both print the same,
// from the request's JSON (server/export_json.h). A command acts as the
// account of its Session or token, in the role the policy picks (or --as).
// Exit codes as in commands.h; errors come from the service, which names ids
// and output names only (never a cell value, a comment or a pseudonym).
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "hdhub/audit/note.h"
#include "hdhub/cli/airlock_requests.h"
#include "hdhub/cli/commands.h"
#include "hdhub/cli/output.h"
#include "hdhub/common/file.h"

namespace hdhub::cli {
namespace {

using nlohmann::json;

// j[key] as a whole number's text ("?" when it is not one).
std::string Int(const json& j, const char* key) {
  const json v = j.is_object() ? j.value(key, json()) : json();
  return v.is_number_integer() ? std::to_string(v.get<int64_t>()) : "?";
}

// For a checker (show --evidence): each output's file as it would leave
// (a text file's lines; a binary one named only), then every cell the
// checks did not publish, with its true value.
void PrintDraftsText(const json& v) {
  for (const json& f : v.value("files", json::array())) {
    if (!f.is_object()) continue;
    std::cout << "  file " << JsonText(f, "name") << "." << JsonText(f, "format") << " (" << Int(f, "bytes")
              << " bytes, sha256 " << JsonText(f, "sha256") << "):\n";
    StatusOr<Bytes> content = audit::Base64Decode(JsonText(f, "content_base64"));
    if (!content.ok()) {
      std::cout << "    (not readable: " << content.status().message() << ")\n";
      continue;
    }
    const std::string format = JsonText(f, "format");
    if (format != "csv" && format != "txt") {
      // A binary file (png, pdf, parquet): `show --evidence --json` carries its bytes.
      std::cout << "    (" << format << ": read it with --json, content_base64)\n";
      continue;
    }
    std::istringstream lines(std::string(content->begin(), content->end()));
    for (std::string line; std::getline(lines, line);) std::cout << "    " << line << "\n";
  }
  const json checks = v.value("checks", json());
  const json runs = checks.is_object() ? checks.value("runs", json::object()) : json::object();
  if (!runs.is_object()) return;
  for (const auto& [run, result] : runs.items()) {
    if (!result.is_object()) continue;
    for (const json& c : result.value("cells", json::array())) {
      if (!c.is_object()) continue;
      if (JsonText(c, "status") == "published") continue;
      std::string codes;
      for (const json& code : c.value("codes", json::array())) {
        codes += (codes.empty() ? "" : ",") + (code.is_string() ? code.get<std::string>() : code.dump());
      }
      std::cout << "  " << run << " cell " << JsonText(c, "table") << " [" << codes << "]: " << JsonText(c, "status")
                << " (" << JsonText(c, "reason") << (JsonText(c, "rule").empty() ? "" : ", " + JsonText(c, "rule"))
                << "), true value " << c.value("value", json()).dump() << "\n";
    }
  }
}

// For people: the request, its frames, outputs, reviews and decisions.
void PrintViewText(const json& v) {
  std::cout << "export request " << JsonText(v, "id") << " of " << JsonText(v, "project") << " by "
            << JsonText(v, "author") << ": " << JsonText(v, "state") << ", revision " << Int(v, "revision")
            << "\n  title: " << JsonText(v, "title") << "\n";
  for (const json& f : v.value("frames", json::array())) std::cout << "  frame " << JsonText(f, "name") << "\n";
  for (const json& o : v.value("outputs", json::array())) {
    const json verdict = o.value("verdict", json());
    std::cout << "  output " << JsonText(o, "name") << " (" << JsonText(o, "kind") << ", " << JsonText(o, "format")
              << ", " << Int(o, "bytes")
              << " bytes): " << (verdict.contains("outcome") ? JsonText(verdict, "outcome") : "?") << "\n";
  }
  for (const json& rv : v.value("reviews", json::array())) {
    std::cout << "  review by " << JsonText(rv, "checker") << " of revision " << Int(rv, "revision") << ":";
    for (const json& d : rv.value("decisions", json::array())) {
      std::cout << " " << JsonText(d, "output") << " " << JsonText(d, "decision");
      if (!JsonText(d, "comment").empty()) std::cout << " (" << JsonText(d, "comment") << ")";
    }
    std::cout << "\n";
  }
  for (const json& d : v.value("decisions", json::array())) {
    const std::string text = JsonText(d, "text");
    std::cout << "  " << (JsonText(d, "decision") == "reject" ? "rejected" : "returned") << " by "
              << JsonText(d, "actor") << " at revision " << Int(d, "revision") << " (" << JsonText(d, "reason") << ")"
              << (text.empty() ? "" : ": " + text) << "\n";
  }
  for (const json& e : v.value("evidence", json::array())) {
    std::cout << "  evidence " << (e.is_string() ? e.get<std::string>() : e.dump()) << "\n";
  }
  PrintDraftsText(v);
}

// The request `v` for people, or with --json as it is; Internal when `v` is
// no request (a server's answer not understood).
Status PrintView(const GlobalOptions& opts, const json& v) {
  if (!v.is_object()) return InternalError("the answer holds no export request");
  if (opts.json) {
    std::cout << v.dump() << "\n";
  } else {
    PrintViewText(v);
  }
  return OkStatus();
}

// A command whose body gives the request, which it then prints.
template <typename F>
std::function<void()> ViewCommand(const GlobalOptions& opts, int* exit_code, std::shared_ptr<std::string> as, F body) {
  return OnExportRequests(opts, exit_code, as, [&opts, body](ExportRequests& requests) -> Status {
    ASSIGN_OR_RETURN(json v, body(requests));
    return PrintView(opts, v);
  });
}

struct RequestArgs {
  std::string target;  // a project (with --title) or a request id
  std::string title;
  std::vector<std::string> frames, outputs;
  std::string file;  // the file of the one --output (model, figure, custom)
  std::string remove;
  bool recompute = false, submit = false, withdraw = false;
};

StatusOr<service::ExportChange> ReadChange(service::ExportChangeKind kind, const std::string& file) {
  ASSIGN_OR_RETURN(std::string json, ReadFile(file));
  return service::ExportChange{.kind = kind, .json = std::move(json), .name = ""};
}

// Each --frame, then each --output (with --file, its file), as one change
// (one revision) apiece.
StatusOr<json> ApplyDeclarations(ExportRequests& requests, const std::string& id, const RequestArgs& a, json view) {
  if (!a.file.empty() && a.outputs.size() != 1) {
    return InvalidArgumentError("--file is the file of one output: give it with exactly one --output");
  }
  for (const std::string& f : a.frames) {
    ASSIGN_OR_RETURN(service::ExportChange change, ReadChange(service::ExportChangeKind::kFrame, f));
    ASSIGN_OR_RETURN(view, requests.Change(id, change));
  }
  for (const std::string& f : a.outputs) {
    ASSIGN_OR_RETURN(service::ExportChange change, ReadChange(service::ExportChangeKind::kOutput, f));
    if (!a.file.empty()) {
      ASSIGN_OR_RETURN(std::string content, ReadFile(a.file));
      change.content = std::move(content);
    }
    ASSIGN_OR_RETURN(view, requests.Change(id, change));
  }
  return view;
}

Status RunCreate(const GlobalOptions& opts, ExportRequests& requests, const RequestArgs& a) {
  if (!a.remove.empty() || a.recompute || a.submit || a.withdraw) {
    return InvalidArgumentError(
        "--title creates a request: --remove, --recompute, --submit and --withdraw act on "
        "one that exists (hdhub airlock request ID …)");
  }
  ASSIGN_OR_RETURN(json view, requests.Create(a.target, a.title));
  const std::string id = JsonText(view, "id");
  if (id.empty()) return InternalError("the answer holds no export request");
  StatusOr<json> changed = ApplyDeclarations(requests, id, a, std::move(view));
  if (!changed.ok()) {
    return Status(changed.status().code(), "export request " + id + " was created, as a draft, but a change failed: " +
                                               std::string(changed.status().message()));
  }
  view = std::move(changed).value();
  if (opts.json) {
    RETURN_IF_ERROR(PrintView(opts, view));
  } else {
    std::cout << id << "\n";
  }
  return OkStatus();
}

Status RunChange(const GlobalOptions& opts, ExportRequests& requests, const RequestArgs& a) {
  const size_t actions = a.frames.size() + a.outputs.size() + (a.remove.empty() ? 0 : 1) + (a.recompute ? 1 : 0) +
                         (a.submit ? 1 : 0) + (a.withdraw ? 1 : 0);
  if (actions != 1) {
    return InvalidArgumentError(
        "give exactly one of --frame, --output, --remove, --recompute, --submit, --withdraw for request " + a.target +
        " (or --title to create a request in project " + a.target + ")");
  }
  if (a.withdraw) {
    RETURN_IF_ERROR(requests.Withdraw(a.target));
    if (opts.json) {
      std::cout << json{{"id", a.target}, {"state", "withdrawn"}}.dump() << "\n";
    } else {
      std::cout << "export request " << a.target << " withdrawn\n";
    }
    return OkStatus();
  }
  StatusOr<json> view = [&]() -> StatusOr<json> {
    if (a.submit) return requests.Submit(a.target);
    if (a.recompute) {
      return requests.Change(a.target, {.kind = service::ExportChangeKind::kRecompute, .json = "", .name = ""});
    }
    if (!a.remove.empty()) {
      return requests.Change(a.target, {.kind = service::ExportChangeKind::kRemove, .json = "", .name = a.remove});
    }
    return ApplyDeclarations(requests, a.target, a, json::object());
  }();
  RETURN_IF_ERROR(view.status());
  return PrintView(opts, *view);
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
  cmd->add_option("--output", a->outputs, "an output declaration (JSON file): add or replace the output of its name")
      ->check(CLI::ExistingFile);
  cmd->add_option("--file", a->file,
                  "the file of a model, figure or custom --output (its coefficients CSV, PNG, or any file); "
                  "without it, a replaced file output keeps its file")
      ->check(CLI::ExistingFile);
  cmd->add_option("--remove", a->remove, "remove the output of this name");
  cmd->add_flag("--recompute", a->recompute, "compute the same outputs again (a new revision)");
  cmd->add_flag("--submit", a->submit, "submit the request to the checkers");
  cmd->add_flag("--withdraw", a->withdraw, "withdraw the request (final)");
  cmd->callback(OnExportRequests(opts, exit_code, as, [a, cmd, &opts](ExportRequests& requests) -> Status {
    if (cmd->count("--title") > 0) return RunCreate(opts, requests, *a);
    return RunChange(opts, requests, *a);
  }));
}

void AddListShow(CLI::App& airlock, const GlobalOptions& opts, int* exit_code, std::shared_ptr<std::string> as) {
  auto* list = airlock.add_subcommand("list", "the export requests one may read, oldest first");
  auto project = std::make_shared<std::string>();
  auto state = std::make_shared<std::string>();
  list->add_option("--project", *project, "only this project's");
  list->add_option("--state", *state,
                   "only those in this state (draft, submitted, partially_reviewed, reviewed, approved, released, "
                   "returned, rejected, withdrawn)");
  list->callback(OnExportRequests(opts, exit_code, as, [project, state, &opts](ExportRequests& requests) -> Status {
    service::ExportFilter filter;
    if (!project->empty()) filter.project = *project;
    if (!state->empty()) {
      StatusOr<exports::RequestState> s = exports::ParseRequestState(*state);
      if (!s.ok()) return InvalidArgumentError("--state: " + std::string(s.status().message()));
      filter.state = *s;
    }
    ASSIGN_OR_RETURN(std::vector<json> all, requests.List(filter));
    sql::QueryResult table;
    table.column_names = {"id", "project", "author", "state", "revision", "created", "title"};
    table.column_types.assign(table.column_names.size(), "VARCHAR");
    for (const json& r : all) {
      table.rows.push_back({JsonText(r, "id"), JsonText(r, "project"), JsonText(r, "author"), JsonText(r, "state"),
                            Int(r, "revision"), JsonText(r, "created_at"), JsonText(r, "title")});
    }
    PrintResult(table, opts.json);
    return OkStatus();
  }));
  auto* show = airlock.add_subcommand("show", "one export request: its outputs, reviews and decisions");
  auto id = std::make_shared<std::string>();
  auto evidence = std::make_shared<bool>(false);
  show->add_option("id", *id, "the request id (<project>-e<n>)")->required();
  show->add_flag("--evidence", *evidence,
                 "with each output's verdict, its file as it would leave and the withheld cells' true values "
                 "(checkers)");
  show->callback(ViewCommand(opts, exit_code, as,
                             [id, evidence](ExportRequests& requests) { return requests.Show(*id, *evidence); }));
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

StatusOr<json> RunReview(ExportRequests& requests, const ReviewArgs& a) {
  const int given = (a.decide.empty() ? 0 : 1) + (a.return_reason.empty() ? 0 : 1) + (a.reject_reason.empty() ? 0 : 1);
  if (given != 1) return InvalidArgumentError("give --decide (one per output), or --return, or --reject");
  if (a.decide.empty() && !a.comment.empty()) return InvalidArgumentError("--comment goes with --decide");
  if (a.decide.empty()) {
    const bool reject = !a.reject_reason.empty();
    return requests.Decide(
        a.id, {.reject = reject, .revision = a.revision, .reason = reject ? a.reject_reason : a.return_reason});
  }
  ASSIGN_OR_RETURN(service::ExportReview review, ParseReview(a));
  return requests.Review(a.id, review);
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
  cmd->callback(ViewCommand(opts, exit_code, as, [a](ExportRequests& requests) { return RunReview(requests, *a); }));
}

}  // namespace

void AddAirlockRequestCommands(CLI::App& airlock, const GlobalOptions& opts, int* exit_code) {
  auto as = std::make_shared<std::string>();
  airlock.add_option("--as", *as, "act in this role (researcher, checker, auditor, …)");
  AddRequest(airlock, opts, exit_code, as);
  AddListShow(airlock, opts, exit_code, as);
  AddReview(airlock, opts, exit_code, as);
  AddAirlockRulesCommand(airlock, opts, exit_code, as);
  AddAirlockReleaseCommands(airlock, opts, exit_code, as);
}

}  // namespace hdhub::cli
