# tests/e2e/test_lifecycle.py: the site lifecycle under a running server: suspension
# (notice on the home page, 503 + Retry-After elsewhere, 184 days refused with the old
# configuration still serving, overdue reported by check and at reload), closure (a closed
# site without migrate_to refused; notice + 301 by the path map), redesign (preview host,
# preview token, promote under load, rollback), the import of a wget mirror with its
# redirects, and the census tables (a test cluster field by field, and the demo cluster).
import csv
import datetime
import hashlib
import hmac
import io
import json
import re
import signal
import ssl
import subprocess
import threading
import time
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
import yaml

from conftest import (BASE_SITES, EDU_HOST, JIYUECTL, PORTAL_HOST, XIAN_HOST, ROOT, Cluster,
                      RawConn, free_port, html, make_cluster, need_binaries, read_text, run,
                      site_yaml, wait_for, write_pages)

# These tests tell one story over a shared cluster (a site suspended, closed, redesigned
# and promoted in turn):
# `make test-shuffle` keeps their order within this file; the file itself runs alone and
# in any position among the others.
pytestmark = pytest.mark.random_order(disabled=True)

TODAY = datetime.date.today()


def day(offset):
    return (TODAY + datetime.timedelta(days=offset)).isoformat()


def with_status(sid, status, **over):
    """A site file of the test cluster with its `status:` replaced."""
    spec = dict(BASE_SITES.get(sid, {}))
    spec.update(over)
    text = site_yaml(sid, **spec)
    assert "status: active\n" in text
    return text.replace("status: active\n", status)


def hup(c):
    c.signal(signal.SIGHUP)


def reload_and_wait(c, path, pred, host=PORTAL_HOST):
    hup(c)
    r = c.poll_get(path, pred, host=host)
    assert pred(r), f"reload not applied: {r}" + c.server_output()
    return r


def reload_rejected(c, needle):
    """SIGHUP with a broken file: the error and the rejection are logged."""
    before = len(read_text(c.error_log))
    hup(c)
    ok = wait_for(lambda: "reload rejected" in read_text(c.error_log)[before:], timeout=5)
    log = read_text(c.error_log)[before:]
    assert ok, "no rejection logged" + c.server_output()
    assert needle in log, log
    return log


@pytest.fixture(scope="module")
def lc(tmp_path_factory):
    c = make_cluster(tmp_path_factory, "lifecycle")
    c.start()
    yield c
    c.stop()


# --------------------------------------------------------------------------- suspension

def test_suspension_of_184_days_refused_old_config_serves(lc):
    lc.site_path("edu").write_text(with_status(
        "edu", f"status: {{state: suspended, from: {day(0)}, until: {day(184)}, reason: 整改}}\n"))
    log = reload_rejected(lc, "suspension longer than 183 days (184 days)")
    assert "edu.yaml:" in log
    r = lc.get("/edu/page.html")
    assert r.status == 200 and b"EDU-PAGE" in r.body, r
    r = lc.get("/", host=EDU_HOST)
    assert r.status == 200 and b"EDU-HOME" in r.body, r
    r = run([JIYUECTL, "-c", lc.conf, "check"])
    assert r.returncode == 1 and b"suspension longer than 183 days" in r.stderr


