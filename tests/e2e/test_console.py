# tests/e2e/test_console.py: the management listener (`admin:`) and the console's sign-in
# API, over HTTP against the real server: the listener serves only the management side
# (never a public site; the public listeners never serve it), its allow-list answers 403
# on the head alone, `jiyue -t` refuses a plain non-loopback admin listener at its
# FILE:LINE:COL, and reload keeps it working.
import json
import re
import socket
import time

import pytest

from conftest import (DIAG_RE, JIYUE, PORTAL_HOST, Cluster, RawConn, free_port,
                      need_binaries, read_text, run, wait_for)


def admin_conf(port, allow=("127.0.0.1/32", "10.0.0.0/8"), extra=""):
    allow_list = ", ".join(f'"{a}"' for a in allow)
    return (f'admin:\n  listen: ["127.0.0.1:{port}"]\n  allow: [{allow_list}]\n' + extra)


def make(tmp_path, name, allow=("127.0.0.1/32", "10.0.0.0/8"), extra=""):
    need_binaries()
    admin_port = free_port()
    c = Cluster(tmp_path / name, extra_conf=admin_conf(admin_port, allow, extra))
    c.admin_port = admin_port
    c.import_base()
    return c


@pytest.fixture(scope="module")
def adm(tmp_path_factory):
    c = make(tmp_path_factory.mktemp("console"), "c")
    c.start()
    yield c
    c.stop()


def admin_get(c, path, method="GET", headers=None, body=b""):
    hdrs = {"Host": f"127.0.0.1:{c.admin_port}"}
    hdrs.update(headers or {})
    with RawConn(c.admin_port) as conn:
        conn.send_request(method, path, hdrs, body=body)
        return conn.read_response(head=(method == "HEAD"))


# ---- slice 1: the listener ----

def test_admin_listener_announced(adm):
    out = read_text(adm.stdout_path)
    assert f"jiyue: admin listener on http://127.0.0.1:{adm.admin_port}/" in out, out


def test_admin_listener_never_serves_a_public_site(adm):
    public = adm.get("/", host=PORTAL_HOST)
    assert public.status == 200
    for host in (PORTAL_HOST, f"127.0.0.1:{adm.admin_port}"):
        r = admin_get(adm, "/", headers={"Host": host})
        assert r.status == 404, r
        assert r.body != public.body
        assert b"<h1>404 Not Found</h1>" in r.body


def test_public_listener_never_serves_the_api(adm):
    r = adm.get("/api/login")
    assert r.status == 404
    r = adm.get("/api/me")
    assert r.status == 404
    with RawConn(adm.port) as conn:
        conn.send_request("POST", "/api/login", {"Host": PORTAL_HOST,
                                                 "Content-Type": "application/json"},
                          body=b'{"user":"a","password":"b"}')
        r = conn.read_response()
    assert r.status in (404, 405), r
    assert b"csrf" not in r.body


def test_allow_list_refuses_before_the_body(tmp_path):
    c = make(tmp_path, "deny", allow=("10.0.0.0/8",))
    c.start()
    try:
        r = admin_get(c, "/api/me")
        assert r.status == 403, r
        assert b"management listener" in r.body
        assert b"<h1>403 Forbidden</h1>" in r.body  # core's plain page, no module's
        # A head announcing a body the client never sends: answered at once, not after
        # body_timeout, and the body is never awaited.
        t0 = time.monotonic()
        with RawConn(c.admin_port, timeout=3) as conn:
            conn.send(b"POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      b"Content-Length: 900\r\n\r\n")
            resp = conn.read_response()
        assert resp.status == 403
        assert time.monotonic() - t0 < 2
        # the public side is not affected by the admin allow-list
        assert c.get("/").status == 200
    finally:
        c.stop()


def check_refused(tmp_path, extra_conf, needle):
    need_binaries()
    c = Cluster(tmp_path / "bad", extra_conf=extra_conf)
    r = run([JIYUE, "-t", "-c", c.conf])
    out = r.stdout.decode() + r.stderr.decode()
    assert r.returncode == 1, out
    diags = [m for m in DIAG_RE.finditer(out) if needle in m.group("msg")]
    assert diags, out
    return c, diags[0], out


def test_t_refuses_a_plain_non_loopback_admin_listener(tmp_path):
    port = free_port()
    c, d, out = check_refused(
        tmp_path, f'admin:\n  listen:\n    - "0.0.0.0:{port}"\n  allow: ["10.0.0.0/8"]\n',
        "must use TLS")
    lines = c.conf.read_text().splitlines()
    line = int(d.group("line"))
    assert d.group("file") == str(c.conf)
    assert lines[line - 1].strip() == f'- "0.0.0.0:{port}"'
    assert int(d.group("col")) == lines[line - 1].index('"') + 1
    # jiyuectl check applies the same rule
    r = c.ctl("check")
    assert r.returncode == 1
    assert "must use TLS" in (r.stdout + r.stderr).decode()


def test_t_accepts_loopback_plain_and_non_loopback_tls(tmp_path):
    need_binaries()
    port = free_port()
    c = Cluster(tmp_path / "ok", extra_conf=f'admin:\n  listen: ["127.0.0.1:{port}", "[::1]:{port}"]\n')
    r = run([JIYUE, "-t", "-c", c.conf])
    assert r.returncode == 0, r.stdout + r.stderr


def test_t_refuses_an_admin_address_that_is_public(tmp_path):
    need_binaries()
    c0 = Cluster(tmp_path / "same")
    c0.extra_conf = f'admin:\n  listen: ["127.0.0.1:{c0.port}"]\n'
    c0.write_conf()
    r = run([JIYUE, "-t", "-c", c0.conf])
    out = (r.stdout + r.stderr).decode()
    assert r.returncode == 1, out
    d = [m for m in DIAG_RE.finditer(out) if "same address and port" in m.group("msg")]
    assert d and int(d[0].group("line")) == len(c0.conf.read_text().splitlines()), out
    # and a wildcard public listener on the admin port is the same clash
    port = free_port()
    c = Cluster(tmp_path / "wild", extra_conf=f'admin:\n  listen: ["127.0.0.1:{port}"]\n')
    text = c.conf.read_text().replace(f'  - "127.0.0.1:{c.port}"',
                                      f'  - "127.0.0.1:{c.port}"\n  - "0.0.0.0:{port}"')
    c.conf.write_text(text)
    r = run([JIYUE, "-t", "-c", c.conf])
    assert r.returncode == 1
    assert "same address and port" in (r.stdout + r.stderr).decode()


def test_t_admin_unknown_key_and_bad_allow(tmp_path):
    port = free_port()
    _, d, out = check_refused(
        tmp_path, f'admin:\n  listen: ["127.0.0.1:{port}"]\n  allow: ["10.0.0.0/33"]\n',
        "admin.allow '10.0.0.0/33'")
    assert int(d.group("line")) > 0


def test_reload_keeps_the_admin_listener(adm):
    r = run([JIYUE, "-s", "reload", "-c", adm.conf], timeout=15)
    assert r.returncode == 0, r.stdout + r.stderr
    assert admin_get(adm, "/nothing").status == 404
    assert adm.get("/").status == 200
