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
# rita's request on p1 titled $1, declaring the frame in file $2 (none if
# empty) and the output in file $3, submitted: its id in $rid.
submit_request() {
  local frame=()
  [[ -n $2 ]] && frame=(--frame "$2")
  as "$RITA" airlock request p1 --title "$1" --json "${frame[@]}" --output "$3"
  rid=$(field "['id']")
  as "$RITA" airlock request "$rid" --json --submit
}

for needed in "$SOURCE/portal/dist/index.html" "$SOURCE/tests/portal/node_modules/playwright-core" \
  "$SOURCE/tests/portal/node_modules/axe-core" "$SOURCE/portal/node_modules/.bin/esbuild" /usr/bin/chromium; do
  if [[ ! -e $needed ]]; then
    echo "FAILED: $needed is missing: run scripts/bootstrap"
    exit 1
  fi
done

airlock_test_hub 300 11 aude:auditor
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
submit_request "Sex ratio" "$work/frame.json" "$work/by-sex.json"
id=$rid rev=$(field "['revision']")
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

# --- setup before the server starts: auditor section (witness) ---
# A witness (its own key and state) cosigns the log's checkpoint as it
# stands; hub.json names it, so that serve checks it at start and GET
# /api/v1/audit/witnesses gives it to the auditor's page.
WITNESS=witness.test/w1
run --json audit keygen --state "$work/witness" --name "$WITNESS"
check "a witness key" test "$(rc)" = 0
cp "$work/out" "$work/witness-key.json"
run audit checkpoint
cp "$work/out" "$work/to-witness.txt"
run audit log-key
log_key=$(cat "$work/out")
run audit witness --state "$work/witness" --log-key "$log_key" --checkpoint "$work/to-witness.txt" \
  --out "$work/witnessed.checkpoint"
check "the witness cosigns the hub's checkpoint" test "$(rc)" = 0
python3 - "$HDHUB_HOME/hub.json" "$work/witness-key.json" "$work/witnessed.checkpoint" <<'PY'
import json, sys
path, key, checkpoint = sys.argv[1:]
config = json.load(open(path))
config.setdefault("witnesses", []).append({"key": json.load(open(key))["verifier_key"], "checkpoint": checkpoint})
with open(path, "w") as f:
    json.dump(config, f, indent=2)
PY
run audit verify
check "the hub opens with its witness in hub.json" test "$(rc)" = 0
# --- end of setup before the server starts ---

start_test_serve "portal_dir = \"$SOURCE/portal/dist\"" "${OIDC_SERVE_LINES[@]}" "reauth_window = 8" \
  "[serve.oidc.roles]" 'researcher = ["timelords"]' 'operator = ["earthlings"]' 'checker = ["earthlings"]' 'auditor = ["timelords"]' "[serve.query]" "timeout = 20"
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

# --- operator pages section (operator_pages_e2e.mjs): olga (rtyler) ---
# The pages' pure logic (operator_logic.ts) under Node, then olga (rtyler)
# in the browser: the datasets and IR_BEN_R's ingest report, the hosts (a
# second one declared here) and the decisions on them, the builds, p2's
# workspace built (approved above, not built); rita (dwho) refused each page.
"$SOURCE/portal/node_modules/.bin/esbuild" "$SOURCE/portal/src/operator_logic.ts" --format=esm --log-level=warning \
  --outfile="$work/operator_logic.mjs"
node "$SOURCE/tests/portal/operator_unit.mjs" "$work/operator_logic.mjs" >"$work/operator-unit.out" 2>&1
operator_unit_rc=$?
cat "$work/operator-unit.out"
check "operator_logic.ts: catalog, ingesters, qualifications, addresses, builds" test "$operator_unit_rc" = 0
run host add outscale --uri s3://oos.eu-west-2.outscale.com/hub --jurisdiction FR --operator "3DS Outscale" \
  --owner-jurisdiction FR --qualification "HDS,HDS-0042,$(day '-1 year'),$(day '+1 year'),https://esante.gouv.fr/hds" \
  --qualification "SecNumCloud,SNC-2023-01,$(day '-3 years'),$(day '-1 day'),https://cyber.gouv.fr/snc"
