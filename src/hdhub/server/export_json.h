// The airlock's export requests as JSON (docs/airlock-workflow.md §8): the
// one shape the HTTP API answers (http_api_airlock.cc) and the CLI prints
// with --json (cli/airlock_request_commands.cc), so that the CLI through a
// server prints what it prints locally; the bodies of the routes that
// change a request, which the server reads and the CLI writes; and what
// leaves the airlock: a release's files and bundle, the transparency
// register and the hub's rules (the CLI's `airlock register|rules --json`).
// docs/api/README.md lists these shapes.
//
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>

#include "hdhub/common/status.h"
#include "hdhub/service/export_service.h"

namespace hdhub::server {

// A request as a reader sees it: {"id", "project", "author", "title",
// "state", "revision", "created_at", "frames", "outputs" (each with its
// "verdict"), "reviews" (with their comments), "decisions"}, and "evidence"
// when it was asked for. Stored JSON texts (declarations, verdicts) appear as
// JSON, or as a string when they do not parse.
nlohmann::json ExportRequestJson(const service::ExportRequestView& view);

// One line of a list: {"id", "project", "author", "state", "revision",
// "created_at", "title"}.
nlohmann::json ExportSummaryJson(const service::ExportRequestSummary& summary);

// A change as the PATCH body: exactly one of {"frame": {...}},
// {"output": {...}}, {"remove": NAME}, {"recompute": true}.
// InvalidArgument when a declaration is not a JSON object.
StatusOr<nlohmann::json> ExportChangeJson(const service::ExportChange& change);
// The inverse; InvalidArgument for any other body.
StatusOr<service::ExportChange> ExportChangeFromJson(const nlohmann::json& body);

// A review as the body of …/reviews: {"revision": N, "decisions":
// [{"output", "decision": "approve"|"changes"|"reject", "comment"?}]}.
nlohmann::json ExportReviewJson(const service::ExportReview& review);
// The inverse; InvalidArgument naming the member (never a comment).
StatusOr<service::ExportReview> ExportReviewFromJson(const nlohmann::json& body);

// A return or rejection as the body of …/decisions: {"decision": "return" |
// "reject", "revision": N, "reason": TEXT}.
nlohmann::json ExportDecisionJson(const service::ExportDecision& decision);
// The inverse; InvalidArgument naming the member (never the reason).
StatusOr<service::ExportDecision> ExportDecisionFromJson(const nlohmann::json& body);

// A release or a download (§6): {"request", "project", "release" (its
// seq), "revision", "certificate_sha256", "files": [{"name", "format",
// "bytes", "sha256", "content_base64"}], "bundle_base64"} (the bundle's
// bytes, the `<request>.hdhub-cert` file). Base64 keeps the bytes exact;
// the client checks each file against its stated size and digest.
nlohmann::json ReleasedFilesJson(const service::ReleasedFiles& released);

// The register as `airlock register --json` prints it: {"entries":
// [{"project", "authorisation", "release", "released_at", "outputs":
// [{"name", "kind", "format", "bytes"}], "certificate_sha256",
// "audit_index"}]}.
nlohmann::json RegisterJson(const std::vector<service::RegisterEntry>& entries);

// One project of the public register (GET /api/v1/public/register):
// {"project", "authorisation", "purpose", "scope" (as `project show`),
// "start", "end", "state" (approved, closed, expired), "releases": [each as
// an entry of RegisterJson]}. No account name.
nlohmann::json PublicProjectJson(const service::PublicProject& project);

// The hub's rules as `airlock rules --json` prints them: {"in_force",
// "confirmed", "pending"}, each record {"version", "rules", "proposed_by",
// "confirmed_by" (null while pending), "at"} or null.
nlohmann::json AirlockRulesJson(const service::AirlockRulesView& view);

}  // namespace hdhub::server
