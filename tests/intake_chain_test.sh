#!/usr/bin/env bash
# The whole chain on a synthetic population, through the hdhub binary:
# synth (raw NIRs at the "source") -> pseudonymize (stage 1) -> ingest
# (validation, stage 2, sealed Parquet), with the drug reference table synth
# writes and a shared nomenclature as reference tables -> operator cohort
# queries (by CIP13 codes and by ATC class) checked against the generator's
# ground truth -> project workspace (stage 3, opt-outs removed) -> researcher
# queries checked against the ground truth without the opted-out, the cohort
# by ATC class person for person the cohort by CIP13 codes. Then kill -9 during an ingest: the catalog stays consistent and
# the next ingest cleans up.
# Usage: intake_chain_test.sh <hdhub binary> <shared/snds dir>
set -uo pipefail
HDHUB=$1
SNDS=$2
work=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
source "$(dirname "$0")/cli_test_lib.sh"
export HDHUB_HOME="$work/hub" HDHUB_PASSPHRASE="intake chain passphrase 7" HDHUB_SOURCE_PASSPHRASE="source passphrase"
export HDHUB_USER_PASSWORD="a long enough password"
manifest() { /usr/bin/python3 -c "import json,sys; m=json.load(open('$work/ext/manifest.json')); print(eval(sys.argv[1]))" "$1"; }
TABLES="IR_BEN_R ER_PRS_F ER_PHA_F T_MCOaaA T_MCOaaB T_MCOaaC T_MCOaaD KI_CCI_R"

run synth --people 3000 --seed 7 --years 2021-2022 --out "$work/ext"
check "synth" test "$(rc)" = 0
check "in a pipe, no progress line" test ! -s "$work/err"
# On a terminal (a pty from script(1)), a long command shows its progress on
# stderr: phase, percentage, count, rate and time left; the line is cleared
# before the result prints.
HDHUB_PROGRESS_AFTER_MS=0 script -qefc "'$HDHUB' synth --people 3000 --seed 8 --years 2021 --out '$work/ext-tty'" \
  /dev/null >"$work/tty" 2>&1
check "on a terminal, synth shows its progress" grep -qE "synth +[0-9]+%  [0-9]+/3000 people  [0-9.k]+ people/s" "$work/tty"
check "the progress line is cleared before the summary" grep -q $'\e\[Ksynthetic extract of 3000' "$work/tty"
HDHUB_PROGRESS_AFTER_MS=0 script -qefc "'$HDHUB' --json synth --people 300 --seed 8 --years 2021 --out '$work/ext-json'" \
  /dev/null >"$work/tty" 2>&1
check "with --json, no progress even on a terminal" bash -c "! grep -q 'people/s' '$work/tty'"
mkdir -p "$work/source" "$work/transfer"
run source-key init --key "$work/source/src.key"
check "source key" test "$(rc)" = 0
for t in $TABLES; do
  run pseudonymize --key "$work/source/src.key" --schema "$SNDS/schemas/$t.json" --strict \
    --out "$work/transfer/$t.csv" "$work/ext/$t.csv"
  check "pseudonymize $t" test "$(rc)" = 0
done
run pseudonymize --key "$work/source/src.key" --opt-out --strict --out "$work/transfer/OPTOUT.csv" "$work/ext/OPTOUT.csv"
check "pseudonymize the opt-out list" test "$(rc)" = 0
# The source's own log is signed with a key its key store wraps: someone who
# copies the source's disk without the passphrase cannot re-sign a rewritten log.
source_audit_key="$work/source/state/audit_signing.key"
check "the source's log signing key is wrapped by its key store" \
  test "$(head -n 1 "$source_audit_key")" = "hdhub-audit-key v1"
check "... and never on disk in clear" test -z "$(grep -l 'PRIVATE+KEY' "$source_audit_key")"
nir=$(sed -n 2p "$work/ext/IR_BEN_R.csv" | cut -d, -f1)
check "no NIR leaves the source" test -z "$(grep -rl -- "$nir" "$work/transfer")"
birth=$(sed -n 2p "$work/ext/IR_BEN_R.csv" | cut -d, -f2)
check "no birth date leaves the source" test -z "$(grep -l -- "$birth" "$work/transfer/IR_BEN_R.csv")"

unset HDHUB_TOKEN
# Commands without a token act as the first operator, made by init.
export HDHUB_USER=opal HDHUB_PASSWORD="opal's long enough password"
run init --operator opal
for t in $TABLES; do
  run ingest --dataset "$t" --schema "$SNDS/schemas/$t.json" "$work/transfer/$t.csv"
  check "ingest $t (every value valid)" test "$(rc)" = 0
