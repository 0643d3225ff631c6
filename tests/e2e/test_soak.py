# tests/e2e/test_soak.py: many reloads under load. Clients hammer four sites over keep-alive
# and fresh connections while SIGHUP arrives again and again, each time with a changed site
# file (a host added or dropped, a site added or removed), and each reload is waited for in
# the error log so that none is coalesced away. At the end: no failed or wrong request, the
# server's VmRSS within 5% of its value after the first reload, and as many descriptors
# open as before (VmRSS is not checked under ASan, whose quarantine keeps freed memory on
# purpose; LSan checks for leaks at exit there). JIYUE_SOAK_RELOADS sets the count (default
# 1,000: 3-12 s here, sanitizers included); JIYUE_SOAK_SECONDS bounds the time (default 60;
# the test fails if the count does not fit).
import os
import re
import signal
import threading
import time
from pathlib import Path

import pytest

from conftest import (BASE_SITES, EDU_HOST, PORTAL_HOST, SANITIZED, XIAN_HOST, RawConn, html,
                      make_cluster)

RELOADS = int(os.environ.get("JIYUE_SOAK_RELOADS", "1000"))
SECONDS = float(os.environ.get("JIYUE_SOAK_SECONDS", "60"))
CLIENTS = 4
EXTRA = dict(name="测试市卫生健康委员会", kind="department", parent="portal", path="/health/",
             hosts=["health.test.gov.cn"], code="1100000009")


def proc_status(pid, key):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise AssertionError(f"{key} not in /proc/{pid}/status")


def fd_count(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


CHECKS = [
    (PORTAL_HOST, "/", b"PORTAL-HOME"),
    (PORTAL_HOST, "/edu/page.html", b"EDU-PAGE"),
    (EDU_HOST, "/", b"EDU-HOME"),
    (XIAN_HOST, "/zhen/", b"ZHEN-HOME"),
    (PORTAL_HOST, "/style.css", b"e2e stylesheet"),
]


class Load:
    """CLIENTS threads: each keeps one connection alive for 20 requests, then opens a new one."""

    def __init__(self, port):
        self.port = port
        self.stop = threading.Event()
        self.ok = 0
        self.failures = []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run, args=(i,), daemon=True) for i in range(CLIENTS)]

    def run(self, k):
        i = k
        while not self.stop.is_set():
            try:
                with RawConn(self.port, timeout=5) as c:
                    for _ in range(20):
                        if self.stop.is_set():
                            break
                        host, path, marker = CHECKS[i % len(CHECKS)]
                        i += 1
                        c.send_request("GET", path, {"Host": host})
                        r = c.read_response()
                        if r.status != 200 or marker not in r.body:
                            with self.lock:
                                self.failures.append((host, path, r.status, r.body[:120]))
                        else:
                            with self.lock:
                                self.ok += 1
            except (OSError, AssertionError, Exception) as e:  # noqa: BLE001 - recorded
                with self.lock:
                    self.failures.append(repr(e))
                time.sleep(0.01)

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *a):
        self.stop.set()
        for t in self.threads:
            t.join(10)
        assert not any(t.is_alive() for t in self.threads), "a load thread hung"


@pytest.fixture(scope="module")
def soak(tmp_path_factory):
    c = make_cluster(tmp_path_factory, "soak", workers=2)
    c.write_site("health", **EXTRA)
    c.import_pages("health", {"index.html": html("health", "HEALTH-HOME")})
    c.start()
    yield c
    c.stop()


class Reloader:
    """Sends SIGHUP and waits for the server to log the new generation, so that every
    signal is a reload of its own (signals sent faster would be coalesced)."""

    GEN_RE = re.compile(rb"reloaded: configuration generation (\d+)")

    def __init__(self, c):
        self.c = c
        self.f = open(c.error_log, "rb")
        self.last = 0
        self.buf = b""
        self.rejected = 0
        self.poll()

    def poll(self):
        chunk = self.f.read()
        if chunk:
            self.buf += chunk
            lines = self.buf.split(b"\n")
            self.buf = lines.pop()
            for ln in lines:
                m = self.GEN_RE.search(ln)
                if m:
                    self.last = max(self.last, int(m.group(1)))
                elif b"reload rejected" in ln:
                    self.rejected += 1

    def reload(self, timeout=5):
        want = self.last + 1
        self.c.signal(signal.SIGHUP)
        deadline = time.monotonic() + timeout
        while self.last < want:
            if time.monotonic() > deadline:
                raise AssertionError(f"reload to generation {want} not logged within {timeout}s; "
                                     f"rejected so far: {self.rejected}")
            time.sleep(0.001)
            self.poll()

    def close(self):
        self.f.close()