def test_suspended_site_notice_and_503(lc):
    until = day(60)
    lc.site_path("edu").write_text(with_status(
        "edu", f"status: {{state: suspended, from: {day(-1)}, until: {until}, reason: 网站整改中}}\n"))
    home = reload_and_wait(lc, "/edu/", lambda r: b"EDU-HOME" not in r.body)
    assert home.status == 200, home
    text = home.body.decode()
    assert "网站暂时关停" in text and "网站整改中" in text
    y, m, d = (int(x) for x in until.split("-"))
    assert f"{y}年{m}月{d}日" in text, "the notice says when the site returns"
    assert home.header("Content-Type").startswith("text/html")
    # the same on the site's own host (but for the 适老化 switch, which points to the
    # site's mount as the request spelled it), and /index.html is the home too
    own = lc.get("/", host=EDU_HOST).body
    assert b'<a class="care-switch" href="/care?on=1">' in own
    assert own.replace(b'href="/care?on=1"', b'href="/edu/care?on=1"') == home.body
    assert lc.get("/edu/index.html").status == 200
    for path in ("/edu/page.html", "/edu/news/", "/edu/no-such-page"):
        r = lc.get(path)
        assert r.status == 503, (path, r)
        assert r.body == home.body, "every other URL answers with the same notice"
        ra = parsedate_to_datetime(r.header("Retry-After"))
        want = datetime.datetime(y, m, d, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
        assert ra == want, (r.header("Retry-After"), want)
    r = lc.get("/edu/page.html", method="POST", headers={"Content-Length": "0"})
    assert r.status == 503
    r = lc.get("/edu/page.html", method="HEAD")
    assert r.status == 503 and r.body == b""
    # other sites are untouched
    assert b"PORTAL-HOME" in lc.get("/").body
    assert b"XIAN-HOME" in lc.get("/", host=XIAN_HOST).body


def test_overdue_suspension_reported_and_still_noticed(lc):
    lc.site_path("edu").write_text(with_status(
        "edu", f"status: {{state: suspended, from: {day(-100)}, until: {day(-2)}, reason: 逾期整改}}\n"))
    before = len(read_text(lc.error_log))
    r = reload_and_wait(lc, "/edu/", lambda r: "逾期整改".encode() in r.body)
    assert r.status == 200
    log = read_text(lc.error_log)[before:]
    assert f"suspension overdue since {day(-2)}" in log, log
    assert "edu.yaml:" in log
    c = run([JIYUECTL, "-c", lc.conf, "check"])
    assert c.returncode == 0, c
    assert f"warning: suspension overdue since {day(-2)}".encode() in c.stderr, c.stderr
    r = lc.get("/edu/page.html")
    assert r.status == 503 and r.header("Retry-After") == "86400", r


def test_overdue_suspension_notice_promises_no_past_date(lc):
    """Past `until` the notice says the site is being restored (正在恢复) and names no
    return date, on the home page and on every 503."""
    until = day(-3)
    lc.site_path("edu").write_text(with_status(
        "edu", f"status: {{state: suspended, from: {day(-30)}, until: {until}, reason: 系统升级}}\n"))
    home = reload_and_wait(lc, "/edu/", lambda r: "系统升级".encode() in r.body)
    y, m, d = (int(x) for x in until.split("-"))
    fy, fm, fd = (int(x) for x in day(-30).split("-"))
    for r in (home, lc.get("/edu/page.html"), lc.get("/", host=EDU_HOST)):
        text = r.body.decode()
        assert "正在恢复" in text, text
        assert f"{y}年{m}月{d}日" not in text and "预计" not in text, text
        assert f"{fy}年{fm}月{fd}日" in text, "since when it is suspended stays"
    assert lc.get("/edu/page.html").status == 503
    # a suspension still running keeps its date and says nothing of restoring
    lc.site_path("edu").write_text(with_status(
        "edu", f"status: {{state: suspended, from: {day(-1)}, until: {day(5)}, reason: 系统升级二期}}\n"))
    r = reload_and_wait(lc, "/edu/", lambda r: "二期".encode() in r.body)
    y, m, d = (int(x) for x in day(5).split("-"))
    assert f"{y}年{m}月{d}日" in r.body.decode() and "正在恢复" not in r.body.decode()


def test_suspended_site_resumes(lc):
    lc.write_site("edu", **BASE_SITES["edu"])
    r = reload_and_wait(lc, "/edu/page.html", lambda r: r.status == 200)
    assert b"EDU-PAGE" in r.body


# --------------------------------------------------------------------------- closure

OLD = dict(name="测试市旧卫生局", kind="department", parent="portal", path="/old/", code="1100000009")


def test_closed_without_migrate_to_refused(lc):
    lc.write_site("old", **OLD)
    lc.import_pages("old", {"index.html": html("old", "OLD-HOME"), "about.html": html("a", "OLD-ABOUT")})
    reload_and_wait(lc, "/old/", lambda r: b"OLD-HOME" in r.body)
    lc.site_path("old").write_text(with_status("old", f"status: {{state: closed, date: {day(-1)}}}\n", **OLD))
    reload_rejected(lc, "a closed site needs 'status.migrate_to'")
    r = lc.get("/old/about.html")
    assert r.status == 200 and b"OLD-ABOUT" in r.body, "the old configuration still serves"


def test_closed_site_notice_and_redirects(lc):
    status = (f"status:\n  state: closed\n  date: {day(-1)}\n  reason: 机构改革\n  migrate_to: edu\n"
              "  paths:\n    /about.html: /page.html\n    /news/: /news/\n    /gone/: /\n")
    lc.site_path("old").write_text(with_status("old", status, **OLD))
    home = reload_and_wait(lc, "/old/", lambda r: "永久关停".encode() in r.body)
    assert home.status == 200
    text = home.body.decode()
    assert "测试市教育局" in text, "the notice names the migration target"
    assert f'href="//{EDU_HOST}/"' in text
    assert "机构改革" in text
    cases = {
        "/old/about.html": f"http://{EDU_HOST}/page.html",
        "/old/news/2026/a.html": f"http://{EDU_HOST}/news/2026/a.html",
        "/old/gone/x.html": f"http://{EDU_HOST}/",
        "/old/anything-else.html": f"http://{EDU_HOST}/",
    }
    for path, want in cases.items():
        r = lc.get(path)
        assert r.status == 301 and r.header("Location") == want, (path, r)
    # a URL target
    lc.site_path("old").write_text(with_status(
        "old", "status: {state: closed, date: 2026-01-01, migrate_to: 'https://new.example.cn/base/'}\n", **OLD))
    reload_and_wait(lc, "/old/x.html", lambda r: r.header("Location", "").startswith("https://new."))
    r = lc.get("/old/x.html")
    assert r.header("Location") == "https://new.example.cn/base/", r
    assert "https://new.example.cn/base/" in lc.get("/old/").body.decode()


def test_closed_url_target_rest_is_percent_encoded(lc):
    """A `paths` folder mapped to an absolute URL keeps the rest of the path, encoded like
    every other Location: no raw spaces, quotes, UTF-8 or CR/LF in the header."""
    lc.site_path("old").write_text(with_status(
        "old", "status:\n  state: closed\n  date: 2026-01-01\n  migrate_to: edu\n"
               "  paths:\n    /arch/: 'https://archive.example.cn/old/'\n", **OLD))
    reload_and_wait(lc, "/old/arch/x.html",
                    lambda r: r.header("Location", "").startswith("https://archive."))
    cases = {
        "/old/arch/a%20b.html": "https://archive.example.cn/old/a%20b.html",
        "/old/arch/%E6%96%87%E4%BB%B6/%E9%80%9A%E7%9F%A5.html":
            "https://archive.example.cn/old/%E6%96%87%E4%BB%B6/%E9%80%9A%E7%9F%A5.html",
        "/old/arch/q%3Fx%23y%22%3C.html": "https://archive.example.cn/old/q%3Fx%23y%22%3C.html",
        "/old/arch/plain/x.html": "https://archive.example.cn/old/plain/x.html",
        "/old/other%20page.html": f"http://{EDU_HOST}/",
    }
    for path, want in cases.items():
        r = lc.get(path)
        assert r.status == 301 and r.header("Location") == want, (path, r.header("Location"))
    # back to the URL target the census test reads
    lc.site_path("old").write_text(with_status(
        "old", "status: {state: closed, date: 2026-01-01, migrate_to: 'https://new.example.cn/base/'}\n", **OLD))
    reload_and_wait(lc, "/old/x.html", lambda r: r.header("Location", "").startswith("https://new."))


# --------------------------------------------------------------------------- redesign

PREVIEW_HOST = "preview-xian.test.gov.cn"


def xian_redesign(gen="v2"):
    return with_status("xian", f"status: {{state: redesign, generation: {gen}, preview_host: {PREVIEW_HOST}}}\n")


def test_redesign_preview_promote_rollback(lc):
    folder = lc.root / "xian-v2"
    write_pages(folder, {"index.html": html("xian v2", "XIAN-V2-HOME"),
                         "new-only.html": html("new", "XIAN-V2-NEW")})
    r = lc.ctl("import", "--generation", "v2", "xian", folder)
    assert r.returncode == 0 and b"xian@v2" in r.stdout, r
    lc.site_path("xian").write_text(xian_redesign())
    t = lc.ctl("preview", "xian")
    assert t.returncode == 0, t
    token = t.stdout.decode().strip()
    assert re.fullmatch(r"[1-9][0-9]{9,11}\.[0-9a-f]{32}", token), token
    ck = {"Cookie": "jiyue_preview=" + token}
    reload_and_wait(lc, "/", lambda r: r.status == 403, host=PREVIEW_HOST)
    assert b"XIAN-V2-HOME" in lc.get("/", host=PREVIEW_HOST, headers=ck).body
    # live content unchanged
    assert b"XIAN-HOME" in lc.get("/", host=XIAN_HOST).body
    assert lc.get("/xian/new-only.html").status == 404
    assert b"XIAN-V2-NEW" in lc.get("/new-only.html", host=PREVIEW_HOST, headers=ck).body
    # preview token: bad ones change nothing, a good one becomes a cookie
    assert b"XIAN-HOME" in lc.get("/xian/?preview=" + "0" * 32).body
    r = lc.get("/xian/?preview=" + token)
    assert r.status == 302 and r.header("Location") == "/xian/", r
    cookie = r.header("Set-Cookie")
    assert cookie.startswith("jiyue_preview=" + token) and "Path=/xian/" in cookie, cookie
    r = lc.get("/xian/", headers={"Cookie": "jiyue_preview=" + token})
    assert b"XIAN-V2-HOME" in r.body, r
    assert b"XIAN-V2-NEW" in lc.get("/xian/new-only.html", headers={"Cookie": "a=b; jiyue_preview=" + token}).body
    assert b"XIAN-HOME" in lc.get("/xian/", headers={"Cookie": "jiyue_preview=" + "f" * 32}).body

    # promoting an empty generation is refused
    r = lc.ctl("promote", "xian", "nothing")
    assert r.returncode == 1 and b"has no pages" in r.stderr

    # promote while a client keeps asking: every answer 200, old then new, never mixed
    seen, stop = [], threading.Event()

    def loop():
        for _ in range(5000):
            if stop.is_set():
                break
            r = lc.get("/", host=XIAN_HOST)
            seen.append((r.status, b"XIAN-V2-HOME" in r.body, b"XIAN-HOME" in r.body))

    th = threading.Thread(target=loop)
    th.start()
    wait_for(lambda: len(seen) >= 20, timeout=5)
    r = lc.ctl("promote", "xian", "v2")
    n_at_promote = len(seen)
    wait_for(lambda: len(seen) >= n_at_promote + 20, timeout=5)
    stop.set()
    th.join(timeout=20)
    assert r.returncode == 0, r
    assert all(s == 200 for s, _, _ in seen), [s for s in seen if s[0] != 200][:3]
    assert all(new != old for _, new, old in seen), "each answer is one generation or the other"
    flags = [new for _, new, _ in seen]
    first_new = flags.index(True)
    assert first_new > 0 and all(flags[first_new:]), "old content, then new content only"
    assert b"XIAN-V2-NEW" in lc.get("/xian/new-only.html").body

    # an import without --generation now replaces the live (promoted) generation
    r = lc.ctl("import", "xian", write_pages(lc.root / "xian-v2b", {
        "index.html": html("xian v2", "XIAN-V2-HOME"), "new-only.html": html("n", "XIAN-V2-NEW"),
        "later.html": html("l", "XIAN-V2-LATER")}))
    assert r.returncode == 0 and b"into xian@v2" in r.stdout, r
    # an import into another generation leaves the live one untouched
    r = lc.ctl("import", "--generation", "v3", "xian", write_pages(lc.root / "xian-v3", {
        "index.html": html("xian v3", "XIAN-V3-HOME")}))
    assert r.returncode == 0
    assert b"XIAN-V2-LATER" in lc.get("/later.html", host=XIAN_HOST).body

    r = lc.ctl("rollback", "xian")
    assert r.returncode == 0, r
    assert b"XIAN-HOME" in lc.get("/", host=XIAN_HOST).body
    assert lc.get("/xian/new-only.html").status == 404
    r = lc.ctl("rollback", "xian")  # and forward again
    assert r.returncode == 0
    assert b"XIAN-V2-HOME" in lc.get("/", host=XIAN_HOST).body
    r = lc.ctl("promote", "xian", "v2")
    assert r.returncode == 1 and b"already serves" in r.stderr
    # back to the base generation and an active site for the tests that follow
    assert lc.ctl("rollback", "xian").returncode == 0
    lc.write_site("xian", **BASE_SITES["xian"])
    reload_and_wait(lc, "/", lambda r: b"PORTAL-HOME" in r.body, host=PREVIEW_HOST)  # unknown again
    assert b"XIAN-HOME" in lc.get("/", host=XIAN_HOST).body


def test_rollback_without_promote_refused(lc):
    r = lc.ctl("rollback", "edu")
    assert r.returncode == 1 and b"never promoted" in r.stderr


# ------------------------------------------------------------------- redesign: preview
# A cluster with the default theme (so articles render) and an HTTPS listener, where xian is
# being redesigned into generation v2.

THEMES = ROOT / "conf" / "themes"
RD_PREVIEW = "preview-xian.test.gov.cn"


class RedesignCluster(Cluster):
    def __init__(self, root):
        root = Path(root)
        root.mkdir(parents=True, exist_ok=True)
        self.tls_port = free_port()
        crt, key = root / "tls.crt", root / "tls.key"
        r = run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                 "-nodes", "-days", "2", "-subj", f"/CN={XIAN_HOST}", "-addext",
                 f"subjectAltName=DNS:{XIAN_HOST},DNS:{PORTAL_HOST}", "-keyout", key, "-out", crt])
        assert r.returncode == 0, r.stderr
        super().__init__(root, extra_conf=f"themes: {THEMES}\ntls:\n  cert: {crt}\n  key: {key}\n")

    def write_conf(self):
        super().write_conf()
        self.conf.write_text(self.conf.read_text().replace(
            "listen:\n", f'listen:\n  - {{address: "127.0.0.1:{self.tls_port}", tls: true}}\n', 1))

    def tget(self, path, host, headers=None):
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        with RawConn(self.tls_port) as c:
            c.sock = ctx.wrap_socket(c.sock, server_hostname=host)
            c.send_request("GET", path, dict({"Host": host}, **(headers or {})))
            return c.read_response()


