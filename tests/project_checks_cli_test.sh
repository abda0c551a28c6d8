#!/usr/bin/env bash
# A project is checked when it is recorded, not at its build after two
# approvals: every table of its scope has a workspace profile and a committed
# version, every column is one that version stores, every member is an
# active researcher, and its window has not ended; `project change` checks
# the same. Each refusal is a usage error (exit 2) that names the field, and
# leaves no project behind.
#
# And a researcher cannot tell an unknown project id from another team's:
# every project command she can try answers both with the same code, message
# and exit code (the audit log still records the attempt).
# Usage: project_checks_cli_test.sh <hdhub binary> <shared/snds dir>
set -uo pipefail
source "$(dirname "$0")/cli_test_lib.sh"
start_test_hub "$1" "project checks passphrase 2026"
SNDS=$2
scope() { echo "$2" >"$work/$1.json"; }
create() {  # id scope-file member... (with a window open now)
  local id=$1 file=$2; shift 2
  local members=()
  for m in "$@"; do members+=(--member "$m"); done
  as "$STAN" project create --id "$id" --authorisation CNIL-DR-2026-001 --purpose "Checks" \
    --scope "$work/$file.json" --start "$(day '-1 day')" --end "$(day '+30 days')" "${members[@]}"
}
refused_at_creation() {  # what, id, expected text in the message
  check "$1: refused at creation (exit 2)" test "$(rc)" = 2
  check "$1: the message names the field" err_has "$3"
  "$HDHUB" project list >"$work/list" 2>/dev/null
  check "$1: no project was recorded" bash -c "! grep -q '^$2 ' '$work/list'"
}

run init --operator olga
check "init" test "$(rc)" = 0
for u in omar:operator stan:steward rita:researcher rob:researcher carl:auditor dora:researcher; do
  run user add "${u%%:*}" --role "${u##*:}"
  check "user add ${u%%:*}" test "$(rc)" = 0
done
run user disable dora
check "dora disabled" test "$(rc)" = 0
OLGA=$(token_for olga); OMAR=$(token_for omar); STAN=$(token_for stan); RITA=$(token_for rita)
check "tokens issued" test -n "$OLGA" -a -n "$OMAR" -a -n "$STAN" -a -n "$RITA"
for t in IR_BEN_R ER_PRS_F; do
  run ingest --on-invalid set-null --dataset $t --schema "$SNDS/schemas/$t.json" "$SNDS/synthetic/$t.csv"
  check "ingest $t" test "$(rc)" = 0
done

scope good '{"tables": {"IR_BEN_R": ["*"], "ER_PRS_F": ["EXE_SOI_DTD", "PRS_PAI_MNT"]}}'
scope unknown_table '{"tables": {"NOPE": ["*"]}}'
scope no_profile '{"tables": {"T_MCOaaA": ["*"]}}'
scope not_ingested '{"tables": {"ER_PHA_F": ["*"]}}'
scope unknown_column '{"tables": {"ER_PRS_F": ["EXE_SOI_DTD", "NOPE_COL"]}}'
scope dropped_column '{"tables": {"IR_BEN_R": ["BEN_RES_COM"]}}'

# --- Checks at creation -------------------------------------------------------
create p1 unknown_table rita
refused_at_creation "an unknown table" p1 "tables.NOPE"
create p2 no_profile rita
refused_at_creation "a table without a workspace profile" p2 "tables.T_MCOaaA"
create p3 not_ingested rita
refused_at_creation "a table with no committed version" p3 "tables.ER_PHA_F"
create p4 unknown_column rita
refused_at_creation "an unknown column" p4 "tables.ER_PRS_F"
create p5 dropped_column rita
refused_at_creation "a column the hub never stores" p5 "tables.IR_BEN_R"
for who in nobody olga carl dora; do
  create "pm-$who" good "$who"
  refused_at_creation "member $who" "pm-$who" "member"
  check "member $who: the message says what a member must be" err_has "active researcher"
done
create pm-mixed good rita nobody
refused_at_creation "one bad member among good ones" pm-mixed "member"
as "$STAN" project create --id past --authorisation CNIL-DR-2020-001 --purpose "Over" --scope "$work/good.json" \
  --start 2020-01-01 --end 2021-01-01 --member rita
