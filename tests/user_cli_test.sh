#!/usr/bin/env bash
# The hub's directory from the command line, as an operator uses it: the
# first operator made by init, accounts not keys (the passphrase alone grants
# nothing), users, roles, dual control of the operator role, API tokens shown
# once, whoami, revocation, disabling, the passphrase change, the refusals
# (with their exit codes) and no secret anywhere in the hub's files.
# Usage: user_cli_test.sh <hdhub binary>
set -uo pipefail
HDHUB=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source "$(dirname "$0")/cli_test_lib.sh"
export HDHUB_HOME="$work/hub"
export HDHUB_PASSPHRASE="user cli passphrase"
unset HDHUB_TOKEN HDHUB_USER_PASSWORD HDHUB_USER HDHUB_PASSWORD
alice_password="alice's long password"
opal_password="opal's long password"

HDHUB_PASSWORD=$opal_password HDHUB_PASSPHRASE="password123456" run init --operator opal
check "init refuses a guessable passphrase" test "$(rc)" = 2
check "the refusal says why" err_has "too easy to guess"
check "a refused init leaves no hub" test ! -e "$HDHUB_HOME/hub.json" -a ! -e "$HDHUB_HOME/state"
HDHUB_PASSWORD=short run init --operator opal
check "init refuses a short operator password" test "$(rc)" = 2
HDHUB_PASSWORD=$opal_password run init
check "init needs the first operator's name" test "$(rc)" = 2
check "init says how to name the operator" err_has "operator"
HDHUB_PASSWORD=$opal_password run init --operator opal
check "init succeeds" test "$(rc)" = 0
check "init names the first operator" out_has "first operator: opal"

# The passphrase alone grants nothing: every command needs an account.
run user list
check "no account: refused" test "$(rc)" = 3
check "no account: the message says what to set" err_has "HDHUB_TOKEN"
HDHUB_USER=opal HDHUB_PASSWORD="not opal's password" run user list
check "wrong password: refused" test "$(rc)" = 3
check "wrong password: unauthenticated" err_has "UNAUTHENTICATED"
export HDHUB_USER=opal HDHUB_PASSWORD=$opal_password

# Users.
HDHUB_USER_PASSWORD=$alice_password run user add alice --role researcher --role checker
check "user add succeeds" test "$(rc)" = 0
check "user add reports the roles" out_has "alice created with roles researcher,checker"
HDHUB_USER_PASSWORD="olga's long password" run user add olga --role operator
check "second user add succeeds" test "$(rc)" = 0
HDHUB_USER_PASSWORD=$alice_password run user add alice --role steward
check "duplicate user refused" test "$(rc)" = 3
check "duplicate user says why" err_has "ALREADY_EXISTS"
HDHUB_USER_PASSWORD=$alice_password run user add bob --role wizard
check "unknown role is a usage error" test "$(rc)" = 2
HDHUB_USER_PASSWORD=short run user add bob --role researcher
check "short password is a usage error" test "$(rc)" = 2
check "short password says the minimum" err_has "at least 12"
HDHUB_USER_PASSWORD=$alice_password run user add Bob --role researcher
check "bad user name is a usage error" test "$(rc)" = 2
run user add carol --role researcher
check "no password and no terminal refused" test "$(rc)" = 3
check "no password names the variable" err_has "HDHUB_USER_PASSWORD"
run user
check "user without subcommand is a usage error" test "$(rc)" = 2
HDHUB_PASSPHRASE=wrong HDHUB_USER_PASSWORD=$alice_password run user add mallory --role operator
check "wrong hub passphrase refused" test "$(rc)" = 3
check "wrong hub passphrase says so" err_has "passphrase"
# Two operators exist now (opal, and olga whom the first operator added):
# a third is made only by two operators in turn.
HDHUB_USER_PASSWORD=$alice_password run user add puppet --role operator
check "a third operator cannot be added by one operator" test "$(rc)" = 3
check "the refusal says two operators are needed" err_has "two operators"

run user list
check "user list succeeds" test "$(rc)" = 0
check "user list shows alice" grep -Eq "^alice +researcher,checker +active" "$work/out"
check "user list shows olga" grep -Eq "^olga +operator +active" "$work/out"
check "user list shows the first operator" grep -Eq "^opal +operator +active" "$work/out"
check "the puppet operator was not created" out_lacks "puppet"
check "refused users were not created" out_lacks "bob"
check "no user added without the hub passphrase" out_lacks "mallory"
run --json user list
check "user list as JSON" out_has '\["alice","researcher,checker","active"'

