#!/usr/bin/env bash
# `hdhub query` says what it did, over the catalog and in a project
# workspace: several statements in one call each show their result (never
# only the first or the last); SQL comes from the command line, a file
# (--file F) or standard input (--file - or -); --json gives numbers as JSON
# numbers and NULL as null; a statement the sandbox refuses alone is refused
# inside a batch too, before any statement of the batch runs; and an option
# that does nothing is not offered.
# Usage: query_cli_test.sh <hdhub binary> <shared/snds dir>
set -uo pipefail
source "$(dirname "$0")/cli_test_lib.sh"
start_test_hub "$1" "query test passphrase 2026"
SNDS=$2
json_is() {  # python expression over `docs` (the JSON lines of stdout) that must hold
  python3 -c "
import json, sys
docs = [json.loads(line) for line in open('$work/out') if line.strip()]
sys.exit(0 if ($1) else 1)"
}
query_events() { "$HDHUB" --json audit show --action query.run 2>/dev/null | grep -o '"outcome":"[a-z]*"' | wc -l; }

run init --operator olga
check "init" test "$(rc)" = 0
for u in omar:operator stan:steward rita:researcher; do
  run user add "${u%%:*}" --role "${u##*:}"
done
OMAR=$(token_for omar); STAN=$(token_for stan); RITA=$(token_for rita)
run ingest --on-invalid set-null --dataset IR_BEN_R --schema "$SNDS/schemas/IR_BEN_R.json" "$SNDS/synthetic/IR_BEN_R.csv"
check "ingest" test "$(rc)" = 0
echo '{"tables": {"IR_BEN_R": ["*"]}}' >"$work/scope.json"
open_project q "$work/scope.json" rita

# Both paths: the operator over the catalog, the researcher in her workspace.
for path in catalog project; do
  if [[ $path = catalog ]]; then q() { run query "$@"; }; else q() { as "$RITA" query --project q "$@"; }; fi
  qj() { if [[ $path = catalog ]]; then run --json query "$@"; else as "$RITA" --json query --project q "$@"; fi; }

  q "SELECT 2 AS first_col; SELECT 3 AS second_col"
  check "$path: two statements run" test "$(rc)" = 0
  check "$path: the first result is shown" out_has first_col
  check "$path: the second result is shown" out_has second_col
  check "$path: each result says which statement it is" out_has "statement 2 of 2"
  qj "SELECT 2 AS a; SELECT 3 AS b, 'x' AS c"
  check "$path --json: one JSON document per statement" json_is \
    "len(docs) == 2 and docs[0]['rows'] == [[2]] and docs[1]['rows'] == [[3, 'x']]"
  q "CREATE TEMP TABLE t AS SELECT 41 AS v; SELECT v + 1 AS answer FROM t"
  if [[ $path = catalog ]]; then
    check "$path: a later statement sees what an earlier one made" grep -Eq '^ *42 *$' "$work/out"
  else
    # A project session runs SELECT statements only (the opt-out views and the
    # SQL guard, docs/formats/projects.md): the batch is refused whole.
    check "$path: a batch with a non-SELECT statement is refused" test "$(rc)" = 3
    check "$path: ... saying why" err_has "SELECT statements only"
    check "$path: ... and nothing of it ran" out_lacks answer
  fi

  qj "SELECT 1 AS i, 2.5 AS d, CAST(7 AS DECIMAL(9,2)) AS m, NULL AS n, 'x' AS s, true AS b, 10000000000 AS big"
  check "$path --json: typed values" json_is \
    "docs[0]['rows'] == [[1, 2.5, 7.0, None, 'x', True, 10000000000]] and type(docs[0]['rows'][0][0]) is int"
  qj "SELECT count(*) AS n, NULL AS z FROM IR_BEN_R"
  check "$path --json: a count is a number, NULL is null" json_is \
    "type(docs[0]['rows'][0][0]) is int and docs[0]['rows'][0][1] is None"
  check "$path --json: a single statement keeps its one-object shape" json_is \
    "len(docs) == 1 and set(docs[0]) == {'columns', 'rows'}"

  printf 'SELECT 5 AS from_file;\n-- a comment\nSELECT 6 AS also_from_file;\n' >"$work/q.sql"
  q --file "$work/q.sql"
  check "$path: --file runs every statement of the file" bash -c "grep -q from_file '$work/out' && grep -q also_from_file '$work/out'"
  q --file "$work/missing.sql"
  check "$path: a missing --file is a usage error (exit 2)" test "$(rc)" = 2
  check "... naming the option" err_has "\-\-file"
  if [[ $path = catalog ]]; then
    echo "SELECT 8 AS from_stdin" | "$HDHUB" query --file - >"$work/out" 2>"$work/err"
    check "$path: --file - reads standard input" out_has from_stdin
    echo "SELECT 9 AS dash_stdin" | "$HDHUB" query - >"$work/out" 2>"$work/err"
    check "$path: - reads standard input" out_has dash_stdin
  else
    echo "SELECT 8 AS from_stdin" | HDHUB_TOKEN=$RITA "$HDHUB" query --project q --file - >"$work/out" 2>"$work/err"
    check "$path: --file - reads standard input" out_has from_stdin
    echo "SELECT 9 AS dash_stdin" | HDHUB_TOKEN=$RITA "$HDHUB" query --project q - >"$work/out" 2>"$work/err"
    check "$path: - reads standard input" out_has dash_stdin
  fi
  q --file "$work/q.sql" "SELECT 1"
  check "$path: SQL and --file together are a usage error" test "$(rc)" = 2
  q
  check "$path: no SQL is a usage error" test "$(rc)" = 2
  q " ; -- nothing"
  check "$path: a text without a statement is a usage error" test "$(rc)" = 2
  check "... that says so" err_has "no SQL statement"

  q "SELECT 1 AS ok_col; SELECT * FROM no_such_table"
  check "$path: a failing second statement fails the call" test "$(rc)" != 0
  check "... after showing the first result" out_has ok_col
  check "... naming the statement that failed" err_has "statement 2 of 2"
  q "SELECT 1 AS a; SELEC oops"
  check "$path: a batch that does not parse runs nothing" out_lacks '^ *a *$'
  check "... and is a usage error" test "$(rc)" = 2

  before=$(query_events)
  for smuggled in "ATTACH ':memory:' AS elsewhere" "SET threads = 64" "PRAGMA enable_profiling" \
    "COPY (SELECT 1) TO 'x.csv'" "LOAD httpfs" "EXPORT DATABASE 'elsewhere'"; do
    q "SELECT 1 AS innocent; $smuggled"
    check "$path: '$smuggled' after a SELECT is refused" err_has PERMISSION_DENIED
    check "... before anything ran" out_lacks innocent
  done
  after=$(query_events)
  check "$path: every refused batch is audited" test "$((after - before))" -ge 6
