#!/usr/bin/env bash
# A researcher's own tools against `hdhub serve`, end to end on a real hub:
# psql 15, psycopg2 and psycopg 3 connect over TLS (verify-full against the
# hub's certificate) as user = hdhub account, dbname = project, password =
# one of the account's API tokens (SCRAM-SHA-256; never sent), and get the
# same rows as `hdhub query`; psql's \dt and \d list the workspace's tables
# only; a wrong or revoked token, a non-member and a project that does not
# exist all get the same refusal; every statement is in the audit log under
# the account; SIGTERM stops the server cleanly.
# Then every other real client, against the same server (started once):
# pandas read_sql, R (DBI + RPostgreSQL), pgJDBC (DatabaseMetaData as BI
# tools use it) and node-postgres, each checked against `hdhub query`; and the
# differential half: the same clients run the same statements
# (tests/clients/statements.tsv) against a real PostgreSQL 15 (the CTest
# fixture `postgresql`, scripts/pg-start) holding the same rows, and must see
# the same column names, type OIDs, driver types and values. Every accepted
# difference is listed where it is filtered, with its reason.
# Usage: serve_clients_test.sh <hdhub binary> <shared/snds dir> <PostgreSQL cluster dir>
set -uo pipefail
source "$(dirname "$0")/cli_test_lib.sh"
CLIENTS=$(cd "$(dirname "$0")/clients" && pwd)
SCRIPTS=$(cd "$(dirname "$0")/../scripts" && pwd)
start_test_hub "$1" "serve clients passphrase 2026"
SNDS=$2
PG_DIR=$3

run init --operator olga
check "init" test "$(rc)" = 0
for u in omar:operator stan:steward rita:researcher remi:researcher; do
  run user add "${u%%:*}" --role "${u##*:}"
done
OMAR=$(token_for omar); STAN=$(token_for stan); RITA=$(token_for rita); REMI=$(token_for remi)
run ingest --on-invalid set-null --dataset IR_BEN_R --schema "$SNDS/schemas/IR_BEN_R.json" "$SNDS/synthetic/IR_BEN_R.csv"
check "ingest" test "$(rc)" = 0
echo '{"tables": {"IR_BEN_R": ["BEN_SEX_COD", "BEN_NAI_ANN", "BEN_RES_DPT", "BEN_DCD_DTE"]}}' >"$work/scope.json"
open_project diab "$work/scope.json" rita
as "$RITA" --json query --project diab "SELECT count(*) AS n FROM IR_BEN_R WHERE BEN_SEX_COD = 2"
WOMEN=$(/usr/bin/python3 -c "import json; print(json.loads(open('$work/out').readline())['rows'][0][0])")
check "the CLI counts the women" test -n "$WOMEN"

# A certificate authority and the server's certificate for 127.0.0.1.
make_server_certificate
PORT=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
cat >"$work/hdhub.toml" <<TOML
[serve]
listen = ["127.0.0.1:$PORT"]
shutdown_grace = 5
[serve.tls]
certificate = "$work/server.crt"
key = "$work/server.key"
TOML
"$HDHUB" --config "$work/hdhub.toml" serve 2>"$work/serve.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do grep -q server.listening "$work/serve.log" && break; sleep 0.1; done
check "hdhub serve listens" grep -q server.listening "$work/serve.log"

DSN="host=127.0.0.1 port=$PORT dbname=diab user=rita sslmode=verify-full sslrootcert=$work/ca.crt"
pq() { PGPASSWORD=$1 psql "$2" -X -A -t -v ON_ERROR_STOP=1 -c "$3" >"$work/out" 2>"$work/err"; echo $? >"$work/rc"; }
pq "$RITA" "$DSN" "SELECT count(*) FROM IR_BEN_R WHERE BEN_SEX_COD = 2"
check "psql: the same count as hdhub query" test "$(cat "$work/out")" = "$WOMEN"
pq "$RITA" "$DSN channel_binding=require" "SELECT 1"
check "psql: SCRAM-SHA-256-PLUS bound to the certificate" test "$(rc)" = 0
pq "$RITA" "$DSN" '\dt'
check "psql \\dt lists the workspace's table" out_has "IR_BEN_R"
check "psql \\dt lists no hidden table" out_lacks "hdhub_private"
pq "$RITA" "$DSN" '\d "IR_BEN_R"'
check "psql \\d shows a scoped column" out_has "BEN_SEX_COD"
check "psql \\d shows no column outside the scope" out_lacks "BEN_RES_COM"

