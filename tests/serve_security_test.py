"""The security tests of `hdhub serve`, against one running server (started by
serve_security_test.sh, which also made the hub, its accounts and projects).

Each check prints "ok: ..." or "FAILED: ..."; the exit code is the number of
failures. What is checked:
  - the sandbox escapes of the CLI tests (local files, COPY TO a file,
    ATTACH, INSTALL/LOAD, SET, PRAGMA, system functions, another project's
    tables, the catalog's objects) replayed over the PG wire (psycopg2:
    simple protocol; psycopg 3: extended protocol) and the HTTP query route:
    each refused with a clean error (42501 / 403 problem+json), nothing read,
    each refusal audited (one query.run entry with outcome denied);
  - an expired project: a session opened in its window is refused at its
    next statement once the window is over, and a new login is refused;
  - slowloris: 50 PG clients sending their SSLRequest one byte a second and
    50 HTTP clients sending their header one byte a second are disconnected
    after the auth / header timeout, while a normal client is served;
  - oversized messages (a PG message beyond max_message_bytes: 08P01; an
    HTTP body beyond http_max_body_bytes: 413) and malformed ones (bad
    lengths, an unknown message type, a startup packet without its
    terminator, protocol version 4): the right error, and the server keeps
    serving.

Usage: serve_security_test.py CONFIG.json (ports, CA, tokens, hdhub binary).
"""

import base64
import hashlib
import hmac
import json
import os
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time

import psycopg
import psycopg2

CFG = json.load(open(sys.argv[1]))
PG_PORT, HTTP_PORT, CA = CFG["pg_port"], CFG["http_port"], CFG["ca"]
RITA, REMI = CFG["rita"], CFG["remi"]
failures = 0


def check(what, ok, detail=""):
    global failures
    if ok:
        print(f"ok: {what}")
    else:
        failures += 1
        print(f"FAILED: {what} {detail}")


def dsn(db="diab", user="rita"):
    return f"host=127.0.0.1 port={PG_PORT} dbname={db} user={user} sslmode=verify-full sslrootcert={CA}"


def denials(project):
    """query.run entries of `project` whose outcome is not ok."""
    out = subprocess.run([CFG["hdhub"], "--json", "audit", "show", "--action", "query.run", "--project", project],
                         capture_output=True, text=True, check=False).stdout
    return out.count('"outcome":"denied"')


def tls_context():
    ctx = ssl.create_default_context(cafile=CA)
    ctx.check_hostname = False
    return ctx


# ---- HTTP ------------------------------------------------------------------

def http(method, path, token=None, body=None, raw_body=None, headers=None, timeout=30):
    """One HTTPS request; returns (status, headers, body bytes)."""
    import http.client
    conn = http.client.HTTPSConnection("127.0.0.1", HTTP_PORT, context=tls_context(), timeout=timeout)
    h = dict(headers or {})
    if token:
        h["Authorization"] = f"Bearer {token}"
    data = raw_body if raw_body is not None else (json.dumps(body).encode() if body is not None else None)
    if data is not None:
        h.setdefault("Content-Type", "application/json")
    try:
        conn.request(method, path, body=data, headers=h)
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    except (OSError, http.client.HTTPException) as e:  # no answer: the caller's check fails
        return 0, {}, repr(e).encode()
    finally:
        conn.close()


def is_problem(status, headers, body, want):
    if status != want or headers.get("content-type") != "application/problem+json":
        return False
    p = json.loads(body)
    return p.get("status") == want and p.get("instance", "").startswith("urn:hdhub:request:")


# ---- the PG wire, by hand ------------------------------------------------------

