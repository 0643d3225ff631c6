# tests/e2e/test_framing.py: strict RFC 9112 framing. Ambiguous or malformed heads get 400
# and the connection is closed; oversized lines, heads and bodies get 414, 431, 413; a GET
# with a small body is served and the body discarded.
import re
import time

import pytest

from conftest import PORTAL_HOST, RawConn, parse_status, raw_exchange

HOST = f"Host: {PORTAL_HOST}\r\n"

BAD_400 = {
    "cl_and_te": f"POST / HTTP/1.1\r\n{HOST}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "0\r\n\r\n",
    "te_and_cl_get": f"GET / HTTP/1.1\r\n{HOST}Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"
                     "0\r\n\r\n",
    "duplicate_cl": f"GET / HTTP/1.1\r\n{HOST}Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
    "conflicting_cl": f"GET / HTTP/1.1\r\n{HOST}Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
    "cl_list": f"GET / HTTP/1.1\r\n{HOST}Content-Length: 3, 3\r\n\r\nabc",
    "cl_alpha": f"GET / HTTP/1.1\r\n{HOST}Content-Length: abc\r\n\r\n",
    "cl_negative": f"GET / HTTP/1.1\r\n{HOST}Content-Length: -1\r\n\r\n",
    "cl_plus": f"GET / HTTP/1.1\r\n{HOST}Content-Length: +3\r\n\r\nabc",
    "cl_hex": f"GET / HTTP/1.1\r\n{HOST}Content-Length: 0x3\r\n\r\nabc",
    "cl_empty": f"GET / HTTP/1.1\r\n{HOST}Content-Length: \r\n\r\n",
    "cl_overflow": f"GET / HTTP/1.1\r\n{HOST}Content-Length: 99999999999999999999999999\r\n\r\n",
    "obs_fold": f"GET / HTTP/1.1\r\n{HOST}X-Folded: one\r\n  two\r\n\r\n",
    "obs_fold_tab": f"GET / HTTP/1.1\r\n{HOST}X-Folded: one\r\n\ttwo\r\n\r\n",
    "ctl_in_value": f"GET / HTTP/1.1\r\n{HOST}X-Bad: a\x01b\r\n\r\n",
    "nul_in_value": f"GET / HTTP/1.1\r\n{HOST}X-Bad: a\x00b\r\n\r\n",
    "del_in_value": f"GET / HTTP/1.1\r\n{HOST}X-Bad: a\x7fb\r\n\r\n",
    "bare_cr_value": f"GET / HTTP/1.1\r\n{HOST}X-Bad: a\rb\r\n\r\n",
    "bare_cr_line_end": f"GET / HTTP/1.1\r{HOST}\r\n",
    "nul_in_target": "GET /a\x00b HTTP/1.1\r\n" + HOST + "\r\n",
    "ctl_in_target": "GET /a\x01b HTTP/1.1\r\n" + HOST + "\r\n",
    "ctl_in_name": f"GET / HTTP/1.1\r\n{HOST}X-B\x01ad: v\r\n\r\n",
    "space_before_colon": f"GET / HTTP/1.1\r\n{HOST}X-Bad : v\r\n\r\n",
    "no_colon": f"GET / HTTP/1.1\r\n{HOST}NoColonHere\r\n\r\n",
    "no_host_11": "GET / HTTP/1.1\r\nUser-Agent: e2e\r\n\r\n",
    "two_hosts": f"GET / HTTP/1.1\r\n{HOST}Host: other.example\r\n\r\n",
    "bad_version": f"GET / HTTP/1.x\r\n{HOST}\r\n",
    "garbage_line": f"GET/HTTP/1.1\r\n{HOST}\r\n",
    "te_chunked_not_last": f"POST / HTTP/1.1\r\n{HOST}Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n",
    "te_chunked_twice": f"POST / HTTP/1.1\r\n{HOST}Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
    "te_in_http10": f"POST / HTTP/1.0\r\n{HOST}Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
}


@pytest.mark.parametrize("name", sorted(BAD_400))
def test_bad_framing_400_and_close(cluster, name):
    data = BAD_400[name].encode("latin-1")
    out = raw_exchange(cluster.port, data, seconds=5)
    status = parse_status(out)
    assert status == 400, (name, out[:300])
    # Exactly one response: nothing after the 400 (the rest of the bytes were not parsed
    # as a second request).
    assert len(re.findall(rb"HTTP/1\.[01] \d{3} ", out)) == 1, out[:500]


def test_400_does_not_serve_smuggled_request(cluster):
    # The classic CL.TE smuggle: if the server framed by CL it would see a second request.
    smuggled = f"GET /edu/ HTTP/1.1\r\n{HOST}\r\n"
    body = f"0\r\n\r\n{smuggled}"
    data = (f"POST / HTTP/1.1\r\n{HOST}Content-Length: {len(body)}\r\nTransfer-Encoding: chunked\r\n\r\n"
            + body).encode()
    out = raw_exchange(cluster.port, data)
    assert parse_status(out) == 400
    assert b"EDU-HOME" not in out


def test_request_line_too_long_414(cluster):
    # max_request_line is 2KiB in the test config, the head limit 8KiB.
    out = raw_exchange(cluster.port, f"GET /{'a' * 3000} HTTP/1.1\r\n{HOST}\r\n".encode())
    assert parse_status(out) == 414, out[:200]