check "a second host, one qualification in force and one expired" test "$(rc)" = 0
BASE_URL="https://127.0.0.1:$PORT" SCREENSHOTS="$SHOTS" OPERATOR=rtyler RESEARCHER=dwho DATASET=IR_BEN_R \
  INGESTED_BY=olga BUILT=p1 TO_BUILD=p2 SECOND_HOST=outscale REAUTH_WINDOW=8 NODE_PATH="$SOURCE/tests/portal/node_modules" \
  node "$SOURCE/tests/portal/operator_pages_e2e.mjs" >"$work/operator-pages.out" 2>&1
operator_pages_rc=$?
cat "$work/operator-pages.out"
check "the operator's catalog, host and build pages in Chromium pass" test "$operator_pages_rc" = 0
check "a screenshot of each operator page" test -s "$SHOTS/operator-datasets-en.png" \
  -a -s "$SHOTS/operator-datasets-fr.png" -a -s "$SHOTS/operator-hosts-en.png" -a -s "$SHOTS/operator-builds-en.png"
run --json audit show --action workspace.build --project p2
check "the build in the browser is audited, as olga" out_has '"actor":"olga"'
check "... a success" out_has '"outcome":"success"'
# --- end of operator pages section ---

# --- checker section (checker_e2e.mjs): rtyler and msmith relinked to carl and cleo ---
# The airlock pages' rules (export_model.ts) under Node; then rita submits
# a second request on p1 (the frame released above, its total added) and
# a third with withheld cells; carl (rtyler) and cleo (msmith) read both
# with their evidence and review the second in the browser.
"$SOURCE/portal/node_modules/.bin/esbuild" "$SOURCE/portal/src/pages/export_model.ts" --format=esm \
  --log-level=warning --outfile="$work/export_model.mjs"
node "$SOURCE/tests/portal/checker_unit.mjs" "$work/export_model.mjs" >"$work/checker-unit.out" 2>&1
checker_unit_rc=$?
cat "$work/checker-unit.out"
check "export_model.ts: reviews, comments, the queue, the CSV, withheld cells" test "$checker_unit_rc" = 0
echo '{"output": "by-sex-total", "frame": "people", "measure": "count", "tables": [{"id": "all", "dimensions": []}, {"id": "t", "dimensions": [{"dimension": "sex"}]}]}' \
  >"$work/by-sex-total.json"
submit_request "Beneficiaries by sex, with total" "" "$work/by-sex-total.json"
xid=$rid
check "rita's second request is submitted" test "$(field "['state']")" = submitted
# A third, over a new frame, whose cells of the dead are withheld (two
# deaths, both men: one cell under the minimum, its complement too); the
# checkers' page shows its file and the true values, compared with the
# CLI's evidence of both requests.
cat >"$work/deaths.json" <<'JSON'
{"frame": "deaths", "unit": "person", "person": "BEN_NIR_PSA",
 "sql": "SELECT BEN_NIR_PSA, BEN_SEX_COD, CASE WHEN coalesce(CAST(BEN_DCD_DTE AS VARCHAR), '') = '' THEN 'no' ELSE 'yes' END AS died FROM IR_BEN_R",
 "dimensions": [{"name": "sex", "column": "BEN_SEX_COD", "values": ["1", "2"]},
                {"name": "died", "column": "died", "values": ["no", "yes"]}]}
JSON
echo '{"output": "deaths-by-sex", "frame": "deaths", "measure": "count", "tables": [{"id": "sex", "dimensions": [{"dimension": "sex"}]}, {"id": "sex-died", "dimensions": [{"dimension": "sex"}, {"dimension": "died"}]}]}' \
  >"$work/deaths-by-sex.json"
submit_request "Deaths by sex" "$work/deaths.json" "$work/deaths-by-sex.json"
did=$rid
check "rita's request with withheld cells is submitted" test "$(field "['state']")" = submitted
# A fourth, with file outputs uploaded through the CLI (--output with its
# --file): a table, a figure of it (a tiny PNG made here), a custom text
# and a custom PDF, each with the author's explanation; the checkers' page
# shows them as they would leave, compared with the CLI's evidence.
echo '{"output": "counts", "frame": "people", "measure": "count", "tables": [{"id": "t", "dimensions": [{"dimension": "sex"}]}]}' \
  >"$work/counts.json"
