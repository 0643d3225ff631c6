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

from conftest import (CONSOLE_PASSWORD, DIAG_RE, JIYUE, JIYUECTL, PORTAL_HOST, Api, Cluster,
                      RawConn, console_cluster, free_port, need_binaries, read_text, run,
                      wait_for)

HEX64 = re.compile(r"^[0-9a-f]{64}$")


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
        # the console's own pages answer there (its home asks for a sign-in), never a site's
        r = admin_get(adm, "/", headers={"Host": host})
        assert r.status == 303 and r.header("Location") == "/login", r
        assert r.body != public.body
        r = admin_get(adm, "/edu/", headers={"Host": host})
        assert r.status == 404, r
        assert "没有这个页面" in r.body.decode() and public.body not in r.body


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
        # a reload that lets loopback in applies at once, on the listener already bound
        c.conf.write_text(c.conf.read_text().replace('allow: ["10.0.0.0/8"]',
                                                     'allow: ["10.0.0.0/8", "127.0.0.1"]'))
        r = run([JIYUE, "-s", "reload", "-c", c.conf], timeout=15)
        assert r.returncode == 0, r.stdout + r.stderr
        r = admin_get(c, "/api/me")
        assert r.status == 401 and r.body == b'{"error":"not signed in"}'  # past the allow-list
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


# ---- slices 2 and 3: sessions, login, logout, me, sites, CSRF, throttling, expiry ----

def test_login_sets_a_strict_cookie_and_returns_csrf(console):
    a = Api(console)
    r = a.login("li.hua")
    assert r.status == 200, r
    assert r.header("Content-Type") == "application/json"
    assert r.header("Cache-Control") == "private, no-store"
    cookie = r.header("Set-Cookie")
    assert re.fullmatch(r"jiyue_console=[0-9a-f]{64}; HttpOnly; SameSite=Strict; Path=/", cookie), cookie
    assert "Secure" not in cookie  # plain loopback listener: no TLS, no Secure
    assert set(r.json) == {"csrf"} and HEX64.match(r.json["csrf"])
    assert a.csrf != a.cookie
    # two sign-ins, two sessions
    b = Api(console)
    assert b.login("li.hua").status == 200
    assert b.cookie != a.cookie and b.csrf != a.csrf


def test_wrong_password_and_unknown_user_answer_alike(console):
    a = Api(console)
    t0 = time.monotonic()
    wrong = a.login("li.hua", "Not-the-password-1")
    t1 = time.monotonic()
    unknown = a.login("nobody.here", "Not-the-password-1")
    t2 = time.monotonic()
    assert wrong.status == unknown.status == 401
    assert wrong.body == unknown.body == b'{"error":"wrong user name or password"}'
    assert not wrong.has("Set-Cookie") and not unknown.has("Set-Cookie")
    # the unknown name was verified against a dummy hash: it is not answered at once
    assert (t2 - t1) > 0.3 * (t1 - t0), (t1 - t0, t2 - t1)
    # and an invalid login name is just as unknown
    bad = a.login("../etc", "Not-the-password-1")
    assert bad.status == 401 and bad.body == wrong.body


def test_me_and_sites(console):
    anon = Api(console)
    r = anon.call("GET", "/api/me")
    assert r.status == 401 and r.json == {"error": "not signed in"}
    assert anon.call("GET", "/api/sites").status == 401
    anon.cookie = "0" * 64
    assert anon.call("GET", "/api/me").status == 401
    anon.cookie = "not-hex"
    assert anon.call("GET", "/api/me").status == 401

    li = Api(console)
    assert li.login("li.hua").status == 200
    r = li.call("GET", "/api/me")
    assert r.status == 200 and r.json == {"user": "li.hua", "roles": ["editor:edu"]}
    r = li.call("GET", "/api/sites")
    assert r.status == 200
    assert [(s["id"], s["roles"]) for s in r.json["sites"]] == [("edu", ["editor"])]

    wang = Api(console)
    assert wang.login("wang.xian").status == 200
    sites = {s["id"]: s["roles"] for s in wang.call("GET", "/api/sites").json["sites"]}
    assert sites == {"xian": ["editor", "reviewer", "replier", "site_admin"],
                     "zhen": ["editor", "reviewer", "replier", "site_admin"]}

    ops = Api(console)
    assert ops.login("ops").status == 200
    r = ops.call("GET", "/api/sites")
    assert {s["id"] for s in r.json["sites"]} == {"portal", "edu", "xian", "zhen"}
    assert ops.call("GET", "/api/me").json == {"user": "ops", "roles": ["cluster_admin"]}


