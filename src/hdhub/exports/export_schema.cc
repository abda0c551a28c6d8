#include "hdhub/exports/export_schema.h"

#include <array>

namespace hdhub::exports {
namespace {

// Times are microseconds since the Unix epoch (UTC). The CHECKs repeat the
// store's validation: names [a-z][a-z0-9_-]{0,63}, project ids
// [a-z][a-z0-9-]{0,63}, request ids <project>-e<n>, the nine states of
// request_flow.h, SHA-256 as 64 lower-case hex digits. Accounts are directory
// user names (1-64 characters). No foreign key reaches the `projects`
// component's tables: a component's migrations stand alone, and the service
// checks the project.
constexpr std::string_view kTables = R"sql(
CREATE TABLE export_frame (
  project TEXT NOT NULL CHECK (length(project) BETWEEN 1 AND 64 AND project GLOB '[a-z]*'
    AND project NOT GLOB '*[^a-z0-9-]*'),
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64 AND name GLOB '[a-z]*' AND name NOT GLOB '*[^a-z0-9_-]*'),
  spec_json TEXT NOT NULL CHECK (json_valid(spec_json) AND json_type(spec_json) = 'object'),
  sql_sha256 TEXT NOT NULL CHECK (length(sql_sha256) = 64 AND sql_sha256 NOT GLOB '*[^0-9a-f]*'),
  created_by TEXT NOT NULL CHECK (length(created_by) BETWEEN 1 AND 64),
  created_at_us INTEGER NOT NULL,
  released_seq INTEGER CHECK (released_seq IS NULL OR released_seq >= 1),
  PRIMARY KEY (project, name)
) STRICT;

CREATE TABLE export_request (
  id TEXT PRIMARY KEY,
  project TEXT NOT NULL CHECK (length(project) BETWEEN 1 AND 64 AND project GLOB '[a-z]*'
    AND project NOT GLOB '*[^a-z0-9-]*'),
  author TEXT NOT NULL CHECK (length(author) BETWEEN 1 AND 64),
  title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  state TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'partially_reviewed', 'reviewed', 'approved',
    'released', 'returned', 'rejected', 'withdrawn')),
  revision INTEGER NOT NULL CHECK (revision >= 1),
  created_at_us INTEGER NOT NULL,
  wrapped_dek BLOB NOT NULL,
  CHECK (substr(id, 1, length(project) + 2) = project || '-e'
    AND substr(id, length(project) + 3) GLOB '[1-9]*'
    AND substr(id, length(project) + 3) NOT GLOB '*[^0-9]*'
    AND length(id) - length(project) - 2 <= 18)
) STRICT;
CREATE INDEX export_request_by_project ON export_request (project);

CREATE TABLE export_revision (
  request TEXT NOT NULL REFERENCES export_request (id),
  revision INTEGER NOT NULL CHECK (revision >= 1),
  manifest_json TEXT NOT NULL CHECK (json_valid(manifest_json)),
  manifest_salt BLOB NOT NULL CHECK (length(manifest_salt) = 32),
  created_at_us INTEGER NOT NULL,
  PRIMARY KEY (request, revision)
) STRICT;

CREATE TABLE export_output (
  request TEXT NOT NULL,
  revision INTEGER NOT NULL,
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64 AND name GLOB '[a-z]*' AND name NOT GLOB '*[^a-z0-9_-]*'),
  kind TEXT NOT NULL CHECK (kind IN ('table', 'model', 'figure', 'custom')),
  format TEXT NOT NULL CHECK (format IN ('csv', 'parquet', 'png', 'pdf', 'txt')),
  declaration_json TEXT NOT NULL CHECK (json_valid(declaration_json)),
  logical_name TEXT NOT NULL CHECK (length(logical_name) BETWEEN 1 AND 1024),
  bytes INTEGER NOT NULL CHECK (bytes >= 0),
  sha256 TEXT NOT NULL CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
  verdict_json TEXT NOT NULL CHECK (json_valid(verdict_json)),
  PRIMARY KEY (request, revision, name),
  FOREIGN KEY (request, revision) REFERENCES export_revision (request, revision)
) STRICT;