def test_request_line_under_limit_not_414(cluster):
    out = raw_exchange(cluster.port, f"GET /{'a' * 400} HTTP/1.1\r\n{HOST}Connection: close\r\n\r\n".encode())
    assert parse_status(out) == 404, out[:200]


def test_long_path_under_limit_is_not_a_server_error(cluster):
    # 1500 bytes is under max_request_line (2KiB) but over LMDB's key size: a path the store
    # cannot hold cannot exist, so it is a 404 (or 414), never a 500.
    out = raw_exchange(cluster.port, f"GET /{'a' * 1500} HTTP/1.1\r\n{HOST}Connection: close\r\n\r\n".encode())
    assert parse_status(out) in (404, 414), out[:300]


def test_head_too_large_431(cluster):
    headers = "".join(f"X-Filler-{i}: {'v' * 200}\r\n" for i in range(60))  # ~13 KB
    out = raw_exchange(cluster.port, f"GET / HTTP/1.1\r\n{HOST}{headers}\r\n".encode())
    assert parse_status(out) == 431, out[:200]


def test_single_huge_header_431(cluster):
    out = raw_exchange(cluster.port, f"GET / HTTP/1.1\r\n{HOST}X-Big: {'v' * 12000}\r\n\r\n".encode())
    assert parse_status(out) == 431, out[:200]


def test_body_too_large_413_before_body_sent(cluster):
    # max_body_bytes is 1KiB: announce 10 MB, send no body; the answer must come anyway.
    with RawConn(cluster.port, timeout=5) as c:
        c.send(f"GET / HTTP/1.1\r\n{HOST}Content-Length: 10000000\r\n\r\n")
        t0 = time.monotonic()
        out = c.read_to_eof(5)
    assert parse_status(out) == 413, out[:200]
    assert time.monotonic() - t0 < 4


def test_chunked_body_over_limit_413(cluster):
    with RawConn(cluster.port, timeout=5) as c:
        c.send(f"GET / HTTP/1.1\r\n{HOST}Transfer-Encoding: chunked\r\n\r\n")
        try:
            for _ in range(4):
                c.send(b"400\r\n" + b"x" * 0x400 + b"\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        out = c.read_to_eof(5)
    assert parse_status(out) in (413, 400), out[:200]


def test_get_with_small_body_discarded_then_pipelined(cluster):
    data = (f"GET /edu/ HTTP/1.1\r\n{HOST}Content-Length: 11\r\n\r\nhello world"
            f"GET /xian/ HTTP/1.1\r\n{HOST}\r\n").encode()
    with RawConn(cluster.port) as c:
        c.send(data)
        r1 = c.read_response()
        r2 = c.read_response()
    assert r1.status == 200 and b"EDU-HOME" in r1.body, r1
    assert r2.status == 200 and b"XIAN-HOME" in r2.body, r2


def test_get_with_chunked_body_discarded_then_pipelined(cluster):
    data = (f"GET /edu/ HTTP/1.1\r\n{HOST}Transfer-Encoding: chunked\r\n\r\n"
            "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n"
            f"GET /xian/ HTTP/1.1\r\n{HOST}\r\n").encode()
    with RawConn(cluster.port) as c:
        c.send(data)
        r1 = c.read_response()
        r2 = c.read_response()
    assert r1.status == 200 and b"EDU-HOME" in r1.body, r1
    assert r2.status == 200 and b"XIAN-HOME" in r2.body, r2


def test_body_sent_slowly_in_pieces(cluster):
    with RawConn(cluster.port) as c:
        c.send(f"GET /edu/ HTTP/1.1\r\n{HOST}Content-Length: 6\r\n\r\nabc")
        time.sleep(0.2)
        c.send("def")
        r = c.read_response()
        c.send(f"GET /xian/ HTTP/1.1\r\n{HOST}\r\n")
        r2 = c.read_response()
    assert r.status == 200 and b"EDU-HOME" in r.body
    assert r2.status == 200 and b"XIAN-HOME" in r2.body


def test_head_split_across_packets(cluster):
    with RawConn(cluster.port) as c:
        req = f"GET /edu/ HTTP/1.1\r\n{HOST}User-Agent: split\r\n\r\n".encode()
        for i in range(0, len(req), 7):
            c.send(req[i:i + 7])
            time.sleep(0.01)
        r = c.read_response()
    assert r.status == 200 and b"EDU-HOME" in r.body


def test_leading_empty_line_tolerated(cluster):
    # RFC 9112 2.2: a server SHOULD ignore at least one empty line before the request line.
    with RawConn(cluster.port) as c:
        c.send(f"\r\nGET /edu/ HTTP/1.1\r\n{HOST}\r\n")
        r = c.read_response()
    assert r.status == 200 and b"EDU-HOME" in r.body, r


def test_server_survives_bad_input(cluster):
    for name in ("cl_and_te", "obs_fold", "nul_in_value"):
        raw_exchange(cluster.port, BAD_400[name].encode("latin-1"))
    r = cluster.get("/")
    assert r.status == 200 and b"PORTAL-HOME" in r.body
    assert cluster.alive()
