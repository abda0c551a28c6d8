#!/usr/bin/env bash
# An export request through the binary (docs/airlock-workflow.md §8): on a
# synthetic population, rita (a member of p1) creates a request, adds a frame
# and a table output, submits; two checkers approve the revision and the
# request is approved. Refused: the author's own review (even as a checker),
# any reading or change by rob (a researcher of no project, told "unknown or
# not yours" as for an id that does not exist) and unusable arguments (exit 2).
# With "remote", the same session's airlock commands go through `hdhub serve`
# on 127.0.0.1 (HDHUB_SERVER, a token, no passphrase nor hub directory), and
# what they print at the end is what the local commands print; then rita
# releases and downloads through the server (the files byte for byte those
# of the local download, the bundle verified), two operators change the
# hub's rules, and register and rules print what they print locally.
# Usage: airlock_cli_test.sh <hdhub binary> <shared/snds dir> [remote]
set -uo pipefail
source "$(dirname "$0")/cli_test_lib.sh"
start_test_hub "$1" "airlock cli passphrase 2026"
SNDS=$2
err_lacks() { ! grep -q -- "$1" "$work/err"; }
field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))$1)" "$work/out" 2>/dev/null; }

airlock_test_hub 200 5

as_local() { local token=$1; shift; HDHUB_TOKEN=$token run "$@"; }
if [[ ${3:-} == remote ]]; then
  make_server_certificate
  PGPORT=$(free_port); PORT=$(free_port)
  printf '[serve]\nlisten = ["127.0.0.1:%s"]\nhttp_listen = ["127.0.0.1:%s"]\nshutdown_grace = 5\n[serve.tls]\n' \
    "$PGPORT" "$PORT" >"$work/hdhub.toml"
  printf 'certificate = "%s"\nkey = "%s"\n' "$work/server.crt" "$work/server.key" >>"$work/hdhub.toml"
  "$HDHUB" --config "$work/hdhub.toml" serve 2>"$work/serve.log" &
  SERVER=$!
  trap 'kill $SERVER 2>/dev/null; rm -rf "$work"' EXIT
  for _ in $(seq 1 100); do grep -q http.listening "$work/serve.log" && break; sleep 0.1; done
  check "hdhub serve listens" grep -q http.listening "$work/serve.log"
  mkdir "$work/elsewhere"
  as() {  # as `as`, through the server: no passphrase, no hub directory, no password
    local token=$1; shift
    (cd "$work/elsewhere" && env -u HDHUB_PASSPHRASE -u HDHUB_HOME -u HDHUB_USER -u HDHUB_PASSWORD \
      -u HDHUB_SOURCE_PASSPHRASE -u HDHUB_USER_PASSWORD HDHUB_SERVER="https://127.0.0.1:$PORT" \
      HDHUB_CA_FILE="$work/ca.crt" HDHUB_TOKEN="$token" "$HDHUB" "$@" </dev/null >"$work/out" 2>"$work/err")
    echo $? >"$work/rc"
  }
fi

cat >"$work/frame.json" <<'EOF'
{"frame": "people", "unit": "person", "person": "BEN_NIR_PSA",
 "sql": "SELECT BEN_NIR_PSA, BEN_SEX_COD FROM IR_BEN_R",
 "dimensions": [{"name": "sex", "column": "BEN_SEX_COD", "values": ["1", "2"]}]}
EOF
cat >"$work/by-sex.json" <<'EOF'
{"output": "by-sex", "frame": "people", "measure": "count", "tables": [{"id": "t", "dimensions": [{"dimension": "sex"}]}]}
EOF

# The author: create, a frame, an output, submit.
as "$RITA" airlock request p1 --title "Sex ratio"
check "rita creates a request (exit 0)" test "$(rc)" = 0
id=$(cat "$work/out")
check "... and is told its id" test "$id" = p1-e1
as "$RITA" airlock request "$id" --json --frame "$work/frame.json"
check "rita adds the frame" test "$(field "['frames'][0]['name']")" = people
check "... a draft" test "$(field "['state']")" = draft
check "... at revision 2" test "$(field "['revision']")" = 2
as "$RITA" airlock request "$id" --output "$work/by-sex.json"
check "rita adds a table output (text)" out_has "output by-sex (table, csv"
as "$RITA" airlock request "$id" --recompute --submit
check "two changes at once are unusable (exit 2)" test "$(rc)" = 2
check "... and she is told to give one" err_has "exactly one of"
as "$RITA" airlock request "$id" --json --submit
check "rita submits" test "$(field "['state']")" = submitted
rev=$(field "['revision']")
check "... the outputs computed, with a verdict" test "$(field "['outputs'][0]['verdict']['outcome']")" != ""
as "$RITA" airlock list --json --project p1
check "rita's list holds it" out_has "\"$id\""

