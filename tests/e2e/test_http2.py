# tests/e2e/test_http2.py: HTTP/2 over TLS (ALPN "h2", core/http2.c) end to end. The
# routing, serving and header cases of the HTTP/1.1 tests are asked over both protocols
# and must agree apart from framing; many streams share one connection the way a browser
# loads a page; curl --http2 and nghttp (nghttp2-client) as real clients; python3-h2
# (Debian's) for frame-level control. Every wait is bounded.
import collections
import re
import shutil
import socket
import ssl
import subprocess
import time

import pytest

h2 = pytest.importorskip("h2")
import h2.config  # noqa: E402
import h2.connection  # noqa: E402
import h2.events  # noqa: E402
import h2.exceptions  # noqa: E402

from conftest import (EDU_ALIAS, EDU_HOST, PORTAL_HOST, XIAN_HOST, read_text,  # noqa: E402
                      wait_for)
from test_tls import BIG, CA, TlsCluster, client_ctx, start_tls_cluster  # noqa: E402


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    return CA(tmp_path_factory.mktemp("h2-ca"))


@pytest.fixture(scope="module")
def hc(tmp_path_factory, ca):
    c = start_tls_cluster(tmp_path_factory, ca, "h2")
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


class H2Conn:
    """One h2 connection over TLS driven by python3-h2 (the client side of the library)."""

    def __init__(self, port, ca, host=PORTAL_HOST, timeout=5, settings=None):
        ctx = client_ctx(ca, alpn=["h2", "http/1.1"])
        raw = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock = ctx.wrap_socket(raw, server_hostname=host)
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

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def flush(self):
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def request(self, method, path, host=None, headers=None, body=None):
        sid = self.conn.get_next_available_stream_id()
        hdrs = [(":method", method), (":path", path), (":scheme", "https"),
                (":authority", host or self.host)]
        hdrs += [(k.lower(), v) for k, v in (headers or {}).items()]
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
            elif isinstance(ev, h2.events.DataReceived):
                self.resp[ev.stream_id].body += ev.data
                self.conn.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
            elif isinstance(ev, h2.events.StreamEnded):
                self.resp[ev.stream_id].ended = True
            elif isinstance(ev, h2.events.StreamReset):
                self.resp.setdefault(ev.stream_id, H2Resp()).reset = ev.error_code
            elif isinstance(ev, h2.events.ConnectionTerminated):
                self.terminated = ev.error_code
            elif isinstance(ev, h2.events.RemoteSettingsChanged):
                for k, v in ev.changed_settings.items():
                    self.server_settings[k] = v.new_value
        try:
            self.flush()
        except OSError:
            pass
        return True

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
        hdrs = {"Host": host}
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
            c.request("GET", "/big.txt")
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
    assert wait_for(lambda: "h1-log-marker" in read_text(hc.access_log), timeout=5)
    log = read_text(hc.access_log)
    assert re.search(r'"GET /h2-log-marker\?x=1 HTTP/2\.0" 404 \d+ ', log), log[-2000:]
    assert re.search(r'"GET /h1-log-marker HTTP/1\.1" 404 \d+ ', log), log[-2000:]


# ---------------------------------------------------------------------------------------
# Real clients
# ---------------------------------------------------------------------------------------

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
