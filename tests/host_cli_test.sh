#!/usr/bin/env bash
# The host registry and the sovereignty policy from the command line
# (docs/hosts.md): the local host init registers, shown as an explicit
# exemption; hosts added with their qualifications and each refusal with its
# evidence (expired yesterday, starting tomorrow, owned from outside the EU,
# outside the EU, no HDS); an account that may not; the policy changed by two
# operators, after which an ingest to the local host is refused and audited.
# Usage: host_cli_test.sh <hdhub binary>
set -uo pipefail
source "$(dirname "$0")/cli_test_lib.sh"
start_test_hub "$1" "host cli passphrase 2026"

run init --operator olga
check "init" test "$(rc)" = 0
run host list
check "host list" test "$(rc)" = 0
check "init registered the local host, the hub's own" out_has "^local \*  file:host"
check "the local host is an explicit exemption" out_has "allowed (local exemption)"
run --json host show
check "host show --json" test "$(rc)" = 0
check "the evidence says it is exempted" out_has '"exempted":true'
check "the evidence keeps the criteria it fails" out_has '"criterion":"qualification:HDS","met":false'
check "and why the local host is accepted" out_has 'accepted because the policy allows local hosts'

for u in omar:operator rita:researcher audrey:auditor; do run user add "${u%%:*}" --role "${u##*:}"; done
OMAR=$(token_for omar); RITA=$(token_for rita); AUDREY=$(token_for audrey)

# qualification SCHEME FROM UNTIL -> the --qualification argument
q() { echo "$1,$1-ref-1,$2,$3,https://cyber.gouv.fr/liste?ref=$1"; }
sovereign() {  # name, uri, extra options… : a host meeting every criterion unless the extras say otherwise
  local name=$1 uri=$2; shift 2
  run host add "$name" --uri "$uri" --jurisdiction FR --operator "Hébergeur SAS" --owner-jurisdiction FR "$@"
}
valid=(--qualification "$(q HDS "$(day '-1 year')" "$(day '+1 year')")"
       --qualification "$(q SecNumCloud "$(day '-1 year')" "$(day '+1 year')")")

sovereign good s3://good.example/hub "${valid[@]}"
check "add a sovereign host" test "$(rc)" = 0
check "add shows today's decision" out_has "decision on $(day today): allowed"
run host check good
check "the policy accepts it" test "$(rc)" = 0
check "and says so" out_has "host good may hold health data on $(day today)"

refused() {  # host, criterion, reason: host check refuses it with that evidence
  run host check "$1"
  check "$1: refused" test "$(rc)" = 3
  check "$1: a failed precondition" err_has "FAILED_PRECONDITION"
  check "$1: names the host and the criterion" err_has "host $1 may not hold health data.*fails $2"
  check "$1: says why" err_has "$3"
  run host show "$1"
  check "$1: show gives the evidence" out_has "\[not met\] $2: .*$3"
}
sovereign lapsed s3://lapsed.example/hub --qualification "$(q HDS "$(day '-3 years')" "$(day yesterday)")" \
  --qualification "$(q SecNumCloud "$(day '-1 year')" "$(day '+1 year')")"
refused lapsed qualification:HDS "lapsed, not in force on $(day today)"
sovereign until-today s3://until-today.example/hub --qualification "$(q HDS "$(day '-3 years')" "$(day today)")" \
  --qualification "$(q SecNumCloud "$(day '-1 year')" "$(day '+1 year')")"
run host check until-today
check "a qualification valid until today is in force today" test "$(rc)" = 0
sovereign tomorrow s3://tomorrow.example/hub --qualification "$(q HDS "$(day '-1 year')" "$(day '+1 year')")" \
  --qualification "$(q SecNumCloud "$(day tomorrow)" "$(day '+3 years')")"
refused tomorrow qualification:SecNumCloud "not yet in force on $(day today)"
run host add owned --uri s3://owned.example/hub --jurisdiction FR --operator "Hyperscaler France" \
  --owner-jurisdiction US "${valid[@]}"
refused owned ownership "Hyperscaler France's jurisdiction is US, outside the EU"
run host add abroad --uri s3://abroad.example/hub --jurisdiction CH --operator "Alpes AG" \
  --owner-jurisdiction CH "${valid[@]}"
