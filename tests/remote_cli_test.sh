#!/usr/bin/env bash
# The CLI as a client of `hdhub serve` (issue 10, item 5), end to end on a
# real hub and a real server over TLS on 127.0.0.1: with HDHUB_SERVER and an
# account's token, and no passphrase, no hub directory and no password in
# the environment, a researcher's `hdhub query --project` prints exactly what
# the local command prints (text and --json, one statement or several);
# project list/show; an auditor's audit show and prove, the proof checked
# offline by `audit check-inclusion`; and the refusals: a wrong token, another
# project, an untrusted certificate (nothing sent: a listener that would read
# the token in clear gets nothing), http://, no token, a command that runs
# only on the hub machine.
# Usage: remote_cli_test.sh <hdhub binary> <shared/snds dir>
set -uo pipefail
source "$(dirname "$0")/cli_test_lib.sh"
start_test_hub "$1" "remote cli passphrase 2026"
SNDS=$2

run init --operator olga
check "init" test "$(rc)" = 0
for u in omar:operator stan:steward rita:researcher remi:researcher audrey:auditor; do
  run user add "${u%%:*}" --role "${u##*:}"
done
OMAR=$(token_for omar); STAN=$(token_for stan); RITA=$(token_for rita); REMI=$(token_for remi)
AUDREY=$(token_for audrey)
run ingest --on-invalid set-null --dataset IR_BEN_R --schema "$SNDS/schemas/IR_BEN_R.json" "$SNDS/synthetic/IR_BEN_R.csv"
check "ingest" test "$(rc)" = 0
echo '{"tables": {"IR_BEN_R": ["BEN_SEX_COD", "BEN_NAI_ANN"]}}' >"$work/scope.json"
open_project diab "$work/scope.json" rita
open_project other "$work/scope.json" remi

# What the local command prints, to compare with what the remote one prints.
Q1="SELECT BEN_SEX_COD, count(*) AS n, min(BEN_NAI_ANN) AS first, avg(BEN_SEX_COD) AS mean,
    CAST(count(*) / 7 AS DECIMAL(12,2)) AS d FROM IR_BEN_R GROUP BY 1 ORDER BY 1"
Q2="SELECT 'a,b' AS t, NULL AS nothing, true AS yes, DATE '2021-03-04' AS day,
    TIMESTAMP '2021-03-04 05:06:07' AS at; SELECT count(*) AS n FROM IR_BEN_R"
for q in 1 2; do
  var=Q$q
  as "$RITA" query --project diab "${!var}"
  check "local query $q" test "$(rc)" = 0
  cp "$work/out" "$work/local$q.txt"
  as "$RITA" --json query --project diab "${!var}"
  cp "$work/out" "$work/local$q.json"
done

# A certificate authority and the server's certificate for 127.0.0.1.
make_server_certificate
PGPORT=$(free_port); PORT=$(free_port)
cat >"$work/hdhub.toml" <<TOML
[serve]
listen = ["127.0.0.1:$PGPORT"]
http_listen = ["127.0.0.1:$PORT"]
shutdown_grace = 5
[serve.tls]
certificate = "$work/server.crt"
key = "$work/server.key"
TOML
"$HDHUB" --config "$work/hdhub.toml" serve 2>"$work/serve.log" &
SERVER=$!
LISTENER=
trap 'kill $SERVER $LISTENER 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do grep -q server.listening "$work/serve.log" && break; sleep 0.1; done
check "hdhub serve listens" grep -q server.listening "$work/serve.log"

# From here on the CLI has no passphrase, no hub directory, no password:
# only the server's URL, its CA and a token, run from an empty directory.
mkdir "$work/elsewhere"
URL="https://127.0.0.1:$PORT"
remote() {  # token, hdhub arguments...: as `run`, through the server
  local token=$1; shift
  (cd "$work/elsewhere" && env -u HDHUB_PASSPHRASE -u HDHUB_HOME -u HDHUB_USER -u HDHUB_PASSWORD \
    -u HDHUB_SOURCE_PASSPHRASE -u HDHUB_USER_PASSWORD HDHUB_SERVER="$URL" HDHUB_CA_FILE="$work/ca.crt" \
    HDHUB_TOKEN="$token" "$HDHUB" "$@" </dev/null >"$work/out" 2>"$work/err")
  echo $? >"$work/rc"
}

for q in 1 2; do
  var=Q$q
  remote "$RITA" query --project diab "${!var}"
  check "remote query $q: exit 0" test "$(rc)" = 0
  check "remote query $q: the local command's table" cmp -s "$work/out" "$work/local$q.txt"
  cmp -s "$work/out" "$work/local$q.txt" || diff "$work/local$q.txt" "$work/out" | head -20
  remote "$RITA" --json query --project diab "${!var}"
  check "remote query $q --json: the local command's JSON" cmp -s "$work/out" "$work/local$q.json"
  cmp -s "$work/out" "$work/local$q.json" || diff "$work/local$q.json" "$work/out" | head -20