CREATE TABLE export_review (
  request TEXT NOT NULL,
  revision INTEGER NOT NULL,
  checker TEXT NOT NULL CHECK (length(checker) BETWEEN 1 AND 64),
  decisions_json TEXT NOT NULL CHECK (json_valid(decisions_json) AND json_type(decisions_json) = 'array'),
  at_us INTEGER NOT NULL,
  PRIMARY KEY (request, revision, checker),
  FOREIGN KEY (request, revision) REFERENCES export_revision (request, revision)
) STRICT;

-- One return or rejection ends a revision's review: a returned request is
-- submitted again as a new revision (request_flow.h).
CREATE TABLE export_decision (
  request TEXT NOT NULL,
  revision INTEGER NOT NULL,
  actor TEXT NOT NULL CHECK (length(actor) BETWEEN 1 AND 64),
  action TEXT NOT NULL CHECK (action IN ('return', 'reject')),
  reason TEXT NOT NULL CHECK (reason IN ('checker', 'data-changed', 'history-changed')),
  text TEXT NOT NULL,
  at_us INTEGER NOT NULL,
  PRIMARY KEY (request, revision),
  FOREIGN KEY (request, revision) REFERENCES export_revision (request, revision),
  CHECK (reason = 'checker' OR (actor = 'hub' AND action = 'return'))
) STRICT;

CREATE TABLE release (
  project TEXT NOT NULL,
  seq INTEGER NOT NULL CHECK (seq >= 1),
  request TEXT NOT NULL UNIQUE,
  revision INTEGER NOT NULL,
  body TEXT NOT NULL CHECK (json_valid(body) AND json_type(body) = 'object'),
  certificate_sha256 TEXT NOT NULL
    CHECK (length(certificate_sha256) = 64 AND certificate_sha256 NOT GLOB '*[^0-9a-f]*'),
  history_before TEXT NOT NULL CHECK (length(history_before) = 64 AND history_before NOT GLOB '*[^0-9a-f]*'),
  history_after TEXT NOT NULL CHECK (length(history_after) = 64 AND history_after NOT GLOB '*[^0-9a-f]*'),
  audit_index INTEGER NOT NULL CHECK (audit_index >= 0),
  released_at_us INTEGER NOT NULL,
  wrapped_dek BLOB NOT NULL CHECK (length(wrapped_dek) > 0),
  PRIMARY KEY (project, seq),
  FOREIGN KEY (request, revision) REFERENCES export_revision (request, revision)
) STRICT;

CREATE TABLE release_table (
  project TEXT NOT NULL,
  seq INTEGER NOT NULL,
  frame TEXT NOT NULL,
  measure TEXT NOT NULL CHECK (measure IN ('count', 'units', 'sum')),
  table_id TEXT NOT NULL CHECK (length(table_id) BETWEEN 1 AND 200),
  spec_json TEXT NOT NULL CHECK (json_valid(spec_json) AND json_extract(spec_json, '$.id') IS table_id),
  cells_json TEXT NOT NULL CHECK (json_valid(cells_json) AND json_type(cells_json) = 'array'),
  PRIMARY KEY (project, seq, table_id),
  FOREIGN KEY (project, seq) REFERENCES release (project, seq),
  FOREIGN KEY (project, frame) REFERENCES export_frame (project, name)
) STRICT;

