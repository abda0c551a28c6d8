// Fuzz target: what an HTTP client sends to `hdhub serve`'s JSON API. The
// input is the raw bytes of one connection after TLS: up to four pipelined
// requests, read by Beast's request parser with the server's limits
// (kHttpMaxHeaderBytes, ServeConfig's default body limit), mapped to an
// answer as HttpServer does (413, 431, 400 for what does not parse) and
// otherwise handed to HttpApi::Handle over a real hub: a temporary hub with
// an operator (olga, oscar), a researcher (rita), an auditor (carl), a small
// IR_BEN_R and a built project p1 of rita's. "Authorization: Bearer rita"
// (or olga, oscar, carl) becomes that account's real token, so the fuzzer
// reaches every authenticated route; any other bearer is sent as is.
// Every 256 inputs the hub goes back to its first state (a copy), so that
// what earlier inputs added (users, tokens, builds) does not pile up.
//
// Properties, on every answer:
//   - no crash, no memory error or UB (ASan, UBSan);
//   - a status the API documents (never 500: a 5xx is a bug or an outage);
//   - an error is problem+json: type, title, status (the answer's), detail
//     and instance = urn:hdhub:request:<the request id>;
//   - an error's detail never repeats a token of the request (leak_oracle.h),
//     except the identifiers the caller chose (the path's segments, as the
//     CLI says "project x is unknown or not yours"; the name of an account
//     being added, "user x already exists") and the words of the SQL of a
//     query (DuckDB's errors quote the statement back to its author);
//   - a JSON answer parses, an NDJSON answer parses line by line;
//   - no answer holds an account's token, the passphrase or olga's password.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "csv_fuzz.h"
#include "hdhub/common/clock.h"
#include "hdhub/common/file.h"
#include "hdhub/server/config.h"
#include "hdhub/server/http_api.h"
#include "hdhub/server/http_server.h"
#include "hdhub/service/service.h"
#include "leak_oracle.h"

namespace {

using namespace hdhub;
namespace fs = std::filesystem;
namespace http = boost::beast::http;
using json = nlohmann::json;

constexpr std::string_view kPassphrase = "http fuzz passphrase 2026";
constexpr std::string_view kOlgaPassword = "olga-http-fuzz-password";
constexpr int kResetEvery = 256;

[[noreturn]] void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "\nhdhub fuzz property broken: %s\n%s\n", what, detail.c_str());
  std::abort();
}

void Check(const Status& s, const char* what) {
  if (!s.ok()) Fail(what, s.ToString());
}

SecretBytes Secret(std::string_view text) { return SecretBytes(AsBytes(text)); }

