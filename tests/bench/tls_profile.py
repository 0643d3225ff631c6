#!/usr/bin/env python3
"""tests/bench/tls_profile.py: where each server's CPU per TLS connection goes, jiyue beside
nginx at the same time. Both servers are loaded side by side (tls_bench.paired's load: the
same seconds, each with its own clients on the client CPU) while `perf record` samples both
processes; the samples are then split by server and by library (libcrypto, libssl, libc,
the kernel, the server's own code: jiyue's binary with libuv and LMDB, or nginx's binary)
and given per 1,000 connections. It also prints the ratio jiyue/nginx, and what the ratio
would be if jiyue's own code cost nothing: how far the server's code can move the ratio
at all, the rest being OpenSSL's and the kernel's work. Side by side because on this
virtual machine the same work costs 15-30% more or less CPU from one minute to the next.
Not part of make bench (perf needs the kernel's permission: run as root).

usage: tls_profile.py TMPDIR [ecdsa|rsa [full|resumed [tickets|cache [SECONDS]]]]
       (defaults: rsa full cache 10; TMPDIR must not exist; the servers it starts are stopped)"""
import collections
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import tls_bench as tb  # noqa: E402
from common import free_port  # noqa: E402

LIBS = ("libcrypto.so.3", "libssl.so.3", "libc.so.6", "[kernel.kallsyms]", "own code")
OWN = ("jiyue", "nginx", "libuv.so.1.0.0", "liblmdb.so.0.0.0")


def by_library(data, pids):
    """{server: Counter(library -> samples)} from perf's samples of the two servers' pids."""
    out = subprocess.run(["perf", "report", "-i", data, "--sort", "pid,dso", "-q", "-F", "sample,pid,dso"],
                         capture_output=True, text=True, check=True).stdout
    counts = {name: collections.Counter() for name in pids}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        samples, pid, dso = int(parts[0]), int(parts[1].split(":")[0]), parts[-1]
        server = next((name for name, ps in pids.items() if pid in ps), None)
        if server is None:
            continue
        counts[server]["own code" if os.path.basename(dso) in OWN else dso] += samples
    return counts


def threads_of(pids):
    """Every thread id of the processes: perf's pid column names threads."""
    out = set(pids)
    for pid in pids:
        try:
            out.update(int(t) for t in os.listdir("/proc/%d/task" % pid))
        except OSError:
            pass
    return out


def main():
    tmp = sys.argv[1]
    kind = sys.argv[2] if len(sys.argv) > 2 else "rsa"
    full = (sys.argv[3] if len(sys.argv) > 3 else "full") == "full"
    sessions = sys.argv[4] if len(sys.argv) > 4 else "cache"
    tb.SECONDS = int(sys.argv[5]) if len(sys.argv) > 5 else 10
    os.makedirs(tmp)
    for name in ("jiyue", "jiyuectl"):  # a fixed copy: the binary's name is how perf names its samples
        shutil.copy2(os.path.join(ROOT, "bin", name), os.path.join(tmp, name))
    tb.JIYUE, tb.JIYUECTL = os.path.join(tmp, "jiyue"), os.path.join(tmp, "jiyuectl")
    ec, rsa = tb.bench_certs(tmp)
    crt, key = rsa if kind == "rsa" else ec
    www = os.path.join(tmp, "www")
    sites = os.path.join(tmp, "j", "sites.d")
    os.makedirs(www)
    os.makedirs(sites)
    shutil.copy(os.path.join(ROOT, "sites.d", "portal.yaml"), sites)
    try:
        j = tb.Jiyue(os.path.join(tmp, "j"), free_port(), crt, key, sites)
        tb.sh([tb.JIYUECTL, "-c", j.conf, "import", "portal", os.path.join(ROOT, "demo", "portal")])
        j.start()
        with open(os.path.join(www, "index.html"), "wb") as f:
            f.write(tb.fetch_page(j.port))
        n = tb.Nginx(os.path.join(tmp, "n"), free_port(), crt, key, www, sessions=sessions).start()
        tb.warm_up([j, n], {}, kind)
        pids = {"jiyue": threads_of(j.pids()), "nginx": threads_of(n.pids())}
        data = os.path.join(tmp, "perf.data")
        perf = subprocess.Popen(["perf", "record", "-q", "-F", "1999", "-p", ",".join(str(p) for p in j.pids() + n.pids()),
                                 "-o", data], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1)
        count = tb.s_time_count if full else tb.wrk_requests
        argvs = [[tb.s_time_argv(s, tb.SECONDS)] * 2 if full else [tb.wrk_argv(s.port, tb.SECONDS, True)]
                 for s in (j, n)]
        done = []
        cpu_ratio, _ = tb.side_by_side_load((j, n), argvs, count, done)
        perf.send_signal(2)
        perf.wait()
        counts = by_library(data, pids)
    finally:
        while tb.STARTED:
            tb.stop(tb.STARTED.pop())
    print("%s, %s handshakes, nginx with %s; %d s side by side: %d connections jiyue, %d nginx; CPU per "
          "connection jiyue/nginx (from /proc) %.3f" % (kind.upper(), "full" if full else "resumed", sessions,
                                                         tb.SECONDS, done[0], done[1], cpu_ratio))
    print("%-18s %8s %8s   perf samples (1999 Hz) per 1,000 connections" % ("", "jiyue", "nginx"))
    per = {name: {lib: c * 1000.0 / d for lib, c in counts[name].items()} for name, d in zip(("jiyue", "nginx"), done)}
    for lib in LIBS:
        print("%-18s %8.0f %8.0f" % (lib, per["jiyue"].get(lib, 0), per["nginx"].get(lib, 0)))
    total = {name: sum(v.values()) for name, v in per.items()}
    print("%-18s %8.0f %8.0f" % ("all", total["jiyue"], total["nginx"]))
    print("jiyue/nginx from the samples: %.3f; with jiyue's own code at zero: %.3f" % (
        total["jiyue"] / total["nginx"], (total["jiyue"] - per["jiyue"].get("own code", 0)) / total["nginx"]))

if __name__ == "__main__":
    main()