def test_logout_ends_the_session(console):
    a = Api(console)
    assert a.login("ops").status == 200
    assert a.call("GET", "/api/me").status == 200
    r = a.call("POST", "/api/logout")
    assert r.status == 200, r
    assert r.header("Set-Cookie").startswith("jiyue_console=; Max-Age=0; HttpOnly")
    assert a.call("GET", "/api/me").status == 401
    assert a.call("POST", "/api/logout").status == 401


def test_csrf_and_origin_refusals(console):
    a = Api(console)
    assert a.login("li.hua").status == 200
    for kw in ({"csrf": False}, {"csrf": "0" * 64}, {"csrf": a.csrf[:-1]},
               {"csrf": a.csrf.upper()}, {"origin": False},
               {"origin": "http://evil.example"},
               {"origin": f"https://127.0.0.1:{console.admin_port}"},
               {"origin": "null"}):
        r = a.call("POST", "/api/logout", **kw)
        assert r.status == 403, (kw, r)
    # another session's token is no good either
    b = Api(console)
    assert b.login("li.hua").status == 200
    assert a.call("POST", "/api/logout", csrf=b.csrf).status == 403
    # none of the refusals ended the session
    assert a.call("GET", "/api/me").status == 200
    # the token in a form field works as the header does
    r = a.call("POST", "/api/logout", csrf=False, raw=f"csrf={a.csrf}".encode(),
               headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 200, r
    assert a.call("GET", "/api/me").status == 401
    # a sign-in posted from another site's page is refused
    c = Api(console)
    assert c.login("li.hua", origin="http://evil.example").status == 403


def test_bad_input(console):
    a = Api(console)
    r = a.call("POST", "/api/login", raw=b"user=li.hua&password=x")
    assert r.status == 400 and r.json["error"].startswith("the body is not JSON"), r.json
    r = a.call("POST", "/api/login", raw=b'{"user": "li.hua", "password": "' + bytes([0xff, 0xfe]) + b'"}')
    assert r.status == 400 and r.json == {"error": "the body is not UTF-8"}
    r = a.call("POST", "/api/login", body={"password": "x"})
    assert r.status == 400 and r.json == {"error": "missing field", "field": "user"}
    r = a.call("POST", "/api/login", body={"user": "li.hua", "password": 5})
    assert r.status == 400 and r.json == {"error": "must be a string", "field": "password"}
    r = a.call("POST", "/api/login", body=["li.hua"])
    assert r.status == 400 and r.json == {"error": "the body must be a JSON object"}
    r = a.call("POST", "/api/login", raw=b'{"user":"a","user":"b","password":"c"}')
    assert r.status == 400 and "duplicate" in r.json["error"]
    r = a.call("POST", "/api/login", body={"user": "li.hua", "password": "x" * 2000})
    # over limits.max_body_bytes (1KiB in the test cluster): only an upload
    # (multipart/form-data) may use admin.max_upload, so a sign-in is refused on its head
    assert r.status == 413, r
    boundary = "b0"
    big = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"user\"\r\n\r\n"
           + "x" * 2000 + f"\r\n--{boundary}--\r\n").encode()
    r = a.call("POST", "/api/login", raw=big,
               headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    # an upload's size is let in, and the sign-in reads its fields as from any form
    assert r.status == 400 and r.json == {"error": "missing field", "field": "password"}, r
    r = a.call("GET", "/api/login")
    assert r.status == 405 and r.header("Allow") == "POST"
    r = a.call("POST", "/api/me", body={})
    assert r.status == 405 and r.header("Allow") == "GET, HEAD"
    assert a.call("GET", "/api/nothing").status == 404


def test_form_bodies(console):
    """The console's pages post urlencoded forms: the same fields as the JSON, the
    same answers; anything else a form could carry is refused by name."""
    a = Api(console)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    pw = CONSOLE_PASSWORD.replace("%", "%25").replace("&", "%26").replace("+", "%2B")
    r = a.call("POST", "/api/login", raw=f"user=li.hua&password={pw}".encode(), headers=form)
    assert r.status == 200 and set(r.json) == {"csrf"}, r.json
    r = a.call("POST", "/api/login", raw=b"user=li.hua&password=wrong%20one", headers=form)
    assert r.status == 401, r.json
    r = a.call("POST", "/api/login", raw=b"user=li.hua&password=%zz", headers=form)
    assert r.status == 400 and r.json == {"error": "the form has a malformed % escape",
                                   "field": "password"}
    r = a.call("POST", "/api/login", raw=b"user=li.hua&user=x&password=y", headers=form)
    assert r.status == 400 and r.json == {"error": "a field is given twice", "field": "user"}
    r = a.call("POST", "/api/login", raw=b"user=li.hua&password=%ff%fe", headers=form)
    assert r.status == 400 and r.json == {"error": "the form is not UTF-8 text", "field": "password"}
    r = a.call("POST", "/api/login", raw=b"user=li.hua&Pass%20word=y", headers=form)
    assert r.status == 400 and r.json == {"error": "the form has a field this console does not use"}
    r = a.call("POST", "/api/login", raw=b"password=y", headers=form)
    assert r.status == 400 and r.json == {"error": "missing field", "field": "user"}
    r = a.call("POST", "/api/login", raw=b"user=li.hua&password=y",
               headers={"Content-Type": "application/x-www-form-urlencoded; charset=gbk"})
    assert r.status == 415 and r.json == {"error": "a form must be sent in UTF-8"}
    r = a.call("POST", "/api/login", raw=b"user=li.hua", headers={"Content-Type": "text/plain"})
    assert r.status == 415 and r.json == {"error": "the body must be application/json or a form"}


def test_disabled_account_sessions_stop_at_once(console):
    a = Api(console)
    assert a.login("wang.xian").status == 200
    assert a.call("GET", "/api/me").status == 200
    r = console.ctl("user", "disable", "wang.xian")
    assert r.returncode == 0, r.stderr
    try:
        assert a.call("GET", "/api/me").status == 401
        assert a.call("GET", "/api/sites").status == 401
        assert Api(console).login("wang.xian").status == 401
    finally:
        assert console.ctl("user", "enable", "wang.xian").returncode == 0


def test_no_secret_in_the_access_log(console):
    a = Api(console)
    assert a.login("li.hua").status == 200
    mark = f"mark={time.monotonic_ns()}"
    assert a.call("GET", f"/api/me?csrf={a.csrf}&{mark}").status == 200
    assert a.call("POST", "/api/logout").status == 200
    assert wait_for(lambda: mark in read_text(console.access_log), timeout=5)
    log = read_text(console.access_log) + read_text(console.error_log)
    assert f"/api/me?csrf=-&{mark}" in log
    assert "/api/login" in log
    for secret in (CONSOLE_PASSWORD, a.cookie, a.csrf):
        assert secret not in log


def test_throttling(tmp_path):
    c = console_cluster(tmp_path / "thr", accounts={"li.hua": ["editor:edu"],
                                                    "zhang": ["editor:edu"]})
    c.start()
    try:
        a = Api(c)
        for i in range(5):
            r = a.login("li.hua", f"Wrong-password-{i}")
            assert r.status == 401, (i, r)
        r = a.login("li.hua")  # the right password, but the account waits
        assert r.status == 429, r
        wait = int(r.header("Retry-After"))
        assert 0 < wait <= 15 * 60
        assert not r.has("Set-Cookie")
        # another name from the same address is not locked by li.hua's limit
        assert a.login("nobody.here").status == 401
        # guesses sent at once, all past the first check before any is counted: the
        # writer counts again, so still only 5 are tried
        import concurrent.futures
        with concurrent.futures.ThreadPoolExecutor(8) as ex:
            got = list(ex.map(lambda i: Api(c).login("zhang", f"Wrong-password-{i}").status,
                              range(8)))
        assert sorted(got) == [401] * 5 + [429] * 3, got
        assert Api(c).login("zhang").status == 429
    finally:
        c.stop()


def test_idle_and_absolute_expiry(tmp_path):
    c = console_cluster(tmp_path / "exp", admin_extra="  session_idle: 1s\n  session_ttl: 3s\n",
                        accounts={"li.hua": ["editor:edu"]})
    c.start()
    try:
        a = Api(c)
        assert a.login("li.hua").status == 200
        # kept alive by use, every 0.4 s, until the absolute limit ends it
        t0 = time.monotonic()
        statuses = []
        while time.monotonic() - t0 < 4.5:
            statuses.append((round(time.monotonic() - t0, 1), a.call("GET", "/api/me").status))
            if statuses[-1][1] == 401:
                break
            time.sleep(0.4)
        assert statuses[-1][1] == 401, statuses
        assert 2.5 <= statuses[-1][0] <= 4.0, statuses
        assert all(s == 200 for _, s in statuses[:-1]) and len(statuses) >= 6, statuses
        # idle: unused for longer than 1 s
        b = Api(c)
        assert b.login("li.hua").status == 200
        assert b.call("GET", "/api/me").status == 200
        time.sleep(1.3)
        r = b.call("GET", "/api/me")
        assert r.status == 401 and "expired" in r.json["error"]
    finally:
        c.stop()


def test_tls_admin_listener_sets_secure_cookies(tmp_path):
    """A TLS admin listener (the only kind allowed off loopback): the session cookie is
    Secure, and the origin it checks is https://."""
    import http.client
    import ssl
    need_binaries()
    crt, key = tmp_path / "admin.crt", tmp_path / "admin.key"
    r = run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-nodes", "-subj", "/CN=127.0.0.1", "-days", "2", "-keyout", key, "-out", crt])
    assert r.returncode == 0, r.stderr
    port = free_port()
    tls = f"tls:\n  cert: {crt}\n  key: {key}\n"
    # off loopback with TLS: accepted by -t
    c0 = Cluster(tmp_path / "wide", extra_conf=tls + f'admin:\n  listen: [{{address: "0.0.0.0:{port}", tls: true}}]\n')
    r = run([JIYUE, "-t", "-c", c0.conf])
    assert r.returncode == 0, r.stdout + r.stderr
    c = console_cluster(tmp_path / "tls", accounts={"li.hua": ["editor:edu"]})
    c.conf.write_text(c.conf.read_text().replace(
        f'listen: ["127.0.0.1:{c.admin_port}"]', f'listen: [{{address: "127.0.0.1:{c.admin_port}", tls: true}}]') + tls)
    c.start()
    try:
        ctx = ssl.create_default_context(cafile=str(crt))
        ctx.check_hostname = False

        def call(method, path, body=None, headers=None):
            conn = http.client.HTTPSConnection("127.0.0.1", c.admin_port, context=ctx, timeout=10)
            conn.request(method, path, body=json.dumps(body) if body is not None else None,
                         headers=headers or {})
            resp = conn.getresponse()
            data = resp.read()
            conn.close()
            return resp, data

        resp, data = call("POST", "/api/login", {"user": "li.hua", "password": CONSOLE_PASSWORD},
                          {"Content-Type": "application/json"})
        assert resp.status == 200, data
        cookie = resp.getheader("Set-Cookie")
        assert cookie.endswith("; HttpOnly; SameSite=Strict; Path=/; Secure"), cookie
        sid = cookie.split(";")[0]
        csrf = json.loads(data)["csrf"]
        hdrs = {"Cookie": sid, "X-CSRF-Token": csrf}
        resp, _ = call("POST", "/api/logout", {}, dict(hdrs, Origin=f"http://127.0.0.1:{c.admin_port}"))
        assert resp.status == 403  # the plain-HTTP origin is not this listener's
        resp, _ = call("POST", "/api/logout", {}, dict(hdrs, Origin=f"https://127.0.0.1:{c.admin_port}"))
        assert resp.status == 200
        assert resp.getheader("Set-Cookie").endswith("; Secure")
        resp, _ = call("GET", "/care?on=1&to=/login")  # the 适老化 switch: Secure over TLS too
        assert resp.status == 303 and resp.getheader("Location") == "/login"
        assert resp.getheader("Set-Cookie") == ("jiyue_care=1; Path=/; Max-Age=31536000; "
                                                "SameSite=Lax; HttpOnly; Secure")
    finally:
        c.stop()
