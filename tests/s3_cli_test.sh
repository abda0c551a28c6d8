#!/usr/bin/env bash
# A hub on an S3 host, through the binary: `hdhub init --host s3://...` on the
# radosgw of the CTest fixture `radosgw` (scripts/rgw-start), an ingest, a
# query over it, the objects sealed on the bucket under the hub's prefix, no
# credential in hub.json or in an error, and a clear error for a wrong secret.
# Then the machine is lost: `hdhub restore` rebuilds the hub from the bucket
# and an escrowed key file (a drill first, a researcher refused), and the
# restored hub verifies its log and answers the query as before.
# Fails (never skips) when radosgw is not running.
# Usage: s3_cli_test.sh <hdhub binary> <shared/snds dir> <radosgw dir of rgw-start>
set -uo pipefail
source "$(dirname "$0")/cli_test_lib.sh"
start_test_hub "$1" "s3 test passphrase 2026"
SNDS=$2
RGW=$3
source_fixture_env "$RGW" "radosgw is not running" "radosgw.start runs scripts/rgw-start"
export HDHUB_S3_ACCESS_KEY_ID HDHUB_S3_SECRET_ACCESS_KEY
prefix=cli-$(python3 -c 'import secrets; print(secrets.token_hex(6))')
host="s3://$HDHUB_S3_BUCKET/$prefix?endpoint=$HDHUB_S3_ENDPOINT&region=$HDHUB_S3_REGION"

# The test radosgw declared as a host the default sovereignty policy accepts
# (docs/hosts.md): the declaration is the operator's, not probed.
day() { date -u -d "$1" +%Y-%m-%d; }
cat >"$work/rgw-host.json" <<JSON
{"name": "rgw-test", "jurisdiction": "FR", "operator": "test radosgw", "owner_jurisdiction": "FR",
 "qualifications": [
   {"scheme": "HDS", "reference": "TEST-HDS", "valid_from": "$(day '-1 day')", "valid_until": "$(day '+1 year')",
    "evidence": "test fixture"},
   {"scheme": "SecNumCloud", "reference": "TEST-SNC", "valid_from": "$(day '-1 day')", "valid_until": "$(day '+1 year')",
    "evidence": "test fixture"}]}
JSON
run init --operator olga --host "$host" --host-file "$work/rgw-host.json"
check "init on s3" test "$(rc)" = 0
check "hub.json names the s3 host" grep -q "s3://$HDHUB_S3_BUCKET/$prefix" "$HDHUB_HOME/hub.json"
check "hub.json holds no credential" bash -c "! grep -q -e '$HDHUB_S3_SECRET_ACCESS_KEY' -e '$HDHUB_S3_ACCESS_KEY_ID' '$HDHUB_HOME/hub.json'"

run ingest --on-invalid set-null --dataset IR_BEN_R --schema "$SNDS/schemas/IR_BEN_R.json" "$SNDS/synthetic/IR_BEN_R.csv"
check "ingest onto s3" test "$(rc)" = 0
rows=$(grep -c . "$SNDS/synthetic/IR_BEN_R.csv")
run --json query "SELECT count(*) AS n FROM IR_BEN_R"
check "query reads the sealed table back from s3" grep -q "\[\[$((rows - 1))\]\]" "$work/out"

# The objects are on the bucket, under the prefix, and none holds the CSV's text.
printf 'user = "%s:%s"\n' "$HDHUB_S3_ACCESS_KEY_ID" "$HDHUB_S3_SECRET_ACCESS_KEY" >"$work/curl-auth"
chmod 0600 "$work/curl-auth"
curl -s -K "$work/curl-auth" --aws-sigv4 "aws:amz:$HDHUB_S3_REGION:s3" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" \
  "$HDHUB_S3_ENDPOINT/$HDHUB_S3_BUCKET?list-type=2&prefix=$prefix%2F" >"$work/listing"
