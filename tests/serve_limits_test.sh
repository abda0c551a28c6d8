#!/usr/bin/env bash
# `hdhub serve`'s secure processing environment (issue 10 item 4), end to end
# on a real hub with psql, psycopg and curl:
#   - each project's client networks: a connection from elsewhere (here
#     127.0.0.2, through a relay that connects from it) is refused as a wrong
#     password is and audited; the CLI (local: 127.0.0.1) and the HTTP API
#     are held to them too; a bad CIDR is refused when the project is made;
#   - a client's SET statement_timeout cancels a long statement (57014) and
#     the session goes on;
#   - the request rate per account/address (PG 53400, HTTP 429: an
#     account over its rate while another from the same address is served), the
#     connections per account (53300), and the lockout after failed logins:
#     then even the right token is refused, as a wrong one is, and the
#     lockout is audited (auth.lockout).
# Usage: serve_limits_test.sh <hdhub binary> <shared/snds dir>
set -uo pipefail
source "$(dirname "$0")/cli_test_lib.sh"
start_test_hub "$1" "serve limits passphrase 2026"
SNDS=$2
HERE=$(dirname "$0")

run init --operator olga
check "init" test "$(rc)" = 0
for u in omar:operator stan:steward rita:researcher; do
  run user add "${u%%:*}" --role "${u##*:}"
done
OMAR=$(token_for omar); STAN=$(token_for stan); RITA=$(token_for rita)
run ingest --on-invalid set-null --dataset IR_BEN_R --schema "$SNDS/schemas/IR_BEN_R.json" "$SNDS/synthetic/IR_BEN_R.csv"
check "ingest" test "$(rc)" = 0
echo '{"tables": {"IR_BEN_R": ["BEN_SEX_COD", "BEN_NAI_ANN"]}}' >"$work/scope.json"

# ---- Client networks on the project record ----------------------------------
as "$STAN" project create --id bad --authorisation CNIL-DR-2026-bad --purpose "Bad network" \
  --scope "$work/scope.json" --start "$(day '-1 day')" --end "$(day '+30 days')" --member rita \
  --client-network 10.0.0.0/33
check "a bad CIDR is refused when the project is made" err_has "client-network: bad prefix length in \"10.0.0.0/33\""
check "and no project is made" test "$(rc)" != 0
open_project diab "$work/scope.json" rita  # default: loopback only
run --json project show diab
check "project show: the default is loopback only (127.0.0.0/8, ::1/128)" bash -c "grep -q '127.0.0.0/8' '$work/out' && grep -q '::1/128' '$work/out'"
as "$STAN" project create --id near --authorisation CNIL-DR-2026-near --purpose "Test near" \
  --scope "$work/scope.json" --start "$(day '-1 day')" --end "$(day '+30 days')" --member rita \
  --client-network 127.0.0.1/32 --client-network ::1
run project approve near; as "$OMAR" project approve near; as "$STAN" project build near
check "project near (127.0.0.1/32, ::1) built" test "$(rc)" = 0
run --json project show near
check "project show: its networks, canonical" bash -c "grep -q '\"127.0.0.1/32\"' '$work/out' && grep -q '\"::1/128\"' '$work/out'"
as "$STAN" project create --id far --authorisation CNIL-DR-2026-far --purpose "Test far" \
  --scope "$work/scope.json" --start "$(day '-1 day')" --end "$(day '+30 days')" --member rita \
  --client-network 10.20.0.0/16
run project approve far; as "$OMAR" project approve far; as "$STAN" project build far
check "project far (10.20.0.0/16) built" test "$(rc)" = 0
as "$RITA" query --project diab "SELECT count(*) FROM IR_BEN_R"
check "the CLI (local, 127.0.0.1) may query a loopback project" test "$(rc)" = 0
as "$RITA" query --project far "SELECT count(*) FROM IR_BEN_R"
check "the CLI may not query a project whose networks lack 127.0.0.1" err_has "project far is unknown or not yours"

