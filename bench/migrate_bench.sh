#!/usr/bin/env bash
# Host migration benchmark (bench/README.md, "Migration"): GIB of sealed-size
# objects moved between two buckets of one private radosgw, by
#   hdhub     `hdhub host migrate` (streamed GET -> PUT, each object hashed on
#             the way against the hub's records, then the switch); and again with
#             --read-back (each copy also read back and hashed), from the new
#             host to a third bucket;
#   rclone    `rclone sync --checksum` (Debian 12's rclone 1.60) between two
#             remotes on the same objects (compares sizes and MD5s; no read-back);
#   raw       the slower of the host's raw read (parallel GETs to /dev/null)
#             and raw write (parallel PUTs of a local file) bandwidth.
# Usage: bench/migrate_bench.sh WORK GIB [OBJECT_MIB] [PARALLEL]
# The radosgw keeps its data on disk (bluestore in a file) when GIB > 1.
# All three reach it over https (its self-signed certificate trusted), as a
# hub reaches a real host; MIGRATE_BENCH_SCHEME=http measures plain http
# (where hdhub has the host hash each copy's body again: docs/hosts.md).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/bench_lib.sh
W=${1:?work directory}/migrate
GIB=${2:?GiB to move}
OBJECT_MIB=${3:-64}
PARALLEL=${4:-4}
rm -rf "$W" && mkdir -p "$W"
objects=$(awk -v g="$GIB" -v m="$OBJECT_MIB" 'BEGIN { n = int(g * 1024 / m + 0.5); print (n < 1 ? 1 : n) }')
bytes=$((objects * OBJECT_MIB * 1024 * 1024))

command -v rclone >/dev/null || {
  note "installing rclone (Debian 12)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends rclone >/dev/null
}

# The host: room for the source, one copy and the raw write test.
store_gib=$(awk -v g="$GIB" 'BEGIN { printf "%d", g * 3 + 3 }')
if awk -v g="$GIB" 'BEGIN { exit !(g > 1) }'; then export HDHUB_RGW_STORE=bluestore; fi
export HDHUB_RGW_STORE_GIB=$store_gib
trap 'scripts/rgw-stop "$W/rgw" >/dev/null 2>&1 || true; pg_stop' EXIT
scripts/rgw-start "$W/rgw" >/dev/null 2>"$W/rgw-start.log" || { cat "$W/rgw-start.log" >&2; die "radosgw did not start"; }
set -a
source "$W/rgw/env"
set +a
s3() { python3 tests/python/s3_tool.py "$@"; }
if [[ ${MIGRATE_BENCH_SCHEME:-https} == https ]]; then
  ENDPOINT=$HDHUB_S3_TLS_ENDPOINT CA_FILE=$HDHUB_S3_CA_FILE URI_CA="&ca_file=$HDHUB_S3_CA_FILE"
else
  ENDPOINT=$HDHUB_S3_ENDPOINT CA_FILE="" URI_CA=""
fi
# radosgw frees deleted objects' space in its garbage collection, hours later
# by default: run it at once after each purge, or the OSD fills up.
rgw_gc() { radosgw-admin -c "$W/rgw/ceph.conf" -n client.admin gc process --include-all >/dev/null 2>&1 || true; }
for b in mig-src mig-dst mig-dst2 mig-rclone mig-raw; do s3 mkbucket "$b"; done
uri() { echo "s3://$1/hub?endpoint=$ENDPOINT&region=$HDHUB_S3_REGION$URI_CA"; }

export HDHUB_HOME=$W/hub HDHUB_PASSPHRASE="migration bench passphrase 2026"
export HDHUB_USER=opal HDHUB_PASSWORD="opal's long enough password"
day() { date -u -d "$1" +%Y-%m-%d; }
cat >"$W/host.json" <<JSON
{"name": "src", "jurisdiction": "FR", "operator": "bench radosgw", "owner_jurisdiction": "FR",
 "qualifications": [
   {"scheme": "HDS", "reference": "B", "valid_from": "$(day '-1 day')", "valid_until": "$(day '+1 year')", "evidence": "bench"},
   {"scheme": "SecNumCloud", "reference": "B", "valid_from": "$(day '-1 day')", "valid_until": "$(day '+1 year')", "evidence": "bench"}]}