# Who may not.
run user grant rita --role checker
as "$RITA" airlock review "$id" --revision "$rev" --decide by-sex=approve
check "the author's own review is refused (exit 3)" test "$(rc)" = 3
check "... as a permission error" err_has PERMISSION_DENIED
for cmd in "show $id" "request $id --recompute" "review $id --revision $rev --decide by-sex=approve"; do
  # shellcheck disable=SC2086
  as "$ROB" airlock $cmd
  check "rob: airlock ${cmd%% *} is refused (exit 3)" test "$(rc)" = 3
done
as "$ROB" airlock show "$id"
check "... rob is told it is unknown or not his" err_has "export request $id is unknown or not yours"
as "$ROB" airlock show p1-e99
check "... as for a request that does not exist" err_has "export request p1-e99 is unknown or not yours"
as "$ROB" airlock list --json
check "rob's list does not hold it" out_lacks "\"$id\""
as "$ROB" airlock request p1 --title "Not mine"
check "rob cannot create a request in p1" test "$(rc)" = 3
as "$CARL" airlock list --state nonsense
check "an unknown --state is unusable (exit 2)" test "$(rc)" = 2

# The checkers.
as "$CARL" airlock review "$id" --revision "$rev" --decide by-sex=approve --json
check "carl approves" test "$(field "['state']")" = partially_reviewed
as "$CARL" airlock review "$id" --revision "$rev" --decide by-sex=changes --decide by-sex=approve
check "one output decided twice is unusable (exit 2)" test "$(rc)" = 2
as "$CLEO" airlock review "$id" --revision "$rev" --decide by-sex=approve --comment "by-sex=cells fine, quartz-77"
check "cleo approves" test "$(rc)" = 0
as "$CARL" airlock show "$id" --json
check "show --json: approved" test "$(field "['state']")" = approved
check "... two reviews" test "$(field "['reviews'].__len__()")" = 2
check "... both of revision $rev" test "$(field "['reviews'][1]['revision']")" = "$rev"
check "... cleo's comment kept" out_has "quartz-77"
as "$CARL" airlock show "$id" --evidence
check "show --evidence: the file as it would leave" out_has "file by-sex.csv ("
check "... its CSV, header first" out_has "    table,sex,value"
as "$CARL" airlock show "$id" --evidence --json
check "... the file's bytes are the output's" test "$(python3 -c '
import base64, hashlib, json, sys
v = json.load(open(sys.argv[1]))
print(hashlib.sha256(base64.b64decode(v["files"][0]["content_base64"])).hexdigest() == v["outputs"][0]["sha256"])
' "$work/out")" = True
check "... and the checks' runs" test "$(field "['checks']['runs'].__contains__('people/count')")" = True
as "$ROB" airlock show "$id" --evidence
check "rob reads no file (exit 3)" test "$(rc)" = 3
check "... nor any of its lines" out_lacks "table,sex,value"
as "$CARL" airlock list --state approved
check "list --state approved holds it (text)" out_has "$id"
as "$ROB" airlock show "$id" --json
check "rob still learns nothing" out_lacks "quartz-77"
check "... nor from the error" err_lacks "quartz-77"

# A custom file uploaded with its declaration (through the server too, in base64).
printf '\x89PNG\r\n\x1a\n-a-chart-\x00\xff' >"$work/chart.png"
echo '{"output": "chart", "kind": "custom", "format": "png", "explanation": "a chart of public figures"}' \
  >"$work/chart.json"
as "$RITA" airlock request p1 --title "Chart" --json --output "$work/chart.json" --file "$work/chart.png"
check "rita uploads a custom PNG" test "$(rc)" = 0
idc=$(field "['id']")
check "... its output's digest is the file's" \
  test "$(field "['outputs'][0]['sha256']")" = "$(sha256sum "$work/chart.png" | cut -d' ' -f1)"
as "$RITA" airlock request "$idc" --output "$work/by-sex.json" --file "$work/chart.png"
check "a table with a file is unusable (exit 2)" test "$(rc)" = 2
as "$CARL" airlock show "$idc" --evidence --json
check "... a checker reads the PNG byte for byte" test "$(python3 -c '
import base64, json, sys
v = json.load(open(sys.argv[1]))
print(base64.b64decode(v["files"][0]["content_base64"]) == open(sys.argv[2], "rb").read())
' "$work/out" "$work/chart.png")" = True
as "$CARL" airlock show "$idc" --evidence
check "... and show --evidence names it without printing its bytes" out_has "(png: read it with --json"

