# tests/e2e/test_http.py: HTTP/1.1 semantics: methods, keep-alive, pipelining, HTTP/1.0,
# absolute-form, mandatory headers, validators and 304, byte ranges, stored gzip variants.
import email.utils
import http.client
import subprocess
import time

import pytest

from conftest import (BIG_TXT, CSS, EDU_HOST, PDF, PNG, PORTAL_HOST, RawConn, base_pages,
                      gunzip)

H = {"Host": PORTAL_HOST}


def test_get_has_mandatory_headers(cluster):
    r = cluster.get("/")
    assert r.status == 200
    assert r.body == base_pages()["portal"]["index.html"]
    assert r.header("Content-Length") == str(len(r.body))
    date = r.header("Date")
    assert date, r
    assert abs(email.utils.parsedate_to_datetime(date).timestamp() - time.time()) < 60
    assert date.endswith(" GMT"), date
    assert (r.header("Server") or "").split("/")[0].split(" ")[0] == "jiyue", r
    ct = r.header("Content-Type") or ""
    assert ct.split(";")[0].strip() == "text/html" and "charset=utf-8" in ct.lower().replace(" ", ""), ct
    etag = r.header("ETag")
    assert etag and etag.endswith('"') and (etag.startswith('"') or etag.startswith('W/"')), etag
    assert email.utils.parsedate_to_datetime(r.header("Last-Modified")) is not None
    assert r.header("Accept-Ranges") == "bytes"


@pytest.mark.parametrize("path,ctype,data", [
    ("/style.css", "text/css", CSS),
    ("/big.txt", "text/plain", BIG_TXT),
    ("/logo.png", "image/png", PNG),
    ("/doc.pdf", "application/pdf", PDF),
])
def test_media_types_from_extension(cluster, path, ctype, data):
    r = cluster.get(path)
    assert r.status == 200
    assert r.body == data
    ct = r.header("Content-Type")
    assert ct.split(";")[0].strip() == ctype, ct
    if ctype.startswith("text/"):
        assert "charset=" in ct.lower(), "text types carry a charset: " + ct


def test_js_has_charset(cluster):
    ct = cluster.get("/app.js").header("Content-Type")
    assert "javascript" in ct and "charset=" in ct.lower(), ct


def test_head_same_headers_no_body(cluster):
    get = cluster.get("/style.css")
    with RawConn(cluster.port) as c:
        # HEAD then GET pipelined: if HEAD sent a body, the second response would be garbage.
        c.send_request("HEAD", "/style.css", H)
        c.send_request("GET", "/", H)
        head = c.read_response(head=True)
        nxt = c.read_response()
    assert head.status == 200
    for name in ("Content-Length", "Content-Type", "ETag", "Last-Modified", "Accept-Ranges"):
        assert head.header(name) == get.header(name), name
    assert nxt.status == 200 and b"PORTAL-HOME" in nxt.body, nxt


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"])
def test_known_methods_405_with_allow(cluster, method):
    with RawConn(cluster.port) as c:
        c.send_request(method, "/", {"Host": PORTAL_HOST, "Content-Length": "0"})
        r = c.read_response()
    assert r.status == 405, r
    allow = [m.strip() for m in (r.header("Allow") or "").split(",")]
    assert sorted(allow) == ["GET", "HEAD"], r
    assert r.header("Content-Length") == str(len(r.body))


def test_connect_405(cluster):
    with RawConn(cluster.port) as c:
        c.send(f"CONNECT {PORTAL_HOST}:443 HTTP/1.1\r\nHost: {PORTAL_HOST}:443\r\n\r\n")
        r = c.read_response()
    assert r.status == 405, r
    assert sorted(m.strip() for m in r.header("Allow").split(",")) == ["GET", "HEAD"]


@pytest.mark.parametrize("method", ["BREW", "FOO", "PROPFIND"])
def test_unknown_method_501(cluster, method):
    with RawConn(cluster.port) as c:
        c.send_request(method, "/", H)
        r = c.read_response()
    assert r.status == 501, r


def test_keepalive_default_on_11(cluster):
    with RawConn(cluster.port) as c:
        for path, marker in [("/", b"PORTAL-HOME"), ("/edu/", b"EDU-HOME"), ("/xian/", b"XIAN-HOME")]:
            c.send_request("GET", path, H)
            r = c.read_response()
            assert r.status == 200 and marker in r.body
        assert not c.closed_within(0.3)


