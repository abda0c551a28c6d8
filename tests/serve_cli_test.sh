#!/usr/bin/env bash
# `hdhub serve` from the command line: its [serve] table in hdhub.toml beside
# the CLI's own settings, and configuration errors named by file, line and key
# (the server itself is tested in src/hdhub/server/pg_server_test.cc).
# Usage: serve_cli_test.sh <hdhub binary>
set -uo pipefail
HDHUB=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source "$(dirname "$0")/cli_test_lib.sh"
unset HDHUB_CONFIG

printf 'json = true\n\n[serve]\nlisten = ["127.0.0.1:5432"]\nmax_conections = 5\n' >"$work/typo.toml"
run --config "$work/typo.toml" serve
check "a misspelt key is refused, named with file and line" err_has "typo.toml:5: serve.max_conections: unknown key"
check "a configuration error is a usage error" test "$(rc)" = 2

printf '[serve]\nworker_threads = "eight"\n' >"$work/type.toml"
run --config "$work/type.toml" serve
check "a value of the wrong type is named" err_has "type.toml:2: serve.worker_threads: expected an integer"

printf '[serve]\nmax_connections = 5\n' >"$work/notls.toml"
run --config "$work/notls.toml" serve
check "TLS is required" err_has "serve.tls: set certificate and key"

mkdir -p "$work/cwd"
printf '[serve]\nlisten = "127.0.0.1:5432"\n' >"$work/cwd/hdhub.toml"
(cd "$work/cwd" && run serve)
check "./hdhub.toml is read by default" err_has "hdhub.toml:2: serve.listen: expected a list of strings"

run --config "$work/missing.toml" serve
check "a missing configuration file is refused" test "$(rc)" != 0

finish
