#!/usr/bin/env bash
# A new pair of custodians for the stage-2 key through the binary:
# `hdhub keys custodians` needs two different operators and the same two
# contributions; researchers may not; the key ring and the project's
# pseudonyms are unchanged; the escrow record and the new pair's
# contributions remake the key in `hdhub init --stage2-escrow` (same
# pseudonyms for the same people), the old pair with the record does not.
# Usage: custodians_cli_test.sh <hdhub binary> <shared/snds dir>
set -uo pipefail
source "$(dirname "$0")/cli_test_lib.sh"
start_test_hub "$1" "custodians passphrase 2026"
SNDS=$2

for c in cnam hdh drees; do "$HDHUB" keys contribution --out "$work/$c.c" >/dev/null 2>&1; done
fingerprint() { sed -n 2p "$1" | python3 -c "
import hashlib, sys; b = bytes.fromhex(sys.stdin.read().strip())
print(hashlib.sha256(b'hdhub custodian contribution v1' + b).hexdigest()[:16])"; }
cnam=$(fingerprint "$work/cnam.c"); hdh=$(fingerprint "$work/hdh.c"); drees=$(fingerprint "$work/drees.c")
run init --operator olga --stage2-contribution "$work/cnam.c" --stage2-contribution "$work/hdh.c"
check "init with two custodians" test "$(rc)" = 0
run source-key init --key "$work/src.key"
run synth --people 200 --seed 3 --years 2022 --out "$work/ext"
intake_synthetic "$work/ext" IR_BEN_R
for u in omar:operator rita:researcher; do run user add "${u%%:*}" --role "${u##*:}"; done
OMAR=$(token_for omar); RITA=$(token_for rita)
stage2_line() { grep '^pseudonym/stage2 ' "$HDHUB_HOME/state/keyring"; }
stage2_line >"$work/ring.before"
# The stage-2 pseudonyms as the catalog holds them, one per person.
run --json query "SELECT BEN_NIR_PSA FROM IR_BEN_R ORDER BY 1"
cp "$work/out" "$work/pseudonyms.before"
check "the catalog answers with pseudonyms" grep -q BEN_NIR_PSA "$work/pseudonyms.before"

as "$RITA" keys custodians --contribution "$work/hdh.c" --contribution "$work/drees.c"
check "a researcher may not (exit 3)" test "$(rc)" = 3
check "... PERMISSION_DENIED" err_has "PERMISSION_DENIED"
run keys custodians --contribution "$work/hdh.c" --contribution "$work/drees.c"
check "the first operator asks" test "$(rc)" = 0
check "... and is told a second operator confirms" out_has "a second, different operator"
check "... no record yet" test ! -e "$HDHUB_HOME/state/stage2-escrow"
run keys custodians --contribution "$work/drees.c" --contribution "$work/hdh.c"
check "the same operator cannot confirm (exit 3)" test "$(rc)" = 3
check "... FAILED_PRECONDITION" err_has "FAILED_PRECONDITION"
run keys custodians --contribution "$work/hdh.c" --contribution "$work/hdh.c"
check "the same contribution twice is refused (exit 2)" test "$(rc)" = 2
as "$OMAR" --json keys custodians --contribution "$work/drees.c" --contribution "$work/hdh.c" \
  --escrow-out "$work/stage2.escrow"
check "a second operator confirms with the same pair" test "$(rc)" = 0
check "... the key is in escrow" grep -q '"escrowed":true' "$work/out"
check "... the custodians' copy is the hub's record" cmp -s "$work/stage2.escrow" "$HDHUB_HOME/state/stage2-escrow"
check "... it names the new pair" grep -q "^custodians $(printf '%s\n' "$hdh" "$drees" | sort | paste -sd+)$" \
  "$work/stage2.escrow"
check "... the request is gone" test ! -e "$HDHUB_HOME/state/custodians-request"
check "... the key ring's stage-2 line is unchanged" cmp -s <(stage2_line) "$work/ring.before"
run --json query "SELECT BEN_NIR_PSA FROM IR_BEN_R ORDER BY 1"
check "... and so are the pseudonyms" cmp -s "$work/out" "$work/pseudonyms.before"
run --json audit show --action keys.custodians
check "the refusals, the request and the escrow are logged" \
  test "$(python3 -c "import json; print(len(json.load(open('$work/out'))))")" -ge 4
check "... with both operators and both pairs" \
  python3 -c "
import json, sys
e = [x for x in json.load(open('$work/out')) if x['details'].get('approvals') == 2][0]
d = e['details']
assert d['requested_by'] == 'olga' and e['actor'] == 'omar', e
assert sorted(d['custodians']) == sorted(['$hdh', '$drees']), d
assert sorted(d['previous_custodians']) == sorted(['$cnam', '$hdh']), d"

# The hub is lost: the new pair and its record remake the key; the old pair
# with the record does not, and leaves nothing.
lost=$HDHUB_HOME
export HDHUB_HOME=$work/rebuilt
run init --operator olga --stage2-contribution "$work/cnam.c" --stage2-contribution "$work/hdh.c" \
  --stage2-escrow "$work/stage2.escrow"
check "the old pair with the record is refused (exit 2)" test "$(rc)" = 2
check "... naming the record's pair" err_has "not the pair this escrow is for"
check "... nothing written" test ! -e "$HDHUB_HOME/hub.json"
run init --operator olga --stage2-contribution "$work/drees.c" --stage2-contribution "$work/hdh.c" \
  --stage2-escrow "$work/stage2.escrow"
check "the new pair and the record rebuild the key" test "$(rc)" = 0
check "... with the lost hub's origin" grep -q "^pseudonym/stage2 custodians:$(printf '%s\n' "$cnam" "$hdh" | sort | paste -sd+) " \
  "$HDHUB_HOME/state/keyring"
# The source's extract, as it sent it before (stage-1 pseudonyms), again.
run ingest --dataset IR_BEN_R --schema "$SNDS/schemas/IR_BEN_R.json" "$work/IR_BEN_R.csv"
check "... the extract is ingested again" test "$(rc)" = 0
run --json query "SELECT BEN_NIR_PSA FROM IR_BEN_R ORDER BY 1"
check "... the same people get the same pseudonyms" cmp -s "$work/out" "$work/pseudonyms.before"
HDHUB_HOME=$lost
finish
