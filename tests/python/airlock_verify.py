#!/usr/bin/python3
"""Independent verifier of hdhub airlock release certificates, written from
docs/formats/airlock-certificate.md (§6 checks 1-7, the §7 sketch) with the
standard library, `cryptography` and the audit log's verifier
(audit_verify.py); no hdhub code. Step 8 (re-solving intervals) is not done.

Usage:
  airlock_verify.py BUNDLE [FILE...] --log-key KEY [--history DIR]
      prints "OK" or the first failed check; exit 0 or 1.
  airlock_verify.py --testdata DIR [--hdhub PATH]
      runs every case of DIR/variants.json (testdata/airlock/certificate):
      the golden bundles verify, each tampered variant fails at its step;
      with --hdhub, `hdhub airlock verify --json` over each case as well.
"""
import argparse
import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from audit_verify import VerifyError, leaf_hash, root_from_inclusion_proof, verify_checkpoint  # noqa: E402

MAGIC = b"hdhub-airlock-certificate v1"
BODY_MEMBERS = {"format", "v", "log_origin", "project", "authorisation_ref", "request", "revision", "release",
                "released_at", "author", "reviews", "rules", "hdhub", "history", "frames", "outputs",
                "evidence_sha256", "nonce"}
HISTORY_START = b"hdhub airlock history v1\n"


class CheckFailed(Exception):
    def __init__(self, step, message):
        super().__init__("check %d failed: %s" % (step, message))
        self.step = step


def require(step, condition, message):
    if not condition:
        raise CheckFailed(step, message)


def is_hex(text, digits):
    return isinstance(text, str) and len(text) == digits and all(c in "0123456789abcdef" for c in text)


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def read_bundle(data):
    """Check 1: the layout, the body's members and canonical form, the entry's JSON."""
    parts = data.split(b"\n", 5)
    require(1, len(parts) == 6 and parts[0] == MAGIC, "not a v1 certificate bundle")
    _, body, entry, pos, proof, note = parts
    try:
        b, e = json.loads(body), json.loads(entry)
        index, size = (int(x) for x in pos.split(b" "))
    except ValueError:
        raise CheckFailed(1, "body, entry or position does not parse")
    require(1, isinstance(b, dict) and set(b) == BODY_MEMBERS, "the body's members are not those of §2")
    require(1, canonical(b).encode() == body and canonical(e).encode() == entry, "body or entry not canonical JSON")
    require(1, b["format"] == "hdhub-airlock-certificate" and b["v"] == 1, "not format v1")
    require(1, index < size, "leaf index not below tree size")
    hashes = [h for h in proof.decode().split(",") if h]
    require(1, all(is_hex(h, 64) for h in hashes), "a proof hash is not 64 hex digits")
    return dict(body=body, entry=entry, b=b, e=e, index=index, size=size,
                proof=[bytes.fromhex(h) for h in hashes], note=note.decode())


def history_next(before, body):
    return hashlib.sha256(before + hashlib.sha256(body).digest()).digest()


def check_log(x, vkey):
    """Checks 2 (signature), 3 (inclusion) and 4 (binding)."""
    try:
        origin, cp_size, root = verify_checkpoint(x["note"], vkey)
    except (VerifyError, ValueError, IndexError):
        raise CheckFailed(2, "the checkpoint is not signed by the log key")
    require(2, origin == vkey.split("+")[0] == x["b"]["log_origin"], "origin is not the key's name and log_origin")
    require(2, cp_size == x["size"], "the checkpoint's size is not the bundle's")
    try:
        proved = root_from_inclusion_proof(x["index"], x["size"], leaf_hash(x["entry"]), x["proof"])
    except VerifyError:
        proved = None
    require(3, proved == root, "the entry is not in the checkpoint's tree")
    b, e = x["b"], x["e"]
    d = e.get("details", {})
    after = history_next(bytes.fromhex(b["history"]["before"]), x["body"]).hex()
    require(4, e.get("action") == "airlock.release" and e.get("outcome") == "success", "not a release entry")
    require(4, e.get("project") == b["project"] and e.get("actor") == b["author"], "project or actor differs")
    require(4, e.get("objects", {}).get("export_request") == b["request"], "export request differs")
    require(4, d.get("seq") == b["release"] and d.get("revision") == b["revision"], "seq or revision differs")
    require(4, d.get("certificate_sha256") == hashlib.sha256(x["body"]).hexdigest(), "certificate_sha256 differs")
    require(4, d.get("history_before") == b["history"]["before"], "history_before differs")
    require(4, d.get("history_after") == after, "history_after differs")
    require(4, d.get("reviewers") == [r["checker"] for r in b["reviews"]], "reviewers differ")



