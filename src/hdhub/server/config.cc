#include "hdhub/server/config.h"

#include <toml++/toml.h>

#include <charconv>
#include <functional>
#include <map>

#include "hdhub/common/file.h"
#include "hdhub/directory/role.h"

namespace hdhub::server {
namespace {

constexpr int64_t kMaxSeconds = 7 * 24 * 3600;
constexpr int64_t kMaxConnections = 100000;
constexpr int64_t kMaxWorkerThreads = 1024;
constexpr int64_t kMinMessageBytes = 1 << 10;
constexpr int64_t kMaxMessageBytes = 1 << 30;

// Stores `v` in `out` (converted), or returns its error.
template <typename T, typename U>
Status Set(StatusOr<U> v, T& out) {
  if (!v.ok()) return v.status();
  out = static_cast<T>(*v);
  return OkStatus();
}

// Reads the keys of one table, each error naming file, line and key.
class Reader {
 public:
  Reader(std::string_view path, ServeConfig& config) : path_(path), config_(config) {}

  Status Error(const toml::node& node, std::string_view key, std::string_view what) const {
    return InvalidArgumentError(path_ + ":" + std::to_string(node.source().begin.line) + ": serve." + std::string(key) +
                                ": " + std::string(what));
  }
  StatusOr<int64_t> Integer(const toml::node& node, std::string_view key, int64_t min, int64_t max) const {
    std::optional<int64_t> v = node.value<int64_t>();
    if (!node.is_integer() || !v) return Error(node, key, "expected an integer");
    if (*v < min || *v > max) {
      return Error(node, key, "expected a number from " + std::to_string(min) + " to " + std::to_string(max));
    }
    return *v;
  }
  StatusOr<std::string> String(const toml::node& node, std::string_view key) const {
    if (!node.is_string()) return Error(node, key, "expected a string");
    return std::string(*node.value<std::string_view>());
  }
  StatusOr<std::vector<std::string>> Strings(const toml::node& node, std::string_view key) const {
    const toml::array* array = node.as_array();
    if (array == nullptr) return Error(node, key, "expected a list of strings");
    std::vector<std::string> out;
    for (const toml::node& item : *array) {
      ASSIGN_OR_RETURN(std::string s, String(item, key));
      out.push_back(std::move(s));
    }
    return out;
  }
  StatusOr<std::chrono::seconds> Seconds(const toml::node& node, std::string_view key) const {
    ASSIGN_OR_RETURN(int64_t v, Integer(node, key, 0, kMaxSeconds));
    return std::chrono::seconds(v);
  }

  using Setter = std::function<Status(const toml::node&, std::string_view key)>;
  // Calls the setter of each key of `table` (named "<prefix><key>");
  // an unknown key is an error.
  Status Table(const toml::table& table, std::string_view prefix, const std::map<std::string, Setter>& setters) {
    for (auto&& [k, node] : table) {
      const std::string key = std::string(prefix) + std::string(k.str());
      auto it = setters.find(std::string(k.str()));
      if (it == setters.end()) return Error(node, key, "unknown key");
      RETURN_IF_ERROR(it->second(node, key));
    }
    return OkStatus();
  }

  Status Serve(const toml::table& serve);
  Status Tls(const toml::node& node, std::string_view key);
  Status Query(const toml::node& node, std::string_view key);
  Status Limits(const toml::node& node, std::string_view key);
  Status Oidc(const toml::node& node, std::string_view key);
  // [serve.oidc.roles] / [serve.oidc.acr]: role names only.
  Status RoleTable(const toml::node& node, std::string_view key, bool groups);

