#include "hdhub/projects/project_schema.h"

#include <array>

namespace hdhub::projects {
namespace {

// Times are microseconds since the Unix epoch (UTC). The CHECKs repeat the
// API's validation so that raw SQL cannot store what the API refuses.
constexpr std::string_view kTables = R"sql(
CREATE TABLE project (
  id TEXT PRIMARY KEY
    CHECK (length(id) BETWEEN 1 AND 64 AND id GLOB '[a-z]*' AND id NOT GLOB '*[^a-z0-9-]*'),
  authorisation_ref TEXT NOT NULL CHECK (length(authorisation_ref) BETWEEN 1 AND 128),
  purpose TEXT NOT NULL CHECK (length(purpose) BETWEEN 1 AND 2000),
  scope_json TEXT NOT NULL,
  scope_version INTEGER NOT NULL CHECK (scope_version >= 1),
  thresholds_json TEXT NOT NULL,
  window_start_us INTEGER NOT NULL,
  window_end_us INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('draft', 'approved', 'closed', 'expired')),
  wrapped_pseudonym_key BLOB NOT NULL,
  created_by TEXT NOT NULL,
  created_at_us INTEGER NOT NULL,
  ended_at_us INTEGER,
  CHECK (window_end_us > window_start_us),
  CHECK ((state IN ('closed', 'expired')) = (ended_at_us IS NOT NULL))
) STRICT;

CREATE TABLE project_member (
  project TEXT NOT NULL REFERENCES project (id),
  user TEXT NOT NULL CHECK (length(user) BETWEEN 1 AND 64),
  PRIMARY KEY (project, user)
) STRICT;

CREATE TABLE project_approval (
  project TEXT NOT NULL REFERENCES project (id),
  scope_version INTEGER NOT NULL,
  approver TEXT NOT NULL,
  approved_at_us INTEGER NOT NULL,
  PRIMARY KEY (project, scope_version, approver)
) STRICT;

CREATE TABLE workspace (
  project TEXT NOT NULL REFERENCES project (id),
  build INTEGER NOT NULL CHECK (build >= 1),
  state TEXT NOT NULL CHECK (state IN ('building', 'ready', 'discarded', 'shredded')),
  wrapped_dek BLOB NOT NULL,
  provenance_json TEXT NOT NULL DEFAULT '{}',
  built_by TEXT NOT NULL,
  built_at_us INTEGER NOT NULL,
  PRIMARY KEY (project, build),
  CHECK ((state = 'shredded') = (length(wrapped_dek) = 0))
) STRICT;

CREATE TABLE workspace_object (
  project TEXT NOT NULL,
  build INTEGER NOT NULL,
  table_name TEXT NOT NULL,
  logical_name TEXT NOT NULL,
  object_name TEXT NOT NULL,
  rows INTEGER NOT NULL CHECK (rows >= 0),
  ciphertext_size INTEGER NOT NULL CHECK (ciphertext_size >= 0),
  ciphertext_sha256 TEXT NOT NULL CHECK (length(ciphertext_sha256) = 64),
  PRIMARY KEY (project, build, logical_name),
  FOREIGN KEY (project, build) REFERENCES workspace (project, build)
) STRICT;

-- History is kept: projects and their approvals are never deleted, an
-- approval never changes, and a destroyed key is never put back.
CREATE TRIGGER project_no_delete BEFORE DELETE ON project
BEGIN SELECT RAISE(ABORT, 'projects: a project is never deleted'); END;

CREATE TRIGGER project_approval_frozen BEFORE UPDATE ON project_approval
BEGIN SELECT RAISE(ABORT, 'projects: an approval never changes'); END;

CREATE TRIGGER project_approval_no_delete BEFORE DELETE ON project_approval
BEGIN SELECT RAISE(ABORT, 'projects: an approval is never deleted'); END;

CREATE TRIGGER project_ended BEFORE UPDATE ON project
WHEN OLD.state IN ('closed', 'expired') AND (NEW.state IS NOT OLD.state
  OR NEW.scope_json IS NOT OLD.scope_json OR length(NEW.wrapped_pseudonym_key) > 0)
BEGIN SELECT RAISE(ABORT, 'projects: a closed or expired project never changes again'); END;

CREATE TRIGGER project_key_never_replaced BEFORE UPDATE OF wrapped_pseudonym_key ON project
WHEN NEW.wrapped_pseudonym_key IS NOT OLD.wrapped_pseudonym_key AND length(NEW.wrapped_pseudonym_key) > 0
BEGIN SELECT RAISE(ABORT, 'projects: a project key is never replaced, only destroyed'); END;

CREATE TRIGGER workspace_key_never_replaced BEFORE UPDATE OF wrapped_dek ON workspace
WHEN NEW.wrapped_dek IS NOT OLD.wrapped_dek AND length(NEW.wrapped_dek) > 0
BEGIN SELECT RAISE(ABORT, 'projects: a workspace key is never replaced, only destroyed'); END;
)sql";

// The client networks a project's rows may go to (JSON array of CIDR
// texts); projects recorded before it get loopback only, the default.
constexpr std::string_view kClientNetworks = R"sql(
ALTER TABLE project ADD COLUMN client_networks_json TEXT NOT NULL
  DEFAULT '["127.0.0.0/8","::1/128"]' CHECK (json_valid(client_networks_json));
)sql";

// The project's own airlock rules (docs/airlock-workflow.md §3): the
// members it tightens over the hub's, a JSON object; `{}` for projects
// recorded before it. The older thresholds_json stays, unread.
constexpr std::string_view kAirlockRules = R"sql(
ALTER TABLE project ADD COLUMN airlock_rules_json TEXT NOT NULL DEFAULT '{}'
  CHECK (json_valid(airlock_rules_json) AND json_type(airlock_rules_json) = 'object');
)sql";

constexpr std::array<catalog::Migration, 3> kMigrations = {{
    {"projects, members, approvals, workspaces and their objects", kTables},
    {"client networks of each project", kClientNetworks},
    {"airlock rules of each project", kAirlockRules},
}};

}  // namespace

std::span<const catalog::Migration> ProjectMigrations() { return kMigrations; }

}  // namespace hdhub::projects
