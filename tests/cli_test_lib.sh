# Helpers shared by the CLI test scripts (sourced, not run). The caller sets
# HDHUB (the binary) and work (a scratch directory), and ends with `finish`.
passed=0
failed=0

check() {  # description, command...: passes when the command succeeds
  local what=$1; shift
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAILED: $what"
    [[ -s "$work/err" ]] && sed 's/^/  stderr: /' "$work/err"
  fi
  return 0
}
run() {  # runs hdhub with no terminal, keeping stdout, stderr and exit code
  "$HDHUB" "$@" </dev/null >"$work/out" 2>"$work/err"
  echo $? >"$work/rc"
}
rc() { cat "$work/rc"; }
out_has() { grep -q -- "$1" "$work/out"; }
err_has() { grep -q -- "$1" "$work/err"; }
out_lacks() { ! grep -q -- "$1" "$work/out"; }
finish() {
  echo "$passed passed, $failed failed"
  test "$failed" = 0
}
