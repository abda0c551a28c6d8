#!/usr/bin/env python3
"""The host-blind scan on an S3 host: lists every object under a prefix
(paginated, ListObjectsV2), downloads each with curl's SigV4, and fails when a
table name, a column name or a cell value of the given CSV files appears in an
object's name or bytes. Values shorter than 6 bytes are skipped: they could
appear in kilobytes of ciphertext by chance (as in tests/host_blind_test.cc).

Usage: s3_host_blind.py ENDPOINT BUCKET PREFIX REGION CSV...
Credentials: HDHUB_S3_ACCESS_KEY_ID and HDHUB_S3_SECRET_ACCESS_KEY, passed to
curl in a mode-0600 config file, never on its command line.
Prints the number of objects and bytes scanned; exit 1 on a finding (naming
the object and which kind of needle, never the value), 2 on a usage error.
"""
import csv
import os
import subprocess
import sys
import tempfile
import urllib.parse
import xml.etree.ElementTree as ET

MIN_NEEDLE = 6
NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"


def curl(config, url):
    r = subprocess.run(
        ["curl", "-sf", "-K", config, "--aws-sigv4", f"aws:amz:{REGION}:s3",
         "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD", url],
        capture_output=True, check=False)
    if r.returncode != 0:
        sys.exit(f"s3_host_blind: GET failed (curl exit {r.returncode}) for {url.split('?')[0]}")
    return r.stdout


def needles(paths):
    found = {}
    for p in paths:
        table = os.path.splitext(os.path.basename(p))[0]
        found[table.encode()] = "table name"
        with open(p, newline="", encoding="utf-8") as f:
            rows = csv.reader(f)
            for name in next(rows):
                if len(name) >= MIN_NEEDLE:
                    found[name.encode()] = "column name"
            for row in rows:
                for cell in row:
                    if len(cell) >= MIN_NEEDLE:
                        found.setdefault(cell.encode(), "cell value")
    return found


if len(sys.argv) < 6:
    sys.exit(2)
ENDPOINT, BUCKET, PREFIX, REGION = sys.argv[1:5]
wanted = needles(sys.argv[5:])
with tempfile.NamedTemporaryFile("w", delete=False) as cfg:
    os.chmod(cfg.name, 0o600)
    cfg.write('user = "%s:%s"\n' % (os.environ["HDHUB_S3_ACCESS_KEY_ID"], os.environ["HDHUB_S3_SECRET_ACCESS_KEY"]))
try:
    keys, token = [], None
    while True:
        q = {"list-type": "2", "prefix": PREFIX + "/"}
        if token:
            q["continuation-token"] = token
        root = ET.fromstring(curl(cfg.name, f"{ENDPOINT}/{BUCKET}?{urllib.parse.urlencode(q)}"))
        keys += [c.find(NS + "Key").text for c in root.findall(NS + "Contents")]
        if root.findtext(NS + "IsTruncated") != "true":
            break
        token = root.findtext(NS + "NextContinuationToken")
    findings, total = 0, 0
    for key in keys:
        body = curl(cfg.name, f"{ENDPOINT}/{BUCKET}/{urllib.parse.quote(key)}")
        total += len(body)
        for needle, kind in wanted.items():
            if needle in key.encode() or needle in body:
                print(f"FOUND: a {kind} in object {key}")
                findings += 1
    print(f"{len(keys)} objects, {total} bytes scanned for {len(wanted)} needles")
    sys.exit(1 if findings or not keys else 0)
finally:
    os.unlink(cfg.name)
