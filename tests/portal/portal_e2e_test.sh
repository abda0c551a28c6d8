#!/usr/bin/env bash
# The portal end to end (issue 11): a hub with an approved project whose
# request was released through the airlock, and a draft; `hdhub serve` with
# [serve] portal_dir on 127.0.0.1 with a self-signed certificate; then an
# anonymous visitor in Debian's headless Chromium (register_e2e.mjs): the
# register shows the project and its release and not the draft, French
# labels after the switch, no serious or critical axe-core violation, the
# CSP header; then the signed-in pages (signed_in_e2e.mjs): the researcher
# rita's project p1 (dictionary, SQL console, connection) and the operators
# olga and omar approving the draft p2; screenshots in
# <build dir>/portal-screenshots. The portal must
# be built (portal/dist) and tests/portal's packages installed: both are
# scripts/bootstrap's; the test fails, never skips, without them.
# Usage: portal_e2e_test.sh <hdhub binary> <shared/snds dir> <source dir> <build dir>
set -uo pipefail
source "$(dirname "$0")/../cli_test_lib.sh"
start_test_hub "$1" "portal e2e passphrase 2026"
SNDS=$2 SOURCE=$3 BUILD=$4
field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))$1)" "$work/out" 2>/dev/null; }

for needed in "$SOURCE/portal/dist/index.html" "$SOURCE/tests/portal/node_modules/playwright-core" \
  "$SOURCE/tests/portal/node_modules/axe-core" "$SOURCE/portal/node_modules/.bin/esbuild" /usr/bin/chromium; do
  if [[ ! -e $needed ]]; then
    echo "FAILED: $needed is missing: run scripts/bootstrap"
    exit 1
  fi
done

airlock_test_hub 300 11
as "$STAN" project create --id p2 --authorisation "CNIL-DR-2026-DRAFT" --purpose "A draft nobody approved" \
  --scope "$work/scope.json" --start "$(day '-1 day')" --end "$(day '+30 days')" --member rob
check "a draft project p2" test "$(rc)" = 0
echo '{"tables": {"IR_BEN_R": ["BEN_SEX_COD", "BEN_NAI_ANN"]}}' >"$work/scope-p3.json"
as "$STAN" project create --id p3 --authorisation "CNIL-DR-2026-0417" \
  --purpose "Sex ratio of beneficiaries by year of birth, to calibrate a cardiovascular risk model" \
  --scope "$work/scope-p3.json" --start "$(day '+10 days')" --end "$(day '+200 days')" --member rob
run project approve p3
as "$OMAR" project approve p3
check "p3 approved, not started yet" test "$(rc)" = 0

# rita's count by sex, approved by carl and cleo, released.
cat >"$work/frame.json" <<'JSON'
{"frame": "people", "unit": "person", "person": "BEN_NIR_PSA",
 "sql": "SELECT BEN_NIR_PSA, BEN_SEX_COD FROM IR_BEN_R",
 "dimensions": [{"name": "sex", "column": "BEN_SEX_COD", "values": ["1", "2"]}]}
JSON
echo '{"output": "by-sex", "frame": "people", "measure": "count", "tables": [{"id": "t", "dimensions": [{"dimension": "sex"}]}]}' \
  >"$work/by-sex.json"
as "$RITA" airlock request p1 --title "Sex ratio" --json --frame "$work/frame.json" --output "$work/by-sex.json"
id=$(field "['id']")
as "$RITA" airlock request "$id" --json --submit
rev=$(field "['revision']")
as "$CARL" airlock review "$id" --revision "$rev" --decide by-sex=approve
as "$CLEO" airlock review "$id" --revision "$rev" --decide by-sex=approve
as "$RITA" airlock release "$id" --out "$work/rel"
check "rita's request is released" test "$(rc)" = 0

# Single sign-on through a real LemonLDAP::NG: its demo users dwho
# (timelords) linked to rita, rtyler and msmith (earthlings) to the
# operators olga and omar; timelords may act as researchers, earthlings as
# operators.
start_test_lemonldap
for link in rita:dwho olga:rtyler omar:msmith; do
  run user link-oidc "${link%%:*}" --issuer "$ISSUER" --subject "${link##*:}"
  check "the identity ${link##*:} linked to ${link%%:*}" test "$(rc)" = 0
done

start_test_serve "portal_dir = \"$SOURCE/portal/dist\"" "${OIDC_SERVE_LINES[@]}" "reauth_window = 8" \
  "[serve.oidc.roles]" 'researcher = ["timelords"]' 'operator = ["earthlings"]' "[serve.query]" "timeout = 20"
trap cleanup EXIT  # start_test_serve set its own

