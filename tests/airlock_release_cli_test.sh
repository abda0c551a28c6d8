#!/usr/bin/env bash
# What leaves the airlock, through the binary (docs/airlock-workflow.md §5,
# §6, §8): rita's approved request is released to a directory, its files and
# certificate bundle pass `airlock verify` (and a tampered file fails it),
# a second release is chained to the first (--history), download gives the
# same bytes, and the register lists both releases with no value. Refused: a
# release by anyone but the author, a second release of the same request, a
# release into a directory that holds its certificate already. `hdhub check
# --remove-unknown` keeps every object a release sealed. The hub's
# disclosure rules: one operator proposes, a second confirms; the proposer
# cannot confirm, nobody else may propose.
# Usage: airlock_release_cli_test.sh <hdhub binary> <shared/snds dir>
set -uo pipefail
source "$(dirname "$0")/cli_test_lib.sh"
start_test_hub "$1" "airlock release passphrase 2026"
SNDS=$2
field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))$1)" "$work/out" 2>/dev/null; }

airlock_test_hub 300 11 alma:auditor

cat >"$work/frame.json" <<'EOF'
{"frame": "people", "unit": "person", "person": "BEN_NIR_PSA",
 "sql": "SELECT BEN_NIR_PSA, BEN_SEX_COD FROM IR_BEN_R",
 "dimensions": [{"name": "sex", "column": "BEN_SEX_COD", "values": ["1", "2"]}]}
EOF
output() {  # name [filter]: a count by sex, of every sex or of one
  local dim='{"dimension": "sex"}'
  [[ -n ${2:-} ]] && dim="{\"dimension\": \"sex\", \"filter\": \"$2\"}"
  echo "{\"output\": \"$1\", \"frame\": \"people\", \"measure\": \"count\", \"tables\": [{\"id\": \"t\", \"dimensions\": [$dim]}]}" \
    >"$work/$1.json"
}
approved() {  # title output-file [frame-file]: a request of rita's, submitted and approved by carl and cleo; prints its id
  as "$RITA" airlock request p1 --title "$1" --json ${3:+--frame "$3"} --output "$2"
  local id; id=$(field "['id']")
  as "$RITA" airlock request "$id" --json --submit
  local rev; rev=$(field "['revision']")
  as "$CARL" airlock review "$id" --revision "$rev" --decide "$(basename "$2" .json)=approve"
  as "$CLEO" airlock review "$id" --revision "$rev" --decide "$(basename "$2" .json)=approve" --json
  echo "$id"
}

output by-sex
id=$(approved "Sex ratio" "$work/by-sex.json" "$work/frame.json")
as "$CARL" airlock show "$id" --json
check "the request is approved" test "$(field "['state']")" = approved

# Only its author releases it.
for who in CARL ROB ALMA; do
  as "${!who}" airlock release "$id" --out "$work/rel-$who"
  check "${who,,} cannot release it (exit 3)" test "$(rc)" = 3
  check "... and nothing is written" test ! -e "$work/rel-$who/$id.hdhub-cert"
done
as "$RITA" --server https://127.0.0.1:9 airlock release "$id" --out "$work/rel-nowhere"
check "through a server that does not answer: refused (exit 3)" test "$(rc)" = 3
check "... and nothing is written" test ! -e "$work/rel-nowhere/$id.hdhub-cert"

as "$RITA" airlock release "$id" --out "$work/rel" --json
check "rita releases it" test "$(rc)" = 0
check "... release 1 of p1" test "$(field "['release']")" = 1
check "... its file written" test -s "$work/rel/$id.by-sex.csv"
check "... with the digest it states" test "$(sha256sum <"$work/rel/$id.by-sex.csv" | cut -d' ' -f1)" = "$(field "['files'][0]['sha256']")"
check "... and its certificate bundle" test -s "$work/rel/$id.hdhub-cert"
check "the file is the table: a header and one row per cell" test "$(head -1 "$work/rel/$id.by-sex.csv")" = "table,sex,value"
as "$RITA" airlock show "$id" --json
check "the request is released" test "$(field "['state']")" = released
as "$RITA" airlock release "$id" --out "$work/rel2"
check "a second release of it is refused (exit 3)" test "$(rc)" = 3

