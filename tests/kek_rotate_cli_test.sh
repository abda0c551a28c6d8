#!/usr/bin/env bash
# KEK rotation through the binary (issue 12, item 2): `hdhub keys rotate`
# needs two operators; it moves every wrapped key to a new key file and
# destroys the old one; the data, the project's pseudonyms, the objects on the
# host (names and bytes) and the audit log are unchanged; a copy of the old
# key file opens nothing; a hub open elsewhere is not rotated; researchers may
# not; then, on the SoftHSM2 fixture, a hub moves from one HSM key to another.
# Usage: kek_rotate_cli_test.sh <hdhub binary> <shared/snds dir> <softhsm dir of softhsm-token>
set -uo pipefail
source "$(dirname "$0")/cli_test_lib.sh"
start_test_hub "$1" "rotation passphrase 2026"
SNDS=$2
HSM=$3
export HDHUB_SOURCE_PASSPHRASE="source passphrase"
hashes() {  # every object on the host but the state backup, with its SHA-256, sorted
  (cd "$HDHUB_HOME/host" && host_data_files | tr '\n' '\0' | xargs -0 sha256sum)
}

unchanged_after() {  # what: the catalog's answer, the project's pseudonyms, the audit log
  run --json query "SELECT count(*), sum(BEN_NAI_ANN::INT) FROM IR_BEN_R"
  check "after $1, the catalog answers the same" cmp -s "$work/out" "$work/catalog.before"
  as "$RITA" --json query --project cohort "$q"
  check "after $1, the project's pseudonyms are unchanged" cmp -s "$work/out" "$work/pseudonyms.before"
  run audit verify
  check "after $1, the audit log verifies" test "$(rc)" = 0
}

run source-key init --key "$work/src.key"
run synth --people 300 --seed 7 --years 2022 --out "$work/ext"
run init --operator olga
check "init" test "$(rc)" = 0
intake_synthetic "$work/ext" IR_BEN_R
for u in omar:operator stan:steward rita:researcher; do run user add "${u%%:*}" --role "${u##*:}"; done
OMAR=$(token_for omar); STAN=$(token_for stan); RITA=$(token_for rita)
echo '{"tables": {"IR_BEN_R": ["*"]}}' >"$work/scope.json"
open_project cohort "$work/scope.json" rita
q="SELECT BEN_NIR_PSA, BEN_NAI_ANN FROM IR_BEN_R ORDER BY 1"
as "$RITA" --json query --project cohort "$q"
cp "$work/out" "$work/pseudonyms.before"
check "the researcher sees her pseudonyms" grep -q BEN_NIR_PSA "$work/pseudonyms.before"
run --json query "SELECT count(*), sum(BEN_NAI_ANN::INT) FROM IR_BEN_R"
cp "$work/out" "$work/catalog.before"
hashes >"$work/host.before"
# The host's audit checkpoint changes with every command: found by running
# commands that change nothing else, and left out of the comparison.
run query "SELECT 1"
hashes >"$work/host.again"
moving=$(diff "$work/host.before" "$work/host.again" | awk '/^>/ {print $3}')
check "only the audit checkpoint changes between two reads" test "$(echo "$moving" | grep -c .)" = 1
without_checkpoint() { grep -v -F -- "$moving" "$1"; }
cp "$HDHUB_HOME/state/hub.key" "$work/old-hub.key"

# Researchers may not; one operator alone only asks.
as "$RITA" keys rotate
check "a researcher may not rotate (exit 3)" test "$(rc)" = 3
check "... PERMISSION_DENIED" err_has "PERMISSION_DENIED"
run keys rotate
check "the first operator asks" test "$(rc)" = 0
check "... and is told a second operator rotates" out_has "a second, different operator"
check "... nothing rotated yet" cmp -s "$HDHUB_HOME/state/hub.key" "$work/old-hub.key"
run keys rotate
check "the same operator cannot rotate alone" test "$(rc)" = 3
check "... FAILED_PRECONDITION" err_has "second, different operator"

# A hub open in another process (a long query) is not rotated.
"$HDHUB" query "SELECT count(*) FROM range(200000) a, range(200000) b WHERE hash(a.range + b.range) % 7 = 0" \
  </dev/null >/dev/null 2>&1 &