# ---- The server ---------------------------------------------------------------
make_server_certificate
PORT=$(free_port); HTTP_PORT=$(free_port)
cat >"$work/hdhub.toml" <<TOML
[serve]
listen = ["127.0.0.1:$PORT"]
http_listen = ["127.0.0.1:$HTTP_PORT"]
shutdown_grace = 5
[serve.tls]
certificate = "$work/server.crt"
key = "$work/server.key"
[serve.limits]
max_connections_per_account = 2
max_failed_logins = 3
failed_login_window = 60
lockout = 60
requests_per_second = 1
request_burst = 25
request_burst_per_address = 60
TOML
"$HDHUB" --config "$work/hdhub.toml" serve 2>"$work/serve.log" &
SERVER=$!
/usr/bin/python3 "$HERE/python/source_relay.py" 127.0.0.2 127.0.0.1 "$PORT" >"$work/relay.port" &
RELAY=$!
trap 'kill $SERVER $RELAY 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do grep -q server.listening "$work/serve.log" && test -s "$work/relay.port" && break; sleep 0.1; done
check "hdhub serve listens" grep -q server.listening "$work/serve.log"
RELAY_PORT=$(head -1 "$work/relay.port")

dsn() { echo "host=127.0.0.1 port=$1 dbname=$2 user=${3:-rita} sslmode=verify-full sslrootcert=$work/ca.crt"; }
pq() { PGPASSWORD=$1 psql "$2" -X -A -t -v ON_ERROR_STOP=1 -c "$3" >"$work/out" 2>"$work/err"; echo $? >"$work/rc"; }
pq "$RITA" "$(dsn "$PORT" near)" "SELECT count(*) > 0 FROM IR_BEN_R"
check "from 127.0.0.1: project near answers" test "$(cat "$work/out")" = t
pq "$RITA" "$(dsn "$RELAY_PORT" diab)" "SELECT count(*) > 0 FROM IR_BEN_R"
check "from 127.0.0.2: a loopback project answers (the relay works)" test "$(cat "$work/out")" = t
pq "$RITA" "$(dsn "$RELAY_PORT" near)" "SELECT 1"
check "from 127.0.0.2: project near is refused as a wrong password is" \
  err_has "password authentication failed for user \"rita\""
run --json audit show --action project.access --project near
check "the refusal is audited with the client's address" \
  bash -c "grep -q '\"reason\":\"client-network\"' '$work/out' && grep -q '\"client\":\"127.0.0.2\"' '$work/out'"
curl -sS --cacert "$work/ca.crt" -H "Authorization: Bearer $RITA" -H 'Content-Type: application/json' \
  -d '{"sql": "SELECT 1"}' -o "$work/out" -w '%{http_code}' "https://127.0.0.1:$HTTP_PORT/api/v1/projects/far/queries" \
  >"$work/code" 2>"$work/err"
check "HTTP: a project whose networks lack the client is refused (403)" test "$(cat "$work/code")" = 403
check "HTTP: with the one answer" out_has "unknown or not yours"

# ---- statement_timeout, rate, connections per account --------------------------
PGPASSWORD=$RITA /usr/bin/python3 - "$(dsn "$PORT" diab)" >"$work/out" 2>"$work/err" <<'PY'
import sys, time
import psycopg
dsn = sys.argv[1]
with psycopg.connect(dsn, autocommit=True) as conn:
    conn.execute("SET statement_timeout = '200ms'")
    started = time.monotonic()
    try:
        conn.execute("SELECT count(*) FROM range(1000000000000) t(i) WHERE hash(i) % 7 = 3").fetchone()
        print("statement_timeout: not cancelled")
    except psycopg.Error as e:
        took = time.monotonic() - started
        print(f"statement_timeout: {e.sqlstate} after {took:.1f}s")
        assert e.sqlstate == "57014" and took < 30, (e.sqlstate, took)
    assert conn.execute("SELECT 41 + 1").fetchone()[0] == 42
    print("the session goes on")
    conn.execute("SET statement_timeout = 0")
    # Connections per account: this one and one more, not a third.
    second = psycopg.connect(dsn)
    try:
        psycopg.connect(dsn)
        print("third connection: accepted")
    except psycopg.OperationalError as e:
        print("third connection:", e)
    second.close()
    # The request rate: a burst of 25 statements, then about one a second.
    refused = None
    for i in range(40):
        try:
            conn.execute("SELECT 1").fetchone()
        except psycopg.Error as e:
            refused = e
            break
    print("rate:", refused.sqlstate if refused else "never refused", refused)
    time.sleep(1.5)
    assert conn.execute("SELECT 2").fetchone()[0] == 2
    print("after a pause the session goes on")