def check_csv(b, out, data):
    frame = b["frames"][out["frame"]]
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    header = ["table"] + [d["name"] for d in frame["dimensions"]] + ["value"]
    require(5, rows and rows[0] == header, "CSV header of output %s" % out["name"])
    require(5, len(rows) == len(out["cells"]) + 1, "CSV rows of output %s" % out["name"])
    for row, c in zip(rows[1:], out["cells"]):
        if c["status"] == "suppressed":
            want = ""
        elif out["measure"] in ("count", "units"):
            want = str(c["value"])
        else:
            want = row[-1] if row[-1] and float(row[-1]) == float(c["value"]) else None
        require(5, row == [c["table"]] + c["codes"] + [want], "CSV row of cell %s" % c["codes"])


def check_files(b, files):
    """Check 5: each file is exactly one output; a table's CSV is its cells."""
    for data in files:
        digest = hashlib.sha256(data).hexdigest()
        hits = [o for o in b["outputs"] if o["sha256"] == digest and o["bytes"] == len(data)]
        require(5, len(hits) == 1, "a file matches no output (or several)")
        if hits[0]["kind"] == "table" and hits[0]["format"] == "csv":
            check_csv(b, hits[0], data)


def cross_product(frame, table):
    """Every cell's codes of `table`, one per frame dimension, the table's last dimension fastest."""
    lists = {d["name"]: ["*"] for d in frame["dimensions"]}
    order = []
    for td in table["dimensions"]:
        declared = [c["code"] for f in frame["dimensions"] if f["name"] == td["dimension"] for c in f["codes"]]
        lists[td["dimension"]] = td["codes"] or declared
        order.append(td["dimension"])
    cells = [{}]
    for name in order:
        cells = [dict(c, **{name: code}) for c in cells for code in lists[name]]
    return [[c.get(d["name"], "*") for d in frame["dimensions"]] for c in cells]


def check_rules(b):
    """Check 6: cross-products; no small count published; no disclosive interval."""
    T = b["rules"]["min_count"]
    for out in b["outputs"]:
        if out["kind"] != "table":
            continue
        frame = b["frames"][out["frame"]]
        want = [(t["id"], codes) for t in out["tables"] for codes in cross_product(frame, t)]
        require(6, [(c["table"], c["codes"]) for c in out["cells"]] == want, "cells of %s out of order" % out["name"])
        count = out["measure"] == "count"
        for c in out["cells"]:
            if c["status"] == "published":
                require(6, not count or c["value"] == 0 or c["value"] >= T, ("small count", c["codes"]))
                continue
            lo, hi = c["interval"]
            require(6, 0 <= lo and (hi is None or lo <= hi), ("interval", c["codes"]))
            require(6, not (count and lo >= 1 and hi is not None and hi <= T - 1), ("small group", c["codes"]))
            require(6, not (b["rules"]["zeros"] == "suppress" and hi == 0), ("known zero", c["codes"]))


def check_history(x, vkey, earlier):
    """Check 7: each earlier bundle passes 1-4, and the chain from H_0 reaches history.before."""
    by_release = {}
    for data in earlier:
        try:
            y = read_bundle(data)
            check_log(y, vkey)
        except CheckFailed as f:
            raise CheckFailed(7, "an earlier bundle fails check %d" % f.step)
        require(7, y["b"]["project"] == x["b"]["project"], "an earlier bundle of another project")
        by_release[y["b"]["release"]] = y
    h = hashlib.sha256(HISTORY_START + x["b"]["project"].encode()).digest()
    for s in range(1, x["b"]["history"]["releases"] + 1):
        require(7, s in by_release, "release %d of the chain is missing" % s)
        require(7, by_release[s]["b"]["history"]["before"] == h.hex(), "release %d's history.before" % s)
        h = history_next(h, by_release[s]["body"])
    require(7, h.hex() == x["b"]["history"]["before"], "the chain does not reach history.before")


