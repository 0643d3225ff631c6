# tests/e2e/test_reload.py: SIGHUP and `jiyue -s reload|stop`: new, removed and changed
# site files; an invalid config keeps the old one whole; `-s reload` reports the server's
# own verdict from the reload status file; keep-alive connections survive; twenty reloads
# under load fail nothing; SIGTERM/SIGINT exit 0 and remove the pid file.
import http.client
import re
import shutil
import signal
import socket
import subprocess
import threading
import time

import pytest

from conftest import (BASE_SITES, DIAG_RE, LOG_DIAG_RE, EDU_HOST, JIYUE, PORTAL_HOST, XIAN_HOST, RawConn,
                      can_connect, html, make_cluster, read_text, run, site_yaml, wait_for)

HEALTH = dict(name="测试市卫生健康委员会", kind="department", parent="portal", path="/health/",
              hosts=["health.test.gov.cn"], code="1100000009")


@pytest.fixture(scope="module")
def rc(tmp_path_factory):
    c = make_cluster(tmp_path_factory, "reload")
    c.start()
    yield c
    c.stop()


def hup(c):
    c.signal(signal.SIGHUP)


def test_pid_file_holds_server_pid(rc):
    assert rc.pid_file.read_text().strip() == str(rc.pid)


def settle(rc):
    """Waits out reloads earlier tests started with a bare SIGHUP: `jiyue -s reload`
    returns once a reload begun after it has been recorded, and reloads run one at a time."""
    r = run([JIYUE, "-s", "reload", "-c", rc.conf], timeout=15)
    assert r.returncode == 0, r.stderr


def test_new_site_goes_live(rc):
    r = rc.get("/", host="health.test.gov.cn")
    assert b"PORTAL-HOME" in r.body, "before: an unknown host gets the portal"
    rc.write_site("health", **HEALTH)
    rc.import_pages("health", {"index.html": html("health", "HEALTH-HOME")})
    try:
        hup(rc)
        r = rc.poll_get("/", lambda r: b"HEALTH-HOME" in r.body, host="health.test.gov.cn")
        assert r.status == 200 and b"HEALTH-HOME" in r.body, r
        r = rc.get("/health/", host=PORTAL_HOST)
        assert r.status == 200 and b"HEALTH-HOME" in r.body, r
    finally:
        rc.site_path("health").unlink()
        settle(rc)


def test_removed_site_stops_answering(rc):
    if not rc.site_path("health").exists():
        rc.write_site("health", **HEALTH)
        rc.import_pages("health", {"index.html": html("health", "HEALTH-HOME")})
        hup(rc)
        rc.poll_get("/", lambda r: b"HEALTH-HOME" in r.body, host="health.test.gov.cn")
    rc.site_path("health").unlink()
    hup(rc)
    r = rc.poll_get("/", lambda r: b"HEALTH-HOME" not in r.body, host="health.test.gov.cn")
    assert r.status == 200 and b"PORTAL-HOME" in r.body, "its host falls back to the portal"
    r = rc.get("/health/", host=PORTAL_HOST)
    assert r.status == 404, r
    assert b"HEALTH-HOME" not in r.body


def test_changed_site_changes(rc):
    spec = dict(BASE_SITES["xian"])
    spec["hosts"] = [XIAN_HOST, "xian2.test.gov.cn"]
    rc.write_site("xian", **spec)
    hup(rc)
    r = rc.poll_get("/", lambda r: b"XIAN-HOME" in r.body, host="xian2.test.gov.cn")
    assert b"XIAN-HOME" in r.body, r
    # Change the mount path: /xian/ moves to /county/.
    spec["path"] = "/county/"
    rc.write_site("xian", **spec)
    hup(rc)
    r = rc.poll_get("/county/", lambda r: b"XIAN-HOME" in r.body)
    assert r.status == 200 and b"XIAN-HOME" in r.body, r
    assert rc.get("/xian/").status == 404
    assert b"ZHEN-HOME" in rc.get("/county/zhen/").body, "the child follows its parent's new path"
    # Back to the original.
    rc.write_site("xian", **BASE_SITES["xian"])
    hup(rc)
    r = rc.poll_get("/xian/", lambda r: b"XIAN-HOME" in r.body)
    assert b"XIAN-HOME" in r.body
    r = rc.poll_get("/", lambda r: b"XIAN-HOME" not in r.body, host="xian2.test.gov.cn")
    assert b"PORTAL-HOME" in r.body


