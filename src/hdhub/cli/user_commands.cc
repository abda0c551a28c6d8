// hdhub user … | token … | whoami | passphrase: accounts from the command
// line. Each command acts as the authenticated account of its Session; the
// service asks the policy and the directory logs every decision. Exit codes
// as in commands.h.
#include <cctype>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "hdhub/cli/commands.h"
#include "hdhub/cli/output.h"
#include "hdhub/cli/remote.h"
#include "hdhub/directory/directory.h"
#include "hdhub/keys/passphrase.h"

namespace hdhub::cli {
namespace {

using directory::Role;

constexpr char kUserPasswordEnv[] = "HDHUB_USER_PASSWORD";
constexpr char kNewPassphraseEnv[] = "HDHUB_NEW_PASSPHRASE";
constexpr char kDefaultTtl[] = "90d";
constexpr char kRolesHelp[] = "operator, steward, researcher, checker or auditor";

using service::RequestContext;
using service::Service;

StatusOr<std::vector<Role>> ParseRoles(const std::vector<std::string>& names) {
  std::vector<Role> roles;
  for (const std::string& name : names) {
    ASSIGN_OR_RETURN(Role role, directory::ParseRole(name));
    roles.push_back(role);
  }
  return roles;
}

std::string JoinRoles(const std::vector<Role>& roles) {
  std::string out;
  for (const std::string& name : directory::RoleNames(roles)) out += (out.empty() ? "" : ",") + name;
  return out;
}

// "90d", "12h" or "30m" as a duration; InvalidArgument otherwise.
StatusOr<std::chrono::microseconds> ParseTtl(const std::string& text) {
  const Status bad = InvalidArgumentError("--ttl must be a whole number of days, hours or minutes, e.g. 90d, 12h");
  if (text.size() < 2 || text.size() > 8) return bad;
  int64_t count = 0;
  for (char c : text.substr(0, text.size() - 1)) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return bad;
    count = count * 10 + (c - '0');
  }
  switch (text.back()) {
    case 'd':
      return std::chrono::days(count);
    case 'h':
      return std::chrono::hours(count);
    case 'm':
      return std::chrono::minutes(count);
    default:
      return bad;
  }
}

// One line for people, or {"<key>": <value>, ...} for programs.
void PrintDone(const GlobalOptions& opts, const std::string& human, const nlohmann::json& json) {
  std::cout << (opts.json ? json.dump() : human) << "\n";
}

void AddUserAdd(CLI::App& user, const GlobalOptions& opts, int* exit_code) {
  auto* cmd = user.add_subcommand("add", "create a user (password from $HDHUB_USER_PASSWORD, or typed twice)");
  struct Args {
    std::string name;
    std::vector<std::string> roles;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("name", a->name, "user name: a lower-case letter, then up to 63 of [a-z0-9._-]")->required();
  cmd->add_option("--role", a->roles, std::string(kRolesHelp) + " (repeat for several)")
      ->required()
      ->allow_extra_args(false);
  cmd->callback(OnSession(opts, exit_code, [&opts, a](Service& svc, const RequestContext& ctx) -> Status {
    ASSIGN_OR_RETURN(std::vector<Role> roles, ParseRoles(a->roles));
    ASSIGN_OR_RETURN(SecretBytes password, keys::ReadNewPassphrase(kUserPasswordEnv, "password for " + a->name + ": "));
    RETURN_IF_ERROR(svc.AddUser(ctx, a->name, roles, password));
    PrintDone(opts, "user " + a->name + " created with roles " + JoinRoles(roles),
              {{"user", a->name}, {"roles", directory::RoleNames(roles)}});
    return OkStatus();
  }));
}

void AddUserPasswd(CLI::App& user, const GlobalOptions& opts, int* exit_code) {
  auto* cmd = user.add_subcommand("passwd", "set a user's password and release a lockout");
  auto name = std::make_shared<std::string>();
  cmd->add_option("name", *name, "user name")->required();
  cmd->callback(OnSession(opts, exit_code, [&opts, name](Service& svc, const RequestContext& ctx) -> Status {
    ASSIGN_OR_RETURN(SecretBytes password,
                     keys::ReadNewPassphrase(kUserPasswordEnv, "new password for " + *name + ": "));
    RETURN_IF_ERROR(svc.SetPassword(ctx, *name, password));
    PrintDone(opts, "password of " + *name + " changed", {{"user", *name}, {"password_changed", true}});
    return OkStatus();
  }));
}

void AddUserList(CLI::App& user, const GlobalOptions& opts, int* exit_code) {
  auto* cmd = user.add_subcommand("list", "every user with roles, state and lockout");
  cmd->callback(OnSession(opts, exit_code, [&opts](Service& svc, const RequestContext& ctx) -> Status {
    ASSIGN_OR_RETURN(std::vector<directory::UserRecord> users, svc.ListUsers(ctx));
    sql::QueryResult table;
    table.column_names = {"user", "roles", "state", "created", "failed_attempts", "locked_until"};
    table.column_types = {"VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "BIGINT", "VARCHAR"};
    for (const directory::UserRecord& u : users) {
      table.rows.push_back({u.name, JoinRoles(u.roles), std::string(directory::UserStateName(u.state)),
                            FormatRfc3339(u.created_at), std::to_string(u.failed_attempts),
                            u.locked_until ? std::optional(FormatRfc3339(*u.locked_until)) : std::nullopt});
    }
    PrintResult(table, opts.json);
    return OkStatus();
  }));
}

// `hdhub user <verb> NAME [--role R]`: one change, reported in one line.
// `change` gets the role when the command takes one.
using UserChange = std::function<StatusOr<std::string>(Service&, const RequestContext&, const std::string& name,
                                                       std::optional<Role> role)>;
void AddUserChange(CLI::App& user, const GlobalOptions& opts, int* exit_code, const std::string& verb,
                   const std::string& help, bool with_role, UserChange change) {
  auto* cmd = user.add_subcommand(verb, help);
  auto name = std::make_shared<std::string>();
  auto role = std::make_shared<std::string>();
  cmd->add_option("name", *name, "user name")->required();
  if (with_role) cmd->add_option("--role", *role, kRolesHelp)->required();
  cmd->callback(
      OnSession(opts, exit_code, [&opts, name, role, verb, change](Service& svc, const RequestContext& ctx) -> Status {
        std::optional<Role> parsed;
        if (!role->empty()) {
          ASSIGN_OR_RETURN(parsed, directory::ParseRole(*role));
        }
        ASSIGN_OR_RETURN(std::string done, change(svc, ctx, *name, parsed));
        nlohmann::json json = {{"user", *name}, {"done", done}};
        if (parsed) json["role"] = *role;
        PrintDone(opts, done + ": " + *name + (parsed ? " (" + *role + ")" : ""), json);
        return OkStatus();
      }));
}

// `hdhub user link-oidc NAME --issuer URL --subject SUB` and `unlink-oidc
// NAME --issuer URL`: single sign-on identities (docs/serve.md).
void AddUserOidc(CLI::App& user, const GlobalOptions& opts, int* exit_code) {
  struct Args {
    std::string name, issuer, subject;
  };
  auto link = std::make_shared<Args>();
  auto* cmd = user.add_subcommand(
      "link-oidc", "let an identity of an OpenID provider sign in to this account (single sign-on of hdhub serve)");
  cmd->add_option("name", link->name, "user name")->required();
  cmd->add_option("--issuer", link->issuer, "the provider's issuer URL, as in [serve.oidc] issuer")->required();
  cmd->add_option("--subject", link->subject, "the person's subject (sub claim) at the provider")->required();
  cmd->callback(OnSession(opts, exit_code, [&opts, link](Service& svc, const RequestContext& ctx) -> Status {
    RETURN_IF_ERROR(svc.LinkOidc(ctx, link->name, link->issuer, link->subject));
    PrintDone(opts, "linked: " + link->name + " signs in through " + link->issuer,
              {{"user", link->name}, {"issuer", link->issuer}, {"done", "link-oidc"}});
    return OkStatus();
  }));
  auto unlink = std::make_shared<Args>();
  cmd = user.add_subcommand("unlink-oidc", "remove the account's identity of an OpenID provider");
  cmd->add_option("name", unlink->name, "user name")->required();
  cmd->add_option("--issuer", unlink->issuer, "the provider's issuer URL")->required();
  cmd->callback(OnSession(opts, exit_code, [&opts, unlink](Service& svc, const RequestContext& ctx) -> Status {
    RETURN_IF_ERROR(svc.UnlinkOidc(ctx, unlink->name, unlink->issuer));
    PrintDone(opts, "unlinked: " + unlink->name + " no longer signs in through " + unlink->issuer,
              {{"user", unlink->name}, {"issuer", unlink->issuer}, {"done", "unlink-oidc"}});
    return OkStatus();
  }));
  cmd = user.add_subcommand("list-oidc", "identities of OpenID providers linked to accounts");
  auto only = std::make_shared<std::string>();
  cmd->add_option("name", *only, "only this user's");
  cmd->callback(OnSession(opts, exit_code, [&opts, only](Service& svc, const RequestContext& ctx) -> Status {
    ASSIGN_OR_RETURN(std::vector<directory::OidcLink> links,
                     svc.ListOidcLinks(ctx, only->empty() ? std::nullopt : std::optional(*only)));
    sql::QueryResult table;
    table.column_names = {"user", "issuer", "subject", "linked", "linked_by"};
    table.column_types = std::vector<std::string>(table.column_names.size(), "VARCHAR");
    for (const directory::OidcLink& l : links) {
      table.rows.push_back({l.user, l.issuer, l.subject, FormatRfc3339(l.linked_at), l.linked_by});
    }
    PrintResult(table, opts.json);
    return OkStatus();
  }));
}

void AddUser(CLI::App& app, const GlobalOptions& opts, int* exit_code) {
  auto* user = app.add_subcommand("user", "the hub's users, their roles and passwords");
  user->require_subcommand(1);
  AddUserAdd(*user, opts, exit_code);
  AddUserList(*user, opts, exit_code);
  AddUserPasswd(*user, opts, exit_code);
  AddUserOidc(*user, opts, exit_code);
  auto done = [](std::string verb, Status s) -> StatusOr<std::string> {
    if (!s.ok()) return s;
    return verb;
  };
  AddUserChange(*user, opts, exit_code, "disable", "refuse the user's passwords and tokens", false,
                [done](Service& s, const RequestContext& c, const std::string& n, auto) {
                  return done("disable", s.DisableUser(c, n));
                });
  AddUserChange(*user, opts, exit_code, "enable", "let a disabled user in again", false,
                [done](Service& s, const RequestContext& c, const std::string& n, auto) {
                  return done("enable", s.EnableUser(c, n));
                });
  AddUserChange(*user, opts, exit_code, "grant",
                "give the user one more role (the operator role, once two operators exist: two operators in turn)",
                true, [](Service& s, const RequestContext& c, const std::string& n, auto r) -> StatusOr<std::string> {
                  ASSIGN_OR_RETURN(directory::GrantState state, s.GrantRole(c, n, *r));
                  return std::string(state == directory::GrantState::kPending
                                         ? "grant pending until a second operator grants it too"
                                         : "grant");
                });
  AddUserChange(*user, opts, exit_code, "revoke", "take one role from the user", true,
                [done](Service& s, const RequestContext& c, const std::string& n, auto r) {
                  return done("revoke", s.RevokeRole(c, n, *r));
                });
}

// The token goes to stdout alone (a script can capture it); the warning to stderr.
void PrintIssuedToken(const directory::IssuedToken& t, const std::string& user, bool json) {
  const std::string expires = FormatRfc3339(t.expires_at);
  const std::string_view text = AsStringView(t.token.span());
  if (json) {
    // Written around the token rather than through nlohmann::json, which would
    // copy it into a string we cannot wipe; its alphabet needs no escaping.
    std::cout << R"({"expires":")" << expires << R"(","id":")" << t.id << R"(","token":")" << text << R"(","user":")"
              << user << "\"}\n";
  } else {
    std::cout << text << "\n";
  }
  std::cout.flush();
  std::cerr << "hdhub: token " << t.id << " for " << user << " expires " << expires
            << ". It is shown only this once and cannot be recovered: store it now.\n"
            << "hdhub: it is also " << user
            << "'s password on the PG wire of `hdhub serve` (psql \"host=<hub> user=" << user
            << " dbname=<project>\", password = the token).\n";
}

void AddTokenIssue(CLI::App& token, const GlobalOptions& opts, int* exit_code) {
  auto* cmd = token.add_subcommand(
      "issue", "a new API token for a user, printed once; also the user's password on the PG wire (psql, R, Python)");
  struct Args {
    std::string user, ttl = kDefaultTtl, label;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("name", a->user, "user name")->required();
  cmd->add_option("--ttl", a->ttl, "lifetime: days (90d), hours (12h) or minutes (30m); at most 365d")
      ->capture_default_str();
  cmd->add_option("--label", a->label, "what the token is for, up to 64 of [A-Za-z0-9._:@/-]");
  cmd->callback(OnSession(opts, exit_code, [&opts, a](Service& svc, const RequestContext& ctx) -> Status {
    ASSIGN_OR_RETURN(std::chrono::microseconds ttl, ParseTtl(a->ttl));
    ASSIGN_OR_RETURN(directory::IssuedToken issued, svc.IssueToken(ctx, a->user, ttl, a->label));
    PrintIssuedToken(issued, a->user, opts.json);
    return OkStatus();
  }));
}

std::string TokenStatus(const directory::TokenRecord& t, TimePoint now) {
  if (t.revoked_at) return "revoked";
  return now >= t.expires_at ? "expired" : "active";
}

void AddTokenList(CLI::App& token, const GlobalOptions& opts, int* exit_code) {
  auto* cmd = token.add_subcommand("list", "API tokens (never their secrets), of one user or all");
  auto user = std::make_shared<std::string>();
  cmd->add_option("name", *user, "only this user's tokens");
  auto print_tokens = [&opts](sql::QueryResult table) {
    table.column_names = {"id", "user", "label", "created", "expires", "status"};
    table.column_types = std::vector<std::string>(table.column_names.size(), "VARCHAR");
    PrintResult(table, opts.json);
  };
  cmd->callback(LocalOrRemote(
      opts, exit_code,
      OnSession(opts, exit_code,
                [user, print_tokens](Service& svc, const RequestContext& ctx) -> Status {
                  std::optional<std::string> filter = user->empty() ? std::nullopt : std::optional(*user);
                  ASSIGN_OR_RETURN(std::vector<directory::TokenRecord> tokens, svc.ListTokens(ctx, filter));
                  const TimePoint now = svc.clock().Now();
                  sql::QueryResult table;
                  for (const directory::TokenRecord& t : tokens) {
                    table.rows.push_back({t.id, t.user, t.label, FormatRfc3339(t.created_at),
                                          FormatRfc3339(t.expires_at), TokenStatus(t, now)});
                  }
                  print_tokens(std::move(table));
                  return OkStatus();
                }),
      [user, print_tokens](RemoteClient& client) -> Status {
        ASSIGN_OR_RETURN(nlohmann::json tokens,
                         client.ListAll("/tokens", user->empty() ? "" : "user=" + UrlEncode(*user)));
        sql::QueryResult table;
        for (const nlohmann::json& t : tokens) {
          table.rows.push_back({JsonText(t, "id"), JsonText(t, "user"), JsonText(t, "label"), JsonText(t, "created"),
                                JsonText(t, "expires"), JsonText(t, "status")});
        }
        print_tokens(std::move(table));
        return OkStatus();
      }));
}

void AddTokenRevoke(CLI::App& token, const GlobalOptions& opts, int* exit_code) {
  auto* cmd = token.add_subcommand("revoke", "refuse an API token from now on");
  auto id = std::make_shared<std::string>();
  cmd->add_option("id", *id, "token id (16 hex digits, as in token list)")->required();
  cmd->callback(
      LocalOrRemote(opts, exit_code,
                    OnSession(opts, exit_code,
                              [&opts, id](Service& svc, const RequestContext& ctx) -> Status {
                                RETURN_IF_ERROR(svc.RevokeToken(ctx, *id));
                                PrintDone(opts, "token " + *id + " revoked", {{"id", *id}, {"revoked", true}});
                                return OkStatus();
                              }),
                    [&opts, id](RemoteClient& client) -> Status {
                      RETURN_IF_ERROR(client.Call("DELETE", "/tokens/" + UrlEncode(*id)).status());
                      PrintDone(opts, "token " + *id + " revoked", {{"id", *id}, {"revoked", true}});
                      return OkStatus();
                    }));
}

void AddToken(CLI::App& app, const GlobalOptions& opts, int* exit_code) {
  auto* token = app.add_subcommand("token", "API tokens: issue, list, revoke");
  token->require_subcommand(1);
  AddTokenIssue(*token, opts, exit_code);
  AddTokenList(*token, opts, exit_code);
  AddTokenRevoke(*token, opts, exit_code);
}

void AddWhoami(CLI::App& app, const GlobalOptions& opts, int* exit_code) {
  auto* cmd = app.add_subcommand("whoami", "authenticate this command's account; print its user and roles");
  cmd->callback(LocalOrRemote(
      opts, exit_code,
      OnSession(opts, exit_code,
                [&opts](Service&, const RequestContext& ctx) -> Status {
                  const directory::Principal& who = ctx.principal();
                  PrintDone(opts, who.user + " (" + JoinRoles(who.roles) + ")",
                            {{"user", who.user}, {"roles", directory::RoleNames(who.roles)}});
                  return OkStatus();
                }),
      [&opts](RemoteClient& client) -> Status {
        ASSIGN_OR_RETURN(nlohmann::json me, client.Call("GET", "/me"));
        std::string roles;
        for (const nlohmann::json& r : me.value("roles", nlohmann::json::array())) {
          roles += (roles.empty() ? "" : ",") + (r.is_string() ? r.get<std::string>() : r.dump());
        }
        PrintDone(opts, JsonText(me, "user") + " (" + roles + ")",
                  {{"user", JsonText(me, "user")}, {"roles", me.value("roles", nlohmann::json::array())}});
        return OkStatus();
      }));
}

void AddPassphrase(CLI::App& app, const GlobalOptions& opts, int* exit_code) {
  auto* group = app.add_subcommand("passphrase", "the hub key store's passphrase");
  group->require_subcommand(1);
  auto* cmd = group->add_subcommand(
      "change", "re-seal the key store under a new passphrase ($HDHUB_NEW_PASSPHRASE, or typed twice); operators");
  cmd->callback(OnSession(opts, exit_code, [&opts](Service& svc, const RequestContext& ctx) -> Status {
    ASSIGN_OR_RETURN(SecretBytes old_passphrase, keys::ReadPassphrase(kPassphraseEnv, "current hub passphrase: "));
    ASSIGN_OR_RETURN(SecretBytes new_passphrase, keys::ReadNewPassphrase(kNewPassphraseEnv, "new hub passphrase: "));
    RETURN_IF_ERROR(svc.ChangePassphrase(ctx, old_passphrase, new_passphrase));
    PrintDone(opts, "hub passphrase changed", {{"passphrase_changed", true}});
    return OkStatus();
  }));
}

}  // namespace

void AddUserCommands(CLI::App& app, const GlobalOptions& opts, int* exit_code) {
  AddUser(app, opts, exit_code);
  AddToken(app, opts, exit_code);
  AddWhoami(app, opts, exit_code);
  AddPassphrase(app, opts, exit_code);
}

}  // namespace hdhub::cli
