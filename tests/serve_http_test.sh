#!/usr/bin/env bash
# The HTTP JSON API of `hdhub serve` with the real binary and curl: what its
# audit routes answer is what the offline checks of the CLI accept
# (`audit check-inclusion --file`, `audit check-consistency --file`); an
# ingest by upload (multipart) lands in the catalog; the X-Request-Id of an
# answer is in the audit entries the request made (`audit show --json`).
# Usage: serve_http_test.sh <hdhub binary>
set -uo pipefail
source "$(dirname "$0")/cli_test_lib.sh"
start_test_hub "$1" "serve http passphrase 2026"

run init --operator olga
check "init" test "$(rc)" = 0
run user add carl --role auditor
run user add rita --role researcher
OLGA=$(token_for olga); CARL=$(token_for carl); RITA=$(token_for rita)

start_test_serve "http_max_upload_bytes = 65536"

api() {  # token, method, path, curl arguments...: the body in $work/body, headers in $work/head
  local token=$1 method=$2 path=$3
  shift 3
  curl -sS --cacert "$work/cert.pem" -o "$work/body" -D "$work/head" -X "$method" \
    -H "Authorization: Bearer $token" "https://127.0.0.1:$PORT$path" "$@" 2>"$work/curl.err"
}
status() { head -1 "$work/head" | cut -d' ' -f2; }

# Ingest by upload.
printf 'BEN_NIR_PSA,BEN_SEX_COD,BEN_NAI_ANN\nABCDEFGHIJKLMNOP1,1,1970\nABCDEFGHIJKLMNOP2,2,1980\n' >"$work/ben.csv"
cat >"$work/ben.json" <<'JSON'
{"fields": [{"name": "BEN_NIR_PSA", "type": "string"}, {"name": "BEN_SEX_COD", "type": "integer"},
            {"name": "BEN_NAI_ANN", "type": "year"}]}
JSON
api "$RITA" POST /api/v1/catalog/IR_BEN_R/versions -F "data=@$work/ben.csv" -F "schema=@$work/ben.json"
check "a researcher may not ingest" test "$(status)" = 403
api "$OLGA" POST /api/v1/catalog/IR_BEN_R/versions -F "data=@$work/ben.csv" -F "schema=@$work/ben.json"
check "an operator ingests by upload" test "$(status)" = 201
REQUEST_ID=$(grep -i '^x-request-id:' "$work/head" | tr -d '\r' | cut -d' ' -f2)
run --json catalog list
check "the upload is in the catalog" out_has '"IR_BEN_R"'
check "nothing of the upload is left in the scratch area" test -z "$(find "$HDHUB_HOME/state/tmp" -name 'upload-*')"
head -c 100000 /dev/zero | tr '\0' x >"$work/big.csv"
api "$OLGA" POST /api/v1/catalog/IR_BEN_R/versions -F "data=@$work/big.csv" -F "schema=@$work/ben.json"
check "an upload over http_max_upload_bytes is refused" test "$(status)" = 413

# The request id of the answer is in the audit entries of the request.
run --json audit show --action ingest.
check "the ingest's audit entry carries the answer's X-Request-Id" out_has "\"request_id\":\"$REQUEST_ID\""

# Proofs the offline checks accept.
api "$CARL" GET /api/v1/audit/entries/1/proof
check "an auditor gets an inclusion proof" test "$(status)" = 200
cp "$work/body" "$work/inclusion.json"
run audit check-inclusion --file "$work/inclusion.json"
check "audit check-inclusion accepts the API's proof" test "$(rc)" = 0
api "$CARL" GET "/api/v1/audit/consistency?from=2"
check "an auditor gets a consistency proof" test "$(status)" = 200
cp "$work/body" "$work/consistency.json"
run audit check-consistency --file "$work/consistency.json"
check "audit check-consistency accepts the API's proof" test "$(rc)" = 0
api "$RITA" GET "/api/v1/audit/consistency?from=2"
check "a researcher gets no proof" test "$(status)" = 403

# A query's rows streamed.
api "$OLGA" POST /api/v1/catalog/queries -H 'Content-Type: application/json' -H 'Accept: text/csv' \
  --data-binary '{"sql": "SELECT count(*) AS n FROM IR_BEN_R"}'
check "a catalog query streams CSV" test "$(cat "$work/body")" = "$(printf 'n\r\n2\r')"
check "chunked" grep -qi '^transfer-encoding: chunked' "$work/head"

kill -TERM $SERVER
for _ in $(seq 1 100); do kill -0 $SERVER 2>/dev/null || break; sleep 0.1; done
wait $SERVER
check "SIGTERM: the server exits 0" test $? = 0
finish