def test_connection_close_honoured(cluster):
    with RawConn(cluster.port) as c:
        c.send_request("GET", "/", {"Host": PORTAL_HOST, "Connection": "close"})
        r = c.read_response()
        assert r.status == 200
        assert "close" in (r.header("Connection") or "").lower()
        assert c.closed_within(3), "server kept the connection open after Connection: close"


def test_http10_closes_by_default(cluster):
    with RawConn(cluster.port) as c:
        c.send_request("GET", "/", H, version="HTTP/1.0")
        r = c.read_response()
        assert r.status == 200 and r.version in ("HTTP/1.1", "HTTP/1.0")
        assert c.closed_within(3), "HTTP/1.0 without keep-alive must close"


def test_http10_keepalive_when_asked(cluster):
    with RawConn(cluster.port) as c:
        c.send_request("GET", "/", {"Host": PORTAL_HOST, "Connection": "keep-alive"}, version="HTTP/1.0")
        r = c.read_response()
        assert r.status == 200
        assert "keep-alive" in (r.header("Connection") or "").lower(), r
        c.send_request("GET", "/edu/", {"Host": PORTAL_HOST, "Connection": "keep-alive"}, version="HTTP/1.0")
        r = c.read_response()
        assert r.status == 200 and b"EDU-HOME" in r.body


def test_pipelining_in_order(cluster):
    paths = [("/xian/", b"XIAN-HOME"), ("/style.css", CSS), ("/edu/", b"EDU-HOME"),
             ("/nope.html", b"PORTAL-CUSTOM-404"), ("/", b"PORTAL-HOME"), ("/xian/zhen/", b"ZHEN-HOME")] * 3
    data = b"".join(f"GET {p} HTTP/1.1\r\nHost: {PORTAL_HOST}\r\n\r\n".encode() for p, _ in paths)
    with RawConn(cluster.port) as c:
        c.send(data)
        for p, want in paths:
            r = c.read_response()
            assert want in r.body, (p, r)


def test_absolute_form_routes_by_authority(cluster):
    with RawConn(cluster.port) as c:
        c.send(f"GET http://{EDU_HOST}/page.html HTTP/1.1\r\nHost: {PORTAL_HOST}\r\n\r\n")
        r = c.read_response()
        assert r.status == 200 and b"EDU-PAGE" in r.body, r
        c.send(f"GET http://{PORTAL_HOST}/xian/zhen/ HTTP/1.1\r\nHost: {PORTAL_HOST}\r\n\r\n")
        r = c.read_response()
        assert r.status == 200 and b"ZHEN-HOME" in r.body, r


def test_http_client_roundtrip(cluster):
    conn = http.client.HTTPConnection("127.0.0.1", cluster.port, timeout=5)
    try:
        for _ in range(3):
            conn.request("GET", "/edu/", headers={"Host": PORTAL_HOST})
            r = conn.getresponse()
            body = r.read()
            assert r.status == 200 and b"EDU-HOME" in body
    finally:
        conn.close()


def test_curl(cluster):
    out = subprocess.run(["curl", "-sS", "--max-time", "5", "-o", "-", "-w", "\n%{http_code}",
                          "-H", f"Host: {EDU_HOST}", f"http://127.0.0.1:{cluster.port}/page.html"],
                         capture_output=True, timeout=10)
    assert out.returncode == 0, out.stderr
    body, _, code = out.stdout.rpartition(b"\n")
    assert code == b"200" and b"EDU-PAGE" in body


# ---------------------------------------------------------------- conditional requests

def validators(cluster, path="/style.css"):
    r = cluster.get(path)
    return r.header("ETag"), r.header("Last-Modified")


def assert_304(cluster, path, headers):
    with RawConn(cluster.port) as c:
        h = {"Host": PORTAL_HOST}
        h.update(headers)
        c.send_request("GET", path, h)
        c.send_request("GET", "/", H)  # a 304 with a body would corrupt this one
        r = c.read_response()
        nxt = c.read_response()
    assert r.status == 304, (headers, r)
    assert nxt.status == 200 and b"PORTAL-HOME" in nxt.body, "304 carried a body"
    assert r.header("ETag"), r
    return r


def test_if_none_match_exact(cluster):
    etag, _ = validators(cluster)
    assert_304(cluster, "/style.css", {"If-None-Match": etag})


def test_if_none_match_list(cluster):
    etag, _ = validators(cluster)
    assert_304(cluster, "/style.css", {"If-None-Match": f'"nope", {etag} ,"other"'})


