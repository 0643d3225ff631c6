#!/usr/bin/env python3
"""tests/bench/bench.py: the jiyue-vs-nginx benchmark behind `make bench` (run.sh calls it
with a fresh temp dir). It builds the corpus, loads it into a fresh jiyue store and an
nginx document root, runs every case against both servers in turn with wrk, and writes
the Markdown table to tests/bench/RESULTS.md (or $BENCH_OUT).

Every process it starts runs in its own session and is killed by process group in
cleanup(), whatever way the run ends; every wait and poll is bounded."""
import datetime
import http.client
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time

from common import (children_of, cpu_ticks, env_int, free_port, kill_group, nginx_http_common,
                    nginx_user, status_kb, timed, tls_block)

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
JIYUE = os.path.join(REPO, "bin", "jiyue")
JIYUECTL = os.path.join(REPO, "bin", "jiyuectl")
NGINX = "/usr/sbin/nginx"
TCK = os.sysconf("SC_CLK_TCK")


SITES = env_int("BENCH_SITES", 200)
ARTICLES = env_int("BENCH_ARTICLES", 50)
SECONDS = env_int("BENCH_SECONDS", 10)
RUNS = env_int("BENCH_RUNS", 3)
WORKERS = env_int("BENCH_WORKERS", 1)
CONNS = env_int("BENCH_CONNS", 50)
IDLE = env_int("BENCH_IDLE", 10000)
RELOADS = env_int("BENCH_RELOADS", 20)
RELOAD_IDLE = env_int("BENCH_RELOAD_IDLE", 1000)
BIG_SITES = env_int("BENCH_BIG_SITES", 10000)
BIG_CERTS = env_int("BENCH_BIG_CERTS", 1000)  # of the BIG_SITES, how many have a certificate
OUT = os.environ.get("BENCH_OUT") or os.path.join(HERE, "RESULTS.md")
ALL_CASES = ("hot", "random", "gzip", "asset", "idle", "reload", "big")
# BENCH_CASES=asset,random runs only those (for working on one case); the default is all.
CASES = [c.strip() for c in os.environ.get("BENCH_CASES", "").split(",") if c.strip()] \
    or list(ALL_CASES)
for _c in CASES:
    if _c not in ALL_CASES:
        sys.exit("bench: BENCH_CASES: unknown case '%s' (cases: %s)" % (_c, ",".join(ALL_CASES)))

STARTED = []  # every Popen we own, killed by process group at exit


def log(msg):
    print("bench: " + msg, flush=True)


NGINX_NOTES = {}  # settings chosen at run time, for the report
LOGS = {}  # server name -> file its stdout/stderr go to, so the bench output stays readable


def spawn(argv, logname=None, **kw):
    if logname:
        kw["stdout"] = open(LOGS[logname], "a")
        kw["stderr"] = subprocess.STDOUT
    p = subprocess.Popen(argv, start_new_session=True, **kw)
    if logname:
        kw["stdout"].close()
    STARTED.append(p)
    return p


def cleanup():
    while STARTED:
        kill_group(STARTED.pop(), wait=5.0)


def cpus():
    """Server CPUs and wrk's CPU: apart when the machine has at least two."""
    allowed = sorted(os.sched_getaffinity(0))
    if len(allowed) < 2:
        return None, None
    n = max(1, min(WORKERS, len(allowed) - 1))
    return ",".join(map(str, allowed[:n])), str(allowed[-1])


SRV_CPUS, WRK_CPU = cpus()


def pinned(argv, cpu_list):
    return (["taskset", "-c", cpu_list] + argv) if cpu_list else argv


# ---------------------------------------------------------------- servers

def log_tail(name):
    try:
        with open(LOGS[name]) as f:
            return "".join(f.readlines()[-20:])
    except (OSError, KeyError):
        return ""


def wait_port(port, proc, name, limit=15.0):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("%s exited with %s before listening:\n%s"
                               % (name, proc.returncode, log_tail(name)))
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError("%s did not listen on %d within %.0fs" % (name, port, limit))


