#!/usr/bin/python3
"""psycopg2 2.9 and psycopg 3.1 (Debian 12) against a ProtocolSession.

Starts session_test_server (argv[1]), connects with both drivers and runs
what research/interfaces.md §2.1 captured them sending: parameters
interpolated or bound, BEGIN/COMMIT, named (server-side) cursors, a binary
cursor, COPY TO STDOUT, SHOW and the catalog. Stops the server by PID.
"""
import subprocess
import sys

import psycopg
import psycopg2

server = subprocess.Popen([sys.argv[1]], stdout=subprocess.PIPE, text=True)
try:
    port = int(server.stdout.readline())
    dsn = f"host=127.0.0.1 port={port} user=rita dbname=diab sslmode=disable connect_timeout=10"

    # psycopg2: everything on the simple protocol, BEGIN before each transaction.
    conn = psycopg2.connect(dsn)
    cur = conn.cursor()
    cur.execute("select id, born from patients where region = %s and born > %s order by id", ("IDF", "1940-01-01"))
    assert [r[0] for r in cur.fetchall()] == [1, 3], "psycopg2 parameters"
    assert conn.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_INTRANS
    named = conn.cursor(name="srv")  # DECLARE "srv" CURSOR WITHOUT HOLD …; FETCH FORWARD 2 …
    named.itersize = 2
    named.execute("select id from patients order by id")
    assert [r[0] for r in named] == [1, 2, 3, 4, 5], "psycopg2 named cursor"
    named.close()
    conn.commit()
    cur.execute("SHOW TRANSACTION ISOLATION LEVEL")
    assert cur.fetchone()[0] == "read committed"
    cur.execute("select tablename from pg_tables where schemaname = 'public'")
    assert cur.fetchall() == [("patients",)], "psycopg2 catalog"
    conn.rollback()
    conn.close()

    # psycopg 3: BEGIN and parameters on the extended protocol.
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("select id, region from patients where id <= %s and region = %s order by id",
                            (3, "IDF")).fetchall()
        assert rows == [(1, "IDF"), (3, "IDF")], f"psycopg 3 parameters: {rows}"
        with conn.cursor(binary=True) as binary:
            binary.execute("select id, born from patients where id = 1")
            assert binary.fetchone()[0] == 1, "psycopg 3 binary cursor"
        with conn.cursor(name="sc") as named:  # DECLARE, Describe P 'sc', FETCH FORWARD 2 ×n, CLOSE
            named.itersize = 2
            named.execute("select id from patients order by id")
            assert [r[0] for r in named] == [1, 2, 3, 4, 5], "psycopg 3 named cursor"
        with conn.cursor() as c:
            with c.copy("COPY (select id, region from patients where id <= 2 order by id) TO STDOUT") as copy:
                lines = [bytes(b) for b in copy]
            assert b"".join(lines) == b"1\tIDF\n2\tPACA\n", f"psycopg 3 copy: {lines}"
        conn.execute("SET application_name = 'notebook'")
        assert conn.info.parameter_status("application_name") == "notebook", "ParameterStatus echo"
    print("psycopg2 and psycopg 3: all checks passed")
finally:
    server.kill()
    server.wait()