as "$RITA" airlock request p1 --title "Counts by sex, drawn and explained" --json --output "$work/counts.json"
fid=$(field "['id']")
python3 - "$work/fig.png" <<'PY'
import struct, sys, zlib
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
size = 96
rows = b"".join(b"\0" + bytes(v for x in range(size) for v in ((0, 0, 145) if (x // 24 + y // 24) % 2 else (238, 238, 238)))
                for y in range(size))
png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)) +
       chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
open(sys.argv[1], "wb").write(png)
PY
echo '{"output": "fig", "kind": "figure", "format": "png", "figure_of": "counts"}' >"$work/fig.json"
printf 'Méthode : effectifs par sexe, puis leur rapport.\nNo number from the data is written here.\n\tEnd of the note.\n' \
  >"$work/notes.txt"
echo '{"output": "notes", "kind": "custom", "format": "txt", "explanation": "The method in words, without any figure from the data."}' \
  >"$work/notes.json"
printf '%%PDF-1.4\n%% a custom file without a preview\n%%%%EOF\n' >"$work/appendix.pdf"
echo '{"output": "appendix", "kind": "custom", "format": "pdf", "explanation": "The protocol, as approved."}' \
  >"$work/appendix.json"
for f in fig.png notes.txt appendix.pdf; do
  as "$RITA" airlock request "$fid" --json --output "$work/${f%.*}.json" --file "$work/$f"
  check "rita uploads $f with its declaration" test "$(rc)" = 0
done
as "$RITA" airlock request "$fid" --json --submit
check "rita's request with file outputs is submitted" test "$(field "['state']")" = submitted
for r in "$xid" "$did" "$fid"; do
  as "$CARL" airlock show "$r" --evidence --json
  check "the evidence of $r, for a checker" test "$(rc)" = 0
  cp "$work/out" "$work/evidence-$r.json"
done
check "... some cells of $did withheld" python3 -c "import json,sys; d=json.load(open(sys.argv[1]))
assert any(c['status'] == 'suppressed' for r in d['checks']['runs'].values() for c in r['cells'])" "$work/evidence-$did.json"
for link in olga:rtyler omar:msmith; do
  run user unlink-oidc "${link%%:*}" --issuer "$ISSUER"
  check "the identity ${link##*:} unlinked from ${link%%:*}" test "$(rc)" = 0
done
for link in carl:rtyler cleo:msmith; do
  run user link-oidc "${link%%:*}" --issuer "$ISSUER" --subject "${link##*:}"
  check "the identity ${link##*:} linked to ${link%%:*}" test "$(rc)" = 0
done
BASE_URL="https://127.0.0.1:$PORT" SCREENSHOTS="$SHOTS" REQUEST="$xid" TITLE="Beneficiaries by sex, with total" \
  OUTPUT=by-sex-total CHECKERS=rtyler,msmith RESEARCHER=dwho RELEASED="Sex ratio" EVIDENCE="$work/evidence-$xid.json" \
  WITHHELD_REQUEST="$did" WITHHELD_EVIDENCE="$work/evidence-$did.json" \
  NODE_PATH="$SOURCE/tests/portal/node_modules" node "$SOURCE/tests/portal/checker_e2e.mjs" >"$work/checker.out" 2>&1
checker_rc=$?
cat "$work/checker.out"
check "the checker's pages in Chromium pass" test "$checker_rc" = 0
BASE_URL="https://127.0.0.1:$PORT" SCREENSHOTS="$SHOTS" REQUEST="$fid" CHECKER=rtyler EVIDENCE="$work/evidence-$fid.json" \
  NODE_PATH="$SOURCE/tests/portal/node_modules" node "$SOURCE/tests/portal/checker_files_e2e.mjs" >"$work/checker-files.out" 2>&1
checker_files_rc=$?
cat "$work/checker-files.out"
check "the checker's page shows the file outputs as they would leave" test "$checker_files_rc" = 0
check "a screenshot of the file outputs" test -s "$SHOTS/checker-files-en.png" -a -s "$SHOTS/checker-files-fr.png"
check "a screenshot of the queue and the request" \
  test -s "$SHOTS/checker-queue-en.png" -a -s "$SHOTS/checker-queue-fr.png" -a -s "$SHOTS/checker-request-en.png" \
  -a -s "$SHOTS/checker-withheld-en.png" -a -s "$SHOTS/checker-withheld-fr.png"
as "$RITA" airlock show "$xid" --json
check "the request reviewed in the browser is approved" test "$(field "['state']")" = approved
reviewers=$(python3 -c "import json,sys; print(','.join(sorted(r['checker'] for r in json.load(open(sys.argv[1]))['reviews'])))" "$work/out")
check "... by carl and cleo" test "$reviewers" = carl,cleo
run --json audit show --action airlock.review
outcomes=$(python3 - "$work/out" "$xid" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
try:
    items = json.loads(text)
except ValueError:
    items = [json.loads(line) for line in text.splitlines() if line.strip()]
if isinstance(items, dict):
    items = next((v for v in items.values() if isinstance(v, list)), [])
events = [json.dumps(e, separators=(",", ":")) for e in items]
events = [e for e in events if '"' + sys.argv[2] + '"' in e]
print(sum('"outcome":"success"' in e for e in events), sum('"outcome":"denied"' in e for e in events))
PY
)
check "both reviews are audited, carl's second one as denied" test "$outcomes" = "2 1"
# --- end of checker section ---

# --- auditor section (auditor_e2e.mjs): dwho relinked to aude ---
# The auditor's checks (verify_audit.ts) against the hub's own answers,
# written by the CLI, and their tampered variants, under Node; then aude
# (dwho) in the browser: the log filtered, an entry verified and its
# tampered proof refused, the witness, consistency, the whole log.
A="$work/auditor-answers"
mkdir -p "$A"
cp "$work/witness-key.json" "$A/witness-key.json"
run --json audit checkpoint
cp "$work/out" "$A/checkpoint.json"
size=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['checkpoint'].split(chr(10))[1])" "$A/checkpoint.json")
witnessed=$(sed -n 2p "$work/witnessed.checkpoint")
run --json audit log-key
cp "$work/out" "$A/log-key.json"
run --json audit show
cp "$work/out" "$A/entries.json"
run --json audit prove --index 3 --size "$size"
cp "$work/out" "$A/proof.json"
run --json audit consistency --size1 "$witnessed" --size2 "$size"
cp "$work/out" "$A/consistency.json"
python3 -c "import json,sys; print(json.dumps({'checkpoint': open(sys.argv[1]).read()}))" "$work/witnessed.checkpoint" \
  >"$A/witnessed.json"