class Jiyue:
    name = "jiyue"

    def __init__(self, conf, port):
        self.conf, self.port, self.proc = conf, port, None

    def start(self):
        self.proc = spawn(pinned([JIYUE, "-c", self.conf], SRV_CPUS), logname="jiyue")
        wait_port(self.port, self.proc, self.name)

    def pids(self):
        return [self.proc.pid]

    def reload(self):
        return subprocess.run(pinned([JIYUE, "-s", "reload", "-c", self.conf], WRK_CPU), stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, timeout=60).returncode == 0

    def stop(self):
        kill_group(self.proc)
        STARTED.remove(self.proc)


class Nginx:
    name = "nginx"

    def __init__(self, prefix, conf, port):
        self.prefix, self.conf, self.port, self.proc = prefix, conf, port, None

    def argv(self, *extra):
        return [NGINX, "-p", self.prefix, "-e", os.path.join(self.prefix, "error.log"),
                "-c", self.conf] + list(extra)

    def start(self):
        self.proc = spawn(pinned(self.argv("-g", "daemon off;"), SRV_CPUS), logname="nginx")
        wait_port(self.port, self.proc, self.name)

    def pids(self):
        return [self.proc.pid] + children_of(self.proc.pid)

    def reload(self):
        return subprocess.run(pinned(self.argv("-s", "reload"), WRK_CPU), stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, timeout=60).returncode == 0

    def stop(self):
        kill_group(self.proc)
        STARTED.remove(self.proc)


def fetch(port, path, host="127.0.0.1", gzip=False):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        h = {"Host": host}
        if gzip:
            h["Accept-Encoding"] = "gzip"
        c.request("GET", path, headers=h)
        r = c.getresponse()
        return r.status, dict((k.lower(), v) for k, v in r.getheaders()), r.read()
    finally:
        c.close()


# ---------------------------------------------------------------- wrk

UNIT = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def parse_wrk(text):
    r = {"requests": 0, "rps": 0.0, "p50": None, "p99": None, "sock_err": 0, "non2xx": 0}
    m = re.search(r"(\d+) requests in", text)
    if m:
        r["requests"] = int(m.group(1))
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if m:
        r["rps"] = float(m.group(1))
    for pct, key in (("50", "p50"), ("99", "p99")):
        m = re.search(r"^\s+%s(?:\.000)?%%\s+([\d.]+)(us|ms|s|m)\s*$" % pct, text, re.M)
        if m:
            r[key] = float(m.group(1)) * UNIT[m.group(2)]  # in ms
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if m:
        r["sock_err"] = sum(int(x) for x in m.groups())
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if m:
        r["non2xx"] = int(m.group(1))
    return r


def wrk_argv(port, seconds, path, script=None, headers=()):
    argv = ["wrk", "-t1", "-c%d" % CONNS, "-d%ds" % seconds, "--latency", "--timeout", "5s"]
    if script:
        argv += ["-s", script]
    for h in headers:
        argv += ["-H", h]
    return pinned(argv + ["http://127.0.0.1:%d%s" % (port, path)], WRK_CPU)


def run_wrk(port, seconds, path, script=None, headers=()):
    p = spawn(wrk_argv(port, seconds, path, script, headers), stdout=subprocess.PIPE,
              stderr=subprocess.STDOUT, text=True)
    out, _ = p.communicate(timeout=seconds + 30)
    STARTED.remove(p)
    r = parse_wrk(out)
    if r["requests"] == 0:
        raise RuntimeError("wrk failed:\n" + out)
    return r


# ---------------------------------------------------------------- setup

def sh(argv, **kw):
    return subprocess.run(argv, check=True, **kw)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def jiyue_conf(path, port, store, sites, map_size, tls=None):
    """tls: (port, cert, key) adds an HTTPS listener with that default certificate."""
    listen = '["127.0.0.1:%d"]' % port
    if tls:
        listen = '["127.0.0.1:%d", {address: "127.0.0.1:%d", tls: true}]' % (port, tls[0])
    write(path, """# generated by tests/bench/bench.py
listen: %s
workers: %d
store: %s
store_map_size: %d
sites: %s
pid_file: %s
access_log: off
error_log: %s
limits:
  max_connections: %d
""" % (listen, WORKERS, store, map_size, sites, path + ".pid", path + ".error.log", IDLE + 2000)
          + ("tls:\n  cert: %s\n  key: %s\n" % (tls[1], tls[2]) if tls else ""))


