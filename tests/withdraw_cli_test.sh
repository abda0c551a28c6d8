#!/usr/bin/env bash
# Undoing intake mistakes through the hdhub binary (issue 14, hole 3): a
# version ingested by mistake is withdrawn (audited; the previous version is
# current again; its key destroyed and its objects deleted; the workspace
# built from it shredded, and rebuilt from the previous one); a dataset made
# by a typo is removed (gone from the listing and the host, its name free
# again), but not while a project reads it; researchers may do neither.
# Usage: withdraw_cli_test.sh <hdhub binary> <shared/snds dir>
set -uo pipefail
source "$(dirname "$0")/cli_test_lib.sh"
start_test_hub "$1" "withdraw passphrase 2026"
SNDS=$2
export HDHUB_SOURCE_PASSPHRASE="source passphrase"
json() { /usr/bin/python3 -c "import json,sys; d=json.load(open('$work/out')); print(eval(sys.argv[1]))" "$1"; }
on_host() { test -f "$HDHUB_HOME/host/$1"; }
wrapped_key_bytes() {  # dataset version -> length of its wrapped data key in catalog.db (decrypted)
  /usr/bin/python3 "$(dirname "$0")/python/hub_reader.py" --query "$HDHUB_HOME" \
    "SELECT length(wrapped_dek) FROM dataset_version WHERE dataset=? AND version=?" "$1" "$2"
}
count() {  # [--project P] table -> its row count, as the caller sees it
  run query "$@" 2>/dev/null
  awk '$1 ~ /^[0-9]+$/ {print $1; exit}' "$work/out"
}

# Two extracts of IR_BEN_R, of different sizes: the second one is the mistake.
run source-key init --key "$work/src.key"
for n in 1 2; do
  run synth --people $((200 * n)) --seed "$n" --years 2022 --out "$work/ext$n"
  run pseudonymize --key "$work/src.key" --schema "$SNDS/schemas/IR_BEN_R.json" --strict \
    --out "$work/ben$n.csv" "$work/ext$n/IR_BEN_R.csv"
  check "pseudonymize extract $n" test "$(rc)" = 0
done
rows1=$(($(wc -l <"$work/ben1.csv") - 1))
rows2=$(($(wc -l <"$work/ben2.csv") - 1))
run init --operator olga
for n in 1 2; do
  run ingest --dataset IR_BEN_R --schema "$SNDS/schemas/IR_BEN_R.json" "$work/ben$n.csv"
  check "ingest IR_BEN_R v$n" out_has "IR_BEN_R v$n"
done
for u in omar:operator stan:steward rita:researcher carl:auditor; do run user add "${u%%:*}" --role "${u##*:}"; done
OMAR=$(token_for omar); STAN=$(token_for stan); RITA=$(token_for rita); CARL=$(token_for carl)
echo '{"tables": {"IR_BEN_R": ["*"]}}' >"$work/scope.json"
as "$STAN" project create --id cohort --authorisation CNIL-DR-2026-3 --purpose "Withdrawal test" \
  --scope "$work/scope.json" --start "$(day '-1 day')" --end "$(day '+30 days')" --member rita
run project approve cohort
as "$OMAR" project approve cohort
as "$STAN" project build cohort
check "workspace built from v2" test "$(rc)" = 0
check "the workspace serves v2 ($rows2 people)" test "$(HDHUB_TOKEN=$RITA count --project cohort "SELECT count(*) FROM IR_BEN_R")" = "$rows2"
check "the catalog serves v2" test "$(count "SELECT count(*) FROM IR_BEN_R")" = "$rows2"
run --json catalog show IR_BEN_R --version 2
v2_objects=$(json "' '.join(o['object_name'] for o in d['objects'])")
check "v2's objects are on the host" on_host "${v2_objects%% *}"
check "v2's data key is in the catalog" test "$(wrapped_key_bytes IR_BEN_R 2)" -gt 0

# Researchers and auditors may not withdraw or remove; the refusal is logged.
for who in RITA CARL; do
  as "${!who}" catalog withdraw IR_BEN_R --version 2 --reason "not mine"
  check "$who may not withdraw (exit 3, PERMISSION_DENIED)" test "$(rc)" = 3
  check "... and is told so" err_has "PERMISSION_DENIED"
  as "${!who}" catalog remove IR_BEN_R --reason "not mine"
  check "$who may not remove" err_has "PERMISSION_DENIED"
done
run --json audit show --action dataset.withdraw
check "the refusals are logged as denied" out_has '"outcome":"denied"'
run catalog withdraw IR_BEN_R --version 2
check "a withdrawal needs a reason (exit 2)" test "$(rc)" = 2