"$SOURCE/portal/node_modules/.bin/esbuild" "$SOURCE/portal/src/verify_audit.ts" --bundle --format=esm \
  --log-level=warning --outfile="$work/verify_audit.mjs"
node "$SOURCE/tests/portal/auditor_unit.mjs" "$work/verify_audit.mjs" "$work/verify.mjs" "$SOURCE" "$A" \
  >"$work/auditor-unit.out" 2>&1
auditor_unit_rc=$?
cat "$work/auditor-unit.out"
check "verify_audit.ts: the hub's proofs and checkpoints hold, each tampered one is refused" test "$auditor_unit_rc" = 0
run user unlink-oidc rita --issuer "$ISSUER"
check "the identity dwho unlinked from rita" test "$(rc)" = 0
run user link-oidc aude --issuer "$ISSUER" --subject dwho
check "the identity dwho linked to aude" test "$(rc)" = 0
BASE_URL="https://127.0.0.1:$PORT" SCREENSHOTS="$SHOTS" AUDITOR=dwho WITNESS="$WITNESS" \
  WITNESSED="$work/witnessed.checkpoint" ACTION=project.approve PROJECT=p2 \
  NODE_PATH="$SOURCE/tests/portal/node_modules" node "$SOURCE/tests/portal/auditor_e2e.mjs" >"$work/auditor.out" 2>&1
auditor_rc=$?
cat "$work/auditor.out"
check "the auditor's pages in Chromium pass" test "$auditor_rc" = 0
check "a screenshot of each auditor page" test -s "$SHOTS/auditor-log-en.png" -a -s "$SHOTS/auditor-log-fr.png" \
  -a -s "$SHOTS/auditor-checkpoints-en.png" -a -s "$SHOTS/auditor-tampered-en.png"
run --json audit show --action audit.read --actor aude
check "the auditor's reads in the browser are audited, the witnesses' too" out_has '"what":"witnesses"'
# --- end of auditor section ---

kill "$SERVER"
wait "$SERVER" 2>/dev/null
finish
