#!/usr/bin/env bash
# Projects benchmark (run by bench/run): the workspace build of a project over
# PEOPLE people (one year of care), then three cohort queries on the
# workspace, timed in-process through a researcher's ProjectSession, side by
# side with the same queries in PostgreSQL 15 on the same data.
#   bench/projects_bench.sh WORK_DIR PEOPLE REPS   (BENCH_KEEP=1: keep WORK_DIR/projects)
# Preparation (synth, pseudonymize, ingest, users, project, approvals; the
# PostgreSQL load and indexes) is not timed. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/bench_lib.sh
source bench/serve_bench.sh

[[ $# -eq 3 ]] || { echo "usage: bench/projects_bench.sh WORK_DIR PEOPLE REPS" >&2; exit 2; }
PGBENCH_SECONDS=${PGBENCH_SECONDS:-10}
W=$1/projects
PEOPLE=$2
REPS=$3
YEAR=2023
SCHEMAS=$SNDS/schemas
PERSON_TABLES=(IR_BEN_R ER_PRS_F T_MCOaaC KI_CCI_R)
DETAIL_TABLES=(ER_PHA_F T_MCOaaB T_MCOaaD)
QUERIES=(q1_prevalence q2_stays_after_drug q3_cost_per_person)
rm -rf "$W" && mkdir -p "$W/transfer" "$W/queries" "$W/answers"

echo "== Projects: workspace build and cohort queries, $(thousands "$PEOPLE") people, $YEAR (one run, side by side)"
machine_line

# --- Preparation (not timed) -------------------------------------------------
note "synth: $PEOPLE people, $YEAR"
t=$(now)
hd synth --people "$PEOPLE" --years "$YEAR-$YEAR" --out "$W/src" >/dev/null
synth_s=$(since "$t")
MANIFEST=$W/src/manifest.json
synth_rows=$(manifest_total "$MANIFEST")
rm -f "$W/src/T_MCOaaA.csv"  # not in the project

export HDHUB_SOURCE_PASSPHRASE="bench source passphrase $RANDOM$RANDOM"
hd source-key init --key "$W/source.key" >/dev/null 2>&1
note "pseudonymize: ${PERSON_TABLES[*]} OPTOUT"
pseudo_rows=0
t=$(now)
for table in "${PERSON_TABLES[@]}"; do
  hd pseudonymize --key "$W/source.key" --schema "$SCHEMAS/$table.json" \
    --out "$W/transfer/$table.csv" "$W/src/$table.csv" >/dev/null
  pseudo_rows=$((pseudo_rows + $(manifest_rows "$MANIFEST" "$table")))
  rm -f "$W/src/$table.csv"
done
hd pseudonymize --key "$W/source.key" --opt-out --out "$W/transfer/OPTOUT.csv" "$W/src/OPTOUT.csv" >/dev/null
pseudo_s=$(since "$t")
rm -f "$W/src/OPTOUT.csv"
for table in "${DETAIL_TABLES[@]}"; do mv "$W/src/$table.csv" "$W/transfer/$table.csv"; done
pg_readable "$W"/transfer/*.csv

export HDHUB_HOME=$W/hub HDHUB_PASSPHRASE="bench hub passphrase $RANDOM$RANDOM"
export HDHUB_USER_PASSWORD="bench user password $RANDOM$RANDOM"
# The first operator, olga, acts by her password where no token is given.
export HDHUB_USER=olga HDHUB_PASSWORD="bench operator password $RANDOM$RANDOM"
unset HDHUB_TOKEN
hd init --operator olga >/dev/null
note "ingest: ${PERSON_TABLES[*]} ${DETAIL_TABLES[*]} OPT_OUT"
ingest_rows=0
t=$(now)
for table in "${PERSON_TABLES[@]}" "${DETAIL_TABLES[@]}"; do
  hd ingest --dataset "$table" --schema "$SCHEMAS/$table.json" "$W/transfer/$table.csv" >/dev/null
  ingest_rows=$((ingest_rows + $(manifest_rows "$MANIFEST" "$table")))
done
hd ingest --opt-out "$W/transfer/OPTOUT.csv" >/dev/null
ingest_s=$(since "$t")

for u in omar:operator stan:steward rita:researcher; do
  hd user add "${u%%:*}" --role "${u##*:}" >/dev/null
done
token() { hd token issue "$1" --ttl 1d 2>/dev/null; }
OLGA=$(token olga) OMAR=$(token omar) STAN=$(token stan) RITA=$(token rita)
keep_env HDHUB_HOME HDHUB_PASSPHRASE HDHUB_SOURCE_PASSPHRASE HDHUB_USER HDHUB_PASSWORD OLGA OMAR STAN RITA
scope='{"tables": {'
for table in "${PERSON_TABLES[@]}" "${DETAIL_TABLES[@]}"; do scope+="\"$table\": [\"*\"], "; done
echo "${scope%, }}}" >"$W/scope.json"
HDHUB_TOKEN=$STAN hd project create --id bench --authorisation BENCH-PROJECTS-1 \
  --purpose "Benchmark: workspace build and cohort queries" --scope "$W/scope.json" \
  --start "$(date -u -d '-1 day' +%Y-%m-%dT%H:%M:%SZ)" --end "$(date -u -d '+2 days' +%Y-%m-%dT%H:%M:%SZ)" \
  --member rita >/dev/null
HDHUB_TOKEN=$OLGA hd project approve bench >/dev/null
HDHUB_TOKEN=$OMAR hd project approve bench >/dev/null

# --- hdhub: workspace build --------------------------------------------------------
note "hdhub project build"
t=$(now)
HDHUB_TOKEN=$STAN hd project build bench >"$W/build.out"
build_s=$(since "$t")
# "workspace 1 of bench built: ER_PHA_F 101996 ER_PRS_F 169626 ... rows"
build_rows=$(sed -n 's/.*built: \(.*\) rows$/\1/p' "$W/build.out" | tr ' ' '\n' | awk 'NR % 2 == 0 { s += $1 } END { print s + 0 }')
# The data tables alone (hdhub_columns, the workspace's data dictionary, has no PostgreSQL twin).
build_data_rows=$(sed -n 's/.*built: \(.*\) rows$/\1/p' "$W/build.out" | tr ' ' '\n' |
  awk 'NR % 2 == 1 { t = $1 } NR % 2 == 0 && t !~ /^hdhub_/ { s += $1 } END { print s + 0 }')
((build_rows > 0)) || die "no workspace rows in: $(cat "$W/build.out")"

# --- hdhub: queries ------------------------------------------------------------------
codes=$(python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
print(", ".join(next(c for c in m["conditions"] if c["id"] == "type2_diabetes")["drug_codes"]))' "$MANIFEST")
treated_truth=$(python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
c = next(c for c in m["conditions"] if c["id"] == "type2_diabetes")
print(sum(y["treated_not_opted_out"] for y in c["per_year"].values()))' "$MANIFEST")
# The nine DCIR line keys (PostgreSQL's lower-case names), and on_keys KEYS
# [CAST]: the join of a detail row d to its parent row p. T_MCOaaD's stay keys
# are strings where T_MCOaaC's are integers: compared as text, as the
# workspace build compares every key.
dcir="dct_ord_num, prs_ord_num, flx_emt_ord, flx_emt_num, flx_emt_typ, flx_dis_dtd, flx_trt_dtd, org_cle_num, rem_typ_aff"
on_keys() { tr -d ' ' <<<"$1" | tr ',' '\n' | awk -v c="${2:-}" '{ printf "%sp.%s%s = d.%s%s", (NR > 1 ? " AND " : ""), $1, c, $1, c }'; }
dcir_join=$(on_keys "$dcir")
for q in "${QUERIES[@]}"; do
  for side in duckdb pg; do
    text=bench/queries/$q.$side.sql
    [[ -f $text ]] || text=bench/queries/$q.sql  # one text for both engines
    # The workspace joins a pharmacy detail to its claim line on the one
    # re-keyed DCIR_LINE_KEY it carries; PostgreSQL on the nine DCIR keys,
    # the way the source data come, with a composite index on them.
    join=$dcir_join
    [[ $side == duckdb ]] && join="p.DCIR_LINE_KEY = d.DCIR_LINE_KEY"
    sed -e "s/{DRUG_CODES}/$codes/g" -e "s/{FIRST_YEAR}/$YEAR/g" -e "s/{LAST_YEAR}/$YEAR/g" \
      -e "s/{ICD_CHAPTER}/I/g" -e "s/{DCIR_LINE_JOIN}/$join/g" "$text" >"$W/queries/$q.$side.sql"
  done
done
chmod 755 "$W/queries" && chmod 644 "$W"/queries/*.sql

# The command's start-up, for comparison: `hdhub query --project` of a trivial query.
cli=()
for _ in 1 2 3; do
  t=$(now)
  HDHUB_TOKEN=$RITA hd query --project bench "SELECT 1" >/dev/null
  cli+=("$(since "$t")")
done
cli_s=$(printf "%s\n" "${cli[@]}" | sort -n | sed -n 2p)

note "hdhub queries ($REPS runs each)"
args=()
for q in "${QUERIES[@]}"; do args+=("$q=$W/queries/$q.duckdb.sql"); done
(cd "$W" && HDHUB_TOKEN=$RITA "$BENCH_BIN/hdhub_project_query_bench" --hub "$HDHUB_HOME" --project bench \
  --reps "$REPS" --out "$W/answers" "${args[@]}") >"$W/hdhub_queries.out"
startup=$(grep '^startup ' "$W/hdhub_queries.out")
declare -A hd_s
for q in "${QUERIES[@]}"; do
  line=$(grep "^query name=$q " "$W/hdhub_queries.out")
  hd_s[$q]=$(field median "$line")
  mv "$W/answers/$q.tsv" "$W/answers/$q.hdhub.tsv"
done

# --- PostgreSQL 15: load, index, analyze (not timed) -------------------------------
note "PostgreSQL: load and index"
pg_start "$W/pg"
keep_env PG_DIR PG_PORT
t=$(now)
{
  echo "SET client_min_messages = warning;"
  for table in "${PERSON_TABLES[@]}" "${DETAIL_TABLES[@]}"; do
    lower=${table,,}
    python3 bench/pg_schema.py load-table "${lower}_load" "$SCHEMAS/$table.json" "$W/transfer/$table.csv"
    echo ";"
    echo "COPY ${lower}_load FROM '$W/transfer/$table.csv' (FORMAT csv, HEADER true);"
  done
  echo "CREATE TABLE optout_load (ben_nir_psa text);"
  echo "COPY optout_load FROM '$W/transfer/OPTOUT.csv' (FORMAT csv, HEADER true);"
  # The workspace's rules (docs/formats/projects.md): opted-out people removed
  # from every table, detail rows kept only with their parent row.
  echo "CREATE TABLE opt_out AS SELECT DISTINCT CAST(substr(ben_nir_psa, 1, 32) AS uuid) AS p FROM optout_load WHERE ben_nir_psa <> '';"
  for table in "${PERSON_TABLES[@]}"; do
    lower=${table,,}
    person=$(python3 bench/pg_schema.py pseudonym-column "$SCHEMAS/$table.json")
    echo "CREATE TABLE $lower AS SELECT $(python3 bench/pg_schema.py typed-select "$SCHEMAS/$table.json" "$W/transfer/$table.csv")"
    echo "  FROM ${lower}_load WHERE $person IS NOT NULL"
    echo "  AND NOT EXISTS (SELECT 1 FROM opt_out o WHERE o.p = CAST(substr($person, 1, 32) AS uuid));"
  done
  on_dcir=$(on_keys "$dcir")
  echo "CREATE TABLE er_pha_f AS SELECT $(python3 bench/pg_schema.py typed-select "$SCHEMAS/ER_PHA_F.json" "$W/transfer/ER_PHA_F.csv")"
  echo "  FROM er_pha_f_load d WHERE EXISTS (SELECT 1 FROM er_prs_f p WHERE $on_dcir);"
  for table in T_MCOaaB T_MCOaaD; do
    echo "CREATE TABLE ${table,,} AS SELECT $(python3 bench/pg_schema.py typed-select "$SCHEMAS/$table.json" "$W/transfer/$table.csv")"
    echo "  FROM ${table,,}_load d WHERE EXISTS (SELECT 1 FROM t_mcoaac p WHERE $(on_keys eta_num,rsa_num ::text));"
  done
  for table in "${PERSON_TABLES[@]}" "${DETAIL_TABLES[@]}" optout; do echo "DROP TABLE ${table,,}_load;"; done
  # What a DBA indexes for cohort work: person ids, join keys, dates, codes.
  cat <<EOF
CREATE UNIQUE INDEX ON ir_ben_r (ben_nir_psa);
CREATE INDEX ON er_prs_f (ben_nir_psa, exe_soi_dtd);
CREATE INDEX ON er_prs_f (exe_soi_dtd);
CREATE INDEX ON er_prs_f ($dcir);
CREATE INDEX ON er_pha_f ($dcir);
CREATE INDEX ON er_pha_f (pha_prs_c13);
CREATE UNIQUE INDEX ON t_mcoaac (eta_num, rsa_num);
CREATE INDEX ON t_mcoaac (nir_ano_17, ent_dat);
CREATE INDEX ON t_mcoaac (ent_dat);
CREATE UNIQUE INDEX ON t_mcoaab (eta_num, rsa_num);
CREATE INDEX ON t_mcoaab (dgn_pal text_pattern_ops);
CREATE INDEX ON t_mcoaad (eta_num, rsa_num);
CREATE INDEX ON ki_cci_r (ben_nir_ano);
VACUUM ANALYZE;
EOF
} >"$W/pg_load.sql"
chmod 644 "$W/pg_load.sql"
pg_sql -f "$W/pg_load.sql"
pg_load_s=$(since "$t")
pg_rows=$(pg_sql -At -c "SELECT (SELECT count(*) FROM ir_ben_r) + (SELECT count(*) FROM er_prs_f) + (SELECT count(*) FROM er_pha_f)
  + (SELECT count(*) FROM t_mcoaab) + (SELECT count(*) FROM t_mcoaac) + (SELECT count(*) FROM t_mcoaad) + (SELECT count(*) FROM ki_cci_r)")
pg_gb=$(pg_sql -At -c "SELECT round(pg_database_size('postgres') / 1e9, 2)")
peak_gb=$(du -sk "$W" | awk '{ printf "%.1f", $1 / 1048576 }')  # the largest the work directory gets

# --- PostgreSQL 15: queries -----------------------------------------------------------
note "PostgreSQL queries ($REPS runs each)"
declare -A pg_s
for q in "${QUERIES[@]}"; do
  pg_sql -A -F $'\t' -P footer=off -c "SET work_mem = '512MB'" -f "$W/queries/$q.pg.sql" >"$W/answers/$q.pg.tsv"
  {
    echo "SET work_mem = '512MB';"
    echo "\\timing on"
    for _ in $(seq "$REPS"); do cat "$W/queries/$q.pg.sql"; echo ";"; done
  } >"$W/queries/$q.pg.timed.sql"
  chmod 644 "$W/queries/$q.pg.timed.sql"
  pg_sql -A -P footer=off -f "$W/queries/$q.pg.timed.sql" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' >"$W/$q.pg.times"
  [[ $(wc -l <"$W/$q.pg.times") == "$REPS" ]] || die "PostgreSQL timed $(wc -l <"$W/$q.pg.times") runs of $q, not $REPS"
  pg_s[$q]=$(awk '{ print $1 / 1000 }' "$W/$q.pg.times" | median)
done
trap 'serve_stop; pg_stop' EXIT
serve_bench
pg_stop

# --- hdhub with the data on radosgw (issue 12: the ratio to the local directory) ------
# The hub's host moves to a private radosgw (bluestore in a file, as the
# migration benchmark's), by `hdhub host migrate`; the same queries then run
# on the same workspace, its sealed objects fetched from the S3 host; then a
# new workspace is built there. BENCH_PROJECTS_S3=0 skips this part.
s3_done=0
if [[ ${BENCH_PROJECTS_S3:-1} == 1 ]]; then
  note "hdhub on radosgw: host migrate, queries, build"
  host_gib=$(du -sk "$HDHUB_HOME/host" | awk '{ printf "%d", $1 / 1048576 + 1 }')
  export HDHUB_RGW_STORE=bluestore HDHUB_RGW_STORE_GIB=$((host_gib * 3 + 3))
  trap 'scripts/rgw-stop "$W/rgw" >/dev/null 2>&1 || true; serve_stop; pg_stop' EXIT
  scripts/rgw-start "$W/rgw" >/dev/null 2>"$W/rgw-start.log" || { cat "$W/rgw-start.log" >&2; die "radosgw did not start"; }
  rgw_env=$(set -a && source "$W/rgw/env" && env | grep -E '^(HDHUB_S3_|AWS_)')
  while IFS= read -r line; do export "${line?}"; done <<<"$rgw_env"
  python3 tests/python/s3_tool.py mkbucket projects-bench
  day() { date -u -d "$1" +%Y-%m-%d; }
  HDHUB_TOKEN=$OLGA hd host add rgw --uri "s3://projects-bench/hub?endpoint=$HDHUB_S3_ENDPOINT&region=$HDHUB_S3_REGION" \
    --jurisdiction FR --operator "bench radosgw" --owner-jurisdiction FR \
    --qualification "HDS,B,$(day '-1 day'),$(day '+1 year'),bench" \
    --qualification "SecNumCloud,B,$(day '-1 day'),$(day '+1 year'),bench" >/dev/null
  t=$(now)
  HDHUB_TOKEN=$OLGA hd --json host migrate --to rgw >"$W/migrate.json"
  s3_migrate_s=$(since "$t")
  (cd "$W" && HDHUB_TOKEN=$RITA "$BENCH_BIN/hdhub_project_query_bench" --hub "$HDHUB_HOME" --project bench \
    --reps "$REPS" --out "$W/answers" "${args[@]}") >"$W/hdhub_queries_s3.out"
  s3_startup=$(grep '^startup ' "$W/hdhub_queries_s3.out")
  declare -A s3_s
  for q in "${QUERIES[@]}"; do
    s3_s[$q]=$(field median "$(grep "^query name=$q " "$W/hdhub_queries_s3.out")")
    python3 bench/compare_answers.py "$q" "$W/answers/$q.tsv" "$W/answers/$q.hdhub.tsv" >/dev/null ||
      die "$q answers differently with the data on radosgw (kept in $W/answers)"
  done
  t=$(now)
  HDHUB_TOKEN=$STAN hd project build bench >"$W/build_s3.out"
  s3_build_s=$(since "$t")
  scripts/rgw-stop "$W/rgw" >/dev/null 2>&1 || true
  trap 'serve_stop; pg_stop' EXIT
  s3_done=1
fi

# --- Results ------------------------------------------------------------------------------
echo
printf "side figures (not timed): synth %s rows/s (%s rows); pseudonymize %s rows/s (%s rows, 4 person tables + opt-out);\n" \
  "$(thousands "$(rate "$synth_rows" "$synth_s")")" "$(thousands "$synth_rows")" \
  "$(thousands "$(rate "$pseudo_rows" "$pseudo_s")")" "$(thousands "$pseudo_rows")"
printf "  hdhub ingest of the 7 tables + opt-out %s rows/s (%s rows, %.1f s); PostgreSQL load + indexes + VACUUM ANALYZE %.1f s (%s GB)\n" \
  "$(thousands "$(rate "$ingest_rows" "$ingest_s")")" "$(thousands "$ingest_rows")" "$ingest_s" "$pg_load_s" "$pg_gb"
printf "  work directory at its peak: %s GB\n" "$peak_gb"
printf "start-up, not counted in the query times: in-process Hub::Open %s s, token %s s, ProjectSession::Open %s s;\n" \
  "$(field hub_open "$startup")" "$(field authenticate "$startup")" "$(field session_open "$startup")"
printf "  whole \`hdhub query --project bench \"SELECT 1\"\` command %.2f s (median of 3)\n" "$cli_s"
echo
printf "workspace build (hdhub project build, CLI): %s rows in %.2f s = %s rows/s\n" \
  "$(thousands "$build_rows")" "$build_s" "$(thousands "$(rate "$build_rows" "$build_s")")"
[[ $build_data_rows == "$pg_rows" ]] && same_rows="the data tables hold the same rows as PostgreSQL's" ||
  same_rows="PostgreSQL's tables hold $(thousands "$pg_rows") rows: DIFFERENT"
echo "  ($(sed -n 's/.*built: \(.*\) rows$/\1/p' "$W/build.out"); $same_rows)"
echo
printf "%-44s %12s %12s %16s %8s\n" "query (median of $REPS, warm)" "hdhub s" "PostgreSQL s" "PostgreSQL/hdhub" "goal"
all_met=1
for q in "${QUERIES[@]}"; do
  r=$(ratio "${pg_s[$q]}" "${hd_s[$q]}")
  met=$(awk -v r="$r" 'BEGIN { print (r >= 10) ? "met" : "NOT MET" }')
  [[ $met == met ]] || all_met=0
  printf "%-44s %12.3f %12.3f %16s %8s\n" "$q" "${hd_s[$q]}" "${pg_s[$q]}" "$r" "$met"
done
echo "goal (at least 10x faster than PostgreSQL on each query): $( ((all_met)) && echo met || echo NOT MET)"
if ((s3_done)); then
  echo
  printf "with the data on radosgw (host migrate of %s bytes in %.1f s first): ProjectSession::Open %s s (local %s s)\n" \
    "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bytes_copied"])' "$W/migrate.json")" \
    "$s3_migrate_s" "$(field session_open "$s3_startup")" "$(field session_open "$startup")"
  printf "%-44s %12s %12s %16s\n" "query (median of $REPS, warm)" "local s" "radosgw s" "radosgw/local"
  for q in "${QUERIES[@]}"; do
    printf "%-44s %12.3f %12.3f %16s\n" "$q" "${hd_s[$q]}" "${s3_s[$q]}" "$(ratio "${s3_s[$q]}" "${hd_s[$q]}")"
  done
  printf "%-44s %12.2f %12.2f %16s\n" "workspace build (hdhub project build)" "$build_s" "$s3_build_s" \
    "$(ratio "$s3_build_s" "$build_s")"
  echo "  (same answers on both hosts; radosgw: one local gateway, bluestore in a file, plain HTTP on 127.0.0.1)"
fi
compare_args=()
for q in "${QUERIES[@]}"; do compare_args+=("$q" "$W/answers/$q.hdhub.tsv" "$W/answers/$q.pg.tsv"); done
answers_ok=1
python3 bench/compare_answers.py --q1-treated "$treated_truth" "${compare_args[@]}" || answers_ok=0
((answers_ok)) || die "the answers differ; kept in $W/answers"
serve_report
[[ ${BENCH_KEEP:-0} == 1 ]] || rm -rf "$W"