busy=$!
sleep 3
as "$OMAR" keys rotate
check "not while the hub is open elsewhere" test "$(rc)" = 3
check "... saying so" err_has "open in another process"
kill "$busy" 2>/dev/null; wait "$busy" 2>/dev/null
check "... nothing rotated" cmp -s "$HDHUB_HOME/state/hub.key" "$work/old-hub.key"

# A copy of the current key file is the same KEK under another name: no
# rotation, and above all no destruction of the only KEK.
cp "$HDHUB_HOME/state/hub.key" "$work/same.key"
run keys rotate --to "keyfile:$work/same.key"
as "$OMAR" keys rotate --to "keyfile:$work/same.key"
check "a copy of the current key file is refused as the new KEK (exit 2)" test "$(rc)" = 2
check "... saying it is the current one under another name" err_has "is the current one under another name"
check "... no rotation begun" test ! -e "$HDHUB_HOME/state/kek-rotation"
check "... the key file untouched" cmp -s "$HDHUB_HOME/state/hub.key" "$work/old-hub.key"
run keys rotate

# The second operator rotates.
as "$OMAR" --json keys rotate
check "the second operator rotates" test "$(rc)" = 0
check "... every key rewrapped" grep -q '"keys_rewrapped":[1-9]' "$work/out"
check "... the old key file destroyed" grep -q '"old_kek_destroyed":true' "$work/out"
check "hub.json names the new key file" grep -q '"keys": *"keyfile:state/hub-2.key"' "$HDHUB_HOME/hub.json"
check "the old key file is gone" test ! -e "$HDHUB_HOME/state/hub.key"
check "no rotation journal is left" test ! -e "$HDHUB_HOME/state/kek-rotation"
hashes >"$work/host.after"
check "no object on the host changed (names and bytes)" \
  cmp -s <(without_checkpoint "$work/host.before") <(without_checkpoint "$work/host.after")
check "... and there are objects to compare" test "$(without_checkpoint "$work/host.after" | grep -c .)" -ge 2
unchanged_after "the rotation"
# The hub's state backup on the host follows the rotation: it restores with
# the new key file, and the old one unwraps nothing of it.
run --json restore --verify-only --host "file://$HDHUB_HOME/host" --keys "keyfile:$HDHUB_HOME/state/hub-2.key"
check "after the rotation, the host's backup restores with the new key file" test "$(rc)" = 0
run restore --verify-only --host "file://$HDHUB_HOME/host" --keys "keyfile:$work/old-hub.key"
check "... and not with the old one" test "$(rc)" = 3
check "... which unwraps nothing" err_has "does not unwrap"
run --json audit show --action keys.rotate
check "the request, the refusals and the rotation are logged" \
  test "$(python3 -c "import json; print(len(json.load(open('$work/out'))))")" -ge 4
check "... with both operators" grep -q '"requested_by":"olga"' "$work/out"

# Killed at random points (kill -9), a rotation is finished by the next call.
run keys rotate
check "a second rotation asked" test "$(rc)" = 0
interrupted=0
keys_before=$(grep -o '"keys": *"[^"]*"' "$HDHUB_HOME/hub.json")
# Done when no journal is left and hub.json names another key: a run killed
# after finishing, before it printed, counts (the next call would then be a
# new request).
rotated() { [[ ! -e $HDHUB_HOME/state/kek-rotation && $(grep -o '"keys": *"[^"]*"' "$HDHUB_HOME/hub.json") != "$keys_before" ]]; }
# Twelve runs killed after 0.15 s, 0.30 s, … 1.8 s (open, journal, new key
# file, rewraps, switch, destruction at various points however loaded the
# machine), then one left to finish.
for attempt in $(seq 1 13); do
  HDHUB_TOKEN=$OMAR "$HDHUB" --json keys rotate </dev/null >"$work/out" 2>"$work/err" &
  pid=$!
  if ((attempt < 13)); then
    sleep "$((attempt * 15 / 100)).$(printf '%02d' $((attempt * 15 % 100)))"
    if kill -9 "$pid" 2>/dev/null; then
      wait "$pid" 2>/dev/null
      [[ -e $HDHUB_HOME/state/kek-rotation ]] && interrupted=$((interrupted + 1))
      rotated && break
      continue
    fi
  fi
  wait "$pid"
  echo $? >"$work/rc"
  [[ $(rc) == 0 ]] && grep -q '"rotated":true' "$work/out" && break