@pytest.fixture(scope="module")
def rd(tmp_path_factory):
    c = RedesignCluster(tmp_path_factory.mktemp("redesign"))
    need_binaries()
    c.import_base()
    r = c.ctl("import", "--generation", "v2", "xian", write_pages(c.root / "xian-v2", {
        "index.html": html("xian v2", "RD-V2-HOME"), "new-only.html": html("new", "RD-V2-NEW"),
        "notice/index.html": html("notice v2", "RD-V2-NOTICE")}))
    assert r.returncode == 0, r
    c.site_path("xian").write_text(with_status(
        "xian", f"status: {{state: redesign, generation: v2, preview_host: {RD_PREVIEW}}}\n"))
    c.start()
    yield c
    c.stop()


def preview_token(c, *args):
    r = c.ctl("preview", "xian", *args)
    assert r.returncode == 0, r
    tok = r.stdout.decode().strip()
    assert re.fullmatch(r"[1-9][0-9]{9,11}\.[0-9a-f]{32}", tok), tok
    return tok


def cookie(tok):
    return {"Cookie": "jiyue_preview=" + tok}


def assert_preview_headers(r):
    assert r.header("X-Robots-Tag") == "noindex", r
    assert r.header("Cache-Control") == "private, no-store", r
    assert "Cookie" in ", ".join(r.headers_all("Vary")), r


