#!/usr/bin/env bash
# Host migration through the binary, on the radosgw of the CTest fixture
# `radosgw` (scripts/rgw-start): a hub on its local directory moves to a
# bucket (killed with kill -9 at random points, once inside a multipart
# upload, and resumed until done), then from that bucket to a second one;
# a host that alters or rolls back objects, during and after, is caught; the
# old host is purged only once the new one verifies, listed empty, and a KEK
# rotation follows. Researchers and a host the policy refuses are refused.
# Fails (never skips) when radosgw is not running.
# Usage: host_migrate_cli_test.sh <hdhub binary> <shared/snds dir> <radosgw dir of rgw-start>
set -uo pipefail
source "$(dirname "$0")/cli_test_lib.sh"
start_test_hub "$1" "migration test passphrase 2026"
SNDS=$2
source_fixture_env "$3" "radosgw is not running" "radosgw.start runs scripts/rgw-start"
export HDHUB_S3_ACCESS_KEY_ID HDHUB_S3_SECRET_ACCESS_KEY HDHUB_S3_ENDPOINT HDHUB_S3_REGION
s3() { python3 "$(dirname "$0")/python/s3_tool.py" "$@"; }
id=$(python3 -c 'import secrets; print(secrets.token_hex(4))')
BUCKET_A=$HDHUB_S3_BUCKET PREFIX_A=mig-a-$id
BUCKET_B=hdhub-migrate-$id PREFIX_B=mig-b-$id
s3 mkbucket "$BUCKET_B"
# Every object streams (buffer_mib=0) in 5 MiB parts, and a copy above 5 MiB
# goes in parts too (copy_put_max_mib=5), so the large one is a multipart
# upload while it is copied.
s3uri() { echo "s3://$1/$2?endpoint=$HDHUB_S3_ENDPOINT&region=$HDHUB_S3_REGION&part_size_mib=5&buffer_mib=0&copy_put_max_mib=5"; }
qualified() {  # name, uri: declared as the default policy wants
  run host add "$1" --uri "$2" --jurisdiction FR --operator "test radosgw" --owner-jurisdiction FR \
    --qualification "HDS,TEST-HDS,$(day '-1 day'),$(day '+1 year'),test fixture" \
    --qualification "SecNumCloud,TEST-SNC,$(day '-1 day'),$(day '+1 year'),test fixture"
  check "host $1 declared" test "$(rc)" = 0
}
json_field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))$1)" "$work/out"; }
local_objects() { find "$HDHUB_HOME/host/o" -type f 2>/dev/null | wc -l; }

# A hub with a dataset version large enough for a multipart upload (> 5 MiB)
# and a project's workspace.
run synth --people 9000 --seed 21 --years 2021-2022 --out "$work/ext"
run source-key init --key "$work/src.key"
for t in IR_BEN_R ER_PRS_F; do
  run pseudonymize --key "$work/src.key" --schema "$SNDS/schemas/$t.json" --out "$work/$t.csv" "$work/ext/$t.csv"
  check "pseudonymize $t" test "$(rc)" = 0
done
rm -rf "$work/ext"
run init --operator olga
for t in IR_BEN_R ER_PRS_F; do
  run ingest --on-invalid set-null --dataset "$t" --schema "$SNDS/schemas/$t.json" "$work/$t.csv"
  check "ingest $t" test "$(rc)" = 0
done
run user add omar --role operator
run user add rita --role researcher
OMAR=$(token_for omar)
RITA=$(token_for rita)
echo '{"tables": {"IR_BEN_R": ["*"], "ER_PRS_F": ["*"]}}' >"$work/scope.json"
run project create --id mig --authorisation CNIL-DR-2026-99 --purpose "Migration test" --scope "$work/scope.json" \
  --start "$(day '-1 day')" --end "$(day '+30 days')" --member rita
run project approve mig
as "$OMAR" project approve mig
run project build mig
check "project built" test "$(rc)" = 0
big=$(find "$HDHUB_HOME/host/o" -type f -size +5M | wc -l)
check "one object is larger than a part (5 MiB)" test "$big" -ge 1

# What every host must answer the same: the catalog's and the project's reads.
fingerprint() {
  run --json query "SELECT count(*), sum(hash(t)) FROM ER_PRS_F t"
  cat "$work/out"
  run --json query "SELECT count(*), sum(hash(t)) FROM IR_BEN_R t"
  cat "$work/out"
  as "$RITA" --json query --project mig "SELECT count(*), sum(hash(t)) FROM ER_PRS_F t"
  cat "$work/out"
}
fingerprint >"$work/before"
check "the fingerprint reads every table" test "$(grep -c rows "$work/before")" = 3

