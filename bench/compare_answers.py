#!/usr/bin/python3
"""Checks that hdhub and PostgreSQL gave the same answers to the cohort
queries (bench/projects_bench.sh), and prints one line saying so.

    compare_answers.py [--q1-treated N] NAME HDHUB.tsv PG.tsv [NAME HDHUB.tsv PG.tsv ...]

Each file is tab separated with a header line. Cells agree when equal as
text, or as numbers within a relative 1e-9 (the engines sum doubles in a
different order and print them differently: 25.0 and 25). --q1-treated
also checks the sum of Q1's `treated` column (hdhub side) against the
synthetic extract's ground truth (manifest.json, treated_not_opted_out).
Exit status 1 when anything differs.
"""
import csv
import sys


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f, delimiter="\t"))


def same_cell(a, b):
    if a == b:
        return True
    try:
        x, y = float(a), float(b)
    except ValueError:
        return False
    return abs(x - y) <= 1e-9 * max(1.0, abs(x), abs(y))


def differences(name, ours, theirs):
    if not ours or not theirs:
        return [f"{name}: an empty answer"]
    if [h.lower() for h in ours[0]] != [h.lower() for h in theirs[0]]:
        return [f"{name}: columns {ours[0]} vs {theirs[0]}"]
    if len(ours) != len(theirs):
        return [f"{name}: {len(ours) - 1} rows vs {len(theirs) - 1}"]
    out = []
    for i, (r, s) in enumerate(zip(ours[1:], theirs[1:]), start=1):
        if len(r) != len(s) or not all(same_cell(a, b) for a, b in zip(r, s)):
            out.append(f"{name}: row {i}: hdhub {r} vs PostgreSQL {s}")
    return out


def main(argv):
    args = argv[1:]
    truth = None
    if args[:1] == ["--q1-treated"]:
        truth, args = int(args[1]), args[2:]
    if not args or len(args) % 3:
        sys.stderr.write(__doc__)
        return 2
    problems, summary, q1 = [], [], None
    for i in range(0, len(args), 3):
        name, ours, theirs = args[i], read(args[i + 1]), read(args[i + 2])
        problems += differences(name, ours, theirs)
        summary.append(f"{name} {max(len(ours) - 1, 0)} rows")
        if q1 is None and ours:
            q1 = ours
    if problems:
        print("answers DIFFER between hdhub and PostgreSQL:")
        for p in problems[:10]:
            print("  " + p)
    else:
        print("answers agree between hdhub and PostgreSQL (every row and value): " + ", ".join(summary))
    if truth is not None and q1:
        column = [h.lower() for h in q1[0]].index("treated")
        treated = sum(int(r[column]) for r in q1[1:])
        verdict = "matches" if treated == truth else "DIFFERS from"
        print(f"Q1 treated people: {treated}, {verdict} the extract's ground truth ({truth}, manifest.json)")
        if treated != truth:
            problems.append("q1 ground truth")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
