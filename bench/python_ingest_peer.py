#!/usr/bin/python3
"""Ingest peer (b), Python alone: the transfer CSV read with the csv module,
its pseudonym column replaced by HMAC-SHA256(secret, value) in hex (hmac
module), written back as CSV. One process, standard library only; no
validation and no sealing.

    python_ingest_peer.py IN.csv OUT.csv [COLUMN]     (default BEN_NIR_PSA)

Prints one line: "rows=<n> seconds=<s> rows_per_s=<r>".
"""
import csv
import hashlib
import hmac
import secrets
import sys
import time


def main(argv):
    if len(argv) not in (3, 4):
        sys.stderr.write(__doc__)
        return 2
    source, target = argv[1], argv[2]
    column = argv[3] if len(argv) == 4 else "BEN_NIR_PSA"
    key = secrets.token_bytes(32)
    start = time.monotonic()
    rows = 0
    with open(source, newline="", encoding="utf-8") as fin, \
            open(target, "w", newline="", encoding="utf-8") as fout:
        reader = csv.reader(fin)
        writer = csv.writer(fout, lineterminator="\n")
        header = next(reader)
        at = header.index(column)
        writer.writerow(header)
        for row in reader:
            value = row[at]
            if value:
                row[at] = hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
            writer.writerow(row)
            rows += 1
    seconds = time.monotonic() - start
    print(f"rows={rows} seconds={seconds:.3f} rows_per_s={rows / seconds:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
