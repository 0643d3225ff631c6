# tests/e2e/test_serving.py: the process model: worker threads (a number or `auto`),
# IPv4 and IPv6 listeners, load spread over the workers, and dropping root to `user:`.
import os
import pwd
import shutil
import signal
import socket
import tempfile
import time
from pathlib import Path

import pytest

from conftest import (JIYUE, PORTAL_HOST, Cluster, RawConn, can_connect, make_cluster, run,
                      wait_for)


def threads_of(pid):
    return sorted(int(t) for t in os.listdir(f"/proc/{pid}/task"))


def reload_record(c):
    """The header of the reload status file as a dict."""
    lines = c.status_file.read_text().partition("\n\n")[0].splitlines()
    assert lines[0] == "jiyue-reload-status 1", lines
    return dict(line.split(" ", 1) for line in lines[1:])


def ctx_switches(pid):
    out = {}
    for tid in threads_of(pid):
        try:
            text = Path(f"/proc/{pid}/task/{tid}/status").read_text()
        except FileNotFoundError:
            continue
        for line in text.splitlines():
            if line.startswith("voluntary_ctxt_switches:"):
                out[tid] = int(line.split()[1])
    return out


def idle_threads(tmp_path_factory, workers):
    """The thread count of an idle server with `workers` workers (after its start-up)."""
    c = make_cluster(tmp_path_factory, f"workers-{workers}", workers=workers)
    c.start()
    return c, len(threads_of(c.pid))


@pytest.fixture(scope="module")
def one_worker_threads(tmp_path_factory):
    # The baseline: one worker plus the threads every server runs (main, helpers).
    c, n = idle_threads(tmp_path_factory, 1)
    assert c.stop() == 0
    return n


@pytest.mark.parametrize("workers,expect", [(2, 2), (3, 3), ("auto", os.cpu_count() or 1)])
def test_worker_threads(tmp_path_factory, one_worker_threads, workers, expect):
    c, n = idle_threads(tmp_path_factory, workers)
    try:
        # Each worker beyond the first is exactly one more thread than the baseline.
        assert n - one_worker_threads == expect - 1, \
            f"workers: {workers} runs {n} threads, workers: 1 runs {one_worker_threads}"
        for _ in range(10):
            r = c.get("/edu/")
            assert r.status == 200 and b"EDU-HOME" in r.body
    finally:
        assert c.stop() == 0


def test_load_spread_over_workers(tmp_path_factory):
    c = make_cluster(tmp_path_factory, "spread", workers=2)
    c.start()
    try:
        before = ctx_switches(c.pid)
        # New connections, so that the kernel (SO_REUSEPORT) or the server distributes them.
        for i in range(300):
            with RawConn(c.port) as conn:
                conn.send_request("GET", "/", {"Host": PORTAL_HOST, "Connection": "close"})
                assert conn.read_response().status == 200
        after = ctx_switches(c.pid)
        deltas = sorted((after.get(t, 0) - before.get(t, 0) for t in after), reverse=True)
        top = deltas[:2]
        assert len(top) == 2 and sum(top) > 0, deltas
        assert top[1] >= 0.15 * sum(top), \
            f"one worker did almost all the work: wake-ups per thread {deltas}"
    finally:
        c.stop()


def test_ipv4_and_ipv6_listeners(tmp_path_factory):
    c = make_cluster(tmp_path_factory, "dual", ipv6=True)
    c.start()
    try:
        assert wait_for(lambda: can_connect(c.port6, "::1", socket.AF_INET6), timeout=3)
        with RawConn(c.port6, host="::1", family=socket.AF_INET6) as conn:
            conn.send_request("GET", "/xian/zhen/", {"Host": PORTAL_HOST})
            r = conn.read_response()
        assert r.status == 200 and b"ZHEN-HOME" in r.body
        with RawConn(c.port6, host="::1", family=socket.AF_INET6) as conn:
            conn.send(b"GET / HTTP/1.0\r\n\r\n")
            r = conn.read_response()
        assert r.status == 200 and b"PORTAL-HOME" in r.body
    finally:
        assert c.stop() == 0