def test_preview_host_needs_the_token(rd):
    """The preview host shows nothing of the new generation without the token or its
    cookie, whatever names it: the Host header (any case, with a port) or an absolute-form
    request target under another Host."""
    for host in (RD_PREVIEW, RD_PREVIEW.upper() + f":{rd.port}"):
        for path in ("/", "/new-only.html", "/index.html"):
            r = rd.get(path, host=host)
            assert r.status == 403 and b"RD-V2" not in r.body, (host, path, r)
            assert_preview_headers(r)
    for other in (PORTAL_HOST, XIAN_HOST, "unknown.example"):
        r = rd.get(f"http://{RD_PREVIEW}/new-only.html", host=other)
        assert r.status == 403 and b"RD-V2" not in r.body, (other, r)
    # wrong tokens, in the query or a cookie
    bad = "1" * 10 + "." + "0" * 32
    assert rd.get("/?preview=" + bad, host=RD_PREVIEW).status == 403
    assert rd.get("/", host=RD_PREVIEW, headers=cookie(bad)).status == 403
    assert rd.get("/", host=RD_PREVIEW, headers=cookie("0" * 32)).status == 403

    tok = preview_token(rd)
    r = rd.get(f"/new-only.html?a=1&preview={tok}", host=RD_PREVIEW)
    assert r.status == 302 and r.header("Location") == "/new-only.html?a=1", r
    ck = r.header("Set-Cookie")
    assert ck.startswith(f"jiyue_preview={tok}; Path=/;") and "HttpOnly" in ck, ck
    assert "Secure" not in ck, "plain HTTP: no Secure"
    age = int(re.search(r"Max-Age=(\d+)", ck).group(1))
    assert 7 * 86400 - 120 < age <= 7 * 86400, ck
    assert_preview_headers(r)
    r = rd.get("/new-only.html", host=RD_PREVIEW, headers=cookie(tok))
    assert r.status == 200 and b"RD-V2-NEW" in r.body, r
    assert_preview_headers(r)
    r = rd.get(f"http://{RD_PREVIEW}/new-only.html", host=PORTAL_HOST,
               headers={"Cookie": f"a=b; jiyue_preview={bad}; jiyue_preview={tok}"})
    assert r.status == 200 and b"RD-V2-NEW" in r.body, r
    r = rd.get("/", host=RD_PREVIEW, method="POST", headers=dict(cookie(tok), **{"Content-Length": "0"}))
    assert r.status == 405, r
    # the live site is untouched
    r = rd.get("/new-only.html", host=XIAN_HOST)
    assert r.status == 404 and not r.has("X-Robots-Tag"), r