qualified rgw-a "$(s3uri "$BUCKET_A" "$PREFIX_A")"
qualified rgw-b "$(s3uri "$BUCKET_B" "$PREFIX_B")"
run host add bare --uri "$(s3uri "$BUCKET_A" "bare-$id")" --jurisdiction FR --operator "bare" --owner-jurisdiction FR

# Refusals: a researcher; a host the sovereignty policy refuses.
as "$RITA" host migrate --to rgw-a --plan
check "a researcher may not migrate" test "$(rc)" != 0
run --json audit show --action host.migrate --actor rita
check "... and the refusal is logged" out_has '"outcome":"denied"'
run host migrate --to bare --plan
check "a host without HDS and SecNumCloud is refused" test "$(rc)" = 3
check "... naming what it fails" err_has "qualification:HDS"
run --json audit show --action host.placement
check "... logged as a placement refusal of the migration" \
  python3 -c "import json,sys; assert any(e['outcome'] == 'denied' and e['details']['operation'] == 'host.migrate.plan' for e in json.load(open(sys.argv[1])))" "$work/out"

# The plan: every live object and the checkpoint; nothing written.
run --json host migrate --to rgw-a --plan
check "plan" test "$(rc)" = 0
objects=$(json_field '["objects"]')
check "the plan counts the live objects and the checkpoint" test "$objects" -ge 5
check "the plan estimates a time" test "$(json_field '["estimate_basis"]' | grep -c "read rate")" = 1
check "the plan wrote nothing" test "$(s3 keys "$BUCKET_A" "$PREFIX_A" | grep -c .)" = 0

# kill -9 inside a multipart upload: the copy paced, killed once radosgw
# holds an upload in progress.
"$HDHUB" host migrate --to rgw-a --parallel 1 --max-bytes-per-second 600kB </dev/null >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 600); do
  [[ $(s3 uploads "$BUCKET_A" "$PREFIX_A") -ge 1 ]] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
check "a kill -9 inside a multipart upload left it unfinished on the host" \
  test "$(s3 uploads "$BUCKET_A" "$PREFIX_A")" -ge 1
check "the journal says a migration is under way" test -f "$HDHUB_HOME/state/host-migration"
check "the hub is still on its directory" grep -q '"host": "file:host"' "$HDHUB_HOME/hub.json"
run query "SELECT count(*) FROM IR_BEN_R"
check "the hub works during the copy phase" test "$(rc)" = 0

# Then killed at random points (copy, switch) and resumed until a run ends
# by itself; the last one, if needed, unpaced.
kills=0 done=0
for _ in $(seq 1 8); do
  "$HDHUB" --json host migrate --to rgw-a --max-bytes-per-second 3MB --report "$work/report.json" \
    </dev/null >"$work/out" 2>"$work/err" &
  pid=$!
  sleep "$(python3 -c 'import random; print(random.uniform(0.2, 2.5))')"
  if kill -9 "$pid" 2>/dev/null; then kills=$((kills + 1)); fi
  if wait "$pid" 2>/dev/null; then done=1 && break; fi
done
((done)) || run --json host migrate --to rgw-a --report "$work/report.json"
check "some runs were killed" test "$kills" -ge 1
check "the migration finishes" test -s "$work/report.json"
report() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))$1)" "$work/report.json"; }
check "... switched" test "$(report '["switched"]')" = True
check "... resuming what the killed runs did" test "$(report '["resumed"]')" = True
check "... every live object verified there" test "$(report '["objects"]')" = "$((objects - 1))"
check "no unfinished upload is left on the new host" test "$(s3 uploads "$BUCKET_A" "$PREFIX_A")" = 0
check "hub.json names the new host" grep -q "s3://$BUCKET_A/$PREFIX_A" "$HDHUB_HOME/hub.json"
check "the journal is gone" test ! -e "$HDHUB_HOME/state/host-migration"
fingerprint >"$work/after-a"
check "the same answers from the new host" cmp -s "$work/before" "$work/after-a"
run audit verify
check "the audit log verifies against the new host's checkpoint" test "$(rc)" = 0
run check
check "every object verifies on the new host" out_has "0 damaged"
run --json audit show --action host.migrate
check "the switch is one audit entry" test "$(grep -o '"switched":true' "$work/out" | wc -l)" = 1
run host list
check "the registry marks the new host as the hub's" out_has "rgw-a \*"
check "the old host keeps its objects until the purge" test "$(local_objects)" -ge 1