def error_log_diags(rc, name):
    return [m for m in LOG_DIAG_RE.finditer(read_text(rc.error_log)) if name in m.group("file")]


def test_invalid_site_keeps_old_config_whole(rc):
    # One valid change and one broken file in the same reload: neither may take effect.
    settle(rc)
    spec = dict(BASE_SITES["edu"])
    spec["hosts"] = [EDU_HOST, "edu3.test.gov.cn"]
    rc.write_site("edu", **spec)
    broken = rc.sites_dir / "broken.yaml"
    broken.write_text("id: broken\nname: 坏站\nkind: department\nparent: portal\n"
                      "mount:\n  path: /broken/\n  no_such_key: 1\n")
    try:
        before = len(error_log_diags(rc, "broken.yaml"))
        hup(rc)
        got = wait_for(lambda: len(error_log_diags(rc, "broken.yaml")) > before, timeout=5)
        assert got, "error_log has no FILE:LINE:COL: line for broken.yaml:\n" + read_text(rc.error_log)[-2000:]
        diags = error_log_diags(rc, "broken.yaml")
        assert any(int(d.group("line")) == 7 for d in diags), [d.group(0) for d in diags]
        # The old configuration still serves, entirely.
        assert b"PORTAL-HOME" in rc.get("/", host="edu3.test.gov.cn").body, "the valid half was applied"
        assert b"EDU-HOME" in rc.get("/", host=EDU_HOST).body
        assert b"EDU-HOME" in rc.get("/edu/").body
        assert b"XIAN-HOME" in rc.get("/", host=XIAN_HOST).body
        assert b"ZHEN-HOME" in rc.get("/xian/zhen/").body
        assert rc.get("/broken/").status == 404
        assert rc.alive()
    finally:
        broken.unlink()
        rc.write_site("edu", **BASE_SITES["edu"])
        hup(rc)
    time.sleep(0.3)


def test_yaml_syntax_error_keeps_old_config(rc):
    # A valid change made in the same reload as the syntax error is not applied either.
    settle(rc)
    spec = dict(BASE_SITES["edu"])
    spec["hosts"] = [EDU_HOST, "edu4.test.gov.cn"]
    rc.write_site("edu", **spec)
    bad = rc.sites_dir / "zz-syntax.yaml"
    bad.write_text("id: zz\nname: [unclosed\nkind: department\n")
    head0 = status_record(rc)[0]
    try:
        before = len(error_log_diags(rc, "zz-syntax.yaml"))
        hup(rc)
        assert wait_for(lambda: len(error_log_diags(rc, "zz-syntax.yaml")) > before, timeout=5), \
            read_text(rc.error_log)[-2000:]
        assert wait_for(lambda: int(status_record(rc)[0]["seq"]) > int(head0["seq"])
                        and status_record(rc)[0]["result"] != "started", timeout=5)
        head = status_record(rc)[0]
        assert head["result"] == "rejected" and head["generation"] == head0["generation"], head
        assert b"EDU-HOME" in rc.get("/edu/").body
        for _ in range(4):  # two workers: new connections land on either
            r = rc.get("/", host="edu4.test.gov.cn")
            assert r.status == 200 and b"PORTAL-HOME" in r.body and b"EDU-HOME" not in r.body, \
                "the valid half of the reload was applied"
    finally:
        bad.unlink()
        rc.write_site("edu", **BASE_SITES["edu"])
        hup(rc)
        wait_for(lambda: status_record(rc)[0]["result"] == "accepted", timeout=5)


def test_ctl_reload_valid_exits_0_and_applies(rc):
    rc.write_site("health", **HEALTH)
    rc.import_pages("health", {"index.html": html("health", "HEALTH-HOME")})
    try:
        r = run([JIYUE, "-s", "reload", "-c", rc.conf], timeout=15)
        assert r.returncode == 0, r.stderr
        n = len(BASE_SITES) + 1
        assert re.search(rb"reloaded: configuration generation \d+, %d sites" % n, r.stdout), r.stdout
        # No polling: once the command has returned, every worker serves the new generation.
        for _ in range(4):  # two workers: new connections land on either
            got = rc.get("/health/")
            assert got.status == 200 and b"HEALTH-HOME" in got.body, got
    finally:
        rc.site_path("health").unlink()
        hup(rc)
        rc.poll_get("/health/", lambda r: r.status == 404)