def test_preview_pages_private_and_cookie_secure_over_tls(rd):
    tok = preview_token(rd)
    r = rd.get("/xian/?preview=" + tok)
    assert r.status == 302 and r.header("Location") == "/xian/", r
    ck = r.header("Set-Cookie")
    assert ck.startswith(f"jiyue_preview={tok}; Path=/xian/;") and "Secure" not in ck, ck
    assert_preview_headers(r)
    for path in ("/new-only.html", "/", "/no-such.html"):
        r = rd.get(path, host=XIAN_HOST, headers=cookie(tok))
        assert r.status == (404 if "no-such" in path else 200), (path, r)
        assert_preview_headers(r)
    # the live pages keep their ordinary headers
    r = rd.get("/page.html", host=XIAN_HOST)
    assert r.status == 200 and not r.has("X-Robots-Tag") and r.header("Cache-Control") is None, r
    # over HTTPS the cookie is Secure
    r = rd.tget("/?preview=" + tok, XIAN_HOST)
    assert r.status == 302 and r.header("Location") == "/", r
    ck = r.header("Set-Cookie")
    assert ck.startswith(f"jiyue_preview={tok}; Path=/;") and ck.endswith("; Secure"), ck
    r = rd.tget("/new-only.html", XIAN_HOST, headers=cookie(tok))
    assert r.status == 200 and b"RD-V2-NEW" in r.body, r
    assert_preview_headers(r)


def store_meta(c, key):
    """One value of the store's "meta" database, read with mdb_dump."""
    r = subprocess.run(["mdb_dump", "-s", "meta", str(c.root / "store")], capture_output=True,
                       timeout=30)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.decode().splitlines()
    want = " " + key.encode().hex()
    for i, line in enumerate(lines):
        if line == want:
            return bytes.fromhex(lines[i + 1].strip())
    raise AssertionError(f"no {key} in the store")


def test_preview_token_expires_and_is_revoked(rd):
    for bad in ("0", "91", "x", "1.5"):
        r = rd.ctl("preview", "xian", "--days", bad)
        assert r.returncode == 2 and b"--days" in r.stderr, (bad, r)
    now = time.time()
    tok7, tok1 = preview_token(rd), preview_token(rd, "--days", "1")
    assert abs(int(tok7.split(".")[0]) - (now + 7 * 86400)) < 60, tok7
    assert abs(int(tok1.split(".")[0]) - (now + 86400)) < 60, tok1
    # the token is "<expiry>.<MAC>" under the site's secret: an expired one is refused
    secret = store_meta(rd, "secret/preview/xian")
    assert len(secret) == 32

    def make(exp, msg=None):
        mac = hmac.new(secret, (msg or f"xian@v2@{exp}").encode(), hashlib.sha256).hexdigest()[:32]
        return f"{exp}.{mac}"

    assert make(int(tok1.split(".")[0])) == tok1
    shows = lambda tok: b"RD-V2-NEW" in rd.get("/new-only.html", host=XIAN_HOST, headers=cookie(tok)).body
    assert shows(tok1) and shows(make(int(time.time()) + 30))
    expired = make(int(time.time()) - 2)
    assert not shows(expired)
    assert rd.get("/xian/?preview=" + expired).status == 200, "no cookie for an expired token"
    assert rd.get("/", host=RD_PREVIEW, headers=cookie(expired)).status == 403
    # a token without an expiry (the old form: a MAC of "xian@v2") is no token
    assert not shows(make("", "xian@v2").lstrip("."))

    r = rd.ctl("preview", "xian", "--revoke")
    assert r.returncode == 0 and b"revoked" in r.stdout, r
    for tok in (tok1, tok7):
        assert not shows(tok)
        assert rd.get("/", host=RD_PREVIEW, headers=cookie(tok)).status == 403
    assert store_meta(rd, "secret/preview/xian") != secret
    assert shows(preview_token(rd))


def test_access_log_hides_preview_tokens(rd):
    tok = preview_token(rd)
    rd.get(f"/xian/?x=1&preview={tok}&y=2", headers={"Referer": f"http://{XIAN_HOST}/a?preview={tok}"})
    rd.get(f"/?preview={tok}", host=RD_PREVIEW)
    mac = tok.split(".")[1]
    want = ['"GET /xian/?x=1&preview=-&y=2 HTTP/1.1" 302', f'"http://{XIAN_HOST}/a?preview=-"',
            '"GET /?preview=- HTTP/1.1" 302']
    # each worker writes its lines on its next tick
    assert wait_for(lambda: all(w in read_text(rd.access_log) for w in want), timeout=10), \
        read_text(rd.access_log)[-800:]
    log = read_text(rd.access_log)
    assert mac not in log, [line for line in log.splitlines() if mac in line]


ARTICLE = """---
site: xian
column: news
title: 测试县改版期间发布的通知
source: 测试县人民政府
author: 张明
publisher: 李华
reviewer: 王强
disclosure: 主动公开
date: 2026-09-01 09:30
secrecy_review: {by: 赵敏, date: 2026-08-31}
---
改版期间照常发布。
"""


