#!/usr/bin/env bash
# A hub whose KEK is in an HSM, through the binary: `hdhub init --keys
# pkcs11:...` on the SoftHSM2 token of the CTest fixture `softhsm`
# (scripts/softhsm-token), unlocked by the token's user PIN. No key file is
# written; the key ring is wrapped by the token's KEK; ingest, query and
# `audit verify` work; a wrong PIN makes no hub at init, is refused and
# recorded at open, and never appears in an error. Fails (never skips) when
# the token is missing.
# Usage: hsm_cli_test.sh <hdhub binary> <shared/snds dir> <softhsm dir of softhsm-token>
set -uo pipefail
source "$(dirname "$0")/cli_test_lib.sh"
start_test_hub "$1" "unused: the PIN unlocks this hub"
SNDS=$2
HSM=$3
source_fixture_env "$HSM" "no token" "softhsm.token runs scripts/softhsm-token"
export SOFTHSM2_CONF
wrong_pin=wrong-pin-$RANDOM

# A wrong PIN at init: refused before anything is written.
HDHUB_PASSPHRASE=$wrong_pin run init --operator olga --keys "$HDHUB_PKCS11_URI"
check "init with a wrong PIN fails" test "$(rc)" != 0
check "... saying so" err_has "wrong PIN"
check "... never printing the PIN" bash -c "! grep -q -- '$wrong_pin' '$work/err'"
check "... and leaves no hub" test ! -e "$HDHUB_HOME/hub.json" -a ! -e "$HDHUB_HOME/state"

# The PIN is the HSM's secret: short PINs are the HSM's business.
export HDHUB_PASSPHRASE=$HDHUB_PKCS11_PIN
run init --operator olga --keys "$HDHUB_PKCS11_URI"
check "init on the token's KEK" test "$(rc)" = 0
check "hub.json names the pkcs11 store" grep -q '"keys": *"pkcs11:' "$HDHUB_HOME/hub.json"
check "... and never the PIN" bash -c "! grep -q -- '$HDHUB_PKCS11_PIN' '$HDHUB_HOME/hub.json'"
check "no key file is written" test ! -e "$HDHUB_HOME/state/hub.key"
check "the purpose keys are in the key ring" test -s "$HDHUB_HOME/state/keyring"
check "the audit key is wrapped" test "$(head -n 1 "$HDHUB_HOME/state/audit_signing.key")" = "hdhub-audit-key v1"

run ingest --on-invalid set-null --dataset IR_BEN_R --schema "$SNDS/schemas/IR_BEN_R.json" "$SNDS/synthetic/IR_BEN_R.csv"
check "ingest under the HSM's KEK" test "$(rc)" = 0
rows=$(grep -c . "$SNDS/synthetic/IR_BEN_R.csv")
run --json query "SELECT count(*) AS n FROM IR_BEN_R"
check "query reads the sealed table back" grep -q "\[\[$((rows - 1))\]\]" "$work/out"
run --json audit show --action hub.init
check "hub.init records the key store's kind" out_has '"key_store":"pkcs11"'
run audit verify
check "the audit log verifies" test "$(rc)" = 0

# A wrong PIN at open: refused, recorded, folded into the log at the next open.
HDHUB_PASSPHRASE=$wrong_pin run query "SELECT 1"
check "a wrong PIN is refused" test "$(rc)" = 3
check "... saying so" err_has "wrong PIN"
check "... never printing the PIN" bash -c "! grep -q -- '$wrong_pin' '$work/err'"
run --json audit show --action auth.unlock
check "the failed unlock is in the log" out_has '"wrong_passphrase"'

# There is no passphrase to change: the PIN is the HSM's.
HDHUB_NEW_PASSPHRASE="a new passphrase nobody will use" run passphrase change
check "passphrase change is refused" test "$(rc)" != 0
check "... saying why" err_has "no passphrase to change"
finish
