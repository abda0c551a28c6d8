#!/bin/sh
# Interoperability of the sealed-object format (docs/formats/sealed-object.md):
# objects sealed by the C++ code open with the independent Python decryptor
# (tests/python/unseal.py) and the other way round, and both reject tampered
# copies. Registered in CTest by src/hdhub/crypto/CMakeLists.txt.
#
# usage: sealed_object_interop_test.sh SEAL_TOOL PYTHON UNSEAL_PY
set -eu
tool=$1 python=$2 unseal_py=$3
work=$(mktemp -d "${TMPDIR:-/tmp}/hdhub-seal-interop-XXXXXX")
trap 'rm -rf "$work"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
hex() { od -An -v -tx1 | tr -d ' \n'; }

key=$(head -c 32 /dev/urandom | hex)
other_key=$(head -c 32 /dev/urandom | hex)
aad=$(printf 'datasets/demo/v1/part-0.parquet' | hex)
other_aad=$(printf 'datasets/demo/v1/part-1.parquet' | hex)

py() { "$python" "$unseal_py" "$@"; }

# Expects exit status 1 (rejected) from a decryptor, not success or a crash.
expect_rejected() {
  what=$1; shift
  set +e
  "$@" 2>/dev/null
  status=$?
  set -e
  [ "$status" -eq 1 ] || fail "$what: expected rejection (exit 1), got exit $status"
}

# Copy of $1 with byte $2 XORed with 0x01.
flip() {
  "$python" -c 'import sys
d = bytearray(open(sys.argv[1], "rb").read()); d[int(sys.argv[2])] ^= 1
open(sys.argv[3], "wb").write(d)' "$1" "$2" "$3"
}

round_trip() {
  seg=$1 size=$2
  head -c "$size" /dev/urandom > "$work/plain"
  # C++ seals, Python opens.
  "$tool" seal --key-hex "$key" --aad-hex "$aad" --segment-size "$seg" "$work/plain" "$work/sealed"
  py unseal --key-hex "$key" --aad-hex "$aad" "$work/sealed" "$work/opened" ||
    fail "unseal.py rejected a C++ object (segment $seg, size $size)"
  cmp -s "$work/plain" "$work/opened" || fail "unseal.py output differs (segment $seg, size $size)"
  # Python seals, C++ opens.
  py seal --key-hex "$key" --aad-hex "$aad" --segment-size "$seg" "$work/plain" "$work/py_sealed"
  "$tool" unseal --key-hex "$key" --aad-hex "$aad" "$work/py_sealed" "$work/py_opened" ||
    fail "C++ rejected a Python object (segment $seg, size $size)"
  cmp -s "$work/plain" "$work/py_opened" || fail "C++ output differs (segment $seg, size $size)"
  cmp -s "$work/sealed" "$work/py_sealed" && fail "two seals are identical (salt not random?)"
  [ "$(wc -c < "$work/sealed")" -eq "$(wc -c < "$work/py_sealed")" ] ||
    fail "C++ and Python object sizes differ (segment $seg, size $size)"
}

for size in 0 1 1023 1024 1025 3072 5000 100003; do round_trip 1024 "$size"; done
for size in 0 262144 600000; do round_trip 262144 "$size"; done
echo "round trips: ok"

# Tampered copies of a three-segment object, rejected by both decryptors.
head -c 2100 /dev/urandom > "$work/plain"
"$tool" seal --key-hex "$key" --aad-hex "$aad" --segment-size 1024 "$work/plain" "$work/sealed"
total=$(wc -c < "$work/sealed")   # 48 + 2 x 1040 + 52 + 16 = 2196
for offset in 0 4 6 20 45 48 100 1087 1088 2000 $((total - 1)); do
  flip "$work/sealed" "$offset" "$work/bad"
  expect_rejected "unseal.py, byte $offset flipped" \
    py unseal --key-hex "$key" --aad-hex "$aad" "$work/bad" "$work/out"
  expect_rejected "hdhub_seal_tool, byte $offset flipped" \
    "$tool" unseal --key-hex "$key" --aad-hex "$aad" "$work/bad" "$work/out"
done
# Drop the last segment (68 bytes): a well-sized object whose last flag is wrong.
head -c $((total - 68)) "$work/sealed" > "$work/bad"
expect_rejected "unseal.py, last segment dropped" \
  py unseal --key-hex "$key" --aad-hex "$aad" "$work/bad" "$work/out"
head -c $((total - 5)) "$work/sealed" > "$work/bad"
expect_rejected "unseal.py, truncated inside a tag" \
  py unseal --key-hex "$key" --aad-hex "$aad" "$work/bad" "$work/out"
expect_rejected "unseal.py, wrong associated data" \
  py unseal --key-hex "$key" --aad-hex "$other_aad" "$work/sealed" "$work/out"
expect_rejected "unseal.py, wrong key" \
  py unseal --key-hex "$other_key" --aad-hex "$aad" "$work/sealed" "$work/out"
# Swap segments 0 and 1 (both full, 1040 bytes each).
"$python" -c 'import sys
d = open(sys.argv[1], "rb").read(); h, a, b, rest = d[:48], d[48:1088], d[1088:2128], d[2128:]
open(sys.argv[2], "wb").write(h + b + a + rest)' "$work/sealed" "$work/bad"
expect_rejected "unseal.py, segments swapped" \
  py unseal --key-hex "$key" --aad-hex "$aad" "$work/bad" "$work/out"
expect_rejected "hdhub_seal_tool, segments swapped" \
  "$tool" unseal --key-hex "$key" --aad-hex "$aad" "$work/bad" "$work/out"
echo "tampered copies rejected: ok"
