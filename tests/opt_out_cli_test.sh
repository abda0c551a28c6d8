#!/usr/bin/env bash
# Opt-outs through the hdhub binary (issue 14, hole 2), on a synthetic
# population and the real intake chain:
#   - two successive opt-out lists: everyone on either stays out (a later
#     list that omits someone re-admits nobody);
#   - a workspace built before the opt-outs stops showing those people at
#     its next query, in every table of its scope, without a rebuild: its
#     counts become those of a workspace built afterwards;
#   - a withdrawal list (audited) re-admits its people, in new builds and,
#     at the next query, in workspaces that had them.
# Usage: opt_out_cli_test.sh <hdhub binary> <shared/snds dir>
set -uo pipefail
SNDS=$2
source "$(dirname "$0")/cli_test_lib.sh"
start_test_hub "$1" "opt-out test passphrase 14" opal
manifest() { /usr/bin/python3 -c "import json,sys; m=json.load(open('$work/ext/manifest.json')); print(eval(sys.argv[1]))" "$1"; }
TABLES="IR_BEN_R ER_PRS_F ER_PHA_F T_MCOaaB T_MCOaaC T_MCOaaD KI_CCI_R"

run synth --people 800 --seed 21 --years 2022-2022 --opt-out-rate 0.05 --out "$work/ext"
check "synth" test "$(rc)" = 0
run source-key init --key "$work/src.key"
run init --operator opal
intake_synthetic "$work/ext" $TABLES
run pseudonymize --key "$work/src.key" --opt-out --strict --out "$work/OPTOUT.csv" "$work/ext/OPTOUT.csv"
check "pseudonymize the opt-out list" test "$(rc)" = 0
# Two lists, each with half of the people: the second omits the first's.
lines=$(($(wc -l <"$work/OPTOUT.csv") - 1))
half=$((lines / 2))
{ head -1 "$work/OPTOUT.csv"; sed -n "2,$((half + 1))p" "$work/OPTOUT.csv"; } >"$work/list1.csv"
{ head -1 "$work/OPTOUT.csv"; sed -n "$((half + 2)),\$p" "$work/OPTOUT.csv"; } >"$work/list2.csv"
{ head -1 "$work/OPTOUT.csv"; sed -n 2p "$work/OPTOUT.csv"; } >"$work/withdrawal.csv"
check "at least 4 opted-out people" test "$lines" -ge 4
people=$(manifest "m['people']")

run user add omar --role operator
run user add rita --role researcher
OMAR=$("$HDHUB" token issue omar 2>/dev/null)
RITA=$("$HDHUB" token issue rita 2>/dev/null)
scope='{"tables": {'
for t in $TABLES; do scope+="\"$t\": [\"*\"], "; done
echo "${scope%, }}}" >"$work/scope.json"
project() {
  run project create --id "$1" --authorisation "CNIL-DR-$1" --purpose "Opt-out test" --scope "$work/scope.json" \
    --start 2026-01-01 --end 2099-01-01 --member rita
  run project approve "$1"
  HDHUB_TOKEN=$OMAR run project approve "$1"
  run project build "$1"
  check "project $1 built" test "$(rc)" = 0
}
counts() {  # project -> "TABLE=rows ..." for every table of the scope
  local out=""
  for t in $TABLES; do
    HDHUB_TOKEN=$RITA run --json query --project "$1" "SELECT count(*) FROM $t"
    out+="$t=$(/usr/bin/python3 -c "import json; print(json.load(open('$work/out'))['rows'][0][0])" 2>/dev/null) "
  done
  echo "$out"
}
builds() { "$HDHUB" --json project show "$1" 2>/dev/null | grep -o '"build"' | wc -l; }

project early  # before any opt-out
before=$(counts early)
check "the early workspace holds everyone" test "${before%% *}" = "IR_BEN_R=$people"
early_builds=$(builds early)

run ingest --opt-out "$work/list1.csv"
check "ingest opt-out list 1" test "$(rc)" = 0
run ingest --opt-out "$work/list2.csv"
check "ingest opt-out list 2" test "$(rc)" = 0
project late
late=$(counts late)
check "a build after both lists leaves out everyone on either ($late)" \
  test "${late%% *}" = "IR_BEN_R=$((people - lines))"
check "the early workspace, not rebuilt, now shows what a new build shows ($(counts early))" \
  test "$(counts early)" = "$late"
check "... and was not rebuilt" test "$(builds early)" = "$early_builds"
check "... while it showed more before" test "$before" != "$late"

run ingest --opt-out-withdrawal "$work/withdrawal.csv"
check "ingest a withdrawal list" test "$(rc)" = 0
run --json audit show --action ingest.run
check "the withdrawal is audited" out_has OPT_OUT_WITHDRAWAL
HDHUB_TOKEN=$RITA run --json query --project early "SELECT count(*) FROM IR_BEN_R"
check "the withdrawn person is back in the early workspace at the next query" \
  out_has "\[$((people - lines + 1))\]"
run project build late
HDHUB_TOKEN=$RITA run --json query --project late "SELECT count(*) FROM IR_BEN_R"
check "... and in a new build" out_has "\[$((people - lines + 1))\]"

finish