def mutate(c, i):
    """A real change for reload i: edu gains or loses a second host; every 10th reload the
    health site comes or goes."""
    spec = dict(BASE_SITES["edu"])
    if i % 2:
        spec["hosts"] = [EDU_HOST, f"edu{i % 7}.test.gov.cn"]
    c.write_site("edu", **spec)
    if i % 10 == 5:
        p = c.site_path("health")
        if p.exists():
            p.unlink()
        else:
            c.write_site("health", **EXTRA)


def quiet_fds(pid, timeout=5):
    """The descriptor count once it has stopped changing (closes are asynchronous)."""
    deadline = time.monotonic() + timeout
    n = fd_count(pid)
    while time.monotonic() < deadline:
        time.sleep(0.2)
        m = fd_count(pid)
        if m == n:
            return n
        n = m
    return n


def test_reloads_under_load(soak):
    pid = soak.pid
    rl = Reloader(soak)
    try:
        rl.reload()  # the first reload: the baseline is taken after it
        # Warm up under load so per-connection and per-worker buffers exist in both samples.
        with Load(soak.port) as load:
            time.sleep(1.0)
            for i in range(5):
                mutate(soak, i)
                rl.reload()
            time.sleep(0.5)
            rss_first = proc_status(pid, "VmRSS")
        # Idle again: the load's connections are closed on the server side too.
        fds_first = quiet_fds(pid)

        t0 = time.monotonic()
        rss_samples = []
        with Load(soak.port) as load:
            for i in range(RELOADS):
                mutate(soak, i)
                rl.reload()
                if time.monotonic() - t0 > SECONDS:
                    pytest.fail(f"only {i + 1} of {RELOADS} reloads fitted in {SECONDS:.0f}s "
                                f"(set JIYUE_SOAK_RELOADS lower or JIYUE_SOAK_SECONDS higher)")
                if i % max(1, RELOADS // 10) == 0:
                    rss_samples.append(proc_status(pid, "VmRSS"))
            time.sleep(0.5)
            rss_end = proc_status(pid, "VmRSS")
            elapsed = time.monotonic() - t0
            ok, failures = load.ok, list(load.failures)
        fds_end = quiet_fds(pid)
    finally:
        rl.close()

    print(f"\nsoak: {RELOADS} reloads in {elapsed:.1f}s ({RELOADS / elapsed:.0f}/s), "
          f"{ok} requests ok, {len(failures)} failed; VmRSS after first reload {rss_first} kB, "
          f"at end {rss_end} kB ({(rss_end - rss_first) * 100.0 / rss_first:+.1f}%), "
          f"samples {rss_samples}; fds {fds_first} -> {fds_end}")
    assert soak.alive(), soak.server_output()
    assert not failures, f"{len(failures)} failed requests, first: {failures[:5]}"
    assert ok > RELOADS, f"the load made only {ok} requests during {RELOADS} reloads"
    assert rl.rejected == 0, "a reload of a valid tree was rejected"
    assert fds_end == fds_first, f"descriptors leaked: {fds_first} before, {fds_end} after"
    if not SANITIZED:
        # ASan's quarantine holds freed memory on purpose: RSS means nothing there (LSan
        # checks for leaks at exit instead).
        assert rss_end <= rss_first * 1.05, \
            f"VmRSS grew {rss_first} -> {rss_end} kB over {RELOADS} reloads (samples {rss_samples})"
    # The last configuration is the one served.
    r = soak.get("/", host=EDU_HOST)
    assert r.status == 200 and b"EDU-HOME" in r.body
    health = soak.site_path("health").exists()
    r = soak.get("/health/")
    assert (r.status == 200 and b"HEALTH-HOME" in r.body) == health, r