# A new host that alters an object after the migration: caught, and the old
# host is then kept.
key=$(s3 keys "$BUCKET_A" "$PREFIX_A" | while read -r k; do
  s3 get "$BUCKET_A" "$k" "$work/obj" && echo "$(stat -c %s "$work/obj") $k"
done | sort -n | tail -1 | cut -d' ' -f2)
s3 get "$BUCKET_A" "$key" "$work/original"
python3 -c "import sys; b=bytearray(open(sys.argv[1],'rb').read()); b[-100]^=1; open(sys.argv[2],'wb').write(b)" \
  "$work/original" "$work/altered"
s3 put "$BUCKET_A" "$key" "$work/altered"
run check
check "an object altered on the new host is caught" err_has "differs from the recorded SHA-256"
run host purge
check "the purge is refused while the new host fails verification" test "$(rc)" = 3
check "... the old host kept" err_has "is kept"
check "... with every object" test "$(local_objects)" -ge 1
s3 put "$BUCKET_A" "$key" "$work/original"
run --json host purge
check "once repaired, the old host is purged" test "$(rc)" = 0
check "... listed empty" test "$(local_objects)" = 0
check "... and a KEK rotation asked for" test "$(json_field '["kek_rotation_requested_by"]')" = olga
as "$OMAR" keys rotate
check "a second operator rotates the KEK" out_has "KEK rotated"
fingerprint >"$work/after-rotation"
check "the same answers after the rotation" cmp -s "$work/before" "$work/after-rotation"

# From bucket A to bucket B, the old host altering an object meanwhile.
s3 put "$BUCKET_A" "$key" "$work/altered"
run host migrate --to rgw-b
check "an object the old host altered is never copied" test "$(rc)" = 3
check "... as data loss" err_has "DATA_LOSS"
check "... named as damaged" err_has "differs from the recorded SHA-256 on the old host"
check "... the hub stays on bucket A" grep -q "s3://$BUCKET_A/$PREFIX_A" "$HDHUB_HOME/hub.json"
s3 keys "$BUCKET_B" "$PREFIX_B" >"$work/keys-b"
check "... and bucket B has no copy of it" test "$(grep -c -- "${key#"$PREFIX_A/"}" "$work/keys-b")" = 0
check "... but has the others" test "$(grep -c . "$work/keys-b")" -ge 3
s3 put "$BUCKET_A" "$key" "$work/original"
run --json host migrate --to rgw-b
check "repaired, the migration to bucket B finishes" test "$(rc)" = 0
check "... copying only what it had not" test "$(json_field '["objects_copied"]')" = 1

# A host that rolls its audit checkpoint back is refused at the next open.
# (The state backup's objects change with every checkpoint too: left aside.)
before_keys=$(s3 keys "$BUCKET_B" "$PREFIX_B" | grep -v -F -x -f <(state_backup_names | sed "s|^|$PREFIX_B/|"))
for k in $before_keys; do s3 get "$BUCKET_B" "$k" "$work/snap-$(basename "$k")"; done
run query "SELECT 1"
for k in $before_keys; do
  s3 get "$BUCKET_B" "$k" "$work/now"
  cmp -s "$work/now" "$work/snap-$(basename "$k")" || { checkpoint=$k; cp "$work/now" "$work/latest"; }
done
check "the checkpoint object is found" test -n "${checkpoint:-}"
s3 put "$BUCKET_B" "$checkpoint" "$work/snap-$(basename "$checkpoint")"
run query "SELECT 1"
check "a rolled-back checkpoint on the new host is refused" test "$(rc)" = 3
check "... as data loss" err_has "DATA_LOSS"
s3 put "$BUCKET_B" "$checkpoint" "$work/latest"
fingerprint >"$work/after-b"
check "the same answers from bucket B" cmp -s "$work/before" "$work/after-b"
run --json host purge
check "bucket A purged" test "$(rc)" = 0
check "... listed empty" test "$(s3 keys "$BUCKET_A" "$PREFIX_A" | grep -c .)" = 0
finish