# Tokens.
run token issue alice --label laptop
check "token issue succeeds" test "$(rc)" = 0
token=$(cat "$work/out")
check "token printed alone on stdout" grep -Eqx "hdh_[0-9a-f]{16}_[A-Za-z0-9_-]{43}" "$work/out"
check "token shown-once warning on stderr" err_has "shown only this once"
check "the token is said to be the PG wire password" err_has "alice's password on the PG wire"
id=${token:4:16}
HDHUB_TOKEN=$token run whoami
check "whoami succeeds" test "$(rc)" = 0
check "whoami names user and roles" out_has "alice (researcher,checker)"
HDHUB_TOKEN=$token run --json whoami
check "whoami as JSON" out_has '{"roles":\["researcher","checker"\],"user":"alice"}'
last=${token: -1}
if [ "$last" = A ]; then swap=B; else swap=A; fi
HDHUB_TOKEN="${token%?}$swap" run whoami
check "tampered token refused" test "$(rc)" = 3
check "tampered token refusal is clear" err_has "UNAUTHENTICATED"
HDHUB_USER= run whoami
check "whoami without an account refused" test "$(rc)" = 3
check "whoami without an account names the variable" err_has "HDHUB_TOKEN"
run whoami
check "whoami by password names the operator" out_has "opal (operator)"

# A researcher's token is the researcher, whatever she runs.
HDHUB_TOKEN=$token run token issue alice --ttl 365d
check "a researcher cannot issue tokens" test "$(rc)" = 3
check "the refusal is a permission error" err_has "PERMISSION_DENIED"
HDHUB_TOKEN=$token HDHUB_USER_PASSWORD=$alice_password run user add mallory --role operator
check "a researcher cannot create accounts" test "$(rc)" = 3
HDHUB_TOKEN=$token run query "SELECT 1"
check "a researcher cannot query the catalog" test "$(rc)" = 3
HDHUB_TOKEN=$token run catalog list
check "a researcher cannot read the catalog" test "$(rc)" = 3
run audit show --actor alice
check "the researcher's refusals are logged under her name" grep -Eq "alice .*token.issue.*denied" "$work/out"
check "and her refused catalog query" grep -Eq "alice .*query.run.*denied" "$work/out"

run token list
check "token list succeeds" test "$(rc)" = 0
check "token list shows the token" grep -Eq "^$id +alice +laptop .* active" "$work/out"
check "token list never shows the secret" out_lacks "${token:21}"
run token issue alice --ttl 400d
check "too long a lifetime is a usage error" test "$(rc)" = 2
run token issue alice --ttl 3w
check "unknown ttl unit is a usage error" test "$(rc)" = 2
run token issue nobody
check "token for an unknown user refused" test "$(rc)" = 3

run token revoke "$id"
check "token revoke succeeds" test "$(rc)" = 0
HDHUB_TOKEN=$token run whoami
check "revoked token refused" test "$(rc)" = 3
check "revoked token refusal is clear" err_has "invalid, expired or revoked"
run token revoke "$id"
check "second revoke refused" test "$(rc)" = 3
run token list alice
check "token list shows the revocation" grep -Eq "^$id .* revoked" "$work/out"

# Disabling a user refuses their tokens until enabled again.
run token issue alice --ttl 12h
token2=$(cat "$work/out")
run user disable alice
check "user disable succeeds" test "$(rc)" = 0
HDHUB_TOKEN=$token2 run whoami
check "disabled user's token refused" test "$(rc)" = 3
run user enable alice
check "user enable succeeds" test "$(rc)" = 0
HDHUB_TOKEN=$token2 run whoami
check "enabled user's token accepted" test "$(rc)" = 0

run user grant alice --role steward
check "grant succeeds" test "$(rc)" = 0
run user revoke alice --role checker
check "revoke succeeds" test "$(rc)" = 0
HDHUB_TOKEN=$token2 run whoami
check "whoami shows the new roles" out_has "alice (steward,researcher)"
run user grant alice
check "grant without --role is a usage error" test "$(rc)" = 2
run user disable olga
check "an operator can disable another operator" test "$(rc)" = 0
HDHUB_USER=opal run user disable opal
check "last active operator cannot be disabled" test "$(rc)" = 3
check "last operator refusal says why" err_has "last active operator"
run user enable olga
check "the other operator is enabled again" test "$(rc)" = 0