def status_record(rc):
    """The reload status file as (header dict, diagnostics text)."""
    head, _, text = rc.status_file.read_text().partition("\n\n")
    lines = head.splitlines()
    assert lines[0] == "jiyue-reload-status 1", lines
    return dict(line.split(" ", 1) for line in lines[1:]), text


def test_ctl_reload_invalid_exits_1_with_server_diagnostics(rc):
    # The server itself checks the configuration: jiyue -s reload prints what it found
    # (FILE:LINE:COL) and says which generation still serves; nothing of the change applies.
    settle(rc)
    rc.write_site("health", **HEALTH)      # valid on its own...
    bad = rc.sites_dir / "bad.yaml"
    bad.write_text("id: bad\nname: 坏\nkind: nonsense\n")  # ...but this one is not
    gen_before = int(status_record(rc)[0]["generation"])
    try:
        r = run([JIYUE, "-s", "reload", "-c", rc.conf], timeout=15)
        assert r.returncode == 1, (r.returncode, r.stderr)
        err = r.stderr.decode()
        diags = [m for m in DIAG_RE.finditer(err) if m.group("file").endswith("/bad.yaml")]
        assert any((m.group("line"), m.group("col")) == ("3", "7") and "unknown kind 'nonsense'"
                   in m.group("msg") for m in diags), err
        assert f"the running server keeps serving configuration generation {gen_before}" in err, err
        # The same diagnostics reached the error log: it was the server that found them.
        assert "bad.yaml:3:7: unknown kind 'nonsense'" in read_text(rc.error_log)
        head, text = status_record(rc)
        assert head["result"] == "rejected" and int(head["generation"]) == gen_before, head
        assert "bad.yaml:3:7: unknown kind 'nonsense'" in text
        assert rc.get("/health/").status == 404
        assert b"EDU-HOME" in rc.get("/edu/").body
        assert rc.alive()
    finally:
        bad.unlink()
        rc.site_path("health").unlink()


def test_ctl_reload_reports_warnings_and_generation(rc):
    # A valid configuration with a warning (listen addresses cannot change without a
    # restart): exit 0, the warning printed as FILE:LINE:COL, the record says accepted.
    settle(rc)
    gen_before = int(status_record(rc)[0]["generation"])
    port = rc.port
    rc.port = port + 1 if port < 65535 else port - 1
    rc.write_conf()
    rc.port = port
    try:
        r = run([JIYUE, "-s", "reload", "-c", rc.conf], timeout=15)
    finally:
        rc.write_conf()
    assert r.returncode == 0, r.stderr
    err = r.stderr.decode()
    warn = [m for m in DIAG_RE.finditer(err) if m.group("file") == str(rc.conf)]
    assert warn and warn[0].group("msg").startswith("warning: listen addresses changed"), err
    head, text = status_record(rc)
    assert head["result"] == "accepted", head
    assert int(head["generation"]) == gen_before + 1, head
    assert int(head["pid"]) == rc.pid and int(head["seq"]) >= 1, head
    assert head["errors"] == "0" and head["warnings"] == "1", head
    assert int(head["sites"]) == len(BASE_SITES), head
    assert f"generation {gen_before + 1}, {len(BASE_SITES)} sites".encode() in r.stdout, r.stdout
    assert err == text, "stderr is the server's diagnostics, nothing else"
    assert rc.get("/edu/").status == 200, "still serving on the address it was started with"
    r = run([JIYUE, "-s", "reload", "-c", rc.conf], timeout=15)
    assert r.returncode == 0 and r.stderr == b"", r.stderr