JSON
hd init --operator opal --host "$(uri mig-src)" --host-file "$W/host.json" >/dev/null 2>&1 || die "init"
for h in dst dst2; do
  hd host add $h --uri "$(uri mig-$h)" --jurisdiction FR --operator "bench radosgw" --owner-jurisdiction FR \
    --qualification "HDS,B,$(day '-1 day'),$(day '+1 year'),bench" \
    --qualification "SecNumCloud,B,$(day '-1 day'),$(day '+1 year'),bench" >/dev/null 2>&1 || die "host add $h"
done
start=$(now)
(cd "$W" && "$BENCH_BIN/hdhub_migrate_fixture" --hub "$HDHUB_HOME" --objects "$objects" --mib "$OBJECT_MIB") >&2 ||
  die "fixture"
note "fixture: $objects objects of $OBJECT_MIB MiB written in $(since "$start") s"

# rclone: two remotes (server-side copy between them is off by default, so
# rclone streams every byte through itself, as hdhub does).
for r in SRC DST; do
  export RCLONE_CONFIG_${r}_TYPE=s3 RCLONE_CONFIG_${r}_PROVIDER=Ceph RCLONE_CONFIG_${r}_ENDPOINT=$ENDPOINT
  export RCLONE_CONFIG_${r}_ACCESS_KEY_ID=$HDHUB_S3_ACCESS_KEY_ID RCLONE_CONFIG_${r}_REGION=$HDHUB_S3_REGION
  export RCLONE_CONFIG_${r}_SECRET_ACCESS_KEY=$HDHUB_S3_SECRET_ACCESS_KEY
done
# rclone 1.60 fails on AWS_CA_BUNDLE ("unsupported transport"): --ca-cert instead.
rclone() { env -u AWS_CA_BUNDLE rclone ${CA_FILE:+--ca-cert "$CA_FILE"} "$@"; }
# timed FILE COMMAND...: runs it, writes "wall user sys" (seconds, the
# command and its children) to FILE.
timed() {
  local out=$1 TIMEFORMAT='%R %U %S'
  shift
  { time "$@" 2>>"$W/timed.err"; } 2>"$out.t" || { cat "$W/timed.err" >&2; return 1; }
  tail -1 "$out.t" >"$out" && rm -f "$out.t"
}

# Raw bandwidth of each side.
printf 'user = "%s:%s"\n' "$HDHUB_S3_ACCESS_KEY_ID" "$HDHUB_S3_SECRET_ACCESS_KEY" >"$W/curl-auth"
chmod 0600 "$W/curl-auth"
curl_s3() {
  curl -sf ${CA_FILE:+--cacert "$CA_FILE"} -K "$W/curl-auth" --aws-sigv4 "aws:amz:$HDHUB_S3_REGION:s3" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$@"
}
export -f curl_s3
export W ENDPOINT CA_FILE
s3 keys mig-src hub >"$W/keys"
start=$(now)
xargs -P "$PARALLEL" -I{} bash -c 'curl_s3 -o /dev/null "$ENDPOINT/mig-src/{}"' <"$W/keys"
read_s=$(since "$start")
head -c "$((OBJECT_MIB * 1024 * 1024))" /dev/urandom >"$W/object"
start=$(now)
seq 1 "$objects" | xargs -P "$PARALLEL" -I{} bash -c 'curl_s3 -T "$W/object" -o /dev/null "$ENDPOINT/mig-raw/o{}"'
write_s=$(since "$start")
rm -f "$W/object"
rclone purge dst:mig-raw 2>/dev/null || true
rgw_gc

# ROUNDS rounds, each one rclone sync and one hdhub migration of the same
# objects, in alternating order (odd rounds rclone first, even rounds hdhub
# first), so that neither side always meets the host fresh or after the
# other's garbage collection; the medians are compared. The hub moves back
# and forth between mig-src and mig-dst; rclone copies from wherever the
# hub is to mig-rclone, emptied after each round.
ROUNDS=${MIGRATE_BENCH_ROUNDS:-3}
hub_on=src
run_rclone() {
  timed "$W/rclone.$1" rclone sync --checksum --transfers "$PARALLEL" "src:mig-$hub_on/hub" dst:mig-rclone/hub ||
    die "rclone sync"
  rclone purge dst:mig-rclone/hub 2>/dev/null || true
  rgw_gc
}
# hdhub: the whole command (plan not included), switch and audit entry
# included; then the purge of the host it left (not timed).
run_hdhub() {
  local to=dst
  [[ $hub_on == dst ]] && to=src
  timed "$W/hdhub.$1" hd --json host migrate --to "$to" --parallel "$PARALLEL" >"$W/report.$1.json" ||
    die "hdhub host migrate --to $to"
  local copied
  copied=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bytes_copied"])' "$W/report.$1.json")
  [[ $copied == "$bytes" ]] || die "hdhub copied $copied bytes, the fixture wrote $bytes"
  hd host purge >/dev/null 2>"$W/purge.err" || { cat "$W/purge.err" >&2; die "hdhub host purge"; }
  rgw_gc
  hub_on=$to
}
for ((i = 1; i <= ROUNDS; i++)); do
  if ((i % 2)); then run_rclone "$i" && run_hdhub "$i"; else run_hdhub "$i" && run_rclone "$i"; fi
  note "round $i: rclone $(cut -d' ' -f1 "$W/rclone.$i") s, hdhub $(cut -d' ' -f1 "$W/hdhub.$i") s"
