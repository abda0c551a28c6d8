#include "hdhub/directory/directory_schema.h"

#include <array>

namespace hdhub::directory {
namespace {

// Times are microseconds since the Unix epoch (UTC). The CHECK constraints
// repeat the API's validation, so raw SQL cannot store what the API refuses.
// 31536000000000 us = 365 days, the longest token lifetime.
constexpr std::string_view kTables = R"sql(
CREATE TABLE user_account (
  name TEXT PRIMARY KEY
    CHECK (length(name) BETWEEN 1 AND 64 AND name GLOB '[a-z]*' AND name NOT GLOB '*[^a-z0-9._-]*'),
  state TEXT NOT NULL CHECK (state IN ('active', 'disabled')),
  password_hash TEXT NOT NULL CHECK (password_hash GLOB '$argon2id$v=19$m=*'),
  failed_attempts INTEGER NOT NULL CHECK (failed_attempts >= 0),
  locked_until_us INTEGER,
  created_at_us INTEGER NOT NULL,
  password_changed_at_us INTEGER NOT NULL
) STRICT;

CREATE TABLE user_role (
  user_name TEXT NOT NULL REFERENCES user_account (name),
  role TEXT NOT NULL CHECK (role IN ('operator', 'steward', 'researcher', 'checker', 'auditor')),
  PRIMARY KEY (user_name, role)
) STRICT;

CREATE TABLE api_token (
  id TEXT PRIMARY KEY CHECK (length(id) = 16 AND id NOT GLOB '*[^0-9a-f]*'),
  user_name TEXT NOT NULL REFERENCES user_account (name),
  secret_sha256 BLOB NOT NULL CHECK (length(secret_sha256) = 32),
  label TEXT NOT NULL CHECK (length(label) <= 64 AND label NOT GLOB '*[^A-Za-z0-9._:@/-]*'),
  created_at_us INTEGER NOT NULL,
  expires_at_us INTEGER NOT NULL
    CHECK (expires_at_us > created_at_us AND expires_at_us - created_at_us <= 31536000000000),
  revoked_at_us INTEGER
) STRICT;

CREATE INDEX api_token_by_user ON api_token (user_name);
)sql";

// The view names who keeps the hub administrable. The triggers are backstops
// for the invariants the API checks first with clearer messages:
// they hold even for a client writing raw SQL. Users and tokens are never
// deleted, so names and ids are never reused and the audit trail keeps its
// meaning.
constexpr std::string_view kTriggers = R"sql(
CREATE TRIGGER user_account_no_delete BEFORE DELETE ON user_account
BEGIN SELECT RAISE(ABORT, 'directory: users are never deleted, only disabled'); END;

CREATE TRIGGER user_account_identity BEFORE UPDATE ON user_account
WHEN NEW.name IS NOT OLD.name OR NEW.created_at_us IS NOT OLD.created_at_us
BEGIN SELECT RAISE(ABORT, 'directory: a user''s name and creation time never change'); END;

CREATE VIEW active_operator AS
SELECT a.name FROM user_account a JOIN user_role r ON r.user_name = a.name
WHERE r.role = 'operator' AND a.state = 'active';

CREATE TRIGGER user_account_last_operator BEFORE UPDATE OF state ON user_account
WHEN NEW.state = 'disabled' AND OLD.name IN active_operator
  AND NOT EXISTS (SELECT 1 FROM active_operator WHERE name <> OLD.name)
BEGIN SELECT RAISE(ABORT, 'directory: the last active operator cannot be disabled'); END;

CREATE TRIGGER user_role_no_update BEFORE UPDATE ON user_role
BEGIN SELECT RAISE(ABORT, 'directory: roles are granted and revoked, never changed'); END;

CREATE TRIGGER user_role_keep_one BEFORE DELETE ON user_role
WHEN NOT EXISTS (SELECT 1 FROM user_role WHERE user_name = OLD.user_name AND role <> OLD.role)
BEGIN SELECT RAISE(ABORT, 'directory: a user keeps at least one role'); END;

CREATE TRIGGER user_role_last_operator BEFORE DELETE ON user_role
WHEN OLD.role = 'operator' AND OLD.user_name IN active_operator
  AND NOT EXISTS (SELECT 1 FROM active_operator WHERE name <> OLD.user_name)
BEGIN SELECT RAISE(ABORT, 'directory: the last active operator keeps the operator role'); END;

CREATE TRIGGER api_token_no_delete BEFORE DELETE ON api_token
BEGIN SELECT RAISE(ABORT, 'directory: tokens are never deleted, only revoked'); END;

CREATE TRIGGER api_token_identity BEFORE UPDATE ON api_token
WHEN NEW.id IS NOT OLD.id OR NEW.user_name IS NOT OLD.user_name
  OR NEW.secret_sha256 IS NOT OLD.secret_sha256 OR NEW.label IS NOT OLD.label
  OR NEW.created_at_us IS NOT OLD.created_at_us OR NEW.expires_at_us IS NOT OLD.expires_at_us
BEGIN SELECT RAISE(ABORT, 'directory: a token only changes by being revoked'); END;

CREATE TRIGGER api_token_revoked_once BEFORE UPDATE OF revoked_at_us ON api_token
WHEN OLD.revoked_at_us IS NOT NULL AND NEW.revoked_at_us IS NOT OLD.revoked_at_us
BEGIN SELECT RAISE(ABORT, 'directory: a revoked token stays revoked'); END;
)sql";