def test_status_file_replaced_atomically(rc):
    # Readers racing a stream of reloads never see a partial record: every read parses and
    # the generation never goes back. The file is world-readable, the folder has no leftovers.
    st = rc.status_file.stat()
    assert st.st_mode & 0o777 == 0o644, oct(st.st_mode)
    settle(rc)
    seq0 = int(status_record(rc)[0]["seq"])
    stop = threading.Event()
    seen, bad = [], []

    def reader():
        while not stop.is_set():
            try:
                text = rc.status_file.read_text()
            except FileNotFoundError:
                bad.append("missing")
                continue
            head, sep, _ = text.partition("\n\n")
            lines = head.splitlines()
            if not sep or lines[0] != "jiyue-reload-status 1":
                bad.append(text[:80])
                continue
            seen.append(int(dict(l.split(" ", 1) for l in lines[1:])["seq"]))

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    try:
        for _ in range(10):
            r = run([JIYUE, "-s", "reload", "-c", rc.conf], timeout=15)
            assert r.returncode == 0, r.stderr
    finally:
        stop.set()
        t.join(timeout=5)
    assert bad == [], bad[:3]
    assert seen and seen == sorted(seen), "the sequence went backwards"
    assert seq0 <= min(seen) and max(seen) <= seq0 + 10 and len(set(seen)) > 1, (seq0, seen[:3], seen[-3:])
    assert int(status_record(rc)[0]["seq"]) == seq0 + 10, "one record per reload"
    assert [p.name for p in rc.status_file.parent.iterdir()
            if p.name.startswith(rc.status_file.name + ".")] == [], "temporary files left behind"


def started_as(argv, name):
    """A process whose name (/proc/PID/comm) already reads `name`: until it has exec'd, a
    child of this test is still named python3, and jiyue -s judges a pid by its name.
    Waits at most 5 s."""
    p = subprocess.Popen(argv)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with open(f"/proc/{p.pid}/comm") as f:
            if f.read().strip() == name:
                break
        time.sleep(0.01)
    return p


def test_ctl_reload_old_server_without_status_file(rc, tmp_path):
    # A server that keeps no status file (started by an older jiyue): the command still
    # signals it, but says it cannot report the outcome and exits 3. The stand-in is a
    # `sleep` named jiyue: -s signals only a process of that name.
    fake_bin = tmp_path / "jiyue"
    shutil.copy("/bin/sleep", fake_bin)
    fake = started_as([str(fake_bin), "30"], "jiyue")
    try:
        conf = tmp_path / "old.yaml"
        pid_file = tmp_path / "old.pid"
        pid_file.write_text(f"{fake.pid}\n")
        conf.write_text(f"pid_file: {pid_file}\nsites: nowhere\n")
        r = run([JIYUE, "-s", "reload", "-c", conf], timeout=15)
        assert r.returncode == 3, (r.returncode, r.stderr)
        assert b"keeps no reload status" in r.stderr and b"older jiyue" in r.stderr, r.stderr
        assert fake.wait(timeout=5) == -signal.SIGHUP, "it was not signalled"
    finally:
        fake.kill()
        fake.wait()


@pytest.mark.parametrize("action", ["stop", "reload", "reopen"])
def test_ctl_signal_refuses_a_pid_that_is_not_jiyue(tmp_path, action):
    # A stale pid file whose pid now belongs to another process: nothing is signalled.
    other = started_as(["sleep", "30"], "sleep")
    try:
        conf = tmp_path / "stale.yaml"
        pid_file = tmp_path / "stale.pid"
        pid_file.write_text(f"{other.pid}\n")
        conf.write_text(f"pid_file: {pid_file}\nsites: nowhere\n")
        r = run([JIYUE, "-s", action, "-c", conf], timeout=15)
        assert r.returncode == 1, (r.returncode, r.stderr)
        assert r.stderr.decode().strip() == (
            f"jiyue: pid file {pid_file} names pid {other.pid}, which is 'sleep', not jiyue: not "
            "signalled (a stale pid file? remove it)"), r.stderr
        time.sleep(0.2)
        assert other.poll() is None, "the other process was signalled"
    finally:
        other.kill()
        other.wait()
    # and a pid that no longer exists is no running server
    r = run([JIYUE, "-s", action, "-c", conf], timeout=15)
    assert r.returncode == 1 and b"which has exited" in r.stderr, r.stderr