for who in "wrong token:rita:hdh_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA:diab" \
  "non-member:remi:$REMI:diab" "unknown project:rita:$RITA:nope" "unknown account:nobody:$RITA:diab"; do
  IFS=: read -r what user token db <<<"$who"
  pq "$token" "host=127.0.0.1 port=$PORT dbname=$db user=$user sslmode=verify-full sslrootcert=$work/ca.crt" "SELECT 1"
  check "refused ($what)" err_has "password authentication failed for user \"$user\""
done
pq "$RITA" "host=127.0.0.1 port=$PORT dbname=diab user=rita sslmode=disable" "SELECT 1"
check "refused without TLS" err_has "TLS required"

# Python: psycopg2 (simple protocol, named cursor) and psycopg 3 (extended
# protocol with bound parameters, binary results, COPY).
PGPASSWORD=$RITA /usr/bin/python3 - "$DSN" "$WOMEN" >"$work/out" 2>"$work/err" <<'PY'
import sys
import psycopg
import psycopg2
dsn, women = sys.argv[1], int(sys.argv[2])
conn = psycopg2.connect(dsn)
cur = conn.cursor()
cur.execute('SELECT count(*) FROM "IR_BEN_R" WHERE "BEN_SEX_COD" = %s', (2,))
assert cur.fetchone()[0] == women, "psycopg2 count"
named = conn.cursor(name="births")
named.itersize = 100
named.execute('SELECT "BEN_NAI_ANN" FROM "IR_BEN_R" WHERE "BEN_SEX_COD" = 2')
assert sum(1 for _ in named) == women, "psycopg2 named cursor"
conn.rollback()
conn.close()
with psycopg.connect(dsn) as conn:
    row = conn.execute('SELECT count(*) FROM "IR_BEN_R" WHERE "BEN_SEX_COD" = %s', (2,)).fetchone()
    assert row[0] == women, f"psycopg 3 count {row}"
    with conn.cursor(binary=True) as c:
        c.execute('SELECT count(*)::INTEGER FROM "IR_BEN_R" WHERE "BEN_SEX_COD" = %s', (2,))
        assert c.fetchone()[0] == women, "psycopg 3 binary"
    with conn.cursor() as c:
        with c.copy('COPY (SELECT "BEN_SEX_COD" FROM "IR_BEN_R" WHERE "BEN_SEX_COD" = 2) TO STDOUT') as copy:
            lines = b"".join(bytes(b) for b in copy).splitlines()
        assert len(lines) == women and set(lines) == {b"2"}, "psycopg 3 COPY"
print("python clients ok")
PY
check "psycopg2 and psycopg 3 get the workspace's rows" out_has "python clients ok"
[[ -s $work/err ]] && cat "$work/err" >&2

# ---------------------------------------------------------------------------
# Every other real client, and the differential test against PostgreSQL 15.
# The workspace's rows leave through psql's \copy (the client side of COPY TO
# STDOUT) and go into a real PostgreSQL 15 table declared with the types
# hdhub's workspace has (written out here, not read from our catalog, so a
# wrong catalog type shows as a difference).
pq "$RITA" "$DSN" "\\copy (SELECT * FROM \"IR_BEN_R\") TO '$work/rows.csv' WITH (FORMAT csv)"
check "psql \\copy (SELECT ...) TO file" test "$(rc)" = 0
pq "$RITA" "$DSN" "\\copy (SELECT * FROM hdhub_columns) TO '$work/dictionary.csv' WITH (FORMAT csv)"
check "psql \\copy the data dictionary" test "$(rc)" = 0
as "$RITA" --json query --project diab 'SELECT count(*) AS n FROM IR_BEN_R'
ROWS=$(/usr/bin/python3 -c "import json; print(json.loads(open('$work/out').readline())['rows'][0][0])")
check "psql \\copy wrote every row of the workspace" test "$(wc -l <"$work/rows.csv")" = "$ROWS"

