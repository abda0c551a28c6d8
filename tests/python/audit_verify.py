#!/usr/bin/python3
"""Independent verifier of hdhub audit artefacts, written from
docs/formats/audit-log.md only (no hdhub code): checks a signed checkpoint
(C2SP signed note, Ed25519), an inclusion proof, and the segment files.

Usage:
  audit_verify.py --helper PATH_TO_hdhub_audit_testlog --workdir DIR
      creates a log with the helper, then verifies what it printed and the
      files it wrote, and checks that tampered variants are rejected.
  audit_verify.py --json FILE [--audit-dir DIR]
      verifies a JSON document of the helper's shape.
Exit status 0 when everything verifies and every tampered variant fails.
"""
import argparse
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

EM_DASH = "\u2014"


class VerifyError(Exception):
    pass


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def parse_verifier_key(vkey: str):
    name, key_id_hex, blob_b64 = vkey.split("+", 2)
    blob = base64.b64decode(blob_b64, validate=True)
    if len(blob) != 33 or blob[0] != 0x01:
        raise VerifyError("verifier key is not an Ed25519 key")
    public_key = blob[1:]
    key_id = hashlib.sha256(name.encode() + b"\x0a\x01" + public_key).digest()[:4]
    if key_id.hex() != key_id_hex:
        raise VerifyError("verifier key id does not match SHA-256(name || 0x0A || 0x01 || key)[:4]")
    return name, key_id, Ed25519PublicKey.from_public_bytes(public_key)


def verify_checkpoint(note: str, vkey: str):
    """Returns (origin, size, root) of a checkpoint signed by vkey."""
    name, key_id, public_key = parse_verifier_key(vkey)
    if not note.endswith("\n"):
        raise VerifyError("note does not end with a newline")
    split = note.rfind("\n\n")
    if split < 0:
        raise VerifyError("note has no blank line before its signatures")
    text, signatures = note[: split + 1], note[split + 2:]
    verified = False
    for line in signatures.splitlines():
        if not line.startswith(EM_DASH + " "):
            raise VerifyError("malformed signature line")
        sig_name, sig_b64 = line[2:].split(" ", 1)
        blob = base64.b64decode(sig_b64, validate=True)
        if sig_name != name or blob[:4] != key_id:
            continue  # another key (e.g. a witness): ignored
        try:
            public_key.verify(blob[4:], text.encode("utf-8"))
        except InvalidSignature:
            raise VerifyError("checkpoint signature does not verify")
        verified = True
    if not verified:
        raise VerifyError("no signature by the log key")
    lines = text.split("\n")
    origin, size, root = lines[0], int(lines[1]), base64.b64decode(lines[2], validate=True)
    if str(size) != lines[1] or len(root) != 32:
        raise VerifyError("malformed checkpoint body")
    return origin, size, root


def root_from_inclusion_proof(index, size, leaf, proof):
    if index >= size:
        raise VerifyError("index beyond size")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise VerifyError("proof too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn & 1 == 0 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerifyError("proof too short")
    return r


def merkle_root(leaves):
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(merkle_root(leaves[:k]), merkle_root(leaves[k:]))


def read_records(data, off, first, where):
    """Records (length, leaf hash, entry; audit-log.md §3) from byte `off` of `data`, the first one
    entry `first`: their leaf hashes, each checked against its entry and its sequence number."""
    leaves = []
    while off < len(data):
        length = int.from_bytes(data[off:off + 4], "big")
        stored, entry = data[off + 4:off + 36], data[off + 36:off + 36 + length]
        if len(entry) != length or leaf_hash(entry) != stored:
            raise VerifyError("%s: damaged record at byte %d" % (where, off))
        if json.loads(entry)["seq"] != first + len(leaves):
            raise VerifyError("entry out of sequence")
        leaves.append(stored)
        off += 36 + length
    return leaves


def read_segments(audit_dir):
    """Leaf hashes of all entries, checked against the stored hashes."""
    names = sorted(n for n in os.listdir(audit_dir) if n.startswith("seg-") and n.endswith(".log"))
    leaves = []
    for name in names:
        data = open(os.path.join(audit_dir, name), "rb").read()
        if data[:8] != b"HDHAUD01" or int.from_bytes(data[8:16], "big") != len(leaves):
            raise VerifyError(name + ": bad header")
        leaves += read_records(data, 16, len(leaves), name)
    return leaves


def verify_document(doc, audit_dir=None):
    origin, size, root = verify_checkpoint(doc["checkpoint"], doc["verifier_key"])
    if origin != doc["verifier_key"].split("+")[0]:
        raise VerifyError("checkpoint origin is not the log key name")
    entry = doc["entry"].encode("utf-8")
    leaf = leaf_hash(entry)
    if leaf.hex() != doc["leaf_hash"]:
        raise VerifyError("leaf hash is not SHA-256(0x00 || entry)")
    if json.loads(entry)["seq"] != doc["index"]:
        raise VerifyError("entry seq differs from its index")
    proof = [bytes.fromhex(h) for h in doc["proof"].split(",") if h]
    if root_from_inclusion_proof(doc["index"], size, leaf, proof) != root:
        raise VerifyError("inclusion proof does not lead to the checkpoint root")
    if audit_dir is not None:
        leaves = read_segments(audit_dir)
        if len(leaves) < size or merkle_root(leaves[:size]) != root:
            raise VerifyError("segment files do not match the checkpoint")


def must_fail(description, doc, audit_dir=None):
    try:
        verify_document(doc, audit_dir)
    except (VerifyError, ValueError, KeyError):
        return
    raise VerifyError("tampered variant verified: " + description)


def tampered_variants(doc):
    def flip_sig(note):
        head, line = note.rstrip("\n").rsplit("\n", 1)
        prefix, b64 = line.rsplit(" ", 1)
        blob = bytearray(base64.b64decode(b64))
        blob[10] ^= 1
        return head + "\n" + prefix + " " + base64.b64encode(bytes(blob)).decode() + "\n"

    lines = doc["checkpoint"].split("\n")
    yield "flipped signature bit", dict(doc, checkpoint=flip_sig(doc["checkpoint"]))
    yield "changed tree size", dict(doc, checkpoint="\n".join([lines[0], str(int(lines[1]) + 1)] + lines[2:]))
    yield "edited entry", dict(doc, entry=doc["entry"].replace("researcher", "researchex"))
    yield "wrong index", dict(doc, index=doc["index"] + 1)
    proof = doc["proof"].split(",")
    yield "truncated proof", dict(doc, proof=",".join(proof[:-1]))
    yield "extra proof element", dict(doc, proof=",".join(proof + [proof[0]]))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--helper")
    parser.add_argument("--workdir")
    parser.add_argument("--json")
    parser.add_argument("--audit-dir")
    args = parser.parse_args()
    audit_dir = args.audit_dir
    if args.helper:
        shutil.rmtree(args.workdir, ignore_errors=True)
        hub = os.path.join(args.workdir, "hub")
        out = subprocess.run([args.helper, hub, "13", "6"], check=True, capture_output=True, text=True).stdout
        doc = json.loads(out)
        audit_dir = os.path.join(hub, "state", "audit")
    else:
        doc = json.load(open(args.json))
    try:
        verify_document(doc, audit_dir)
        for description, variant in tampered_variants(doc):
            must_fail(description, variant)
    except VerifyError as e:
        print("FAIL:", e)
        return 1
    print("OK: checkpoint signature, inclusion proof of entry %d of %d and segment files verify; "
          "tampered variants fail" % (doc["index"], doc["size"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
