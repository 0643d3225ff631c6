# tests/e2e/test_http2.py: HTTP/2 over TLS (ALPN "h2", core/http2.c) end to end. The
# routing, serving and header cases of the HTTP/1.1 tests are asked over both protocols
# and must agree apart from framing; many streams share one connection the way a browser
# loads a page; curl --http2 and nghttp (nghttp2-client) as real clients; python3-h2
# (Debian's) for frame-level control and hand-made frames for the floods (rapid reset,
# CONTINUATION, SETTINGS and PING, an HPACK bomb), each beside a bystander connection;
# bodies (the message form's POST and 303), the keep-alive and send timeouts, GOAWAY at
# shutdown, reload, the http2: keys, headless Chromium. Every wait is bounded.
import collections
import datetime
import re
import signal
import shutil
import socket
import ssl
import subprocess
import time
import urllib.parse

import pytest

h2 = pytest.importorskip("h2")
import h2.config  # noqa: E402
import h2.connection  # noqa: E402
import h2.events  # noqa: E402
import h2.exceptions  # noqa: E402

from conftest import (BASE_SITES, EDU_ALIAS, EDU_HOST, PORTAL_HOST, ROOT,  # noqa: E402
                      XIAN_HOST, base_pages, free_port, metric_samples, need_binaries, read_text,
                      wait_for)
from test_tls import BIG, CA, TlsCluster, TlsConn, client_ctx, tls_port_ready  # noqa: E402

THEMES = ROOT / "conf" / "themes"
BOARD = ("  - {id: hudong, name: 政民互动, type: interaction}\n"
         "interaction: {reply_days: 15, rate_limit: 1000, daily_limit: 1000}\n")


def start_h2_cluster(tmp_path_factory, ca, name, limits=None, extra_conf="", zhen_status=None,
                     workers=2, portal_extra=None):
    """test_tls.py's cluster (certificates, HSTS on edu) plus a message board on the portal
    and the themes, so the message form and its 303 can be asked over both protocols."""
    need_binaries()
    lim = {"max_body_bytes": "8KiB"}
    lim.update(limits or {})
    c = TlsCluster(tmp_path_factory.mktemp(name), ca, limits=lim, workers=workers,
                   extra_conf=f"themes: {THEMES}\n" + extra_conf)
    c.write_site("portal", **dict(BASE_SITES["portal"], extra=BOARD))
    if zhen_status:
        text = c.site_path("zhen").read_text()
        assert "status: active\n" in text
        c.site_path("zhen").write_text(text.replace("status: active\n", zhen_status))
    c.import_base()
    pages = dict(base_pages()["portal"])
    pages["big.bin"] = BIG
    pages["h2check.html"] = H2CHECK
    pages.update(portal_extra or {})
    c.import_pages("portal", pages)
    c.start()
    assert wait_for(lambda: tls_port_ready(c.tls_port), timeout=5), c.server_output()
    return c


# A page that writes, into its own DOM, the protocol its navigation and its stylesheet came
# over (the Resource Timing API's nextHopProtocol), for headless Chromium's --dump-dom.
H2CHECK = b"""<!doctype html><html><head><meta charset="utf-8"><title>h2</title>
<link rel="stylesheet" href="/style.css"></head><body><img src="/logo.png" alt="">
<p id="out"></p><script>
var nav = performance.getEntriesByType("navigation")[0];
var css = performance.getEntriesByName(location.origin + "/style.css")[0];
document.getElementById("out").textContent =
  "nav=" + nav.nextHopProtocol + " css=" + (css ? css.nextHopProtocol : "none");
</script></body></html>
"""


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    return CA(tmp_path_factory.mktemp("h2-ca"))


@pytest.fixture(scope="module")
def hc(tmp_path_factory, ca):
    c = start_h2_cluster(tmp_path_factory, ca, "h2")
    yield c
    c.stop()


class H2Resp:
    def __init__(self):
        self.headers = []  # [(name, value)] as received, pseudo-headers included
        self.body = b""
        self.ended = False
        self.reset = None  # the RST_STREAM error code

    @property
    def status(self):
        return int(self.header(":status"))

    def header(self, name, default=None):
        for k, v in self.headers:
            if k == name:
                return v
        return default

    def __repr__(self):
        return f"<H2Resp {self.headers!r} body={self.body[:200]!r} reset={self.reset}>"