done
run ingest --opt-out "$work/transfer/OPTOUT.csv"
check "ingest the opt-out set" test "$(rc)" = 0
# A source extract given to the hub by mistake: named as such, with what to
# run first, and no value of it quoted.
run ingest --dataset IR_BEN_R --schema "$SNDS/schemas/IR_BEN_R.json" "$work/ext/IR_BEN_R.csv"
check "a source extract at the hub: exit 2" test "$(rc)" = 2
check "... told to pseudonymize it first" err_has "source extract (NIR, birth date, sex): run hdhub pseudonymize"
check "... without quoting it" bash -c "! grep -q -- '$nir' '$work/err'"
run ingest --dataset ER_PRS_F --schema "$SNDS/schemas/ER_PRS_F.json" --nomenclatures "$work/nowhere" \
  "$work/transfer/ER_PRS_F.csv"
check "a --nomenclatures directory that does not exist is refused" test "$(rc)" = 2
# Reference tables, stored as they come: the drug table synth writes beside
# the extract (CIP13 -> ATC class, no person: it needs no pseudonymization),
# and a shared SNDS nomenclature.
run ingest --reference --delimiter ';' --dataset IR_PHA_R --schema "$work/ext/IR_PHA_R.json" "$work/ext/IR_PHA_R.csv"
check "ingest the drug reference table" test "$(rc)" = 0
run ingest --reference --delimiter ';' --dataset IR_CIM_V --schema "$SNDS/nomenclatures/IR_CIM_V.json" \
  "$SNDS/nomenclatures/IR_CIM_V.csv"
check "ingest the ICD-10 nomenclature" test "$(rc)" = 0
run ingest --dataset IR_PHA_R --delimiter ';' --schema "$work/ext/IR_PHA_R.json" "$work/ext/IR_PHA_R.csv"
check "a reference dataset stays one" err_has "with --reference"
column() {  # dataset column key: a column's entry in catalog show --json
  "$HDHUB" --json catalog show "$1" | /usr/bin/python3 -c \
    "import json,sys; print([c for c in json.load(sys.stdin)['columns'] if c['name'] == '$2'][0]['$3'])"
}
check "catalog show gives a column's label" test "$(column IR_PHA_R PHA_ATC_C07 label)" = "ATC class (level 5)"
check "... and its description" test "$(column ER_PHA_F PHA_PRS_C13 description)" = \
  "Code CIP de la pharmacie de ville (13 Caractères)"
check "... and its nomenclature" test "$(column ER_PHA_F PHA_PRS_C13 nomenclature)" = IR_PHA_R
run ingest --dataset ER_PRS_F --schema "$SNDS/schemas/ER_PRS_F.json" "$work/transfer/ER_PRS_F.csv"
check "a re-ingest is detected" out_has "already ingested"

codes=$(manifest "','.join(m['conditions'][0]['drug_codes'])")
cohort="SELECT year(p.EXE_SOI_DTD) AS y, count(DISTINCT p.BEN_NIR_PSA) AS people
        FROM ER_PHA_F a JOIN ER_PRS_F p USING (FLX_DIS_DTD, FLX_TRT_DTD, FLX_EMT_TYP, FLX_EMT_NUM,
          FLX_EMT_ORD, ORG_CLE_NUM, DCT_ORD_NUM, PRS_ORD_NUM, REM_TYP_AFF)
        WHERE a.PHA_PRS_C13 IN ($codes) GROUP BY y ORDER BY y"
# The same cohort by ATC class (A10: drugs used in diabetes), through the drug reference table.
atc_cohort="SELECT year(p.EXE_SOI_DTD) AS y, count(DISTINCT p.BEN_NIR_PSA) AS people
        FROM ER_PHA_F a JOIN ER_PRS_F p USING (FLX_DIS_DTD, FLX_TRT_DTD, FLX_EMT_TYP, FLX_EMT_NUM,
          FLX_EMT_ORD, ORG_CLE_NUM, DCT_ORD_NUM, PRS_ORD_NUM, REM_TYP_AFF)
        JOIN IR_PHA_R r ON a.PHA_PRS_C13 = r.PHA_CIP_C13
        WHERE r.PHA_ATC_C07 LIKE 'A10%' GROUP BY y ORDER BY y"
counts() { awk '$1 ~ /^[0-9]+$/ && NF == 2 {printf "%s ", $2}' "$work/out" | sed 's/ $//'; }
expected=$(manifest "' '.join(str(m['conditions'][0]['per_year'][y]['treated']) for y in ('2021','2022'))")
run query "$cohort"
check "the operator's cohort matches the ground truth ($expected)" test "$(counts)" = "$expected"
run query "$atc_cohort"
check "the operator's cohort by ATC class matches it too" test "$(counts)" = "$expected"

run user add omar --role operator
run user add rita --role researcher
OMAR=$("$HDHUB" token issue omar 2>/dev/null)
RITA=$("$HDHUB" token issue rita 2>/dev/null)
cat >"$work/scope.json" <<EOF
{"tables": {"IR_BEN_R": ["*"], "ER_PRS_F": ["*"], "ER_PHA_F": ["*"], "T_MCOaaB": ["*"], "T_MCOaaC": ["*"],
            "IR_PHA_R": ["*"], "IR_CIM_V": ["CIM_COD", "CIM_LIB"]}}