PY
check "statement_timeout: cancelled with 57014" out_has "statement_timeout: 57014"
check "statement_timeout: the session goes on" out_has "the session goes on"
check "a third connection of the account is refused" out_has "third connection: .*too many connections for role \"rita\""
check "the request rate: 53400 too many requests" out_has "rate: 53400 too many requests"
check "the request rate: the session goes on after a pause" out_has "after a pause the session goes on"
[[ -s $work/err ]] && cat "$work/err" >&2

code() { curl -sS --cacert "$work/ca.crt" "$@" -o "$work/body" -w '%{http_code}\n' 2>/dev/null; }
# rita's account spent its bucket on the statements above (the address's is deeper).
# The body checked is the 429's own: the bucket may refill between requests, so
# the last answer need not be the refusal.
for _ in 1 2 3; do
  c=$(code -H "Authorization: Bearer $RITA" "https://127.0.0.1:$HTTP_PORT/api/v1/me")
  echo "$c"
  [[ $c == 429 ]] && break
done >"$work/codes"
check "HTTP: the account's request rate gives 429" grep -q '^429$' "$work/codes"
check "HTTP: the account's 429 says so" grep -q 'too many requests from this account' "$work/body"
check "HTTP: another account from the same address is served" \
  test "$(code -H "Authorization: Bearer $OMAR" "https://127.0.0.1:$HTTP_PORT/api/v1/me")" = 200
check "HTTP: the account's refusal is logged" grep -q '"reason":"too_many_requests_for_account"' "$work/serve.log"
for _ in $(seq 1 40); do
  c=$(code "https://127.0.0.1:$HTTP_PORT/api/v1/health")
  echo "$c"
  [[ $c == 429 ]] && break
done >"$work/codes"
check "HTTP: the address's request rate gives 429" grep -q '^429$' "$work/codes"
check "HTTP: 429 is problem+json" grep -q '"title":"Too Many Requests"' "$work/body"
sleep 4  # the address's bucket refills a little

# ---- Lockout (last: it locks rita and 127.0.0.1 out) ----------------------------
check "HTTP: rita's token works" test "$(code -H "Authorization: Bearer $RITA" "https://127.0.0.1:$HTTP_PORT/api/v1/me")" = 200
for _ in 1 2 3; do
  pq "hdh_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" "$(dsn "$PORT" diab)" "SELECT 1"
done
pq "$RITA" "$(dsn "$PORT" diab)" "SELECT 1"
check "locked out: the right token is refused as a wrong one is" \
  err_has "password authentication failed for user \"rita\""
check "HTTP: the locked-out address's right token gets 401" \
  test "$(code -H "Authorization: Bearer $RITA" "https://127.0.0.1:$HTTP_PORT/api/v1/me")" = 401
run --json audit show --action auth.lockout
check "the lockout is audited (account and address)" \
  bash -c "grep -q '\"scope\":\"account\"' '$work/out' && grep -q '\"scope\":\"address\"' '$work/out'"
check "the server logs the lockout" grep -q '"auth.lockout"' "$work/serve.log"

kill -TERM $SERVER
for _ in $(seq 1 100); do kill -0 $SERVER 2>/dev/null || break; sleep 0.1; done
wait $SERVER
check "SIGTERM: the server exits 0" test $? = 0
check "no token in the server's log" bash -c "! grep -q 'hdh_' '$work/serve.log'"
finish
