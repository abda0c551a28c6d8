#include "hdhub/catalog/catalog_schema.h"

#include <array>

namespace hdhub::catalog {
namespace {

// Times are microseconds since the Unix epoch (UTC), exact and sortable.
// The CHECK constraints repeat the API's validation so that a client writing
// raw SQL cannot store what the API would refuse.
constexpr std::string_view kTables = R"sql(
CREATE TABLE dataset (
  name TEXT PRIMARY KEY
    CHECK (length(name) BETWEEN 1 AND 64 AND name NOT GLOB '*[^A-Za-z0-9_]*'),
  created_at_us INTEGER NOT NULL
) STRICT;

CREATE TABLE dataset_version (
  dataset TEXT NOT NULL REFERENCES dataset (name),
  version INTEGER NOT NULL CHECK (version >= 1),
  state TEXT NOT NULL CHECK (state IN ('pending', 'committed', 'discarded', 'shredded')),
  schema_json TEXT NOT NULL,
  row_count INTEGER CHECK (row_count >= 0),
  wrapped_dek BLOB NOT NULL,
  source_digest TEXT NOT NULL
    CHECK (length(source_digest) = 64 AND source_digest NOT GLOB '*[^0-9a-f]*'),
  created_at_us INTEGER NOT NULL,
  committed_at_us INTEGER,
  PRIMARY KEY (dataset, version),
  CHECK ((state = 'shredded') = (length(wrapped_dek) = 0)),
  CHECK (state <> 'committed' OR (row_count IS NOT NULL AND committed_at_us IS NOT NULL)),
  CHECK (state <> 'pending' OR (row_count IS NULL AND committed_at_us IS NULL))
) STRICT;

CREATE INDEX dataset_version_by_source ON dataset_version (dataset, source_digest);
CREATE INDEX dataset_version_by_state ON dataset_version (state);

CREATE TABLE version_object (
  dataset TEXT NOT NULL,
  version INTEGER NOT NULL,
  logical_name TEXT NOT NULL CHECK (length(logical_name) > 0),
  object_name TEXT NOT NULL CHECK (length(object_name) > 0),
  plaintext_size INTEGER NOT NULL CHECK (plaintext_size >= 0),
  ciphertext_size INTEGER NOT NULL CHECK (ciphertext_size >= 0),
  ciphertext_sha256 TEXT NOT NULL
    CHECK (length(ciphertext_sha256) = 64 AND ciphertext_sha256 NOT GLOB '*[^0-9a-f]*'),
  PRIMARY KEY (dataset, version, logical_name),
  FOREIGN KEY (dataset, version) REFERENCES dataset_version (dataset, version)
) STRICT;
)sql";

// History is append-only: these triggers hold even for a client that writes
// raw SQL or turns foreign keys off, so the audit trail of what was committed
// cannot be rewritten through the catalog.
constexpr std::string_view kTriggers = R"sql(
CREATE TRIGGER dataset_no_delete BEFORE DELETE ON dataset
BEGIN SELECT RAISE(ABORT, 'catalog: datasets are never deleted'); END;

CREATE TRIGGER dataset_no_rename BEFORE UPDATE OF name ON dataset
BEGIN SELECT RAISE(ABORT, 'catalog: datasets are never renamed'); END;

CREATE TRIGGER dataset_version_no_delete BEFORE DELETE ON dataset_version
BEGIN SELECT RAISE(ABORT, 'catalog: versions are never deleted'); END;

CREATE TRIGGER dataset_version_identity BEFORE UPDATE ON dataset_version
WHEN NEW.dataset IS NOT OLD.dataset OR NEW.version IS NOT OLD.version
  OR NEW.schema_json IS NOT OLD.schema_json OR NEW.source_digest IS NOT OLD.source_digest
  OR NEW.created_at_us IS NOT OLD.created_at_us
BEGIN SELECT RAISE(ABORT, 'catalog: a version''s identity, schema and source never change'); END;

CREATE TRIGGER dataset_version_frozen BEFORE UPDATE ON dataset_version
WHEN OLD.state <> 'pending'
  AND (NEW.row_count IS NOT OLD.row_count OR NEW.committed_at_us IS NOT OLD.committed_at_us)
BEGIN SELECT RAISE(ABORT, 'catalog: a committed, discarded or shredded version is immutable'); END;

CREATE TRIGGER dataset_version_transition BEFORE UPDATE OF state ON dataset_version
WHEN NEW.state IS NOT OLD.state AND NOT (
  (OLD.state = 'pending' AND NEW.state IN ('committed', 'discarded', 'shredded'))
  OR (OLD.state IN ('committed', 'discarded') AND NEW.state = 'shredded'))
BEGIN SELECT RAISE(ABORT, 'catalog: version state change not allowed'); END;

CREATE TRIGGER dataset_version_key BEFORE UPDATE OF wrapped_dek ON dataset_version
WHEN NEW.wrapped_dek IS NOT OLD.wrapped_dek
  AND NOT (NEW.state = 'shredded' AND length(NEW.wrapped_dek) = 0)
BEGIN SELECT RAISE(ABORT, 'catalog: a wrapped data key is never replaced, only destroyed'); END;

CREATE TRIGGER version_object_insert BEFORE INSERT ON version_object
WHEN (SELECT state FROM dataset_version
      WHERE dataset = NEW.dataset AND version = NEW.version) IS NOT 'pending'
BEGIN SELECT RAISE(ABORT, 'catalog: objects are added only to a pending version'); END;

CREATE TRIGGER version_object_no_update BEFORE UPDATE ON version_object
BEGIN SELECT RAISE(ABORT, 'catalog: version objects are never changed'); END;

CREATE TRIGGER version_object_delete BEFORE DELETE ON version_object
WHEN (SELECT state FROM dataset_version
      WHERE dataset = OLD.dataset AND version = OLD.version) IS NOT 'pending'
BEGIN SELECT RAISE(ABORT, 'catalog: objects of a finished version are never removed'); END;
)sql";

