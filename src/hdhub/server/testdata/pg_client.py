#!/usr/bin/env python3
"""A raw PostgreSQL wire client for pg_server_test: what psql cannot show
(SQLSTATEs of connection refusals, malformed or early bytes, cancel through
libpq's PQcancel via psycopg2). Prints one line per check; the test reads it.

Usage: pg_client.py MODE PORT [ARGS...]
  tls-required PORT                  plaintext StartupMessage -> "<C> <M>"
  bytes-after-ssl PORT               SSLRequest and a StartupMessage in one segment -> answer or "closed"
  gssenc PORT                        GSSENCRequest -> "N" (then SSLRequest -> "S")
  first-error PORT                   connect, read what the server sends first -> "<C> <M>" or "closed"
  scram PORT CAFILE USER PASSWORD    TLS + SCRAM-SHA-256 -> "ok" or "<C> <M>"
  negotiate PORT CAFILE              StartupMessage 3.2 with a _pq_ option -> "<newest minor> <options>" then "R"
  idle PORT CAFILE USER PASSWORD     after auth, send nothing -> the error that ends the session
  oversized PORT CAFILE USER PASSWORD  after auth, a Query longer than the limit -> "<C>"
  cancel PORT CAFILE PASSWORD        psycopg2: cancel a long query -> "<pgcode> <answer of SELECT 1 after>"
  long-query PORT CAFILE PASSWORD    a long query (raw, so that nothing hides the server's last words) -> its error
  leave-mid-result PORT CAFILE PASSWORD  a query of a large result; after its first row, reset the connection -> "left"
  stop-reading PORT CAFILE PASSWORD  a query of a large result; after its first row, read nothing for 15 s -> "closed" or "more"
"""
import base64
import hashlib
import hmac
import os
import socket
import ssl
import struct
import sys
import threading
import time

SSL_REQUEST = struct.pack("!II", 8, 80877103)
GSSENC_REQUEST = struct.pack("!II", 8, 80877104)
LONG_QUERY = "SELECT count(*) FROM range(1000000000000) t(i) WHERE i % 7 = 3"


def recvn(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def startup_packet(params, version=196608):
    body = struct.pack("!I", version) + b"".join(k.encode() + b"\0" + v.encode() + b"\0" for k, v in params.items())
    body += b"\0"
    return struct.pack("!I", len(body) + 4) + body


def message(kind, body):
    return kind + struct.pack("!I", len(body) + 4) + body


def read_message(sock):
    kind = recvn(sock, 1)
    (n,) = struct.unpack("!I", recvn(sock, 4))
    return kind, recvn(sock, n - 4)


def error_fields(body):
    fields = {}
    for part in body.split(b"\0"):
        if part:
            fields[chr(part[0])] = part[1:].decode()
    return "%s %s" % (fields.get("C"), fields.get("M"))


def read_error(sock):
    """The first ErrorResponse, skipping other messages; "closed" on EOF."""
    try:
        while True:
            kind, body = read_message(sock)
            if kind == b"E":
                return error_fields(body)
    except (EOFError, ConnectionResetError):
        return "closed"


def connect(port):
    return socket.create_connection(("127.0.0.1", port), timeout=30)


def tls_connect(port, cafile):
    sock = connect(port)
    sock.sendall(SSL_REQUEST)
    assert recvn(sock, 1) == b"S"
    context = ssl.create_default_context(cafile=cafile)
    return context.wrap_socket(sock, server_hostname="localhost")


def scram(sock, user, password):
    """Authenticates; None when AuthenticationOk came, else the error."""
    sock.sendall(startup_packet({"user": user, "database": "diab"}))
    kind, body = read_message(sock)
    if kind != b"R":
        return error_fields(body)
    nonce = base64.b64encode(os.urandom(18)).decode()
    first_bare = "n=,r=" + nonce
    first = ("n,," + first_bare).encode()
    sock.sendall(message(b"p", b"SCRAM-SHA-256\0" + struct.pack("!I", len(first)) + first))
    kind, body = read_message(sock)
    if kind != b"R":
        return error_fields(body)
    server_first = body[4:].decode()
    attrs = dict(item.split("=", 1) for item in server_first.split(","))
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(attrs["s"]), int(attrs["i"]))
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    final_bare = "c=biws,r=" + attrs["r"]
    auth_message = ",".join([first_bare, server_first, final_bare]).encode()
    signature = hmac.new(stored_key, auth_message, hashlib.sha256).digest()
    proof = bytes(a ^ b for a, b in zip(client_key, signature))
    sock.sendall(message(b"p", (final_bare + ",p=" + base64.b64encode(proof).decode()).encode()))
    while True:
        kind, body = read_message(sock)
        if kind == b"E":
            return error_fields(body)
        if kind == b"Z":
            return None