def test_if_none_match_weak_comparison(cluster):
    etag, _ = validators(cluster)
    weak = etag if etag.startswith("W/") else "W/" + etag
    assert_304(cluster, "/style.css", {"If-None-Match": weak})


def test_if_none_match_star(cluster):
    assert_304(cluster, "/style.css", {"If-None-Match": "*"})


def test_if_none_match_mismatch_200(cluster):
    r = cluster.get("/style.css", headers={"If-None-Match": '"definitely-not-it"'})
    assert r.status == 200 and r.body == CSS


def test_if_modified_since(cluster):
    _, lm = validators(cluster)
    assert_304(cluster, "/style.css", {"If-Modified-Since": lm})


def test_if_modified_since_older_200(cluster):
    r = cluster.get("/style.css", headers={"If-Modified-Since": "Sun, 06 Nov 1994 08:49:37 GMT"})
    assert r.status == 200 and r.body == CSS


def test_if_none_match_takes_precedence_over_ims(cluster):
    # RFC 9110 13.2.2: when If-None-Match is present If-Modified-Since is ignored.
    _, lm = validators(cluster)
    r = cluster.get("/style.css", headers={"If-None-Match": '"other"', "If-Modified-Since": lm})
    assert r.status == 200 and r.body == CSS


def test_etag_differs_between_resources(cluster):
    assert validators(cluster, "/style.css")[0] != validators(cluster, "/big.txt")[0]


# ---------------------------------------------------------------- ranges

@pytest.mark.parametrize("rng,start,end", [
    ("bytes=0-99", 0, 99),
    ("bytes=-100", 900, 999),
    ("bytes=100-", 100, 999),
    ("bytes=500-500", 500, 500),
    ("bytes=990-5000", 990, 999),
])
def test_single_range_206(cluster, rng, start, end):
    r = cluster.get("/big.txt", headers={"Range": rng})
    assert r.status == 206, r
    assert r.header("Content-Range") == f"bytes {start}-{end}/{len(BIG_TXT)}", r
    assert r.body == BIG_TXT[start:end + 1]
    assert r.header("Content-Length") == str(end - start + 1)


@pytest.mark.parametrize("rng", ["bytes=1000-", "bytes=5000-6000"])
def test_unsatisfiable_range_416(cluster, rng):
    r = cluster.get("/big.txt", headers={"Range": rng})
    assert r.status == 416, r
    assert r.header("Content-Range") == f"bytes */{len(BIG_TXT)}", r


def test_multi_range_full_body_or_multipart(cluster):
    r = cluster.get("/big.txt", headers={"Range": "bytes=0-9,20-29"})
    assert r.status in (200, 206), r
    if r.status == 200:
        assert r.body == BIG_TXT
    else:
        assert r.header("Content-Type").startswith("multipart/byteranges")


def test_range_on_compressible_resource_is_identity(cluster):
    r = cluster.get("/style.css", headers={"Range": "bytes=0-99", "Accept-Encoding": "gzip"})
    assert r.status == 206, r
    assert r.header("Content-Encoding") in (None, "identity"), r
    assert r.body == CSS[:100]
    assert r.header("Content-Range") == f"bytes 0-99/{len(CSS)}"


def test_if_range_mismatch_gives_full_body(cluster):
    r = cluster.get("/big.txt", headers={"Range": "bytes=0-9", "If-Range": '"stale-etag"'})
    assert r.status == 200 and r.body == BIG_TXT


# ---------------------------------------------------------------- gzip

def is_gzip(r):
    return (r.header("Content-Encoding") or "").lower() == "gzip"


def has_vary_ae(r):
    return any("accept-encoding" in v.lower() for v in r.headers_all("Vary"))


@pytest.mark.parametrize("ae", ["gzip", "gzip, deflate, br", "GZIP", "deflate, gzip;q=0.5",
                                "*", "br;q=1, gzip;q=0.001", "identity;q=0.5, gzip"])
def test_gzip_when_accepted(cluster, ae):
    r = cluster.get("/style.css", headers={"Accept-Encoding": ae})
    assert r.status == 200
    assert is_gzip(r), (ae, r)
    assert has_vary_ae(r), r
    assert r.header("Content-Length") == str(len(r.body))
    assert gunzip(r.body) == CSS
    assert len(r.body) < len(CSS)


@pytest.mark.parametrize("ae", [None, "", "gzip;q=0", "gzip; q=0.000", "br, deflate", "identity",
                                "*;q=0, identity", "br, *;q=0", "gzip;q=0, *;q=0.5"])
