"""tests/bench/common.py: what the benchmark drivers (bench.py, tls_bench.py, search_bench.py)
share: a size from the environment, a free loopback port, stopping a server with everything in its process group, timing a command,
and the /proc readings (CPU ticks, memory) the reports are made of. Every wait is bounded."""
import os
import signal
import socket
import statistics
import subprocess
import time


def env_int(name, default):
    """The integer in environment variable name, default when it is unset or blank."""
    v = os.environ.get(name, "")
    return int(v) if v.strip() else default


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kill_group(p, sig=signal.SIGTERM, wait=10.0):
    """Stops p and everything in its process group (nginx workers included)."""
    if p.poll() is None:
        try:
            os.killpg(p.pid, sig)
        except ProcessLookupError:
            pass
        try:
            p.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            pass
    # Children may outlive a leader that already exited (old nginx workers): same group.
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        p.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


def timed(argv, n=3):
    """Median wall time of n runs of argv; a failed run raises with its stderr."""
    ts = []
    for _ in range(n):
        t0 = time.monotonic()
        rc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=300)
        ts.append(time.monotonic() - t0)
        if rc.returncode != 0:
            raise RuntimeError("%s failed: %s" % (argv, rc.stderr.decode(errors="replace")[-2000:]))
    return statistics.median(ts)


# ---------------------------------------------------------------- /proc measurements

def children_of(pid):
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
        except OSError:
            continue
        if int(st[st.rindex(")") + 2:].split()[1]) == pid:
            out.append(int(d))
    return out


def proc_stat(pid):
    """/proc/PID/stat's fields after the command name (field 3 of proc(5) is [0]: state,
    [7] minflt, [9] majflt, [11] utime, [12] stime, in ticks, all threads), or None when
    the process is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read()
    except OSError:
        return None
    return st[st.rindex(")") + 2:].split()


def cpu_ticks(pids):
    total = 0
    for pid in pids:
        fields = proc_stat(pid)
        if fields:
            total += int(fields[11]) + int(fields[12])  # utime, stime (all threads)
    return total


def status_kb(pids, key):
    """The sum of a /proc/PID/status figure in kB ("VmRSS", "VmHWM") over pids."""
    total = 0
    for pid in pids:
        try:
            with open("/proc/%d/status" % pid) as f:
                for line in f:
                    if line.startswith(key + ":"):
                        total += int(line.split()[1])
        except OSError:
            continue
    return total


def nginx_user():
    """nginx's workers switch to nobody, who cannot read our 0700 temp dirs: as root, they
    stay root (the line goes at the top of nginx.conf)."""
    return "user root root;\n" if os.geteuid() == 0 else ""


def nginx_http_common(tmp):
    """http-block lines both benchmarks' nginx configs share: nginx tuned as a city web
    office would run it for static pages (sendfile, keep-alive, no access log), room for
    many server names, and every temp file under tmp."""
    lines = ["    %s;\n" % d for d in (
        "include /etc/nginx/mime.types", "default_type application/octet-stream",
        "access_log off", "server_tokens off", "sendfile on", "tcp_nopush on",
        "keepalive_timeout 75s", "keepalive_requests 1000000",
        "server_names_hash_max_size 65536", "server_names_hash_bucket_size 128")]
    for kind, sub in (("client_body", "body"), ("proxy", "proxy"), ("fastcgi", "fastcgi"),
                      ("uwsgi", "uwsgi"), ("scgi", "scgi")):
        lines.append("    %s_temp_path %s/%s;\n" % (kind, tmp, sub))
    return "".join(lines)


# ---------------------------------------------------------------- the HTTPS summary in RESULTS.md

TLS_BEGIN = "<!-- HTTPS summary: written by tests/bench/tls_bench.py from TLS-RESULTS.md -->"
TLS_END = "<!-- end of the HTTPS summary -->"


def tls_block(path):
    """The HTTPS summary block of the file at path (markers included), or "" when none:
    bench.py keeps it when it rewrites RESULTS.md."""
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return ""
    a, b = text.find(TLS_BEGIN), text.find(TLS_END)
    return text[a:b + len(TLS_END)] + "\n" if a >= 0 and b > a else ""


def put_tls_block(path, block):
    """Replaces the HTTPS summary block in the file at path, or appends it."""
    with open(path) as f:
        text = f.read()
    old = tls_block(path)
    text = text.replace(old, block) if old else text.rstrip("\n") + "\n\n" + block
    with open(path, "w") as f:
        f.write(text)
