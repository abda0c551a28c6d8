#!/usr/bin/python3
"""End-to-end test of `hdhub audit …` (exit codes 0/1/2, reads through an
account, proofs round-trip, witness, offline verify), run by CTest with the
hdhub binary, the source dir and a work dir."""
import json
import os
import shutil
import subprocess
import sys

CLI, SOURCE, WORK = sys.argv[1:4]
failures = []
PASSPHRASE = "audit cli test passphrase"
PASSWORDS = {"opal": "opal's long password", "audrey": "audrey's long password", "rita": "rita's long password"}


def env_for(user):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HDHUB_")}
    env["HDHUB_PASSPHRASE"] = PASSPHRASE
    if user:
        env["HDHUB_USER"] = user
        env["HDHUB_PASSWORD"] = PASSWORDS[user]
    return env


def run(*args, hub=None, user=None, extra_env=None):
    cmd = [CLI] + (["--hub", hub] if hub else []) + list(args)
    env = env_for(user)
    env.update(extra_env or {})
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    return p.returncode, p.stdout, p.stderr


def expect(code, what, *args, hub=None, user=None, extra_env=None, cmd="audit"):
    rc, out, err = run(*([cmd] if cmd else []), *args, hub=hub, user=user, extra_env=extra_env)
    if rc != code:
        failures.append("%s: exit %d, want %d\n%s%s" % (what, rc, code, out, err))
    return out


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


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


def fields(text):
    return dict((l.split(" ", 1) + [""])[:2] for l in text.split("\n") if l)


def audit_read_outcomes(hub, actor):
    out = expect(0, "audit show audit.read", "--json", "show", "--action", "audit.read", "--actor", actor,
                 hub=hub, user="audrey")
    return [e["outcome"] for e in json.loads(out)] if out else []