done
# col SIDE N -> the median over the rounds of column N of SIDE's timings
col() { for ((i = 1; i <= ROUNDS; i++)); do cut -d' ' -f"$2" "$W/$1.$i"; done | median; }
# cpu SIDE -> the median over the rounds of SIDE's user + sys seconds
cpu() {
  for ((i = 1; i <= ROUNDS; i++)); do awk '{ print $2 + $3 }' "$W/$1.$i"; done | median |
    awk '{ printf "%.1f", $1 }'
}
rclone_s=$(col rclone 1) hdhub_s=$(col hdhub 1)
rclone_cpu=$(cpu rclone) hdhub_cpu=$(cpu hdhub)
# The report's own time: from the plan to the switch, without the process's
# start (opening the hub: the key file's Argon2id, the audit log's checks).
inside_s=$(for ((i = 1; i <= ROUNDS; i++)); do
  python3 -c 'import json,sys; print("%.3f" % json.load(open(sys.argv[1]))["seconds"])' "$W/report.$i.json"
done | median)
# The same objects once more, each copy read back as well, to a third bucket.
start=$(now)
hd --json host migrate --to dst2 --parallel "$PARALLEL" --read-back >"$W/report2.json" 2>"$W/migrate2.err" ||
  { cat "$W/migrate2.err" >&2; die "hdhub host migrate --read-back"; }
readback_s=$(since "$start")
rm -f "$W/curl-auth"

mbps() { awk -v b="$bytes" -v s="$1" 'BEGIN { printf "%.1f", (s > 0 ? b / s / 1e6 : 0) }'; }
slower_s=$(awk -v r="$read_s" -v w="$write_s" 'BEGIN { print (r > w ? r : w) }')
echo
echo "== host migration: $objects objects of $OBJECT_MIB MiB ($(awk -v b="$bytes" 'BEGIN { printf "%.2f", b / 2^30 }') GiB), one radosgw (${HDHUB_RGW_STORE:-memstore}), $PARALLEL at a time, median of $ROUNDS alternating rounds"
printf "%-44s %10s %10s %10s\n" "side" "seconds" "MB/s" "CPU s"
printf "%-44s %10s %10s %10s\n" "hdhub host migrate (hashed, $(echo "$ENDPOINT" | cut -d: -f1))" "$hdhub_s" "$(mbps "$hdhub_s")" "$hdhub_cpu"
printf "%-44s %10s %10s\n" "  of which copy, verify and switch" "$inside_s" "$(mbps "$inside_s")"
printf "%-44s %10s %10s %10s\n" "rclone sync --checksum" "$rclone_s" "$(mbps "$rclone_s")" "$rclone_cpu"
printf "%-44s %10s %10s\n" "hdhub host migrate --read-back (once)" "$readback_s" "$(mbps "$readback_s")"
printf "%-44s %10s %10s\n" "raw read (GET, $PARALLEL streams)" "$read_s" "$(mbps "$read_s")"
printf "%-44s %10s %10s\n" "raw write (PUT, $PARALLEL streams)" "$write_s" "$(mbps "$write_s")"
echo "rounds (rclone / hdhub seconds): $(for ((i = 1; i <= ROUNDS; i++)); do printf '%s/%s ' "$(cut -d' ' -f1 "$W/rclone.$i")" "$(cut -d' ' -f1 "$W/hdhub.$i")"; done)"
echo "hdhub/rclone throughput: $(ratio "$rclone_s" "$hdhub_s")   (goal >= 1: $(awk -v a="$rclone_s" -v b="$hdhub_s" 'BEGIN { print (a >= b ? "met" : "NOT MET") }'))"
echo "hdhub/raw (slower side) throughput: $(ratio "$slower_s" "$hdhub_s")"