PG_PORT=$("$SCRIPTS/pg-start" "$PG_DIR" 2>/dev/null)
check "PostgreSQL 15 runs (CTest fixture postgresql)" test -n "$PG_PORT"
PG_PASSWORD=$(cat "$PG_DIR/password")
pgq() {  # database, psql arguments...: as postgres on the private cluster
  local db=$1; shift
  PGPASSWORD=$PG_PASSWORD psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$db" "$@"
}
pgq postgres -c 'DROP DATABASE IF EXISTS diab' -c 'CREATE DATABASE diab' >"$work/out" 2>"$work/err"
check "PostgreSQL: database diab created" test $? = 0
pgq diab -c "$(cat "$CLIENTS/workspace.sql")" -c "\\copy \"IR_BEN_R\" FROM '$work/rows.csv' WITH (FORMAT csv)" \
  -c "\\copy hdhub_columns FROM '$work/dictionary.csv' WITH (FORMAT csv)" \
  -c "$(cat "$CLIENTS/workspace_labels.sql")" \
  >"$work/out" 2>"$work/err"
check "PostgreSQL: the workspace's rows loaded" test $? = 0

# Runs a client against one server (hub: hdhub serve as rita over TLS
# verify-full + SCRAM; pg: PostgreSQL 15 as postgres) with the libpq
# environment every client reads; stdout to $work/NAME.TARGET.
run_client() {  # name, hub|pg, command...
  local name=$1 target=$2
  shift 2
  if [[ $target == hub ]]; then
    env TZ=UTC PGHOST=127.0.0.1 PGPORT="$PORT" PGDATABASE=diab PGUSER=rita PGPASSWORD="$RITA" \
      PGSSLMODE=verify-full PGSSLROOTCERT="$work/ca.crt" "$@"
  else
    env TZ=UTC PGHOST=127.0.0.1 PGPORT="$PG_PORT" PGDATABASE=diab PGUSER=postgres PGPASSWORD="$PG_PASSWORD" \
      PGSSLMODE=disable "$@"
  fi >"$work/$name.$target" 2>"$work/$name.$target.err"
  echo $? >"$work/rc"
  [[ $(rc) == 0 ]] || sed "s/^/  $name ($target) stderr: /" "$work/$name.$target.err" | head -20 >&2
}
# Both outputs, less the accepted differences (sed expressions, each with its
# reason beside it where it is passed), must be equal.
same_on_both() {  # name, sed script of accepted differences
  sed -e "${2:-b}" "$work/$1.hub" >"$work/$1.hub.cmp"
  sed -e "${2:-b}" "$work/$1.pg" >"$work/$1.pg.cmp"
  if ! diff -u "$work/$1.pg.cmp" "$work/$1.hub.cmp" >"$work/$1.diff"; then
    sed 's/^/  /' "$work/$1.diff" | head -40 >&2
    return 1
  fi
}
# The values `hdhub query` gives for the shared statements, as "v|v" lines.
expect_rows() {  # sql
  as "$RITA" --json query --project diab "$1"
  /usr/bin/python3 -c "
import json
for line in open('$work/out'):
    for row in json.loads(line).get('rows', []):
        print('|'.join('NULL' if v is None else str(v) for v in row))"
}
GROUP_ROWS=$(expect_rows 'SELECT BEN_RES_DPT, count(*) FROM IR_BEN_R GROUP BY BEN_RES_DPT ORDER BY BEN_RES_DPT')
check "hdhub query groups the rows" test -n "$GROUP_ROWS"
# A client's rows of one statement, without the drivers' type prefixes ("Long=3").
values_of() {  # output file, label: every row of that statement, "v|v" per line
  /usr/bin/python3 - "$1" "$2 row " <<'PY'
import re, sys
for line in open(sys.argv[1]):
    if line.startswith(sys.argv[2]):
        values = line[len(sys.argv[2]):].rstrip().split("|")
        print("|".join(re.sub(r"^[A-Za-z]+=", "", v) for v in values))
PY
}
agrees_with_hdhub_query() {  # output file, label prefix
  test "$(values_of "$1" "$2count")" = "$ROWS" && test "$(values_of "$1" "$2param")" = "$WOMEN" &&
    test "$(values_of "$1" "$2group")" = "$GROUP_ROWS"
}

# psql: the shared statements ($1 written as 2: psql 15 has no \bind), \d, \d+
# (storage, the labels as descriptions) and \dt.
sed 's/\$1/2/' "$CLIENTS/statements.tsv" | cut -f2 | sed 's/$/;/' >"$work/statements.sql"
for target in hub pg; do
  run_client psql "$target" psql -X -v ON_ERROR_STOP=1 -P footer=on -F '|' -A -f "$work/statements.sql" \
    -c '\d "IR_BEN_R"' -c '\d+ "IR_BEN_R"' -c '\dt'
  check "psql ($target): the statements, \\d and \\dt" test "$(rc)" = 0
