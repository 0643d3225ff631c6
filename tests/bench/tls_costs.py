#!/usr/bin/env python3
"""tests/bench/tls_costs.py: where a TLS connection's server CPU goes besides the user-space
instructions tls_callgrind.py counts, jiyue beside nginx on the same certificate and page:
per connection (one GET, Connection: close), with resumed handshakes (wrk -H 'Connection:
close', which resumes with its ticket) and full ones (openssl s_time -new):
  - user and system CPU time (/proc/PID/stat utime, stime; jiyue: all threads, nginx:
    master + worker),
  - minor page faults (minflt: memory the kernel had to map again, e.g. a buffer big enough
    to be mmap'd, or a heap trimmed and grown, on every connection),
  - context switches, voluntary and not (every thread of the server),
  - and, in a second run under `strace -c -f` (slow: counts only), the system calls by name.
Interleaved rounds, as tls_handshakes.py. Not part of make bench.

usage: tls_costs.py TMPDIR [JIYUE_BIN[,JIYUE_BIN...] [ROUNDS [SECONDS]]]
       (defaults: bin/jiyue, 2 rounds, 5 s; TMPDIR must not exist; the servers it starts are
       stopped at the end)"""
import os
import re
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import tls_bench as tb  # noqa: E402
import tls_handshakes as th  # noqa: E402
from common import children_of, proc_stat  # noqa: E402


def threads(pids):
    out = []
    for pid in pids:
        try:
            out += [(pid, int(t)) for t in os.listdir("/proc/%d/task" % pid)]
        except OSError:
            pass
    return out


def sample(pids):
    """utime, stime (ticks), minflt, majflt, voluntary and involuntary context switches."""
    r = dict(utime=0, stime=0, minflt=0, majflt=0, vcsw=0, ivcsw=0)
    for pid in pids:
        fl = proc_stat(pid)
        if not fl:
            continue
        r["minflt"] += int(fl[7])
        r["majflt"] += int(fl[9])
        r["utime"] += int(fl[11])
        r["stime"] += int(fl[12])
    for pid, tid in threads(pids):
        try:
            with open("/proc/%d/task/%d/status" % (pid, tid)) as f:
                for line in f:
                    if line.startswith("voluntary_ctxt_switches:"):
                        r["vcsw"] += int(line.split()[1])
                    elif line.startswith("nonvoluntary_ctxt_switches:"):
                        r["ivcsw"] += int(line.split()[1])
        except OSError:
            continue
    return r


def per(a, b, n):
    d = {k: b[k] - a[k] for k in a}
    return {"user_us": d["utime"] / tb.TICK * 1e6 / n, "sys_us": d["stime"] / tb.TICK * 1e6 / n,
            "minflt": d["minflt"] / n, "majflt": d["majflt"] / n, "vcsw": d["vcsw"] / n,
            "ivcsw": d["ivcsw"] / n}


def load(server, mode, seconds):
    """One run of the client; the number of connections it completed."""
    if mode == "resumed":
        r = tb.run_load(server, tb.wrk_argv(server.port, seconds, True), tb.parse_wrk)
        return r["requests"]
    return tb.s_time(server, seconds)["n"]


def measure(server, mode, seconds):
    pids = server.pids()
    a = sample(pids)
    n = load(server, mode, seconds)
    b = sample(pids)
    r = per(a, b, n)
    r["n"] = n
    return r


def straced(server, mode, seconds):
    """System calls per connection by name, strace -c -f attached to the server's
    processes (nginx: its worker) for one run of the client."""
    pids = server.pids()
    if server.name == "nginx":
        pids = children_of(server.proc.pid) or pids
    out = os.path.join(server.d, "strace.%s.txt" % mode)
    argv = ["strace", "-c", "-f", "-o", out]
    for pid in pids:
        argv += ["-p", str(pid)]
    st = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    tb.STARTED.append(st)
    time.sleep(1.0)  # attached
    n = load(server, mode, seconds)
    st.send_signal(signal.SIGINT)
    st.wait(timeout=30)
    tb.STARTED.remove(st)
    calls = {}
    with open(out) as f:
        for line in f:
            m = re.match(r"\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(\w+)\s*$", line)
            if m and m.group(2) != "total":
                calls[m.group(2)] = int(m.group(1)) / n
    return calls, n


def main():
    tmp = sys.argv[1]
    bins = sys.argv[2].split(",") if len(sys.argv) > 2 else [os.path.join(ROOT, "bin", "jiyue")]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    seconds = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    tb.SECONDS = seconds
    os.makedirs(tmp)
    copy = os.path.join(tmp, "jiyuectl")
    shutil.copy2(os.path.join(ROOT, "bin", "jiyuectl"), copy)
    tb.JIYUECTL = copy
    ec, rsa = tb.bench_certs(tmp)
    www = os.path.join(tmp, "www")
    os.makedirs(www)
    kinds = os.environ.get("TLS_COSTS_CERTS", "ECDSA,RSA").split(",")
    try:
        for kind, (crt, key) in (("ECDSA", ec), ("RSA", rsa)):
            if kind not in kinds:
                continue
            servers = [th.jiyue(tmp, kind, crt, key, b, str(i) if i else "") for i, b in enumerate(bins)]
            for j in servers:
                j.start()
            with open(os.path.join(www, "index.html"), "wb") as f:
                f.write(tb.fetch_page(servers[0].port))
            servers.append(th.nginx(tmp, kind, crt, key, www).start())
            for mode in ("resumed", "full"):
                for s in servers:
                    load(s, mode, 1)  # warm-up
                for _ in range(rounds):
                    for s in servers:
                        r = measure(s, mode, seconds)
                        print("%s %-7s %-7s %6d conns: user %6.1f µs sys %6.1f µs per conn; minflt %5.2f majflt %4.2f "
                              "vcsw %5.2f ivcsw %5.2f | load %.2f" % (
                                  kind, mode, s.name, r["n"], r["user_us"], r["sys_us"], r["minflt"], r["majflt"],
                                  r["vcsw"], r["ivcsw"], tb.loadavg()), flush=True)
                for s in servers:
                    calls, n = straced(s, mode, 2)
                    total = sum(calls.values())
                    print("%s %-7s %-7s syscalls per conn (strace -c, %d conns): %.1f: %s" % (
                        kind, mode, s.name, n, total,
                        ", ".join("%s %.2f" % kv for kv in sorted(calls.items(), key=lambda kv: -kv[1]))),
                        flush=True)
            for s in servers:
                s.stop()
    finally:
        while tb.STARTED:
            tb.stop(tb.STARTED.pop())


if __name__ == "__main__":
    main()