-- A proposal (confirmed_by NULL) and, once a second operator confirms the
-- same JSON, its confirmation (same version, both names). The rules in force
-- are the confirmation of the highest version.
CREATE TABLE airlock_hub_rules (
  version INTEGER NOT NULL CHECK (version >= 1),
  rules_json TEXT NOT NULL CHECK (json_valid(rules_json) AND json_type(rules_json) = 'object'),
  proposed_by TEXT NOT NULL CHECK (length(proposed_by) BETWEEN 1 AND 64),
  confirmed_by TEXT CHECK (confirmed_by IS NULL OR (length(confirmed_by) BETWEEN 1 AND 64
    AND confirmed_by <> proposed_by)),
  at_us INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX airlock_hub_rules_key ON airlock_hub_rules (version, confirmed_by IS NULL);

-- Requests: never deleted; who, where and when never change, the revision
-- never goes back; a final state never changes; a data key is only destroyed.
CREATE TRIGGER export_request_no_delete BEFORE DELETE ON export_request
BEGIN SELECT RAISE(ABORT, 'exports: an export request is never deleted'); END;

CREATE TRIGGER export_request_identity BEFORE UPDATE ON export_request
WHEN NEW.id IS NOT OLD.id OR NEW.project IS NOT OLD.project OR NEW.author IS NOT OLD.author
  OR NEW.created_at_us IS NOT OLD.created_at_us OR NEW.revision < OLD.revision
BEGIN SELECT RAISE(ABORT, 'exports: a request''s id, project, author and creation never change'); END;

CREATE TRIGGER export_request_final BEFORE UPDATE ON export_request
WHEN OLD.state IN ('released', 'rejected', 'withdrawn')
  AND (NEW.state IS NOT OLD.state OR NEW.title IS NOT OLD.title OR NEW.revision IS NOT OLD.revision)
BEGIN SELECT RAISE(ABORT, 'exports: a released, rejected or withdrawn request never changes'); END;

CREATE TRIGGER export_request_released BEFORE UPDATE OF state ON export_request
WHEN NEW.state = 'released' AND OLD.state IS NOT 'released'
  AND NOT EXISTS (SELECT 1 FROM release WHERE request = NEW.id)
BEGIN SELECT RAISE(ABORT, 'exports: a request is released only with its release'); END;

CREATE TRIGGER export_request_key_never_replaced BEFORE UPDATE OF wrapped_dek ON export_request
WHEN NEW.wrapped_dek IS NOT OLD.wrapped_dek AND length(NEW.wrapped_dek) > 0
BEGIN SELECT RAISE(ABORT, 'exports: a request key is never replaced, only destroyed'); END;

-- Frames: a frame of which a table was released never changes (another SQL
-- is another frame) and is never deleted.
CREATE TRIGGER export_frame_identity BEFORE UPDATE ON export_frame
WHEN NEW.project IS NOT OLD.project OR NEW.name IS NOT OLD.name
BEGIN SELECT RAISE(ABORT, 'exports: a frame is never renamed'); END;

CREATE TRIGGER export_frame_frozen BEFORE UPDATE ON export_frame
WHEN OLD.released_seq IS NOT NULL AND (NEW.spec_json IS NOT OLD.spec_json OR NEW.sql_sha256 IS NOT OLD.sql_sha256
  OR NEW.released_seq IS NOT OLD.released_seq OR NEW.created_by IS NOT OLD.created_by
  OR NEW.created_at_us IS NOT OLD.created_at_us)
BEGIN SELECT RAISE(ABORT, 'exports: a released frame never changes'); END;

CREATE TRIGGER export_frame_no_delete BEFORE DELETE ON export_frame
WHEN OLD.released_seq IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'exports: a released frame is never deleted'); END;

-- Revisions: 1, 2, ... per request, each becoming the request's current one;
-- none for a final request (export_request_final refuses the update).
CREATE TRIGGER export_revision_next BEFORE INSERT ON export_revision
WHEN NEW.revision IS NOT 1 + coalesce((SELECT max(revision) FROM export_revision WHERE request = NEW.request), 0)
BEGIN SELECT RAISE(ABORT, 'exports: revisions are 1, 2, ... per request'); END;

CREATE TRIGGER export_revision_current AFTER INSERT ON export_revision
BEGIN UPDATE export_request SET revision = NEW.revision WHERE id = NEW.request; END;

CREATE TRIGGER export_output_current BEFORE INSERT ON export_output
WHEN NOT EXISTS (SELECT 1 FROM export_request WHERE id = NEW.request AND revision = NEW.revision
  AND state NOT IN ('released', 'rejected', 'withdrawn'))
BEGIN SELECT RAISE(ABORT, 'exports: outputs join the current revision of a request not final'); END;

-- Reviews: of the current revision, at most two, never by the author.
CREATE TRIGGER export_review_current BEFORE INSERT ON export_review
WHEN NOT EXISTS (SELECT 1 FROM export_request WHERE id = NEW.request AND revision = NEW.revision)
BEGIN SELECT RAISE(ABORT, 'exports: a review is of the request''s current revision'); END;

