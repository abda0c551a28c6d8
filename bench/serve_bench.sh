# hdhub serve beside PostgreSQL 15 (sourced by bench/projects_bench.sh after
# its PostgreSQL queries, while both hold the same data; not a program of its
# own). See bench/README.md, "Serve".
#   serve_bench           starts `hdhub serve` on the benchmark's hub, runs the
#                         three measures below on both sides, prints the table
# It uses projects_bench.sh's W, REPS, QUERIES, RITA, hd_s (in-process
# medians), pg_s (PostgreSQL medians), pg_sql and PG_DIR/PG_PORT.

SERVE_PID=""
serve_stop() {
  [[ -n $SERVE_PID ]] && kill "$SERVE_PID" 2>/dev/null && wait "$SERVE_PID" 2>/dev/null
  SERVE_PID=""
}

# serve_start: a certificate for 127.0.0.1 and `hdhub serve` on a free port
# (sets SERVE_PORT, SERVE_DSN).
serve_start() {
  local d=$W/serve
  mkdir -p "$d"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1" -keyout "$d/server.key" -out "$d/server.crt" 2>/dev/null
  SERVE_PORT=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
  # The limits a platform would set for 32 clients of one account; the
  # query limits as the in-process side's session (2 threads, 2 GB).
  cat >"$d/hdhub.toml" <<TOML
[serve]
listen = ["127.0.0.1:$SERVE_PORT"]
max_connections = 64
worker_threads = 8
[serve.tls]
certificate = "$d/server.crt"
key = "$d/server.key"
[serve.query]
threads = 2
memory = "2GB"
max_rows = 0
max_bytes = 0
[serve.limits]
# pgbench's 32 clients are one account at one address, as fast as they can:
# the per-account and per-address caps and the request rate are off here.
max_connections_per_account = 0
max_connections_per_address = 0
requests_per_second = 0
TOML
  (cd "$W" && exec "$HDHUB" --config "$d/hdhub.toml" serve) 2>"$d/serve.log" &
  SERVE_PID=$!
  for _ in $(seq 1 300); do grep -q server.listening "$d/serve.log" && break; sleep 0.1; done
  grep -q server.listening "$d/serve.log" || die "hdhub serve did not start: $(tail -3 "$d/serve.log")"
  SERVE_DSN="host=127.0.0.1 port=$SERVE_PORT dbname=bench user=rita sslmode=require"
}

