# tests/e2e/test_sendfile.py: large store values go out with sendfile from a worker's
# read-only copy (core/sendcache.c, core/sockwrite.c) over plain HTTP: the bytes are the
# stored ones in every framing (whole, ranges, gzip, HEAD, pipelined, a client too slow to take
# them at once), and a re-import is never answered with the old copy.
import gzip
import os
import random
import time

import pytest

from conftest import PORTAL_HOST, RawConn, base_pages, make_cluster

ASSET = "/static/big.bin"
PAGE = "/big-page.html"


def random_bytes(n, seed):
    return random.Random(seed).randbytes(n)


def big_html(seed):
    rnd = random.Random(seed)
    words = ["政务公开", "通知公告", "办事服务", "互动交流", "政策解读", "人事信息", "财政预决算"]
    body = "".join(f"<p>{rnd.choice(words)} {rnd.getrandbits(64):x} {rnd.getrandbits(64):x}</p>\n"
                   for _ in range(6000))
    return f"<!DOCTYPE html><html><body>{body}</body></html>\n".encode()


def pages_with(asset, page):
    pages = dict(base_pages()["portal"])
    pages["static/big.bin"] = asset
    pages["big-page.html"] = page
    return pages


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """One worker, so every request meets the same cache."""
    c = make_cluster(tmp_path_factory, "sendfile", workers=1)
    c.asset = random_bytes(300 * 1024, 1)
    c.page = big_html(2)
    c.import_pages("portal", pages_with(c.asset, c.page))
    c.start()
    yield c
    c.stop()


def sendcache_files(c):
    """The worker's copies, seen from outside in /proc/PID/fd: unnamed files in the store's
    folder (an O_TMPFILE shows as "<folder>/#<inode> (deleted)"), or memfds."""
    store = str(c.root / "store")
    n = 0
    for fd in os.listdir(f"/proc/{c.pid}/fd"):
        try:
            target = os.readlink(f"/proc/{c.pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith(store + "/#") or "memfd:jiyue-sendcache" in target:
            n += 1
    return n


def get(c, path, headers=None):
    with RawConn(c.port) as conn:
        conn.send_request("GET", path, {"Host": PORTAL_HOST, **(headers or {})})
        return conn.read_response()


def test_large_asset_goes_out_by_sendfile_and_intact(big):
    for _ in range(4):
        r = get(big, ASSET)
        assert r.status == 200 and r.body == big.asset
    assert sendcache_files(big) >= 1, "a value asked for repeatedly got no sendfile copy"


def test_ranges_from_the_copy(big):
    for _ in range(2):
        get(big, ASSET)
    for first, last in ((0, 0), (1, 70000), (100000, 307199), (307000, 400000)):
        r = get(big, ASSET, {"Range": f"bytes={first}-{last}"})
        assert r.status == 206
        assert r.body == big.asset[first:last + 1]
    r = get(big, ASSET, {"Range": "bytes=-5000"})
    assert r.status == 206 and r.body == big.asset[-5000:]


def test_gzip_variant_from_the_copy(big):
    for _ in range(3):
        r = get(big, PAGE, {"Accept-Encoding": "gzip"})
        assert r.status == 200 and r.header("Content-Encoding") == "gzip"
        assert len(r.body) > 48 * 1024, "the gzip variant is too small to test the sendfile path"
        assert gzip.decompress(r.body) == big.page
    r = get(big, PAGE)
    assert r.status == 200 and r.body == big.page


def test_pipelined_to_a_slow_reader(big):
    """Pipelined requests, large and small (4 MB in all), to a client whose receive buffer
    is tiny and who waits before reading: the socket fills mid-body (loopback takes a few
    MB first), the rest is queued from memory, and every response arrives whole and in
    order."""
    get(big, ASSET)
    get(big, ASSET)
    conn = RawConn(big.port, timeout=10, rcvbuf=4096)
    try:
        reqs = [("GET", ASSET), ("GET", "/index.html"), ("HEAD", ASSET)] + \
            [("GET", ASSET)] * 12 + [("GET", PAGE)]
        for m, p in reqs:
            conn.send_request(m, p, {"Host": PORTAL_HOST})
        time.sleep(0.5)
        for m, p in reqs:
            r = conn.read_response(head=m == "HEAD")
            assert r.status == 200, (m, p, r.status)
            if m == "HEAD":
                assert r.body == b"" and int(r.header("Content-Length")) == len(big.asset)
            elif p == ASSET:
                assert r.body == big.asset
            elif p == PAGE:
                assert r.body == big.page
            else:
                assert b"PORTAL-HOME" in r.body
    finally:
        conn.close()


def test_reimport_is_not_answered_from_the_old_copy(big):
    for _ in range(3):
        assert get(big, ASSET).body == big.asset
    # Same length, other bytes: the store may well put it where the old value lay.
    for seed in (3, 4, 5):
        new = random_bytes(len(big.asset), seed)
        big.import_pages("portal", pages_with(new, big.page))
        for _ in range(3):
            r = get(big, ASSET)
            assert r.status == 200 and r.body == new, "served bytes of an earlier import"
        big.asset = new