CREATE TRIGGER export_review_two BEFORE INSERT ON export_review
WHEN (SELECT count(*) FROM export_review WHERE request = NEW.request AND revision = NEW.revision) >= 2
BEGIN SELECT RAISE(ABORT, 'exports: at most two reviews per revision'); END;

CREATE TRIGGER export_review_not_author BEFORE INSERT ON export_review
WHEN NEW.checker IS (SELECT author FROM export_request WHERE id = NEW.request)
BEGIN SELECT RAISE(ABORT, 'exports: the author never reviews her own request'); END;

-- Releases: 1, 2, ... per project, chained, each of an approved request's
-- current revision in the same project; a released table freezes its frame.
CREATE TRIGGER release_seq BEFORE INSERT ON release
WHEN NEW.seq IS NOT 1 + coalesce((SELECT max(seq) FROM release WHERE project = NEW.project), 0)
BEGIN SELECT RAISE(ABORT, 'exports: release seq is 1, 2, ... per project, without gaps'); END;

CREATE TRIGGER release_chain BEFORE INSERT ON release
WHEN NEW.history_before <> (SELECT history_after FROM release WHERE project = NEW.project AND seq = NEW.seq - 1)
BEGIN SELECT RAISE(ABORT, 'exports: history_before is the previous release''s history_after'); END;

CREATE TRIGGER release_of_approved BEFORE INSERT ON release
WHEN NOT EXISTS (SELECT 1 FROM export_request WHERE id = NEW.request AND project = NEW.project
  AND revision = NEW.revision AND state = 'approved')
BEGIN SELECT RAISE(ABORT, 'exports: a release is of an approved request''s current revision, in its project'); END;

CREATE TRIGGER release_table_freezes_frame AFTER INSERT ON release_table
BEGIN
  UPDATE export_frame SET released_seq = NEW.seq
  WHERE project = NEW.project AND name = NEW.frame AND released_seq IS NULL;
END;

-- Hub rules: a proposal takes the next version; a confirmation repeats the
-- latest proposal, by another operator.
CREATE TRIGGER airlock_hub_rules_proposal BEFORE INSERT ON airlock_hub_rules
WHEN NEW.confirmed_by IS NULL
  AND NEW.version IS NOT 1 + coalesce((SELECT max(version) FROM airlock_hub_rules), 0)
BEGIN SELECT RAISE(ABORT, 'exports: a rules proposal takes the next version'); END;

CREATE TRIGGER airlock_hub_rules_confirmation BEFORE INSERT ON airlock_hub_rules
WHEN NEW.confirmed_by IS NOT NULL AND NOT EXISTS (SELECT 1 FROM airlock_hub_rules
  WHERE version = NEW.version AND confirmed_by IS NULL AND rules_json = NEW.rules_json
    AND proposed_by = NEW.proposed_by AND version = (SELECT max(version) FROM airlock_hub_rules))
BEGIN SELECT RAISE(ABORT, 'exports: a confirmation repeats the latest proposal'); END;