// What an ingest found about its input (rows read, kept, rejected, values
// set to NULL per field): written once, at commit, then frozen like the rest.
constexpr std::string_view kReports = R"sql(
ALTER TABLE dataset_version ADD COLUMN report_json TEXT NOT NULL DEFAULT '{}';

CREATE TRIGGER dataset_version_report_frozen BEFORE UPDATE OF report_json ON dataset_version
WHEN NEW.report_json IS NOT OLD.report_json AND NOT (OLD.state = 'pending' AND NEW.state = 'committed')
BEGIN SELECT RAISE(ABORT, 'catalog: a version''s report is written once, at commit'); END;
)sql";

// An ingest hashes its input while it seals it: a pending version may learn
// its source digest when it is committed, and never after.
constexpr std::string_view kDigestAtCommit = R"sql(
DROP TRIGGER dataset_version_identity;

CREATE TRIGGER dataset_version_identity BEFORE UPDATE ON dataset_version
WHEN NEW.dataset IS NOT OLD.dataset OR NEW.version IS NOT OLD.version
  OR NEW.schema_json IS NOT OLD.schema_json OR NEW.created_at_us IS NOT OLD.created_at_us
  OR (NEW.source_digest IS NOT OLD.source_digest AND NOT (OLD.state = 'pending' AND NEW.state = 'committed'))
BEGIN SELECT RAISE(ABORT, 'catalog: a version''s identity, schema and source never change'); END;
)sql";

// Withdrawal (issue 14): a version ingested by mistake is shredded with a
// record of who withdrew it, when and why; a dataset made by a typo is
// removed (hidden from the listing, every version shredded) and a tombstone
// keeps who removed it, when, why and up to which version. The records are
// append-only; a removed name may be used again (removed_at_us back to NULL),
// its version numbers continuing after the removed ones.
constexpr std::string_view kWithdrawals = R"sql(
CREATE TABLE version_withdrawal (
  dataset TEXT NOT NULL,
  version INTEGER NOT NULL,
  withdrawn_at_us INTEGER NOT NULL,
  withdrawn_by TEXT NOT NULL CHECK (length(withdrawn_by) BETWEEN 1 AND 128),
  withdrawal_reason TEXT NOT NULL
    CHECK (length(withdrawal_reason) BETWEEN 1 AND 500 AND withdrawal_reason NOT GLOB '*[' || char(1) || '-' || char(31) || char(127) || ']*'),
  PRIMARY KEY (dataset, version),
  FOREIGN KEY (dataset, version) REFERENCES dataset_version (dataset, version)
) STRICT;

CREATE TRIGGER version_withdrawal_shredded BEFORE INSERT ON version_withdrawal
WHEN (SELECT state FROM dataset_version
      WHERE dataset = NEW.dataset AND version = NEW.version) IS NOT 'shredded'
BEGIN SELECT RAISE(ABORT, 'catalog: a version is withdrawn together with the destruction of its key'); END;

CREATE TRIGGER version_withdrawal_no_update BEFORE UPDATE ON version_withdrawal
BEGIN SELECT RAISE(ABORT, 'catalog: a withdrawal record never changes'); END;

CREATE TRIGGER version_withdrawal_no_delete BEFORE DELETE ON version_withdrawal
BEGIN SELECT RAISE(ABORT, 'catalog: a withdrawal record is never deleted'); END;

ALTER TABLE dataset ADD COLUMN removed_at_us INTEGER;

CREATE TABLE dataset_removal (
  id INTEGER PRIMARY KEY,
  dataset TEXT NOT NULL REFERENCES dataset (name),
  removed_at_us INTEGER NOT NULL,
  removed_by TEXT NOT NULL CHECK (length(removed_by) BETWEEN 1 AND 128),
  removal_reason TEXT NOT NULL
    CHECK (length(removal_reason) BETWEEN 1 AND 500 AND removal_reason NOT GLOB '*[' || char(1) || '-' || char(31) || char(127) || ']*'),
  last_version INTEGER NOT NULL CHECK (last_version >= 0)
) STRICT;

CREATE TRIGGER dataset_removal_no_update BEFORE UPDATE ON dataset_removal
BEGIN SELECT RAISE(ABORT, 'catalog: a removal record never changes'); END;

CREATE TRIGGER dataset_removal_no_delete BEFORE DELETE ON dataset_removal
BEGIN SELECT RAISE(ABORT, 'catalog: a removal record is never deleted'); END;
)sql";

// Kept as one migration per release: split the tables and triggers so that a
// failure names the part that failed.
constexpr std::array<Migration, 5> kMigrations = {{
    {"datasets, versions and objects", kTables},
    {"immutability triggers", kTriggers},
    {"ingest reports", kReports},
    {"source digest set at commit", kDigestAtCommit},
    {"withdrawn versions and removed datasets", kWithdrawals},
}};

}  // namespace

std::span<const Migration> CatalogMigrations() { return kMigrations; }

}  // namespace hdhub::catalog