# The server's peak resident memory since the last reset, in MB.
serve_peak_mb() { awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$SERVE_PID/status"; }
serve_reset_peak() { echo 5 >"/proc/$SERVE_PID/clear_refs"; }

# psql to hdhub serve as the researcher; extra arguments follow.
serve_sql() { PGPASSWORD=$RITA psql "$SERVE_DSN" -X -q -v ON_ERROR_STOP=1 "$@"; }

# pgbench_run NAME SCRIPT CLIENTS SECONDS CONNINFO [PGPASSWORD]: "tps p99_ms"
pgbench_run() {
  local name=$1 script=$2 clients=$3 seconds=$4 conninfo=$5 password=${6:-}
  local logdir=$W/pgbench/$name.$clients
  rm -rf "$logdir" && mkdir -p "$logdir"
  (cd "$logdir" && PGPASSWORD=$password pgbench -n -f "$script" -c "$clients" -j "$((clients < 2 ? 1 : 2))" \
    -T "$seconds" -l --log-prefix=tx "$conninfo" >"$logdir/out" 2>&1) ||
    die "pgbench $name ($clients clients) failed: $(tail -3 "$logdir/out")"
  local tps p99
  tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$logdir/out" | head -1)
  # Each log line: client, transaction, latency in microseconds, ...
  p99=$(cat "$logdir"/tx.* | awk '{ print $3 }' | sort -n | awk '{ v[NR] = $1 } END { i = int(NR * 0.99); if (i < 1) i = 1; printf "%.2f", v[i] / 1000 }')
  echo "$tps $p99"
}

serve_bench() {
  note "hdhub serve: Q1-Q3 through psql, streaming, pgbench"
  serve_start
  # Q1-Q3 through psql, as pg_s was measured: \timing, REPS runs, the median.
  declare -gA sv_s
  for q in "${QUERIES[@]}"; do
    serve_sql -A -F $'\t' -P footer=off -f "$W/queries/$q.duckdb.sql" >"$W/answers/$q.serve.tsv"
    python3 bench/compare_answers.py "$q" "$W/answers/$q.serve.tsv" "$W/answers/$q.pg.tsv" >/dev/null ||
      die "$q: hdhub serve's answer differs from PostgreSQL's (kept in $W/answers)"
    {
      echo "\\timing on"
      for _ in $(seq "$REPS"); do cat "$W/queries/$q.duckdb.sql"; echo ";"; done
    } >"$W/queries/$q.serve.timed.sql"
    serve_sql -A -P footer=off -f "$W/queries/$q.serve.timed.sql" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' >"$W/$q.serve.times"
    [[ $(wc -l <"$W/$q.serve.times") == "$REPS" ]] || die "hdhub serve timed $(wc -l <"$W/$q.serve.times") runs of $q"
    sv_s[$q]=$(awk '{ print $1 / 1000 }' "$W/$q.serve.times" | median)
  done

  # Streaming: the first STREAM_ROWS claim lines, four columns, through psql
  # (a plain SELECT, psql reading the whole result) and through COPY TO STDOUT.
  local n cols select
  n=$(serve_sql -At -c "SELECT count(*) FROM ER_PRS_F")
  STREAM_ROWS=$((n < 10000000 ? n : 10000000))
  cols="ben_nir_psa, exe_soi_dtd, prs_nat_ref, prs_pai_mnt"
  select="SELECT $cols FROM er_prs_f LIMIT $STREAM_ROWS"
  declare -gA st_s st_mb
  local t
  serve_reset_peak
  t=$(now)
  serve_sql -At -c "$select" | wc -l >"$W/stream.select.rows"
  st_s[select.hdhub]=$(since "$t")
  st_mb[select]=$(serve_peak_mb)
  serve_reset_peak
  t=$(now)
  serve_sql -c "COPY ($select) TO STDOUT" | wc -l >"$W/stream.copy.rows"
  st_s[copy.hdhub]=$(since "$t")
  st_mb[copy]=$(serve_peak_mb)
  [[ $(cat "$W/stream.select.rows") == "$STREAM_ROWS" && $(cat "$W/stream.copy.rows") == "$STREAM_ROWS" ]] ||
    die "hdhub serve streamed $(cat "$W/stream.select.rows") / $(cat "$W/stream.copy.rows") rows, not $STREAM_ROWS"
  t=$(now)
  pg_sql -At -c "$select" | wc -l >/dev/null
  st_s[select.pg]=$(since "$t")
  t=$(now)
  pg_sql -c "COPY ($select) TO STDOUT" | wc -l >/dev/null
  st_s[copy.pg]=$(since "$t")

  # pgbench, read-only custom scripts: a trivial statement and an analytical one.
  mkdir -p "$W/pgbench"
  echo "SELECT 1;" >"$W/pgbench/trivial.sql"
  echo "SELECT ben_sex_cod, count(*) FROM ir_ben_r GROUP BY ben_sex_cod;" >"$W/pgbench/analytical.sql"
  chmod 755 "$W/pgbench" && chmod 644 "$W"/pgbench/*.sql
  local pg_conninfo="host=127.0.0.1 port=$PG_PORT dbname=postgres user=postgres"
  local pg_password
  pg_password=$(cat "$PG_DIR/password")
  declare -gA pb
  for kind in trivial analytical; do
    for c in 1 8 32; do
      pb[$kind.$c.hdhub]=$(pgbench_run "$kind.hdhub" "$W/pgbench/$kind.sql" "$c" "$PGBENCH_SECONDS" "$SERVE_DSN" "$RITA")
      pb[$kind.$c.pg]=$(pgbench_run "$kind.pg" "$W/pgbench/$kind.sql" "$c" "$PGBENCH_SECONDS" "$pg_conninfo" "$pg_password")
    done
  done
  SERVE_PEAK_MB=$(awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$SERVE_PID/status")
  serve_stop
  # The floor under the trivial script: DuckDB alone per statement, and one
  # durable append on the hub's disk (bench/statement_floor.cc).
  declare -gA floor
  local key value floor_out
  floor_out=$("$BENCH_BIN/hdhub_statement_floor_bench" --dir "$W") || die "hdhub_statement_floor_bench failed"
  while IFS='=' read -r key value; do floor[$key]=$value; done <<<"$floor_out"
}

serve_report() {
  echo
  echo "hdhub serve (psql over TLS, SCRAM) beside PostgreSQL 15 (psql over its Unix socket) and in-process:"
  printf "%-24s %10s %10s %12s %12s %10s %10s\n" "query (median of $REPS)" "serve s" "PG s" "PG/serve" "goal >= 10" \
    "serve/in" "goal <= 1.25"
  local all=1 r c met1 met2
  for q in "${QUERIES[@]}"; do
    r=$(ratio "${pg_s[$q]}" "${sv_s[$q]}")
    c=$(ratio "${sv_s[$q]}" "${hd_s[$q]}")
    met1=$(awk -v r="$r" 'BEGIN { print (r >= 10) ? "met" : "NOT MET" }')
    met2=$(awk -v r="$c" 'BEGIN { print (r <= 1.25) ? "met" : "NOT MET" }')
    [[ $met1 == met && $met2 == met ]] || all=0
    printf "%-24s %10.3f %10.3f %12s %12s %10s %12s\n" "$q" "${sv_s[$q]}" "${pg_s[$q]}" "$r" "$met1" "$c" "$met2"
  done
  echo "goal (each query >= 10x PostgreSQL through psql, and within 1.25x of in-process): $( ((all)) && echo met || echo NOT MET)"
  echo
  echo "streaming $(thousands "$STREAM_ROWS") rows (4 columns of ER_PRS_F) to psql:"
  printf "%-26s %14s %14s %10s %16s\n" "" "hdhub rows/s" "PG rows/s" "hdhub/PG" "serve peak RSS"
  local kind hr pr
  for kind in select copy; do
    hr=$(rate "$STREAM_ROWS" "${st_s[$kind.hdhub]}")
    pr=$(rate "$STREAM_ROWS" "${st_s[$kind.pg]}")
    printf "%-26s %14s %14s %10s %13s MB\n" "$([[ $kind == copy ]] && echo "COPY (...) TO STDOUT" || echo "plain SELECT")" \
      "$(thousands "$hr")" "$(thousands "$pr")" "$(ratio "$hr" "$pr")" "${st_mb[$kind]}"
  done
  echo "  goal: rows/s at least PostgreSQL's, the server's memory bounded (peak RSS while streaming, above)"
  echo
  echo "pgbench -n, custom read-only scripts, ${PGBENCH_SECONDS} s each (hdhub over TLS+SCRAM; PostgreSQL over TCP, SCRAM):"
  printf "%-12s %8s %12s %12s %10s %14s %14s\n" "script" "clients" "hdhub tps" "PG tps" "hdhub/PG" "hdhub p99 ms" "PG p99 ms"
  for kind in trivial analytical; do
    for c in 1 8 32; do
      read -r ht hp <<<"${pb[$kind.$c.hdhub]}"
      read -r pt pp <<<"${pb[$kind.$c.pg]}"
      printf "%-12s %8s %12.0f %12.0f %10s %14s %14s\n" "$kind" "$c" "$ht" "$pt" "$(ratio "$ht" "$pt")" "$hp" "$pp"
    done
  done
  echo "  goal: hdhub >= 0.5 x PostgreSQL's rate on the trivial script, ahead (> 1) on the analytical one"
  echo "  the server's peak RSS over the whole serve run: ${SERVE_PEAK_MB} MB"
  echo "  the floor under the trivial script, without TLS, wire, policy or audit log (hdhub_statement_floor_bench):"
  echo "    DuckDB SELECT 1 prepared and run ${floor[duckdb_prepare_execute_us]} us (run prepared ${floor[duckdb_execute_prepared_us]} us)," \
    "one durable append ${floor[durable_append_us]} us:"
  echo "    at most ${floor[one_client_ceiling_tps]} tps for 1 client, ${floor[two_cores_duckdb_only_ceiling_tps]} tps" \
    "on 2 cores busy with DuckDB alone"
}