rm -f "$work/curl-auth"
check "the hub's objects are on the bucket under its prefix" grep -q "<Key>$prefix/" "$work/listing"
# The host-blind scan, on S3: no table name, column name or cell value of the
# ingested file in any object's name or bytes.
check "the host sees no plaintext name or value" python3 "$(dirname "$0")/python/s3_host_blind.py" \
  "$HDHUB_S3_ENDPOINT" "$HDHUB_S3_BUCKET" "$prefix" "$HDHUB_S3_REGION" "$SNDS/synthetic/IR_BEN_R.csv"

# A wrong secret: a clear error naming the bucket, never the secret.
HDHUB_S3_SECRET_ACCESS_KEY=wrong-secret-for-the-test run --json query "SELECT 1"
check "wrong secret fails" test "$(rc)" != 0
check "... saying the host refused" err_has "403"
check "... naming the bucket" err_has "s3://$HDHUB_S3_BUCKET"
check "... never the secret" bash -c "! grep -q -e wrong-secret-for-the-test -e '$HDHUB_S3_SECRET_ACCESS_KEY' '$work/err'"
env -u HDHUB_S3_SECRET_ACCESS_KEY "$HDHUB" query "SELECT 1" </dev/null >"$work/out" 2>"$work/err"
check "missing secret names the variable" err_has HDHUB_S3_SECRET_ACCESS_KEY

# Disaster recovery: the hub's own state is backed up, sealed, on the bucket
# as it changes; the machine is lost, the key file was kept in escrow.
run user add rita --role researcher
check "a researcher account" test "$(rc)" = 0
run --json query "SELECT count(*) AS n, count(DISTINCT BEN_SEX_COD) AS sexes, max(BEN_NAI_ANN) AS latest FROM IR_BEN_R"
cp "$work/out" "$work/query-before"
run --json audit verify
check "the log verifies before the loss" test "$(rc)" = 0
cp "$HDHUB_HOME/state/hub.key" "$work/escrow.key"
mv "$HDHUB_HOME" "$work/lost-hub"
check "the hub is gone" test ! -e "$HDHUB_HOME"
run --json restore --verify-only --host "$host" --keys "keyfile:$work/escrow.key"
check "a recovery drill reads and checks the whole backup" test "$(rc)" = 0
check "... through the host's signed checkpoint" python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["verify_only"] and r["log_entries"] >= r["checkpoint_size"] > 5 and r["catalog_bytes"] > 0, r' "$work/out"
check "... and writes no hub" test ! -e "$HDHUB_HOME"
HDHUB_USER=rita HDHUB_PASSWORD="$HDHUB_USER_PASSWORD" run restore --host "$host" --keys "keyfile:$work/escrow.key"
check "a researcher cannot restore the hub" test "$(rc)" = 3
check "... refused by the policy" err_has "hub.restore"
check "... and the rebuilt files are removed" test ! -e "$HDHUB_HOME/hub.json" -a ! -e "$HDHUB_HOME/state"
run --json restore --host "$host" --keys "keyfile:$work/escrow.key"
check "an operator restores the hub from the bucket" test "$(rc)" = 0
check "... whose hub.json names the bucket and the key file copied in" \
  grep -q -e "keyfile:state/hub.key" "$HDHUB_HOME/hub.json"
check "... the key file copied in" cmp -s "$work/escrow.key" "$HDHUB_HOME/state/hub.key"
run --json query "SELECT count(*) AS n, count(DISTINCT BEN_SEX_COD) AS sexes, max(BEN_NAI_ANN) AS latest FROM IR_BEN_R"
check "the restored hub answers the same query with the same result" cmp -s "$work/out" "$work/query-before"
run --json audit verify
check "the restored hub's log verifies against the host" test "$(rc)" = 0
run --json audit show --action hub.restore
check "the restore is logged, by the operator" grep -q '"actor":"olga"' "$work/out"
check "... after the researcher's refused attempt" grep -q '"actor":"rita".*"outcome":"denied"' "$work/out"
run --json restore --host "$host" --keys "keyfile:$work/escrow.key"
check "restore refuses a directory that holds a hub" test "$(rc)" != 0
check "... saying so" err_has "already holds a hub"
finish
