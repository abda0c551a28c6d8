#!/usr/bin/env bash
# The format pages are enough to read a hub (issue 14, item 10): on a hub the
# binary made (a dataset, a built workspace, a signed log published to the
# host), tests/python/hub_reader.py, written from docs/formats/*.md alone,
# opens the key file, unwraps every key, finds and decrypts every sealed object
# and the host's audit checkpoint, and checks them against the catalog; and the
# modes hub-directory.md gives are the modes on disk.
# Usage: format_pages_cli_test.sh <hdhub binary> <shared/snds dir> <tests/python dir>
set -uo pipefail
source "$(dirname "$0")/cli_test_lib.sh"
start_test_hub "$1" "format pages passphrase 2026"
SNDS=$2
reader=$3/hub_reader.py
read_hub() { /usr/bin/python3 "$reader" "$@" >"$work/out" 2>"$work/err"; echo $? >"$work/rc"; }

run synth --people 200 --seed 7 --years 2022 --out "$work/ext"
run source-key init --key "$work/src.key"
run init --operator olga
check "init" test "$(rc)" = 0
intake_synthetic "$work/ext" IR_BEN_R ER_PRS_F
for u in omar:operator stan:steward rita:researcher; do run user add "${u%%:*}" --role "${u##*:}"; done
OMAR=$(token_for omar); STAN=$(token_for stan)
echo '{"tables": {"IR_BEN_R": ["*"], "ER_PRS_F": ["EXE_SOI_DTD", "PRS_PAI_MNT"]}}' >"$work/scope.json"
open_project pages "$work/scope.json" rita
run query "SELECT count(*) FROM IR_BEN_R"  # one more event, so the host's checkpoint is not the first

# hub-directory.md: the modes.
mode() { stat -c %a "$HDHUB_HOME/$1"; }
check "state/ is 0700" test "$(mode state)" = 700
check "state/tmp/ is 0700" test "$(mode state/tmp)" = 700
check "the key file is 0600" test "$(mode state/hub.key)" = 600
check "the signing key file is 0600" test "$(mode state/audit_signing.key)" = 600
check "the pseudonymized transfer file is 0600, as synth's extract" \
  test "$(stat -c %a "$work/IR_BEN_R.csv")/$(stat -c %a "$work/ext/IR_BEN_R.csv")" = 600/600
check "no scratch area left behind by finished commands" \
  test -z "$(find "$HDHUB_HOME/state/tmp" -mindepth 1 -maxdepth 1 -type d)"

# Everything, from the pages alone.
HUB_READER_TOKENS="$OMAR,$STAN" read_hub "$HDHUB_HOME"
check "the reader opens the hub (exit 0)" test "$(rc)" = 0
check "it checked the API tokens against the directory" out_has "^token .* of stan$"
check "it read IR_BEN_R v1 with the catalog's row count" out_has "^dataset IR_BEN_R v1: 1 object(s)"
check "it read ER_PRS_F v1" out_has "^dataset ER_PRS_F v1: "
check "it read the workspace" out_has "^project pages workspace 1: "
check "it read the host checkpoint and the signing key" out_has "^audit: host checkpoint of "
check "it read the state backup against state/ (state-backup.md)" out_has "^state backup: [1-9][0-9]* log entries"
check "no object on the host is left unexplained by the pages" out_has "^[0-9]* sealed objects read$"
[[ "$(rc)" = 0 ]] || sed 's/^/  reader: /' "$work/err"

# hub-directory.md, "Paths": a copy is a complete hub, read without the original.
cp -a "$HDHUB_HOME" "$work/copy"
mv "$HDHUB_HOME" "$work/away"
read_hub "$work/copy"
check "a copied hub directory reads alone" test "$(rc)" = 0
mv "$work/away" "$HDHUB_HOME"

# The reader refuses what the pages say must be refused.
HDHUB_PASSPHRASE="not the passphrase" read_hub "$work/copy"
check "a wrong passphrase: refused (key-file.md)" test "$(rc)" = 1
check "  ... as the page words it" err_has "wrong passphrase or damaged file"
# An object no page accounts for (a stray file on the host) is reported.
cp -a "$work/copy" "$work/copy3"
mkdir -p "$work/copy3/host/o/00" && head -c 100 /dev/urandom >"$work/copy3/host/o/00/$(printf '0%.0s' $(seq 64))"
read_hub "$work/copy3"
check "an object on the host that no page explains: refused" test "$(rc)" = 1
check "  ... saying so" err_has "read by none of the pages"
flip() { /usr/bin/python3 -c "import sys; f = open(sys.argv[1], 'r+b'); f.seek(60); b = f.read(1); f.seek(60); f.write(bytes([b[0] ^ 1]))" "$1"; }
cp -a "$work/copy" "$work/copy2"
flip "$work/copy/host/$(HDHUB_HOME="$work/copy" host_data_files | head -1)"
read_hub "$work/copy"
check "a flipped byte in a host object outside the backup: refused" test "$(rc)" = 1
# state_backup_names: the root, the manifest, then the catalog's copy.
backup_object=$(HDHUB_HOME="$work/copy2" state_backup_names | sed -n 3p)
flip "$work/copy2/host/$backup_object"
read_hub "$work/copy2"
check "a flipped byte in a state backup object: refused" test "$(rc)" = 1
check "  ... naming it" err_has "state/catalog/"
finish