def verify(bundle, vkey, files, earlier=None):
    """Returns 0 when checks 1-6 (and 7 with `earlier`) hold; raises CheckFailed otherwise."""
    x = read_bundle(bundle)
    check_log(x, vkey)
    check_files(x["b"], files)
    check_rules(x["b"])
    if earlier is not None:
        check_history(x, vkey, earlier)
    return 0


def failed_step(*args):
    try:
        return verify(*args)
    except CheckFailed as f:
        return f.step
    except (KeyError, TypeError, ValueError, IndexError):
        return 1  # a member of the wrong type or missing: the form


def hdhub_step(hdhub, root, v, key):
    """The step `hdhub airlock verify --json` reports as failed (0 when it holds)."""
    args = [hdhub, "airlock", "verify", "--json", os.path.join(root, v["bundle"])]
    args += [os.path.join(root, n) for n in v["files"]] + ["--log-key", key]
    if "history" in v:
        history = os.path.join(root, "history-of-" + v["bundle"].replace("/", "-"))
        os.makedirs(history, exist_ok=True)
        for name in os.listdir(history):
            os.remove(os.path.join(history, name))
        for name in v["history"]:
            with open(os.path.join(root, name), "rb") as src, open(os.path.join(history, os.path.basename(name)), "wb") as dst:
                dst.write(src.read())
        args += ["--history", history]
    p = subprocess.run(args, capture_output=True, text=True)
    report = json.loads(p.stdout)
    step = report["failed_check"]["number"] if "failed_check" in report else 0
    return step if p.returncode == (1 if step else 0) else -p.returncode


def run_testdata(root, hdhub=None, workdir=None):
    def read(name):
        with open(os.path.join(root, name), "rb") as f:
            return f.read()

    with open(os.path.join(root, "variants.json")) as f:
        variants = json.load(f)
    failures = []
    for v in variants:
        key = read(v["key"]).decode().strip()
        earlier = [read(h) for h in v["history"]] if "history" in v else None
        got = failed_step(read(v["bundle"]), key, [read(n) for n in v["files"]], earlier)
        if got != v["fails_at"]:
            failures.append("%s: fails at %d, want %d" % (v["name"], got, v["fails_at"]))
        if hdhub:
            got = hdhub_step(hdhub, workdir, v, key)
            if got != v["fails_at"]:
                failures.append("%s: hdhub airlock verify fails at %d, want %d" % (v["name"], got, v["fails_at"]))
    for f in failures:
        print("FAILED: " + f)
    print("%d cases, %d failures" % (len(variants), len(failures)))
    return 1 if failures or len(variants) < 14 else 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--testdata")
    parser.add_argument("--hdhub", help="with --testdata: also run this hdhub binary over each case")
    parser.add_argument("--workdir", help="with --hdhub: a scratch directory (a copy of the test data)")
    parser.add_argument("bundle", nargs="?")
    parser.add_argument("files", nargs="*")
    parser.add_argument("--log-key")
    parser.add_argument("--history")
    args = parser.parse_args()
    if args.testdata:
        workdir = None
        if args.hdhub:
            workdir = args.workdir
            shutil.rmtree(workdir, ignore_errors=True)
            shutil.copytree(args.testdata, workdir)
        return run_testdata(args.testdata, args.hdhub, workdir)
    earlier = None
    if args.history:
        names = sorted(n for n in os.listdir(args.history) if n.endswith(".hdhub-cert"))
        earlier = [open(os.path.join(args.history, n), "rb").read() for n in names
                   if not os.path.samefile(os.path.join(args.history, n), args.bundle)]
    try:
        verify(open(args.bundle, "rb").read(), args.log_key, [open(f, "rb").read() for f in args.files], earlier)
    except CheckFailed as f:
        print(f)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
