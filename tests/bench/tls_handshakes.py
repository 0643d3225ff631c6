#!/usr/bin/env python3
"""tests/bench/tls_handshakes.py: handshakes, jiyue beside nginx, per handshake type, in
interleaved rounds (one run of each server in turn, so a busy neighbour hits both alike):
wrk -H 'Connection: close' (resumed handshakes) with the share that really resumed (nginx:
a log_format of $ssl_session_reused, jiyue: its /metrics counters), then openssl s_time
-new (full handshakes); server CPU per request or handshake for each. Also what each server
negotiates (s_client -brief) and how many tickets it sends after a full handshake. Several
jiyue binaries may run side by side (before/after a change). Not part of make bench.

usage: tls_handshakes.py TMPDIR [JIYUE_BIN[,JIYUE_BIN...] [ROUNDS [SECONDS]]]
       (defaults: bin/jiyue, 3 rounds, 5 s each; TMPDIR must not exist; the servers it
       starts are stopped at the end)"""
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import tls_bench as tb  # noqa: E402
from common import free_port  # noqa: E402


def jiyue(tmp, kind, crt, key, binary, sfx):
    d = os.path.join(tmp, "j-%s%s" % (kind, sfx))
    sites = os.path.join(d, "sites.d")
    os.makedirs(sites)
    shutil.copy(os.path.join(ROOT, "sites.d", "portal.yaml"), sites)
    tb.JIYUE = binary
    j = tb.Jiyue(d, free_port(), crt, key, sites)
    tb.sh([tb.JIYUECTL, "-c", j.conf, "import", "portal", os.path.join(ROOT, "demo", "portal")])
    j.binary = binary  # each its own build (JIYUE is read when a server starts)
    j.name = "jiyue%s" % sfx
    j.counts = j.tls_counts
    return j


def nginx(tmp, kind, crt, key, www, sessions="tickets"):
    d = os.path.join(tmp, "n-%s-%s" % (kind, sessions))
    n = tb.Nginx(d, free_port(), crt, key, www, sessions=sessions)
    with open(n.conf) as f:
        c = f.read()
    c = c.replace("http {\n", "http {\n    log_format hs '$ssl_session_reused $ssl_protocol $ssl_cipher $ssl_curve';\n", 1)
    c = c.replace("gzip_static on;", "gzip_static on;\n        access_log %s/hs.log hs;" % d)
    tb.write(n.conf, c)

    def counts():
        try:
            with open(d + "/hs.log") as f:
                lines = f.read().splitlines()
        except FileNotFoundError:
            return 0, 0
        return len(lines), sum(1 for x in lines if x.startswith("r "))
    n.counts = counts
    return n


def brief(port):
    p = subprocess.run(["openssl", "s_client", "-brief", "-connect", "127.0.0.1:%d" % port, "-servername", tb.HOST],
                       input=b"", capture_output=True, timeout=10)
    return "; ".join(x for x in p.stderr.decode().splitlines()
                     if re.match(r"(Protocol version|Ciphersuite|Server Temp Key)", x))


def tickets(port):
    """NewSessionTicket messages after one full handshake and one request."""
    req = b"GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % tb.HOST.encode()
    p = subprocess.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-servername", tb.HOST, "-msg",
                        "-ign_eof"], input=req, capture_output=True, timeout=10)
    return p.stdout.decode().count("NewSessionTicket")


def main():
    tmp = sys.argv[1]
    bins = sys.argv[2].split(",") if len(sys.argv) > 2 else [os.path.join(ROOT, "bin", "jiyue")]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    tb.SECONDS = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    os.makedirs(tmp)
    copy = os.path.join(tmp, "jiyuectl")  # one fixed copy: bin/ may be rebuilt meanwhile
    shutil.copy2(os.path.join(ROOT, "bin", "jiyuectl"), copy)
    tb.JIYUECTL = copy
    ec, rsa = tb.bench_certs(tmp)
    www = os.path.join(tmp, "www")
    os.makedirs(www)
    try:
        for kind, (crt, key) in (("ECDSA", ec), ("RSA", rsa)):
            servers = [jiyue(tmp, kind, crt, key, b, str(i) if i else "") for i, b in enumerate(bins)]
            for j in servers:
                j.start()
            with open(os.path.join(www, "index.html"), "wb") as f:
                f.write(tb.fetch_page(servers[0].port))  # the same page from both
            for sessions in tb.NGINX_SESSIONS:  # tickets, and the shared session cache
                servers.append(nginx(tmp, kind, crt, key, www, sessions).start())
            for s in servers:
                print("%s %s: %s; tickets after a full handshake: %d" % (kind, s.name, brief(s.port), tickets(s.port)),
                      flush=True)
            for _ in range(rounds):
                for s in servers:
                    h0, r0 = s.counts()
                    w = tb.run_wrk(s, True)
                    h1, r1 = s.counts()
                    st = tb.s_time(s, tb.SECONDS)
                    print("%s %-21s close: %5.0f req/s %6.1f µs CPU/req, resumed %d/%d = %.3f | s_time -new: "
                          "%4.0f hs/s %6.1f µs CPU/hs | load %.2f" % (
                              kind, s.name, w["rps"], w["cpu_us"], r1 - r0, h1 - h0, (r1 - r0) / max(1, h1 - h0),
                              st["rps"], st["cpu_us"], st["load"]), flush=True)
            for s in servers:
                s.stop()
    finally:
        while tb.STARTED:
            tb.stop(tb.STARTED.pop())


if __name__ == "__main__":
    main()