# Dual control: one operator's grant of the operator role waits for another's.
run user grant alice --role operator
check "the first operator's grant is accepted" test "$(rc)" = 0
check "and is pending" out_has "pending"
run user grant alice --role operator
check "the same operator cannot confirm her own grant" test "$(rc)" = 3
check "the refusal asks for a second operator" err_has "second, different operator"
HDHUB_USER=olga HDHUB_PASSWORD="olga's long password" run user grant alice --role operator
check "a second operator's grant completes it" test "$(rc)" = 0
HDHUB_TOKEN=$token2 run whoami
check "alice is an operator now" out_has "alice (operator,"
run user revoke alice --role operator
check "the operator role can be revoked" test "$(rc)" = 0

# The hub passphrase can be changed (operators); a weak one is refused.
HDHUB_NEW_PASSPHRASE="password123456" run passphrase change
check "a guessable new passphrase is refused" test "$(rc)" = 2
HDHUB_TOKEN=$token2 HDHUB_NEW_PASSPHRASE="lantern quarry velvet 17" run passphrase change
check "a non-operator cannot change the passphrase" test "$(rc)" = 3
HDHUB_NEW_PASSPHRASE="lantern quarry velvet 17" run passphrase change
check "passphrase change succeeds" test "$(rc)" = 0
run whoami
check "the old passphrase no longer opens the hub" test "$(rc)" = 3
export HDHUB_PASSPHRASE="lantern quarry velvet 17"
run whoami
check "the new passphrase opens the hub" test "$(rc)" = 0
HDHUB_USER_PASSWORD="alice's second password" run user passwd alice
check "passwd succeeds" test "$(rc)" = 0
run user passwd nobody
check "passwd of an unknown user refused" test "$(rc)" = 3

# The command line is consistent: --version, help, suggestions, --json
# anywhere and for errors too, a missing input file is a usage error.
run --version
check "--version prints the version" out_has "hdhub "
run usr list
check "a mistyped command is a usage error" test "$(rc)" = 2
check "a mistyped command suggests the right one" err_has "did you mean 'user'"
run user lsit
check "a mistyped subcommand suggests the right one" err_has "did you mean 'list'"
run help project
check "help on one command" out_has "approve"
subcommands() {  # the subcommands a help text lists
  awk '/^Subcommands:/ {on = 1; next} on && /^  [a-z]/ {print $1} on && /^$/ {on = 0}' "$1"
}
without_example=""
walk() {  # command words...: every command with no subcommand of its own shows an example
  "$HDHUB" help "$@" >"$work/help.txt" 2>&1
  local subs
  subs=$(subcommands "$work/help.txt")
  if [[ -z $subs ]]; then
    grep -q "^Example:" "$work/help.txt" || without_example+=" '$*'"
    return
  fi
  for s in $subs; do walk "$@" "$s"; done
}
walk
check "every command's help has an example (missing:$without_example)" test -z "$without_example"
run user list --json
check "--json after the subcommand" out_has '"columns"'
run --json token revoke 0123456789abcdef
check "errors as JSON with --json" grep -q '^{"error":{"code":"NOT_FOUND","message":' "$work/err"
run ingest --dataset ER_PRS_F --schema /nonexistent/schema.json "$work/nonexistent.csv"
check "a missing input file is a usage error" test "$(rc)" = 2
mkdir -p "$work/cfg" && printf 'hub = "%s"\nuser = "opal"\n' "$HDHUB_HOME" >"$work/cfg/hdhub.toml"
(cd "$work/cfg" && HDHUB_HOME= HDHUB_USER= run whoami)
check "hdhub.toml names the hub and the account" out_has "opal (operator)"
printf '[serve]\nlisten = ["127.0.0.1:5432", "[::1]:5432"]\nmax_connections = 5\n[serve.tls]\ncertificate = "c.pem"\nkey = "k.pem"\n[serve.query]\ntimeout = 60\n' >>"$work/cfg/hdhub.toml"
(cd "$work/cfg" && HDHUB_HOME= HDHUB_USER= run whoami)
check "a [serve] table beside them changes nothing for the other commands" out_has "opal (operator)"

# Everything is audited, and no password or token is in any file of the hub.
run audit show --action auth.
check "authentications are in the audit log" out_has "auth.token"
run audit show --action token.
check "token changes are in the audit log" out_has "token.revoke"
for secret in "$alice_password" "alice's second password" "olga's long password" "$opal_password" "$token" "${token:21}" \
  "$token2" "${token2:21}"; do
  check "no secret in the hub's files" test -z "$(grep -rlaF -- "$secret" "$HDHUB_HOME")"
done

finish