def first_row_of_large_result(port, cafile, password):
    """Logs in as rita, asks for a result of about 10 GB and reads up to its first row."""
    sock = tls_connect(port, cafile)
    assert scram(sock, "rita", password) is None
    sock.sendall(message(b"Q", b"SELECT i, repeat('x', 200) FROM range(50000000) t(i)\0"))
    while read_message(sock)[0] != b"D":
        pass
    return sock


def psycopg2_connection(port, cafile, password):
    import psycopg2
    conn = psycopg2.connect(host="localhost", hostaddr="127.0.0.1", port=port, user="rita", dbname="diab",
                            password=password, sslmode="verify-full", sslrootcert=cafile)
    conn.autocommit = True
    return conn


def main():
    mode, port = sys.argv[1], int(sys.argv[2])
    args = sys.argv[3:]
    if mode == "tls-required":
        sock = connect(port)
        sock.sendall(startup_packet({"user": "rita", "database": "diab"}))
        print(read_error(sock))
    elif mode == "bytes-after-ssl":
        sock = connect(port)
        sock.sendall(SSL_REQUEST + startup_packet({"user": "rita", "database": "diab"}))
        try:
            answer = sock.recv(1)
            print(answer.decode() if answer else "closed")
        except ConnectionResetError:
            print("closed")
    elif mode == "gssenc":
        sock = connect(port)
        sock.sendall(GSSENC_REQUEST)
        first = recvn(sock, 1).decode()
        sock.sendall(SSL_REQUEST)
        print(first, recvn(sock, 1).decode())
    elif mode == "first-error":
        print(read_error(connect(port)))
    elif mode == "scram":
        print(scram(tls_connect(port, args[0]), args[1], args[2]) or "ok")
    elif mode == "negotiate":
        sock = tls_connect(port, args[0])
        sock.sendall(startup_packet({"user": "rita", "database": "diab", "_pq_.grease": "1"}, version=(3 << 16) | 2))
        kind, body = read_message(sock)
        (minor, count) = struct.unpack("!II", body[:8])
        print(kind.decode(), minor, count, body[8:].rstrip(b"\0").decode(), read_message(sock)[0].decode())
    elif mode == "idle":
        sock = tls_connect(port, args[0])
        assert scram(sock, args[1], args[2]) is None
        print(read_error(sock))
    elif mode == "oversized":
        sock = tls_connect(port, args[0])
        assert scram(sock, args[1], args[2]) is None
        sock.sendall(b"Q" + struct.pack("!I", 100 << 20))  # announces 100 MiB, sends none of it
        print(read_error(sock))
    elif mode == "cancel":
        import psycopg2
        conn = psycopg2_connection(port, args[0], args[1])
        cur = conn.cursor()
        threading.Timer(1.0, conn.cancel).start()
        try:
            cur.execute(LONG_QUERY)
            print("not cancelled")
        except psycopg2.Error as e:
            cur.execute("SELECT 6 * 7")
            print(e.pgcode, cur.fetchone()[0])
    elif mode == "long-query":
        # (libpq 15 drops a FATAL that comes during a query from the result
        # psycopg2 reads, keeping only "SSL connection has been closed".)
        sock = tls_connect(port, args[0])
        assert scram(sock, "rita", args[1]) is None
        sock.sendall(message(b"Q", (LONG_QUERY + "\0").encode()))
        print(read_error(sock))
    elif mode == "leave-mid-result":
        sock = first_row_of_large_result(port, args[0], args[1])
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close with a reset
        sock.close()
        print("left")
    elif mode == "stop-reading":
        sock = first_row_of_large_result(port, args[0], args[1])
        time.sleep(15)
        try:
            while sock.recv(1 << 20):
                pass
            print("closed")
        except (OSError, ssl.SSLError):
            print("closed")
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