curl -sS --cacert "$work/cert.pem" -o "$work/body" -D "$work/head" "https://127.0.0.1:$PORT/api/v1/public/register"
check "the public register answers without a token" grep -q '^HTTP/1.1 200' "$work/head"
check "... the released project" grep -q '"CNIL-DR-2026-p1"' "$work/body"
check "... the approved one without a release" grep -q '"CNIL-DR-2026-0417"' "$work/body"
check "... not the draft" bash -c "! grep -q DRAFT '$work/body'"
entry=$(python3 -c "import json,sys; print([r for p in json.load(open(sys.argv[1]))['items'] for r in p['releases']][0]['register_entry'])" "$work/body")
curl -sS --cacert "$work/cert.pem" -o "$work/proof" -D "$work/head" "https://127.0.0.1:$PORT/api/v1/public/register/proofs/$entry"
check "a release's register entry and its proof, without a token" grep -q '^HTTP/1.1 200' "$work/head"
check "... the entry is the hub's register.publish" grep -q 'register.publish' "$work/proof"
curl -sS --cacert "$work/cert.pem" -o /dev/null -D "$work/head" "https://127.0.0.1:$PORT/api/v1/public/register/proofs/0"
check "any other entry is not found" grep -q '^HTTP/1.1 404' "$work/head"
curl -sS --cacert "$work/cert.pem" -o /dev/null -D "$work/head" "https://127.0.0.1:$PORT/"
check "the portal's index carries the CSP" grep -qi "^content-security-policy: default-src 'self'" "$work/head"
curl -sS --cacert "$work/cert.pem" -I "https://127.0.0.1:$PORT/register" >"$work/head"
check "HEAD of a page: 200, the GET's length, no body" grep -qi '^content-length: [1-9]' "$work/head"
curl -sS --cacert "$work/cert.pem" -o "$work/body" -D "$work/head" --path-as-is "https://127.0.0.1:$PORT/../../../etc/passwd"
check "no file outside the portal" bash -c "! grep -q 'root:' '$work/body'"

# The in-browser verifier against the known answers, under Node's WebCrypto.
"$SOURCE/portal/node_modules/.bin/esbuild" "$SOURCE/portal/src/verify.ts" --format=esm --log-level=warning \
  --outfile="$work/verify.mjs"
node "$SOURCE/tests/portal/verify_unit.mjs" "$work/verify.mjs" "$SOURCE" >"$work/unit.out" 2>&1
unit_rc=$?
cat "$work/unit.out"
check "verify.ts: known answers and each tampered step" test "$unit_rc" = 0

SHOTS="$BUILD/portal-screenshots"
rm -rf "$SHOTS"
BASE_URL="https://127.0.0.1:$PORT" SCREENSHOTS="$SHOTS" EXPECT_REF="CNIL-DR-2026-p1" EXPECT_PURPOSE="Test p1" \
  DRAFT_REF="CNIL-DR-2026-DRAFT" NODE_PATH="$SOURCE/tests/portal/node_modules" \
  node "$SOURCE/tests/portal/register_e2e.mjs" >"$work/e2e.out" 2>&1
e2e_rc=$?
cat "$work/e2e.out"
check "the visit in Chromium passes" test "$e2e_rc" = 0
check "a screenshot of each page" test -s "$SHOTS/register-en.png" -a -s "$SHOTS/register-fr.png" -a -s "$SHOTS/home-en.png"
run --json audit show --action register.public
check "each read of the register is audited as the anonymous visitor" out_has '"actor":"anonymous"'
run --json audit show --action register.proof
check "each proof read is audited as the anonymous visitor" out_has '"actor":"anonymous"'

# The signed-in pages (signed_in_e2e.mjs), signed in through the provider:
# rita's project p1, then olga and omar approving the draft p2.
BASE_URL="https://127.0.0.1:$PORT" PGPORT="$PGPORT" SCREENSHOTS="$SHOTS" PROJECT=p1 EXPECT_TABLE=IR_BEN_R DRAFT=p2 \
  RESEARCHER=dwho OPERATORS=rtyler,msmith REAUTH_WINDOW=8 NODE_PATH="$SOURCE/tests/portal/node_modules" \
  node "$SOURCE/tests/portal/signed_in_e2e.mjs" >"$work/signed-in.out" 2>&1
signed_in_rc=$?
cat "$work/signed-in.out"
check "the signed-in pages in Chromium pass" test "$signed_in_rc" = 0
check "a screenshot of each signed-in page" test -s "$SHOTS/researcher-console-en.png" -a -s "$SHOTS/operator-projects-en.png"
run --json audit show --action project.approve
check "the approvals in the browser are audited" out_has '"project":"p2"'

kill "$SERVER"
wait "$SERVER" 2>/dev/null
finish