done
(cd "$work/elsewhere" && printf '%s' "$Q1" | env -u HDHUB_PASSPHRASE -u HDHUB_HOME HDHUB_SERVER="$URL" \
  HDHUB_CA_FILE="$work/ca.crt" HDHUB_TOKEN="$RITA" "$HDHUB" query --project diab --file - >"$work/out" 2>"$work/err")
check "remote query --file -: the same rows" cmp -s "$work/out" "$work/local1.txt"
check "no hub directory was made where the CLI ran" test ! -e "$work/elsewhere/hub"

remote "$RITA" project list
check "remote project list: diab" out_has "^diab "
check "remote project list: not the project she is not in" out_lacks "^other "
remote "$RITA" --json project show diab
check "remote project show" out_has '"id": "diab"'
remote "$RITA" whoami
check "remote whoami" out_has "^rita (researcher)"
remote "$OMAR" catalog list
check "remote catalog list (an operator)" out_has "IR_BEN_R"

# An auditor reads the log through the server and checks a proof offline.
remote "$AUDREY" --json audit show --project diab --action query.run
check "remote audit show: rita's queries through the server" out_has '"actor":"rita"'
INDEX=$(/usr/bin/python3 -c "import json; print(json.load(open('$work/out'))[-1]['seq'])")
remote "$AUDREY" audit prove --index "$INDEX"
check "remote audit prove" test "$(rc)" = 0
cp "$work/out" "$work/proof.txt"
remote "$AUDREY" audit checkpoint
check "remote audit checkpoint" test -s "$work/out"
ROOT=$(sed -n 's/^root //p' "$work/proof.txt")
run audit check-inclusion --file "$work/proof.txt"
check "the proof from the server holds (audit check-inclusion)" test "$(rc)" = 0

# Refusals.
remote "hdh_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" query --project diab "SELECT 1"
check "wrong token: exit 3" test "$(rc)" = 3
check "wrong token: unauthenticated" err_has "UNAUTHENTICATED"
remote "$RITA" query --project other "SELECT count(*) FROM IR_BEN_R"
check "another project: exit 3" test "$(rc)" = 3
check "another project: unknown or not yours" err_has "unknown or not yours"
remote "$RITA" query --project diab "SELECT * FROM read_csv('/etc/passwd')"
check "a sandbox escape through the server is refused" test "$(rc)" != 0
remote "" project list
check "no token: exit 3" test "$(rc)" = 3
check "no token: says to set HDHUB_TOKEN" err_has "HDHUB_TOKEN"
(cd "$work/elsewhere" && env -u HDHUB_PASSPHRASE -u HDHUB_CA_FILE HDHUB_SERVER="http://127.0.0.1:$PORT" \
  HDHUB_TOKEN="$RITA" "$HDHUB" project list >"$work/out" 2>"$work/err"; echo $? >"$work/rc")
check "http:// refused: exit 2" test "$(rc)" = 2
check "http:// refused: https only" err_has "https://"
remote "$OMAR" check
check "a command with no route: exit 2" test "$(rc)" = 2
check "a command with no route: runs only on the hub machine" err_has "only on the hub machine"

# An untrusted certificate: the handshake fails and nothing is sent. The
# listener would print whatever it read in clear after a handshake.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
  -keyout "$work/rogue.key" -out "$work/rogue.crt" 2>/dev/null
ROGUE=$(free_port)
/usr/bin/python3 - "$ROGUE" "$work/rogue.crt" "$work/rogue.key" >"$work/rogue.log" 2>&1 <<'PY' &
import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[2], sys.argv[3])
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(1)
print("listening", flush=True)
for _ in range(2):
    c, _ = s.accept()
    try:
        t = ctx.wrap_socket(c, server_side=True)
        t.settimeout(5)
        print("read:", t.recv(65536), flush=True)
    except Exception as e:
        print("handshake failed:", type(e).__name__, flush=True)
    finally:
        c.close()
PY
LISTENER=$!
for _ in $(seq 1 50); do grep -q listening "$work/rogue.log" && break; sleep 0.1; done
URL="https://127.0.0.1:$ROGUE" remote "$RITA" project list
check "untrusted certificate (the test CA): exit 3" test "$(rc)" = 3
check "untrusted certificate: a clear TLS error" err_has "TLS with the server https://127.0.0.1:$ROGUE failed"
(cd "$work/elsewhere" && env -u HDHUB_CA_FILE HDHUB_SERVER="https://127.0.0.1:$ROGUE" HDHUB_TOKEN="$RITA" \
  "$HDHUB" project list >"$work/out" 2>"$work/err"; echo $? >"$work/rc")
check "untrusted certificate (system CAs): exit 3" test "$(rc)" = 3
check "untrusted certificate (system CAs): a clear TLS error" err_has "TLS with the server"
kill $LISTENER 2>/dev/null; wait $LISTENER 2>/dev/null
check "the listener saw two handshakes fail" test "$(grep -c 'handshake failed' "$work/rogue.log")" = 2
check "no token reached the listener" bash -c "! grep -q '${RITA:0:24}' '$work/rogue.log'"

kill -TERM $SERVER
wait $SERVER
check "SIGTERM: the server exits 0" test $? = 0
check "no token in the server's log" bash -c "! grep -q 'hdh_' '$work/serve.log'"
finish