refused abroad jurisdiction "CH, outside the EU"
sovereign nohds s3://nohds.example/hub --qualification "$(q SecNumCloud "$(day '-1 year')" "$(day '+1 year')")"
refused nohds qualification:HDS "no HDS qualification declared"

run --json audit show --action host.placement
check "each refusal is an audit event, outcome denied" out_has '"action":"host.placement".*"outcome":"denied"'

# Who may: operators change, auditors read, researchers nothing.
as "$RITA" host list
check "a researcher may not read the registry" test "$(rc)" = 3
check "permission denied" err_has "PERMISSION_DENIED"
as "$AUDREY" host add other --uri s3://other.example/hub --jurisdiction FR --operator X --owner-jurisdiction FR
check "an auditor may not add a host" test "$(rc)" = 3
check "permission denied, naming the action" err_has "host.change"
as "$AUDREY" host show good
check "an auditor sees the evidence" test "$(rc)" = 0
run host add bad --uri s3://bad.example/hub --jurisdiction France --operator X --owner-jurisdiction FR
check "a bad jurisdiction is refused as a usage error" test "$(rc)" = 2
run host add remote-local --uri s3://x/hub --local
check "only a file: or memory: host may be local" test "$(rc)" = 2

# The policy: two operators. Then the local host is refused, and an ingest with it.
echo '{"allow_local": false}' >"$work/strict.json"
run host policy set --file "$work/strict.json"
check "the first operator proposes" out_has "proposed: a second operator confirms it"
run host policy set --file "$work/strict.json"
check "the same operator cannot confirm" test "$(rc)" = 3
as "$OMAR" host policy set --file "$work/strict.json"
check "a second operator puts it in force" out_has "the policy is in force"
run --json host policy show
check "the policy in force is shown" out_has '"allow_local":false'

printf 'BEN_NIR_PSA,BEN_SEX_COD\nABCDEFGHIJKLMNOP1,1\n' >"$work/ben.csv"
echo '{"fields": [{"name": "BEN_NIR_PSA", "type": "string"}, {"name": "BEN_SEX_COD", "type": "integer"}]}' \
  >"$work/ben.json"
run ingest --dataset BEN --schema "$work/ben.json" "$work/ben.csv"
check "an ingest to a refused host is refused" test "$(rc)" = 3
check "naming the host and why" err_has "host local may not hold health data.*fails .*local"
run catalog list --all
check "nothing was ingested" out_lacks "BEN"
run --json audit show --action host.placement
check "the refused ingest is audited" out_has '"operation":"ingest.run"'
run host list
check "host list shows the local host refused" out_has "^local \*  file:host  refused (fails .*local"

# A host declared at init: checked against the default policy before anything is written.
declaration() {  # owner jurisdiction -> a host declaration on stdout
  cat <<JSON
{"name": "provider", "jurisdiction": "FR", "operator": "Hébergeur SAS", "owner_jurisdiction": "$1",
 "qualifications": [
   {"scheme": "HDS", "reference": "HDS-1", "valid_from": "$(day '-1 year')", "valid_until": "$(day '+1 year')",
    "evidence": "sha256:ab12"},
   {"scheme": "SecNumCloud", "reference": "SNC-1", "valid_from": "$(day '-1 year')", "valid_until": "$(day '+1 year')",
    "evidence": "https://cyber.gouv.fr/liste"}]}
JSON
}
declaration US >"$work/owned.json"
HDHUB_HOME="$work/hub2" run init --operator olga --host "file://$work/mounted" --host-file "$work/owned.json"
check "init refuses a declared host the policy refuses" test "$(rc)" = 3
check "saying which criterion fails" err_has "host provider may not hold health data.*fails ownership"
check "and leaves no hub" test ! -e "$work/hub2/hub.json" -a ! -e "$work/hub2/state"
declaration FR >"$work/provider.json"
HDHUB_HOME="$work/hub2" run init --operator olga --host "file://$work/mounted" --host-file "$work/provider.json"
check "init accepts a declared sovereign host" test "$(rc)" = 0
HDHUB_HOME="$work/hub2" run host show
check "registered as declared, not local" out_has "host provider (the hub's host)"
check "allowed on its own merits" out_has "decision on $(day today): allowed$"
finish