done
echo "rotation: killed mid-way $interrupted times before attempt $attempt finished it"
check "the killed rotation finished" rotated
check "... no journal left" test ! -e "$HDHUB_HOME/state/kek-rotation"
check "... one key file, the one hub.json names" \
  test "$(cd "$HDHUB_HOME/state" && ls hub*.key)" = "$(sed -n 's/.*"keyfile:state\/\(hub[^"]*\)".*/\1/p' "$HDHUB_HOME/hub.json")"
unchanged_after "the killed rotation"
old_key="$work/old-hub.key"

# A copy of the old key file, with the passphrase, unwraps nothing any more.
cp -r "$HDHUB_HOME" "$work/stolen"
current_key=$(sed -n 's/.*"keyfile:state\/\(hub[^"]*\)".*/\1/p' "$HDHUB_HOME/hub.json")
cp "$old_key" "$work/stolen/state/$current_key"
HDHUB_HOME="$work/stolen" run query "SELECT count(*) FROM IR_BEN_R"
check "the old KEK opens nothing" test "$(rc)" != 0
check "... refused as damage, not as a wrong passphrase" err_has "DATA_LOSS"

# An HSM: from one key of the token to another, named with --to; the old
# one destroyed in the token. The fixture's third key is this test's alone
# (other tests use the first).
source_fixture_env "$HSM" "no token" "softhsm.token runs scripts/softhsm-token"
export SOFTHSM2_CONF HDHUB_HOME="$work/hsm-hub" HDHUB_PASSPHRASE=$HDHUB_PKCS11_PIN
read -r _ second_kek third_kek <<<"$HDHUB_PKCS11_KEKS"
check "the fixture's token has a third key" test -n "$third_kek"
from_uri=${HDHUB_PKCS11_URI/object=${HDHUB_PKCS11_KEKS%% *}/object=$third_kek}
to_uri=${HDHUB_PKCS11_URI/object=${HDHUB_PKCS11_KEKS%% *}/object=$second_kek}
token_keys() {  # the labels of the token's secret keys, one per line
  pkcs11-tool --module "$HDHUB_PKCS11_MODULE" --token-label "$HDHUB_PKCS11_TOKEN" --login --pin "$HDHUB_PKCS11_PIN" \
    --list-objects --type secrkey 2>/dev/null | sed -n 's/^ *label: *//p'
}
token_has() { token_keys | grep -q -x -F "$1"; }
token_lacks() { ! token_has "$1"; }
run init --operator olga --keys "$from_uri"
check "init on the HSM" test "$(rc)" = 0
run ingest --dataset IR_BEN_R --schema "$SNDS/schemas/IR_BEN_R.json" "$work/IR_BEN_R.csv"
run --json query "SELECT count(*) FROM IR_BEN_R"
cp "$work/out" "$work/hsm.before"
run user add omar --role operator
OMAR=$(token_for omar)
as "$OMAR" keys rotate
check "an HSM key store needs --to" test "$(rc)" = 2
check "... saying so" err_has "name the new KEK with --to"
# The same key named with its id too: the same KEK under another name.
run keys rotate --to "${from_uri/\?/;id=%03?}"
as "$OMAR" keys rotate --to "${from_uri/\?/;id=%03?}"
check "the current HSM key under another URI is refused (exit 2)" test "$(rc)" = 2
check "... saying so" err_has "is the current one under another name"
check "... and stays in the token" token_has "$third_kek"
run keys rotate --to "$to_uri"
as "$OMAR" --json keys rotate --to "$to_uri"
check "rotated to the token's second key" test "$(rc)" = 0
check "... the old HSM key destroyed" grep -q '"old_kek_destroyed":true' "$work/out"
check "... gone from the token" token_lacks "$third_kek"
check "... the new one still there" token_has "$second_kek"
check "hub.json names the second key" grep -q "object=$second_kek" "$HDHUB_HOME/hub.json"
run --json query "SELECT count(*) FROM IR_BEN_R"
check "the data reads the same under the new HSM key" cmp -s "$work/out" "$work/hsm.before"
finish
