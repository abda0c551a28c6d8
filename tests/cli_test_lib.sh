# Helpers shared by the CLI test scripts (sourced, not run). The caller sets
# HDHUB (the binary) and work (a scratch directory), and ends with `finish`.
passed=0
failed=0

check() {  # description, command...: passes when the command succeeds
  local what=$1; shift
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAILED: $what"
    [[ -s "$work/err" ]] && sed 's/^/  stderr: /' "$work/err"
  fi
  return 0
}
run() {  # runs hdhub with no terminal, keeping stdout, stderr and exit code
  "$HDHUB" "$@" </dev/null >"$work/out" 2>"$work/err"
  echo $? >"$work/rc"
}
rc() { cat "$work/rc"; }
out_has() { grep -q -- "$1" "$work/out"; }
err_has() { grep -q -- "$1" "$work/err"; }
out_lacks() { ! grep -q -- "$1" "$work/out"; }
finish() {
  echo "$passed passed, $failed failed"
  test "$failed" = 0
}

# For a script testing one hub: HDHUB=$1 (the binary), a scratch $work removed
# at exit, the hub in $work/hub opened with passphrase $2, and olga (the first
# operator) acting by password unless a command is run `as TOKEN`.
start_test_hub() {  # binary, hub passphrase [, the first operator's name (default olga)]
  HDHUB=$1
  local operator=${3:-olga}
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  export HDHUB_HOME="$work/hub" HDHUB_PASSPHRASE=$2 HDHUB_SOURCE_PASSPHRASE="source passphrase"
  export HDHUB_USER_PASSWORD="a long enough password"
  unset HDHUB_TOKEN
  export HDHUB_USER=$operator HDHUB_PASSWORD="$operator's long enough password"
}
# Sources DIR/env, written by a CTest fixture's set-up script (radosgw,
# softhsm); fails the test, never skips it, when the fixture did not run.
source_fixture_env() {  # DIR, what is missing, the fixture's set-up test and script
  if [[ ! -f $1/env ]]; then
    echo "FAILED: $1/env is missing: $2 (ctest's fixture $3)"
    exit 1
  fi
  # shellcheck disable=SC1091
  source "$1/env"
}
as() { local token=$1; shift; HDHUB_TOKEN=$token run "$@"; }  # run, as the account of an API token
day() { date -u -d "$1" +%Y-%m-%d; }                           # e.g. day '+10 days'
token_for() { "$HDHUB" token issue "$1" --ttl 1d 2>/dev/null; }  # user -> a day's token

# Project $1 over the scope file $2 with member $3, from yesterday for 30
# days: created by the steward whose token is $STAN, approved by the
# password-acting operator and by the one whose token is $OMAR, then built.
open_project() {  # id, scope file, member
  as "$STAN" project create --id "$1" --authorisation "CNIL-DR-2026-$1" --purpose "Test $1" --scope "$2" \
    --start "$(day '-1 day')" --end "$(day '+30 days')" --member "$3"
  run project approve "$1"
  as "$OMAR" project approve "$1"
  as "$STAN" project build "$1"
  check "project $1 approved and its workspace built" test "$(rc)" = 0
}

# Pseudonymizes (strictly, with the source key $work/src.key) and ingests each
# named table of the synthetic extract in $1, checking both steps. Needs SNDS.
intake_synthetic() {
  local ext=$1 t
  shift
  for t in "$@"; do
    run pseudonymize --key "$work/src.key" --schema "$SNDS/schemas/$t.json" --strict --out "$work/$t.csv" \
      "$ext/$t.csv"
    check "pseudonymize $t" test "$(rc)" = 0
    run ingest --dataset "$t" --schema "$SNDS/schemas/$t.json" "$work/$t.csv"
    check "ingest $t" test "$(rc)" = 0
  done
}