if [[ ${3:-} == remote ]]; then
  prints_as_locally() {  # airlock arguments: what carl sees through the server is what he sees locally
    as_local "$CARL" airlock "$@"
    cp "$work/out" "$work/local.txt"
    as "$CARL" airlock "$@"
    check "through the server, airlock $* prints what it prints locally" cmp -s "$work/out" "$work/local.txt"
    cmp -s "$work/out" "$work/local.txt" || diff "$work/local.txt" "$work/out" | head -10
  }
  for cmd in "show $id" "show $id --json" "list --project p1" "list --json --state approved"; do
    # shellcheck disable=SC2086
    prints_as_locally $cmd
  done

  # What leaves the airlock, through the server: refused to a checker; rita's
  # release and downloads, the register and the rules print and write what
  # the local commands print and write (a bundle made later differs only in
  # its proof and checkpoint: the log grew), and the bundle verifies.
  same_bundle() { cmp -s <(head -3 "$1") <(head -3 "$2"); }  # magic, body, entry
  as "$CARL" airlock release "$id" --out "$work/dl"
  check "through the server, carl cannot release it (exit 3)" test "$(rc)" = 3
  check "... and nothing is written" test ! -e "$work/dl/$id.hdhub-cert"
  as "$RITA" airlock release "$id" --out "$work/dl" --json
  check "through the server, rita releases it" test "$(rc)" = 0
  cp "$work/out" "$work/remote.txt"
  mv "$work/dl" "$work/released"
  as_local "$RITA" airlock download "$id" --out "$work/dl" --json
  check "release --json through the server prints what download --json prints locally" \
    cmp -s "$work/out" "$work/remote.txt"
  check "... the same file, byte for byte" cmp -s "$work/released/$id.by-sex.csv" "$work/dl/$id.by-sex.csv"
  check "... the same certificate" same_bundle "$work/released/$id.hdhub-cert" "$work/dl/$id.hdhub-cert"
  LOGKEY=$("$HDHUB" audit log-key 2>/dev/null)
  run airlock verify "$work/released/$id.hdhub-cert" "$work/released/$id.by-sex.csv" --log-key "$LOGKEY"
  check "airlock verify: the release through the server holds (exit 0)" test "$(rc)" = 0
  for json in "" --json; do
    rm -rf "$work/dl"
    as_local "$RITA" airlock download "$id" --out "$work/dl" $json
    cp "$work/out" "$work/local.txt"
    cp "$work/dl/$id.by-sex.csv" "$work/local.csv"
    cp "$work/dl/$id.hdhub-cert" "$work/local.cert"
    rm -rf "$work/dl"
    as "$RITA" airlock download "$id" --out "$work/dl" $json
    check "through the server, airlock download $json prints what it prints locally" cmp -s "$work/out" "$work/local.txt"
    check "... and writes the same file" cmp -s "$work/dl/$id.by-sex.csv" "$work/local.csv"
    check "... and the same certificate" same_bundle "$work/dl/$id.hdhub-cert" "$work/local.cert"
    run airlock verify "$work/dl/$id.hdhub-cert" "$work/dl/$id.by-sex.csv" --log-key "$LOGKEY"
    check "... which verifies (exit 0)" test "$(rc)" = 0
  done
  as "$ROB" airlock download "$id" --out "$work/rob"
  check "through the server, rob cannot download it (exit 3)" test "$(rc)" = 3

  OLGA=$(token_for olga)
  echo '{"min_count": 12}' >"$work/rules.json"
  as "$RITA" airlock rules --propose "$work/rules.json"
  check "through the server, a researcher cannot propose rules (exit 3)" test "$(rc)" = 3
  as "$OLGA" airlock rules --propose "$work/rules.json"
  check "olga proposes through the server" out_has "waiting for a second operator"
  as "$OLGA" airlock rules --confirm "$work/rules.json"
  check "olga cannot confirm her own proposal (exit 3)" test "$(rc)" = 3
  as "$OMAR" airlock rules --confirm "$work/rules.json" --json
  check "omar confirms through the server: in force" test "$(field "['in_force']['min_count']")" = 12
  for cmd in "register" "register --json" "register --project p1" "rules" "rules --json"; do
    # shellcheck disable=SC2086
    prints_as_locally $cmd
  done
  as "$CARL" airlock register --json
  check "the register through the server holds the release" test "$(field "['entries'][0]['outputs'][0]['name']")" = by-sex

  check "the commands went through the server" test "$(grep -c '"http.request"' "$work/serve.log")" -ge 20
  kill -TERM $SERVER
  wait $SERVER
  check "SIGTERM: the server exits 0" test $? = 0
fi
finish