def test_reload_warns_that_workers_need_a_restart(rc):
    text = rc.conf.read_text()
    assert "workers: 2\n" in text
    rc.conf.write_text(text.replace("workers: 2\n", "workers: 3\n"))
    try:
        r = run([JIYUE, "-s", "reload", "-c", rc.conf], timeout=15)
    finally:
        rc.conf.write_text(text)
    assert r.returncode == 0, r.stderr
    err = r.stderr.decode()
    mine = [m for m in DIAG_RE.finditer(err) if m.group("file") == str(rc.conf)]
    assert len(mine) == 1 and int(mine[0].group("line")) == text.splitlines().index("workers: 2") + 1, err
    assert mine[0].group("msg") == ("warning: workers changed from 2 to 3: restart jiyue to apply "
                                    "that; the rest is reloaded"), err
    assert "workers changed from 2 to 3" in read_text(rc.error_log)
    r = run([JIYUE, "-s", "reload", "-c", rc.conf], timeout=15)
    assert r.returncode == 0 and r.stderr == b"", r.stderr


def test_reload_warns_about_unread_files_in_sites_d(rc):
    stray = rc.sites_dir / "health.yml"
    stray.write_text(site_yaml("health", **HEALTH))
    try:
        r = run([JIYUE, "-s", "reload", "-c", rc.conf], timeout=15)
        assert r.returncode == 0, r.stderr
        want = f"{stray}:1:1: warning: not read: site files are NAME.yaml"
        assert want in r.stderr.decode(), r.stderr
        assert want in read_text(rc.error_log)
        assert rc.get("/", host="health.test.gov.cn").body.find(b"HEALTH") < 0
    finally:
        stray.unlink()


def test_ctl_signal_reads_only_the_server_file(rc, tmp_path):
    # -s finds the server from pid_file alone: a broken server file is refused before any
    # signal, but site files are the server's to check (stop/reopen never look at them).
    broken = tmp_path / "broken.yaml"
    broken.write_text(f"pid_file: {rc.pid_file}\nlisten: [unclosed\n")
    r = run([JIYUE, "-s", "reload", "-c", broken], timeout=15)
    assert r.returncode == 1, r.stderr
    assert [m for m in DIAG_RE.finditer(r.stderr.decode()) if m.group("file") == str(broken)], r.stderr
    assert b"the running server was not signalled" in r.stderr
    nopid = tmp_path / "nopid.yaml"
    nopid.write_text("sites: nowhere\n")
    r = run([JIYUE, "-s", "reload", "-c", nopid], timeout=15)
    assert r.returncode == 1 and b"no running server (pid file not configured)" in r.stderr, r.stderr
    assert rc.alive()


def test_keepalive_connection_survives_reload(rc):
    with RawConn(rc.port, timeout=5) as c:
        c.send_request("GET", "/edu/", {"Host": PORTAL_HOST})
        assert b"EDU-HOME" in c.read_response().body
        rc.write_site("health", **HEALTH)
        rc.import_pages("health", {"index.html": html("health", "HEALTH-HOME")})
        hup(rc)
        try:
            rc.poll_get("/health/", lambda r: b"HEALTH-HOME" in r.body)
            # Same socket, after the reload: still served, and on the new configuration.
            c.send_request("GET", "/edu/", {"Host": PORTAL_HOST})
            r = c.read_response()
            assert r.status == 200 and b"EDU-HOME" in r.body, r
            c.send_request("GET", "/health/", {"Host": PORTAL_HOST})
            r = c.read_response()
            assert r.status == 200 and b"HEALTH-HOME" in r.body, r
        finally:
            rc.site_path("health").unlink()
            hup(rc)
            rc.poll_get("/health/", lambda r: r.status == 404)