def test_connection_burst_on_two_listeners_all_served(tmp_path_factory):
    """A worker takes one new connection per loop iteration and leaves the rest queued in
    the kernel for the next (so a burst of TLS handshakes cannot hold up open
    connections). A burst on two listeners at once must still all be taken: none may
    stay queued once the burst is over, on either listener, and open connections keep
    being answered meanwhile."""
    c = make_cluster(tmp_path_factory, "burst", ipv6=True, workers=1,
                     limits={"max_connections": 1000})
    c.start()
    try:
        assert wait_for(lambda: can_connect(c.port6, "::1", socket.AF_INET6), timeout=3)
        with RawConn(c.port) as early:
            conns = []
            for i in range(120):
                conns.append(RawConn(c.port))
                conns.append(RawConn(c.port6, host="::1", family=socket.AF_INET6))
                if i % 40 == 0:  # an open connection is answered during the burst
                    early.send_request("GET", "/", {"Host": PORTAL_HOST})
                    assert early.read_response().status == 200
            try:
                for conn in conns:
                    conn.send_request("GET", "/xian/zhen/", {"Host": PORTAL_HOST})
                for conn in conns:
                    r = conn.read_response()
                    assert r.status == 200 and b"ZHEN-HOME" in r.body
            finally:
                for conn in conns:
                    conn.close()
    finally:
        assert c.stop() == 0


def test_listen_on_port_in_use_fails_clearly(tmp_path_factory):
    c = make_cluster(tmp_path_factory, "busy")
    blocker = socket.socket()
    blocker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    blocker.bind(("127.0.0.1", c.port))
    blocker.listen(1)
    try:
        r = run([JIYUE, "-c", c.conf], timeout=15)
        assert r.returncode != 0
        assert str(c.port) in (r.stderr.decode() + c.server_output()), r.stderr
        assert not c.pid_file.exists()
    finally:
        blocker.close()


@pytest.mark.skipif(os.geteuid() != 0, reason="dropping privileges needs root")
def test_drops_to_configured_user():
    # A tree outside pytest's 0700 tmp folder, with the folders the server writes owned by
    # the unprivileged user, as an operator would set them up.
    nobody = pwd.getpwnam("nobody")
    root = Path(tempfile.mkdtemp(prefix="jiyue-e2e-user-"))
    try:
        os.chmod(root, 0o755)
        c = Cluster(root / "tree", extra_conf="user: nobody\n")
        os.chmod(c.root, 0o755)
        c.import_base()
        for d in (c.logs, c.pid_file.parent, c.root / "store"):
            for dirpath, dirnames, filenames in os.walk(d):
                os.chown(dirpath, nobody.pw_uid, nobody.pw_gid)
                for f in filenames:
                    os.chown(os.path.join(dirpath, f), nobody.pw_uid, nobody.pw_gid)
        for dirpath, dirnames, filenames in os.walk(c.root):
            if Path(dirpath) == c.root / "store":
                continue  # the store stays private to its owner (0700, files 0600)
            os.chmod(dirpath, 0o755)
            for f in filenames:
                os.chmod(os.path.join(dirpath, f), 0o644 | (os.stat(os.path.join(dirpath, f)).st_mode & 0o700))
        c.start()
        try:
            status = Path(f"/proc/{c.pid}/status").read_text()
            uids = next(l for l in status.splitlines() if l.startswith("Uid:")).split()[1:]
            gids = next(l for l in status.splitlines() if l.startswith("Gid:")).split()[1:]
            assert set(map(int, uids)) == {nobody.pw_uid}, status
            assert set(map(int, gids)) == {nobody.pw_gid}, status
            r = c.get("/edu/")
            assert r.status == 200 and b"EDU-HOME" in r.body
            # Reload still works as the unprivileged user: the status file shows it applied
            # (the next generation, accepted), and a site added with it serves.
            head0 = reload_record(c)
            r = c.get("/", host="health.test.gov.cn")
            assert r.status == 200 and b"PORTAL-HOME" in r.body, r
            c.write_site("health", name="测试市卫生健康委员会", kind="department", parent="portal",
                         path="/health/", hosts=["health.test.gov.cn"], code="1100000009")
            c.signal(signal.SIGHUP)
            assert wait_for(lambda: int(reload_record(c)["seq"]) > int(head0["seq"])
                            and reload_record(c)["result"] not in ("started", "adopting"),
                            timeout=5), reload_record(c)
            head = reload_record(c)
            assert head["result"] == "accepted", (head, c.server_output())
            assert int(head["generation"]) == int(head0["generation"]) + 1, head
            # Its host was the portal's fallback before; now it is the new site's (nothing
            # imported yet: its home rendered empty from the theme, not the portal's page).
            r = c.get("/", host="health.test.gov.cn")
            assert r.status == 200 and b"PORTAL-HOME" not in r.body, r
            assert "测试市卫生健康委员会" in r.body.decode(), r
            assert c.get("/").status == 200
        finally:
            code = c.stop()
        assert code == 0, c.server_output()
        assert not c.pid_file.exists()
    finally:
        shutil.rmtree(root, ignore_errors=True)
