"""psycopg2, psycopg 3 and pandas (Debian 12 packages) against `hdhub serve`
or a real PostgreSQL 15: the shared statements (statements.tsv; $1 takes 2)
through psycopg2 (simple protocol), psycopg 3 (extended protocol; named
server-side cursor) and pandas read_sql (through SQLAlchemy on psycopg2, and
on a psycopg 3 connection); each result's column names, type OIDs, Python
types and values, and pandas' dtypes.
Connection from the libpq environment (PGHOST ... PGSSLROOTCERT).
Usage: /usr/bin/python3 python_client.py statements.tsv"""
import sys
import warnings

import pandas
import psycopg
import psycopg2
import sqlalchemy


def show(value):
    return "NULL" if value is None else f"{type(value).__name__}={value}"


def print_result(label, description, rows):
    print(label, "columns", ",".join(f"{d[0]}:{d[1]}" for d in description))
    for row in rows:
        print(label, "row", "|".join(show(v) for v in row))


def print_frame(label, frame):
    print(label, "dtypes", ",".join(f"{c}:{t}" for c, t in frame.dtypes.items()))
    for row in frame.itertuples(index=False):
        print(label, "row", "|".join("NULL" if pandas.isna(v) else f"{type(v).__name__}={v}" for v in row))


statements = [line.rstrip("\n").split("\t", 1) for line in open(sys.argv[1]) if line.strip()]

conn2 = psycopg2.connect("")
for label, sql in statements:
    cur = conn2.cursor()
    cur.execute(sql.replace("$1", "%s"), (2,) if "$1" in sql else None)
    print_result("psycopg2." + label, cur.description, cur.fetchall())
    # A named (server-side) cursor: DECLARE ... CURSOR, FETCH FORWARD n.
    named = conn2.cursor(name="c_" + label)
    named.itersize = 2
    named.execute(sql.replace("$1", "%s"), (2,) if "$1" in sql else None)
    print("psycopg2." + label, "named rows", len(list(named)))
    named.close()
conn2.rollback()

engine = sqlalchemy.create_engine("postgresql+psycopg2://", creator=lambda: psycopg2.connect(""))
with engine.connect() as connection:
    for label, sql in statements:
        frame = pandas.read_sql(sql.replace("$1", "%s"), connection, params=(2,) if "$1" in sql else None)
        print_frame("pandas.sqlalchemy." + label, frame)
engine.dispose()

with psycopg.connect("") as conn3:
    for label, sql in statements:
        params = (2,) if "$1" in sql else None
        cur = conn3.execute(sql.replace("$1", "%s"), params)
        print_result("psycopg." + label, [(d.name, d.type_code) for d in cur.description], cur.fetchall())
        with conn3.cursor(binary=True) as binary:
            binary.execute(sql.replace("$1", "%s"), params)
            print_result("psycopg.binary." + label, [(d.name, d.type_code) for d in binary.description],
                         binary.fetchall())
        with conn3.cursor(name="sc_" + label) as named:
            named.itersize = 2
            named.execute(sql.replace("$1", "%s"), params)
            print("psycopg." + label, "named rows", len(list(named)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # pandas prefers SQLAlchemy; a DBAPI connection works
            frame = pandas.read_sql(sql.replace("$1", "%s"), conn3, params=params)
        print_frame("pandas.psycopg." + label, frame)
print("python ok")