def test_preview_resolves_pages_as_promote_will(rd):
    """The preview answers each URL exactly as the site will once the generation is
    promoted: rendered pages (home, articles, columns) before imported ones, an imported
    column page of the new generation where its column is empty."""
    art = rd.root / "rd-article.md"
    art.write_text(ARTICLE)
    r = rd.ctl("publish", art)
    assert r.returncode == 0, r
    url = r.stdout.decode().strip().splitlines()[-1]
    article = url.split("/xian", 1)[1]
    assert article.startswith("/news/") and article.endswith(".html"), url
    tok = preview_token(rd)
    paths = ["/", article, "/news/", "/notice/", "/new-only.html", "/page.html", "/no-such.html"]
    pre = {p: rd.get(p, host=XIAN_HOST, headers=cookie(tok)) for p in paths}
    on_host = {p: rd.get(p, host=RD_PREVIEW, headers=cookie(tok)) for p in paths}
    assert pre[article].status == 200 and "改版期间发布的通知".encode() in pre[article].body, pre[article]
    assert "改版期间发布的通知".encode() in pre["/"].body and b"RD-V2-HOME" not in pre["/"].body
    assert b"RD-V2-NOTICE" in pre["/notice/"].body
    for p in paths:
        assert on_host[p].status == pre[p].status, (p, on_host[p], pre[p])
    assert "改版期间发布的通知".encode() in on_host["/"].body
    assert on_host[article].status == 200
    assert rd.ctl("promote", "xian", "v2").returncode == 0
    try:
        for p in paths:
            post = rd.get(p, host=XIAN_HOST)
            assert (post.status, post.body) == (pre[p].status, pre[p].body), (p, post, pre[p])
    finally:
        assert rd.ctl("rollback", "xian").returncode == 0


# --------------------------------------------------------------------------- migration

OLD_HOST = "old-zhen.test.gov.cn"


def follow(c, path, host, hops=5):
    """Follows 301s (absolute or host-relative Locations); returns (response, [locations])."""
    seen = []
    for _ in range(hops):
        r = c.get(path, host=host)
        if r.status != 301:
            return r, seen
        loc = r.header("Location")
        seen.append(loc)
        if loc.startswith("http"):
            rest = loc.split("://", 1)[1]
            host, _, path = rest.partition("/")
            path = "/" + path
        else:
            path = loc
    raise AssertionError(f"too many redirects: {seen}")


def test_mirror_import_redirects(lc):
    mirror = lc.root / "wget"
    site = mirror / OLD_HOST
    write_pages(site, {
        "index.html": html("zhen old", "ZHEN-OLD-HOME"),
        "news/a.html": html("a", "ZHEN-OLD-A"),
        "show.asp?id=12": html("s12", "ZHEN-SHOW-12"),
        "list.asp@page=2.html": html("l2", "ZHEN-LIST-2"),
        "about.asp.html": html("about", "ZHEN-ABOUT"),
        "style.css": b"body{color:red}\n" * 20,
    })
    csv_map = lc.root / "map.csv"
    csv_map.write_text("old,new\n/old-path.html,/news/a.html\n"
                       f"http://{OLD_HOST}/show.asp?id=99,https://example.org/x\n"
                       "/%E6%97%A7.html,/news/a.html\n", encoding="utf-8")
    r = lc.ctl("import", "--mirror", "--map", csv_map, "zhen", mirror)
    assert r.returncode == 0, r
    assert f"add {OLD_HOST} under mount.aliases".encode() in r.stderr, r.stderr
    assert b"stored 6 redirects" in r.stdout, r.stdout
    lc.write_site("zhen", **dict(BASE_SITES["zhen"], aliases=[OLD_HOST]))
    reload_and_wait(lc, "/", lambda r: r.status == 301, host=OLD_HOST)

    cases = {
        "/": ("ZHEN-OLD-HOME", None),
        "/news/a.html": ("ZHEN-OLD-A", None),
        "/show.asp?id=12": ("ZHEN-SHOW-12", "/zhen/show.asp@id=12.html"),
        "/list.asp?page=2": ("ZHEN-LIST-2", "/zhen/list.asp@page=2.html"),
        "/about.asp": ("ZHEN-ABOUT", "/zhen/about.asp.html"),
        "/old-path.html": ("ZHEN-OLD-A", "/zhen/news/a.html"),
        "/%E6%97%A7.html": ("ZHEN-OLD-A", "/zhen/news/a.html"),
    }
    for old, (marker, last) in cases.items():
        r, locs = follow(lc, old, OLD_HOST)
        assert r.status == 200 and marker.encode() in r.body, (old, locs, r)
        # the old domain answers for the site's canonical place (zhen sits under xian's host)
        assert locs[0] == f"http://{XIAN_HOST}/zhen{old}", (old, locs)
        if last:
            assert locs[-1] == last, (old, locs)
    r, locs = follow(lc, "/show.asp?id=99", OLD_HOST)
    assert locs[-1] == "https://example.org/x"
    # on the site's new address too (no alias hop), and a stored page wins over the map
    r = lc.get("/xian/zhen/show.asp?id=12")
    assert r.status == 301 and r.header("Location") == "/xian/zhen/show.asp@id=12.html"
    assert lc.get("/xian/zhen/style.css").status == 200
    assert lc.get("/xian/zhen/show.asp?id=13").status == 404
    # a broken map changes nothing
    bad = lc.root / "bad.csv"
    bad.write_text("/x.html,/y.html\nnot a url,/z.html\n")
    r = lc.ctl("import", "--mirror", "--map", bad, "zhen", mirror)
    assert r.returncode == 1 and b"bad.csv:2:" in r.stderr, r
    assert lc.get("/xian/zhen/old-path.html").status == 301