 private:
  std::string path_;
  ServeConfig& config_;
};

Status Reader::Tls(const toml::node& node, std::string_view key) {
  const toml::table* table = node.as_table();
  if (table == nullptr) return Error(node, key, "expected a table");
  TlsConfig& tls = config_.tls;
  return Table(*table, "tls.",
               {{"certificate", [&](auto& n, auto k) { return Set(String(n, k), tls.certificate); }},
                {"key", [&](auto& n, auto k) { return Set(String(n, k), tls.key); }},
                {"min_version", [&](auto& n, auto k) -> Status {
                   RETURN_IF_ERROR(Set(String(n, k), tls.min_version));
                   if (tls.min_version != "1.2" && tls.min_version != "1.3") {
                     return Error(n, k, "expected \"1.2\" or \"1.3\"");
                   }
                   return OkStatus();
                 }}});
}

Status Reader::Query(const toml::node& node, std::string_view key) {
  const toml::table* table = node.as_table();
  if (table == nullptr) return Error(node, key, "expected a table");
  QueryLimits& q = config_.query;
  return Table(*table, "query.",
               {{"threads", [&](auto& n, auto k) { return Set(Integer(n, k, 0, kMaxWorkerThreads), q.threads); }},
                {"memory", [&](auto& n, auto k) { return Set(String(n, k), q.memory); }},
                {"max_rows", [&](auto& n, auto k) { return Set(Integer(n, k, 0, INT64_MAX), q.max_rows); }},
                {"max_bytes", [&](auto& n, auto k) { return Set(Integer(n, k, 0, INT64_MAX), q.max_bytes); }},
                {"timeout", [&](auto& n, auto k) { return Set(Seconds(n, k), q.timeout); }}});
}

Status Reader::Limits(const toml::node& node, std::string_view key) {
  const toml::table* table = node.as_table();
  if (table == nullptr) return Error(node, key, "expected a table");
  LimitsConfig& l = config_.limits;
  // A count from 0 (no limit) into `out`, a field of config_.limits.
  auto count = [this](auto& out) -> Setter {
    return
        [this, &out](const toml::node& n, std::string_view k) { return Set(Integer(n, k, 0, kMaxConnections), out); };
  };
  return Table(*table, "limits.",
               {{"max_connections_per_account", count(l.max_connections_per_account)},
                {"max_connections_per_address", count(l.max_connections_per_address)},
                {"max_failed_logins", count(l.max_failed_logins)},
                {"failed_login_window",
                 [&](auto& n, auto k) -> Status {
                   RETURN_IF_ERROR(Set(Seconds(n, k), l.failed_login_window));
                   if (l.failed_login_window.count() == 0) return Error(n, k, "expected at least 1 second");
                   return OkStatus();
                 }},
                {"lockout", [&](auto& n, auto k) { return Set(Seconds(n, k), l.lockout); }},
                {"requests_per_second", count(l.requests_per_second)},
                {"request_burst", count(l.request_burst)},
                {"requests_per_second_per_address", count(l.requests_per_second_per_address)},
                {"request_burst_per_address", count(l.request_burst_per_address)}});
}

Status Reader::RoleTable(const toml::node& node, std::string_view key, bool groups) {
  const toml::table* table = node.as_table();
  if (table == nullptr) return Error(node, key, "expected a table");
  OidcServeConfig& o = config_.oidc;
  for (auto&& [k, value] : *table) {
    const std::string role(k.str());
    const std::string where = std::string(key) + "." + role;
    if (!directory::ParseRole(role).ok()) {
      return Error(value, where, "not a role (operator, steward, researcher, checker or auditor)");
    }
    if (groups) {
      ASSIGN_OR_RETURN(o.role_groups[role], Strings(value, where));
    } else {
      ASSIGN_OR_RETURN(o.role_acr[role], String(value, where));
    }
  }
  return OkStatus();
}

Status Reader::Oidc(const toml::node& node, std::string_view key) {
  const toml::table* table = node.as_table();
  if (table == nullptr) return Error(node, key, "expected a table");
  OidcServeConfig& o = config_.oidc;
  o.enabled = true;
  auto timeout = [&](std::chrono::seconds& out) -> Setter {
    return [this, &out](const toml::node& n, std::string_view k) -> Status {
      RETURN_IF_ERROR(Set(Seconds(n, k), out));
      if (out.count() == 0) return Error(n, k, "expected at least 1 second");
      return OkStatus();
    };
  };
  RETURN_IF_ERROR(Table(
      *table, "oidc.",
      {{"issuer", [&](auto& n, auto k) { return Set(String(n, k), o.issuer); }},
       {"client_id", [&](auto& n, auto k) { return Set(String(n, k), o.client_id); }},
       {"client_secret_file", [&](auto& n, auto k) { return Set(String(n, k), o.client_secret_file); }},
       {"redirect_uri", [&](auto& n, auto k) { return Set(String(n, k), o.redirect_uri); }},
       {"post_logout_redirect_uri", [&](auto& n, auto k) { return Set(String(n, k), o.post_logout_redirect_uri); }},
       {"ca_file", [&](auto& n, auto k) { return Set(String(n, k), o.ca_file); }},
       {"allow_loopback_http",
        [&](auto& n, auto k) -> Status {
          if (!n.is_boolean()) return Error(n, k, "expected true or false");
          o.allow_loopback_http = *n.template value<bool>();
          return OkStatus();
        }},
       {"roles", [&](auto& n, auto k) { return RoleTable(n, k, true); }},
       {"acr", [&](auto& n, auto k) { return RoleTable(n, k, false); }},
       {"idle_timeout", timeout(o.idle_timeout)},
       {"absolute_timeout", timeout(o.absolute_timeout)},
       {"reauth_window", timeout(o.reauth_window)}}));
  if (o.issuer.empty() || o.client_id.empty() || o.redirect_uri.empty()) {
    return Error(node, key, "set issuer, client_id and redirect_uri");
  }
  if (!o.redirect_uri.starts_with("https://") || !o.redirect_uri.ends_with("/auth/callback")) {
    return Error(node, key, "redirect_uri must be https://HOST:PORT/auth/callback");
  }
  if (o.idle_timeout > o.absolute_timeout) return Error(node, key, "idle_timeout exceeds absolute_timeout");
  return OkStatus();
}

Status Reader::Serve(const toml::table& serve) {
  ServeConfig& c = config_;
  // "host:port" strings into `out`; at least one when `required`.
  auto addresses = [&](const toml::node& n, std::string_view k, std::vector<ListenAddress>& out,
                       bool required) -> Status {
    ASSIGN_OR_RETURN(std::vector<std::string> texts, Strings(n, k));
    if (required && texts.empty()) return Error(n, k, "expected at least one \"host:port\"");
    out.clear();
    for (const std::string& t : texts) {
      auto address = ParseListenAddress(t);
      if (!address.ok()) return Error(n, k, address.status().message());
      out.push_back(*address);
    }
    return OkStatus();
  };
  auto listen = [&](const toml::node& n, std::string_view k) { return addresses(n, k, c.listen, true); };
  auto http_listen = [&](const toml::node& n, std::string_view k) { return addresses(n, k, c.http_listen, false); };
  auto networks = [&](const toml::node& n, std::string_view k) -> Status {
    ASSIGN_OR_RETURN(std::vector<std::string> texts, Strings(n, k));
    for (const std::string& t : texts) {
      auto network = ParseNetwork(t);
      if (!network.ok()) return Error(n, k, network.status().message());
      c.allowed_networks.push_back(*network);
    }
    return OkStatus();
  };
  return Table(
      serve, "",
      {{"listen", listen},
       {"allowed_networks", networks},
       {"tls", [&](auto& n, auto k) { return Tls(n, k); }},
       {"query", [&](auto& n, auto k) { return Query(n, k); }},
       {"limits", [&](auto& n, auto k) { return Limits(n, k); }},
       {"oidc", [&](auto& n, auto k) { return Oidc(n, k); }},
       {"max_connections", [&](auto& n, auto k) { return Set(Integer(n, k, 1, kMaxConnections), c.max_connections); }},
       {"worker_threads", [&](auto& n, auto k) { return Set(Integer(n, k, 1, kMaxWorkerThreads), c.worker_threads); }},
       {"auth_timeout", [&](auto& n, auto k) { return Set(Seconds(n, k), c.auth_timeout); }},
       {"idle_timeout", [&](auto& n, auto k) { return Set(Seconds(n, k), c.idle_timeout); }},
       {"shutdown_grace", [&](auto& n, auto k) { return Set(Seconds(n, k), c.shutdown_grace); }},
       {"max_message_bytes",
        [&](auto& n, auto k) { return Set(Integer(n, k, kMinMessageBytes, kMaxMessageBytes), c.max_message_bytes); }},
       {"http_listen", http_listen},
       {"http_max_body_bytes",
        [&](auto& n, auto k) { return Set(Integer(n, k, 1024, kMaxMessageBytes), c.http_max_body_bytes); }},
       {"http_max_upload_bytes",
        [&](auto& n, auto k) { return Set(Integer(n, k, 1024, int64_t(1) << 40), c.http_max_upload_bytes); }},
       {"http_header_timeout", [&](auto& n, auto k) { return Set(Seconds(n, k), c.http_header_timeout); }},
       {"http_idle_timeout", [&](auto& n, auto k) { return Set(Seconds(n, k), c.http_idle_timeout); }},
       {"portal_dir", [&](auto& n, auto k) { return Set(String(n, k), c.portal_dir); }},
       {"audit_checkpoint_ms", [&](auto& n, auto k) -> Status {
          ASSIGN_OR_RETURN(int64_t ms, Integer(n, k, 0, 60'000));
          c.audit_checkpoint_interval = std::chrono::milliseconds(ms);
          return OkStatus();
        }}});
}

}  // namespace

StatusOr<ListenAddress> ParseListenAddress(std::string_view text) {
  const size_t colon = text.rfind(':');
  if (colon == text.npos) return InvalidArgumentError("expected \"host:port\", got \"" + std::string(text) + "\"");
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int port = -1;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 0 || port > 65535) {
    return InvalidArgumentError("bad port in \"" + std::string(text) + "\"");
  }
  RETURN_IF_ERROR(ParseIpAddress(host).status());
  return ListenAddress{std::string(host), uint16_t(port)};
}

StatusOr<ServeConfig> ParseServeConfig(std::string_view text, std::string_view path) {
  ServeConfig config;
  toml::table document;
  try {
    document = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    return InvalidArgumentError(std::string(path) + ":" + std::to_string(e.source().begin.line) + ": " +
                                std::string(e.description()));
  }
  Reader reader(path, config);
  if (const toml::node* serve = document.get("serve")) {
    if (!serve->is_table()) return reader.Error(*serve, "", "expected a table [serve]");
    RETURN_IF_ERROR(reader.Serve(*serve->as_table()));
  }
  if (config.tls.certificate.empty() || config.tls.key.empty()) {
    return InvalidArgumentError(std::string(path) + ": serve.tls: set certificate and key (TLS is required)");
  }
  if (config.allowed_networks.empty()) {
    config.allowed_networks = LoopbackNetworks();
  }
  return config;
}

StatusOr<ServeConfig> LoadServeConfig(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return ParseServeConfig(text, path);
}

}  // namespace hdhub::server
