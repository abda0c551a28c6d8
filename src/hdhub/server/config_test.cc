#include "hdhub/server/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"

namespace hdhub::server {
namespace {

using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;

constexpr char kTls[] = "[serve.tls]\ncertificate = \"/etc/hdhub/server.crt\"\nkey = \"/etc/hdhub/server.key\"\n";

TEST(ServeConfigTest, ReadsEveryKeyBesideTheCliSettings) {
  const std::string text = std::string("hub = \"/var/lib/hdhub\"\nuser = \"op\"\n\n[serve]\n") +
                           "listen = [\"0.0.0.0:5433\", \"[::1]:5432\"]\nmax_connections = 20\nworker_threads = 8\n"
                           "allowed_networks = [\"10.1.0.0/16\", \"::1\"]\nauth_timeout = 10\nidle_timeout = 600\n"
                           "shutdown_grace = 5\nmax_message_bytes = 1048576\n" +
                           kTls + "min_version = \"1.3\"\n[serve.query]\nthreads = 2\nmemory = \"4GB\"\n" +
                           "max_rows = 1000\nmax_bytes = 0\ntimeout = 60\n";
  ASSERT_OK_AND_ASSIGN(ServeConfig c, ParseServeConfig(text, "hdhub.toml"));
  ASSERT_EQ(c.listen.size(), 2u);
  EXPECT_EQ(c.listen[0].host, "0.0.0.0");
  EXPECT_EQ(c.listen[0].port, 5433);
  EXPECT_EQ(c.listen[1].host, "::1");
  EXPECT_EQ(c.max_connections, 20u);
  EXPECT_EQ(c.worker_threads, 8u);
  EXPECT_EQ(c.auth_timeout, std::chrono::seconds(10));
  EXPECT_EQ(c.idle_timeout, std::chrono::seconds(600));
  EXPECT_EQ(c.shutdown_grace, std::chrono::seconds(5));
  EXPECT_EQ(c.max_message_bytes, 1048576u);
  EXPECT_EQ(c.tls.certificate, "/etc/hdhub/server.crt");
  EXPECT_EQ(c.tls.min_version, "1.3");
  EXPECT_EQ(c.query.threads, 2);
  EXPECT_EQ(c.query.memory, "4GB");
  EXPECT_EQ(c.query.max_rows, 1000u);
  EXPECT_EQ(c.query.max_bytes, 0u) << "0: no limit";
  EXPECT_EQ(c.query.timeout, std::chrono::seconds(60));
  ASSERT_EQ(c.allowed_networks.size(), 2u);
  EXPECT_TRUE(c.allowed_networks[0].Contains(ParseIpAddress("10.1.200.3").value()));
  EXPECT_FALSE(c.allowed_networks[0].Contains(ParseIpAddress("10.2.0.1").value()));
  EXPECT_TRUE(c.allowed_networks[1].Contains(ParseIpAddress("::1").value()));
  EXPECT_FALSE(c.allowed_networks[1].Contains(ParseIpAddress("::2").value()));
}

TEST(ServeConfigTest, ReadsTheHttpApiKeys) {
  ASSERT_OK_AND_ASSIGN(ServeConfig none, ParseServeConfig(kTls, "hdhub.toml"));
  EXPECT_TRUE(none.http_listen.empty());
  const std::string text = std::string(
                               "[serve]\nhttp_listen = [\"127.0.0.1:8443\"]\nhttp_max_body_bytes = "
                               "4096\nhttp_max_upload_bytes = 1048576\n") +
                           "http_header_timeout = 5\nhttp_idle_timeout = 30\n" + kTls;
  ASSERT_OK_AND_ASSIGN(ServeConfig c, ParseServeConfig(text, "hdhub.toml"));
  ASSERT_EQ(c.http_listen.size(), 1u);
  EXPECT_EQ(c.http_listen[0].port, 8443);
  EXPECT_EQ(c.http_max_body_bytes, 4096u);
  EXPECT_EQ(c.http_max_upload_bytes, 1048576u);
  EXPECT_EQ(c.http_header_timeout, std::chrono::seconds(5));
  EXPECT_EQ(c.http_idle_timeout, std::chrono::seconds(30));
  EXPECT_THAT(ParseServeConfig("[serve]\nhttp_listen = [\"nohost\"]\n" + std::string(kTls), "hdhub.toml").status(),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("http_listen")));
}

TEST(ServeConfigTest, ReadsThePortalDirectory) {
  ASSERT_OK_AND_ASSIGN(ServeConfig none, ParseServeConfig(kTls, "hdhub.toml"));
  EXPECT_TRUE(none.portal_dir.empty());
  ASSERT_OK_AND_ASSIGN(
      ServeConfig c,
      ParseServeConfig("[serve]\nportal_dir = \"/srv/hdhub/portal\"\n" + std::string(kTls), "hdhub.toml"));
  EXPECT_EQ(c.portal_dir, "/srv/hdhub/portal");
  EXPECT_THAT(ParseServeConfig("[serve]\nportal_dir = 3\n" + std::string(kTls), "hdhub.toml").status(),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("serve.portal_dir")));
}

