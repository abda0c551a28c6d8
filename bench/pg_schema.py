#!/usr/bin/python3
"""SQL for the PostgreSQL side of the benchmarks, from a Frictionless Table
Schema (shared/snds/schemas/T.json) and the header line of the CSV to load.

Column types follow hdhub's own mapping (src/hdhub/ingest/field_sql.cc):
integer -> bigint, number -> double precision, boolean, year -> integer,
date -> date, datetime -> timestamp, anything else (string, yearmonth, a
month-only date) -> text. Names are lower case, so queries may write them
unquoted in upper case.

    pg_schema.py load-table NAME SCHEMA CSV
        CREATE TABLE NAME that COPY ... (FORMAT csv, HEADER) fills from CSV:
        columns in the file's order, typed, except person pseudonyms and
        dates in a non-ISO format, which stay text (see `typed-select`).
    pg_schema.py typed-select SCHEMA CSV
        The select list turning such a load table into the final one:
        pseudonyms (64 hex, stage 1) -> uuid of their first 32 hex digits,
        dates and timestamps parsed with their schema format.
    pg_schema.py hmac-select SCHEMA CSV COLUMN KEY
        The select list of every column with COLUMN replaced by
        encode(hmac(COLUMN, KEY, 'sha256'), 'hex') (pgcrypto).
    pg_schema.py pseudonym-column SCHEMA
        The table's person pseudonym column, if any.
"""
import csv
import json
import sys

# Pseudonym columns, as hdhub's column rules name them (column_rules.cc).
PSEUDONYMS = {"BEN_NIR_PSA", "BEN_NIR_ANO", "ASS_NIR_ANO", "NIR_ANO_17", "BEN_IDT_ANO", "NIR_ANO_MAM"}
PERSON_PSEUDONYMS = ["BEN_NIR_PSA", "BEN_NIR_ANO", "ASS_NIR_ANO", "NIR_ANO_17"]

# strptime directives -> PostgreSQL to_date/to_timestamp patterns.
FORMAT_PARTS = {"%d": "DD", "%m": "MM", "%Y": "YYYY", "%y": "YY", "%b": "Mon", "%H": "HH24", "%M": "MI", "%S": "SS"}


def pg_format(fmt):
    out, i = "", 0
    while i < len(fmt):
        part = fmt[i:i + 2]
        if part in FORMAT_PARTS:
            out += FORMAT_PARTS[part]
            i += 2
        else:
            out += fmt[i]
            i += 1
    return out


def is_full_date(fmt):
    return "%d" in fmt and "%m" in fmt and ("%Y" in fmt or "%y" in fmt)


def final_type(field):
    t, fmt = field["type"], field.get("format", "default")
    if field["name"] in PSEUDONYMS:
        return "uuid"
    if t == "integer":
        return "bigint"
    if t == "number":
        return "double precision"
    if t == "boolean":
        return "boolean"
    if t == "year":
        return "integer"
    if t == "date" and (fmt == "default" or is_full_date(fmt)):
        return "date"
    if t == "datetime":
        return "timestamp"
    return "text"


def needs_conversion(field):
    """True when COPY cannot read the CSV text as the final type."""
    fmt = field.get("format", "default")
    return field["name"] in PSEUDONYMS or (final_type(field) in ("date", "timestamp") and fmt != "default")


def load_type(field):
    return "text" if needs_conversion(field) else final_type(field)


def converted(field):
    name, fmt = ident(field["name"]), field.get("format", "default")
    if not needs_conversion(field):
        return name
    if field["name"] in PSEUDONYMS:
        return f"CAST(substr({name}, 1, 32) AS uuid)"
    if final_type(field) == "date":
        return f"to_date({name}, '{pg_format(fmt)}')"
    if final_type(field) == "timestamp":
        return f"CAST(to_timestamp({name}, '{pg_format(fmt)}') AS timestamp)"
    return name


def ident(name):
    return '"' + name.lower() + '"'


def fields_in_file_order(schema_path, csv_path):
    with open(schema_path, encoding="utf-8") as f:
        fields = {fl["name"]: fl for fl in json.load(f)["fields"]}
    with open(csv_path, newline="", encoding="utf-8") as f:
        header = next(csv.reader(f))
    missing = [h for h in header if h not in fields]
    if missing:
        sys.exit(f"pg_schema.py: {csv_path}: columns not in {schema_path}: {', '.join(missing)}")
    return [fields[h] for h in header]


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    command = argv[1]
    if command == "load-table" and len(argv) == 5:
        columns = ",\n  ".join(f"{ident(f['name'])} {load_type(f)}" for f in fields_in_file_order(argv[3], argv[4]))
        print(f"CREATE TABLE {argv[2]} (\n  {columns}\n)")
    elif command == "typed-select" and len(argv) == 4:
        print(", ".join(converted(f) if not needs_conversion(f) else f"{converted(f)} AS {ident(f['name'])}"
                        for f in fields_in_file_order(argv[2], argv[3])))
    elif command == "hmac-select" and len(argv) == 6:
        column, key = argv[4], argv[5].replace("'", "''")
        print(", ".join(
            f"encode(hmac({ident(f['name'])}, '{key}', 'sha256'), 'hex') AS {ident(f['name'])}"
            if f["name"] == column else ident(f["name"])
            for f in fields_in_file_order(argv[2], argv[3])))
    elif command == "pseudonym-column" and len(argv) == 3:
        with open(argv[2], encoding="utf-8") as f:
            names = [fl["name"] for fl in json.load(f)["fields"]]
        print(next((n.lower() for n in PERSON_PSEUDONYMS if n in names), ""))
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