EOF
run project create --id chain --authorisation CNIL-DR-2026-7 --purpose "Chain test" --scope "$work/scope.json" \
  --start 2026-01-01 --end 2099-01-01 --member rita
check "project created by the first operator" test "$(rc)" = 0
run project approve chain
HDHUB_TOKEN=$OMAR run project approve chain
check "approved by a second operator" out_has "is approved"
run project build chain
check "workspace built" test "$(rc)" = 0
HDHUB_TOKEN=$RITA run query --project chain "SELECT count(*) FROM IR_BEN_R"
people=$(( $(manifest "m['people']") - $(manifest "m['opt_out_people']") ))
check "the workspace holds everyone but the opted-out ($people)" grep -Eq "^ *$people *$" "$work/out"
HDHUB_TOKEN=$RITA run query --project chain "$cohort"
expected=$(manifest "' '.join(str(m['conditions'][0]['per_year'][y]['treated_not_opted_out']) for y in ('2021','2022'))")
check "the researcher's cohort excludes the opted-out ($expected)" test "$(counts)" = "$expected"
HDHUB_TOKEN=$RITA run query --project chain "$atc_cohort"
check "the researcher's cohort by ATC class gives the same counts" test "$(counts)" = "$expected"
# The same persons, not only as many: the cohort's pseudonyms by ATC class and by the CIP13 list.
persons() {  # condition on the drug reference table r
  HDHUB_TOKEN=$RITA "$HDHUB" --json query --project chain "SELECT DISTINCT p.BEN_NIR_PSA FROM ER_PHA_F a
    JOIN ER_PRS_F p USING (DCIR_LINE_KEY) JOIN IR_PHA_R r ON a.PHA_PRS_C13 = r.PHA_CIP_C13 WHERE $1 ORDER BY 1" \
    2>"$work/err"
}
persons "r.PHA_ATC_C07 LIKE 'A10%'" >"$work/by-class"
persons "a.PHA_PRS_C13 IN ($codes)" >"$work/by-codes"
check "a cohort by ATC class is the cohort by its CIP13 codes, person for person" \
  cmp -s "$work/by-class" "$work/by-codes"
check "... and not an empty one" test "$(grep -o '\["[0-9a-f-]*"\]' "$work/by-class" | wc -l)" -gt 50
HDHUB_TOKEN=$RITA run query --project chain \
  "SELECT label, nomenclature FROM hdhub_columns WHERE table_name = 'ER_PHA_F' AND column_name = 'PHA_PRS_C13'"
check "the workspace's hdhub_columns gives each column's label" out_has "Code CIP de la pharmacie de ville"
HDHUB_TOKEN=$RITA run query --project chain "SELECT CIM_LIB FROM IR_CIM_V WHERE CIM_COD = 'E11'"
check "a shared nomenclature in the scope labels ICD-10 codes" out_has "Diabète sucré de type 2"

# kill -9 while an ingest is sealing: a pending version, no visible one; the
# next ingest cleans up and the host holds exactly what the catalog records.
"$HDHUB" ingest --dataset ER_PRS_F_COPY --schema "$SNDS/schemas/ER_PRS_F.json" "$work/transfer/ER_PRS_F.csv" \
  >/dev/null 2>&1 &
pid=$!
# Until the sealed Parquet is streaming (or the ingest is over): the pending
# version recorded (read from the catalog: the state backup's copy of the
# catalog streams through .tmp too, so a temporary proves nothing).
# The local database is encrypted: hub_reader.py decrypts a copy (as the
# format pages say) every 10 ms.
/usr/bin/python3 "$(dirname "$0")/python/hub_reader.py" --wait 60 "$pid" "$HDHUB_HOME" \
  "SELECT count(*) FROM dataset_version WHERE dataset = ? AND state = ?" ER_PRS_F_COPY pending || true
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
run catalog list --all
check "the killed ingest left a pending version" out_has "ER_PRS_F_COPY.*pending"
run catalog list
check "... which is not visible" out_lacks ER_PRS_F_COPY
run ingest --dataset ER_PRS_F_COPY --schema "$SNDS/schemas/ER_PRS_F.json" "$work/transfer/ER_PRS_F.csv"
check "the next ingest succeeds" test "$(rc)" = 0
run catalog list --all
check "the pending version was discarded" out_has "ER_PRS_F_COPY.*discarded"
recorded=$(awk 'NR > 2 && ($3 == "committed") {n += $5} END {print n}' "$work/out")
workspace=$(host_data_files | grep -c '^\./o/')
# Host objects: the committed versions', the project's workspace (7 tables and
# hdhub_columns) and the sealed checkpoint (the state backup's left aside).
check "no orphan object on the host ($recorded + 8 + 1)" test "$workspace" = $((recorded + 8 + 1))
check "no temporary left on the host" test -z "$(find "$HDHUB_HOME/host/.tmp" -type f 2>/dev/null)"
run audit verify
check "the audit log verifies" test "$(rc)" = 0

finish