refused_at_creation "a window already over" past "end"
as "$STAN" project create --id backwards --authorisation CNIL-DR-2026-002 --purpose "Backwards" \
  --scope "$work/good.json" --start "$(day '+10 days')" --end "$(day '+5 days')" --member rita
refused_at_creation "a window ending before it starts" backwards "end"
"$HDHUB" --json audit show --action project.create >"$work/audit" 2>/dev/null
check "refused creations are audited" test "$(grep -o '"outcome":"error"' "$work/audit" | wc -l)" -ge 10

# The same project, right: created, and the checks at `project change`.
create diab good rita
check "a good project is created" test "$(rc)" = 0
for bad in unknown_table no_profile unknown_column; do
  as "$STAN" project change diab --scope "$work/$bad.json" --member rita
  check "change to $bad: refused (exit 2)" test "$(rc)" = 2
done
as "$STAN" project change diab --scope "$work/good.json" --member rita --member carl
check "change to a non-researcher member: refused (exit 2)" test "$(rc)" = 2
check "... naming the field" err_has "member"
as "$OLGA" project show diab
check "refused changes left the scope version alone" out_has '"scope_version": 1'

# --- Unknown or not yours -----------------------------------------------------
# diab is rita's; other is rob's (approved and built); drafty is rob's draft.
as "$OLGA" project approve diab
as "$OMAR" project approve diab
as "$STAN" project build diab
check "diab built" test "$(rc)" = 0
create other good rob
as "$OLGA" project approve other
as "$OMAR" project approve other
as "$STAN" project build other
check "other built" test "$(rc)" = 0
create drafty good rob
check "drafty created" test "$(rc)" = 0
as "$RITA" query --project diab "SELECT count(*) AS n FROM IR_BEN_R"
check "rita queries her own project" test "$(rc)" = 0

# Every project command a researcher can try, with a project id.
attempts=(
  "project show ID"
  "project approve ID"
  "project change ID --scope $work/good.json --member rita"
  "project close ID"
  "project build ID"
  "query --project ID SELECT_1"
  "query --project ID SELECT_1;_SELECT_2"
  "audit show --project ID"
)
answer() {  # json? id attempt -> "rc|stdout|stderr" with the id replaced by ID
  local json=$1 id=$2 attempt=$3 args=()
  for word in ${attempt//ID/$id}; do args+=("${word//_/ }"); done
  if [[ $json = json ]]; then as "$RITA" --json "${args[@]}"; else as "$RITA" "${args[@]}"; fi
  echo "$(rc)|$(sed "s/\b$id\b/ID/g" "$work/out")|$(sed "s/\b$id\b/ID/g" "$work/err")"
}
for attempt in "${attempts[@]}"; do
  for json in text json; do
    unknown=$(answer $json nope-nope "$attempt")
    for theirs in other drafty; do
      answer_theirs=$(answer $json "$theirs" "$attempt")
      check "$attempt ($json): unknown id and $theirs answer alike" test "$unknown" = "$answer_theirs"
      if [[ $unknown != "$answer_theirs" ]]; then
        echo "  unknown: $unknown"
        echo "  $theirs: $answer_theirs"
      fi
    done
    check "$attempt ($json): refused" test "${unknown%%|*}" != 0
  done
done
as "$RITA" query --project nope-nope "SELECT 1"
check "the researcher's message: unknown or not yours" err_has "unknown or not yours"
check "... as a permission error" err_has PERMISSION_DENIED
"$HDHUB" --json audit show --project nope-nope --action project.access >"$work/audit" 2>/dev/null
check "the attempt on an unknown project is audited" test "$(grep -o '"outcome":"denied"' "$work/audit" | wc -l)" -ge 1
as "$OLGA" project show nope-nope
check "staff are told plainly that the project does not exist" err_has NOT_FOUND
as "$OLGA" project close other
check "operators may still close another team's project" test "$(rc)" = 0

run audit verify
check "the audit log verifies" test "$(rc)" = 0

finish