def recv_exact(s, n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            raise EOFError(f"closed after {len(data)} of {n} bytes")
        data += chunk
    return data


def read_message(s):
    head = recv_exact(s, 5)
    length = struct.unpack("!I", head[1:])[0]
    return chr(head[0]), recv_exact(s, length - 4)


def error_fields(body):
    fields = {}
    for part in body.split(b"\0"):
        if part:
            fields[chr(part[0])] = part[1:].decode()
    return fields


def read_until_error(s):
    """The fields of the next ErrorResponse (skipping other messages); {} on EOF."""
    try:
        while True:
            t, body = read_message(s)
            if t == "E":
                return error_fields(body)
    except (EOFError, OSError):
        return {}


def is_closed(s, wait=5):
    s.settimeout(wait)
    try:
        while True:
            if not s.recv(4096):
                return True
    except (ConnectionError, ssl.SSLError):
        return True
    except socket.timeout:
        return False


def startup(params, version=(3, 0)):
    body = struct.pack("!HH", *version) + b"".join(k.encode() + b"\0" + v.encode() + b"\0" for k, v in params.items())
    return struct.pack("!I", len(body) + 5) + body + b"\0"


def tls_socket():
    s = socket.create_connection(("127.0.0.1", PG_PORT), timeout=30)
    s.sendall(struct.pack("!II", 8, 80877103))
    assert recv_exact(s, 1) == b"S"
    return tls_context().wrap_socket(s)


def login(user="rita", db="diab", token=None):
    """A TLS connection logged in by SCRAM-SHA-256 (no channel binding), ready for queries."""
    token = token or RITA
    s = tls_socket()
    s.sendall(startup({"user": user, "database": db}))
    t, body = read_message(s)
    assert t == "R" and struct.unpack("!I", body[:4])[0] == 10, (t, body)
    nonce = base64.b64encode(os.urandom(18)).decode()
    first_bare = f"n=,r={nonce}"
    first = ("n,," + first_bare).encode()
    mech = b"SCRAM-SHA-256\0"
    s.sendall(b"p" + struct.pack("!I", 4 + len(mech) + 4 + len(first)) + mech + struct.pack("!I", len(first)) + first)
    t, body = read_message(s)
    assert t == "R" and struct.unpack("!I", body[:4])[0] == 11, (t, body)
    server_first = body[4:].decode()
    attrs = dict(kv.split("=", 1) for kv in server_first.split(","))
    salted = hashlib.pbkdf2_hmac("sha256", token.encode(), base64.b64decode(attrs["s"]), int(attrs["i"]))
    client_key = hmac.new(salted, b"Client Key", "sha256").digest()
    stored = hashlib.sha256(client_key).digest()
    final_bare = f"c=biws,r={attrs['r']}"
    auth = f"{first_bare},{server_first},{final_bare}".encode()
    sig = hmac.new(stored, auth, "sha256").digest()
    proof = base64.b64encode(bytes(a ^ b for a, b in zip(client_key, sig))).decode()
    final = f"{final_bare},p={proof}".encode()
    s.sendall(b"p" + struct.pack("!I", 4 + len(final)) + final)
    while True:
        t, body = read_message(s)
        if t == "E":
            raise RuntimeError(error_fields(body))
        if t == "Z":
            return s


def query_message(sql):
    b = sql.encode() + b"\0"
    return b"Q" + struct.pack("!I", 4 + len(b)) + b


def simple_query(s, sql):
    """(rows as lists of text, error fields or None) of one simple Query."""
    s.sendall(query_message(sql))
    rows, err = [], None
    while True:
        t, body = read_message(s)
        if t == "D":
            n = struct.unpack("!H", body[:2])[0]
            at, row = 2, []
            for _ in range(n):
                ln = struct.unpack("!i", body[at:at + 4])[0]
                at += 4
                row.append(None if ln < 0 else body[at:at + ln].decode())
                at += max(ln, 0)
            rows.append(row)
        elif t == "E":
            err = error_fields(body)
        elif t == "Z":
            return rows, err


def serves(what):
    """The server still answers a normal client."""
    try:
        with psycopg.connect(dsn(), password=RITA, connect_timeout=10) as c:
            ok = c.execute("SELECT 41 + 1").fetchone()[0] == 42
    except Exception as e:  # noqa: BLE001 - any failure is the finding
        ok, what = False, f"{what} ({e})"
    status, _, _ = http("GET", "/api/v1/health")
    check(f"the server still serves after {what}", ok and status == 200)


# ---- 0. a session in the short project's window (checked again at the end) ----

short = psycopg.connect(dsn("short"), password=RITA, autocommit=True)
check("the short project answers within its window", short.execute("SELECT 1").fetchone()[0] == 1)
short_catalog = psycopg.connect(dsn("short"), password=RITA, autocommit=True)
check("the short project's catalog answers within its window",
      short_catalog.execute("SELECT count(*) FROM pg_class").fetchone()[0] >= 1)
http_ok, _, _ = http("POST", "/api/v1/projects/short/queries", RITA, {"sql": "SELECT 1 AS a"})
check("HTTP: the short project answers within its window", http_ok == 200, str(http_ok))

# ---- 1. sandbox escapes ------------------------------------------------------

ESCAPES = [
    ("a local file by read_csv", "SELECT * FROM read_csv('/etc/passwd')"),
    ("a local file by read_csv_auto", "SELECT * FROM read_csv_auto('/etc/passwd', header=false)"),
    ("a local file by read_text", "SELECT content FROM read_text('/etc/passwd')"),
    ("a local file by read_parquet", "SELECT * FROM read_parquet('/etc/passwd')"),
    ("a local file by its path", "SELECT * FROM '/etc/passwd'"),
    ("a directory by glob", "SELECT * FROM glob('/etc/*')"),
    ("the catalog's objects", "SELECT count(*) FROM 'hdhub://datasets/IR_BEN_R/v1/part-0.parquet'"),
    ("COPY TO a file", f"COPY (SELECT 1 AS a) TO '{CFG['work']}/escaped.csv'"),
    ("EXPORT DATABASE", f"EXPORT DATABASE '{CFG['work']}/exported'"),
    ("ATTACH", f"ATTACH '{CFG['work']}/attached.db' AS elsewhere"),
    ("ATTACH in memory", "ATTACH ':memory:' AS elsewhere"),
    ("INSTALL", "INSTALL httpfs"),
    ("LOAD", "LOAD httpfs"),
    ("SET of a DuckDB setting", "SET threads = 64"),
    ("SET of the file access", "SET enable_external_access = true"),
    ("SET of the allowed directories", "SET allowed_directories = ['/']"),
    ("PRAGMA", "PRAGMA enable_profiling"),
    ("the settings' paths", "SELECT name, value FROM duckdb_settings() WHERE name LIKE '%directory%'"),
    ("the system's databases", "SELECT path FROM duckdb_databases()"),
    ("a system function", "SELECT * FROM pragma_database_list WHERE file IS NOT NULL"),
    ("getenv", "SELECT getenv('HOME')"),
    ("another project's table", "SELECT * FROM other.main.\"IR_BEN_R\""),
    ("a table outside the scope", "SELECT \"BEN_RES_DPT\" FROM \"IR_BEN_R\""),
    ("the hidden tables", "SELECT * FROM hdhub_private_opted_out"),
]
# What a refusal must not show: a line of /etc/passwd, the hub's own paths.
# A refusal: by the sandbox (42501, audited), or because what the statement
# names does not exist in the session (no such table, column, catalog,
# function or setting: 42P01, 42703, 42804 "Catalog ... does not exist",
# 42883, 42704; a setting the session does not know is refused before DuckDB).
# A statement that may run must return no row (the database list has no file).
REFUSED = ("42501", "42P01", "42703", "42804", "42883", "42704", "0A000")
SECRET_MARKS = ("root:x:", "/bin/bash", "/bin/sh", "/usr/sbin", CFG["hub"], "Traceback")


def clean(message):
    return not any(m in message for m in SECRET_MARKS)


def escape_over_psycopg2(sql):
    conn = psycopg2.connect(dsn(), password=RITA)
    conn.autocommit = True
    cur = conn.cursor()
    try:
        cur.execute(sql)
        return cur.fetchall(), None, None
    except psycopg2.Error as e:
        return None, e.pgcode, e.pgerror or ""
    finally:
        conn.close()


def escape_over_psycopg3(sql):
    with psycopg.connect(dsn(), password=RITA, autocommit=True) as conn:
        try:  # prepare=True: Parse/Bind/Describe/Execute, the extended protocol
            return conn.execute(sql, prepare=True).fetchall(), None, None
        except psycopg.Error as e:
            return None, e.sqlstate, str(e)


for client, run in (("psycopg2, simple protocol", escape_over_psycopg2),
                    ("psycopg 3, extended protocol", escape_over_psycopg3)):
    before, denied = denials("diab"), 0
    for what, sql in ESCAPES:
        rows, code, message = run(sql)
        refused = rows is None and code in REFUSED or rows == []
        check(f"{client}: {what} is refused", refused, f"(rows {rows!r}, SQLSTATE {code}, {message!r})")
        check(f"{client}: ... with a clean error", clean(message or ""), repr(message))
        denied += code == "42501"
    after = denials("diab")
    check(f"{client}: each of the {denied} refusals by the sandbox is audited", after == before + denied,
          f"{before} -> {after}")

before, denied = denials("diab"), 0
for what, sql in ESCAPES:
    status, headers, body = http("POST", "/api/v1/projects/diab/queries", RITA, {"sql": sql})
    refused = status in (400, 403, 404) and headers.get("content-type") == "application/problem+json" or (
        status == 200 and body.count(b"\n") == 1)  # no row
    check(f"HTTP: {what} is refused", refused, f"({status} {body[:200]!r})")
    check("HTTP: ... with a clean error", clean(body.decode(errors="replace")), repr(body[:300]))
    denied += status == 403
after = denials("diab")
check(f"HTTP: each of the {denied} refusals by the sandbox is audited", after == before + denied, f"{before} -> {after}")

# The pg_catalog layer runs on a private DuckDB of the session (pgwire/catalog.h):
# nothing there may show the machine either, and its statements are audited.
def catalog_reads(project):
    out = subprocess.run([CFG["hdhub"], "--json", "audit", "show", "--action", "query.run", "--project", project],
                         capture_output=True, text=True, check=False).stdout
    return out.count('"reads":"catalog"')


MACHINE_MARKS = SECRET_MARKS + (os.environ.get("HOME", "/root"), "/root", "/tmp", "/var")
CATALOG_PROBES = [
    ("the settings through the catalog",
     "SELECT s.name, s.value FROM pg_class, duckdb_settings() s WHERE s.name LIKE '%directory%' OR s.name = 'TimeZone'"),
    ("the extensions' paths through the catalog", "SELECT e.install_path FROM pg_class, duckdb_extensions() e"),
    ("a local file through the catalog", "SELECT * FROM pg_class, read_text('/etc/passwd')"),
    ("the databases through the catalog", "SELECT d.path FROM pg_class, duckdb_databases() d"),
]
for client, run in (("psycopg2, simple protocol", escape_over_psycopg2),
                    ("psycopg 3, extended protocol", escape_over_psycopg3)):
    for what, sql in CATALOG_PROBES:
        rows, code, message = run(sql)
        shown = " ".join(str(cell) for row in (rows or []) for cell in row) + (message or "")
        check(f"{client}: {what} shows nothing of the machine", not any(m in shown for m in MACHINE_MARKS),
              repr(shown[:300]))
        if rows and "TimeZone" in shown:
            check(f"{client}: ... and its time zone is UTC", ("TimeZone", "UTC") in [tuple(r) for r in rows], repr(rows))
before = catalog_reads("diab")
with psycopg.connect(dsn(), password=RITA, autocommit=True) as conn:
    conn.execute("SELECT relname FROM pg_class").fetchall()
check("a catalog statement is audited as the project's query.run (details.reads catalog)",
      catalog_reads("diab") >= before + 1, f"{before} -> {catalog_reads('diab')}")

check("no file was written by an escape",
      not any(os.path.exists(os.path.join(CFG["work"], f)) for f in ("escaped.csv", "exported", "attached.db")))

# Another project: remi's project "other" is neither listed nor reachable by rita.
for sql in ("SELECT 1",):
    try:
        psycopg.connect(dsn("other"), password=RITA).close()
        check("PG: another project's login is refused", False)
    except psycopg.OperationalError as e:
        check("PG: another project's login is refused", 'password authentication failed for user "rita"' in str(e))
status, headers, body = http("POST", "/api/v1/projects/other/queries", RITA, {"sql": "SELECT 1"})
check("HTTP: another project's query is refused", is_problem(status, headers, body, 403), f"{status} {body!r}")

# ---- 2. oversized and malformed messages -------------------------------------

# A message beyond max_message_bytes (1 MiB here) after login: 08P01, closed.
s = login()
s.sendall(b"Q" + struct.pack("!I", 4 + (1 << 20) + 1))
err = read_until_error(s)
check("PG: a message longer than max_message_bytes is refused with 08P01", err.get("C") == "08P01", repr(err))
check("PG: ... and the connection is closed", is_closed(s))
# Before login, a SASL message beyond 64 KiB.
s = tls_socket()
s.sendall(startup({"user": "rita", "database": "diab"}))
read_message(s)
s.sendall(b"p" + struct.pack("!I", 4 + 70000))
err = read_until_error(s)
check("PG: an oversized message before login is refused with 08P01", err.get("C") == "08P01", repr(err))
# A length below 4.
s = login()
s.sendall(b"Q" + struct.pack("!I", 3))
err = read_until_error(s)
check("PG: a message length below 4 is refused with 08P01", err.get("C") == "08P01", repr(err))
# An unknown message type.
s = login()
s.sendall(b"y" + struct.pack("!I", 4))
err = read_until_error(s)
check("PG: an unknown message type is refused with 08P01", err.get("C") == "08P01", repr(err))
check("PG: ... and the connection is closed", is_closed(s))
# A Query whose body does not end its string.
s = login()
s.sendall(b"Q" + struct.pack("!I", 4 + 8) + b"SELECT 1")
err = read_until_error(s)
check("PG: a Query without its terminator is refused with 08P01", err.get("C") == "08P01", repr(err))
# Startup packets: too short, too long, without a terminator, protocol 4.
for what, packet in (("a startup length below 8", struct.pack("!I", 4)),
                     ("a startup length beyond 10000", struct.pack("!II", 100000, 196608)),
                     ("a startup packet without its terminator",
                      startup({"user": "rita"})[:-1][4:]),
                     ("protocol version 4", startup({"user": "rita", "database": "diab"}, (4, 0)))):
    if what == "a startup packet without its terminator":
        packet = struct.pack("!I", len(packet) + 4) + packet
    for transport in ("before TLS", "over TLS"):
        s = socket.create_connection(("127.0.0.1", PG_PORT), timeout=30) if transport == "before TLS" else tls_socket()
        s.sendall(packet)
        err = read_until_error(s)
        want = "0A000" if what == "protocol version 4" else "08P01"
        check(f"PG ({transport}): {what} is refused with {want}", err.get("C") == want, repr(err))
        check(f"PG ({transport}): ... and says nothing of the server", "hdhub" not in err.get("M", "x"), repr(err))
        s.close()
# A valid startup packet without TLS.
s = socket.create_connection(("127.0.0.1", PG_PORT), timeout=30)
s.sendall(startup({"user": "rita", "database": "diab"}))
err = read_until_error(s)
check("PG: a login without TLS is refused with 28000", err.get("C") == "28000", repr(err))
serves("the malformed PG messages")

# HTTP: a body beyond the limit (64 KiB here), a header beyond 16 KiB, garbage.
status, headers, body = http("POST", "/api/v1/projects/diab/queries", RITA,
                             raw_body=b'{"sql": "' + b"x" * (70 << 10) + b'"}')
check("HTTP: a body beyond http_max_body_bytes is answered 413 problem+json",
      is_problem(status, headers, body, 413), f"{status} {body[:200]!r}")
status, headers, body = http("GET", "/api/v1/health", headers={"X-Big": "y" * (20 << 10)})
check("HTTP: a header beyond 16 KiB is answered 431", status == 431, f"{status} {body[:200]!r}")
for what, raw in (("a request line of garbage", b"\x00\x01\x02 GARBAGE\r\n\r\n"),
                  ("a negative Content-Length", b"POST /api/v1/users HTTP/1.1\r\nContent-Length: -5\r\n\r\n"),
                  ("two Content-Lengths", b"POST /api/v1/users HTTP/1.1\r\nContent-Length: 2\r\n"
                                          b"Content-Length: 3\r\n\r\n{}x"),
                  ("a bad chunk size", b"POST /api/v1/users HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")):
    s = tls_context().wrap_socket(socket.create_connection(("127.0.0.1", HTTP_PORT), timeout=30))
    s.sendall(raw)
    answer = b""
    try:
        while chunk := s.recv(4096):
            answer += chunk
    except (OSError, ssl.SSLError):
        pass
    check(f"HTTP: {what} is answered 400 problem+json",
          answer.startswith(b"HTTP/1.1 400") and b"application/problem+json" in answer, repr(answer[:200]))
    check("HTTP: ... without repeating the request", b"GARBAGE" not in answer and b"zz" not in answer.split(b"\r\n\r\n")[-1])
serves("the malformed HTTP requests")

# ---- 3. slowloris ------------------------------------------------------------

SLOW = 50
AUTH_TIMEOUT = CFG["auth_timeout"]


def slow_pg(result, i):
    s = socket.create_connection(("127.0.0.1", PG_PORT), timeout=60)
    start = time.monotonic()
    packet = struct.pack("!II", 8, 80877103)
    try:
        for b in packet * 100:
            s.sendall(bytes([b]))
            time.sleep(1)
            if time.monotonic() - start > AUTH_TIMEOUT * 4:
                break
        # Never done: wait for the server to close.
        s.settimeout(AUTH_TIMEOUT * 4)
        s.recv(1)
    except OSError:
        pass
    result[i] = time.monotonic() - start


def slow_pg_waits(result, i):
    """A client whose SSLRequest is answered, then sends its startup a byte a second over TLS."""
    try:
        s = tls_socket()
    except Exception:  # noqa: BLE001
        result[i] = -1
        return
    start = time.monotonic()
    try:
        for b in startup({"user": "rita", "database": "diab"}):
            s.sendall(bytes([b]))
            time.sleep(1)
            if time.monotonic() - start > AUTH_TIMEOUT * 4:
                break
    except (OSError, ssl.SSLError):
        pass
    result[i] = time.monotonic() - start


def slow_http(result, i):
    try:
        s = tls_context().wrap_socket(socket.create_connection(("127.0.0.1", HTTP_PORT), timeout=60))
    except Exception:  # noqa: BLE001
        result[i] = -1
        return
    start = time.monotonic()
    try:
        for b in b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: y\r\n" * 100:
            s.sendall(bytes([b]))
            time.sleep(1)
            if time.monotonic() - start > AUTH_TIMEOUT * 4:
                break
    except (OSError, ssl.SSLError):
        pass
    result[i] = time.monotonic() - start


for name, target, port_timeout in (("PG SSLRequest", slow_pg, AUTH_TIMEOUT),
                                   ("PG startup over TLS", slow_pg_waits, AUTH_TIMEOUT),
                                   ("HTTP header", slow_http, CFG["http_header_timeout"])):
    result = [None] * SLOW
    threads = [threading.Thread(target=target, args=(result, i)) for i in range(SLOW)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    latencies = []
    for _ in range(3):
        t0 = time.monotonic()
        try:
            with psycopg.connect(dsn(), password=RITA, connect_timeout=10) as c:
                ok = c.execute("SELECT count(*) FROM \"IR_BEN_R\"").fetchone()[0] > 0
        except Exception as e:  # noqa: BLE001
            ok = False
            print(f"  normal client failed: {e}")
        status, _, _ = http("GET", "/api/v1/health", timeout=10)
        latencies.append(time.monotonic() - t0 if ok and status == 200 else None)
    for t in threads:
        t.join()
    check(f"slowloris ({name}): a normal PG and HTTP client are served during {SLOW} slow connections",
          all(lat is not None and lat < port_timeout for lat in latencies), repr(latencies))
    print(f"  normal client latency during {SLOW} slow {name} connections: "
          f"{', '.join(f'{lat:.2f} s' if lat is not None else 'failed' for lat in latencies)}")
    cut = [r for r in result if r is not None and r >= 0]
    check(f"slowloris ({name}): every slow client is disconnected after the timeout ({port_timeout} s)",
          len(cut) == SLOW and all(port_timeout - 1 <= r <= port_timeout + 3 for r in cut),
          f"(disconnected after {sorted(round(r, 1) for r in cut)})")

# ---- 4. an expired project, at login and mid-session -------------------------

remaining = CFG["short_end"] - time.time()
if remaining > 0:
    time.sleep(remaining + 1)
for conn, what, sql in ((short, "statement", "SELECT 1"), (short_catalog, "catalog statement",
                                                             "SELECT count(*) FROM pg_class")):
    try:
        conn.execute(sql)
        check(f"PG: the next {what} after the project's end is refused", False)
    except psycopg.Error as e:
        check(f"PG: the next {what} after the project's end is refused", "ended" in str(e), str(e))
    conn.close()
try:
    psycopg.connect(dsn("short"), password=RITA).close()
    check("PG: a login to an expired project is refused", False)
except psycopg.OperationalError as e:
    check("PG: a login to an expired project is refused",
          'password authentication failed for user "rita"' in str(e), str(e))
status, headers, body = http("POST", "/api/v1/projects/short/queries", RITA, {"sql": "SELECT 1"})
check("HTTP: a query to an expired project is refused", is_problem(status, headers, body, 409) and b"ended" in body,
      f"{status} {body!r}")

print(f"{failures} failed")
sys.exit(min(failures, 100))
