#!/usr/bin/python3
"""Independent decryptor (and test-only sealer) for hdhub sealed objects.

Written from docs/formats/sealed-object.md alone, not from the C++ code, so that
CTest can check the implementation against the specification. Uses Debian's
python3-cryptography (run with /usr/bin/python3).

  unseal.py unseal --key-hex K [--aad-hex A] INPUT OUTPUT
  unseal.py seal   --key-hex K [--aad-hex A] [--segment-size N] INPUT OUTPUT

Exit status: 0 on success, 1 when the object is rejected (the DATA_LOSS cases
of section 6), 2 on a usage error. OUTPUT is written only after every segment
has been authenticated.
"""

import argparse
import os
import sys

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# Section 3.1: the header.
MAGIC = b"HDSO"
VERSION = 0x01
HEADER_SIZE = 48
SALT_OFFSET, SALT_SIZE = 9, 32
PREFIX_OFFSET, PREFIX_SIZE = 41, 7
MIN_SEGMENT_SIZE, MAX_SEGMENT_SIZE = 1024, 64 * 1024 * 1024
DEFAULT_SEGMENT_SIZE = 64 * 1024  # section 3.1: what writers use by default
# Section 3.2 and 4.
TAG_SIZE = 16
MAX_SEGMENTS = 2**32
KEY_LABEL = b"hdhub sealed-object v1"
# Section 2.
MAX_ASSOCIATED_DATA = 16384


class Rejected(Exception):
    """The object is not a valid sealed object for this key and associated data."""


def object_key(data_key, salt, associated_data):
    """Section 4.1."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt,
                info=KEY_LABEL + associated_data)
    return hkdf.derive(data_key)


def segment_nonce(prefix, index, last):
    """Section 4.2."""
    return prefix + index.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


def layout(segment_size, total_size):
    """Section 5: (segment count, plaintext size) or Rejected."""
    if total_size < HEADER_SIZE + TAG_SIZE:
        raise Rejected("shorter than a header and one tag")
    body = total_size - HEADER_SIZE
    full = segment_size + TAG_SIZE
    count, remainder = divmod(body, full)
    if remainder != 0:
        if remainder < TAG_SIZE:
            raise Rejected("the last segment cannot hold its tag")
        count += 1
    if count > MAX_SEGMENTS:
        raise Rejected("more than 2^32 segments")
    return count, body - TAG_SIZE * count


def parse_header(header):
    """Section 3.1 and section 6, checks 1-3: returns segment_size."""
    if len(header) < HEADER_SIZE or header[0:4] != MAGIC:
        raise Rejected("bad magic")
    if header[4] != VERSION:
        raise Rejected("unsupported version %d" % header[4])
    segment_size = int.from_bytes(header[5:9], "big")
    if not MIN_SEGMENT_SIZE <= segment_size <= MAX_SEGMENT_SIZE:
        raise Rejected("segment size %d out of range" % segment_size)
    return segment_size


def unseal(data_key, associated_data, sealed):
    """Section 6, whole-object decryption."""
    header = sealed[:HEADER_SIZE]
    segment_size = parse_header(header)
    count, _ = layout(segment_size, len(sealed))
    aead = AESGCM(object_key(data_key, header[SALT_OFFSET:SALT_OFFSET + SALT_SIZE],
                             associated_data))
    prefix = header[PREFIX_OFFSET:PREFIX_OFFSET + PREFIX_SIZE]
    full = segment_size + TAG_SIZE
    parts = []
    for i in range(count):
        start = HEADER_SIZE + i * full
        segment = sealed[start:start + full]  # the last one is cut short by the end
        try:
            parts.append(aead.decrypt(segment_nonce(prefix, i, i == count - 1), segment, header))
        except InvalidTag:
            raise Rejected("segment %d failed authentication" % i) from None
    return b"".join(parts)


def seal(data_key, associated_data, plaintext, segment_size, salt=None, prefix=None):
    """Sections 3 and 4, for the reverse interop test and the worked example."""
    salt = os.urandom(SALT_SIZE) if salt is None else salt
    prefix = os.urandom(PREFIX_SIZE) if prefix is None else prefix
    header = MAGIC + bytes([VERSION]) + segment_size.to_bytes(4, "big") + salt + prefix
    aead = AESGCM(object_key(data_key, salt, associated_data))
    # At least one segment; an exact multiple ends with a full last segment.
    count = max(1, -(-len(plaintext) // segment_size))
    out = [header]
    for i in range(count):
        chunk = plaintext[i * segment_size:(i + 1) * segment_size]
        out.append(aead.encrypt(segment_nonce(prefix, i, i == count - 1), chunk, header))
    return b"".join(out)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["unseal", "seal"])
    parser.add_argument("--key-hex", required=True, help="the 32-byte data key, hex")
    parser.add_argument("--aad-hex", default="", help="associated data, hex")
    parser.add_argument("--segment-size", type=int, default=DEFAULT_SEGMENT_SIZE)
    parser.add_argument("--salt-hex", help="fixed salt (test vectors only)")
    parser.add_argument("--nonce-prefix-hex", help="fixed nonce prefix (test vectors only)")
    parser.add_argument("input")
    parser.add_argument("output")
    args = parser.parse_args(argv)
    try:
        key = bytes.fromhex(args.key_hex)
        aad = bytes.fromhex(args.aad_hex)
        salt = bytes.fromhex(args.salt_hex) if args.salt_hex else None
        prefix = bytes.fromhex(args.nonce_prefix_hex) if args.nonce_prefix_hex else None
    except ValueError as e:
        print("unseal.py: bad hex argument: %s" % e, file=sys.stderr)
        return 2
    if len(key) != 32 or len(aad) > MAX_ASSOCIATED_DATA or (salt is not None and len(salt) != SALT_SIZE) or \
            (prefix is not None and len(prefix) != PREFIX_SIZE) or \
            not MIN_SEGMENT_SIZE <= args.segment_size <= MAX_SEGMENT_SIZE:
        print("unseal.py: bad key, associated data, salt, nonce prefix or segment size",
              file=sys.stderr)
        return 2
    with open(args.input, "rb") as f:
        data = f.read()
    if args.command == "seal":
        result = seal(key, aad, data, args.segment_size, salt, prefix)
    else:
        try:
            result = unseal(key, aad, data)
        except Rejected as e:
            print("unseal.py: rejected %s: %s" % (args.input, e), file=sys.stderr)
            return 1
    with open(args.output, "wb") as f:
        f.write(result)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