def check_log_and_witness():
    shutil.rmtree(WORK, ignore_errors=True)
    hub, wstate = os.path.join(WORK, "hub"), os.path.join(WORK, "witness")
    expect(0, "init", "init", "--operator", "opal", hub=hub, user="opal", cmd=None)
    expect(0, "add auditor", "user", "add", "audrey", "--role", "auditor", hub=hub, user="opal", cmd=None,
           extra_env={"HDHUB_USER_PASSWORD": PASSWORDS["audrey"]})
    expect(0, "add researcher", "user", "add", "rita", "--role", "researcher", hub=hub, user="opal", cmd=None,
           extra_env={"HDHUB_USER_PASSWORD": PASSWORDS["rita"]})

    # The hub's log is read through an account: an auditor or an operator.
    expect(3, "verify without an account", "verify", hub=hub)
    expect(3, "verify as a researcher", "verify", hub=hub, user="rita")
    expect(3, "show as a researcher", "show", hub=hub, user="rita")
    expect(3, "prove as a researcher", "prove", "--index", "0", hub=hub, user="rita")
    if audit_read_outcomes(hub, "rita") != ["denied", "denied", "denied"]:
        failures.append("the researcher's refused audit reads are not each logged as denied: %s"
                        % audit_read_outcomes(hub, "rita"))
    expect(0, "verify intact log", "verify", hub=hub, user="audrey")
    expect(0, "verify as an operator", "verify", hub=hub, user="opal")
    if "success" not in audit_read_outcomes(hub, "audrey"):
        failures.append("an auditor's audit read is not logged")

    # Every proof the hub prints is accepted, as printed, by the command that checks it.
    printed = expect(0, "prove", "prove", "--index", "2", hub=hub, user="audrey")
    proof = fields(printed)
    expect(0, "check printed proof (options)", "check-inclusion", "--index", "2", "--size", proof["size"],
           "--leaf-hash", proof["leaf_hash"], "--root", proof["root"], "--proof", proof["proof"])
    expect(0, "check printed proof (file)", "check-inclusion", "--file", write(os.path.join(WORK, "inc"), printed))
    printed_json = expect(0, "prove --json", "--json", "prove", "--index", "2", hub=hub, user="audrey")
    expect(0, "check printed JSON proof", "check-inclusion", "--file", write(os.path.join(WORK, "inc.json"), printed_json))
    bad = printed.replace(proof["leaf_hash"], proof["root"])
    expect(1, "a proof for another leaf does not hold", "check-inclusion", "--file", write(os.path.join(WORK, "bad"), bad))
    expect(2, "check-inclusion needs --file or every option", "check-inclusion", "--index", "2")

    vkey = expect(0, "log-key", "log-key", hub=hub, user="audrey").strip()
    expect(0, "keygen", "keygen", "--state", wstate, "--name", "witness.test/w1")
    old_cp = write(os.path.join(WORK, "cp-old"), expect(0, "checkpoint", "checkpoint", hub=hub, user="audrey"))
    first_size = open(old_cp).read().split("\n")[1]
    witness = ["witness", "--state", wstate, "--log-key", vkey, "--checkpoint"]
    cosigned = expect(0, "witness first checkpoint", *witness, old_cp)
    if "witness.test/w1" not in cosigned:
        failures.append("witness did not countersign")
    for _ in range(3):
        expect(0, "more entries", "whoami", hub=hub, user="opal", cmd=None)
    cons = expect(0, "consistency", "consistency", "--size1", first_size, hub=hub, user="audrey")
    expect(0, "check printed consistency (file)", "check-consistency", "--file", write(os.path.join(WORK, "cons"), cons))
    cons_json = expect(0, "consistency --json", "--json", "consistency", "--size1", first_size, hub=hub, user="audrey")
    expect(0, "check printed JSON consistency", "check-consistency", "--file",
           write(os.path.join(WORK, "cons.json"), cons_json))
    new_cp = write(os.path.join(WORK, "cp-new"), expect(0, "checkpoint", "checkpoint", hub=hub, user="audrey"))
    new_size = open(new_cp).read().split("\n")[1]
    cons = expect(0, "consistency to the new checkpoint", "consistency", "--size1", first_size, "--size2", new_size,
                  hub=hub, user="audrey")
    # The witness takes what `audit consistency` printed, whole.
    expect(0, "witness newer checkpoint (printed proof)", *witness, new_cp, "--proof", write(os.path.join(WORK, "p"), cons))
    expect(1, "witness refuses rollback", *witness, old_cp)
    write(os.path.join(WORK, "p"), "zz," + fields(cons)["proof"])
    expect(2, "witness rejects unparsable proof", *witness, new_cp, "--proof", os.path.join(WORK, "p"))

    # Offline: an auditor's copy of the log verifies with the verifier key alone.
    copy = os.path.join(WORK, "copy")
    shutil.copytree(os.path.join(hub, "state", "audit"), copy)
    expect(0, "offline verify of a copy", "verify", "--log-dir", copy, "--log-key", vkey)
    expect(2, "offline verify needs the key", "verify", "--log-dir", copy)
    seg = os.path.join(copy, "seg-%020d.log" % 0)
    data = bytearray(open(seg, "rb").read())
    at = data.find(b'"actor":"audrey"') + 10
    data[at] = ord("A")
    open(seg, "wb").write(bytes(data))
    expect(1, "offline verify detects an edited entry", "verify", "--log-dir", copy, "--log-key", vkey)
    # Edit one byte of an entry of the hub's own log: verify must fail (exit 1).
    seg = os.path.join(hub, "state", "audit", "seg-%020d.log" % 0)
    data = bytearray(open(seg, "rb").read())
    at = data.find(b'"actor":"audrey"') + 10
    data[at] = ord("A")
    open(seg, "wb").write(bytes(data))
    expect(1, "verify detects edited entry", "verify", hub=hub, user="audrey")


check_vectors()
check_log_and_witness()
if failures:
    print("\n".join(failures))
    sys.exit(1)
print("OK")