def nginx_conf(prefix, port, root, cache_max, servers=""):
    tmp = os.path.join(prefix, "tmp")
    os.makedirs(tmp, exist_ok=True)
    # gzip_vary makes gzip_static open the .gz even for clients without gzip (to decide on
    # Vary), so the cache holds two descriptors per page; idle connections need their own.
    # Without gzip_vary it opens only the file it sends: one descriptor per page and case.
    # The Vary header is then missing from nginx's answers (jiyue always sends it).
    nofile = os.sysconf("SC_OPEN_MAX")
    vary = "on" if nofile >= cache_max + IDLE + 4000 else "off"
    NGINX_NOTES["gzip_vary"] = vary
    conf = os.path.join(prefix, "nginx.conf")
    write(conf, """# generated by tests/bench/bench.py
%sworker_processes %d;
pid %s/nginx.pid;
error_log %s/error.log warn;
worker_rlimit_nofile %d;
events { worker_connections %d; }
http {
%s    open_file_cache max=%d inactive=10m;
    open_file_cache_valid 10m;
    open_file_cache_errors on;
    gzip off;
    gzip_static on;
    gzip_vary %s;
    server {
        listen 127.0.0.1:%d default_server;
        root %s;
    }
%s}
""" % (nginx_user(), WORKERS, prefix, prefix, nofile, IDLE + 2000, nginx_http_common(tmp),
       cache_max, vary, port, root, servers))
    return conf


def dir_bytes(path):
    total = 0
    for dp, _, files in os.walk(path):
        for f in files:
            total += os.path.getsize(os.path.join(dp, f))
    return total


# ---------------------------------------------------------------- cases

class ServerDied(RuntimeError):
    pass


def check_alive(server):
    rc = server.proc.poll()
    if rc is not None:
        raise ServerDied("%s died during the case (%s); its output:\n%s"
                         % (server.name, "signal %d" % -rc if rc < 0 else "exit %d" % rc,
                            log_tail(server.name)))


def throughput_case(server, path, script=None, headers=()):
    server.start()
    try:
        run_wrk(server.port, min(2, SECONDS), path, script, headers)  # warm caches
        runs, died, hwm = [], None, 0
        try:
            for _ in range(RUNS):
                pids = server.pids()
                c0 = cpu_ticks(pids)
                r = run_wrk(server.port, SECONDS, path, script, headers)
                hwm = max(hwm, status_kb(pids, "VmHWM"))
                c1 = cpu_ticks(pids)
                check_alive(server)
                r["cpu_us"] = (c1 - c0) / TCK / max(1, r["requests"]) * 1e6
                runs.append(r)
        except ServerDied as e:
            log(str(e))
            died = str(e).splitlines()[0]
            if not runs:
                r["cpu_us"] = None
                runs.append(r)
    finally:
        server.stop()
    med = {}
    for k in ("rps", "p50", "p99", "cpu_us"):
        vals = [x[k] for x in runs if x[k] is not None]
        med[k] = statistics.median(vals) if vals else None
    med["died"] = died
    med["hwm_kb"] = hwm
    med["errors"] = sum(x["sock_err"] + x["non2xx"] for x in runs)
    med["all_rps"] = [x["rps"] for x in runs]
    return med