def test_identity_when_gzip_not_accepted(cluster, ae):
    hdrs = {} if ae is None else {"Accept-Encoding": ae}
    r = cluster.get("/style.css", headers=hdrs)
    assert r.status == 200
    assert not is_gzip(r), (ae, r)
    assert r.body == CSS
    assert has_vary_ae(r), "Vary: Accept-Encoding on every response of a compressible resource"


def test_gzip_html_and_head(cluster):
    get = cluster.get("/", headers={"Accept-Encoding": "gzip"})
    assert is_gzip(get) and gunzip(get.body) == base_pages()["portal"]["index.html"]
    head = cluster.get("/", method="HEAD", headers={"Accept-Encoding": "gzip"})
    assert is_gzip(head) and head.header("Content-Length") == get.header("Content-Length")


def test_gzip_304_and_vary(cluster):
    r = cluster.get("/style.css", headers={"Accept-Encoding": "gzip"})
    etag = r.header("ETag")
    r2 = cluster.get("/style.css", headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert r2.status == 304, r2
    assert has_vary_ae(r2)


def test_images_never_gzipped(cluster):
    r = cluster.get("/logo.png", headers={"Accept-Encoding": "gzip"})
    assert r.status == 200 and not is_gzip(r) and r.body == PNG


def test_gzip_differs_etag_or_same_validator_policy(cluster):
    # The gzip and identity representations must not share a strong ETag (RFC 9110 8.8.3):
    # a cache could otherwise combine ranges of different bytes.
    g = cluster.get("/style.css", headers={"Accept-Encoding": "gzip"}).header("ETag")
    i = cluster.get("/style.css").header("ETag")
    assert g != i or g.startswith("W/"), (g, i)


# ---------------------------------------------------------------- every response

EVERY = [
    ("200", f"GET / HTTP/1.1\r\nHost: {PORTAL_HOST}\r\n\r\n"),
    ("206", f"GET /big.txt HTTP/1.1\r\nHost: {PORTAL_HOST}\r\nRange: bytes=0-9\r\n\r\n"),
    ("301", f"GET /edu HTTP/1.1\r\nHost: {PORTAL_HOST}\r\n\r\n"),
    ("301-alias", f"GET / HTTP/1.1\r\nHost: old-edu.test.gov.cn\r\n\r\n"),
    ("404", f"GET /nothing HTTP/1.1\r\nHost: {EDU_HOST}\r\n\r\n"),
    ("405", f"DELETE / HTTP/1.1\r\nHost: {PORTAL_HOST}\r\n\r\n"),
    ("416", f"GET /big.txt HTTP/1.1\r\nHost: {PORTAL_HOST}\r\nRange: bytes=5000-\r\n\r\n"),
    ("501", f"BREW / HTTP/1.1\r\nHost: {PORTAL_HOST}\r\n\r\n"),
    ("400", f"GET / HTTP/1.1\r\nHost: {PORTAL_HOST}\r\nX: a\x01b\r\n\r\n"),
    ("413", f"GET / HTTP/1.1\r\nHost: {PORTAL_HOST}\r\nContent-Length: 99999999\r\n\r\n"),
    ("414", f"GET /{'x' * 3000} HTTP/1.1\r\nHost: {PORTAL_HOST}\r\n\r\n"),
    ("431", f"GET / HTTP/1.1\r\nHost: {PORTAL_HOST}\r\nX-Big: {'v' * 9000}\r\n\r\n"),
]


@pytest.mark.parametrize("name", [n for n, _ in EVERY])
def test_every_response_has_date_length_server(cluster, name):
    data = dict(EVERY)[name]
    with RawConn(cluster.port) as c:
        c.send(data.encode("latin-1"))
        r = c.read_response()
    assert str(r.status) == name.split("-")[0], r
    assert r.header("Date"), r
    assert (r.header("Server") or "").startswith("jiyue"), r
    assert r.header("Content-Length") == str(len(r.body)), r
    if r.body:
        ct = r.header("Content-Type") or ""
        assert ct, r
        if ct.startswith("text/"):
            assert "charset=" in ct.lower(), ct
    assert len(r.headers_all("Content-Length")) == 1


def test_vary_on_range_and_head_of_compressible(cluster):
    r = cluster.get("/style.css", headers={"Range": "bytes=0-9"})
    assert r.status == 206 and has_vary_ae(r), r
    r = cluster.get("/style.css", method="HEAD")
    assert has_vary_ae(r), r
