#!/usr/bin/python3
"""End-to-end test of what opening a hub checks of its audit log, through
the hdhub binary (issue 14, hole 5): a refused open changes nothing (state/
and the host hashed before and after, for each kind of tampering), and the
signing key found in state/ cannot re-sign a rewritten log. Run by CTest with
the hdhub binary, the source dir and a work dir."""
import base64
import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

CLI, SOURCE, WORK = sys.argv[1:4]
sys.path.insert(0, os.path.join(SOURCE, "tests", "python"))
from audit_verify import leaf_hash, merkle_root  # noqa: E402 (the independent verifier's tree)
failures = []
PASSPHRASE = "audit open test passphrase"
PASSWORDS = {"opal": "opal's long password", "otto": "otto's long password", "audrey": "audrey's long password"}
SEGMENT_HEADER = 16
RECORD_HEADER = 4 + 32


def run(hub, *args, user="opal", extra_env=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HDHUB_")}
    env["HDHUB_PASSPHRASE"] = PASSPHRASE
    if user:
        env["HDHUB_USER"] = user
        env["HDHUB_PASSWORD"] = PASSWORDS[user]
    env.update(extra_env or {})
    p = subprocess.run([CLI, "--hub", hub] + list(args), capture_output=True, text=True, env=env)
    return p.returncode, p.stdout + p.stderr


def expect(code, what, hub, *args, **kw):
    rc, out = run(hub, *args, **kw)
    if rc != code:
        failures.append("%s: exit %d, want %d\n%s" % (what, rc, code, out))
    return out


def tree_digest(root):
    """Every file and directory under root, by relative path: its content's SHA-256."""
    seen = {}
    for d, dirs, files in os.walk(root):
        for name in dirs:
            seen[os.path.relpath(os.path.join(d, name), root) + "/"] = ""
        for name in files:
            path = os.path.join(d, name)
            seen[os.path.relpath(path, root)] = hashlib.sha256(open(path, "rb").read()).hexdigest()
    return seen


def hub_digest(hub):
    return {"state": tree_digest(os.path.join(hub, "state")), "host": tree_digest(os.path.join(hub, "host"))}


def segment(hub):
    return os.path.join(hub, "state", "audit", "seg-%020d.log" % 0)


def records(data):
    """(offset, entry) of each record of a segment's bytes."""
    out, at = [], SEGMENT_HEADER
    while at + RECORD_HEADER <= len(data):
        (length,) = struct.unpack(">I", data[at:at + 4])
        out.append((at, data[at + RECORD_HEADER:at + RECORD_HEADER + length]))
        at += RECORD_HEADER + length
    return out


def truncate_log(hub, keep):
    data = open(segment(hub), "rb").read()
    at = records(data)[keep][0]
    open(segment(hub), "wb").write(data[:at])


def fork_log(hub):
    """Edits one entry and fixes its record hash: a self-consistent, other log."""
    data = bytearray(open(segment(hub), "rb").read())
    at, entry = records(bytes(data))[1]
    edited = entry.replace(b'"outcome":"success"', b'"outcome":"error"  ')[:len(entry)]
    edited = entry.replace(b"opal", b"opaL") if edited == entry else edited
    data[at + RECORD_HEADER:at + RECORD_HEADER + len(entry)] = edited
    data[at + 4:at + RECORD_HEADER] = hashlib.sha256(b"\x00" + edited).digest()
    open(segment(hub), "wb").write(bytes(data))


def private_keys_in(state):
    """Every note private key (PRIVATE+KEY+name+id+base64) found in any file under state/."""
    found = []
    for d, _, files in os.walk(state):
        for name in files:
            for line in open(os.path.join(d, name), "rb").read().split(b"\n"):
                at = line.find(b"PRIVATE+KEY+")
                if at < 0:
                    continue
                parts = line[at:].decode("latin-1").strip().split("+", 4)
                if len(parts) == 5:
                    found.append((parts[2], base64.b64decode(parts[4])[1:33]))
    return found


def resign_checkpoint(hub, name, seed):
    """Signs, as the hub does, a checkpoint of the log as it is now."""
    entries = [e for _, e in records(open(segment(hub), "rb").read())]
    key = Ed25519PrivateKey.from_private_bytes(seed)
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    key_id = hashlib.sha256(name.encode() + b"\x0a\x01" + public).digest()[:4]
    text = "%s\n%d\n%s\n" % (name, len(entries), base64.b64encode(merkle_root([leaf_hash(e) for e in entries])).decode())
    sig = base64.b64encode(key_id + key.sign(text.encode())).decode()
    open(os.path.join(hub, "state", "audit", "checkpoint"), "w").write(text + "\n\u2014 %s %s\n" % (name, sig))


def state_backup_objects(hub):
    """The host's objects of the hub's state backup (docs/formats/state-backup.md), from state/backup."""
    root = hashlib.sha256(b"hdhub-state-root v1").hexdigest()
    names = {"o/%s/%s" % (root[:2], root)}
    path = os.path.join(hub, "state", "backup")
    if os.path.exists(path):
        with open(path) as f:
            r = json.load(f)
        names |= {r["manifest_object"], r.get("catalog", {}).get("object", "")}
        names |= {c["object"] for c in r["chunks"]} | set(r["pending"]) | set(r["to_delete"])
    return names


def host_checkpoint(hub):
    """The host's audit/checkpoint is the object rewritten last (after every commit), but the state
    backup's, written just before it (file times are too coarse to tell them apart)."""
    host = os.path.join(hub, "host")
    backup = state_backup_objects(hub)
    objects = [os.path.join(d, f) for d, _, fs in os.walk(host) for f in fs
               if os.path.relpath(os.path.join(d, f), host) not in backup]
    return max(objects, key=os.path.getmtime)


def delete_host_checkpoint(hub):
    os.remove(host_checkpoint(hub))


def older_host_checkpoint(hub):
    """The host serves the checkpoint it held when state-old was copied."""
    path = host_checkpoint(hub)
    shutil.copyfile(os.path.join(WORK, "host-checkpoint-old"), path)


def make_hub():
    hub = os.path.join(WORK, "pristine")
    expect(0, "init", hub, "init", "--operator", "opal")
    expect(0, "add operator otto", hub, "user", "add", "otto", "--role", "operator",
           extra_env={"HDHUB_USER_PASSWORD": PASSWORDS["otto"]})
    expect(0, "add auditor audrey", hub, "user", "add", "audrey", "--role", "auditor",
           extra_env={"HDHUB_USER_PASSWORD": PASSWORDS["audrey"]})
    shutil.copytree(os.path.join(hub, "state"), os.path.join(WORK, "state-old"))
    shutil.copyfile(host_checkpoint(hub), os.path.join(WORK, "host-checkpoint-old"))
    for _ in range(3):
        expect(0, "whoami", hub, "whoami")
    return hub


def fresh_copy(pristine, name):
    hub = os.path.join(WORK, name)
    shutil.copytree(pristine, hub, symlinks=True)
    # hub.json names the host and key file by absolute path: point them at the copy.
    config = open(os.path.join(hub, "hub.json")).read().replace(pristine, hub)
    open(os.path.join(hub, "hub.json"), "w").write(config)
    return hub


def check_refused_open_changes_nothing(pristine):
    def rolled_back(hub):
        shutil.rmtree(os.path.join(hub, "state"))
        shutil.copytree(os.path.join(WORK, "state-old"), os.path.join(hub, "state"))

    cases = {
        "local checkpoint deleted": lambda hub: os.remove(os.path.join(hub, "state", "audit", "checkpoint")),
        "local checkpoint deleted and log truncated": lambda hub: (
            os.remove(os.path.join(hub, "state", "audit", "checkpoint")), truncate_log(hub, 2)),
        "log truncated": lambda hub: truncate_log(hub, 2),
        "state rolled back": rolled_back,
        "log forked": fork_log,
        "host checkpoint deleted": delete_host_checkpoint,
        "host checkpoint replaced by an older one": older_host_checkpoint,
    }
    for i, (what, tamper) in enumerate(cases.items()):
        hub = fresh_copy(pristine, "case%d" % i)
        expect(0, what + ": the copy opens before tampering", hub, "whoami")
        tamper(hub)
        before = hub_digest(hub)
        for attempt in ("first", "second"):
            rc, out = run(hub, "whoami")
            if rc == 0:
                failures.append("%s: the %s command after it was not refused" % (what, attempt))
        rc, out = run(hub, "audit", "verify")
        if rc == 0:
            failures.append("%s: audit verify passes after a refused command\n%s" % (what, out))
        if hub_digest(hub) != before:
            after = hub_digest(hub)
            changed = sorted(k for part in ("state", "host") for k in set(before[part]) | set(after[part])
                             if before[part].get(k) != after[part].get(k))
            failures.append("%s: a refused open changed the hub: %s" % (what, ", ".join(changed)))


def check_signing_key_not_in_state(pristine):
    hub = fresh_copy(pristine, "resign")
    state = os.path.join(hub, "state")
    keys = private_keys_in(state)
    vkey = expect(0, "log-key", hub, "audit", "log-key").strip()
    public = base64.b64decode(vkey.split("+", 2)[2])[1:]
    for name, seed in keys:
        derived = Ed25519PrivateKey.from_private_bytes(seed).public_key()
        if derived.public_bytes(Encoding.Raw, PublicFormat.Raw) == public:
            failures.append("the log's signing key is in clear in state/ (%s)" % name)
    # Whatever is found, re-sign a truncated log with it and remove the host's checkpoint.
    truncate_log(hub, 2)
    for name, seed in keys or [(vkey.split("+")[0], bytes(32))]:
        resign_checkpoint(hub, name, seed)
    delete_host_checkpoint(hub)
    rc, out = run(hub, "whoami")
    if rc == 0:
        failures.append("a log rewritten and re-signed with a key from state/ opens")


def events(hub, action):
    out = expect(0, "audit show " + action, hub, "--json", "audit", "show", "--action", action, user="audrey")
    return json.loads(out) if out.strip() else []


def check_host_checkpoint_recovery(pristine):
    """A host checkpoint lost after publication: refused until two operators approve."""
    hub = fresh_copy(pristine, "recover")
    delete_host_checkpoint(hub)
    expect(3, "open after the host lost its checkpoint", hub, "whoami")
    out = expect(0, "recovery asked by opal", hub, "audit", "recover-checkpoint")
    if "second" not in out:
        failures.append("the first operator's recovery is not reported as pending: " + out)
    expect(3, "the same operator cannot approve her own request", hub, "audit", "recover-checkpoint")
    expect(3, "still refused while the recovery is pending", hub, "whoami")
    expect(0, "recovery approved by otto", hub, "audit", "recover-checkpoint", user="otto")
    expect(0, "open after the recovery", hub, "whoami")
    expect(0, "verify after the recovery", hub, "audit", "verify")
    done = [e for e in events(hub, "audit.recover_checkpoint") if e["details"].get("approvals") == 2]
    if len(done) != 1 or done[0]["actor"] != "otto" or done[0]["details"].get("requested_by") != "opal":
        failures.append("the recovery is not one event naming both operators: %s" % done)
    expect(0, "nothing to recover now", hub, "audit", "recover-checkpoint")


def files_holding(root, needle):
    return [os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs
            if needle in open(os.path.join(d, f), "rb").read()]


def check_failed_unlocks_and_logins(pristine):
    """A wrong passphrase (no key, so no signed log) and a wrong password are both logged, never themselves."""
    hub = fresh_copy(pristine, "unlock")
    wrong_passphrase, wrong_password = "not the passphrase 4242", "not opal's password 4242"
    expect(3, "wrong passphrase", hub, "whoami", extra_env={"HDHUB_PASSPHRASE": wrong_passphrase})
    expect(3, "wrong passphrase, with a token", hub, "whoami", user=None,
           extra_env={"HDHUB_PASSPHRASE": wrong_passphrase, "HDHUB_TOKEN": "not-a-token"})
    expect(3, "wrong password", hub, "whoami", extra_env={"HDHUB_PASSWORD": wrong_password})
    unlocks = [(e["actor"], e["outcome"], e["details"].get("source"), e["details"].get("reason"))
               for e in events(hub, "auth.unlock")]
    if unlocks != [("opal", "denied", "local", "wrong_passphrase"), ("unknown", "denied", "local", "wrong_passphrase")]:
        failures.append("wrong passphrases are not logged with the account tried and the source: %s" % unlocks)
    logins = [(e["actor"], e["details"].get("reason"), e["details"].get("source"))
              for e in events(hub, "auth.password") if e["outcome"] == "denied"]
    if logins != [("opal", "wrong_password", "local")]:
        failures.append("the failed login is not logged with the account and the source: %s" % logins)
    for secret in (wrong_passphrase, wrong_password):
        if files_holding(hub, secret.encode()):
            failures.append("a wrong secret is written in " + ", ".join(files_holding(hub, secret.encode())))
    expect(0, "verify after folding the failed unlocks", hub, "audit", "verify")


def check_witness_refuses_a_restored_state():
    """The whole state/ restored from an old copy, the host serving the matching old
    checkpoint: a revoked token would work again, but a witness cosigned a longer log."""
    hub, wstate = os.path.join(WORK, "witnessed"), os.path.join(WORK, "witness-state")
    cosigned = os.path.join(WORK, "witness-cosigned")
    expect(0, "init", hub, "init", "--operator", "opal")
    expect(0, "add researcher", hub, "user", "add", "rita", "--role", "researcher",
           extra_env={"HDHUB_USER_PASSWORD": "rita's long password"})
    vkey = expect(0, "log-key", hub, "audit", "log-key").strip()
    wkey = expect(0, "witness keygen", hub, "audit", "keygen", "--state", wstate, "--name", "witness.test/w1").strip()

    def witness(size1):
        cp = os.path.join(WORK, "cp")
        note = expect(0, "checkpoint", hub, "audit", "checkpoint")
        open(cp, "w").write(note)
        args = ["audit", "witness", "--state", wstate, "--log-key", vkey, "--checkpoint", cp, "--out", cosigned]
        if size1 is not None:
            proof = os.path.join(WORK, "proof")
            open(proof, "w").write(expect(0, "consistency", hub, "audit", "consistency", "--size1", size1,
                                          "--size2", note.split("\n")[1]))
            args += ["--proof", proof]
        expect(0, "witness cosigns", hub, *args)
        return open(cosigned).read().split("\n")[1]

    witnessed = witness(None)
    config = json.load(open(os.path.join(hub, "hub.json")))
    config["witnesses"] = [{"key": wkey, "checkpoint": cosigned}]
    json.dump(config, open(os.path.join(hub, "hub.json"), "w"))
    token = [w for w in expect(0, "token issue", hub, "token", "issue", "rita").split() if w.startswith("hdh_")][0]
    expect(0, "the token works", hub, "whoami", user=None, extra_env={"HDHUB_TOKEN": token})
    old_state = os.path.join(WORK, "witnessed-state-old")
    shutil.copytree(os.path.join(hub, "state"), old_state)
    shutil.copyfile(host_checkpoint(hub), os.path.join(WORK, "witnessed-host-cp-old"))
    expect(0, "token revoke", hub, "token", "revoke", token.split("_")[1])
    expect(3, "the revoked token is refused", hub, "whoami", user=None, extra_env={"HDHUB_TOKEN": token})
    witness(witnessed)
    # The whole state/ and the host's checkpoint come back from the old copy.
    live_cp = host_checkpoint(hub)
    shutil.rmtree(os.path.join(hub, "state"))
    shutil.copytree(old_state, os.path.join(hub, "state"))
    shutil.copyfile(os.path.join(WORK, "witnessed-host-cp-old"), live_cp)
    rc, out = run(hub, "whoami", user=None, extra_env={"HDHUB_TOKEN": token})
    if rc == 0:
        failures.append("a state restored from an old copy lets a revoked token work again")
    elif "witness" not in out:
        failures.append("the refusal does not name the witness: " + out)


def check_restore_with_a_witness_refuses_a_rolled_back_backup():
    """hdhub restore (state-backup.md): a host that rolls back its backup and its checkpoint together
    serves an older, valid hub; the witness's cosigned checkpoint, given to the restore, refuses it."""
    hub, wstate = os.path.join(WORK, "lost"), os.path.join(WORK, "lost-witness")
    cosigned = os.path.join(WORK, "lost-cosigned")
    expect(0, "init", hub, "init", "--operator", "opal")
    vkey = expect(0, "log-key", hub, "audit", "log-key").strip()
    wkey = expect(0, "witness keygen", hub, "audit", "keygen", "--state", wstate, "--name", "witness.test/w2").strip()
    escrow = os.path.join(WORK, "lost-escrow.key")
    shutil.copyfile(os.path.join(hub, "state", "hub.key"), escrow)
    os.chmod(escrow, 0o600)
    old_host = os.path.join(WORK, "lost-host-old")
    shutil.copytree(os.path.join(hub, "host"), old_host)  # backup and checkpoint, consistent
    expect(0, "add researcher", hub, "user", "add", "rita", "--role", "researcher",
           extra_env={"HDHUB_USER_PASSWORD": "rita's long password"})
    cp = os.path.join(WORK, "lost-cp")
    open(cp, "w").write(expect(0, "checkpoint", hub, "audit", "checkpoint"))
    expect(0, "the witness cosigns the longer log", hub, "audit", "witness", "--state", wstate, "--log-key", vkey,
           "--checkpoint", cp, "--out", cosigned)
    witness = ["--witness-key", wkey, "--witness-checkpoint", cosigned]

    def restore(host, target, *extra, as_json=False):
        return run(target, *(["--json"] if as_json else []), "restore", "--host", "file://" + host,
                   "--keys", "keyfile:" + escrow, *extra)

    rc, out = restore(old_host, os.path.join(WORK, "drill"), "--verify-only")
    if rc != 0:
        failures.append("without a witness, the rolled-back backup restores (the case a witness is for): " + out)
    rc, out = restore(old_host, os.path.join(WORK, "drill"), "--verify-only", *witness)
    if rc != 3 or "witness.test/w2" not in out:
        failures.append("a rolled-back backup restored despite the witness, or the refusal does not name it: "
                        "exit %d %s" % (rc, out))
    target = os.path.join(WORK, "rebuilt-old")
    rc, out = restore(old_host, target, *witness)
    if rc != 3 or os.path.exists(os.path.join(target, "hub.json")) or os.path.exists(os.path.join(target, "state")):
        failures.append("a refused restore left a hub behind, or was not refused: exit %d %s" % (rc, out))
    rc, out = restore(old_host, os.path.join(WORK, "rebuilt-half"), "--witness-key", wkey)
    if rc != 2:
        failures.append("a --witness-key without its --witness-checkpoint: exit %d, want 2: %s" % (rc, out))
    # The live host, with the witness: restored, and hub.json keeps the witness for every later open.
    target = os.path.join(WORK, "rebuilt")
    rc, out = restore(os.path.join(hub, "host"), target, *witness, as_json=True)
    report = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    if rc != 0 or not report or report[-1].get("witnesses") != 1:
        failures.append("the live backup does not restore with the witness: exit %d %s" % (rc, out))
        return
    kept = json.load(open(os.path.join(target, "hub.json"))).get("witnesses", [])
    if [w.get("key") for w in kept] != [wkey]:
        failures.append("the restored hub.json does not keep the witness: %r" % kept)
    expect(0, "the restored hub verifies its log", target, "audit", "verify")


shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
pristine_hub = make_hub()
check_refused_open_changes_nothing(pristine_hub)
check_signing_key_not_in_state(pristine_hub)
check_host_checkpoint_recovery(pristine_hub)
check_failed_unlocks_and_logins(pristine_hub)
check_witness_refuses_a_restored_state()
check_restore_with_a_witness_refuses_a_rolled_back_backup()
if failures:
    print("\n".join(failures))
    sys.exit(1)
print("OK")
