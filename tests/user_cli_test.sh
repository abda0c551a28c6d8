#!/usr/bin/env bash
# The hub's directory from the command line, as an operator uses it: users,
# roles, API tokens shown once, whoami, revocation, disabling, the refusals
# (with their exit codes) and no secret anywhere in the hub's files.
# Usage: user_cli_test.sh <hdhub binary>
set -uo pipefail
HDHUB=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source "$(dirname "$0")/cli_test_lib.sh"
export HDHUB_HOME="$work/hub"
export HDHUB_PASSPHRASE="user cli passphrase"
unset HDHUB_TOKEN HDHUB_USER_PASSWORD
alice_password="alice's long password"


run init
check "init succeeds" test "$(rc)" = 0

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

run user list
check "user list succeeds" test "$(rc)" = 0
check "user list shows alice" grep -Eq "^alice +researcher,checker +active" "$work/out"
check "user list shows olga" grep -Eq "^olga +operator +active" "$work/out"
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
run whoami
check "whoami without a token refused" test "$(rc)" = 3
check "whoami without a token names the variable" err_has "HDHUB_TOKEN"

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
check "last active operator cannot be disabled" test "$(rc)" = 3
check "last operator refusal says why" err_has "last active operator"
HDHUB_USER_PASSWORD="alice's second password" run user passwd alice
check "passwd succeeds" test "$(rc)" = 0
run user passwd nobody
check "passwd of an unknown user refused" test "$(rc)" = 3

# Everything is audited, and no password or token is in any file of the hub.
run audit show --action auth.
check "authentications are in the audit log" out_has "auth.token"
run audit show --action token.
check "token changes are in the audit log" out_has "token.revoke"
for secret in "$alice_password" "alice's second password" "olga's long password" "$token" "${token:21}" \
  "$token2" "${token2:21}"; do
  check "no secret in the hub's files" test -z "$(grep -rlaF -- "$secret" "$HDHUB_HOME")"
done

finish
