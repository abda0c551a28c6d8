// ExportRequests: what `hdhub airlock request|list|show|review|release|
// download|register|rules` ask of the airlock, answered in the JSON of
// server/export_json.h (the CLI's --json), or for a release or download as
// the service's ReleasedFiles: on the hub machine through the service
// (LocalExportRequests), or through `hdhub serve`'s routes
// (RemoteExportRequests, docs/api/README.md). The commands hold one and
// never know which, so both print and write the same.
//
// Errors are the service's Status, or over HTTP the same Status rebuilt from
// the problem's HTTP status and detail (remote.h); a server's release or
// download answer whose files or bundle do not match what it states is
// DataLoss. Not thread-safe: one per command.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "hdhub/cli/remote.h"
#include "hdhub/common/status.h"
#include "hdhub/service/service.h"

namespace hdhub::cli {

class ExportRequests {
 public:
  virtual ~ExportRequests() = default;
  // Each answers the request as it is afterwards (ExportRequestJson).
  virtual StatusOr<nlohmann::json> Create(const std::string& project, const std::string& title) = 0;
  virtual StatusOr<nlohmann::json> Change(const std::string& id, const service::ExportChange& change) = 0;
  virtual StatusOr<nlohmann::json> Submit(const std::string& id) = 0;
  virtual Status Withdraw(const std::string& id) = 0;
  virtual StatusOr<nlohmann::json> Show(const std::string& id, bool evidence) = 0;
  virtual StatusOr<nlohmann::json> Review(const std::string& id, const service::ExportReview& review) = 0;
  virtual StatusOr<nlohmann::json> Decide(const std::string& id, const service::ExportDecision& decision) = 0;
  // The requests one may read, oldest first (ExportSummaryJson each).
  virtual StatusOr<std::vector<nlohmann::json>> List(const service::ExportFilter& filter) = 0;
  // The release of an approved request, or the files of a released one
  // again, each with its bundle.
  virtual StatusOr<service::ReleasedFiles> Release(const std::string& id) = 0;
  virtual StatusOr<service::ReleasedFiles> Download(const std::string& id) = 0;
  // The transparency register, every release or one project's (RegisterJson).
  virtual StatusOr<nlohmann::json> Register(const std::optional<std::string>& project) = 0;
  // The hub's rules (AirlockRulesJson): shown, or after proposing or
  // confirming `rules_json` (the text of a rules file).
  virtual StatusOr<nlohmann::json> Rules() = 0;
  virtual StatusOr<nlohmann::json> ProposeRules(const std::string& rules_json) = 0;
  virtual StatusOr<nlohmann::json> ConfirmRules(const std::string& rules_json) = 0;
};

// Through the service, as the account of `ctx`; both must outlive it.
class LocalExportRequests final : public ExportRequests {
 public:
  LocalExportRequests(service::Service& svc, const service::RequestContext& ctx) : svc_(svc), ctx_(ctx) {}
  StatusOr<nlohmann::json> Create(const std::string& project, const std::string& title) override;
  StatusOr<nlohmann::json> Change(const std::string& id, const service::ExportChange& change) override;
  StatusOr<nlohmann::json> Submit(const std::string& id) override;
  Status Withdraw(const std::string& id) override;
  StatusOr<nlohmann::json> Show(const std::string& id, bool evidence) override;
  StatusOr<nlohmann::json> Review(const std::string& id, const service::ExportReview& review) override;
  StatusOr<nlohmann::json> Decide(const std::string& id, const service::ExportDecision& decision) override;
  StatusOr<std::vector<nlohmann::json>> List(const service::ExportFilter& filter) override;
  StatusOr<service::ReleasedFiles> Release(const std::string& id) override;
  StatusOr<service::ReleasedFiles> Download(const std::string& id) override;
  StatusOr<nlohmann::json> Register(const std::optional<std::string>& project) override;
  StatusOr<nlohmann::json> Rules() override;
  StatusOr<nlohmann::json> ProposeRules(const std::string& rules_json) override;
  StatusOr<nlohmann::json> ConfirmRules(const std::string& rules_json) override;

 private:
  service::Service& svc_;
  const service::RequestContext& ctx_;
};

// Through the server of `client`, which must outlive it.
class RemoteExportRequests final : public ExportRequests {
 public:
  explicit RemoteExportRequests(RemoteClient& client) : client_(client) {}
  StatusOr<nlohmann::json> Create(const std::string& project, const std::string& title) override;
  StatusOr<nlohmann::json> Change(const std::string& id, const service::ExportChange& change) override;
  StatusOr<nlohmann::json> Submit(const std::string& id) override;
  Status Withdraw(const std::string& id) override;
  StatusOr<nlohmann::json> Show(const std::string& id, bool evidence) override;
  StatusOr<nlohmann::json> Review(const std::string& id, const service::ExportReview& review) override;
  StatusOr<nlohmann::json> Decide(const std::string& id, const service::ExportDecision& decision) override;
  StatusOr<std::vector<nlohmann::json>> List(const service::ExportFilter& filter) override;
  StatusOr<service::ReleasedFiles> Release(const std::string& id) override;
  StatusOr<service::ReleasedFiles> Download(const std::string& id) override;
  StatusOr<nlohmann::json> Register(const std::optional<std::string>& project) override;
  StatusOr<nlohmann::json> Rules() override;
  StatusOr<nlohmann::json> ProposeRules(const std::string& rules_json) override;
  StatusOr<nlohmann::json> ConfirmRules(const std::string& rules_json) override;

 private:
  RemoteClient& client_;
};

// A CLI11 callback running `body(ExportRequests&)`, whose Status becomes the
// exit code: locally on a Session (acting in *as when not empty), or with a
// server set through it (?as= likewise).
template <typename F>
std::function<void()> OnExportRequests(const GlobalOptions& opts, int* exit_code, std::shared_ptr<std::string> as,
                                       F body) {
  return LocalOrRemote(opts, exit_code,
                       OnSession(
                           opts, exit_code,
                           [body](service::Service& svc, const service::RequestContext& ctx) -> Status {
                             LocalExportRequests requests(svc, ctx);
                             return body(requests);
                           },
                           as),
                       [body, as](RemoteClient& client) -> Status {
                         client.ActAs(*as);
                         RemoteExportRequests requests(client);
                         return body(requests);
                       });
}

}  // namespace hdhub::cli
