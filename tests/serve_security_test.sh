#!/usr/bin/env bash
# The security tests of `hdhub serve` against ONE real hub and ONE server,
# started once: the sandbox escapes of the CLI tests replayed over the PG wire
# (simple and extended protocol) and the HTTP query route, an expired
# project at login and mid-session, slowloris clients, oversized and
# malformed PG and HTTP messages (serve_security_test.py says each check).
# The refusals of logins (wrong token, unknown account, non-member, no TLS,
# revoked token) are serve_clients_test.sh's; networks and lockout are
# tested with the limits.
# Usage: serve_security_test.sh <hdhub binary> <shared/snds dir>
set -uo pipefail
source "$(dirname "$0")/cli_test_lib.sh"
start_test_hub "$1" "serve security passphrase 2026"
SNDS=$2
in_window() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }

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
open_project other "$work/scope.json" remi
# A project whose window ends in 75 s: open when the tests start, over by
# the end (the CLI tests' way to reach an expired project).
SHORT_END=$(($(date +%s) + 75))
as "$STAN" project create --id short --authorisation CNIL-DR-2026-077 --purpose "Short" --scope "$work/scope.json" \
  --start "$(in_window '-1 day')" --end "$(date -u -d "@$SHORT_END" +%Y-%m-%dT%H:%M:%SZ)" --member rita
run project approve short
as "$OMAR" project approve short
as "$STAN" project build short
check "the short project is built" test "$(rc)" = 0

make_server_certificate
PORT=$(free_port); HTTP_PORT=$(free_port)
cat >"$work/hdhub.toml" <<TOML
[serve]
listen = ["127.0.0.1:$PORT"]
http_listen = ["127.0.0.1:$HTTP_PORT"]
shutdown_grace = 5
auth_timeout = 4
http_header_timeout = 4
max_connections = 200
max_message_bytes = 1048576
http_max_body_bytes = 65536
[serve.tls]
certificate = "$work/server.crt"
key = "$work/server.key"
# Every client here comes from 127.0.0.1: the 50 slow clients and the normal
# one beside them must not hit the per-address cap (serve_limits tests it).
[serve.limits]
max_connections_per_address = 200
TOML
"$HDHUB" --config "$work/hdhub.toml" serve 2>"$work/serve.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do grep -q server.listening "$work/serve.log" && break; sleep 0.1; done
check "hdhub serve listens" grep -q server.listening "$work/serve.log"

cat >"$work/config.json" <<JSON
{"pg_port": $PORT, "http_port": $HTTP_PORT, "ca": "$work/ca.crt", "rita": "$RITA", "remi": "$REMI",
 "hdhub": "$HDHUB", "work": "$work", "hub": "$HDHUB_HOME", "short_end": $SHORT_END,
 "auth_timeout": 4, "http_header_timeout": 4}
JSON
/usr/bin/python3 "$(dirname "$0")/serve_security_test.py" "$work/config.json" 2>"$work/err"
check "the security checks (serve_security_test.py)" test $? = 0

check "the server is still running" kill -0 $SERVER
kill -TERM $SERVER
for _ in $(seq 1 100); do kill -0 $SERVER 2>/dev/null || break; sleep 0.1; done
wait $SERVER
check "SIGTERM: the server exits 0" test $? = 0
check "no token in the server's log" bash -c "! grep -q 'hdh_' '$work/serve.log'"
check "the slow clients are logged as timed out" grep -q 'auth_timeout' "$work/serve.log"
run audit verify
check "the audit log verifies" test "$(rc)" = 0
finish