TEST(ServeConfigTest, ReadsTheAuditCheckpointInterval) {
  ASSERT_OK_AND_ASSIGN(ServeConfig defaults, ParseServeConfig(kTls, "hdhub.toml"));
  EXPECT_EQ(defaults.audit_checkpoint_interval, std::chrono::milliseconds(1000));
  ASSERT_OK_AND_ASSIGN(ServeConfig each,
                       ParseServeConfig("[serve]\naudit_checkpoint_ms = 0\n" + std::string(kTls), "hdhub.toml"));
  EXPECT_EQ(each.audit_checkpoint_interval, std::chrono::milliseconds(0));
  EXPECT_THAT(ParseServeConfig("[serve]\naudit_checkpoint_ms = 60001\n" + std::string(kTls), "hdhub.toml").status(),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("hdhub.toml:2: serve.audit_checkpoint_ms")));
}

TEST(ServeConfigTest, ReadsTheLimitsTable) {
  const std::string text = std::string(kTls) +
                           "[serve.limits]\nmax_connections_per_account = 3\nmax_connections_per_address = 0\n"
                           "max_failed_logins = 5\nfailed_login_window = 60\nlockout = 120\n"
                           "requests_per_second = 7\nrequest_burst = 9\n"
                           "requests_per_second_per_address = 70\nrequest_burst_per_address = 90\n";
  ASSERT_OK_AND_ASSIGN(ServeConfig c, ParseServeConfig(text, "hdhub.toml"));
  EXPECT_EQ(c.limits.max_connections_per_account, 3u);
  EXPECT_EQ(c.limits.max_connections_per_address, 0u);
  EXPECT_EQ(c.limits.max_failed_logins, 5u);
  EXPECT_EQ(c.limits.failed_login_window, std::chrono::seconds(60));
  EXPECT_EQ(c.limits.lockout, std::chrono::seconds(120));
  EXPECT_EQ(c.limits.requests_per_second, 7);
  EXPECT_EQ(c.limits.request_burst, 9u);
  EXPECT_EQ(c.limits.requests_per_second_per_address, 70);
  EXPECT_EQ(c.limits.request_burst_per_address, 90u);
  EXPECT_THAT(ParseServeConfig(std::string(kTls) + "[serve.limits]\nlockuot = 1\n", "h.toml").status(),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("h.toml:5: serve.limits.lockuot: unknown key")));
  EXPECT_THAT(ParseServeConfig(std::string(kTls) + "[serve.limits]\nfailed_login_window = 0\n", "h.toml").status(),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("serve.limits.failed_login_window")));
  EXPECT_THAT(ParseServeConfig(std::string(kTls) + "[serve.limits]\nrequest_burst = -1\n", "h.toml").status(),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("serve.limits.request_burst: expected a number")));
}

TEST(ServeConfigTest, DefaultsToLoopbackOnly) {
  ASSERT_OK_AND_ASSIGN(ServeConfig c, ParseServeConfig(kTls, "hdhub.toml"));
  ASSERT_EQ(c.listen.size(), 1u);
  EXPECT_EQ(c.listen[0].host, "127.0.0.1");
  bool loopback = false, other = false;
  for (const Network& n : c.allowed_networks) {
    loopback = loopback || n.Contains(ParseIpAddress("127.0.0.1").value());
    other = other || n.Contains(ParseIpAddress("192.168.1.1").value());
  }
  EXPECT_TRUE(loopback);
  EXPECT_FALSE(other);
}