// Dual control of the operator role: the first operator's grant waits here
// for a second, different operator.
constexpr std::string_view kPendingGrants = R"sql(
CREATE TABLE pending_role_grant (
  user_name TEXT NOT NULL REFERENCES user_account (name),
  role TEXT NOT NULL CHECK (role IN ('operator', 'steward', 'researcher', 'checker', 'auditor')),
  asked_by TEXT NOT NULL REFERENCES user_account (name) CHECK (asked_by <> user_name),
  asked_at_us INTEGER NOT NULL,
  PRIMARY KEY (user_name, role)
) STRICT;
)sql";

// SCRAM-SHA-256 for the PG wire (pgwire/scram.h): one salt per user, made
// with the first token issued after this step, and StoredKey/ServerKey per
// token derived from the token's text under that salt. Tokens issued before
// have no row in api_token_scram: they authenticate over the CLI and HTTP,
// not over the PG wire. Rows are never changed or deleted: a changed salt
// would silently invalidate every verifier made under it, and a token's keys
// stop counting when the token is revoked or expires.
constexpr std::string_view kScramVerifiers = R"sql(
CREATE TABLE user_scram_salt (
  user_name TEXT PRIMARY KEY REFERENCES user_account (name),
  salt BLOB NOT NULL CHECK (length(salt) = 16),
  iterations INTEGER NOT NULL CHECK (iterations >= 4096),
  created_at_us INTEGER NOT NULL
) STRICT;

CREATE TABLE api_token_scram (
  token_id TEXT PRIMARY KEY REFERENCES api_token (id),
  stored_key BLOB NOT NULL CHECK (length(stored_key) = 32),
  server_key BLOB NOT NULL CHECK (length(server_key) = 32)
) STRICT;

CREATE TRIGGER user_scram_salt_fixed BEFORE UPDATE ON user_scram_salt
BEGIN SELECT RAISE(ABORT, 'directory: a user''s SCRAM salt never changes'); END;

CREATE TRIGGER user_scram_salt_no_delete BEFORE DELETE ON user_scram_salt
BEGIN SELECT RAISE(ABORT, 'directory: a user''s SCRAM salt is never deleted'); END;

CREATE TRIGGER api_token_scram_fixed BEFORE UPDATE ON api_token_scram
BEGIN SELECT RAISE(ABORT, 'directory: a token''s SCRAM keys never change'); END;

CREATE TRIGGER api_token_scram_no_delete BEFORE DELETE ON api_token_scram
BEGIN SELECT RAISE(ABORT, 'directory: a token''s SCRAM keys are never deleted, the token is revoked'); END;
)sql";

// Single sign-on (OpenID Connect): an identity of a provider, (issuer,
// subject), links to exactly one account, and an account has at most one
// identity per provider. Accounts stay hdhub's: a link grants nothing by
// itself (server/sso.h maps the provider's groups to the account's roles).
// Links are deleted when unlinked (the audit log keeps the history).
constexpr std::string_view kOidcIdentities = R"sql(
CREATE TABLE oidc_identity (
  issuer TEXT NOT NULL CHECK (length(issuer) BETWEEN 1 AND 512),
  subject TEXT NOT NULL CHECK (length(subject) BETWEEN 1 AND 255),
  user_name TEXT NOT NULL REFERENCES user_account (name),
  linked_at_us INTEGER NOT NULL,
  linked_by TEXT NOT NULL REFERENCES user_account (name),
  PRIMARY KEY (issuer, subject),
  UNIQUE (user_name, issuer)
) STRICT;

CREATE TRIGGER oidc_identity_no_update BEFORE UPDATE ON oidc_identity
BEGIN SELECT RAISE(ABORT, 'directory: an OIDC link is made or removed, never changed'); END;
)sql";

constexpr std::array<catalog::Migration, 5> kMigrations = {{
    {"users, roles and API tokens", kTables},
    {"active_operator view and invariant triggers", kTriggers},
    {"pending role grants (dual control)", kPendingGrants},
    {"SCRAM-SHA-256 salt per user and keys per token (PG wire)", kScramVerifiers},
    {"OpenID Connect identities linked to accounts", kOidcIdentities},
}};

}  // namespace

std::span<const catalog::Migration> DirectoryMigrations() { return kMigrations; }

}  // namespace hdhub::directory
