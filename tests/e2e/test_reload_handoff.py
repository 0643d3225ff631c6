# tests/e2e/test_reload_handoff.py: the reload hand-off (core/handoff.c) never makes the
# control thread wait for a worker. The one worker is made to hang for real: its access
# log is a pipe nobody reads, so its next flush blocks in write(). A reload started then
# is not finished, yet the control thread answers SIGUSR1 at once (before, it sat up to
# 5 s in pthread_cond_timedwait); the status file says `adopting` meanwhile; `jiyue -s
# reload` reports only once the stuck worker has taken the new configuration up, and
# then it serves it. A SIGHUP during the hand-off is applied right after it.
import fcntl
import os
import re
import select
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

from conftest import (BASE_SITES, JIYUE, PORTAL_HOST, RawConn, html, make_cluster, read_text,
                      site_yaml, wait_for)

F_SETPIPE_SZ = 1031  # fcntl.F_SETPIPE_SZ, missing from older Pythons
HEALTH = dict(name="测试市卫生健康委员会", kind="department", parent="portal", path="/health/",
              hosts=["health.test.gov.cn"], code="1100000009")


class Drain:
    """Reads the access-log pipe until stopped, once started."""

    def __init__(self, fd):
        self.fd = fd
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stop.is_set():
            if select.select([self.fd], [], [], 0.05)[0]:
                try:
                    os.read(self.fd, 1 << 16)
                except BlockingIOError:
                    pass


def writer_blocked(pid):
    """A thread of pid sleeps in write() to a full pipe (its wait channel: pipe_write, or
    anon_pipe_write on newer kernels)."""
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            if "pipe_write" in Path(f"/proc/{pid}/task/{tid}/wchan").read_text():
                return True
        except OSError:
            pass
    return False


def stall_worker(c):
    """Requests until the worker hangs in write() on its access log."""
    deadline = time.monotonic() + 20
    while not writer_blocked(c.pid):
        assert time.monotonic() < deadline, "the worker never blocked on its access log"
        try:
            with RawConn(c.port, timeout=1) as conn:
                for _ in range(50):
                    conn.send_request("GET", "/", {"Host": PORTAL_HOST})
                    assert conn.read_response().status == 200
        except (socket.timeout, TimeoutError):
            time.sleep(0.1)  # a response not sent: the flush may just have blocked


def test_reload_with_a_stuck_worker_leaves_the_control_thread_free(tmp_path_factory):
    c = make_cluster(tmp_path_factory, "handoff", workers=1)
    if c.access_log.exists():
        c.access_log.unlink()
    os.mkfifo(c.access_log)
    rfd = os.open(c.access_log, os.O_RDONLY | os.O_NONBLOCK)
    drain = Drain(rfd)
    proc = None
    try:
        fcntl.fcntl(rfd, F_SETPIPE_SZ, 4096)
        c.start()
        stall_worker(c)

        # A reload with a warning, so that the error log shows when the server took it up.
        c.write_site("health", **HEALTH)
        c.import_pages("health", {"index.html": html("health", "HEALTH-HOME")})
        stray = c.sites_dir / "stray.yml"
        stray.write_text(site_yaml("stray", **HEALTH))
        proc = subprocess.Popen([str(JIYUE), "-s", "reload", "-c", str(c.conf)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert wait_for(lambda: "not read: site files are NAME.yaml" in read_text(c.error_log),
                        timeout=10), read_text(c.error_log)[-2000:]

        # The worker has not taken the new snapshot up; the control thread is free anyway.
        t0 = time.monotonic()
        c.signal(signal.SIGUSR1)
        assert wait_for(lambda: "logs reopened" in read_text(c.error_log), timeout=4,
                        interval=0.01), "SIGUSR1 not answered during the hand-off"
        took = time.monotonic() - t0
        assert took < 2.0, f"SIGUSR1 answered only after {took:.1f}s: the control loop waited"
        # No verdict yet: `jiyue -s reload` is still waiting; the record says the new
        # generation is on its way to the workers.
        assert proc.poll() is None, proc.communicate()
        assert "reloaded:" not in read_text(c.error_log)
        head = c.status_file.read_text().split("\n\n")[0].splitlines()
        assert "result adopting" in head and "seq 1" in head and "generation 2" in head, head

        # A second SIGHUP during the hand-off is not lost: it is applied right after.
        stray.unlink()
        edu = dict(BASE_SITES["edu"])
        edu["hosts"] = list(edu["hosts"]) + ["edu-again.test.gov.cn"]
        c.write_site("edu", **edu)
        c.signal(signal.SIGHUP)
        time.sleep(0.2)
        assert proc.poll() is None
        assert "result adopting" in c.status_file.read_text()

        drain.thread.start()  # the worker's write() completes: it adopts, the verdict follows
        out, err = proc.communicate(timeout=15)
        assert proc.returncode == 0, err
        assert re.search(rb"reloaded: configuration generation [23], 5 sites", out), out
        assert wait_for(lambda: "result accepted" in c.status_file.read_text()
                        and "generation 3" in c.status_file.read_text(), timeout=10), \
            c.status_file.read_text()
        head = c.status_file.read_text().split("\n\n")[0].splitlines()
        assert "seq 2" in head and "warnings 0" in head, head
        r = c.get("/health/")
        assert r.status == 200 and b"HEALTH-HOME" in r.body, r
        r = c.get("/", host="edu-again.test.gov.cn")
        assert r.status == 200 and b"EDU-HOME" in r.body, r
        log = read_text(c.error_log)
        assert "reloaded: configuration generation 2, 5 sites" in log, log[-2000:]
        assert "reloaded: configuration generation 3, 5 sites" in log, log[-2000:]
        assert "had not taken up" not in log
        assert c.alive()
    finally:
        if proc and proc.poll() is None:
            proc.kill()
            proc.wait()
        if not drain.thread.is_alive():
            drain.thread.start()  # the server flushes its log as it stops
        code = c.stop()
        drain.stop.set()
        drain.thread.join(5)
        os.close(rfd)
    assert code == 0, c.server_output()
