#!/usr/bin/env bash
# Single sign-on of `hdhub serve` ([serve.oidc], src/hdhub/server/sso.h)
# against a real LemonLDAP::NG 2.16 (scripts/lemonldap-start), with curl and a
# cookie jar as the browser: GET /auth/login, the provider's form posted as
# dwho, the callback, then the session on /api/v1/session and /api/v1/me, a
# POST refused without X-CSRF-Token and accepted with it, rtyler (a group no
# role is mapped to) and msmith (not linked) refused, logout and the old
# cookie refused, the linking commands' unauthorised path, and the logins in
# the audit log. Each component is started once and stopped by PID.
#   tests/sso_lemonldap_test.sh HDHUB_BINARY SOURCE_DIR
set -uo pipefail
[[ $# -eq 2 ]] || { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
SOURCE=$2
source "$(dirname "$0")/cli_test_lib.sh"
start_test_hub "$1" "sso lemonldap passphrase 2026"
LLDIR=$work/lemonldap

run init --operator olga
check "init" test "$(rc)" = 0
run user add doctor --role operator
run user add doctor2 --role researcher
run user grant doctor --role researcher
run user add rob --role researcher
DOCTOR2=$(token_for doctor2)

# The provider, registered with hdhub's callback on a port chosen now.
start_test_lemonldap

# Linking: operators only, audited.
as "$DOCTOR2" user link-oidc doctor2 --issuer "$ISSUER" --subject dwho
check "a researcher may not link an identity" test "$(rc)" != 0
check "the refusal says so" err_has "may not user.oidc_link"
run user link-oidc doctor --issuer "$ISSUER" --subject dwho
check "an operator links dwho to doctor" test "$(rc)" = 0
run user link-oidc doctor2 --issuer "$ISSUER" --subject dwho
check "an identity links to one account only" test "$(rc)" != 0
run user link-oidc rob --issuer "$ISSUER" --subject rtyler
run --json user list-oidc
check "the links are listed" out_has '"doctor","http://auth.localhost:[0-9]*/","dwho"'

# hdhub serve with [serve.oidc]: timelords may be operators and researchers;
# no role is mapped to earthlings.
start_test_serve "${OIDC_SERVE_LINES[@]}" "[serve.oidc.roles]" 'operator = ["timelords"]' \
  'researcher = ["timelords"]'
trap cleanup EXIT  # start_test_serve set its own
BASE="https://127.0.0.1:$PORT"

jar=$work/jar
browse() {  # url, curl arguments...: as the browser of $jar; body in $work/body, head in $work/head
  local url=$1
  shift
  curl -sS --cacert "$work/cert.pem" -c "$jar" -b "$jar" -o "$work/body" -D "$work/head" "$url" "$@" \
    2>"$work/curl.err"
}
status() { head -1 "$work/head" | cut -d' ' -f2; }
location() { grep -i '^location:' "$work/head" | tr -d '\r' | cut -d' ' -f2-; }
session_cookie() { awk '$6 == "__Host-hdhub-session" {print $7}' "$jar"; }

# A browser's whole login as $1 (password = login), a fresh cookie jar; the
# final answer (hdhub's callback) in $work/head.
login_as() {
  rm -f "$jar"
  browse "$BASE/auth/login?return_to=%2Fprojects"
  [[ $(status) == 303 ]] || { echo "login_as: /auth/login answered $(status)"; return 1; }
  local authorize
  authorize=$(location)
  browse "$authorize"
  local form
  form=$(python3 - "$1" "$work/body" <<'PY'
import re, sys, urllib.parse
user, page = sys.argv[1], open(sys.argv[2]).read()
fields = {"user": user, "password": user}
for tag in re.findall(r'<input[^>]*type="hidden"[^>]*>', page):
    name = re.search(r'name="([^"]*)"', tag)
    value = re.search(r'value="([^"]*)"', tag)
    if name:
        fields[name.group(1)] = value.group(1) if value else ""
print(urllib.parse.urlencode(fields))
PY
)
  browse "$authorize" --data "$form"
  local hops=0
  while [[ $(location) == "$ISSUER"* && $hops -lt 5 ]]; do
    browse "$(location)"
    hops=$((hops + 1))
  done
  local callback
  callback=$(location)
  [[ $callback == "$BASE/auth/callback?"* ]] || { echo "login_as: the provider sent us to '${callback%%\?*}'"; return 1; }
  browse "$callback"
}

login_as dwho
check "dwho's callback answers 303" test "$(status)" = 303
check "back to return_to" test "$(location)" = /projects
check "the session cookie is __Host-, Secure, HttpOnly, SameSite=Lax" \
  grep -qi '^set-cookie: __Host-hdhub-session=[A-Za-z0-9_-]\{43\}; Path=/; Secure; HttpOnly; SameSite=Lax' "$work/head"
COOKIE=$(session_cookie)
check "the browser keeps the cookie" test -n "$COOKIE"

browse "$BASE/api/v1/session"
check "GET /api/v1/session with the cookie" test "$(status)" = 200
check "the session is doctor's" grep -q '"user":"doctor"' "$work/body"
check "in the roles the groups grant" grep -q '"roles":\["operator","researcher"\]' "$work/body"
CSRF=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["csrf_token"])' "$work/body")
browse "$BASE/api/v1/me"
check "GET /api/v1/me as doctor" grep -q '"user":"doctor"' "$work/body"

NEW_USER='{"name": "nina", "roles": ["auditor"], "password": "nina long enough password"}'
browse "$BASE/api/v1/users" -H 'Content-Type: application/json' --data "$NEW_USER"
check "a POST without X-CSRF-Token is refused 403" test "$(status)" = 403
browse "$BASE/api/v1/users" -H 'Content-Type: application/json' -H "X-CSRF-Token: $CSRF" \
  -H 'Origin: https://evil.example' --data "$NEW_USER"
check "a POST from another origin is refused 403" test "$(status)" = 403
browse "$BASE/api/v1/users" -H 'Content-Type: application/json' -H "X-CSRF-Token: $CSRF" \
  -H "Origin: $BASE" --data "$NEW_USER"
check "a POST with the CSRF token is accepted" test "$(status)" = 201

# Logout: the provider's end_session URL, and the old cookie refused.
browse "$BASE/auth/logout" -X POST -H "X-CSRF-Token: $CSRF"
check "logout answers 200" test "$(status)" = 200
check "logout sends the browser to the provider with id_token_hint" \
  grep -q "\"redirect\":\"${ISSUER}[^\"]*[?&]id_token_hint=" "$work/body"
curl -sS --cacert "$work/cert.pem" -o "$work/body" -D "$work/head" -H "Cookie: __Host-hdhub-session=$COOKIE" \
  "$BASE/api/v1/me"
check "the old cookie is refused after logout" test "$(status)" = 401

login_as rtyler
check "rtyler (earthlings, no role mapped) is refused" test "$(status)" = 401
check "and gets no session" test -z "$(session_cookie)"
login_as msmith
check "msmith (not linked) is refused" test "$(status)" = 401

# A disabled account's session stops at once; so does an unlinked one's.
login_as dwho
check "dwho logs in again" test "$(status)" = 303
browse "$BASE/api/v1/me"
check "the new session works" test "$(status)" = 200
run user disable doctor
browse "$BASE/api/v1/me"
check "a disabled account's session is refused at once" test "$(status)" = 401
run user enable doctor
login_as dwho
run user unlink-oidc doctor --issuer "$ISSUER"
check "an operator unlinks dwho" test "$(rc)" = 0
browse "$BASE/api/v1/me"
check "an unlinked account's session is refused at once" test "$(status)" = 401

run --json audit show --action auth.login
check "the audit log shows doctor's oidc logins" grep -q '"actor":"doctor".*"method":"oidc"' "$work/out"
check "and the refusals" grep -q '"reason":"no_role_granted"' "$work/out"
check "and the unlinked identity" grep -q '"reason":"unlinked"' "$work/out"
check "no subject in the audit log" out_lacks 'rtyler'
run --json audit show --action auth.logout
check "the logout is logged" out_has '"actor":"doctor"'
check "no cookie in the server's log" bash -c "! grep -q -- '$COOKIE' '$work/serve.log'"

kill "$SERVER" 2>/dev/null
wait "$SERVER" 2>/dev/null
SERVER=
"$SOURCE/scripts/lemonldap-stop" "$LLDIR" >/dev/null 2>&1
check "the provider is stopped" test ! -f "$LLDIR/run/portal.pid"
finish