def start_idle(port, path, n):
    p = spawn(pinned([sys.executable, os.path.join(HERE, "idle_conns.py"), "--port", str(port),
                      "--path", path, "--conns", str(n)], WRK_CPU),
              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline()  # the client bounds its own time: 10 s per connection at most
    m = re.match(r"ready (\d+) (\d+)", line or "")
    if not m:
        raise RuntimeError("idle client failed: %r" % line)
    return p, int(m.group(1)), int(m.group(2))


def stop_idle(p):
    try:
        p.stdin.close()
        p.wait(timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        pass
    kill_group(p)
    STARTED.remove(p)


def idle_case(server, path):
    server.start()
    try:
        fetch(server.port, path)
        time.sleep(0.5)
        before = status_kb(server.pids(), "VmRSS")
        p, ok, failed = start_idle(server.port, path, IDLE)
        time.sleep(1.0)
        after = status_kb(server.pids(), "VmRSS")
        hwm = status_kb(server.pids(), "VmHWM")
        stop_idle(p)
        check_alive(server)
    finally:
        server.stop()
    return {"ok": ok, "failed": failed, "before_kb": before, "after_kb": after, "hwm_kb": hwm,
            "per_conn": (after - before) * 1024.0 / max(1, ok)}


def reload_case(server, paths_file):
    """RELOADS reloads at 4 per second while wrk asks for random pages and RELOAD_IDLE
    idle keep-alive connections wait; afterwards every idle connection must still work."""
    server.start()
    try:
        fetch(server.port, "/s000/news/a0000.html")
        idle, ok, _ = start_idle(server.port, "/s000/news/a0000.html", RELOAD_IDLE)
        seconds = int(RELOADS * 0.25) + 4
        w = spawn(wrk_argv(server.port, seconds, "/", os.path.join(HERE, "random.lua")),
                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        time.sleep(1.5)
        times, failed_cmds = [], 0
        for _ in range(RELOADS):
            t0 = time.monotonic()
            if not server.reload():
                failed_cmds += 1
            times.append(time.monotonic() - t0)
            time.sleep(max(0.0, 0.25 - times[-1]))
        out, _ = w.communicate(timeout=seconds + 30)
        STARTED.remove(w)
        r = parse_wrk(out)
        time.sleep(0.5)
        idle.stdin.write("check\n")
        idle.stdin.flush()
        m = re.match(r"checked (\d+) (\d+)", idle.stdout.readline() or "")
        lost = int(m.group(2)) if m else ok
        stop_idle(idle)
        check_alive(server)
    finally:
        server.stop()
    return {"requests": r["requests"], "rps": r["rps"], "sock_err": r["sock_err"],
            "non2xx": r["non2xx"], "idle": ok, "idle_lost": lost, "failed_cmds": failed_cmds,
            "reload_ms": statistics.median(times) * 1000, "p99": r["p99"]}


def big_reload(server, add_site, probe_path, probe_host, seconds):
    """Starts `server` with the big config, adds one site while wrk runs, reloads, and times
    until the new site answers."""
    t0 = time.monotonic()
    server.start()
    startup = time.monotonic() - t0
    try:
        st, _, _ = fetch(server.port, probe_path, probe_host)
        assert st == 404, "probe answered before the reload: %d" % st
        w = spawn(wrk_argv(server.port, seconds, "/s000/news/a0000.html"),
                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        time.sleep(1.0)
        add_site()
        t0 = time.monotonic()
        ok = server.reload()
        cmd = time.monotonic() - t0
        live = None
        for _ in range(6000):  # 60 s at most
            try:
                if fetch(server.port, probe_path, probe_host)[0] == 200:
                    live = time.monotonic() - t0
                    break
            except OSError:
                pass
            time.sleep(0.01)
        out, _ = w.communicate(timeout=seconds + 30)
        STARTED.remove(w)
        r = parse_wrk(out)
    finally:
        server.stop()
    return {"startup": startup, "cmd": cmd if ok else None, "live": live,
            "errors": r["sock_err"] + r["non2xx"], "requests": r["requests"]}


def cert_host(i):
    return "s%04d.bench.gov.cn" % i  # the names tls_bench.issue_many puts in certificate i


def big_case(tmp, corpus, store, map_size):
    """10,000 site files, the first 1,000 with their own host and certificate: `jiyue -t`
    and a reload under load, against nginx with 10,000 server blocks (one per site, by host
    name: nginx has no path-mounted subsites), the same 1,000 with `ssl_certificate`."""
    big = os.path.join(tmp, "big")
    sites = os.path.join(big, "sites.d")
    os.makedirs(sites)
    sys.path.insert(0, HERE)
    import gen_corpus
    import tls_bench
    tls_bench.STARTED = STARTED  # its openssl runs are ours to clean up
    certs = os.path.join(big, "certs")
    ncerts = min(BIG_CERTS, BIG_SITES)
    t0 = time.monotonic()
    tls_bench.make_ca(certs)
    tls_bench.issue_many(certs, ncerts)
    default = tls_bench.issue(certs, "default", ["www.yunling.gov.cn"], serial=2)
    log("%d certificates made in %.1f s" % (ncerts, time.monotonic() - t0))
    shutil.copy(os.path.join(corpus, "sites.d", "portal.yaml"), sites)
    for i in range(BIG_SITES):
        s = gen_corpus.site_info(i)
        text = gen_corpus.site_yaml(s)
        if i < ncerts:
            text = text.replace("  path: /%s/\n" % s["id"],
                                "  path: /%s/\n  hosts: [%s]\n" % (s["id"], cert_host(i)), 1)
            text += "tls:\n  cert: %s/s%04d.crt\n  key: %s/s%04d.key\n" % (certs, i, certs, i)
        gen_corpus.write(os.path.join(sites, s["id"] + ".yaml"), text)
    port = free_port()
    conf = os.path.join(big, "jiyue.yaml")
    jiyue_conf(conf, port, store, sites, map_size, (free_port(), default[0], default[1]))
    t_check = timed([JIYUE, "-t", "-c", conf])
    probe = os.path.join(big, "probe")
    write(os.path.join(probe, "probe.html"), "<!DOCTYPE html><p>new site</p>\n")

    def add_jiyue_site():
        s = gen_corpus.site_info(BIG_SITES + 1)
        s["id"] = "xnew"
        gen_corpus.write(os.path.join(sites, "xnew.yaml"), gen_corpus.site_yaml(s))
        sh([JIYUECTL, "-c", conf, "import", "xnew", probe], stdout=subprocess.DEVNULL)
    j = big_reload(Jiyue(conf, port), add_jiyue_site, "/xnew/probe.html", "127.0.0.1",
                   max(4, min(SECONDS, 8)))
    j["check"] = t_check
    # nginx: one server block per site.
    nprefix = os.path.join(big, "nginx")
    nport = free_port()
    ntls = free_port()
    blocks = "".join(
        "    server { listen 127.0.0.1:%d; %sserver_name %s.bench.local%s; root %s/%s;%s }\n"
        % (nport, "listen 127.0.0.1:%d ssl; " % ntls if i < ncerts else "",
           gen_corpus.site_info(i)["id"], " " + cert_host(i) if i < ncerts else "",
           os.path.join(corpus, "www"), gen_corpus.site_info(i)["id"],
           " ssl_certificate %s/s%04d.crt; ssl_certificate_key %s/s%04d.key;" % (certs, i, certs, i)
           if i < ncerts else "")
        for i in range(BIG_SITES))
    inc = os.path.join(nprefix, "sites.conf")
    write(inc, blocks)
    nconf = nginx_conf(nprefix, nport, os.path.join(corpus, "www"), 2 * SITES * ARTICLES + SITES + 100,
                       "    include %s;\n    include %s/new/*.conf;\n" % (inc, nprefix))
    os.makedirs(os.path.join(nprefix, "new"), exist_ok=True)
    ng = Nginx(nprefix, nconf, nport)
    n_check = timed(ng.argv("-t", "-q"))

    def add_nginx_site():
        write(os.path.join(nprefix, "new", "xnew.conf"),
              "server { listen 127.0.0.1:%d; server_name xnew.bench.local; root %s; }\n"
              % (nport, probe))
    n = big_reload(ng, add_nginx_site, "/probe.html", "xnew.bench.local", max(4, min(SECONDS, 8)))
    n["check"] = n_check
    return j, n


# ---------------------------------------------------------------- report

def fmt_ms(v):
    if v is None:
        return "-"
    return "%.0f µs" % (v * 1000) if v < 1 else "%.2f ms" % v


def ratio(a, b):
    return "%.2f×" % (a / b) if a and b else "-"


def machine():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return "%s, %d CPUs, %.0f GiB RAM, Linux %s" % (model, os.cpu_count(), mem, platform.release())


def version(argv):
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=10)
        return (p.stdout + p.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "?"


def report(info, cases, idle, reload_r, big):
    L = []
    L.append("# jiyue vs nginx: benchmark results\n")
    L.append("Written by `make bench` (tests/bench/run.sh); edit nothing here by hand.\n")
    L.append("- date: %s" % info["date"])
    L.append("- machine: %s" % info["machine"])
    L.append("- jiyue: commit %s; %s; %s" % (info["commit"], info["nginx"], info["wrk"]))
    L.append("- corpus: %s" % info["corpus"])
    L.append("- settings: %d worker(s) each; server pinned to CPU %s, wrk (1 thread, %d connections) "
             "to CPU %s; %d s per run, median of %d runs after a warm-up; keep-alive on both; "
             "nginx: sendfile, tcp_nopush, open_file_cache max=%d, gzip_static, gzip_vary %s%s, "
             "keepalive_requests 1000000, access_log off; jiyue: access_log off"
             % (WORKERS, SRV_CPUS or "any", CONNS, WRK_CPU or "any", SECONDS, RUNS,
                info["cache_max"], NGINX_NOTES.get("gzip_vary", "?"),
                " (the open-file limit, %d, is too low for gzip_vary's extra descriptor per page;"
                " nginx then sends no Vary header)" % os.sysconf("SC_OPEN_MAX")
                if NGINX_NOTES.get("gzip_vary") == "off" else ""))
    L.append("- CPU/req is utime+stime of the server (jiyue: the process, all threads; nginx: "
             "master + workers) over the run, divided by the requests wrk completed. Peak memory "
             "is VmHWM (nginx: master + workers summed); jiyue's includes the LMDB pages it "
             "touched through its read-only map, nginx's page cache use through sendfile is not "
             "counted.\n")
    if cases:
        L.append("## Throughput\n")
        L.append("| case | server | req/s | p50 | p99 | CPU/req | peak RSS | errors |")
        L.append("|---|---|---:|---:|---:|---:|---:|---:|")
        for title, res in cases:
            n, j = res["nginx"], res["jiyue"]
            for name, r in (("nginx", n), ("jiyue", j)):
                L.append("| %s | %s | %s | %s | %s | %s | %.1f MB | %d%s |"
                         % (title if name == "nginx" else "", name, "{:,.0f}".format(r["rps"]),
                            fmt_ms(r["p50"]), fmt_ms(r["p99"]),
                            "%.2f µs" % r["cpu_us"] if r["cpu_us"] is not None else "-",
                            r["hwm_kb"] / 1024, r["errors"],
                            " (**%s**)" % r["died"] if r["died"] else ""))
            L.append("| | **jiyue/nginx** | **%s** | %s | %s | **%s** | %s | |"
                     % (ratio(j["rps"], n["rps"]), ratio(j["p50"], n["p50"]), ratio(j["p99"], n["p99"]),
                        ratio(j["cpu_us"], n["cpu_us"]), ratio(j["hwm_kb"], n["hwm_kb"])))
        L.append("")
    if idle:
        L.append("## %d idle keep-alive connections\n" % IDLE)
        L.append("Each connection made one request for the hot page and then stayed open. RSS is "
                 "VmRSS (nginx: master + workers).\n")
        L.append("| server | held | refused | RSS before | RSS after | per connection |")
        L.append("|---|---:|---:|---:|---:|---:|")
        for name in ("nginx", "jiyue"):
            r = idle[name]
            if "died" in r:
                L.append("| %s | **%s** | | | | |" % (name, r["died"]))
                continue
            L.append("| %s | %d | %d | %.1f MB | %.1f MB | %.0f B |"
                     % (name, r["ok"], r["failed"], r["before_kb"] / 1024, r["after_kb"] / 1024,
                        r["per_conn"]))
        L.append("| **jiyue/nginx** | | | | | **%s** |\n"
                 % ratio(idle["jiyue"].get("per_conn"), idle["nginx"].get("per_conn")))
    if reload_r:
        L.append("## %d reloads under load\n" % RELOADS)
        L.append("Four reloads a second (`jiyue -s reload`, `nginx -s reload`) while wrk asks for "
                 "random pages and %d idle keep-alive connections wait; after the last reload each "
                 "idle connection sends one more request.\n" % RELOAD_IDLE)
        L.append("| server | requests | req/s | p99 | socket errors | non-2xx | idle connections lost | "
                 "reload command (median) | failed reload commands |")
        L.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for name in ("nginx", "jiyue"):
            r = reload_r[name]
            if "died" in r:
                L.append("| %s | **%s** | | | | | | | |" % (name, r["died"]))
                continue
            L.append("| %s | {:,} | {:,.0f} | %s | %d | %d | %d of %d | %.0f ms | %d |".format(
                r["requests"], r["rps"]) % (name, fmt_ms(r["p99"]), r["sock_err"], r["non2xx"],
                                           r["idle_lost"], r["idle"], r["reload_ms"], r["failed_cmds"]))
        L.append("")
    if big:
        ncerts = min(BIG_CERTS, BIG_SITES)
        L.append("## %d site files, %d with their own certificate\n" % (BIG_SITES, ncerts))
        L.append("jiyue: %d site files (path-mounted subsites of the portal) in one sites.d, the "
                 "first %d also with their own host name and EC P-256 certificate and key, and an "
                 "HTTPS listener; nginx: %d `server` blocks (one per host name, its nearest "
                 "equivalent), the same %d with `listen ... ssl` and their certificate. The reload "
                 "adds one site while wrk asks for the hot page; *live* is the time from the reload "
                 "command until the new site's page answers 200. Memory per certificated site and "
                 "reloads that change one certificate are measured by tests/bench/tls.sh: see "
                 "[TLS-RESULTS.md](TLS-RESULTS.md).\n"
                 % (BIG_SITES, ncerts, BIG_SITES, ncerts))
        L.append("| server | config check (`-t`) | startup to listening | reload command | reload → new "
                 "site live | wrk requests during | failed |")
        L.append("|---|---:|---:|---:|---:|---:|---:|")
        for name in ("nginx", "jiyue"):
            r = big[name]
            if "failed" in r:
                L.append("| %s | **failed: %s** | | | | | |" % (name, r["failed"]))
                continue
            L.append("| %s | %.2f s | %.2f s | %s | %s | {:,} | %d |".format(r["requests"])
                     % (name, r["check"], r["startup"],
                        "%.2f s" % r["cmd"] if r["cmd"] is not None else "failed",
                        "%.2f s" % r["live"] if r["live"] is not None else "never (60 s)",
                        r["errors"]))
        L.append("")
    return "\n".join(L)


# ---------------------------------------------------------------- main

def main(tmp):
    global JIYUE, JIYUECTL
    t_start = time.monotonic()
    # Other people rebuild bin/ while a run takes minutes: measure one fixed copy.
    os.makedirs(os.path.join(tmp, "bin"))
    for name in ("jiyue", "jiyuectl"):
        shutil.copy2(os.path.join(REPO, "bin", name), os.path.join(tmp, "bin", name))
    JIYUE, JIYUECTL = (os.path.join(tmp, "bin", n) for n in ("jiyue", "jiyuectl"))
    for name in ("jiyue", "nginx"):
        LOGS[name] = os.path.join(tmp, name + ".out")
    corpus = os.path.join(tmp, "corpus")
    log("generating %d sites x %d articles in %s" % (SITES, ARTICLES, corpus))
    gen = subprocess.run([sys.executable, os.path.join(HERE, "gen_corpus.py"), "--out", corpus,
                          "--sites", str(SITES), "--articles", str(ARTICLES)],
                         check=True, capture_output=True, text=True)
    corpus_line = gen.stdout.strip().replace("corpus: ", "")
    log(corpus_line)
    paths = os.path.join(corpus, "paths.txt")
    os.environ["BENCH_PATHS"] = paths

    jdir = os.path.join(tmp, "jiyue")
    store = os.path.join(jdir, "store")
    map_size = max(1 << 30, 4 * dir_bytes(os.path.join(corpus, "pages")))
    jport = free_port()
    jconf = os.path.join(jdir, "jiyue.yaml")
    jiyue_conf(jconf, jport, store, os.path.join(corpus, "sites.d"), map_size)
    sh([JIYUE, "-t", "-c", jconf], stdout=subprocess.DEVNULL)
    t0 = time.monotonic()
    for i in range(SITES):
        site = "s%03d" % i
        sh([JIYUECTL, "-c", jconf, "import", site, os.path.join(corpus, "pages", site)],
           stdout=subprocess.DEVNULL)
    log("imported %d sites into the store in %.1f s (%.0f MB)"
        % (SITES, time.monotonic() - t0, dir_bytes(store) / 1e6))

    nprefix = os.path.join(tmp, "nginx")
    nport = free_port()
    cache_max = 2 * SITES * ARTICLES + 2 * SITES + 100
    nconf = nginx_conf(nprefix, nport, os.path.join(corpus, "www"), cache_max)
    sh([NGINX, "-p", nprefix, "-e", os.path.join(nprefix, "error.log"), "-c", nconf, "-t", "-q"])

    servers = [Nginx(nprefix, nconf, nport), Jiyue(jconf, jport)]
    hot = "/s000/news/a0000.html"
    asset = "/s000/static/banner.jpg"
    # Both must serve the same bytes before any figure means anything.
    with open(os.path.join(corpus, "www", hot.lstrip("/")), "rb") as f:
        want = f.read()
    with open(os.path.join(corpus, "www", hot.lstrip("/") + ".gz"), "rb") as f:
        want_gz = f.read()
    same_gz = {}
    for s in servers:
        s.start()
        try:
            st, h, body = fetch(s.port, hot)
            assert st == 200 and body == want, "%s: hot page differs (%d)" % (s.name, st)
            st, h, body = fetch(s.port, hot, gzip=True)
            assert st == 200 and h.get("content-encoding") == "gzip", "%s: no gzip" % s.name
            same_gz[s.name] = body == want_gz
            st, h, body = fetch(s.port, asset)
            assert st == 200 and len(body) == 100 * 1024, "%s: asset (%d)" % (s.name, st)
        finally:
            s.stop()
    log("both servers answer with the same pages (gzip bytes identical: %s)" % same_gz)

    lua = os.path.join(HERE, "random.lua")
    plan = [("hot", "hot page (12.5 KB)", hot, None, ()),
            ("random", "random page", "/", lua, ()),
            ("gzip", "random page, gzip", "/", lua, ("Accept-Encoding: gzip",)),
            ("asset", "100 KB asset", asset, None, ())]
    cases = []
    for key, title, path, script, headers in plan:
        if key not in CASES:
            continue
        res = {}
        for s in servers:
            log("%s: %s ..." % (title, s.name))
            res[s.name] = throughput_case(s, path, script, headers)
            r = res[s.name]
            log("  %s: %.0f req/s (runs %s), p50 %s, p99 %s, %s µs CPU/req, VmHWM %.1f MB, "
                "%d errors" % (s.name, r["rps"], ", ".join("%.0f" % x for x in r["all_rps"]),
                               fmt_ms(r["p50"]), fmt_ms(r["p99"]),
                               "%.2f" % r["cpu_us"] if r["cpu_us"] is not None else "-",
                               r["hwm_kb"] / 1024, r["errors"]))
        cases.append((title, res))

    idle = {}
    for s in servers if "idle" in CASES else ():
        log("%d idle connections: %s ..." % (IDLE, s.name))
        try:
            idle[s.name] = idle_case(s, hot)
        except ServerDied as e:
            log(str(e))
            idle[s.name] = {"died": str(e).splitlines()[0]}
        log("  %s" % idle[s.name])
    reload_r = {}
    for s in servers if "reload" in CASES else ():
        log("%d reloads under load: %s ..." % (RELOADS, s.name))
        try:
            reload_r[s.name] = reload_case(s, paths)
        except ServerDied as e:
            log(str(e))
            reload_r[s.name] = {"died": str(e).splitlines()[0]}
        log("  %s" % reload_r[s.name])
    big = {}
    if "big" in CASES:
        log("%d site files ..." % BIG_SITES)
        try:
            j, n = big_case(tmp, corpus, store, map_size)
        except (RuntimeError, OSError, AssertionError, subprocess.SubprocessError) as e:
            log("%d site files: failed: %s" % (BIG_SITES, e))
            j = n = {"failed": str(e).splitlines()[0] if str(e) else type(e).__name__}
        big = {"jiyue": j, "nginx": n}
        log("  jiyue %s" % j)
        log("  nginx %s" % n)

    info = {
        "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M %Z").strip(),
        "machine": "%s; load average at the end %s (anything else running moves the figures)"
                   % (machine(), " ".join(open("/proc/loadavg").read().split()[:3])),
        "commit": version(["git", "-C", REPO, "rev-parse", "--short", "HEAD"]),
        "nginx": version([NGINX, "-v"]),
        "wrk": version(["wrk", "-v"]).split(" [")[0],
        "corpus": "%s; %d URLs in the random cases; gzip variants byte-identical on both: %s"
                  % (corpus_line, SITES * ARTICLES, "yes" if all(same_gz.values()) else "no"),
        "cache_max": cache_max,
    }
    text = report(info, cases, idle, reload_r, big)
    text += "\nWhole run: %.0f s.\n" % (time.monotonic() - t_start)
    tls = tls_block(OUT)  # tls.sh's summary stays until tls.sh writes it again
    if tls:
        text += "\n" + tls
    with open(OUT, "w") as f:
        f.write(text)
    print()
    print(text)
    log("written to %s" % OUT)


def on_signal(signum, _frame):
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    if len(sys.argv) != 2 or not os.path.isdir(sys.argv[1]):
        sys.exit("usage: bench.py TEMPDIR (run tests/bench/run.sh)")
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    try:
        main(sys.argv[1])
    finally:
        cleanup()
