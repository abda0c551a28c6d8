// ServeConfig: the settings of `hdhub serve`, the [serve] table of
// hdhub.toml (docs/serve.md lists every key; packaging/hdhub.toml is a
// sample). The same file carries the CLI's own settings (hub, user, json),
// which CLI11 reads and this parser leaves alone; in [serve], an unknown key
// is an error, so a misspelt limit never silently falls back to a default.
//
// Value types and pure functions; thread-safe.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/common/network.h"
#include "hdhub/common/status.h"
#include "hdhub/server/limits.h"

namespace hdhub::server {

// "host:port" ("[::1]:5432" for IPv6); host is an IP address.
struct ListenAddress {
  std::string host;
  uint16_t port = 0;
};

// Networks and addresses (common/network.h), as [serve] uses them.
using hdhub::Network;
using hdhub::ParseIpAddress;
using hdhub::ParseNetwork;

struct TlsConfig {
  std::string certificate;          // PEM chain, leaf first
  std::string key;                  // PEM private key
  std::string min_version = "1.2";  // "1.2" or "1.3"
};

// Passed through to the backend: what one statement may use.
struct QueryLimits {
  int threads = 0;                           // DuckDB threads per session; 0: DuckDB's default
  std::string memory;                        // DuckDB memory_limit ("4GB"); empty: DuckDB's default
  uint64_t max_rows = 100000;                // rows one statement may return; 0: no limit
  uint64_t max_bytes = uint64_t{256} << 20;  // bytes of its cells (sql/query_stream.h); 0: no limit
  std::chrono::seconds timeout{0};           // statement timeout; 0: the session's (5 minutes)
};

// [serve.oidc]: single sign-on by OpenID Connect for the portal and the
// HTTP API (sso.h, docs/serve.md "Single sign-on"). Absent: no /auth routes.
struct OidcServeConfig {
  bool enabled = false;
  std::string issuer;     // the provider's, byte for byte
  std::string client_id;  // hdhub's at the provider
  // The client secret: this file (mode 0600 or stricter, like the TLS key),
  // else the environment variable HDHUB_OIDC_CLIENT_SECRET. Read at start.
  std::string client_secret_file;
  std::string redirect_uri;              // https://HOST:PORT/auth/callback, registered at the provider
  std::string post_logout_redirect_uri;  // optional
  std::string ca_file;                   // the provider's CA ("" for the system's)
  // http:// to a provider on loopback (tests only).
  bool allow_loopback_http = false;
  // role name -> the provider's groups that grant it; a role absent is never
  // granted through single sign-on.
  std::map<std::string, std::vector<std::string>> role_groups;
  // role name -> the acr the ID token must satisfy for it.
  std::map<std::string, std::string> role_acr;
  std::chrono::seconds idle_timeout{30 * 60};
  std::chrono::seconds absolute_timeout{12 * 3600};
  std::chrono::seconds reauth_window{5 * 60};  // operator actions need a login at most this old
};

struct ServeConfig {
  std::vector<ListenAddress> listen = {{"127.0.0.1", 5432}};
  TlsConfig tls;
  size_t max_connections = 100;
  size_t worker_threads = 4;
  std::vector<Network> allowed_networks;  // empty after loading: loopback only
  std::chrono::seconds auth_timeout{30};
  std::chrono::seconds idle_timeout{0};  // 0: none
  std::chrono::seconds shutdown_grace{30};
  uint32_t max_message_bytes = 64u << 20;
  QueryLimits query;
  LimitsConfig limits;  // [serve.limits]: per account and per address (limits.h)
  // The HTTP JSON API (http_server.h); no address: not served.
  std::vector<ListenAddress> http_listen;
  uint32_t http_max_body_bytes = 1u << 20;       // a request's body (413 beyond)
  uint64_t http_max_upload_bytes = 4ull << 30;   // an ingest upload (multipart, spooled to disk; 413 beyond)
  std::chrono::seconds http_header_timeout{10};  // to read a request's header and body
  std::chrono::seconds http_idle_timeout{60};    // a keep-alive connection between requests
  // The web portal's built files (portal/dist), served on http_listen for
  // every path outside /api/ (static_files.h); empty: no portal (404).
  std::string portal_dir;
  // How long an audit entry may wait for a signed checkpoint (hub::OpenOptions);
  // 0: one per statement.
  std::chrono::milliseconds audit_checkpoint_interval{1000};
  OidcServeConfig oidc;  // [serve.oidc]
};

// Parses "host:port" / "[v6]:port"; InvalidArgument otherwise.
StatusOr<ListenAddress> ParseListenAddress(std::string_view text);

// The [serve] table of the TOML document `text` read from `path` (named in
// errors). InvalidArgument "<path>:<line>: serve.<key>: <what is wrong>" for
// a syntax error, an unknown key, a value of the wrong type or range, or a
// missing tls.certificate / tls.key.
StatusOr<ServeConfig> ParseServeConfig(std::string_view text, std::string_view path);
// The same from a file; NotFound when it does not exist.
StatusOr<ServeConfig> LoadServeConfig(const std::string& path);

}  // namespace hdhub::server
