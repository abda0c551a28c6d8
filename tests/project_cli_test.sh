#!/usr/bin/env bash
# A research project from creation to a query and to its end, through the
# hdhub binary, with every refusal the issue names: a researcher approving, an
# operator approving twice, building as a researcher, a query before approval,
# another user's token, a revoked token, a local file, a cross-join bomb, a
# query after expiry. Each refusal must leave an audit event.
# Usage: project_cli_test.sh <hdhub binary> <shared/snds dir>
set -uo pipefail
HDHUB=$1
SNDS=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source "$(dirname "$0")/cli_test_lib.sh"
export HDHUB_HOME="$work/hub"
export HDHUB_PASSPHRASE="project test passphrase 2026"
export HDHUB_USER_PASSWORD="a long enough password"
unset HDHUB_TOKEN
# Commands without a token act as olga, the first operator, by her password.
export HDHUB_USER=olga HDHUB_PASSWORD="olga's long enough password"

as() { local token=$1; shift; HDHUB_TOKEN=$token run "$@"; }
in_window() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
token_for() {  # user -> token text
  "$HDHUB" token issue "$1" --ttl 1d 2>/dev/null
}
denials() {  # action -> number of denied events for the project
  "$HDHUB" --json audit show --project "$2" --action "$1" 2>/dev/null | grep -o '"outcome":"denied"' | wc -l
}

run init --operator olga
check "init" test "$(rc)" = 0
for u in omar:operator stan:steward rita:researcher rob:researcher; do
  run user add "${u%%:*}" --role "${u##*:}"
  check "user add ${u%%:*}" test "$(rc)" = 0
done
OLGA=$(token_for olga); OMAR=$(token_for omar); STAN=$(token_for stan)
RITA=$(token_for rita); ROB=$(token_for rob)
check "tokens issued" test -n "$OLGA" -a -n "$RITA" -a -n "$ROB"
for t in IR_BEN_R ER_PRS_F; do
  run ingest --on-invalid set-null --dataset $t --schema "$SNDS/schemas/$t.json" "$SNDS/synthetic/$t.csv"
  check "ingest $t" test "$(rc)" = 0
done

cat >"$work/scope.json" <<'EOF'
{"tables": {"IR_BEN_R": ["*"], "ER_PRS_F": ["EXE_SOI_DTD", "PRS_PAI_MNT"]}}
EOF
as "$STAN" project create --id diab --authorisation CNIL-DR-2026-042 --purpose "Diabetes drugs by age band" \
  --scope "$work/scope.json" --start "$(in_window '-1 day')" --end "$(in_window '+10 days')" --member rita
check "steward creates a project" test "$(rc)" = 0
as "$RITA" project approve diab
check "a researcher approving is refused" test "$(rc)" = 3
check "... as a permission error" err_has PERMISSION_DENIED
as "$OLGA" project approve diab
check "first operator approves" out_has "approval recorded; still a draft"
as "$OLGA" project approve diab
check "the same operator cannot approve twice" err_has "already approved"
as "$RITA" query --project diab "SELECT 1"
check "no query before approval" test "$(rc)" = 3
as "$OMAR" project approve diab
check "second operator activates" out_has "is approved"
run user grant omar --role researcher  # a member is a researcher: omar is both
check "omar is also a researcher" test "$(rc)" = 0
as "$STAN" project create --id own --authorisation CNIL-DR-2026-044 --purpose "An operator's own project" \
  --scope "$work/scope.json" --start "$(in_window '-1 day')" --end "$(in_window '+10 days')" --member rita --member omar
as "$OMAR" project approve own
check "an operator who is a member cannot approve" test "$(rc)" = 3
check "... and is told why" err_has "member of the project may not"
check "the member's refused approval is audited" test "$(denials project.approve own)" -ge 1
HDHUB_USER= HDHUB_PASSWORD= run project approve own
check "the passphrase alone approves nothing" test "$(rc)" = 3
check "... it needs an account" err_has "HDHUB_TOKEN"
as "$RITA" project build diab
check "a researcher cannot build" err_has PERMISSION_DENIED
as "$STAN" project build diab
check "steward builds the workspace" out_has "IR_BEN_R 10"

as "$RITA" query --project diab "SELECT count(*) AS people FROM IR_BEN_R"
check "the researcher queries the workspace" grep -Eq '^ *10 *$' "$work/out"
as "$RITA" --json query --project diab "SELECT count(*) FROM ER_PRS_F WHERE PRS_PAI_MNT IS NOT NULL"
check "json output" out_has '"rows"'
as "$RITA" query --project diab "SELECT PRS_NAT_REF FROM ER_PRS_F"
check "a column outside the scope does not exist" err_has "PRS_NAT_REF"
as "$ROB" query --project diab "SELECT count(*) FROM IR_BEN_R"
check "another user's token is refused" err_has "unknown or not yours"
as "$RITA" query --project diab "SELECT * FROM read_csv('/etc/passwd')"
check "a local file is refused" err_has PERMISSION_DENIED
as "$RITA" query --project diab "SELECT count(*) FROM 'hdhub://datasets/IR_BEN_R/v1/part-0.parquet'"
check "the catalog's objects are refused" err_has PERMISSION_DENIED
as "$RITA" query --project diab --timeout 2 "SELECT count(*) FROM range(1000000000) a, range(1000000000) b"
check "a cross-join bomb is cancelled" err_has "cancelled after 2 s"
as "$RITA" query --project diab "SET threads = 64"
check "settings cannot change" err_has PERMISSION_DENIED
check "refused queries are audited" test "$(denials query.run diab)" -ge 3
check "refused access is audited" test "$(denials project.access diab)" -ge 2
check "refused approval is audited" test "$(denials project.approve diab)" -ge 1

rita_token_id=$("$HDHUB" --json token list rita | grep -o '"rows":\[\["[0-9a-f]*"' | grep -o '[0-9a-f]\{16\}')
run token revoke "$rita_token_id"
as "$RITA" query --project diab "SELECT 1"
check "a revoked token is refused" err_has UNAUTHENTICATED

# A project whose window ends in a few seconds: refused afterwards, then shredded.
RITA=$(token_for rita)
as "$STAN" project create --id short --authorisation CNIL-DR-2026-043 --purpose "Short" \
  --scope "$work/scope.json" --start "$(in_window '-1 day')" --end "$(in_window '+8 seconds')" --member rita
as "$OLGA" project approve short
as "$OMAR" project approve short
as "$STAN" project build short
check "short project built" test "$(rc)" = 0
objects_before=$(host_data_files | wc -l)
as "$RITA" query --project short "SELECT count(*) FROM IR_BEN_R"
check "short project open within its window" test "$(rc)" = 0
sleep 9
as "$RITA" query --project short "SELECT count(*) FROM IR_BEN_R"
check "a query after expiry is refused" err_has "ended"
as "$RITA" project sweep
check "a researcher cannot sweep" err_has PERMISSION_DENIED
as "$OLGA" project sweep
check "the operator's sweep shreds it" out_has "short"
objects_after=$(host_data_files | wc -l)
check "its objects left the host" test "$objects_after" -lt "$objects_before"
as "$OLGA" project show short
check "its keys are destroyed" out_has '"keys_destroyed": true'
as "$OLGA" project close diab
check "closing shreds at once" out_has "shredded"
as "$RITA" query --project diab "SELECT 1"
check "a closed project is refused" err_has "closed"

run audit verify
check "the audit log verifies" test "$(rc)" = 0

finish