// The hub every input talks to, and the accounts' tokens.
class Hub {
 public:
  Hub() {
    const std::string base = fuzz::WorkDir() + "/http";
    template_dir_ = base + "/template";
    dir_ = base + "/hub";
    Check(service::Service::Init(hub::BuiltinBackends(), template_dir_, Secret(kPassphrase),
                                 {.fast_key_derivation_for_test = true}, {"olga", Secret(kOlgaPassword)}),
          "init the hub");
    auto svc = Open(template_dir_);
    auto olga = svc->Authenticate({.user = "olga", .password = Secret(kOlgaPassword)}, "local");
    Check(olga.status(), "olga logs in");
    using directory::Role;
    const std::vector<std::pair<std::string, Role>> accounts = {
        {"oscar", Role::kOperator}, {"rita", Role::kResearcher}, {"carl", Role::kAuditor}};
    for (const auto& [name, role] : accounts) {
      Check(svc->AddUser(*olga, name, {role}, Secret(name + "-long-password")), "add an account");
    }
    for (const char* name : {"olga", "oscar", "rita", "carl"}) {
      auto issued = svc->IssueToken(*olga, name, std::chrono::hours(24 * 365), "");
      Check(issued.status(), "issue a token");
      tokens_[name] = std::string(issued->token.span().begin(), issued->token.span().end());
    }
    const std::string csv = fuzz::WorkDir() + "/http/IR_BEN_R.csv";
    Check(WriteFileAtomically(csv,
                              AsBytes("BEN_NIR_PSA,BEN_SEX_COD,BEN_NAI_ANN\nABCDEFGHIJKLMNOP1,1,1970\n"
                                      "ABCDEFGHIJKLMNOP2,2,1980\n"),
                              0600),
          "write the extract");
    ingest::IngestRequest request{.dataset = "IR_BEN_R", .csv_path = csv};
    request.schema_text = R"({"fields": [{"name": "BEN_NIR_PSA", "type": "string"},
        {"name": "BEN_SEX_COD", "type": "integer"}, {"name": "BEN_NAI_ANN", "type": "year"}]})";
    Check(svc->Ingest(*olga, request).status(), "ingest IR_BEN_R");
    projects::ProjectSpec spec;
    spec.id = "p1";
    spec.authorisation_ref = "CNIL-DR-2026-001";
    spec.purpose = "http fuzz";
    spec.scope = projects::ProjectScope::Parse(R"({"tables":{"IR_BEN_R":["BEN_SEX_COD"]}})").value();
    spec.members = {"rita"};
    spec.start = clock_.Now() - std::chrono::hours(24);
    spec.end = clock_.Now() + std::chrono::hours(24 * 90);
    Check(svc->CreateProject(*olga, spec), "create p1");
    Check(svc->ApproveProject(*olga, "p1").status(), "olga approves p1");
    auto oscar = svc->Authenticate({.token = Secret(tokens_["oscar"])}, "local");
    Check(oscar.status(), "oscar logs in");
    Check(svc->ApproveProject(*oscar, "p1").status(), "oscar approves p1");
    Check(svc->BuildWorkspace(*olga, "p1").status(), "build p1");
    svc.reset();
    Reset();
  }

  // Back to the state made above.
  void Reset() {
    api_.reset();
    service_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
    fs::copy(template_dir_, dir_, fs::copy_options::recursive);
    service_ = Open(dir_);
    api_ = std::make_unique<server::HttpApi>(*service_, std::string(server::BuiltinOpenApiJson()));
    served_ = 0;
  }

  server::HttpApi& api() {
    if (++served_ > kResetEvery) Reset();
    return *api_;
  }
  const std::map<std::string, std::string>& tokens() const { return tokens_; }

 private:
  std::unique_ptr<service::Service> Open(const std::string& dir) {
    auto svc = service::Service::Open(hub::BuiltinBackends(), dir, Secret(kPassphrase), &clock_,
                                      directory::DirectoryOptions::InsecureLowCostForTest());
    Check(svc.status(), "open the hub");
    return std::move(*svc);
  }

  FakeClock clock_{TimePoint(std::chrono::seconds(1'800'000'000))};
  std::string template_dir_, dir_;
  std::map<std::string, std::string> tokens_;
  std::unique_ptr<service::Service> service_;
  std::unique_ptr<server::HttpApi> api_;
  int served_ = 0;
};

Hub& TheHub() {
  static Hub* hub = new Hub();  // never destroyed: DuckDB's threads may outlive main's statics
  return *hub;
}

// The tokens of `text` (the oracle's cutting).
std::set<std::string> TokensOf(std::string_view text) {
  const auto tokens = fuzz::LeakOracle::Tokens(text);
  return {tokens.begin(), tokens.end()};
}

void CheckAnswer(const server::HttpResponse& answer, const std::string& request_id, std::string_view input,
                 const std::set<std::string>& own_words) {
  static const std::set<unsigned> kDocumented = {200, 201, 204, 400, 401, 403, 404, 405,
                                                 409, 413, 429, 431, 501, 503, 504};
  const std::string status = std::to_string(answer.status);
  if (!kDocumented.count(answer.status)) Fail("an undocumented status", status + "\n" + answer.body);
  if (answer.status >= 500 && answer.status != 501) Fail("a server error", status + "\n" + answer.body);
  for (const auto& [name, token] : TheHub().tokens()) {
    if (answer.body.find(token) != std::string::npos) Fail("an answer holds a token", name);
  }
  for (std::string_view secret : {kPassphrase, kOlgaPassword}) {
    if (answer.body.find(secret) != std::string::npos) Fail("an answer holds a secret", status);
  }
  if (answer.status >= 400) {
    if (answer.content_type != "application/problem+json") Fail("an error that is not problem+json", status);
    const json problem = json::parse(answer.body, nullptr, false);
    if (!problem.is_object() || !problem.value("type", json()).is_string() ||
        !problem.value("title", json()).is_string() || !problem.value("detail", json()).is_string() ||
        problem.value("status", json()) != json(answer.status) ||
        problem.value("instance", json()) != json("urn:hdhub:request:" + request_id)) {
      Fail("a malformed problem+json", answer.body);
    }
    const std::string detail = problem["detail"].get<std::string>();
    for (const std::string& leak : fuzz::Oracle().Leaks(detail, input)) {
      if (!own_words.count(leak)) Fail("an error repeats the request", "'" + leak + "' in: " + detail);
    }
    return;
  }
  if (answer.content_type == "application/json" && json::parse(answer.body, nullptr, false).is_discarded()) {
    Fail("a JSON answer that does not parse", status);
  }
  if (answer.content_type == "application/x-ndjson") {
    size_t at = 0;
    while (at < answer.body.size()) {
      const size_t end = answer.body.find('\n', at);
      if (end == std::string::npos) Fail("an NDJSON answer without its last newline", status);
      if (json::parse(answer.body.substr(at, end - at), nullptr, false).is_discarded()) {
        Fail("an NDJSON line that does not parse", status);
      }
      at = end + 1;
    }
  }
}

// The words a detail may repeat: the path's segments (decoded or not), the
// SQL of a query's body and the name of an account being added.
std::set<std::string> OwnWords(const server::HttpRequest& request) {
  std::string_view path = std::string_view(request.target).substr(0, request.target.find('?'));
  std::set<std::string> words = TokensOf(path);
  std::string decoded;
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '%' && i + 2 < path.size()) {
      decoded += char(std::strtol(std::string(path.substr(i + 1, 2)).c_str(), nullptr, 16));
      i += 2;
    } else {
      decoded += path[i] == '/' ? ' ' : path[i];
    }
  }
  words.merge(TokensOf(decoded));
  const json body = json::parse(request.body, nullptr, false);
  for (const char* field : {"sql", "name"}) {
    if (body.is_object() && body.contains(field) && body[field].is_string()) {
      const std::string text = body[field].get<std::string>();
      words.merge(TokensOf(text));
      // DuckDB may quote a piece of a token ("BEN_" of "BEN_@EX_COD").
      for (const std::string& leak : fuzz::Oracle().Leaks(text, text)) {
        for (size_t n = 3; n < leak.size(); ++n) words.insert(leak.substr(0, n));
      }
    }
  }
  return words;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  Hub& hub = TheHub();
  server::HttpApi& api = hub.api();
  boost::beast::flat_buffer buffer;
  boost::asio::buffer_copy(buffer.prepare(size), boost::asio::buffer(data, size));
  buffer.commit(size);
  for (int n = 0; n < 4; ++n) {
    // As HttpServer::Serve reads: the header, then the body, then the
    // stream's end when the bytes run out.
    http::request_parser<http::string_body> parser;
    parser.header_limit(server::kHttpMaxHeaderBytes);
    parser.body_limit(server::ServeConfig{}.http_max_body_bytes);
    boost::system::error_code ec;
    while (!parser.is_done()) {
      const size_t used = buffer.size() > 0 ? parser.put(buffer.data(), ec) : 0;
      buffer.consume(used);
      if (ec == http::error::need_more) ec = {};
      if (ec) break;
      if (used == 0) {  // as Beast's read at the stream's end
        if (!parser.got_some()) {
          ec = http::error::end_of_stream;
        } else {
          parser.put_eof(ec);
          if (!ec && !parser.is_done()) ec = http::error::partial_message;
        }
        break;
      }
    }
    const std::string request_id = server::NewRequestId();
    server::HttpResponse answer;
    std::set<std::string> own_words;
    bool keep_alive = false;
    if (ec == http::error::body_limit) {
      answer = server::Problem(413, "the request body is too large", request_id);
    } else if (ec == http::error::header_limit) {
      answer = server::Problem(431, "the request header is too large", request_id);
    } else if (ec == http::error::end_of_stream) {
      break;  // nothing more was sent
    } else if (ec) {
      answer = server::Problem(400, "malformed HTTP request", request_id);
    } else {
      http::request<http::string_body> req = parser.release();
      keep_alive = req.keep_alive();
      server::HttpRequest request{.method = std::string(req.method_string()),
                                  .target = std::string(req.target()),
                                  .authorization = std::string(req[http::field::authorization]),
                                  .accept = std::string(req[http::field::accept]),
                                  .body = std::move(req.body()),
                                  .client = "127.0.0.1",
                                  .request_id = request_id};
      if (request.authorization.rfind("Bearer ", 0) == 0) {
        auto it = hub.tokens().find(request.authorization.substr(7));
        if (it != hub.tokens().end()) request.authorization = "Bearer " + it->second;
      }
      own_words = OwnWords(request);
      answer = api.Handle(request);
    }
    CheckAnswer(answer, request_id, input, own_words);
    if (!keep_alive || buffer.size() == 0) break;
  }
  return 0;
}
