// hdhub host add | change | list | show | check | policy: the host registry
// and the sovereignty policy from the command line (docs/hosts.md). Each
// command acts as the account of its Session; the service asks the policy
// table and logs every decision. Exit codes as in commands.h.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "hdhub/cli/commands.h"
#include "hdhub/common/file.h"
#include "hdhub/hosts/host_json.h"

namespace hdhub::cli {
namespace {

using nlohmann::json;
using service::HostView;
using service::RequestContext;
using service::Service;

constexpr char kQualificationHelp[] =
    "SCHEME,REFERENCE,FROM,UNTIL,EVIDENCE: e.g. HDS,HDS-2024-17,2024-03-01,2027-02-28,https://… "
    "(days included; EVIDENCE a URL or a document's SHA-256; repeat for several)";

// "HDS,HDS-2024-17,2024-03-01,2027-02-28,https://…" (the evidence is the rest).
StatusOr<hosts::Qualification> ParseQualification(const std::string& text) {
  std::vector<std::string> parts;
  size_t at = 0;
  for (int i = 0; i < 4; ++i) {
    const size_t comma = text.find(',', at);
    if (comma == std::string::npos) {
      return InvalidArgumentError(std::string("--qualification must be ") + kQualificationHelp);
    }
    parts.push_back(text.substr(at, comma - at));
    at = comma + 1;
  }
  hosts::Qualification q{.scheme = parts[0], .reference = parts[1], .evidence = text.substr(at)};
  ASSIGN_OR_RETURN(q.valid_from, hosts::ParseDay(parts[2], "--qualification's FROM"));
  ASSIGN_OR_RETURN(q.valid_until, hosts::ParseDay(parts[3], "--qualification's UNTIL"));
  return q;
}

struct SpecArgs {
  std::string name, uri, jurisdiction, operator_name, owner;
  std::vector<std::string> qualifications;
  bool local = false;
};

StatusOr<hosts::HostSpec> SpecOf(const SpecArgs& a) {
  hosts::HostSpec spec{.name = a.name,
                       .uri = a.uri,
                       .jurisdiction = a.jurisdiction,
                       .operator_name = a.operator_name,
                       .owner_jurisdiction = a.owner,
                       .local = a.local};
  for (const std::string& text : a.qualifications) {
    ASSIGN_OR_RETURN(hosts::Qualification q, ParseQualification(text));
    spec.qualifications.push_back(std::move(q));
  }
  return spec;
}

json ViewJson(const HostView& v) { return hosts::HostViewJson(v.host, v.decision, v.current); }

std::string Verdict(const hosts::PlacementDecision& d) {
  if (!d.allowed) return "refused";
  return d.exempted ? "allowed (local exemption)" : "allowed";
}

void PrintEvidence(const hosts::PlacementDecision& d) {
  std::cout << "decision on " << hosts::FormatDay(d.day) << ": " << Verdict(d) << "\n";
  for (const hosts::Criterion& c : d.criteria) {
    std::cout << "  " << (c.met ? "[met]     " : "[not met] ") << c.name << ": " << c.why << "\n";
  }
}

void PrintView(const GlobalOptions& opts, const HostView& v) {
  if (opts.json) {
    std::cout << ViewJson(v).dump() << "\n";
    return;
  }
  const hosts::HostSpec& s = v.host.spec;
  std::cout << "host " << s.name << (v.current ? " (the hub's host)" : "") << "\n"
            << "  uri: " << s.uri << "\n"
            << "  local: " << (s.local ? "yes" : "no") << "\n"
            << "  jurisdiction: " << (s.jurisdiction.empty() ? "-" : s.jurisdiction) << "\n"
            << "  operator: " << (s.operator_name.empty() ? "-" : s.operator_name) << ", owned from "
            << (s.owner_jurisdiction.empty() ? "-" : s.owner_jurisdiction) << "\n";
  for (const hosts::Qualification& q : s.qualifications) {
    std::cout << "  qualification: " << q.scheme << " " << q.reference << ", " << hosts::FormatDay(q.valid_from)
              << " to " << hosts::FormatDay(q.valid_until) << ", evidence " << q.evidence << "\n";
  }
  std::cout << "  added by " << v.host.added_by << " at " << FormatRfc3339(v.host.added_at) << ", changed by "
            << v.host.changed_by << " at " << FormatRfc3339(v.host.changed_at) << "\n";
  PrintEvidence(v.decision);
}

void AddDeclare(CLI::App& host, const GlobalOptions& opts, int* exit_code, bool add) {
  auto* cmd = host.add_subcommand(add ? "add" : "change",
                                  add ? "declare a host: where it is, who runs it, who owns them, its qualifications"
                                      : "declare a host again (everything given replaces what was declared)");
  auto a = std::make_shared<SpecArgs>();
  cmd->add_option("name", a->name, "host name: a lower-case letter, then up to 31 of [a-z0-9-]")->required();
  cmd->add_option("--uri", a->uri, "where it is: s3://…, file:…, memory:…")->required();
  cmd->add_option("--jurisdiction", a->jurisdiction, "the country whose law governs it (ISO 3166-1, e.g. FR)");
  cmd->add_option("--operator", a->operator_name, "who runs it, e.g. '3DS Outscale'");
  cmd->add_option("--owner-jurisdiction", a->owner,
                  "where the operator's controlling owner is (e.g. FR; US for a subsidiary of a US company)");
  cmd->add_option("--qualification", a->qualifications, kQualificationHelp)->allow_extra_args(false);
  cmd->add_flag("--local", a->local, "a file: or memory: host on the hub's own machine (a policy may exempt it)");
  cmd->callback(OnSession(opts, exit_code, [&opts, a, add](Service& svc, const RequestContext& ctx) -> Status {
    ASSIGN_OR_RETURN(hosts::HostSpec spec, SpecOf(*a));
    ASSIGN_OR_RETURN(HostView view, add ? svc.AddHost(ctx, spec) : svc.ChangeHost(ctx, spec));
    PrintView(opts, view);
    return OkStatus();
  }));
}

void AddReads(CLI::App& host, const GlobalOptions& opts, int* exit_code) {
  auto* list = host.add_subcommand("list", "the hosts, and whether the policy accepts each today");
  list->callback(OnSession(opts, exit_code, [&opts](Service& svc, const RequestContext& ctx) -> Status {
    ASSIGN_OR_RETURN(std::vector<HostView> views, svc.ListHosts(ctx));
    json out = json::array();
    for (const HostView& v : views) {
      if (opts.json) {
        out.push_back(ViewJson(v));
        continue;
      }
      std::cout << v.host.spec.name << (v.current ? " *" : "") << "  " << v.host.spec.uri << "  " << Verdict(v.decision)
                << (v.decision.allowed ? "" : " (fails " + v.decision.FailedCriteria() + ")") << "\n";
    }
    if (opts.json) std::cout << json{{"hosts", out}}.dump() << "\n";
    return OkStatus();
  }));
  auto name = std::make_shared<std::string>();
  auto* show = host.add_subcommand("show", "a host as declared and the evidence of today's decision on it");
  show->add_option("name", *name, "host name (default: the hub's own host)");
  show->callback(OnSession(opts, exit_code, [&opts, name](Service& svc, const RequestContext& ctx) -> Status {
    ASSIGN_OR_RETURN(HostView view, svc.ShowHost(ctx, *name));
    PrintView(opts, view);
    return OkStatus();
  }));
  auto target = std::make_shared<std::string>();
  auto* check = host.add_subcommand("check", "whether the policy lets a host hold health data today (audited)");
  check->add_option("name", *target, "host name (default: the hub's own host)");
  check->callback(OnSession(opts, exit_code, [&opts, target](Service& svc, const RequestContext& ctx) -> Status {
    ASSIGN_OR_RETURN(hosts::PlacementDecision d, svc.CheckPlacement(ctx, *target));
    if (opts.json) {
      std::cout << d.ToJson().dump() << "\n";
    } else {
      std::cout << "host " << d.host << " may hold health data on " << hosts::FormatDay(d.day)
                << (d.exempted ? ", as a local host the policy exempts" : "") << "\n";
    }
    return OkStatus();
  }));
}

void AddPolicy(CLI::App& host, const GlobalOptions& opts, int* exit_code) {
  auto* policy = host.add_subcommand("policy", "the sovereignty policy: show it, or change it (two operators)");
  policy->require_subcommand(1);
  auto* show = policy->add_subcommand("show", "the policy in force, and a proposal waiting for a second operator");
  show->callback(OnSession(opts, exit_code, [&opts](Service& svc, const RequestContext& ctx) -> Status {
    ASSIGN_OR_RETURN(hosts::PolicyRecord record, svc.ShowHostPolicy(ctx));
    json j = hosts::PolicyRecordJson(record);
    std::cout << (opts.json ? j.dump() : j.dump(2)) << "\n";
    return OkStatus();
  }));
  auto file = std::make_shared<std::string>();
  auto* set = policy->add_subcommand("set", "propose a policy; a second operator's identical command puts it in force");
  set->add_option("--file", *file, "the policy as JSON (docs/hosts.md)")->required();
  set->callback(OnSession(opts, exit_code, [&opts, file](Service& svc, const RequestContext& ctx) -> Status {
    ASSIGN_OR_RETURN(std::string text, ReadFile(*file));
    json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return InvalidArgumentError(*file + " is not JSON");
    ASSIGN_OR_RETURN(hosts::SovereigntyPolicy policy, hosts::SovereigntyPolicy::FromJson(j));
    ASSIGN_OR_RETURN(service::PolicyChange change, svc.SetHostPolicy(ctx, policy));
    const bool applied = change == service::PolicyChange::kApplied;
    std::cout << (opts.json ? json{{"state", applied ? "applied" : "pending"}}.dump()
                  : applied ? "the policy is in force"
                            : "proposed: a second operator confirms it")
              << "\n";
    return OkStatus();
  }));
}

}  // namespace

void AddHostCommands(CLI::App& app, const GlobalOptions& opts, int* exit_code) {
  auto* host = app.add_subcommand("host", "the hosts and the sovereignty policy (operators; auditors read)");
  host->require_subcommand(1);
  AddDeclare(*host, opts, exit_code, /*add=*/true);
  AddDeclare(*host, opts, exit_code, /*add=*/false);
  AddReads(*host, opts, exit_code);
  AddPolicy(*host, opts, exit_code);
  AddHostMigrationCommands(*host, opts, exit_code);
}

}  // namespace hdhub::cli
