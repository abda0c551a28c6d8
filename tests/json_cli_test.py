#!/usr/bin/python3
"""Every hdhub command answers --json with JSON (issue 14, item 10): walks the
command tree from `hdhub help`, runs each command that exists with --json on
a real hub (after the command, as the README and `hdhub --help` say; the
global form before it too), and parses its standard output: one JSON document,
or one a line (query). An error under --json is one JSON object on standard
error, {"error": {"code", "message"}}, with the exit code the README gives
(2 unusable arguments or input, 3 an operational error or a refusal).
A command the tree has and this test does not run fails the test, so a new
command cannot escape it.

  json_cli_test.py HDHUB SNDS_DIR WORK_DIR
"""
import json
import os
import re
import shutil
import subprocess
import sys

CLI, SNDS, WORK = sys.argv[1:4]
failures = []
PASSPHRASE = "json walk passphrase 2026"
ENV = {k: v for k, v in os.environ.items() if not k.startswith("HDHUB_")}
ENV.update({"HDHUB_HOME": os.path.join(WORK, "hub"), "HDHUB_PASSPHRASE": PASSPHRASE,
            "HDHUB_USER": "olga", "HDHUB_PASSWORD": "olga's long enough password",
            "HDHUB_USER_PASSWORD": "a long enough password", "HDHUB_SOURCE_PASSPHRASE": "source passphrase 2026"})

# Commands not run with --json here, and why.
NOT_RUN = {
    "help": "prints the help text, for people",
    "serve": "a server (its log lines go to stderr); its --json error is checked below",
}


def w(*parts):
    return os.path.join(WORK, *parts)


def hdhub(args, env=None, stdin=None):
    p = subprocess.run([CLI] + args, capture_output=True, text=True, env={**ENV, **(env or {})},
                       input=stdin if stdin is not None else "")
    return p.returncode, p.stdout, p.stderr


def documents(out):
    """The JSON documents of `out`: the whole text, or one a line."""
    try:
        return [json.loads(out)]
    except ValueError:
        return [json.loads(line) for line in out.splitlines() if line.strip()]


ran = set()


def json_run(path, args=(), env=None, stdin=None):
    """Runs `hdhub PATH… --json ARGS…`, which must succeed and print JSON; returns the first document."""
    ran.add(path)
    rc, out, err = hdhub(path.split() + ["--json"] + list(args), env, stdin)
    what = "hdhub %s --json %s" % (path, " ".join(args))
    if rc != 0:
        failures.append("%s: exit %d\n%s" % (what, rc, err))
        return None
    if not out.strip():
        failures.append("%s: nothing on stdout" % what)
        return None
    try:
        docs = documents(out)
    except ValueError as e:
        failures.append("%s: stdout is not JSON (%s):\n%s" % (what, e, out[:500]))
        return None
    return docs[0] if docs else None


def json_error(what, args, code, rc_want, env=None):
    """A failing command under --json: one JSON error object on stderr, the exit code the README gives."""
    rc, out, err = hdhub(args, env)
    lines = [l for l in err.splitlines() if l.strip()]
    try:
        error = json.loads(lines[-1])["error"] if lines else None
    except (ValueError, KeyError, TypeError):
        error = None
    if rc != rc_want or error is None or error.get("code") != code or not error.get("message"):
        failures.append("%s: exit %d (want %d), stderr %r (want a JSON error %s)" % (what, rc, rc_want, err, code))


def command_tree():
    """Leaf command paths, from `hdhub help [PATH]` (the Subcommands section of each help)."""
    leaves = []

    def walk(path):
        rc, out, _ = hdhub(["help"] + path)
        subs = []
        if rc != 0 or not out.startswith(("hdhub", "Usage")) and "Usage: hdhub" not in out:
            failures.append("hdhub help %s: exit %d" % (" ".join(path), rc))
        if rc == 0 and "Subcommands:" in out:
            for line in out.split("Subcommands:", 1)[1].splitlines()[1:]:
                m = re.match(r"^  (\S+)", line)
                if m:
                    subs.append(m.group(1))
                elif line.strip() == "" or not line.startswith(" "):
                    break
        if not subs:
            leaves.append(" ".join(path))
        for s in subs:
            walk(path + [s])

    walk([])
    return leaves