-- Append-only tables: a row, once written, is never updated or deleted.
CREATE TRIGGER export_revision_no_update BEFORE UPDATE ON export_revision
BEGIN SELECT RAISE(ABORT, 'exports: export_revision is append-only'); END;
CREATE TRIGGER export_revision_no_delete BEFORE DELETE ON export_revision
BEGIN SELECT RAISE(ABORT, 'exports: export_revision is append-only'); END;
CREATE TRIGGER export_output_no_update BEFORE UPDATE ON export_output
BEGIN SELECT RAISE(ABORT, 'exports: export_output is append-only'); END;
CREATE TRIGGER export_output_no_delete BEFORE DELETE ON export_output
BEGIN SELECT RAISE(ABORT, 'exports: export_output is append-only'); END;
CREATE TRIGGER export_review_no_update BEFORE UPDATE ON export_review
BEGIN SELECT RAISE(ABORT, 'exports: export_review is append-only'); END;
CREATE TRIGGER export_review_no_delete BEFORE DELETE ON export_review
BEGIN SELECT RAISE(ABORT, 'exports: export_review is append-only'); END;
CREATE TRIGGER export_decision_no_update BEFORE UPDATE ON export_decision
BEGIN SELECT RAISE(ABORT, 'exports: export_decision is append-only'); END;
CREATE TRIGGER export_decision_no_delete BEFORE DELETE ON export_decision
BEGIN SELECT RAISE(ABORT, 'exports: export_decision is append-only'); END;
CREATE TRIGGER release_no_update BEFORE UPDATE ON release
BEGIN SELECT RAISE(ABORT, 'exports: release is append-only'); END;
CREATE TRIGGER release_no_delete BEFORE DELETE ON release
BEGIN SELECT RAISE(ABORT, 'exports: release is append-only'); END;
CREATE TRIGGER release_table_no_update BEFORE UPDATE ON release_table
BEGIN SELECT RAISE(ABORT, 'exports: release_table is append-only'); END;
CREATE TRIGGER release_table_no_delete BEFORE DELETE ON release_table
BEGIN SELECT RAISE(ABORT, 'exports: release_table is append-only'); END;
CREATE TRIGGER airlock_hub_rules_no_update BEFORE UPDATE ON airlock_hub_rules
BEGIN SELECT RAISE(ABORT, 'exports: airlock_hub_rules is append-only'); END;
CREATE TRIGGER airlock_hub_rules_no_delete BEFORE DELETE ON airlock_hub_rules
BEGIN SELECT RAISE(ABORT, 'exports: airlock_hub_rules is append-only'); END;
)sql";

// The sealed objects the airlock wrote to the host, so that the host check
// and a host migration know them (hub/host_records.h): a release's files and
// certificate (seq set, under the release's key) and a request's evidence
// (seq NULL, under the request's key). Written with their release, in its
// transaction; never changed nor deleted (a shredded request's evidence stays
// recorded: it tells the host check that the object is a leftover).
constexpr std::string_view kObjects = R"sql(
CREATE TABLE export_object (
  object_name TEXT PRIMARY KEY CHECK (length(object_name) BETWEEN 1 AND 1024),
  logical_name TEXT NOT NULL CHECK (length(logical_name) BETWEEN 1 AND 1024),
  project TEXT NOT NULL CHECK (length(project) BETWEEN 1 AND 64 AND project GLOB '[a-z]*'
    AND project NOT GLOB '*[^a-z0-9-]*'),
  request TEXT NOT NULL REFERENCES export_request (id),
  seq INTEGER,
  kind TEXT NOT NULL CHECK (kind IN ('release', 'evidence')),
  bytes INTEGER NOT NULL CHECK (bytes >= 0),
  sha256 TEXT NOT NULL CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
  CHECK ((kind = 'release') = (seq IS NOT NULL)),
  FOREIGN KEY (project, seq) REFERENCES release (project, seq)
) STRICT;
CREATE INDEX export_object_by_request ON export_object (request);

CREATE TRIGGER export_object_of_release BEFORE INSERT ON export_object
WHEN NEW.kind = 'release' AND NOT EXISTS (SELECT 1 FROM release WHERE project = NEW.project AND seq = NEW.seq
  AND request = NEW.request)
BEGIN SELECT RAISE(ABORT, 'exports: a release object is of a release of its request, in its project'); END;

CREATE TRIGGER export_object_of_request BEFORE INSERT ON export_object
WHEN NEW.kind = 'evidence' AND NOT EXISTS (SELECT 1 FROM export_request WHERE id = NEW.request
  AND project = NEW.project)
BEGIN SELECT RAISE(ABORT, 'exports: an evidence object is of a request of its project'); END;

CREATE TRIGGER export_object_no_update BEFORE UPDATE ON export_object
BEGIN SELECT RAISE(ABORT, 'exports: export_object is append-only'); END;
CREATE TRIGGER export_object_no_delete BEFORE DELETE ON export_object
BEGIN SELECT RAISE(ABORT, 'exports: export_object is append-only'); END;
)sql";

// Append-only: a migration, once shipped, is never edited.
constexpr std::array<catalog::Migration, 2> kMigrations = {{
    {"export frames, requests, revisions, outputs, reviews, decisions, releases and hub rules", kTables},
    {"sealed objects of releases and evidence on the host", kObjects},
}};

}  // namespace

std::span<const catalog::Migration> ExportMigrations() { return kMigrations; }

}  // namespace hdhub::exports