def meta_put(c, key, value):
    """Writes one key into the store's "meta" database behind jiyuectl's back (as an older
    version of jiyuectl would have written it)."""
    esc = lambda s: "".join(ch if ch.isalnum() or ch in "/@?=._-" else "\\%02x" % b for ch in s
                            for b in ch.encode())
    r = subprocess.run(["mdb_load", "-T", "-s", "meta", str(c.root / "store")],
                       input=(esc(key) + "\n" + esc(value) + "\n").encode(), capture_output=True,
                       timeout=30)
    assert r.returncode == 0, r.stderr


def test_redirects_belong_to_the_site(lc):
    """The redirects of a mirror import survive promote and rollback; `jiyuectl redirects`
    lists them; an older store's per-generation redirects still answer for that generation."""
    r = lc.ctl("redirects", "zhen")
    assert r.returncode == 0, r
    lines = r.stdout.decode().splitlines()
    assert "/show.asp?id=12 -> /show.asp@id=12.html" in lines, lines
    assert "/list.asp?page=2 -> /list.asp@page=2.html" in lines
    assert "/show.asp?id=99 -> https://example.org/x" in lines
    assert "/旧.html -> /news/a.html" in lines
    assert "/old-path.html -> /news/a.html" in lines
    assert len(lines) == 6 and all(" -> " in line for line in lines), lines
    r = lc.ctl("redirects", "edu")
    assert r.returncode == 0 and r.stdout == b"" and b"no redirects stored for edu" in r.stderr, r
    r = lc.ctl("redirects", "nosuch")
    assert r.returncode == 1 and b"nosuch" in r.stderr, r

    # a new generation of zhen without the old pages: the old URLs still redirect
    r = lc.ctl("import", "--generation", "v2", "zhen", write_pages(lc.root / "zhen-v2", {
        "index.html": html("zhen v2", "ZHEN-V2-HOME"), "show.asp@id=12.html": html("s", "ZHEN-V2-SHOW")}))
    assert r.returncode == 0, r
    assert lc.ctl("promote", "zhen", "v2").returncode == 0
    assert b"ZHEN-V2-HOME" in lc.get("/xian/zhen/").body
    r = lc.get("/xian/zhen/show.asp?id=12")
    assert r.status == 301 and r.header("Location") == "/xian/zhen/show.asp@id=12.html", r
    r, locs = follow(lc, "/show.asp?id=12", OLD_HOST)
    assert r.status == 200 and b"ZHEN-V2-SHOW" in r.body, (locs, r)
    r = lc.get("/xian/zhen/old-path.html")
    assert r.status == 301 and r.header("Location") == "/xian/zhen/news/a.html", r
    # an older store kept a generation's redirects under its namespace: still read for it
    meta_put(lc, "redir/zhen@v2/legacy.asp", "/show.asp@id=12.html")
    r = lc.get("/xian/zhen/legacy.asp")
    assert r.status == 301 and r.header("Location") == "/xian/zhen/show.asp@id=12.html", r
    r = lc.ctl("redirects", "zhen")
    assert ("/legacy.asp -> /show.asp@id=12.html  (generation v2 only: import the mirror again "
            "to keep it after a promote)") in r.stdout.decode().splitlines(), r.stdout
    assert lc.ctl("rollback", "zhen").returncode == 0
    r = lc.get("/xian/zhen/show.asp?id=12")
    assert r.status == 301 and r.header("Location") == "/xian/zhen/show.asp@id=12.html", r
    assert lc.get("/xian/zhen/legacy.asp").status == 404, "v2's own redirect left with v2"
    # an import into another generation adds to the site's redirects; a live one replaces them
    csv_map = lc.root / "map-v3.csv"
    csv_map.write_text("/v3-only.html,/news/a.html\n")
    r = lc.ctl("import", "--generation", "v3", "--map", csv_map, "zhen", lc.root / "zhen-v2")
    assert r.returncode == 0, r
    lines = lc.ctl("redirects", "zhen").stdout.decode().splitlines()
    assert "/v3-only.html -> /news/a.html" in lines and "/show.asp?id=12 -> /show.asp@id=12.html" in lines
    assert lc.get("/xian/zhen/v3-only.html").status == 301


# --------------------------------------------------------------------------- census

def census(conf, *args):
    r = run([JIYUECTL, "-c", conf, "census", *args])
    assert r.returncode == 0, r
    return r.stdout