class H2Conn(TlsConn):
    """One h2 connection over TLS driven by python3-h2 (the client side of the library);
    the socket, its context-manager use and close are conftest's RawConn (via TlsConn)."""

    def __init__(self, port, ca, host=PORTAL_HOST, timeout=5, settings=None, auto_ack=True):
        super().__init__(port, host, client_ctx(ca, alpn=["h2", "http/1.1"]), timeout=timeout)
        assert self.sock.selected_alpn_protocol() == "h2"
        self.host = host
        self.conn = h2.connection.H2Connection(
            config=h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
        self.conn.initiate_connection()
        if settings:
            self.conn.update_settings(settings)
        self.flush()
        self.resp = {}
        self.terminated = None  # the GOAWAY's error code
        self.closed = False
        self.server_settings = {}
        self.auto_ack = auto_ack  # False: the client's windows stay as they are
        self.unacked = []
        self.last_stream = None  # the GOAWAY's last stream id
        self.data_order = []  # the stream id of each DATA frame, as they arrived
        self.head_order = []  # the stream id of each response's HEADERS, as they arrived

    def flush(self):
        data = self.conn.data_to_send()
        if data:
            self.send(data)

    def request(self, method, path, host=None, headers=None, body=None):
        sid = self.conn.get_next_available_stream_id()
        hdrs = [(":method", method), (":path", path), (":scheme", "https"),
                (":authority", host or self.host)]
        items = headers.items() if isinstance(headers, dict) else (headers or [])
        hdrs += [(k.lower(), v) for k, v in items]
        self.conn.send_headers(sid, hdrs, end_stream=body is None)
        if body is not None:
            self.conn.send_data(sid, body, end_stream=True)
        self.flush()
        self.resp[sid] = H2Resp()
        return sid

    def pump(self, timeout=5):
        """Reads once (bounded) and handles the events; False when the server closed."""
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(65536)
        except (ConnectionResetError, ssl.SSLError, BrokenPipeError):
            data = b""
        if not data:
            self.closed = True
            return False
        for ev in self.conn.receive_data(data):
            if isinstance(ev, h2.events.ResponseReceived):
                self.resp.setdefault(ev.stream_id, H2Resp()).headers = list(ev.headers)
                self.head_order.append(ev.stream_id)
            elif isinstance(ev, h2.events.DataReceived):
                self.resp[ev.stream_id].body += ev.data
                self.data_order.append(ev.stream_id)
                if self.auto_ack:
                    self.conn.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
                else:
                    self.unacked.append((ev.flow_controlled_length, ev.stream_id))
            elif isinstance(ev, h2.events.StreamEnded):
                self.resp[ev.stream_id].ended = True
            elif isinstance(ev, h2.events.StreamReset):
                self.resp.setdefault(ev.stream_id, H2Resp()).reset = ev.error_code
            elif isinstance(ev, h2.events.ConnectionTerminated):
                self.terminated = ev.error_code
                self.last_stream = ev.last_stream_id
            elif isinstance(ev, h2.events.RemoteSettingsChanged):
                for k, v in ev.changed_settings.items():
                    self.server_settings[k] = v.new_value
        try:
            self.flush()
        except OSError:
            pass
        return True

    def ack_all(self):
        for n, sid in self.unacked:
            self.conn.acknowledge_received_data(n, sid)
        self.unacked = []
        self.auto_ack = True
        self.flush()

    def until_closed(self, timeout):
        """Reads until the server closes (True) or `timeout` passes (False)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if not self.pump(max(0.05, deadline - time.monotonic())):
                    return True
            except socket.timeout:
                return False
        return False

    def wait(self, sids, timeout=10):
        deadline = time.monotonic() + timeout
        while not all(self.resp[s].ended or self.resp[s].reset is not None for s in sids):
            left = deadline - time.monotonic()
            assert left > 0, f"streams not answered within {timeout}s: {self.resp!r}"
            if not self.pump(left):
                raise AssertionError(f"server closed the connection: {self.resp!r}")
        return [self.resp[s] for s in sids]

    def get(self, path, method="GET", host=None, headers=None, body=None):
        return self.wait([self.request(method, path, host, headers, body)])[0]


def sni(host):
    return host.split(":")[0].lower()


def h2_fetch(hc, ca, method, path, host=PORTAL_HOST, headers=None, body=None):
    with H2Conn(hc.tls_port, ca, sni(host)) as c:
        return c.get(path, method, host, headers, body)


def h1_fetch(hc, method, path, host=PORTAL_HOST, headers=None, body=None):
    with hc.tls_conn(sni(host), ctx=hc.ctx(alpn=["http/1.1"])) as c:
        hdrs = {"Host": host, "Connection": "close"}
        hdrs.update(headers or {})
        if body is not None:
            hdrs["Content-Length"] = str(len(body))
        c.send_request(method, path, hdrs, body=body or b"")
        return c.read_response(head=method == "HEAD")


# Fields that belong to the framing or the moment, not to the response.
FRAMING = {"connection", "keep-alive", "date", "transfer-encoding"}


def comparable(h1, h2r):
    a = sorted((k.lower(), v) for k, v in h1.header_list if k.lower() not in FRAMING)
    b = sorted((k, v) for k, v in h2r.headers if not k.startswith(":") and k not in FRAMING)
    return a, b


# ---------------------------------------------------------------------------------------
# ALPN
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("offer,expect", [
    (["h2", "http/1.1"], "h2"),
    (["http/1.1", "h2"], "h2"),  # the server's preference
    (["h2"], "h2"),
    (["http/1.1"], "http/1.1"),
])
def test_alpn_chooses_h2_first(hc, offer, expect):
    with hc.tls_conn(PORTAL_HOST, ctx=hc.ctx(alpn=offer)) as c:
        assert c.sock.selected_alpn_protocol() == expect


def test_server_settings_are_the_configured_limits(hc, ca):
    with H2Conn(hc.tls_port, ca) as c:
        c.get("/")
        s = c.server_settings
        assert s.get(h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS) == 128, s
        assert s.get(h2.settings.SettingCodes.INITIAL_WINDOW_SIZE) == 1 << 20, s
        assert s.get(h2.settings.SettingCodes.MAX_HEADER_LIST_SIZE) == 16 << 10, s


# ---------------------------------------------------------------------------------------
# The same answers over both protocols
# ---------------------------------------------------------------------------------------

CASES = [
    # (method, host, path, headers, expected status, marker in body)
    ("GET", PORTAL_HOST, "/", {}, 200, b"PORTAL-HOME"),
    ("GET", PORTAL_HOST, "/edu/page.html", {}, 200, b"EDU-PAGE"),
    ("GET", XIAN_HOST, "/zhen/", {}, 200, b"ZHEN-HOME"),
    ("GET", EDU_HOST, "/news/", {}, 200, b"EDU-NEWS"),  # HSTS on edu
    ("GET", "EDU.Test.Gov.Cn:8443", "/", {}, 200, b"EDU-HOME"),
    ("GET", PORTAL_HOST, "/news", {}, 301, b"/news/"),
    ("GET", PORTAL_HOST, "/news?x=1&y=2", {}, 301, b"/news/?x=1&amp;y=2"),
    ("GET", EDU_ALIAS, "/page.html?q=1", {}, 301, b"edu.test.gov.cn/page.html?q=1"),
    ("GET", PORTAL_HOST, "/missing.html", {}, 404, b"PORTAL-CUSTOM-404"),
    ("GET", XIAN_HOST, "/missing.html", {}, 404, b"</html>"),  # the theme's error page
    ("HEAD", PORTAL_HOST, "/", {}, 200, b""),
    ("HEAD", PORTAL_HOST, "/missing.html", {}, 404, b""),
    ("GET", PORTAL_HOST, "/style.css", {}, 200, b""),
    ("GET", PORTAL_HOST, "/logo.png", {}, 200, b""),
    ("GET", PORTAL_HOST, "/big.txt", {"Range": "bytes=10-99"}, 206, b""),
    ("GET", PORTAL_HOST, "/big.txt", {"Range": "bytes=999999999-"}, 416, b""),
    ("GET", PORTAL_HOST, "/app.js", {"Accept-Encoding": "gzip"}, 200, b""),
    ("GET", PORTAL_HOST, "/", {"Accept-Encoding": "gzip, br"}, 200, b""),
    ("GET", PORTAL_HOST, "/", {"If-Modified-Since": "Thu, 01 Jan 2037 00:00:00 GMT"}, 304, b""),
    ("DELETE", PORTAL_HOST, "/", {}, 405, b"405"),
    ("GET", PORTAL_HOST, "/a/../../etc/passwd", {}, 400, b"climbs above the root"),
    ("GET", PORTAL_HOST, "/big.bin", {}, 200, b""),
]


@pytest.mark.parametrize("method,host,path,headers,status,marker", CASES,
                         ids=[f"{c[0]}-{c[1]}-{c[2]}-{'-'.join(c[3])}" for c in CASES])
def test_same_answer_over_h1_and_h2(hc, ca, method, host, path, headers, status, marker):
    a = h1_fetch(hc, method, path, host, headers)
    b = h2_fetch(hc, ca, method, path, host, headers)
    assert a.status == status, a
    assert b.status == status and b.ended, b
    assert marker in a.body and marker in b.body
    assert a.body == b.body
    ha, hb = comparable(a, b)
    assert ha == hb
    if method == "HEAD":
        assert b.body == b"" and b.header("content-length") not in (None, "0")
    if path == "/big.bin":
        assert b.body == BIG  # 1 MiB through the flow-control windows


def test_etag_304_over_h2(hc, ca):
    with H2Conn(hc.tls_port, ca) as c:
        first = c.get("/style.css")
        etag = first.header("etag")
        assert first.status == 200 and etag, first
        again = c.get("/style.css", headers={"If-None-Match": etag})
        assert again.status == 304 and again.body == b"" and again.header("etag") == etag, again


def test_csp_and_hsts_over_h2(hc, ca):
    r = h2_fetch(hc, ca, "GET", "/", EDU_HOST)
    assert r.status == 200
    assert r.header("strict-transport-security") == "max-age=31536000; includeSubDomains", r
    assert r.header("content-security-policy"), r


# ---------------------------------------------------------------------------------------
# A browser's page load: many streams at once on one connection
# ---------------------------------------------------------------------------------------

def test_many_streams_on_one_connection(hc, ca):
    paths = ["/", "/style.css", "/app.js", "/logo.png", "/news/", "/edu/", "/missing.html",
             "/big.txt", "/doc.pdf", "/xian/page.html"] * 4
    want = {p: h1_fetch(hc, "GET", p) for p in set(paths)}
    with H2Conn(hc.tls_port, ca) as c:
        sids = [c.request("GET", p, headers={"Accept-Encoding": "identity"}) for p in paths]
        got = c.wait(sids)
        for p, r in zip(paths, got):
            assert r.status == want[p].status and r.body == want[p].body, (p, r)
        # The connection stays open for the next page.
        assert c.get("/news/").status == 200
        assert not c.closed and c.terminated is None


def test_streams_beyond_max_concurrent_end_the_connection(hc, ca):
    with H2Conn(hc.tls_port, ca) as c:
        c.get("/")  # the server's SETTINGS are in and acknowledged
        # The client ignores the server's limit (python3-h2 would refuse to open more).
        c.conn.remote_settings._settings[h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS] = \
            collections.deque([1000])
        for _ in range(200):
            sid = c.conn.get_next_available_stream_id()
            c.conn.send_headers(sid, [(":method", "GET"), (":path", "/big.txt"),
                                      (":scheme", "https"), (":authority", PORTAL_HOST)],
                                end_stream=True)
            c.resp[sid] = H2Resp()
        try:
            c.flush()
        except (OSError, ssl.SSLError):
            pass  # the server may close before taking all of it
        deadline = time.monotonic() + 10
        while c.pump(max(0.1, deadline - time.monotonic())) and time.monotonic() < deadline:
            pass
        assert c.closed and c.terminated == h2.errors.ErrorCodes.PROTOCOL_ERROR, c.terminated
        answered = sum(1 for r in c.resp.values() if r.ended)
        assert answered <= 129, answered
    assert h2_fetch(hc, ca, "GET", "/").status == 200  # others are served


def test_access_log_says_http2(hc, ca):
    assert h2_fetch(hc, ca, "GET", "/h2-log-marker?x=1").status == 404
    assert h1_fetch(hc, "GET", "/h1-log-marker").status == 404
    # each worker writes its own lines: wait for both, the h2 one may come second
    assert wait_for(lambda: all(m in read_text(hc.access_log)
                                for m in ("h1-log-marker", "h2-log-marker")), timeout=5)
    log = read_text(hc.access_log)
    assert re.search(r'"GET /h2-log-marker\?x=1 HTTP/2\.0" 404 \d+ ', log), log[-2000:]
    assert re.search(r'"GET /h1-log-marker HTTP/1\.1" 404 \d+ ', log), log[-2000:]


# ---------------------------------------------------------------------------------------
# Real clients
# ---------------------------------------------------------------------------------------

def test_chromium_loads_the_portal_over_h2(hc, tmp_path):
    from conftest import CHROMIUM
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (tools/install-deps.sh installs it)")
    profile = tmp_path / "profile"
    r = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={profile}", "--ignore-certificate-errors",
         f"--host-resolver-rules=MAP {PORTAL_HOST} 127.0.0.1", "--dump-dom",
         f"https://{PORTAL_HOST}:{hc.tls_port}/h2check.html"],
        capture_output=True, timeout=90)
    shutil.rmtree(profile, ignore_errors=True)
    dom = r.stdout.decode(errors="replace")
    assert r.returncode == 0, r.stderr.decode(errors="replace")[-2000:]
    assert '<p id="out">nav=h2 css=h2</p>' in dom, dom[-1500:]
    log = read_text(hc.access_log)
    assert re.search(r'"GET /h2check\.html HTTP/2\.0" 200 .*HeadlessChrome', log), log[-1500:]


def test_curl_http2(hc, ca):
    out = subprocess.run(
        ["curl", "-sS", "--http2", "--cacert", str(ca.crt), "-D", "-", "--compressed",
         "--resolve", f"{PORTAL_HOST}:{hc.tls_port}:127.0.0.1",
         f"https://{PORTAL_HOST}:{hc.tls_port}/", f"https://{PORTAL_HOST}:{hc.tls_port}/news"],
        capture_output=True, timeout=20)
    text = out.stdout.decode(errors="replace")
    assert out.returncode == 0, out.stderr
    assert text.startswith("HTTP/2 200"), text[:500]
    assert "PORTAL-HOME" in text and "content-encoding: gzip" in text, text[:800]
    assert "HTTP/2 301" in text and f"location: https://{PORTAL_HOST}" not in text
    assert re.search(r"(?m)^location: /news/\r?$", text), text


@pytest.mark.skipif(not shutil.which("nghttp"), reason="nghttp2-client not installed")
def test_nghttp_page_with_assets(hc, ca):
    # -a: fetch the page's linked assets as a browser would, on the same connection; -n:
    # discard bodies; -s: statistics per stream.
    out = subprocess.run(
        ["nghttp", "-ans", "-H", f":authority: {PORTAL_HOST}",
         f"https://127.0.0.1:{hc.tls_port}/", f"https://127.0.0.1:{hc.tls_port}/style.css",
         f"https://127.0.0.1:{hc.tls_port}/missing"],
        capture_output=True, timeout=20)
    text = out.stdout.decode(errors="replace")
    assert out.returncode == 0, (text, out.stderr)
    assert re.search(r"(?m)\s200\s.*\s/\s*$", text) or " 200 " in text, text
    assert text.count(" 200 ") >= 2 and " 404 " in text, text


# ---------------------------------------------------------------------------------------
# Request bodies: the message form and its deferred 303
# ---------------------------------------------------------------------------------------

def fetch(proto, hc, ca, method, path, headers=None, body=None):
    if proto == "h2":
        r = h2_fetch(hc, ca, method, path, headers=headers, body=body)
        return r.status, dict(r.headers), r.body
    r = h1_fetch(hc, method, path, headers=headers, body=body)
    return r.status, {k.lower(): v for k, v in r.header_list}, r.body


@pytest.mark.parametrize("proto", ["h1", "h2"])
def test_message_form_post_and_303(hc, ca, proto):
    title = f"经由{proto}的建议"
    status, hdrs, body = fetch(proto, hc, ca, "GET", "/hudong/new")
    assert status == 200, body[:300]
    tok = re.search(rb'name="token" value="([^"]+)"', body).group(1).decode()
    cookie = re.match(r"jiyue_form=([0-9a-f]{32});", hdrs["set-cookie"]).group(1)
    form = urllib.parse.urlencode({"title": title, "body": "内容第一段。\r\n第二段。",
                                   "name": "张三", "phone": "13812345678", "token": tok}).encode()
    status, hdrs, body = fetch(proto, hc, ca, "POST", "/hudong/", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"jiyue_form={cookie}",
        "Origin": f"https://{PORTAL_HOST}"})
    assert status == 303, body[:500]
    m = re.fullmatch(r"/hudong/q/([a-z2-7]{20})", hdrs["location"])
    assert m, hdrs
    status, hdrs, body = fetch(proto, hc, ca, "GET", hdrs["location"])
    assert status == 200 and title in body.decode() and m.group(1) in body.decode()


def test_split_cookie_crumbs_are_joined(hc, ca):
    # RFC 9113 8.2.3: a client may send Cookie as several fields; the form's cookie is found
    # among them as in one HTTP/1.1 Cookie header.
    with H2Conn(hc.tls_port, ca) as c:
        r = c.get("/hudong/new")
        tok = re.search(rb'name="token" value="([^"]+)"', r.body).group(1).decode()
        nonce = re.match(r"jiyue_form=([0-9a-f]{32});", r.header("set-cookie")).group(1)
        form = urllib.parse.urlencode({"title": "分开的Cookie", "body": "内容。", "name": "李四",
                                       "phone": "13812345678", "token": tok}).encode()
        r = c.get("/hudong/", "POST", body=form, headers=[
            ("content-type", "application/x-www-form-urlencoded"), ("cookie", "a=1"),
            ("cookie", f"jiyue_form={nonce}"), ("cookie", "b=2")])
        assert r.status == 303, r


@pytest.mark.parametrize("proto", ["h1", "h2"])
def test_too_many_header_fields_431_on_both(hc, ca, proto):
    many = {f"x-f{i}": "v" for i in range(101)}  # limits.max_headers: 100
    status, _, _ = fetch(proto, hc, ca, "GET", "/", headers=many)
    assert status == 431
    status, _, _ = fetch(proto, hc, ca, "GET", "/", headers=dict(list(many.items())[:90]))
    assert status == 200


@pytest.mark.parametrize("proto", ["h1", "h2"])
def test_post_without_token_is_refused_the_same(hc, ca, proto):
    form = b"title=x&body=y&name=z"
    status, _, body = fetch(proto, hc, ca, "POST", "/hudong/", body=form,
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 403 and "token" in body.decode().lower() or status == 400, (status, body[:300])


def test_body_over_the_cap_is_413_and_the_connection_goes_on(hc, ca):
    with H2Conn(hc.tls_port, ca) as c:
        r = c.get("/hudong/", "POST", headers={"Content-Type": "application/x-www-form-urlencoded"},
                  body=b"x" * (9 << 10))
        assert r.status == 413, r
        assert c.get("/").status == 200 and c.terminated is None


def test_streams_together_cannot_hold_more_than_one_body_cap(hc, ca):
    # Two streams each sending 5 KiB of an 8 KiB cap, neither finished: the second one
    # over the connection's budget gets its 413; the first is answered once it ends.
    with H2Conn(hc.tls_port, ca) as c:
        hdrs = [(":method", "POST"), (":path", "/hudong/"), (":scheme", "https"),
                (":authority", PORTAL_HOST), ("content-type", "application/x-www-form-urlencoded")]
        a = c.conn.get_next_available_stream_id()
        c.conn.send_headers(a, hdrs)
        c.conn.send_data(a, b"x" * (5 << 10))
        b = c.conn.get_next_available_stream_id()
        c.conn.send_headers(b, hdrs)
        c.conn.send_data(b, b"y" * (5 << 10))
        c.flush()
        c.resp[a], c.resp[b] = H2Resp(), H2Resp()
        rb = c.wait([b])[0]
        assert rb.status == 413, rb
        c.conn.send_data(a, b"", end_stream=True)
        c.flush()
        ra = c.wait([a])[0]
        assert ra.status in (400, 403), ra  # answered by the board: no token


# ---------------------------------------------------------------------------------------
# Timeouts, shutdown and reload
# ---------------------------------------------------------------------------------------

def day(offset):  # as test_lifecycle.py counts days
    return (datetime.date.today() + datetime.timedelta(days=offset)).isoformat()


ZHEN_SUSPENDED = f"status: {{state: suspended, from: {day(-1)}, until: {day(30)}, reason: 网站整改中}}\n"
QUICK_H2 = "http2: {max_concurrent_streams: 16, initial_window: 256KiB, max_header_list: 4KiB}\n"


@pytest.fixture(scope="module")
def quick(tmp_path_factory, ca):
    """Short keep-alive and send timeouts."""
    c = start_h2_cluster(tmp_path_factory, ca, "h2-quick",
                         limits={"keepalive_timeout": "1s", "send_timeout": "1s"},
                         extra_conf=QUICK_H2, zhen_status=ZHEN_SUSPENDED)
    yield c
    c.stop()


def test_idle_connection_gets_goaway_after_keepalive_timeout(quick, ca):
    with H2Conn(quick.tls_port, ca) as c:
        assert c.get("/").status == 200
        t0 = time.monotonic()
        assert c.until_closed(4), "idle h2 connection still open"
        assert 0.8 <= time.monotonic() - t0 <= 3
        assert c.terminated == h2.errors.ErrorCodes.NO_ERROR


def test_active_connection_outlives_keepalive_timeout(quick, ca):
    with H2Conn(quick.tls_port, ca) as c:
        for _ in range(8):  # 1.6 s of requests, each well within the timeout
            assert c.get("/news/").status == 200
            time.sleep(0.2)
        assert c.terminated is None and not c.closed


def test_zero_window_stall_closed_by_send_timeout(quick, ca):
    # The client opens no window for responses: nothing can be sent, so send_timeout ends it.
    with H2Conn(quick.tls_port, ca, settings={h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 0}) as c:
        sid = c.request("GET", "/big.bin")
        t0 = time.monotonic()
        assert c.until_closed(5), "stalled h2 connection still open"
        assert 0.8 <= time.monotonic() - t0 <= 4
        assert c.resp[sid].status == 200 and not c.resp[sid].ended
    with H2Conn(quick.tls_port, ca) as c:  # others are served
        assert c.get("/big.bin").body == BIG


def test_reload_keeps_open_h2_connections(tmp_path_factory, ca):
    c = start_h2_cluster(tmp_path_factory, ca, "h2-reload")
    try:
        with H2Conn(c.tls_port, ca) as conn:
            assert conn.get("/", host="new-name.test.gov.cn").status == 200  # the portal
            spec = dict(BASE_SITES["xian"])
            spec["aliases"] = ["new-name.test.gov.cn"]
            spec["extra"] = c.site_tls("xian")
            c.write_site("xian", **spec)
            c.hup_and_wait()
            # The same connection: new streams see the new configuration.
            r = conn.get("/page.html?a=1", host="new-name.test.gov.cn")
            assert r.status == 301 and r.header("location") == \
                f"https://{XIAN_HOST}/page.html?a=1", r
            assert conn.get("/xian/page.html").status == 200
            assert conn.terminated is None and not conn.closed
    finally:
        c.stop()


def test_shutdown_finishes_streams_in_flight_with_goaway(tmp_path_factory, ca):
    c = start_h2_cluster(tmp_path_factory, ca, "h2-stop")
    out = c.root / "big.out"
    # curl reads slowly (1 MiB at 400 KB/s): the stream is in flight when SIGTERM comes.
    p = subprocess.Popen(
        ["curl", "-sS", "--http2", "--cacert", str(ca.crt), "--limit-rate", "400k", "-o", str(out),
         "-w", "%{http_version} %{http_code} %{size_download}",
         "--resolve", f"{PORTAL_HOST}:{c.tls_port}:127.0.0.1",
         f"https://{PORTAL_HOST}:{c.tls_port}/big.bin"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert wait_for(lambda: out.exists() and out.stat().st_size > 0, timeout=5)
        c.signal(signal.SIGTERM)
        so, se = p.communicate(timeout=15)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 0, se
    assert so.decode() == f"2 200 {len(BIG)}", so
    assert out.read_bytes() == BIG
    assert c.proc.wait(timeout=10) == 0
    c.stop()


# ---------------------------------------------------------------------------------------
# The http2: keys
# ---------------------------------------------------------------------------------------

def test_configured_limits_are_advertised_and_enforced(quick, ca):
    with H2Conn(quick.tls_port, ca) as c:
        c.get("/")
        s = c.server_settings
        assert s.get(h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS) == 16, s
        assert s.get(h2.settings.SettingCodes.INITIAL_WINDOW_SIZE) == 256 << 10, s
        assert s.get(h2.settings.SettingCodes.MAX_HEADER_LIST_SIZE) == 4 << 10, s
        # A header list over max_header_list: 431 for that request, the connection goes on.
        r = c.get("/", headers={"x-big": "a" * 5000})
        assert r.status == 431 and c.terminated is None, r
        assert c.get("/").status == 200


def config_errors(tmp_path, http2_block):
    from conftest import JIYUE, DIAG_RE, Cluster, run
    tree = Cluster(tmp_path / "tree")
    tree.conf.write_text(tree.conf.read_text() + http2_block)
    r = run([JIYUE, "-t", "-c", tree.conf], timeout=15)
    err = r.stderr.decode(errors="replace")
    lines = tree.conf.read_text().splitlines()
    return r.returncode, err, [(lines[int(d.group("line")) - 1].strip(), d.group("msg"))
                               for d in DIAG_RE.finditer(err) if "root" not in d.group("msg")]


def test_http2_keys_validated_by_jiyue_t(tmp_path):
    code, err, diags = config_errors(tmp_path, "http2:\n  max_concurrent_streams: 100\n"
                                               "  initial_window: 64KiB\n  max_header_list: 32KiB\n")
    assert code == 0 and diags == [], err


@pytest.mark.parametrize("line,word", [
    ("  max_concurrent_streams: 0", "max_concurrent_streams"),
    ("  max_concurrent_streams: 5000", "max_concurrent_streams"),
    ("  initial_window: 1KiB", "initial_window"),
    ("  initial_window: 1GiB", "initial_window"),
    ("  max_header_list: 100", "max_header_list"),
    ("  max_header_list: 64MiB", "max_header_list"),
    ("  max_header_list: lots", "max_header_list"),
    ("  max_streams: 10", "max_streams"),
])
def test_http2_bad_values_refused_at_their_line(tmp_path, line, word):
    code, err, diags = config_errors(tmp_path, "http2:\n" + line + "\n")
    assert code == 1, err
    assert [d for d in diags if d[0] == line.strip() and word in d[1]], err


# ---------------------------------------------------------------------------------------
# Floods: each ends the attacking connection with GOAWAY, another one carries on
# ---------------------------------------------------------------------------------------

import hpack  # noqa: E402  (python3-hpack, a dependency of python3-h2)
import struct  # noqa: E402

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
T_DATA, T_HEADERS, T_RST, T_SETTINGS, T_PING, T_GOAWAY, T_CONT = 0, 1, 3, 4, 6, 7, 9
F_END_STREAM, F_END_HEADERS = 0x1, 0x4
ENHANCE_YOUR_CALM = 0xB


def frame(ftype, flags, sid, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + struct.pack(">I", sid) + payload


class RawH2(TlsConn):
    """Frames written by hand (python3-h2 refuses to send most of these floods); the socket
    and its closing are conftest's RawConn (via TlsConn)."""

    def __init__(self, port, ca, timeout=5):
        super().__init__(port, PORTAL_HOST, client_ctx(ca, alpn=["h2"]), timeout=timeout)
        assert self.sock.selected_alpn_protocol() == "h2"
        self.enc = hpack.Encoder()
        self.send(PREFACE + frame(T_SETTINGS, 0, 0))

    def send(self, data):
        try:
            super().send(data)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass

    def block(self, path="/", extra=()):
        return self.enc.encode([(":method", "GET"), (":path", path), (":scheme", "https"),
                                (":authority", PORTAL_HOST), *extra])

    def types_until_data(self, timeout=5):
        """Reads frames until a DATA frame has come (or timeout); the set of frame types seen."""
        seen = set()
        deadline = time.monotonic() + timeout
        while T_DATA not in seen and time.monotonic() < deadline:
            self.sock.settimeout(1)
            self.buf += self.sock.recv(65536)
            while len(self.buf) >= 9 and len(self.buf) >= 9 + int.from_bytes(self.buf[:3], "big"):
                seen.add(self.buf[3])
                self.buf = self.buf[9 + int.from_bytes(self.buf[:3], "big"):]
        return seen

    def goaway(self, timeout=10):
        """Reads frames until GOAWAY (returns its error code) or EOF (None)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            while len(self.buf) >= 9:
                n = int.from_bytes(self.buf[:3], "big")
                if len(self.buf) < 9 + n:
                    break
                ftype, payload = self.buf[3], self.buf[9:9 + n]
                self.buf = self.buf[9 + n:]
                if ftype == T_GOAWAY:
                    return struct.unpack(">I", payload[4:8])[0]
            self.sock.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                chunk = self.sock.recv(65536)
            except (ConnectionResetError, ssl.SSLError, socket.timeout):
                return None
            if not chunk:
                return None
            self.buf += chunk
        return None


@pytest.fixture
def bystander(hc, ca):
    """A connection open during the attack; it must still be served afterwards."""
    with H2Conn(hc.tls_port, ca) as c:
        assert c.get("/").status == 200
        yield c
        assert c.get("/news/").status == 200 and c.terminated is None


def test_rapid_reset_closes_the_connection(hc, ca, bystander):
    with RawH2(hc.tls_port, ca) as a:
        data = b""
        for i in range(1, 2 * 600, 2):  # 600 streams opened and cancelled at once
            data += frame(T_HEADERS, F_END_HEADERS | F_END_STREAM, i, a.block())
            data += frame(T_RST, 0, i, struct.pack(">I", 8))  # CANCEL
        a.send(data)
        code = a.goaway()
    assert code == ENHANCE_YOUR_CALM, code


def test_a_few_resets_are_fine(hc, ca):
    with H2Conn(hc.tls_port, ca) as c:
        for _ in range(50):  # a browser leaving a page cancels what it still loads
            sid = c.request("GET", "/big.bin")
            c.conn.reset_stream(sid, 8)
            c.flush()
            c.resp.pop(sid)
        assert c.get("/").status == 200 and c.terminated is None


def test_continuation_flood_closes_the_connection(hc, ca, bystander):
    with RawH2(hc.tls_port, ca) as a:
        blk = a.block(extra=[("x-long", "v" * 400)])
        data = frame(T_HEADERS, F_END_STREAM, 1, blk[:1])
        for i in range(1, len(blk)):  # one byte per CONTINUATION: hundreds of frames
            data += frame(T_CONT, F_END_HEADERS if i == len(blk) - 1 else 0, 1, blk[i:i + 1])
        a.send(data)
        assert a.goaway() == ENHANCE_YOUR_CALM


@pytest.mark.parametrize("kind", ["settings", "ping"])
def test_control_frame_flood_closes_the_connection(hc, ca, bystander, kind):
    with RawH2(hc.tls_port, ca) as a:
        one = frame(T_SETTINGS, 0, 0) if kind == "settings" else frame(T_PING, 0, 0, b"12345678")
        for _ in range(5):  # 500 frames in five writes, reading between them
            a.send(one * 100)
            time.sleep(0.02)
        assert a.goaway() == ENHANCE_YOUR_CALM


def test_a_few_pings_are_fine(hc, ca):
    with RawH2(hc.tls_port, ca) as a:
        a.send(frame(T_PING, 0, 0, b"12345678") * 20 +
               frame(T_HEADERS, F_END_HEADERS | F_END_STREAM, 1, a.block()))
        seen = a.types_until_data()
        assert T_DATA in seen and T_GOAWAY not in seen, seen


def test_hpack_bomb_closes_the_connection(hc, ca, bystander):
    with RawH2(hc.tls_port, ca) as a:
        # One 4000-byte field in the dynamic table, then referenced by index 30 times: a few
        # bytes on the wire for 120 KB of header list (the limit is 16 KiB).
        blk = a.block(extra=[("x-bomb", "a" * 4000)] * 30)
        assert len(blk) < 6000
        a.send(frame(T_HEADERS, F_END_HEADERS | F_END_STREAM, 1, blk))
        assert a.goaway() == ENHANCE_YOUR_CALM


def test_client_gone_while_its_post_is_deferred(hc, ca):
    # The message is committed by the writer thread while the connection is already
    # closed: the stream's answer is dropped, the connection freed once (the sanitizer
    # build checks), the message kept, and the server goes on.
    with H2Conn(hc.tls_port, ca) as c:
        r = c.get("/hudong/new")
        tok = re.search(rb'name="token" value="([^"]+)"', r.body).group(1).decode()
        nonce = re.match(r"jiyue_form=([0-9a-f]{32});", r.header("set-cookie")).group(1)
        form = urllib.parse.urlencode({"title": "连接已断开", "body": "内容。", "name": "王五",
                                       "phone": "13812345678", "token": tok}).encode()
        c.request("POST", "/hudong/", body=form, headers={
            "content-type": "application/x-www-form-urlencoded", "cookie": f"jiyue_form={nonce}"})
        c.sock.close()

    def stored():
        r = hc.ctl("messages", "portal")
        return r.returncode == 0 and "连接已断开" in r.stdout.decode()
    assert wait_for(stored, timeout=5)
    assert h2_fetch(hc, ca, "GET", "/").status == 200


def test_request_pipelined_behind_a_deferred_post_over_tls(hc, ca):
    # HTTP/1.1 over TLS: the message POST (answered by the writer thread) and a GET behind
    # it, each its own TLS record, arrive in one segment. The GET's record waits, still
    # encrypted, while the POST is deferred; once the 303 is out it is read and answered
    # without the client sending anything more.
    status, hdrs, body = fetch("h1", hc, ca, "GET", "/hudong/new")
    tok = re.search(rb'name="token" value="([^"]+)"', body).group(1).decode()
    cookie = re.match(r"jiyue_form=([0-9a-f]{32});", hdrs["set-cookie"]).group(1)
    form = urllib.parse.urlencode({"title": "排在后面的请求", "body": "内容。", "name": "赵六",
                                   "phone": "13812345678", "token": tok}).encode()
    with hc.tls_conn(PORTAL_HOST, ctx=hc.ctx(alpn=["http/1.1"])) as c:
        c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
        c.send_request("POST", "/hudong/", {
            "Host": PORTAL_HOST, "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"jiyue_form={cookie}", "Origin": f"https://{PORTAL_HOST}",
            "Content-Length": str(len(form))}, body=form)
        c.send_request("GET", "/", {"Host": PORTAL_HOST})
        c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 0)
        first = c.read_response()
        assert first.status == 303, first.body[:300]
        second = c.read_response()
        assert second.status == 200 and b"PORTAL-HOME" in second.body


@pytest.mark.parametrize("method,path,status", [
    ("GET", "/xian/zhen/", 200),          # the suspension notice on the home page
    ("GET", "/xian/zhen/page.html", 503),  # every other URL: the notice, Retry-After
    ("HEAD", "/xian/zhen/page.html", 503),
])
def test_suspended_site_same_over_h1_and_h2(quick, ca, method, path, status):
    a = h1_fetch(quick, method, path)
    b = h2_fetch(quick, ca, method, path)
    assert a.status == b.status == status, (a, b)
    assert a.body == b.body and ("网站整改中" in b.body.decode() or method == "HEAD")
    ha, hb = comparable(a, b)
    assert ha == hb
    if status == 503:
        assert b.header("retry-after"), b


def test_response_bodies_held_per_connection_are_bounded(hc, ca):
    # With no window open, nothing can be sent: the server answers streams only while it
    # holds less than 4 MiB of response bodies for the connection (1 MiB each here), the
    # others wait, and all are answered, whole, once the client reads.
    with H2Conn(hc.tls_port, ca, settings={h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 0}) as c:
        sids = [c.request("GET", "/big.bin") for _ in range(12)]
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            try:
                c.pump(0.2)
            except socket.timeout:
                pass
        headed = [s for s in sids if c.resp[s].headers]
        assert len(headed) == 4, len(headed)
        c.conn.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 1 << 20})
        c.flush()
        got = c.wait(sids, timeout=20)
        assert all(r.status == 200 and r.body == BIG for r in got)


# ---------------------------------------------------------------------------------------
# DATA frames without nghttp2's copy: from the store's map under a held read transaction
# ---------------------------------------------------------------------------------------

BIG2 = bytes(reversed(BIG))  # the same size, other bytes: a later import of big.bin


@pytest.fixture(scope="module")
def zc(tmp_path_factory, ca):
    """One worker (so a held transaction and the requests after it meet in one loop), a
    management listener for /metrics, and a short body timeout (item: body_timeout)."""
    admin = free_port()
    c = start_h2_cluster(tmp_path_factory, ca, "h2-zc", workers=1,
                         limits={"body_timeout": "1s", "send_timeout": "3s"},
                         extra_conf=f'admin:\n  listen: ["127.0.0.1:{admin}"]\n')
    c.admin_port = admin
    yield c
    c.stop()


def data_bytes(c):
    """jiyue_http2_data_bytes_total by source, from /metrics."""
    got = {smp.labels["source"]: int(smp.value) for smp in metric_samples(c.admin_port)
           if smp.name == "jiyue_http2_data_bytes_total"}
    assert set(got) == {"map", "buffer"}, got
    return got


def delta_of(c, fn):
    before = data_bytes(c)
    out = fn()
    after = data_bytes(c)
    return out, after["map"] - before["map"], after["buffer"] - before["buffer"]


@pytest.mark.parametrize("what", ["big", "page", "gzip", "range", "head", "304", "error"])
def test_data_bytes_by_source(zc, ca, what):
    # Stored values are framed from the map; bodies made for the request (an error page)
    # from the stream's one copy; a HEAD or a 304 frames nothing. Exact byte counts.
    with H2Conn(zc.tls_port, ca) as c:
        etag = c.get("/style.css").header("etag")
        req = {"big": ("GET", "/big.bin", {}), "page": ("GET", "/", {}),
               "gzip": ("GET", "/app.js", {"accept-encoding": "gzip"}),
               "range": ("GET", "/big.txt", {"range": "bytes=10-99"}),
               "head": ("HEAD", "/big.bin", {}),
               "304": ("GET", "/style.css", {"if-none-match": etag}),
               "error": ("DELETE", "/", {})}[what]
        r, from_map, from_buf = delta_of(zc, lambda: c.get(req[1], req[0], headers=req[2]))
    assert r.ended, r
    n = len(r.body)
    want = {"big": (200, len(BIG), 0), "page": (200, n, 0), "gzip": (200, n, 0),
            "range": (206, 90, 0), "head": (200, 0, 0), "304": (304, 0, 0),
            "error": (405, 0, n)}[what]
    assert (r.status, from_map, from_buf) == want, (r, from_map, from_buf)
    assert n == (0 if what in ("head", "304") else int(r.header("content-length")))
    if what == "big":
        assert r.body == BIG
    if what == "gzip":
        assert r.header("content-encoding") == "gzip" and n > 0
    if what == "error":
        assert n > 0


def test_small_window_then_window_update_gives_exact_bytes(zc, ca):
    # The client's window is 5000 bytes: the server sends that much and waits (its read
    # transaction held across loop turns), then the rest once the client opens it.
    with H2Conn(zc.tls_port, ca, auto_ack=False,
                settings={h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 5000}) as c:
        sid = c.request("GET", "/big.bin")
        deadline = time.monotonic() + 0.5
        while time.monotonic() < deadline and len(c.resp[sid].body) < 5000:
            c.pump(0.5)
        time.sleep(0.1)
        try:
            c.pump(0.1)
        except socket.timeout:
            pass
        assert len(c.resp[sid].body) == 5000 and not c.resp[sid].ended, c.resp[sid]
        c.conn.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 1 << 20})
        c.ack_all()
        r = c.wait([sid], timeout=10)[0]
        assert r.body == BIG


def test_reset_mid_body_and_dead_connection_release_the_map(zc, ca):
    # A stream reset halfway and a connection dropped halfway: the bodies they held are let
    # go (under ASan: no leak, no use after free), and the next answers are whole.
    with H2Conn(zc.tls_port, ca, auto_ack=False,
                settings={h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 20000}) as c:
        sid = c.request("GET", "/big.bin")
        other = c.request("GET", "/big.bin")
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline and len(c.resp[sid].body) < 20000:
            c.pump(1)
        c.conn.reset_stream(sid, 8)  # CANCEL
        c.flush()
        c.conn.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 1 << 20})
        c.ack_all()
        assert c.wait([other], timeout=10)[0].body == BIG
        assert c.get("/big.bin").body == BIG
    gone = H2Conn(zc.tls_port, ca, settings={h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 0})
    gone.request("GET", "/big.bin")
    gone.request("GET", "/big.txt")
    time.sleep(0.2)
    gone.close()
    for _ in range(6):  # more held transactions than a worker keeps: the rest are copies
        with H2Conn(zc.tls_port, ca) as c:
            assert c.get("/big.bin").body == BIG


def test_held_body_keeps_its_snapshot_and_others_see_the_new_import(zc, ca):
    # A body waiting for the client's window still sends the bytes of the snapshot it was
    # read from after an import replaced them; requests after the import see the import.
    pages = dict(base_pages()["portal"])
    pages["big.bin"] = BIG
    with H2Conn(zc.tls_port, ca, settings={h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 0}) as a:
        sid = a.request("GET", "/big.bin")
        assert wait_for(lambda: a.pump(0.5) and a.resp[sid].headers, timeout=3), a.resp[sid]
        zc.import_pages("portal", dict(pages, **{"big.bin": BIG2, "fresh.html": b"FRESH"}))
        with H2Conn(zc.tls_port, ca) as b:
            assert wait_for(lambda: b.get("/fresh.html").status == 200, timeout=5)
            assert b.get("/big.bin").body == BIG2
        a.conn.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 1 << 20})
        a.flush()
        assert a.wait([sid], timeout=10)[0].body == BIG
    zc.import_pages("portal", pages)  # as the other tests expect it


# ---------------------------------------------------------------------------------------
# limits.body_timeout per stream (zc: 1s)
# ---------------------------------------------------------------------------------------

FORM_HDRS = [(":method", "POST"), (":path", "/hudong/"), (":scheme", "https"),
             (":authority", PORTAL_HOST), ("content-type", "application/x-www-form-urlencoded")]


def test_stalled_body_gets_408_and_other_streams_carry_on(zc, ca):
    with H2Conn(zc.tls_port, ca) as c:
        sid = c.conn.get_next_available_stream_id()
        c.conn.send_headers(sid, FORM_HDRS)
        c.conn.send_data(sid, b"title=x&bo")  # then nothing more
        c.flush()
        c.resp[sid] = H2Resp()
        t0 = time.monotonic()
        assert c.get("/").status == 200  # the connection serves others meanwhile
        r = c.wait([sid], timeout=5)[0]
        took = time.monotonic() - t0
        assert r.status == 408 and r.ended, r
        assert 0.8 <= took <= 3, took
        assert c.terminated is None and not c.closed
        assert c.get("/big.txt").status == 200  # and afterwards


def test_body_that_keeps_coming_is_not_cut(zc, ca):
    # Pauses shorter than body_timeout, 1.6 s in all: the request is answered as usual
    # (the form without its token: 403, or 400), not 408.
    with H2Conn(zc.tls_port, ca) as c:
        sid = c.conn.get_next_available_stream_id()
        c.conn.send_headers(sid, FORM_HDRS)
        c.flush()
        c.resp[sid] = H2Resp()
        for part in (b"title=x", b"&body=y", b"&name=z", b"&phone=1"):
            time.sleep(0.4)
            c.conn.send_data(sid, part)
            c.flush()
        c.conn.send_data(sid, b"", end_stream=True)
        c.flush()
        r = c.wait([sid], timeout=5)[0]
        assert r.status in (400, 403), r


def test_held_transactions_per_worker_are_bounded(zc, ca):
    # Six connections, each a 1 MiB body waiting for a window that is not open, each taken
    # in its own loop turn: the worker holds 4 read transactions for them (each an LMDB
    # reader slot) and copies the other two bodies; all six arrive whole.
    conns = []
    try:
        before = data_bytes(zc)
        for _ in range(6):
            c = H2Conn(zc.tls_port, ca, settings={h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 0})
            conns.append((c, c.request("GET", "/big.bin")))
            assert wait_for(lambda: c.pump(0.5) and c.resp[conns[-1][1]].headers, timeout=3)
        for c, sid in conns:
            c.conn.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 1 << 20})
            c.flush()
        for c, sid in conns:
            assert c.wait([sid], timeout=10)[0].body == BIG
        after = data_bytes(zc)
        assert after["map"] - before["map"] == 4 * len(BIG), (before, after)
        assert after["buffer"] - before["buffer"] == 2 * len(BIG), (before, after)
    finally:
        for c, _ in conns:
            c.close()


def test_each_data_frame_is_one_tls_record(zc, ca):
    # The client reads the ciphertext itself, one TLS record at a time: no DATA frame of a
    # 1 MiB body straddles two records (its header and payload were encrypted together).
    ctx = client_ctx(ca, alpn=["h2"])
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(inc, out, server_hostname=PORTAL_HOST)
    sock = socket.create_connection(("127.0.0.1", zc.tls_port), timeout=5)
    try:
        def pump_out():
            data = out.read()
            if data:
                sock.sendall(data)
        deadline = time.monotonic() + 5
        while True:
            try:
                tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                pump_out()
                assert time.monotonic() < deadline
                inc.write(sock.recv(65536))
        pump_out()
        enc = hpack.Encoder()
        settings = struct.pack(">HI", 4, 1 << 24)  # INITIAL_WINDOW_SIZE
        req = enc.encode([(":method", "GET"), (":path", "/big.bin"), (":scheme", "https"),
                          (":authority", PORTAL_HOST)])
        tls.write(PREFACE + frame(T_SETTINGS, 0, 0, settings) +
                  frame(8, 0, 0, struct.pack(">I", 1 << 24)) +  # WINDOW_UPDATE
                  frame(T_HEADERS, F_END_HEADERS | F_END_STREAM, 1, req))
        pump_out()
        raw, frames_left, in_data, body, straddled, data_frames = b"", 0, False, b"", 0, 0
        ended = False
        while not ended:
            assert time.monotonic() < deadline + 10, (len(body), data_frames)
            while len(raw) < 5 or len(raw) < 5 + int.from_bytes(raw[3:5], "big"):
                chunk = sock.recv(65536)
                assert chunk, "server closed"
                raw += chunk
            n = 5 + int.from_bytes(raw[3:5], "big")
            inc.write(raw[:n])
            raw = raw[n:]
            plain = b""
            while True:
                try:
                    plain += tls.read(65536)
                except ssl.SSLWantReadError:
                    break
            if plain and frames_left and in_data:
                straddled += 1  # this record begins inside a DATA frame
            pos = 0
            while pos < len(plain):  # walk the frames through this record
                if frames_left == 0:
                    hdr = plain[pos:pos + 9]
                    assert len(hdr) == 9, "a frame header split across records"
                    frames_left = int.from_bytes(hdr[:3], "big")
                    in_data = hdr[3] == T_DATA and int.from_bytes(hdr[5:9], "big") == 1
                    ended_here = in_data and hdr[4] & F_END_STREAM
                    data_frames += in_data
                    pos += 9
                    if frames_left == 0:
                        ended = ended or bool(ended_here)
                        continue
                take = min(frames_left, len(plain) - pos)
                if in_data:
                    body += plain[pos:pos + take]
                frames_left -= take
                pos += take
                if frames_left == 0 and in_data and ended_here:
                    ended = True
        assert body == BIG
        assert data_frames >= 64 and straddled == 0, (data_frames, straddled)
    finally:
        sock.close()


# ---------------------------------------------------------------------------------------
# RFC 9218 priorities: the `priority` field and PRIORITY_UPDATE order the DATA frames
# ---------------------------------------------------------------------------------------

NO_RFC7540_PRIORITIES = 0x9
T_PRIORITY_UPDATE = 0x10


def test_server_settings_announce_rfc9218_priorities(hc, ca):
    # In the server's first SETTINGS frame (RFC 9218 2.1: the value must not change after
    # it; Chromium ends a connection whose later SETTINGS change it), beside the others.
    with RawH2(hc.tls_port, ca) as a:
        deadline = time.monotonic() + 5
        while len(a.buf) < 9 or len(a.buf) < 9 + int.from_bytes(a.buf[:3], "big"):
            assert time.monotonic() < deadline, a.buf
            a.sock.settimeout(1)
            a.buf += a.sock.recv(65536)
        n = int.from_bytes(a.buf[:3], "big")
        assert a.buf[3] == T_SETTINGS and a.buf[4] == 0, a.buf[:9]
        entries = dict(struct.unpack(">HI", a.buf[9 + i:15 + i]) for i in range(0, n, 6))
    assert entries.get(NO_RFC7540_PRIORITIES) == 1, entries
    assert entries.get(3) == 128 and entries.get(2) == 0, entries  # MAX_CONCURRENT, PUSH


def priority_update(sid, value):
    """A PRIORITY_UPDATE frame (RFC 9218 7.1) for stream `sid`: python3-h2 has no call for
    it, so it is written by hand and sent after h2's own bytes."""
    return frame(T_PRIORITY_UPDATE, 0, 0, struct.pack(">I", sid) + value)


def data_order(hc, ca, first, second, before_windows=b""):
    """Two requests for big.bin (1 MiB each) on a connection whose stream windows are
    shut: both HEADERS come, no DATA. Then `before_windows` (raw frames) and WINDOW_UPDATEs
    opening both streams and the connection for the whole of both bodies, in one write, so
    the server sees every signal before it may send anything. Returns the two stream ids
    and the stream of each DATA frame in the order they arrived."""
    with H2Conn(hc.tls_port, ca, auto_ack=False,
                settings={h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 0}) as c:
        a = c.request("GET", "/big.bin", headers=first)
        b = c.request("GET", "/big.bin", headers=second)
        deadline = time.monotonic() + 5
        while not (c.resp[a].headers and c.resp[b].headers):
            assert time.monotonic() < deadline, c.resp
            c.pump(1)
        assert c.data_order == [], c.data_order
        for sid in (a, b):
            c.conn.increment_flow_control_window(2 * len(BIG), stream_id=sid)
        c.conn.increment_flow_control_window(4 * len(BIG))
        c.send(before_windows + c.conn.data_to_send())
        got = c.wait([a, b], timeout=10)
        assert all(r.status == 200 and r.body == BIG for r in got), got
        return a, b, c.data_order


def whole_first(order, first, then):
    """Every DATA frame of `first` before any of `then`, and both sent."""
    n = order.count(first)
    return n >= 64 and order[:n] == [first] * n and order[n:] == [then] * (len(order) - n)


def test_more_urgent_response_is_sent_whole_first(hc, ca):
    # RFC 9218: urgency 0 before 5, whatever the order of the requests. Under the RFC 7540
    # tree both streams had weight 16 and their frames alternated.
    a, b, order = data_order(hc, ca, {"priority": "u=5"}, {"priority": "u=0"})
    assert whole_first(order, b, a), order


@pytest.mark.parametrize("value", ["u=9", "u=abc", "i=?5", "u=-1", "u=1;;", ""])
def test_malformed_priority_is_ignored(hc, ca, value):
    # Served whole (200), never reset, with the default urgency 3: before the u=4 stream
    # asked after it (a parser clamping "u=9" to 7 would send it last).
    a, b, order = data_order(hc, ca, {"priority": value}, {"priority": "u=4"})
    assert whole_first(order, a, b), order


def test_malformed_priority_alone_is_served(hc, ca):
    with H2Conn(hc.tls_port, ca) as c:
        for value in ("u=9", "u=abc", "i=?5", "u=" + "9" * 200):
            r = c.get("/", headers={"priority": value})
            assert r.status == 200 and b"PORTAL-HOME" in r.body and r.ended, (value, r)
        assert c.terminated is None


def test_priority_update_raises_an_open_stream(hc, ca):
    # The second stream asked for u=5, behind the first (default 3); a PRIORITY_UPDATE
    # raises it to 1 while both wait for their windows: it is sent whole first.
    a, b, order = data_order(hc, ca, {}, {"priority": "u=5"},
                             before_windows=priority_update(3, b"u=1"))
    assert (a, b) == (1, 3)
    assert whole_first(order, b, a), order


def test_priority_update_burst_is_harmless(hc, ca, bystander):
    # 20000 PRIORITY_UPDATE frames moving a waiting stream between urgencies, with malformed
    # and oversized values among them: each is a queue move with nothing sent back, so the
    # connection goes on, and the last value counts: u=5, behind the u=4 stream (had the
    # frames been dropped, the first stream would keep urgency 3 and go first).
    burst = b"".join(priority_update(1, b"u=%d" % (i % 8)) + priority_update(1, b"u=x") +
                     priority_update(1, b"u=7, i" + b" " * 40) for i in range(6667))
    a, b, order = data_order(hc, ca, {}, {"priority": "u=4"},
                             before_windows=burst + priority_update(1, b"u=5"))
    assert whole_first(order, b, a), order


def test_priority_updates_for_idle_streams_are_bounded(hc, ca, bystander):
    # Each PRIORITY_UPDATE naming a stream not yet opened makes nghttp2 keep that idle
    # stream (at most 100 between two reads); past http2.max_concurrent_streams (128) of
    # them in one read, once the client has acknowledged the server's SETTINGS, the
    # connection ends with GOAWAY PROTOCOL_ERROR; other connections are not touched.
    with RawH2(hc.tls_port, ca) as a:
        a.send(frame(T_SETTINGS, 1, 0) +  # the ACK: the server's limits now apply
               b"".join(priority_update(sid, b"u=1") for sid in range(1, 2 * 200, 2)))
        assert a.goaway() == 1  # PROTOCOL_ERROR
    with RawH2(hc.tls_port, ca) as a:  # fewer are fine
        a.send(frame(T_SETTINGS, 1, 0) +
               b"".join(priority_update(sid, b"u=1") for sid in range(1, 2 * 100, 2)) +
               frame(T_HEADERS, F_END_HEADERS | F_END_STREAM, 1, a.block()))
        seen = a.types_until_data()
        assert T_DATA in seen and T_GOAWAY not in seen, seen


@pytest.mark.parametrize("value", ["u=2", "u=2, i"])
def test_same_urgency_in_request_order_or_in_turn(hc, ca, value):
    # One urgency: non-incremental responses one after another in request order (the second
    # stream is not started before the first is whole); incremental ones take turns.
    a, b, order = data_order(hc, ca, {"priority": value}, {"priority": value})
    if value.endswith("i"):
        first_b = order.index(b)
        assert first_b <= 2 and order[:20].count(a) >= 8, order
    else:
        assert whole_first(order, a, b), order


def answer_order(hc, ca, waiting, updates=()):
    """Four requests for big.bin (1 MiB each) on a connection whose stream windows are shut
    spend its 4 MiB response budget: their HEADERS come, no DATA. Then one request for
    big.bin per entry of `waiting` (its `priority` field, none when empty), which waits for
    the budget; then a PRIORITY_UPDATE per (index in `waiting`, value) of `updates` and the
    windows opened, in one write. Returns the indexes of `waiting` in the order their
    HEADERS came (each answered as the budget frees 1 MiB)."""
    with H2Conn(hc.tls_port, ca, settings={h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 0}) as c:
        spent = [c.request("GET", "/big.bin") for _ in range(4)]
        deadline = time.monotonic() + 5
        while not all(c.resp[s].headers for s in spent):
            assert time.monotonic() < deadline, c.resp
            c.pump(1)
        sids = [c.request("GET", "/big.bin", headers={"priority": v} if v else {})
                for v in waiting]
        c.conn.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 1 << 20})
        c.send(b"".join(priority_update(sids[i], v) for i, v in updates) + c.conn.data_to_send())
        got = c.wait(spent + sids, timeout=20)
        assert all(r.status == 200 and r.body == BIG for r in got), got
        assert c.head_order[:4] == spent, c.head_order
        return [sids.index(s) for s in c.head_order[4:]]


