#!/usr/bin/env python3
"""tests/bench/tls_callgrind.py: server instructions per TLS handshake under callgrind,
jiyue beside nginx on the same certificate: the server starts under valgrind, a Python
client makes 5 warm-up connections, the counters are zeroed (callgrind_control -z), N
connections follow (full or resumed TLS 1.3 handshakes, one GET with Connection: close
each), then a dump; the dump's total / N is printed, and `callgrind_annotate --inclusive=yes`
on the dumps compares libssl/libcrypto entry points (EVP_DigestSign: the signature,
EVP_PKEY_keygen/derive: the key share, X509_verify_cert: chain building, ticket work).
Not part of make bench.

usage: tls_callgrind.py TMPDIR [N [JIYUE_BIN]]   (TMPDIR must not exist; N defaults to 100)
Writes TMPDIR/cg.SERVER.CERT.MODE.1 for SERVER in jiyue, nginx; CERT in ECDSA, RSA; MODE
in full, resumed."""
import os
import re
import socket
import ssl
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import tls_bench as tb  # noqa: E402
import tls_handshakes as th  # noqa: E402


def connect(port, ctx, sess):
    """One connection, one GET; (the session to resume next, whether this one resumed)."""
    with socket.create_connection(("127.0.0.1", port), 10) as s:
        t = ctx.wrap_socket(s, server_hostname=tb.HOST, session=sess)
        t.sendall(b"GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % tb.HOST.encode())
        data = b""
        while True:
            try:
                b = t.recv(65536)
            except (ssl.SSLError, OSError):
                break
            if not b:
                break
            data += b
        if b" 200 " not in data[:20]:
            raise RuntimeError("no 200: %r" % data[:100])
        return t.session, t.session_reused


def measure(server, argv, mode, n, out):
    p = subprocess.Popen(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out] + argv,
                         stdout=subprocess.DEVNULL, stderr=open(out + ".err", "w"), start_new_session=True)
    try:
        tb.wait_port(server.port, p, 60)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
        sess = None
        for _ in range(5):
            s, _ = connect(server.port, ctx, sess)
            sess = s if mode == "resumed" else None
        subprocess.run(["callgrind_control", "-z", str(p.pid)], check=True, capture_output=True)
        resumed = 0
        for _ in range(n):
            s, r = connect(server.port, ctx, sess)
            resumed += r
            sess = s if mode == "resumed" else None
        subprocess.run(["callgrind_control", "-d", str(p.pid)], check=True, capture_output=True)
    finally:
        tb.kill_group(p)
    time.sleep(0.5)
    ann = subprocess.run(["callgrind_annotate", out + ".1"], capture_output=True, text=True).stdout
    total = int(re.search(r"([\d,]+) \([^)]*\)\s+PROGRAM TOTALS", ann).group(1).replace(",", ""))
    return total / n, resumed


def main():
    tmp = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    binary = os.path.abspath(sys.argv[3]) if len(sys.argv) > 3 else os.path.join(ROOT, "bin", "jiyue")
    os.makedirs(tmp)
    tb.JIYUECTL = os.path.join(ROOT, "bin", "jiyuectl")
    ec, rsa = tb.bench_certs(tmp)
    www = os.path.join(tmp, "www")
    os.makedirs(www)
    for kind, (crt, key) in (("ECDSA", ec), ("RSA", rsa)):
        j = th.jiyue(tmp, kind, crt, key, binary, "")
        ngs = [th.nginx(tmp, kind, crt, key, www, sessions) for sessions in tb.NGINX_SESSIONS]
        j.start()
        with open(os.path.join(www, "index.html"), "wb") as f:
            f.write(tb.fetch_page(j.port))
        j.stop()
        servers = [(j, [binary, "-c", j.conf])] + [
            (ng, [tb.NGINX, "-p", ng.d, "-c", ng.conf, "-g", "daemon off; master_process off;"]) for ng in ngs]
        for mode in ("full", "resumed"):
            for server, argv in servers:
                per, resumed = measure(server, argv, mode, n, os.path.join(tmp, "cg.%s.%s.%s" % (
                    server.name.replace(" ", "_").strip("()"), kind, mode)))
                print("%s %-21s %-7s %10.0f instructions per handshake (%d of %d resumed)" % (
                    kind, server.name, mode, per, resumed, n), flush=True)


if __name__ == "__main__":
    main()