def test_twenty_reloads_under_load(rc):
    targets = [("/", PORTAL_HOST, b"PORTAL-HOME"), ("/edu/", PORTAL_HOST, b"EDU-HOME"),
               ("/", EDU_HOST, b"EDU-HOME"), ("/xian/zhen/", PORTAL_HOST, b"ZHEN-HOME"),
               ("/style.css", PORTAL_HOST, b"e2e stylesheet")]
    stop = threading.Event()
    lock = threading.Lock()
    stats = {"ok": 0, "bad": [], "errors": [], "reconnects": 0}

    def client(n):
        conn = None
        i = n
        while not stop.is_set():
            path, host, marker = targets[i % len(targets)]
            i += 1
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", rc.port, timeout=5)
                conn.request("GET", path, headers={"Host": host})
                r = conn.getresponse()
                body = r.read()
                if r.status == 200 and marker in body:
                    with lock:
                        stats["ok"] += 1
                else:
                    with lock:
                        stats["bad"].append((path, host, r.status, body[:100]))
                if r.will_close:
                    conn.close()
                    conn = None
                    with lock:
                        stats["reconnects"] += 1
            except Exception as e:  # resets, closes mid-response, timeouts: all failures
                with lock:
                    stats["errors"].append(f"{path} {host}: {type(e).__name__}: {e}")
                if conn:
                    conn.close()
                conn = None
        if conn:
            conn.close()

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(4)]
    for t in threads:
        t.start()
    t0 = time.monotonic()
    time.sleep(0.2)
    spec = dict(BASE_SITES["xian"])
    for k in range(20):
        # Every reload changes something, so each one builds and swaps a new snapshot.
        spec["hosts"] = [XIAN_HOST, f"xian-r{k}.test.gov.cn"]
        rc.write_site("xian", **spec)
        hup(rc)
        time.sleep(0.1)
        if time.monotonic() - t0 > 25:
            break
    time.sleep(0.5)
    stop.set()
    for t in threads:
        t.join(timeout=10)
    assert not any(t.is_alive() for t in threads)
    assert k == 19, "did not get through 20 reloads in 25 s"
    # The reloads really happened: the last one's extra host serves xian.
    r = rc.poll_get("/", lambda r: b"XIAN-HOME" in r.body, host="xian-r19.test.gov.cn")
    assert b"XIAN-HOME" in r.body, "the 20th reload was not applied"
    rc.write_site("xian", **BASE_SITES["xian"])
    hup(rc)
    assert rc.alive(), "server died during reloads" + rc.server_output()
    assert stats["errors"] == [], f"{len(stats['errors'])} connection errors, e.g. {stats['errors'][:5]}"
    assert stats["bad"] == [], f"{len(stats['bad'])} failed requests, e.g. {stats['bad'][:5]}"
    assert stats["reconnects"] == 0, "keep-alive connections were closed by the reloads"
    assert stats["ok"] > 100, stats


def test_reloads_applied_during_load_are_live(rc):
    spec = dict(BASE_SITES["xian"])
    spec["hosts"] = [XIAN_HOST, "xian-final.test.gov.cn"]
    rc.write_site("xian", **spec)
    hup(rc)
    r = rc.poll_get("/", lambda r: b"XIAN-HOME" in r.body, host="xian-final.test.gov.cn")
    assert b"XIAN-HOME" in r.body
    rc.write_site("xian", **BASE_SITES["xian"])
    hup(rc)


def test_response_in_flight_finishes_across_reload(rc):
    # A large edu download is in progress when edu is removed by a reload: it still completes.
    big = bytes((i * 17) % 253 for i in range(4 << 20))
    rc.import_pages("edu", {"index.html": html("edu", "EDU-HOME"), "page.html": html("edu page", "EDU-PAGE"),
                            "news/index.html": html("edu news", "EDU-NEWS"), "huge.bin": big})
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
    s.settimeout(30)
    s.connect(("127.0.0.1", rc.port))
    try:
        s.sendall(f"GET /edu/huge.bin HTTP/1.1\r\nHost: {PORTAL_HOST}\r\n\r\n".encode())
        data = s.recv(16384)
        rc.site_path("edu").unlink()
        hup(rc)
        r = rc.poll_get("/edu/", lambda r: b"EDU-HOME" not in r.body)
        assert b"EDU-HOME" not in r.body, "the reload removing edu did not apply"
        # The request started before: same socket, still a keep-alive connection afterwards.
        want = len(big)
        head_end = -1
        # Generous: under the sanitizers, with the other e2e process busy, 4 MiB through a
        # 16 KiB receive buffer took over 10 s once. A server that closes early still fails.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if head_end < 0 and b"\r\n\r\n" in data:
                head_end = data.index(b"\r\n\r\n") + 4
            if head_end >= 0 and len(data) - head_end >= want:
                break
            chunk = s.recv(1 << 20)
            if not chunk:
                break
            data += chunk
        head, body = data[:head_end], data[head_end:]
        assert re.match(rb"HTTP/1\.1 200", head), head[:100]
        assert body == big, f"got {len(body)} of {len(big)} bytes"
    finally:
        s.close()
        rc.write_site("edu", **BASE_SITES["edu"])
        hup(rc)
        rc.poll_get("/edu/", lambda r: b"EDU-HOME" in r.body)


