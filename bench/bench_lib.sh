# Helpers shared by bench/ingest_bench.sh and bench/projects_bench.sh (sourced,
# from the repository root). Not a program of its own. Sourcing it also sets
# the traps that stop the script's PostgreSQL cluster when the script exits,
# on failure and on Ctrl-C too.

BUILD_DIR=${BUILD_DIR:-build}
# bench/run passes copies of the binaries it built (BENCH_HDHUB, BENCH_BIN), so
# that another build in the shared build directory cannot swap them mid-run.
HDHUB=${BENCH_HDHUB:-$PWD/$BUILD_DIR/src/hdhub/cli/hdhub}
BENCH_BIN=${BENCH_BIN:-$PWD/$BUILD_DIR/bench}
SNDS=${SNDS:-$(cd .. && pwd)/shared/snds}
[[ -d $SNDS/schemas ]] || SNDS=/work/shared/snds

# hdhub run from inside the work directory $W: whatever DuckDB might spill to
# its default temp directory (./.tmp) stays there too.
hd() { (cd "$W" && "$HDHUB" "$@"); }

die() { echo "bench: $*" >&2; exit 3; }
note() { echo "  . $*" >&2; }

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
# rate ROWS SECONDS -> rows per second, rounded
rate() { awk -v r="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? r / s : 0) }'; }
# ratio A B -> A / B with two decimals
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "n/a" }'; }
# median of the numbers on stdin
median() { sort -n | awk '{ v[NR] = $1 } END { printf "%.4f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# thousands N -> 12,345,678
thousands() { LC_ALL=C printf "%d" "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/; ta'; }
# field KEY LINE -> the value of KEY=value in a line of key=value pairs
field() { tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p" | head -1; }
manifest_rows() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["files"][sys.argv[2]]["rows"])' "$@"; }
manifest_total() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["total_rows"])' "$1"; }

# Reads the file once so that every side starts from the page cache.
warm() { cat "$@" >/dev/null; }

# PostgreSQL: one private cluster per benchmark, stopped when the script exits.
# Settings of a DBA tuning a 2-core, 24 GiB machine for bulk loads and analytics.
PG_SETTINGS=(shared_buffers=4GB work_mem=512MB maintenance_work_mem=2GB effective_cache_size=16GB
  wal_level=minimal max_wal_senders=0 max_wal_size=32GB checkpoint_timeout=30min random_page_cost=1.1
  max_parallel_workers_per_gather=2 max_parallel_maintenance_workers=2)
PG_DIR=""
PG_PORT=""
pg_start() {  # DIR
  PG_DIR=$1
  PG_PORT=$(scripts/pg-start "$PG_DIR" "${PG_SETTINGS[@]}" 2>/dev/null) || {
    cat "$PG_DIR/server.log" >&2 2>/dev/null
    die "PostgreSQL did not start in $PG_DIR"
  }
}
pg_stop() {
  [[ -n $PG_DIR ]] && scripts/pg-stop "$PG_DIR" 2>/dev/null || true
  PG_DIR=""
}
trap 'pg_stop' EXIT
trap 'exit 130' INT TERM
# psql as the postgres user over the cluster's socket; extra arguments follow.
pg_sql() {
  runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -h "$PG_DIR" -p "$PG_PORT" -d postgres "$@"
}
# Makes a file readable by the server (server-side COPY runs as postgres).
pg_readable() { chgrp postgres "$@" && chmod g+r "$@"; }

machine_line() {
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'); $(date -u '+%Y-%m-%d %H:%M UTC')"
}

# keep_env NAME...: appends NAME=value lines to $W/env (mode 0600), so that a
# work directory kept with --keep can be examined with the same hub, secrets
# and tokens (`set -a; source WORK/projects/env`).
keep_env() {
  local name
  (umask 077 && for name in "$@"; do printf "%s=%q\n" "$name" "${!name}"; done >>"$W/env")
}
