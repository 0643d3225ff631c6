#!/usr/bin/env python3
"""tests/bench/idle_conns.py: holds N keep-alive connections to a loopback server, each
having completed one request, so the server carries them as idle keep-alive connections.

Prints "ready OK FAILED" once they are open, then obeys lines on stdin:
  check   send one more request on every connection, print "checked OK FAILED"
          (a connection the server closed or reset in between counts as failed)
  EOF     close everything and exit
Sequential blocking sockets are enough on loopback (10,000 round trips take about a
second) and keep this bounded: every socket has a timeout, every loop a count."""
import argparse
import socket
import sys


def one_request(s, req):
    """Sends req and reads one whole response (Content-Length framing). True if 2xx/3xx."""
    s.sendall(req)
    buf = b""
    while b"\r\n\r\n" not in buf:
        if len(buf) > 65536:
            return False
        chunk = s.recv(65536)
        if not chunk:
            return False
        buf += chunk
    head, _, body = buf.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    parts = lines[0].split()
    if len(parts) < 2 or not parts[1][:1] in (b"2", b"3"):
        return False
    length = 0
    for line in lines[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v.strip())
    need = length - len(body)
    while need > 0:
        chunk = s.recv(min(need, 1 << 20))
        if not chunk:
            return False
        need -= len(chunk)
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--path", default="/")
    ap.add_argument("--conns", type=int, default=10000)
    ap.add_argument("--timeout", type=float, default=10.0)
    a = ap.parse_args()
    req = ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: idle-bench\r\n\r\n" % a.path).encode()
    socks, failed = [], 0
    for _ in range(a.conns):
        try:
            s = socket.create_connection(("127.0.0.1", a.port), timeout=a.timeout)
        except OSError:
            failed += 1
            continue
        try:
            if one_request(s, req):
                socks.append(s)
                continue
        except OSError:
            pass
        failed += 1
        s.close()
    print("ready %d %d" % (len(socks), failed), flush=True)
    for line in sys.stdin:
        if line.strip() == "check":
            ok = bad = 0
            for s in socks:
                try:
                    if one_request(s, req):
                        ok += 1
                        continue
                except OSError:
                    pass
                bad += 1
            print("checked %d %d" % (ok, bad), flush=True)
    for s in socks:
        s.close()


if __name__ == "__main__":
    main()