TEST(ServeConfigTest, ErrorsNameFileLineAndKey) {
  EXPECT_THAT(
      ParseServeConfig(std::string("[serve]\nmax_conections = 3\n") + kTls, "/etc/hdhub.toml"),
      StatusIs(StatusCode::kInvalidArgument, HasSubstr("/etc/hdhub.toml:2: serve.max_conections: unknown key")));
  EXPECT_THAT(ParseServeConfig(std::string("[serve]\n\nworker_threads = \"many\"\n") + kTls, "h.toml"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("h.toml:3: serve.worker_threads: expected an integer")));
  EXPECT_THAT(ParseServeConfig(std::string("[serve]\nmax_connections = 0\n") + kTls, "h.toml"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("h.toml:2: serve.max_connections: expected a number")));
  EXPECT_THAT(ParseServeConfig(std::string("[serve]\nlisten = [\"localhost:5432\"]\n") + kTls, "h.toml"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("h.toml:2: serve.listen: not an IP address")));
  EXPECT_THAT(ParseServeConfig(std::string("[serve]\nallowed_networks = [\"10.0.0.0/33\"]\n") + kTls, "h.toml"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("h.toml:2: serve.allowed_networks: bad prefix")));
  EXPECT_THAT(ParseServeConfig(std::string(kTls) + "min_version = \"1.1\"\n", "h.toml"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("h.toml:4: serve.tls.min_version: expected")));
  EXPECT_THAT(ParseServeConfig("[serve\n", "h.toml"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("h.toml:1: ")));
}

TEST(ServeConfigTest, TheSampleInPackagingIsValid) {
  ASSERT_OK_AND_ASSIGN(ServeConfig c, LoadServeConfig((testing::SourceDir() / "packaging/hdhub.toml").string()));
  EXPECT_EQ(c.listen.size(), 2u);
  EXPECT_EQ(c.tls.certificate, "/etc/hdhub/tls/server.crt");
  EXPECT_EQ(c.query.timeout, std::chrono::seconds(900));
}

TEST(ServeConfigTest, TlsIsRequired) {
  EXPECT_THAT(ParseServeConfig("[serve]\nmax_connections = 3\n", "h.toml"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("serve.tls: set certificate and key")));
}

TEST(ServeConfigTest, ListenAddressesAndNetworks) {
  EXPECT_THAT(ParseListenAddress("127.0.0.1:99999"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseListenAddress("127.0.0.1"), StatusIs(StatusCode::kInvalidArgument));
  ASSERT_OK_AND_ASSIGN(Network all_v4, ParseNetwork("0.0.0.0/0"));
  EXPECT_TRUE(all_v4.Contains(ParseIpAddress("203.0.113.7").value()));
  EXPECT_FALSE(all_v4.Contains(ParseIpAddress("2001:db8::1").value()));
}

TEST(ServeConfigTest, ReadsSingleSignOnWithDefaultTimeouts) {
  const std::string text = std::string("[serve]\n") + kTls +
                           "[serve.oidc]\nissuer = \"https://auth.example.org/\"\nclient_id = \"hdhub\"\n"
                           "redirect_uri = \"https://hub.example.org:8443/auth/callback\"\nreauth_window = 60\n"
                           "[serve.oidc.roles]\noperator = [\"admins\"]\nresearcher = [\"staff\", \"guests\"]\n"
                           "[serve.oidc.acr]\noperator = \"loa-3\"\n";
  ASSERT_OK_AND_ASSIGN(ServeConfig c, ParseServeConfig(text, "hdhub.toml"));
  EXPECT_TRUE(c.oidc.enabled);
  EXPECT_EQ(c.oidc.issuer, "https://auth.example.org/");
  EXPECT_EQ(c.oidc.role_groups.at("researcher"), (std::vector<std::string>{"staff", "guests"}));
  EXPECT_EQ(c.oidc.role_acr.at("operator"), "loa-3");
  EXPECT_EQ(c.oidc.idle_timeout, std::chrono::minutes(30));
  EXPECT_EQ(c.oidc.absolute_timeout, std::chrono::hours(12));
  EXPECT_EQ(c.oidc.reauth_window, std::chrono::seconds(60));
  ASSERT_OK_AND_ASSIGN(ServeConfig none, ParseServeConfig(std::string("[serve]\n") + kTls, "hdhub.toml"));
  EXPECT_FALSE(none.oidc.enabled);
}

TEST(ServeConfigTest, RefusesSingleSignOnMistakes) {
  const std::string base =
      std::string("[serve]\n") + kTls + "[serve.oidc]\nissuer = \"https://a/\"\nclient_id = \"h\"\n";
  EXPECT_THAT(ParseServeConfig(base + "redirect_uri = \"http://h/auth/callback\"\n", "t.toml"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("redirect_uri")));
  const std::string ok = base + "redirect_uri = \"https://h/auth/callback\"\n";
  EXPECT_THAT(ParseServeConfig(ok + "[serve.oidc.roles]\nadmin = [\"x\"]\n", "t.toml"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("serve.oidc.roles.admin")));
  EXPECT_THAT(ParseServeConfig(ok + "client_secret = \"s\"\n", "t.toml"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("unknown key")));
  EXPECT_THAT(ParseServeConfig(ok + "idle_timeout = 0\n", "t.toml"), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace hdhub::server