def main():
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    tree = command_tree()
    if len(tree) < 40:
        failures.append("the command tree has only %d leaves: %s" % (len(tree), tree))

    # The source side: no hub, no account.
    json_run("synth", ["--people", "150", "--seed", "3", "--years", "2022", "--out", w("ext")])
    json_run("source-key init", ["--key", w("src.key")])
    contribution = json_run("keys contribution", ["--out", w("custodian-a.contribution")])
    if contribution is not None and len(contribution.get("fingerprint", "")) != 16:
        failures.append("keys contribution --json: no 16-digit fingerprint in %r" % contribution)
    json_run("keys contribution", ["--out", w("custodian-b.contribution")])
    with open(w("ext", "IR_BEN_R.csv")) as f:
        header, first = f.readline().rstrip("\n").split(","), f.readline().rstrip("\n").split(",")
    json_run("nir check", [first[header.index("NIR")]])
    schema = os.path.join(SNDS, "schemas", "IR_BEN_R.json")
    json_run("pseudonymize", ["--key", w("src.key"), "--schema", schema, "--strict", "--out", w("ben.csv"),
                              w("ext", "IR_BEN_R.csv")])
    with open(w("ben.csv")) as f:
        lines = f.readlines()
    with open(w("ben-half.csv"), "w") as f:
        f.writelines(lines[: len(lines) // 2])

    # The hub, its catalog and its users.
    json_run("init", ["--operator", "olga"])
    json_run("ingest", ["--dataset", "IR_BEN_R", "--schema", schema, w("ben.csv")])
    json_run("ingest", ["--dataset", "IR_BEN_R", "--schema", schema, w("ben-half.csv")])
    json_run("ingest", ["--dataset", "IR_BEN_R_TYPO", "--schema", schema, w("ben.csv")])
    json_run("catalog list")
    json_run("catalog show", ["IR_BEN_R"])
    json_run("catalog withdraw", ["IR_BEN_R", "--version", "2", "--reason", "sent twice"])
    json_run("catalog remove", ["IR_BEN_R_TYPO", "--reason", "typo"])
    json_run("query", ["SELECT count(*) AS n FROM IR_BEN_R"])
    json_run("query", ["SELECT 1 AS a; SELECT 2 AS b"])
    for user, role in (("omar", "operator"), ("stan", "steward"), ("rita", "researcher"), ("carl", "auditor"),
                       ("tess", "researcher")):
        json_run("user add", [user, "--role", role])
    json_run("user list")
    json_run("user passwd", ["tess"])
    json_run("user disable", ["tess"])
    json_run("user enable", ["tess"])
    json_run("user grant", ["tess", "--role", "checker"])
    json_run("user revoke", ["tess", "--role", "checker"])
    issuer = ["--issuer", "https://auth.example.org/"]
    json_run("user link-oidc", ["tess"] + issuer + ["--subject", "tess-at-idp"])
    json_run("user list-oidc", ["tess"])
    json_run("user unlink-oidc", ["tess"] + issuer)
    tokens = {}
    for user in ("omar", "stan", "rita", "carl", "tess"):
        doc = json_run("token issue", [user, "--ttl", "1d"])
        tokens[user] = doc.get("token") if isinstance(doc, dict) else None
    if not all(tokens.values()):
        failures.append("token issue --json: no \"token\" key: %r" % tokens)
        return
    listed = json_run("token list", ["tess"])
    token_id = None
    for row in (listed or {}).get("rows", []) if isinstance(listed, dict) else listed or []:
        token_id = row[0] if isinstance(row, list) else row.get("id")
    json_run("token revoke", [str(token_id)])
    json_run("whoami", env={"HDHUB_TOKEN": tokens["rita"]})
    json_run("passphrase change", env={"HDHUB_NEW_PASSPHRASE": "a new json walk passphrase 2026"})
    ENV["HDHUB_PASSPHRASE"] = "a new json walk passphrase 2026"

    # A project, from draft to closed.
    with open(w("scope.json"), "w") as f:
        f.write('{"tables": {"IR_BEN_R": ["*"]}}')
    stan, omar = {"HDHUB_TOKEN": tokens["stan"]}, {"HDHUB_TOKEN": tokens["omar"]}
    dates = ["--start", "2026-01-01", "--end", "2099-01-01"]
    json_run("project create", ["--id", "pj", "--authorisation", "CNIL-DR-2026-9", "--purpose", "JSON walk",
                                "--scope", w("scope.json"), "--member", "rita"] + dates, env=stan)
    json_run("project change", ["pj", "--scope", w("scope.json"), "--member", "rita"], env=stan)
    json_run("project approve", ["pj"])
    json_run("project approve", ["pj"], env=omar)
    json_run("project build", ["pj"], env=stan)
    json_run("project show", ["pj"])
    json_run("project list", env={"HDHUB_TOKEN": tokens["rita"]})
    json_run("query", ["--project", "pj", "SELECT count(*) AS n FROM IR_BEN_R"], env={"HDHUB_TOKEN": tokens["rita"]})
    # An export request of pj (docs/airlock-workflow.md §8), reviewed by a checker.
    rita = {"HDHUB_TOKEN": tokens["rita"]}
    json_run("user add", ["cleo", "--role", "checker"])
    cleo = {"HDHUB_TOKEN": (json_run("token issue", ["cleo", "--ttl", "1d"]) or {}).get("token", "")}
    with open(w("frame.json"), "w") as f:
        f.write('{"frame": "people", "unit": "person", "person": "BEN_NIR_PSA", "sql": "SELECT BEN_NIR_PSA, '
                'BEN_SEX_COD FROM IR_BEN_R", "dimensions": [{"name": "sex", "column": "BEN_SEX_COD", '
                '"values": ["1", "2"]}]}')
    with open(w("by-sex.json"), "w") as f:
        f.write('{"output": "by-sex", "frame": "people", "measure": "count", '
                '"tables": [{"id": "t", "dimensions": [{"dimension": "sex"}]}]}')
    created = json_run("airlock request", ["pj", "--title", "Sex ratio"], env=rita) or {}
    rid = created.get("id", "pj-e1")
    json_run("airlock request", [rid, "--frame", w("frame.json")], env=rita)
    json_run("airlock request", [rid, "--output", w("by-sex.json")], env=rita)
    submitted = json_run("airlock request", [rid, "--submit"], env=rita) or {}
    if submitted.get("state") != "submitted":
        failures.append("airlock request --submit --json: want {\"state\": \"submitted\"}: %r" % submitted)
    json_run("airlock list", ["--project", "pj"], env=rita)
    json_run("airlock show", [rid, "--evidence"], env=cleo)
    json_run("airlock review", [rid, "--revision", str(submitted.get("revision", 0)), "--decide", "by-sex=approve"],
             env=cleo)
    json_run("user add", ["chloe", "--role", "checker"])
    chloe = {"HDHUB_TOKEN": (json_run("token issue", ["chloe", "--ttl", "1d"]) or {}).get("token", "")}
    json_run("airlock review", [rid, "--revision", str(submitted.get("revision", 0)), "--decide", "by-sex=approve"],
             env=chloe)
    released = json_run("airlock release", [rid, "--out", w("released")], env=rita) or {}
    if released.get("release") != 1 or not os.path.exists(released.get("certificate", "")):
        failures.append("airlock release --json: want {\"release\": 1, \"certificate\": a file}: %r" % released)
    json_run("airlock download", [rid, "--out", w("downloaded")], env=rita)
    json_run("airlock register", ["--project", "pj"], env=rita)
    with open(w("rules.json"), "w") as f:
        f.write('{"min_count": 12}')
    json_run("airlock rules")
    json_run("airlock rules", ["--propose", w("rules.json")])
    confirmed = json_run("airlock rules", ["--confirm", w("rules.json")], env=omar) or {}
    if (confirmed.get("in_force") or {}).get("min_count") != 12:
        failures.append("airlock rules --confirm --json: want in_force.min_count 12: %r" % confirmed)
    json_run("project close", ["pj"])
    json_run("project sweep")
    json_run("check", ["--dry-run"])
    json_run("check")

    # Hosts and the sovereignty policy (docs/hosts.md).
    json_run("host list")
    json_run("host show")
    declared = ["scw", "--uri", "s3://s3.fr-par.scw.cloud/hub", "--jurisdiction", "FR", "--operator", "Scaleway SAS",
                "--owner-jurisdiction", "FR", "--qualification", "HDS,HDS-1,2024-01-01,2099-01-01,sha256:ab12"]
    json_run("host add", declared)
    json_run("host change", declared + ["--qualification", "SecNumCloud,SNC-1,2024-01-01,2099-01-01,sha256:cd34"])
    json_run("host check", ["scw"])
    json_run("host policy show")
    with open(w("policy.json"), "w") as f:
        f.write('{"allow_local": true}')
    json_run("host policy set", ["--file", w("policy.json")])
    json_run("host policy set", ["--file", w("policy.json")], env=omar)
    json_run("keys rotate")
    json_run("keys rotate", env=omar)
    pair = ["--contribution", w("custodian-a.contribution"), "--contribution", w("custodian-b.contribution")]
    asked = json_run("keys custodians", pair)
    if asked is not None and asked.get("escrowed") is not False:
        failures.append("keys custodians --json: the first operator's call escrowed: %r" % asked)
    escrowed = json_run("keys custodians", pair + ["--escrow-out", w("escrow.json")], env=omar)
    if escrowed is not None and (escrowed.get("escrowed") is not True or not os.path.exists(w("escrow.json"))):
        failures.append("keys custodians --json: the second operator's call did not escrow: %r" % escrowed)
    json_run("host add", ["moved", "--uri", "file://" + w("moved-host"), "--local"])
    json_run("host migrate", ["--to", "moved", "--plan"])
    json_run("host migrate", ["--to", "moved"])
    json_run("host purge")
    # A recovery drill on the host moved to: the hub's state backup restores.
    with open(os.path.join(ENV["HDHUB_HOME"], "hub.json")) as f:
        keys = json.load(f)["keys"].replace("keyfile:", "keyfile:" + ENV["HDHUB_HOME"] + "/", 1)
    json_run("restore", ["--verify-only", "--host", "file://" + w("moved-host"), "--keys", keys])

    # The audit log, and what checks its proofs offline.
    carl = {"HDHUB_TOKEN": tokens["carl"]}
    json_run("audit verify", env=carl)
    json_run("audit show", ["--action", "project."], env=carl)
    proof = json_run("audit prove", ["--index", "3"], env=carl)
    consistency = json_run("audit consistency", ["--size1", "5"], env=carl)
    checkpoint = json_run("audit checkpoint", env=carl)
    log_key = json_run("audit log-key", env=carl)
    for name, doc in (("prove", proof), ("consistency", consistency)):
        with open(w(name + ".json"), "w") as f:
            json.dump(doc, f)
    json_run("audit check-inclusion", ["--file", w("prove.json")])
    json_run("audit check-consistency", ["--file", w("consistency.json")])
    key = log_key.get("log_key") if isinstance(log_key, dict) else None
    note = checkpoint.get("checkpoint") if isinstance(checkpoint, dict) else None
    if not key or not note:
        failures.append("audit log-key / checkpoint --json: want {\"log_key\"} and {\"checkpoint\"}: %r %r"
                        % (log_key, checkpoint))
    else:
        with open(w("cp.txt"), "w") as f:
            f.write(note)
        json_run("audit keygen", ["--state", w("witness"), "--name", "witness.example/w1"])
        json_run("audit witness", ["--state", w("witness"), "--log-key", key, "--checkpoint", w("cp.txt")])
        # What `audit consistency --json` printed is accepted whole by `audit witness --proof`.
        json_run("query", ["SELECT 1 AS later"])
        later = json_run("audit checkpoint", env=carl) or {}
        size2 = later.get("checkpoint", "\n0").split("\n")[1]  # each audit read is logged: name the size
        extension = json_run("audit consistency", ["--size1", note.split("\n")[1], "--size2", size2], env=carl)
        with open(w("cp2.txt"), "w") as f:
            f.write(later.get("checkpoint", ""))
        with open(w("extension.json"), "w") as f:
            json.dump(extension, f)
        cosigned = json_run("audit witness", ["--state", w("witness"), "--log-key", key, "--checkpoint", w("cp2.txt"),
                                              "--proof", w("extension.json")])
        if not isinstance(cosigned, dict) or "witness.example/w1" not in cosigned.get("checkpoint", ""):
            failures.append("audit witness --json: want {\"checkpoint\"} with the witness's line: %r" % cosigned)
    json_run("audit recover-checkpoint")

    # A release certificate, offline: the known answers of docs/formats/airlock-certificate.md §8.
    certs = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testdata", "airlock", "certificate")
    with open(os.path.join(certs, "log.vkey")) as f:
        cert_key = f.read().strip()
    report = json_run("airlock verify", [os.path.join(certs, "release-1.hdhub-cert"), os.path.join(certs, "grid.csv"),
                                         os.path.join(certs, "readme.txt"), "--log-key", cert_key])
    if not isinstance(report, dict) or report.get("ok") is not True or report.get("outputs_checked") != ["grid", "readme"]:
        failures.append("airlock verify --json: want {\"ok\": true, \"outputs_checked\": [grid, readme]}: %r" % report)

    missing = sorted(set(tree) - ran - set(NOT_RUN))
    if missing:
        failures.append("commands this test does not run with --json (add them): %s" % ", ".join(missing))
    stale = sorted((ran | set(NOT_RUN)) - set(tree))
    if stale:
        failures.append("commands this test runs that `hdhub help` does not list: %s" % ", ".join(stale))

    # The global form, before the command, still works.
    rc, out, _ = hdhub(["--json", "catalog", "list"])
    try:
        json.loads(out)
    except ValueError:
        failures.append("hdhub --json catalog list: not JSON (exit %d)" % rc)

    # Errors under --json: one JSON object on stderr; the README's exit codes.
    json_error("a missing input file", ["ingest", "--json", "--dataset", "X", "--schema", schema, w("nope.csv")],
               "INVALID_ARGUMENT", 2)
    json_error("a missing schema file (ingest)", ["ingest", "--json", "--dataset", "X", "--schema", w("nope.json"),
                                                  w("ben.csv")], "INVALID_ARGUMENT", 2)
    json_error("a missing schema file (pseudonymize)", ["pseudonymize", "--json", "--key", w("src.key"), "--schema",
                                                        w("nope.json"), "--out", w("x.csv"), w("ext", "IR_BEN_R.csv")],
               "INVALID_ARGUMENT", 2)
    json_error("a refusal", ["user", "add", "--json", "mallory", "--role", "operator"], "PERMISSION_DENIED", 3,
               env={"HDHUB_TOKEN": tokens["rita"]})
    json_error("no account", ["catalog", "list", "--json"], "UNAUTHENTICATED", 3,
               env={"HDHUB_USER": "", "HDHUB_PASSWORD": ""})
    with open(w("prove.json")) as f:
        bad = json.load(f) if proof else {}
    bad["root"] = "0" * 64
    with open(w("bad-proof.json"), "w") as f:
        json.dump(bad, f)
    json_error("a proof that does not hold (exit 1)", ["audit", "check-inclusion", "--json", "--file", w("bad-proof.json")],
               "CHECK_FAILED", 1)
    json_error("a certificate that does not hold (exit 1)",
               ["airlock", "verify", "--json", os.path.join(certs, "tampered", "interval-narrowed.hdhub-cert"),
                "--log-key", cert_key], "CHECK_FAILED", 1)
    json_error("serve without its configuration", ["serve", "--json", "--config", w("nope.toml")],
               "INVALID_ARGUMENT", 2)

    for f in failures:
        print("FAILED: " + f)
    print("%d commands run with --json, %d failures" % (len(ran), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
