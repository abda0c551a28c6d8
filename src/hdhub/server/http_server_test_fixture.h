// The fixture of the HTTP API's end-to-end tests: an HttpServer on
// 127.0.0.1 with a throwaway certificate over a real hub (the service
// fixture), and curl as the client. Shared by http_server_test.cc and
// http_stream_test.cc.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "hdhub/common/temp_dir.h"
#include "hdhub/server/http_server.h"
#include "hdhub/service/service_test_util.h"

namespace hdhub::server::http_test {

using directory::Role;
using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;

struct Reply {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  json Json() const { return json::parse(body, nullptr, false); }
};

class HttpServerTest : public service::ServiceTest {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    const std::string out = testing::RunCommandForTest(
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=localhost "
        "-addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout " +
        dir_->Sub("key.pem") + " -out " + dir_->Sub("cert.pem") + " 2>&1");
    ASSERT_TRUE(std::filesystem::exists(dir_->Sub("cert.pem"))) << out;
  }
  static void TearDownTestSuite() { delete dir_; }

  void SetUp() override {
    ServiceTest::SetUp();
    AddAccount("oscar", {Role::kOperator});
    AddAccount("rita", {Role::kResearcher});
    AddAccount("carl", {Role::kAuditor});
    for (const char* name : {"olga", "oscar", "rita", "carl"}) {
      auto issued = svc_->IssueToken(ctx("olga"), name, std::chrono::hours(1), "");
      ASSERT_OK(issued.status());
      tokens_[name] = std::string(issued->token.span().begin(), issued->token.span().end());
    }
  }

  void StartServer(uint32_t max_body = 1u << 20, uint64_t max_upload = 1u << 20, QueryLimits limits = {},
                   Limiter* limiter = nullptr) {
    ServeConfig config;
    config.http_listen = {{"127.0.0.1", 0}};
    config.tls = {.certificate = dir_->Sub("cert.pem"), .key = dir_->Sub("key.pem")};
    config.allowed_networks = {ParseNetwork("127.0.0.0/8").value()};
    config.worker_threads = 2;
    config.http_max_body_bytes = max_body;
    config.http_max_upload_bytes = max_upload;
    api_ = std::make_unique<HttpApi>(*svc_, std::string(BuiltinOpenApiJson()), limits);
    ASSERT_OK_AND_ASSIGN(server_, HttpServer::Create(std::move(config), *api_, logger_, limiter));
    port_ = server_->ports().at(0);
    thread_ = std::thread([this] { server_->Run(); });
  }

  void TearDown() override {
    if (server_ != nullptr) server_->Stop();
    if (thread_.joinable()) thread_.join();
    std::lock_guard<std::mutex> lock(log_mu_);
    for (const auto& [name, token] : tokens_) {
      for (const std::string& line : log_) EXPECT_THAT(line, Not(HasSubstr(token)));
    }
  }

  // The curl command of one request, its body to `out_file`, its head to stdout.
  std::string Curl(const std::string& out_file, const std::string& method, const std::string& path,
                   const std::string& token, const std::string& body, const std::string& extra) {
    std::string cmd = "curl -sS -o " + out_file + " -D - --cacert " + dir_->Sub("cert.pem") +
                      " --resolve localhost:" + std::to_string(port_) + ":127.0.0.1 -X " + method +
                      " 'https://localhost:" + std::to_string(port_) + path + "'";
    if (!token.empty()) cmd += " -H 'Authorization: Bearer " + token + "'";
    if (!body.empty()) cmd += " -H 'Content-Type: application/json' --data-binary '" + body + "'";
    return cmd + " " + extra;
  }

  // One request with curl; `token` "": no Authorization header.
  Reply Call(const std::string& method, const std::string& path, const std::string& token = "",
             const std::string& body = "", const std::string& extra = "") {
    const std::string out_file = tmp_.Sub("reply-" + std::to_string(++calls_));
    const std::string head = testing::RunCommandForTest(Curl(out_file, method, path, token, body, extra) + " 2>&1");
    Reply reply;
    std::istringstream lines(head);
    std::string line;
    while (std::getline(lines, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.rfind("HTTP/", 0) == 0) {
        reply.status = std::stoi(line.substr(line.find(' ') + 1));
        continue;
      }
      const size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      for (char& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
      reply.headers[name] = line.substr(colon + 2);
    }
    std::ifstream in(out_file);
    reply.body.assign(std::istreambuf_iterator<char>(in), {});
    EXPECT_NE(reply.status, 0) << head;
    return reply;
  }

  // A project p1 of rita's, approved by two operators and built.
  void BuiltProject() {
    IngestBeneficiaries();
    ASSERT_OK(svc_->CreateProject(ctx("olga"), Spec("p1", {"rita"})));
    ASSERT_OK(svc_->ApproveProject(ctx("olga"), "p1").status());
    ASSERT_OK(svc_->ApproveProject(ctx("oscar"), "p1").status());
    ASSERT_OK(svc_->BuildWorkspace(ctx("olga"), "p1").status());
  }

  static std::vector<json> Lines(const std::string& body) {
    std::vector<json> lines;
    std::istringstream in(body);
    for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line, nullptr, false));
    return lines;
  }

  static void ExpectProblem(const Reply& r, int status) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.headers.count("content-type") ? r.headers.at("content-type") : "", "application/problem+json");
    const json p = r.Json();
    ASSERT_TRUE(p.is_object()) << r.body;
    EXPECT_EQ(p.value("status", 0), status);
    EXPECT_TRUE(p.contains("type") && p.contains("title") && p.contains("detail"));
    ASSERT_TRUE(r.headers.count("x-request-id"));
    EXPECT_EQ(p.value("instance", ""), "urn:hdhub:request:" + r.headers.at("x-request-id"));
  }

  inline static testing::TempDir* dir_ = nullptr;
  std::map<std::string, std::string> tokens_;
  std::mutex log_mu_;
  std::vector<std::string> log_;
  Logger logger_{[this](std::string_view line) {
    std::lock_guard<std::mutex> lock(log_mu_);
    log_.emplace_back(line);
  }};
  std::unique_ptr<HttpApi> api_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
  uint16_t port_ = 0;
  int calls_ = 0;
};

}  // namespace hdhub::server::http_test