done
# Accepted: \dt's Owner column names the tables' owner: the connected
# account on hdhub (the workspace is the member's), postgres on PostgreSQL.
check "psql: the same output from hdhub serve and PostgreSQL 15" \
  same_on_both psql 's/^\(public|[^|]*|table|\).*$/\1OWNER/'

# Python: psycopg2, psycopg 3 (named cursors, binary), pandas read_sql.
for target in hub pg; do
  run_client python "$target" /usr/bin/python3 "$CLIENTS/python_client.py" "$CLIENTS/statements.tsv"
  check "psycopg2, psycopg 3, pandas ($target)" grep -q "^python ok" "$work/python.$target"
done
for p in psycopg2. psycopg. psycopg.binary. pandas.sqlalchemy. pandas.psycopg.; do
  check "${p%.} rows equal hdhub query's" agrees_with_hdhub_query "$work/python.hub" "$p"
done
check "psycopg2, psycopg 3, pandas: the same on hdhub serve and PostgreSQL 15" same_on_both python

# R: DBI + RPostgreSQL.
for target in hub pg; do
  run_client r "$target" Rscript "$CLIENTS/r_client.R" "$CLIENTS/statements.tsv"
  check "R DBI/RPostgreSQL ($target)" grep -q "^R ok" "$work/r.$target"
done
check "R: dbListTables lists the workspace's tables only" grep -qx "tables IR_BEN_R hdhub_columns *" "$work/r.hub"
check "R: dbListFields lists the scoped columns" grep -q "^fields .*BEN_SEX_COD" "$work/r.hub"
check "R: rows equal hdhub query's" agrees_with_hdhub_query "$work/r.hub" ""
check "R: the same on hdhub serve and PostgreSQL 15" same_on_both r

# pgJDBC: DatabaseMetaData, PreparedStatement (server-prepared after 5 runs).
for target in hub pg; do
  run_client jdbc "$target" java -cp /usr/share/java/postgresql.jar "$CLIENTS/JdbcClient.java" \
    "$CLIENTS/statements.tsv"
  check "pgJDBC ($target)" grep -q "^jdbc ok" "$work/jdbc.$target"
done
check "pgJDBC: getTables lists the workspace's tables only" \
  test "$(grep '^table ' "$work/jdbc.hub" | paste -sd,)" = "table public.IR_BEN_R TABLE,table public.hdhub_columns TABLE"
check "pgJDBC: getColumns lists the pseudonym and the scoped columns" \
  test "$(grep -c '^column IR_BEN_R\.' "$work/jdbc.hub")" = 5
check "pgJDBC: rows equal hdhub query's" agrees_with_hdhub_query "$work/jdbc.hub" ""
check "pgJDBC: the same on hdhub serve and PostgreSQL 15" same_on_both jdbc

# node-postgres (npm, installed by scripts/bootstrap).
for target in hub pg; do
  run_client node "$target" env NODE_PATH="$CLIENTS/node/node_modules" node "$CLIENTS/node_client.js" \
    "$CLIENTS/statements.tsv"
  check "node-postgres ($target)" grep -q "^node-postgres ok" "$work/node.$target"
done
check "node-postgres: rows equal hdhub query's" agrees_with_hdhub_query "$work/node.hub" ""
check "node-postgres: the same on hdhub serve and PostgreSQL 15" same_on_both node

# The audit log names the account, the project and each statement's outcome.
run --json audit show --action query.run --project diab
check "the server's statements are audited under rita" out_has '"actor":"rita"'

# A revoked token stops at the next connection.
run token revoke "${RITA:4:16}"  # the id inside hdh_<id>_<secret>
pq "$RITA" "$DSN" "SELECT 1"
check "refused (revoked token)" err_has "password authentication failed"

kill -TERM $SERVER
for _ in $(seq 1 100); do kill -0 $SERVER 2>/dev/null || break; sleep 0.1; done
wait $SERVER
check "SIGTERM: the server exits 0" test $? = 0
check "no token in the server's log" bash -c "! grep -q 'hdh_' '$work/serve.log'"
finish
