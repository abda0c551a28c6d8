#!/usr/bin/env bash
# Ingest benchmark (run by bench/run): N ER_PRS_F rows, from a pseudonymized
# transfer CSV to stored, pseudonymized rows, by hdhub and by three peer
# pipelines doing the same work without it, one after the other in one run.
#   bench/ingest_bench.sh WORK_DIR ROWS      (BENCH_KEEP=1: keep WORK_DIR/ingest)
# Prepares (not timed): hdhub synth, then hdhub pseudonymize of exactly ROWS
# ER_PRS_F rows (their rates are printed as side figures). See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/bench_lib.sh

[[ $# -eq 2 ]] || { echo "usage: bench/ingest_bench.sh WORK_DIR ROWS" >&2; exit 2; }
W=$1/ingest
ROWS=$2
SCHEMA=$SNDS/schemas/ER_PRS_F.json
rm -rf "$W" && mkdir -p "$W"

echo "== Ingest: $(thousands "$ROWS") ER_PRS_F rows, transfer CSV -> validated, pseudonymized, stored (one run, side by side)"
machine_line

# --- Preparation (not timed) -------------------------------------------------
# About 85 ER_PRS_F lines per person over 2019-2023; a few more people than
# needed, then exactly ROWS lines are kept.
people=$((ROWS / 80 + 100))
note "synth: $people people, 2019-2023"
t=$(now)
hd synth --people "$people" --years 2019-2023 --out "$W/src" >/dev/null
synth_s=$(since "$t")
synth_rows=$(manifest_total "$W/src/manifest.json")
available=$(manifest_rows "$W/src/manifest.json" ER_PRS_F)
((available >= ROWS)) || ROWS=$available
head -n $((ROWS + 1)) "$W/src/ER_PRS_F.csv" >"$W/extract.csv"
rm -rf "$W/src"

export HDHUB_SOURCE_PASSPHRASE="bench source passphrase $RANDOM$RANDOM"
hd source-key init --key "$W/source.key" >/dev/null 2>&1
note "pseudonymize: $ROWS rows"
t=$(now)
hd pseudonymize --key "$W/source.key" --schema "$SCHEMA" --out "$W/transfer.csv" "$W/extract.csv" >/dev/null
pseudo_s=$(since "$t")
rm -f "$W/extract.csv"
TRANSFER=$W/transfer.csv
pg_readable "$TRANSFER"
transfer_gb=$(awk -v b="$(stat -c %s "$TRANSFER")" 'BEGIN { printf "%.2f", b / 1e9 }')

# --- hdhub ---------------------------------------------------------------------
export HDHUB_HOME=$W/hub HDHUB_PASSPHRASE="bench hub passphrase $RANDOM$RANDOM"
export HDHUB_USER=olga HDHUB_PASSWORD="bench operator password $RANDOM$RANDOM"
unset HDHUB_TOKEN
hd init --operator olga >/dev/null
keep_env HDHUB_HOME HDHUB_PASSPHRASE HDHUB_SOURCE_PASSPHRASE HDHUB_USER HDHUB_PASSWORD
# The command's own start-up (Argon2id on the passphrase, audit log): a side figure.
t=$(now)
hd catalog list >/dev/null
startup_s=$(since "$t")
warm "$TRANSFER"
note "hdhub ingest"
t=$(now)
hd ingest --dataset ER_PRS_F --schema "$SCHEMA" "$TRANSFER" >"$W/hdhub.out"
hdhub_s=$(since "$t")
stored=$(grep -o '[0-9]* rows sealed' "$W/hdhub.out" | grep -o '^[0-9]*')
[[ $stored == "$ROWS" ]] || die "hdhub stored $stored rows of $ROWS"
sealed_mb=$(du -sm "$W/hub/host" | cut -f1)

# --- (a) DuckDB alone ------------------------------------------------------------
warm "$TRANSFER"
note "peer (a): DuckDB"
# The same codec as hdhub (zstd): the same work, the same output size.
duck=$(cd "$W" && "$BENCH_BIN/hdhub_duckdb_ingest_peer" --csv "$TRANSFER" --out "$W/duckdb.parquet" --threads 2 --codec zstd)
duck_s=$(field seconds "$duck")
[[ $(field rows "$duck") == "$ROWS" ]] || die "DuckDB wrote $(field rows "$duck") rows of $ROWS"
duck_mb=$(du -sm "$W/duckdb.parquet" | cut -f1)
rm -f "$W/duckdb.parquet"

# --- (b) Python ------------------------------------------------------------------
warm "$TRANSFER"
note "peer (b): Python"
py=$(/usr/bin/python3 bench/python_ingest_peer.py "$TRANSFER" "$W/python.csv")
py_s=$(field seconds "$py")
[[ $(field rows "$py") == "$ROWS" ]] || die "Python wrote $(field rows "$py") rows of $ROWS"
rm -f "$W/python.csv"

# --- (c) PostgreSQL 15 + pgcrypto --------------------------------------------------
note "peer (c): PostgreSQL"
pg_start "$W/pg"
secret=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
{
  echo "CREATE EXTENSION IF NOT EXISTS pgcrypto;"
  echo "BEGIN;"
  python3 bench/pg_schema.py load-table er_prs_f_load "$SCHEMA" "$TRANSFER"
  echo ";"
  echo "SELECT 'mark', extract(epoch FROM clock_timestamp());"
  echo "COPY er_prs_f_load FROM '$TRANSFER' (FORMAT csv, HEADER true);"
  echo "SELECT 'mark', extract(epoch FROM clock_timestamp());"
  echo "CREATE TABLE er_prs_f AS SELECT $(python3 bench/pg_schema.py hmac-select "$SCHEMA" "$TRANSFER" BEN_NIR_PSA "$secret") FROM er_prs_f_load;"
  echo "COMMIT;"
  echo "SELECT 'mark', extract(epoch FROM clock_timestamp());"
  echo "SELECT 'rows', count(*) FROM er_prs_f;"
} >"$W/pg.sql"
chmod 644 "$W/pg.sql"
warm "$TRANSFER"
pg_sql -At -F ' ' -f "$W/pg.sql" >"$W/pg.out"
read -r copy_s hmac_s < <(awk '$1 == "mark" { m[++n] = $2 } END { printf "%.3f %.3f\n", m[2] - m[1], m[3] - m[2] }' "$W/pg.out")
pg_rows=$(awk '$1 == "rows" { print $2 }' "$W/pg.out")
[[ $pg_rows == "$ROWS" ]] || die "PostgreSQL stored $pg_rows rows of $ROWS"
pg_s=$(awk -v a="$copy_s" -v b="$hmac_s" 'BEGIN { printf "%.3f", a + b }')
pg_mb=$(pg_sql -At -c "SELECT (pg_total_relation_size('er_prs_f') + pg_total_relation_size('er_prs_f_load')) / 1000000")
pg_stop

# --- Results -----------------------------------------------------------------------
echo
printf "side figures (not timed): synth %s rows/s (%s rows, all tables); pseudonymize %s rows/s (%s rows, %s GB transfer CSV)\n" \
  "$(thousands "$(rate "$synth_rows" "$synth_s")")" "$(thousands "$synth_rows")" \
  "$(thousands "$(rate "$ROWS" "$pseudo_s")")" "$(thousands "$ROWS")" "$transfer_gb"
printf "hdhub command start-up (passphrase KDF, audit log; included in its time below): %.2f s\n" "$startup_s"
echo
printf "%-58s %9s %12s %14s %9s\n" "pipeline" "seconds" "rows/s" "peer/hdhub" "output MB"
row() { printf "%-58s %9.2f %12s %14s %9s\n" "$1" "$2" "$(thousands "$(rate "$ROWS" "$2")")" "$3" "$4"; }
row "hdhub ingest (validate, P2 HMAC, sealed zstd Parquet)" "$hdhub_s" "1.00" "$sealed_mb"
row "(a) DuckDB alone: read_csv, sha256 -> zstd Parquet, 2 thr." "$duck_s" "$(ratio "$duck_s" "$hdhub_s")" "$duck_mb"
row "(b) Python csv + hmac -> CSV, 1 process" "$py_s" "$(ratio "$py_s" "$hdhub_s")" "-"
row "(c) PostgreSQL 15: COPY + CREATE TABLE AS pgcrypto hmac" "$pg_s" "$(ratio "$pg_s" "$hdhub_s")" "$pg_mb"
printf "    (c) split: COPY %.2f s, hmac table %.2f s\n" "$copy_s" "$hmac_s"
echo
hdhub_rate=$(rate "$ROWS" "$hdhub_s")
verdict() { if [[ $1 == 1 ]]; then echo "met"; else echo "NOT MET"; fi; }
printf "goal hdhub >= 1,000,000 rows/s: %s (%s rows/s)\n" \
  "$(verdict "$(awk -v r="$hdhub_rate" 'BEGIN { print (r >= 1000000) }')")" "$(thousands "$hdhub_rate")"
printf "goal far ahead of (b) and (c): %s (%sx, %sx)\n" \
  "$(verdict "$(awk -v b="$py_s" -v c="$pg_s" -v h="$hdhub_s" 'BEGIN { print (b >= 3 * h && c >= 3 * h) }')")" \
  "$(ratio "$py_s" "$hdhub_s")" "$(ratio "$pg_s" "$hdhub_s")"
printf "goal no slower than (a): %s (hdhub takes %sx the time of DuckDB alone)\n" \
  "$(verdict "$(awk -v a="$duck_s" -v h="$hdhub_s" 'BEGIN { print (h <= a) }')")" "$(ratio "$hdhub_s" "$duck_s")"
[[ ${BENCH_KEEP:-0} == 1 ]] || rm -rf "$W"
