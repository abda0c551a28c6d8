#!/usr/bin/env bash
# The hdhub binary as an operator uses it: init, ingest, query, catalog, and
# the refusals that must come with a clear message and no change.
# Usage: cli_end_to_end_test.sh <hdhub binary> <shared/snds dir>
set -uo pipefail
HDHUB=$1
SNDS=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source "$(dirname "$0")/cli_test_lib.sh"
export HDHUB_HOME="$work/hub"
export HDHUB_PASSPHRASE="end-to-end passphrase"
unset HDHUB_TOKEN
# The first operator, made by init, acts by her password.
export HDHUB_USER=olga HDHUB_PASSWORD="olga's long enough password"

run init
check "init succeeds" test "$(rc)" = 0
check "key file is private" test "$(stat -c %a "$HDHUB_HOME/state/hub.key")" = 600
run init
check "second init refused" test "$(rc)" != 0
check "second init says why" err_has "already holds a hub"

run ingest --on-invalid set-null --dataset ER_PRS_F --schema "$SNDS/schemas/ER_PRS_F.json" "$SNDS/synthetic/ER_PRS_F.csv"
check "ingest succeeds" test "$(rc)" = 0
check "ingest reports rows" out_has "10 rows sealed"
run ingest --on-invalid set-null --dataset ER_PRS_F --schema "$SNDS/schemas/ER_PRS_F.json" "$SNDS/synthetic/ER_PRS_F.csv"
check "re-ingest detected" out_has "already ingested as version 1"

run query "SELECT count(*) AS n, count(DISTINCT BEN_NIR_PSA) AS people FROM ER_PRS_F"
check "query succeeds" test "$(rc)" = 0
people=$(tail -n +2 "$SNDS/synthetic/ER_PRS_F.csv" | cut -d, -f12 | sort -u | wc -l)
check "query answers" grep -Eq "^ *10 +$people *\$" "$work/out"
run --json query "SELECT count(*) AS n FROM ER_PRS_F"
check "json output" grep -q '"rows":\[\[10\]\]' "$work/out"

run query "SELECT * FROM read_csv('/etc/passwd')"
check "local file refused" test "$(rc)" = 3
check "local file refusal is a permission error" err_has "PERMISSION_DENIED"

head -3 "$SNDS/synthetic/ER_PRS_F.csv" >"$work/bad.csv"
echo "1,2,3" >>"$work/bad.csv"
run ingest --dataset ER_PRS_F --schema "$SNDS/schemas/ER_PRS_F.json" "$work/bad.csv"
check "malformed CSV refused" test "$(rc)" = 2
check "malformed CSV error names the file" err_has "bad.csv"
check "malformed CSV error names the line" err_has "line 4"
run catalog list
check "refused ingest left no version" test "$(grep -c ER_PRS_F "$work/out")" = 1

HDHUB_PASSPHRASE=wrong run query "SELECT 1"
check "wrong passphrase refused" test "$(rc)" = 3
check "wrong passphrase says so" err_has "passphrase"

run query "SELECT count(*) FROM NO_SUCH_TABLE"
check "unknown table is a usage error" test "$(rc)" = 2

finish
