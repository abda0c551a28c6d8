// The CLI as a client of `hdhub serve`: with HDHUB_SERVER (or --server) set,
// the commands that have a route under /api/v1 (docs/api/README.md) send
// their request to that server, as the account of the API token in
// HDHUB_TOKEN, and print the answer as the local command prints its result.
// No passphrase is read and no hub directory is opened.
//
// Transport rules (libcurl, OpenSSL):
//   - https:// only. `hdhub serve` speaks nothing but TLS, so a URL of any
//     other scheme (http:// included, even to 127.0.0.1) is refused before
//     anything is sent: the token never travels in clear.
//   - The certificate is always verified, chain and host name: against the CA
//     file of --ca-file / HDHUB_CA_FILE when given, else the system's CAs.
//     There is no switch to turn verification off. TLS 1.2 at least.
//   - Redirects are not followed (the token would go to another host).
//   - 15 s to connect (TCP and TLS), 15 minutes for a whole request.
//   - The token is sent only in the Authorization header, kept in
//     SecretBytes, wiped from every copy libcurl is given, never printed.
// Answers: a 2xx carries the result; any other is the server's problem+json
// (RFC 9457), mapped back to the Status whose HTTP code it was (so the exit
// code is the local command's: 400 -> 2, the others -> 3).
//
// Not thread-safe: one RemoteClient per command.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "hdhub/cli/commands.h"
#include "hdhub/common/secret_bytes.h"
#include "hdhub/common/status.h"
#include "hdhub/sql/query_result.h"

namespace hdhub::cli {

inline constexpr char kServerEnv[] = "HDHUB_SERVER";
inline constexpr char kCaFileEnv[] = "HDHUB_CA_FILE";

class RemoteClient {
 public:
  // The client of the server in opts.server, acting as $HDHUB_TOKEN.
  // InvalidArgument for a URL that is not https:// or an unreadable CA file;
  // Unauthenticated when no token is set (a password is never sent).
  static StatusOr<RemoteClient> Open(const GlobalOptions& opts);

  // `method` on `path` (from /api/v1/ on, e.g. "/projects/diab"), with a JSON
  // body when `body` is not null; the answer's JSON (null for 204).
  StatusOr<nlohmann::json> Call(std::string_view method, const std::string& path, const nlohmann::json* body = nullptr);
  // GET of a paginated list ({"items": [...], "next": cursor}): every page's
  // items, in order. `query` is the path's query string without '?' ("" for none).
  StatusOr<nlohmann::json> ListAll(const std::string& path, const std::string& query);
  // A POST whose 2xx answer is read line by line as it arrives (NDJSON or
  // CSV, by `accept`): each line, without its end, goes to `on_line`; the
  // first error it returns stops the transfer and is returned.
  Status Stream(const std::string& path, const nlohmann::json& body, std::string_view accept,
                const std::function<Status(std::string_view line)>& on_line);

  const std::string& server() const { return server_; }
  // Every request from now on acts in `role` (the CLI's --as; ?as= of the
  // API); "" for the role the server's policy picks.
  void ActAs(std::string role) { role_ = std::move(role); }

 private:
  struct Answer;
  Status Send(std::string_view method, const std::string& path, const std::string* body, std::string_view accept,
              const std::function<Status(std::string_view line)>* on_line, Answer& answer);

  std::string server_;  // as given, without a trailing '/'
  std::string ca_file_;
  std::string role_;
  SecretBytes token_;
};

// `text` percent-encoded for one path segment or query value.
std::string UrlEncode(std::string_view text);

// A CLI11 callback: without a server, `local` as it is; with one, `remote`
// (Status(RemoteClient&)) with a client of it, its Status the exit code.
template <typename F>
std::function<void()> LocalOrRemote(const GlobalOptions& opts, int* exit_code, std::function<void()> local, F remote) {
  return [&opts, exit_code, local, remote]() {
    if (opts.server.empty()) {
      local();
      return;
    }
    Status s = [&]() -> Status {
      ASSIGN_OR_RETURN(RemoteClient client, RemoteClient::Open(opts));
      return remote(client);
    }();
    *exit_code = s.ok() ? kExitOk : ReportError(opts, s);
  };
}

// ---- remote forms of commands (remote_commands.cc) ----

// j[key] when it is a string, else "" (answers are read leniently: a field
// the server does not send shows empty).
std::string JsonText(const nlohmann::json& j, const char* key);
// The Status a problem's HTTP status stood for (the inverse of the server's
// mapping, as far as it goes), with `message`.
Status StatusForHttp(long http, const std::string& message);

// `hdhub query [--project P] SQL` through the server: the rows streamed as
// NDJSON, printed as the local command prints them (PrintStatementResult),
// text or --json; a project's workspace, or the catalog when `project` is
// empty. `timeout_seconds` (0: the server's) goes with the request.
Status RemoteQuery(RemoteClient& client, const GlobalOptions& opts, const std::string& project, const std::string& sql,
                   int timeout_seconds);

// The cell of a result column of DuckDB type `type` from its NDJSON value:
// the typed value and the text the local command would show.
sql::Cell CellFromJson(const std::string& type, const nlohmann::json& value);

}  // namespace hdhub::cli