# A certificate authority ($work/ca.crt) and a certificate for 127.0.0.1
# ($work/server.crt, $work/server.key) signed by it, for `hdhub serve`.
# A free TCP port on 127.0.0.1.
free_port() { python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"; }

make_server_certificate() {
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=hdhub test CA" -keyout "$work/ca.key" \
    -out "$work/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$work/server.key" -out "$work/server.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$work/san.ext"
  openssl x509 -req -in "$work/server.csr" -CA "$work/ca.crt" -CAkey "$work/ca.key" -CAcreateserial -days 2 \
    -extfile "$work/san.ext" -out "$work/server.crt" 2>/dev/null
}
# `hdhub serve` on two free ports of 127.0.0.1 ($PGPORT: the PG wire, $PORT:
# HTTP; $SERVE_HTTP_PORT when set), TLS with a self-signed certificate for 127.0.0.1 ($work/cert.pem),
# the lines given added to [serve]; its PID in $SERVER, killed at exit.
start_test_serve() {  # [serve] lines...
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=localhost \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
  PGPORT=$(free_port) PORT=${SERVE_HTTP_PORT:-$(free_port)}
  {
    printf '[serve]\nlisten = ["127.0.0.1:%s"]\nhttp_listen = ["127.0.0.1:%s"]\nshutdown_grace = 5\n' "$PGPORT" "$PORT"
    printf '%s\n' "$@"
    printf '[serve.tls]\ncertificate = "%s"\nkey = "%s"\n' "$work/cert.pem" "$work/key.pem"
  } >"$work/hdhub.toml"
  "$HDHUB" --config "$work/hdhub.toml" serve 2>"$work/serve.log" &
  SERVER=$!
  trap 'kill $SERVER 2>/dev/null; rm -rf "$work"' EXIT
  for _ in $(seq 1 100); do grep -q http.listening "$work/serve.log" && break; sleep 0.1; done
  check "hdhub serve listens for HTTP" grep -q http.listening "$work/serve.log"
}
# A real LemonLDAP::NG (scripts/lemonldap-start, source tree $SOURCE) whose
# relying party is the `hdhub serve` start_test_serve will start on $PORT
# (chosen now); $ISSUER, $CLIENT_ID, the client secret in $work/oidc-secret
# (mode 0600); both stopped by PID at exit. Then `start_test_serve
# "${OIDC_SERVE_LINES[@]}" [more lines]` configures [serve.oidc] for it
# (add `[serve.oidc.roles]` lines after any further [serve.oidc] keys).
start_test_lemonldap() {
  PORT=$(free_port)
  SERVE_HTTP_PORT=$PORT  # start_test_serve's
  LLDIR=$work/lemonldap
  cleanup() {
    [[ -n ${SERVER:-} ]] && kill "$SERVER" 2>/dev/null
    "$SOURCE/scripts/lemonldap-stop" "$LLDIR" >/dev/null 2>&1 || true
    rm -rf "$work"
  }
  trap cleanup EXIT
  "$SOURCE/scripts/lemonldap-start" "$LLDIR" "$(free_port)" "https://127.0.0.1:$PORT/auth/callback" \
    "https://127.0.0.1:$PORT/" >/dev/null 2>"$work/ll.err"
  check "LemonLDAP::NG started" test -f "$LLDIR/client.env"
  ISSUER=$(sed -n 's/^HDHUB_OIDC_ISSUER=//p' "$LLDIR/client.env")
  CLIENT_ID=$(sed -n 's/^HDHUB_OIDC_CLIENT_ID=//p' "$LLDIR/client.env")
  (umask 077 && sed -n 's/^HDHUB_OIDC_CLIENT_SECRET=//p' "$LLDIR/client.env" >"$work/oidc-secret")
  OIDC_SERVE_LINES=("[serve.oidc]" "issuer = \"$ISSUER\"" "client_id = \"$CLIENT_ID\""
    "client_secret_file = \"$work/oidc-secret\"" "redirect_uri = \"https://127.0.0.1:$PORT/auth/callback\""
    "post_logout_redirect_uri = \"https://127.0.0.1:$PORT/\"" "allow_loopback_http = true")
}
# The host's names of the objects of the hub's state backup
# (docs/formats/state-backup.md), which change with every audit checkpoint,
# from the hub's state/backup: one per line, relative to the host's root.
state_backup_names() {
  python3 -c '
import hashlib, json, os, sys
root = hashlib.sha256(b"hdhub-state-root v1").hexdigest()
names = ["o/%s/%s" % (root[:2], root)]
if os.path.exists(sys.argv[1]):
    r = json.load(open(sys.argv[1]))
    names += [r["manifest_object"], r.get("catalog", {}).get("object", "")]
    names += [c["object"] for c in r["chunks"]] + r["pending"] + r["to_delete"]
print("\n".join(n for n in names if n))' "$HDHUB_HOME/state/backup"
}
# The object files of the hub's file host (paths relative to it, "./o/…"),
# sorted, but those of the state backup.
host_data_files() {
  (cd "$HDHUB_HOME/host" && find . -type f | sort) | grep -v -F -x -f <(state_backup_names | sed 's|^|./|')
}

# The airlock's test hub: a synthetic population of $1 people (seed $2)
# pseudonymized and ingested as IR_BEN_R; accounts omar (operator), stan
# (steward), rita and rob (researchers), carl and cleo (checkers), and any
# further NAME:ROLE given; a day's token of each in $OMAR, $STAN, … (the
# name in capitals); project p1 over all of IR_BEN_R with rita its member.
airlock_test_hub() {  # people, seed, [name:role]...
  local people=$1 seed=$2 u name var; shift 2
  run source-key init --key "$work/src.key"
  run synth --people "$people" --seed "$seed" --years 2022 --out "$work/ext"
  run init --operator olga
  check "init" test "$(rc)" = 0
  intake_synthetic "$work/ext" IR_BEN_R
  for u in omar:operator stan:steward rita:researcher rob:researcher carl:checker cleo:checker "$@"; do
    name=${u%%:*} var=${u%%:*}
    var=${var^^}
    run user add "$name" --role "${u##*:}"
    declare -g "$var=$(token_for "$name")"
    check "a token for $name" test -n "${!var}"
  done
  echo '{"tables": {"IR_BEN_R": ["*"]}}' >"$work/scope.json"
  open_project p1 "$work/scope.json" rita
}
