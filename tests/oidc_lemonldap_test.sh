#!/usr/bin/env bash
# The OpenID Connect relying party (src/hdhub/server/oidc.h) against a real
# LemonLDAP::NG 2.16: starts one with scripts/lemonldap-start on a free port of
# 127.0.0.1, runs hdhub_oidc_provider_test with its client.env in the
# environment, and stops it by PID whatever happens.
#   tests/oidc_lemonldap_test.sh TEST_BINARY SOURCE_DIR WORK_DIR
set -euo pipefail
[[ $# -eq 3 ]] || { sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
BINARY=$1
SOURCE=$2
WORK=$3
DIR=$WORK/lemonldap

cleanup() { "$SOURCE/scripts/lemonldap-stop" "$DIR" || true; }
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$WORK"
"$SOURCE/scripts/lemonldap-start" "$DIR" "$PORT" "http://hdhub.localhost:$PORT/auth/callback" \
  "http://hdhub.localhost:$PORT/" >/dev/null
set -a
# shellcheck disable=SC1091
source "$DIR/client.env"
set +a
"$BINARY" --gtest_brief=1
# Nothing of the portal must outlive the test.
cleanup
trap - EXIT
pid_file=$DIR/run/portal.pid
[[ ! -f $pid_file ]] || { echo "oidc_lemonldap_test: the portal's PID file is still there" >&2; exit 1; }
[[ ! -e $DIR/run/state ]] || { echo "oidc_lemonldap_test: the portal's state directory is still there" >&2; exit 1; }
echo "oidc_lemonldap_test: OK"
