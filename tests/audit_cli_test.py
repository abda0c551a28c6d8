#!/usr/bin/python3
"""End-to-end test of `hdhub audit …` (exit codes 0/1/2, verify, witness),
run by CTest with the audit CLI binary, the log helper and the source dir."""
import json
import os
import shutil
import subprocess
import sys

CLI, TESTLOG, SOURCE, WORK = sys.argv[1:5]
failures = []


def run(*args, hub=None):
    cmd = [CLI] + (["--hub", hub] if hub else []) + ["audit"] + list(args)
    p = subprocess.run(cmd, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def expect(code, what, *args, hub=None):
    rc, out, err = run(*args, hub=hub)
    if rc != code:
        failures.append("%s: exit %d, want %d\n%s%s" % (what, rc, code, out, err))
    return out


def check_vectors():
    v = json.load(open(os.path.join(SOURCE, "testdata/audit/rfc6962_vectors.json")))
    for c in v["inclusion"]:
        expect(0, "inclusion vector", "check-inclusion", "--index", str(c["index"]), "--size", str(c["size"]),
               "--leaf-hash", v["leaf_hashes"][c["index"]], "--root", v["roots"][c["size"]],
               "--proof", ",".join(c["proof"]))
    for c in v["tampered_inclusion"]:
        expect(1, "tampered inclusion: " + c["desc"], "check-inclusion", "--index", str(c["index"]),
               "--size", str(c["size"]), "--leaf-hash", c["leaf_hash"], "--root", c["root"],
               "--proof", ",".join(c["proof"]))
    for c in v["consistency"]:
        expect(0, "consistency vector", "check-consistency", "--size1", str(c["size1"]), "--size2", str(c["size2"]),
               "--root1", v["roots"][c["size1"]], "--root2", v["roots"][c["size2"]], "--proof", ",".join(c["proof"]))
    for c in v["tampered_consistency"][:12]:
        expect(1, "tampered consistency: " + c["desc"], "check-consistency", "--size1", str(c["size1"]),
               "--size2", str(c["size2"]), "--root1", c["root1"], "--root2", c["root2"], "--proof", ",".join(c["proof"]))
    expect(2, "bad hex", "check-inclusion", "--index", "0", "--size", "1", "--leaf-hash", "xyz",
           "--root", v["roots"][1], "--proof", "")
    expect(2, "missing option", "check-consistency", "--size1", "1")


def check_log_and_witness():
    shutil.rmtree(WORK, ignore_errors=True)
    hub, wstate = os.path.join(WORK, "hub"), os.path.join(WORK, "witness")
    subprocess.run([TESTLOG, hub, "20"], check=True, capture_output=True)
    expect(0, "verify intact log", "verify", hub=hub)
    proof = dict(l.split(" ", 1) for l in expect(0, "prove", "prove", "--index", "7", hub=hub).split("\n") if l)
    expect(0, "check printed proof", "check-inclusion", "--index", "7", "--size", proof["size"],
           "--leaf-hash", proof["leaf_hash"], "--root", proof["root"], "--proof", proof["proof"])
    vkey = expect(0, "log-key", "log-key", hub=hub).strip()
    expect(0, "keygen", "keygen", "--state", wstate, "--name", "witness.test/w1")
    old_cp = os.path.join(WORK, "cp20")
    shutil.copy(os.path.join(hub, "state", "audit", "checkpoint"), old_cp)
    witness = ["witness", "--state", wstate, "--log-key", vkey, "--checkpoint"]
    cosigned = expect(0, "witness first checkpoint", *witness, old_cp)
    if "witness.test/w1" not in cosigned:
        failures.append("witness did not countersign")
    subprocess.run([TESTLOG, hub, "15"], check=True, capture_output=True)
    cons = dict(l.split(" ", 1) for l in expect(0, "consistency", "consistency", "--size1", "20", hub=hub).split("\n") if l)
    proof_file = os.path.join(WORK, "proof")
    open(proof_file, "w").write(cons["proof"])
    new_cp = os.path.join(hub, "state", "audit", "checkpoint")
    expect(0, "witness newer checkpoint", *witness, new_cp, "--proof", proof_file)
    expect(1, "witness refuses rollback", *witness, old_cp)
    open(proof_file, "w").write("zz," + cons["proof"])
    expect(2, "witness rejects unparsable proof", *witness, new_cp, "--proof", proof_file)
    # Edit one byte of an entry: verify must fail.
    seg = os.path.join(hub, "state", "audit", "seg-%020d.log" % 0)
    data = bytearray(open(seg, "rb").read())
    at = data.find(b'"actor":"bob"') + 10
    data[at] = ord("B")
    open(seg, "wb").write(bytes(data))
    expect(1, "verify detects edited entry", "verify", hub=hub)


check_vectors()
check_log_and_witness()
if failures:
    print("\n".join(failures))
    sys.exit(1)
print("OK")