@pytest.mark.parametrize("waiting, order", [
    (["u=5", "u=1"], [1, 0]),  # the newer, more urgent, first
    (["u=1", "u=5", "u=1"], [0, 2, 1]),  # one urgency: in request order
    (["", "u=7, i", "u=2", ""], [2, 0, 3, 1]),  # no field: 3
    (["u=4", "u=9", "u=abc, u=0"], [1, 2, 0]),  # unparsable: 3 (not 7, not 0)
])
def test_waiting_streams_are_answered_most_urgent_first(hc, ca, waiting, order):
    # Streams waiting for the response budget are answered by their `priority` field's
    # urgency, lowest first, and within one urgency in request order. Before, the oldest
    # went first, whatever its urgency.
    assert answer_order(hc, ca, waiting) == order


@pytest.mark.parametrize("waiting, updates, order", [
    # The older stream raised above the newer: first (had the update been missed, the
    # newer stream's u=1 would win).
    (["u=5", "u=1"], [(0, b"u=0")], [0, 1]),
    # The newest raised to 0 goes first; "i" alone means urgency 3 (5 -> 3); an update
    # that does not parse ("u=9") leaves the oldest at the 4 the one before gave it.
    (["u=6", "u=5", "u=7"], [(0, b"u=4"), (0, b"u=9"), (1, b"i"), (2, b"u=0")], [2, 1, 0]),
])
def test_priority_update_reorders_waiting_streams(hc, ca, waiting, updates, order):
    assert answer_order(hc, ca, waiting, updates) == order