LOGKEY=$("$HDHUB" audit log-key 2>/dev/null)
check "the log's verifier key" test -n "$LOGKEY"
run airlock verify "$work/rel/$id.hdhub-cert" "$work/rel/$id.by-sex.csv" --log-key "$LOGKEY"
check "airlock verify: the release holds (exit 0)" test "$(rc)" = 0
cp "$work/rel/$id.by-sex.csv" "$work/tampered.csv"
sed -i '2s/,[0-9]*$/,999/' "$work/tampered.csv"
run airlock verify "$work/rel/$id.hdhub-cert" "$work/tampered.csv" --log-key "$LOGKEY"
check "airlock verify: a tampered file fails (exit 1)" test "$(rc)" = 1

# A second request, released next to the first and chained to it.
output women 2
id2=$(approved "Women" "$work/women.json")  # the frame is the project's, frozen since release 1
as "$RITA" airlock release "$id2" --out "$work/rel" --json
check "the second request is release 2" test "$(field "['release']")" = 2
run airlock verify "$work/rel/$id2.hdhub-cert" "$work/rel/$id2.women.csv" --log-key "$LOGKEY" --history "$work/rel"
check "airlock verify --history: the chain holds (exit 0)" test "$(rc)" = 0

# File outputs: a model's coefficients and a custom note, uploaded with --file.
printf 'term,estimate\nintercept,0.5\nsex2,0.25\n' >"$work/fit.csv"
cat >"$work/fit.json" <<'EOF'
{"output": "fit", "kind": "model", "frame": "people", "format": "csv",
 "columns": [{"name": "term", "kind": "dimension"}, {"name": "estimate", "kind": "measure"}]}
EOF
printf 'Method: a logistic model of sex, no value from the data.\n' >"$work/notes.txt"
echo '{"output": "notes", "kind": "custom", "format": "txt"}' >"$work/notes.json"
as "$RITA" airlock request p1 --title "Model" --json --output "$work/fit.json" --file "$work/fit.csv"
id3=$(field "['id']")
check "a model with its coefficients file" test "$(field "['outputs'][0]['verdict']['outcome']")" = pass
check "... 2 parameters over the frame's people" test "$(field "['outputs'][0]['verdict']['parameters']")" = 2
as "$RITA" airlock request "$id3" --output "$work/notes.json"
check "a custom output without its file is refused (exit 2)" test "$(rc)" = 2
check "... saying so" err_has "without its file"
as "$RITA" airlock request "$id3" --output "$work/notes.json" --output "$work/fit.json" --file "$work/notes.txt"
check "--file with two outputs is refused (exit 2)" test "$(rc)" = 2
as "$RITA" airlock request "$id3" --output "$work/notes.json" --file "$work/fit.csv" --json
check "a custom note is added" test "$(field "['outputs'][1]['verdict']['outcome']")" = review
as "$RITA" airlock request "$id3" --submit
check "a custom output without the author's explanation is not submitted (exit 3)" test "$(rc)" = 3
echo '{"output": "notes", "kind": "custom", "format": "txt", "explanation": "the method, for the paper"}' \
  >"$work/notes.json"
as "$RITA" airlock request "$id3" --output "$work/notes.json" --file "$work/notes.txt"
as "$RITA" airlock request "$id3" --submit --json
check "with its explanation it is submitted" test "$(field "['state']")" = submitted
rev3=$(field "['revision']")
as "$CARL" airlock review "$id3" --revision "$rev3" --decide fit=approve --decide notes=approve
check "a custom file is not approved without a reason (exit 2)" test "$(rc)" = 2
for who in CARL CLEO; do
  as "${!who}" airlock review "$id3" --revision "$rev3" --decide fit=approve --decide notes=approve \
    --comment "notes=words only, no number"
done
as "$RITA" airlock release "$id3" --out "$work/rel3" --json
check "the model and the note are released" test "$(rc)" = 0
check "... the coefficients as uploaded" cmp -s "$work/fit.csv" "$work/rel3/$id3.fit.csv"
check "... the note as uploaded" cmp -s "$work/notes.txt" "$work/rel3/$id3.notes.txt"
run airlock verify "$work/rel3/$id3.hdhub-cert" "$work/rel3/$id3.fit.csv" "$work/rel3/$id3.notes.txt" \
  --log-key "$LOGKEY" --json
