#!/usr/bin/env python3
"""A TCP relay whose outgoing connections leave from a chosen source address.

Clients (psql, psycopg) cannot pick the address they connect from; on Linux
every 127.x.y.z is the loopback, so a test of per-address rules relays them:
this listens on 127.0.0.1 (a free port, printed on the first line of standard
output) and connects each client on to the target from `source`, copying
bytes both ways unchanged (TLS passes through end to end).

Usage: source_relay.py <source address> <target host> <target port>
"""
import socket
import sys
import threading


def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def serve(client, source, target):
    upstream = socket.socket()
    try:
        upstream.bind((source, 0))
        upstream.connect(target)
    except OSError:
        client.close()
        return
    threading.Thread(target=pump, args=(client, upstream), daemon=True).start()
    threading.Thread(target=pump, args=(upstream, client), daemon=True).start()


def main():
    source, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    print(listener.getsockname()[1], flush=True)
    while True:
        client, _ = listener.accept()
        serve(client, source, (host, port))


if __name__ == "__main__":
    main()
