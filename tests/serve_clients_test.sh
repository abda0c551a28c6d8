#!/usr/bin/env bash
# A researcher's own tools against `hdhub serve`, end to end on a real hub:
# psql 15, psycopg2 and psycopg 3 connect over TLS (verify-full against the
# hub's certificate) as user = hdhub account, dbname = project, password =
# one of the account's API tokens (SCRAM-SHA-256; never sent), and get the
# same rows as `hdhub query`; psql's \dt and \d list the workspace's tables
# only; a wrong or revoked token, a non-member and a project that does not
# exist all get the same refusal; every statement is in the audit log under
# the account; SIGTERM stops the server cleanly.
# Usage: serve_clients_test.sh <hdhub binary> <shared/snds dir>
set -uo pipefail
source "$(dirname "$0")/cli_test_lib.sh"
start_test_hub "$1" "serve clients passphrase 2026"
SNDS=$2

run init --operator olga
check "init" test "$(rc)" = 0
for u in omar:operator stan:steward rita:researcher remi:researcher; do
  run user add "${u%%:*}" --role "${u##*:}"
done
OMAR=$(token_for omar); STAN=$(token_for stan); RITA=$(token_for rita); REMI=$(token_for remi)
run ingest --on-invalid set-null --dataset IR_BEN_R --schema "$SNDS/schemas/IR_BEN_R.json" "$SNDS/synthetic/IR_BEN_R.csv"
check "ingest" test "$(rc)" = 0
echo '{"tables": {"IR_BEN_R": ["BEN_SEX_COD", "BEN_NAI_ANN"]}}' >"$work/scope.json"
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
check "psql \\d shows no column outside the scope" out_lacks "BEN_RES_DPT"

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