# ---------------------------------------------------------------- shutdown

@pytest.fixture
def fresh(tmp_path_factory):
    c = make_cluster(tmp_path_factory, "shutdown")
    c.start()
    yield c
    c.stop()


def assert_clean_exit(c, rc_code):
    assert rc_code == 0, f"exit code {rc_code}" + c.server_output()
    assert not c.pid_file.exists(), "pid file not removed at exit"
    assert not can_connect(c.port), "still accepting after exit"


def test_sigterm_idle_exits_0(fresh):
    fresh.signal(signal.SIGTERM)
    t0 = time.monotonic()
    code = fresh.proc.wait(timeout=10)
    assert time.monotonic() - t0 < 10
    assert_clean_exit(fresh, code)


def test_sigint_exits_0(fresh):
    fresh.signal(signal.SIGINT)
    assert_clean_exit(fresh, fresh.proc.wait(timeout=10))


def test_ctl_stop_exits_0(fresh):
    assert fresh.status_file.exists(), "the server writes its status file at start"
    # A broken site file does not keep an operator from stopping the server.
    (fresh.sites_dir / "broken.yaml").write_text("id: [unclosed\n")
    r = run([JIYUE, "-s", "stop", "-c", fresh.conf], timeout=10)
    assert r.returncode == 0, r.stderr
    assert_clean_exit(fresh, fresh.proc.wait(timeout=10))
    assert not fresh.status_file.exists(), "reload status file not removed at exit"


def test_sigterm_with_idle_keepalive_connection(fresh):
    with RawConn(fresh.port, timeout=12) as c:
        c.send_request("GET", "/", {"Host": PORTAL_HOST})
        assert c.read_response().status == 200
        fresh.signal(signal.SIGTERM)
        t0 = time.monotonic()
        code = fresh.proc.wait(timeout=12)
        assert time.monotonic() - t0 < 11
        assert c.closed_within(2)
    assert_clean_exit(fresh, code)


def test_sigterm_finishes_response_in_flight(fresh):
    # A large response the client reads slowly is still delivered whole after SIGTERM.
    big = bytes((i * 31) % 251 for i in range(4 << 20))
    fresh.import_pages("portal", {"index.html": html("portal", "PORTAL-HOME"), "huge.bin": big})
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
    s.settimeout(10)
    s.connect(("127.0.0.1", fresh.port))
    try:
        s.sendall(f"GET /huge.bin HTTP/1.1\r\nHost: {PORTAL_HOST}\r\n\r\n".encode())
        data = s.recv(16384)
        fresh.signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            chunk = s.recv(1 << 20)
            if not chunk:
                break
            data += chunk
    finally:
        s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    assert re.match(rb"HTTP/1\.1 200", head), head[:100]
    assert body == big, f"got {len(body)} of {len(big)} bytes"
    assert_clean_exit(fresh, fresh.proc.wait(timeout=12))


def test_pid_file_written_after_bind(tmp_path_factory):
    # Once the pid file exists every listener already accepts.
    c = make_cluster(tmp_path_factory, "pidfile", ipv6=True)
    c.out = open(c.stdout_path, "ab")
    c.err = open(c.stderr_path, "ab")
    c.proc = subprocess.Popen([str(JIYUE), "-c", str(c.conf)], stdout=c.out, stderr=c.err)
    try:
        assert wait_for(lambda: c.pid_file.exists() or c.proc.poll() is not None, timeout=10)
        assert c.proc.poll() is None, c.server_output()
        assert can_connect(c.port), "pid file written before the IPv4 listener accepted"
        assert can_connect(c.port6, "::1", socket.AF_INET6), "pid file written before the IPv6 listener accepted"
        for port, fam, host in ((c.port, socket.AF_INET, "127.0.0.1"), (c.port6, socket.AF_INET6, "::1")):
            with RawConn(port, host=host, family=fam) as rc6:
                rc6.send_request("GET", "/edu/", {"Host": PORTAL_HOST})
                r = rc6.read_response()
                assert r.status == 200 and b"EDU-HOME" in r.body
    finally:
        code = c.stop()
    assert code == 0
    assert not c.pid_file.exists()