def test_census_sites_test_cluster(lc):
    lc.site_path("hang").write_text(with_status(
        "hang", f"status: {{state: suspended, from: {day(-1)}, until: {day(30)}, reason: '整改, \"逗号,引号\"'}}\n",
        name="测试杭镇", kind="township", parent="xian", path="/hang/", code="1100000010"))
    hup(lc)
    rows = json.loads(census(lc.conf, "sites", "--format", "json"))
    by_id = {row["id"]: row for row in rows}
    assert set(by_id) >= {"portal", "edu", "xian", "zhen", "old", "hang"}
    edu = by_id["edu"]
    assert edu == {
        "site_code": "1100000002", "id": "edu", "name": "测试市教育局", "kind": "department",
        "parent": "portal", "organizer": "测试市教育局办公室", "url": f"http://{EDU_HOST}/",
        "domains": EDU_HOST, "aliases": "old-edu.test.gov.cn", "status": "active",
        "status_from": None, "status_until": None, "status_reason": None, "migrate_to": None,
        "generation": None, "icp": "测ICP备1100000002号", "police": "测公网安备1100000002号",
        "contact": "0000-12345678",
        # the Chinese names beside the ids (the CSV shows these)
        "kind_name": "部门", "parent_name": "测试市人民政府", "status_name": "正常运行"}, edu
    hang = by_id["hang"]
    assert (hang["status"], hang["status_from"], hang["status_until"]) == ("suspended", day(-1), day(30))
    assert (hang["kind_name"], hang["status_name"]) == ("乡镇", "暂时关停")
    assert hang["url"] == f"http://{XIAN_HOST}/hang/" and hang["parent"] == "xian"
    old = by_id["old"]
    assert (old["status"], old["status_from"], old["migrate_to"]) == ("closed", "2026-01-01", "https://new.example.cn/base/")
    # CSV: the same rows, Chinese intact, quoting right, BOM only when asked
    raw = census(lc.conf, "sites", "--bom")
    assert raw.startswith(b"\xef\xbb\xbf")
    assert not census(lc.conf, "sites").startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert table[0][:3] == ["网站标识码", "站点标识", "网站名称"]
    assert len(table) == len(rows) + 1
    # the CSV is for people: the kind, the parent and the status by their Chinese names
    shown = {"kind": "kind_name", "parent": "parent_name", "status": "status_name"}
    keys = [shown.get(k, k) for k in rows[0] if not k.endswith("_name") or k == "site_name"]
    assert len(table[0]) == len(keys) == 18
    for line in table[1:]:
        row = by_id[line[1]]
        assert line == [row[k] or "" for k in keys]
    assert table[0][3:5] == ["网站类型", "上级网站"] and table[0][9] == "运行状态"
    edu_line = next(line for line in table if line[1] == "edu")
    assert (edu_line[3], edu_line[4], edu_line[9]) == ("部门", "测试市人民政府", "正常运行")
    assert not any(w in raw.decode() for w in ("department", "active", "suspended"))
    assert any(line[12] == '整改, "逗号,引号"' for line in table), "quoted cell round-trips"
    lc.site_path("hang").unlink()
    hup(lc)


def test_census_columns_counts_items(lc):
    lc.import_pages("portal", {"index.html": html("p", "PORTAL-HOME"),
                                "news/index.html": html("n", "N"),
                                "news/2026-11-01-a.html": html("a", "A"),
                                "news/sub/2026-11-02-b.html": html("b", "B"),
                                "news/pic.png": b"\x89PNG....",
                                "notice/index.html": html("n", "N")})
    rows = json.loads(census(lc.conf, "columns", "--format", "json"))
    portal = {row["id"]: row for row in rows if row["site"] == "portal"}
    assert portal["news"]["items"] == 2 and portal["notice"]["items"] == 0
    assert portal["news"]["name"] == "工作动态" and portal["news"]["type"] == "dynamic"
    assert portal["news"]["type_name"] == "工作动态"
    assert portal["news"]["site_name"] == "测试市人民政府"
    bj = datetime.timezone(datetime.timedelta(hours=8))
    assert portal["news"]["last_update"] == datetime.datetime.now(bj).date().isoformat()
    assert portal["notice"]["last_update"] is None
    table = list(csv.reader(io.StringIO(census(lc.conf, "columns").decode(), newline="")))
    assert table[0] == ["站点标识", "网站名称", "栏目标识", "栏目名称", "栏目类型", "信息条数", "最近更新",
                        "政策文件数", "缺发文字号"]
    assert ["portal", "测试市人民政府", "news", "工作动态", "工作动态", "2",
            portal["news"]["last_update"], "", ""] in table
    r = run([JIYUECTL, "-c", lc.conf, "census", "tables"])
    assert r.returncode == 2


def test_census_demo_cluster_matches_site_files():
    """The 基本信息表 of the demo cluster, field by field against sites.d/*.yaml."""
    conf = ROOT / "conf" / "jiyue.yaml"
    r = run([JIYUECTL, "-c", conf, "census", "sites", "--format", "json"])
    # make test (and make e2e's users) make the demo certificates: missing ones are a failure.
    assert r.returncode == 0, ("run `make certs` (tools/dev-certs.sh)" if b"certificate" in r.stderr
                               else "", r)
    rows = {row["id"]: row for row in json.loads(r.stdout)}
    files = sorted((ROOT / "sites.d").glob("*.yaml"))
    assert len(rows) == len(files)
    states = set()
    for f in files:
        y = yaml.safe_load(f.read_text(encoding="utf-8"))
        row = rows[y["id"]]
        reg = y.get("registration") or {}
        st = y["status"] if isinstance(y["status"], dict) else {"state": y["status"]}
        states.add(st["state"])
        assert row["name"] == y["name"] and row["kind"] == y["kind"]
        assert row["parent"] == y.get("parent")
        for k in ("site_code", "icp", "police", "organizer", "contact"):
            assert row[k] == (str(reg[k]) if k in reg else None), (y["id"], k)
        assert row["status"] == st["state"]
        frm = st.get("from", st.get("date"))
        assert row["status_from"] == (str(frm) if frm else None)
        assert row["status_until"] == (str(st["until"]) if "until" in st else None)
        assert row["migrate_to"] == st.get("migrate_to")
        assert row["domains"] == " ".join(h.lower() for h in (y["mount"].get("hosts") or []))
    assert {"active", "suspended", "closed", "redesign"} <= states, "the demo shows every status"