# The withdrawal.
as "$STAN" catalog withdraw IR_BEN_R --version 2 --reason "extract of the wrong month"
check "the steward withdraws v2" test "$(rc)" = 0
check "... the previous version is current" out_has "current version: v1"
check "... the workspace built from v2 is shredded" out_has "project cohort workspace 1"
check "the catalog serves v1 again ($rows1 people)" test "$(count "SELECT count(*) FROM IR_BEN_R")" = "$rows1"
for o in $v2_objects; do check "v2's object $o is gone from the host" bash -c "! test -f '$HDHUB_HOME/host/$o'"; done
check "v2's data key is destroyed" test "$(wrapped_key_bytes IR_BEN_R 2)" = 0
run --json catalog show IR_BEN_R --version 2
check "catalog show says withdrawn, by whom and why" \
  test "$(json "d['state'], d['withdrawn']['by'], d['withdrawn']['reason']")" = "('withdrawn', 'stan', 'extract of the wrong month')"
run catalog list
check "catalog list shows v2 withdrawn" grep -Eq "IR_BEN_R +2 +withdrawn" "$work/out"
run --json audit show --action dataset.withdraw
reason_sha256=$(printf %s "extract of the wrong month" | sha256sum | cut -d' ' -f1)
check "audit show has the withdrawal, its reason as SHA-256 (no free text in the log)" out_has "\"text_sha256\":\"$reason_sha256\""
check "... its actor" out_has '"actor":"stan"'
check "... the version" out_has '"version":"2"'
check "... the workspace it shredded" out_has '"workspaces_shredded":."cohort/1"'
HDHUB_TOKEN=$RITA run query --project cohort "SELECT count(*) FROM IR_BEN_R"
check "the shredded workspace no longer serves" test "$(rc)" = 3
as "$STAN" project build cohort
check "rebuilt" test "$(rc)" = 0
check "the rebuilt workspace serves v1" test "$(HDHUB_TOKEN=$RITA count --project cohort "SELECT count(*) FROM IR_BEN_R")" = "$rows1"
run catalog withdraw IR_BEN_R --version 2 --reason "again"
check "a withdrawn version is not withdrawn twice" err_has "FAILED_PRECONDITION"

# A dataset a project reads is not removed.
run catalog remove IR_BEN_R --reason "typo"
check "remove refused while a project reads the dataset (exit 3)" test "$(rc)" = 3
check "... naming the project" err_has "project(s) cohort"
check "... nothing removed" test "$(count "SELECT count(*) FROM IR_BEN_R")" = "$rows1"

# A dataset made by a typo is removed, and its name can be used again.
run ingest --dataset IR_BEN_R_2O22 --schema "$SNDS/schemas/IR_BEN_R.json" "$work/ben1.csv"
check "ingest under a mistyped name" test "$(rc)" = 0
run --json catalog show IR_BEN_R_2O22
typo_object=$(json "d['objects'][0]['object_name']")
as "$STAN" catalog remove IR_BEN_R_2O22 --reason "typo for IR_BEN_R_2022"
check "the steward removes it" out_has "IR_BEN_R_2O22 removed: 1 version shredded, 1 object deleted"
run catalog list --all
check "it is gone from catalog list" out_lacks IR_BEN_R_2O22
check "its object is gone from the host" bash -c "! test -f '$HDHUB_HOME/host/$typo_object'"
check "its data key is destroyed" test "$(wrapped_key_bytes IR_BEN_R_2O22 1)" = 0
run --json audit show --action dataset.remove
check "audit show has the removal" out_has "\"text_sha256\":\"$(printf %s "typo for IR_BEN_R_2022" | sha256sum | cut -d' ' -f1)\""
check "... by the steward" out_has '"actor":"stan"'
run catalog remove IR_BEN_R_2O22 --reason "twice"
check "a removed dataset is not found (exit 3)" err_has "NOT_FOUND"
run ingest --dataset IR_BEN_R_2O22 --schema "$SNDS/schemas/IR_BEN_R.json" "$work/ben2.csv"
check "the name can be used again, numbered after the removed version" out_has "IR_BEN_R_2O22 v2"

# Opt-outs accumulate: the register is neither withdrawn nor removed.
run catalog remove OPT_OUT --reason "start over"
check "the opt-out register is not removed" err_has "opt-out register"

run check
check "the host holds exactly what the catalog records" out_has "leftover objects removed: 0"
check "... nothing unknown" out_lacks "unknown objects"
finish