check "airlock verify: the file outputs hold (exit 0)" test "$(rc)" = 0
check "... both checked" test "$(field "['outputs_checked'].__len__()")" = 2
echo "Method: a logistic model of sex, 11 women." >"$work/forged.txt"
run airlock verify "$work/rel3/$id3.hdhub-cert" "$work/forged.txt" --log-key "$LOGKEY"
check "airlock verify: another note fails (exit 1)" test "$(rc)" = 1

# The host check knows what the releases sealed: nothing unknown, nothing
# removed, and the files still download afterwards.
run check --remove-unknown --json
check "hdhub check: no unknown object after two releases" test "$(field "['unknown_objects']")" = 0
check "... nothing damaged" test "$(field "['damaged'].__len__()")" = 0

as "$RITA" airlock download "$id" --out "$work/rel"
check "download into the same directory is refused (exit 3)" test "$(rc)" = 3
as "$RITA" airlock download "$id" --out "$work/again"
check "download: the same file" cmp -s "$work/rel/$id.by-sex.csv" "$work/again/$id.by-sex.csv"
as "$ROB" airlock download "$id" --out "$work/rob"
check "rob cannot download it (exit 3)" test "$(rc)" = 3

as "$ALMA" airlock register --json
check "the register lists three releases" test "$(field "['entries'].__len__()")" = 3
check "... with p1's authorisation" out_has "\"authorisation\""
check "... the outputs by name" out_has "\"women\""
check "... no checker" out_lacks "carl"
as "$ROB" airlock register --project p1
check "any account reads the register (text)" out_has "by-sex"

# The hub's rules: two operators.
echo '{"min_count": 12}' >"$work/rules.json"
as "$RITA" airlock rules --propose "$work/rules.json"
check "a researcher cannot propose rules (exit 3)" test "$(rc)" = 3
run airlock rules --propose "$work/rules.json"
check "olga proposes" out_has "waiting for a second operator"
run airlock rules --confirm "$work/rules.json"
check "olga cannot confirm her own proposal (exit 3)" test "$(rc)" = 3
as "$OMAR" airlock rules --confirm "$work/rules.json" --json
check "omar confirms: in force" test "$(field "['in_force']['min_count']")" = 12
as "$RITA" airlock rules
check "anyone reads the rules in force" out_has "confirmed by omar"

# A project's own rules, stricter than the defaults, at its creation ...
create_p2() {  # rules file
  as "$STAN" project create --id p2 --authorisation CNIL-DR-2026-p2 --purpose "Test p2" --scope "$work/scope.json" \
    --start "$(day '-1 day')" --end "$(day '+30 days')" --member rita --airlock-rules "$1"
}
echo '{"min_count": 5}' >"$work/loose.json"
create_p2 "$work/loose.json"
check "project rules looser than the defaults are refused (exit 2)" test "$(rc)" = 2
check "... naming the member" err_has "min_count"
echo '{"min_count": 20, "zeros": "suppress"}' >"$work/strict.json"
create_p2 "$work/strict.json"
check "stricter project rules are recorded" test "$(rc)" = 0
as "$STAN" project show p2 --json
check "... and shown with the project" test "$(field "['airlock_rules']['min_count']")" = 20
# ... and changed as its scope is: back to draft, two operators approve again.
as "$STAN" project change p2 --scope "$work/scope.json" --member rita --airlock-rules "$work/loose.json"
check "a change to looser project rules is refused (exit 2)" test "$(rc)" = 2
echo '{"min_count": 25, "zeros": "suppress"}' >"$work/stricter.json"
as "$STAN" project change p2 --scope "$work/scope.json" --member rita --airlock-rules "$work/stricter.json"
check "project change replaces its rules" test "$(rc)" = 0
as "$STAN" project show p2 --json
check "... shown with the project" test "$(field "['airlock_rules']['min_count']")" = 25
check "... which is a draft again" test "$(field "['state']")" = draft
finish