done

# The sandbox itself: a batch cannot reach a local file either.
as "$RITA" query --project q "SELECT 1 AS a; SELECT * FROM read_csv('/etc/passwd')"
check "a local file inside a batch is refused" err_has PERMISSION_DENIED
check "... and shows no line of it" out_lacks root

# An option that does nothing is not offered.
"$HDHUB" project create --help >"$work/out" 2>&1
check "project create offers no --min-cell-count" out_lacks "min-cell-count"
run project create --id x --authorisation A --purpose P --scope "$work/scope.json" --start 2026-01-01 \
  --end 2027-01-01 --member rita --min-cell-count 5
check "--min-cell-count is refused as unknown" test "$(rc)" = 2
# --json is honoured by the commands that change a project, and by source-key init.
as "$STAN" --json project create --id j --authorisation CNIL-DR-2026-008 --purpose "JSON" --scope "$work/scope.json" \
  --start "$(day '-1 day')" --end "$(day '+30 days')" --member rita
check "project create --json" json_is "docs == [{'project': 'j', 'state': 'draft'}]"
as "$STAN" --json project change j --scope "$work/scope.json" --member rita
check "project change --json" json_is "docs == [{'project': 'j', 'state': 'draft'}]"
run --json project close j
check "project close --json" json_is "docs == [{'project': 'j', 'state': 'closed'}]"
HDHUB_SOURCE_PASSPHRASE="velvet harbour quarry 2026 lantern" run --json source-key init --key "$work/src.key"
check "source-key init --json" json_is "docs == [{'key': '$work/src.key'}]"
# --timeout holds over the catalog too, not only in a workspace.
# (timeout 60: without the fix, this query would run for hours)
timeout 60 "$HDHUB" query --timeout 1 "SELECT count(*) FROM range(1000000000) a, range(1000000000) b" \
  </dev/null >"$work/out" 2>"$work/err"
check "--timeout cancels a catalog query" err_has "cancelled after 1 s"

run audit verify
check "the audit log verifies" test "$(rc)" = 0

finish
