#!/usr/bin/env bash
# Leftovers, leaks and tampering through the hdhub binary (issue 14, holes 4
# and 6): kill -9 during a workspace build leaves orphan objects on the host
# and a scratch folder in state/tmp; the next command removes the folder
# (event hub.cleanup) and `hdhub check` discards the unfinished build and
# removes its objects, saying what it removed; a damaged object is DATA_LOSS
# naming the dataset and version for `query` and `check`; a researcher's
# session shows no path of the hub machine.
# Usage: leftovers_cli_test.sh <hdhub binary> <shared/snds dir>
set -uo pipefail
HDHUB=$1
SNDS=$2
work=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
source "$(dirname "$0")/cli_test_lib.sh"
export HDHUB_HOME="$work/hub" HDHUB_PASSPHRASE="leftovers passphrase 14" HDHUB_SOURCE_PASSPHRASE="source passphrase"
export HDHUB_USER_PASSWORD="a long enough password"
unset HDHUB_TOKEN
export HDHUB_USER=opal HDHUB_PASSWORD="opal's long enough password"
TABLES="IR_BEN_R ER_PRS_F"
host_objects() { host_data_files | grep -c '^\./o/'; }
scratch() { find "$HDHUB_HOME/state/tmp" -mindepth 1 -maxdepth 1 -type d | wc -l; }

run synth --people 20000 --seed 14 --years 2021-2022 --out "$work/ext"
check "synth" test "$(rc)" = 0
run source-key init --key "$work/src.key"
for t in $TABLES; do
  run pseudonymize --key "$work/src.key" --schema "$SNDS/schemas/$t.json" --out "$work/$t.csv" "$work/ext/$t.csv"
  check "pseudonymize $t" test "$(rc)" = 0
done
run init --operator opal
for t in $TABLES; do
  run ingest --on-invalid set-null --dataset "$t" --schema "$SNDS/schemas/$t.json" "$work/$t.csv"
  check "ingest $t" test "$(rc)" = 0
done
run user add omar --role operator
run user add rita --role researcher
OMAR=$("$HDHUB" token issue omar 2>/dev/null)
RITA=$("$HDHUB" token issue rita 2>/dev/null)
echo '{"tables": {"IR_BEN_R": ["*"], "ER_PRS_F": ["*"]}}' >"$work/scope.json"
run project create --id left --authorisation CNIL-DR-2026-14 --purpose "Leftovers test" --scope "$work/scope.json" \
  --start 2026-01-01 --end 2099-01-01 --member rita
run project approve left
HDHUB_TOKEN=$OMAR run project approve left
check "approved" out_has "is approved"
run project build left
check "first build" test "$(rc)" = 0
run check
check "a sound hub checks clean" test "$(rc)" = 0
check "... every recorded object verified" out_has "verified: 5 recorded objects, 0 damaged"
check "... nothing to remove" out_has "leftover objects removed: 0"
before=$(host_objects)

# kill -9 once the second build has published an object it has not recorded.
touch "$work/marker"
"$HDHUB" project build left >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 6000); do
  [[ -n $(cd "$HDHUB_HOME/host" && find ./o -type f -newer "$work/marker" -size +1k 2>/dev/null |
    grep -F -x -f <(host_data_files)) ]] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.01
done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
check "the killed build left orphan objects on the host" test "$(host_objects)" -gt "$before"
check "... and its scratch folder in state/tmp" test "$(scratch)" -ge 1
run --json check --dry-run
check "a dry run reports the unfinished build" out_has '"unfinished_discarded":."project left workspace 2"'
check "... and changes nothing" test "$(host_objects)" -gt "$before"
run check
check "check removes what the killed build left" test "$(rc)" = 0
check "... says so" out_has "unfinished: project left workspace 2 discarded"
check "... with the objects it removed" grep -Eq "leftover objects removed: [1-9]" "$work/out"
check "... leaving exactly the recorded objects" test "$(host_objects)" = "$before"
check "no scratch folder of a dead process stays" test "$(scratch)" = 0
run --json audit show --action hub.cleanup
check "the removal of the dead build's folder is audited" out_has "temp_folders_removed"
run --json audit show --action host.check
check "the check is audited with its counts" out_has '"leftovers":'
HDHUB_TOKEN=$RITA run query --project left "SELECT count(*) FROM IR_BEN_R"
check "the ready workspace still serves" test "$(rc)" = 0

# An object nothing in this hub explains (another hub's, on a shared host) is
# reported and kept, and removed only when asked.
mkdir -p "$HDHUB_HOME/host/o/zz" && head -c 200 /dev/urandom >"$HDHUB_HOME/host/o/zz/zz00"
run check
check "an unknown object is reported" out_has "unknown objects (nothing in this hub's records explains them): 1"
check "... and kept" test -f "$HDHUB_HOME/host/o/zz/zz00"
run check --remove-unknown
check "... and removed when asked" test ! -f "$HDHUB_HOME/host/o/zz/zz00"
check "... leaving exactly the recorded objects" test "$(host_objects)" = "$before"

# A deleted or truncated dataset object: DATA_LOSS naming it, for query and check.
object=$("$HDHUB" --json catalog show IR_BEN_R | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["objects"][0]["object_name"])')
cp "$HDHUB_HOME/host/$object" "$work/saved"
for cut in 0 64; do
  head -c "$cut" "$work/saved" >"$HDHUB_HOME/host/$object"
  run query "SELECT count(*) FROM IR_BEN_R"
  check "query on an object cut to $cut bytes: DATA_LOSS" err_has "DATA_LOSS"
  check "... naming the dataset and version" err_has "dataset IR_BEN_R version 1"
  run check
  check "check on an object cut to $cut bytes fails" test "$(rc)" = 3
  check "... naming the dataset and version" out_has "damaged: dataset IR_BEN_R version 1"
done
rm "$HDHUB_HOME/host/$object"
run query "SELECT count(*) FROM IR_BEN_R"
check "query on a deleted object: DATA_LOSS naming it" err_has "DATA_LOSS: dataset IR_BEN_R version 1"
check "... not DuckDB's words" test -z "$(grep -l "No files found" "$work/err")"
cp "$work/saved" "$HDHUB_HOME/host/$object"
run check
check "restored, the hub checks clean again" test "$(rc)" = 0

# A researcher's session shows nothing of the hub machine.
HDHUB_TOKEN=$RITA run --json query --project left \
  "SELECT current_setting('temp_directory'), current_setting('home_directory'), \
     current_setting('extension_directory'), current_setting('secret_directory')"
check "settings readable" test "$(rc)" = 0
check "... without the hub's directory" out_lacks "$work"
check "... without the home directory" out_lacks "$HOME/"
check "... without a /tmp path" out_lacks "/tmp"
# The listing of every setting is refused in a session (a table function);
# were it allowed, it would show nothing of the machine either.
HDHUB_TOKEN=$RITA run --json query --project left "SELECT name, value FROM duckdb_settings()"
check "... without the hub's directory" out_lacks "$work"
check "... without the home directory" out_lacks "$HOME/"
check "... without a /tmp path" out_lacks "/tmp"

finish
