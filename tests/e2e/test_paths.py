# tests/e2e/test_paths.py: the path is percent-decoded, normalised and checked before
# routing. Climbing out is refused with exactly 400 (a 404 would also hide a `..` kept as a
# name); a double-encoded dot is a plain name that does not exist (404); dot segments inside
# the tree resolve; percent-encoded Chinese file names work.
import subprocess
from urllib.parse import quote

import pytest

from conftest import CN_DIR, CN_FILE, EDU_HOST, PORTAL_HOST, RawConn, parse_status, raw_exchange

ATTACKS = [
    "/../etc/passwd",
    "/../../../../../../etc/passwd",
    "/%2e%2e/etc/passwd",
    "/%2e%2e/",
    "/%2E%2e/x",
    "/.%2e/etc/passwd",
    "/edu/..%2f..%2fetc/passwd",
    "/edu/..%2F..%2F",
    "/edu/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/%252e%252e/etc/passwd",
    "/%252e%252e/",
    "/a%00b",
    "/index.html%00.png",
    "/a\\b",
    "/..\\..\\etc\\passwd",
    "/%5c..%5c..%5cetc%5cpasswd",
    "/%c0%ae%c0%ae/etc/passwd",
    "/%c0%ae%c0%ae/",
    "/%e0%80%ae%e0%80%ae/",
    "/%e0%80%ae/",
    "/%c0%af",
    "/%ff%fe",
    "/%",
    "/%2",
    "/%zz",
    "/xian/zhen/../../../etc/passwd",
]
# Decoded once, these are plain names ("%2e%2e"), not dot segments: not found, not refused.
PLAIN_NAMES = {"/%252e%252e/etc/passwd", "/%252e%252e/"}


@pytest.mark.parametrize("target", ATTACKS)
def test_climbing_out_refused(cluster, target):
    data = f"GET {target} HTTP/1.1\r\nHost: {PORTAL_HOST}\r\nConnection: close\r\n\r\n".encode("latin-1")
    out = raw_exchange(cluster.port, data)
    status = parse_status(out)
    assert status == (404 if target in PLAIN_NAMES else 400), (target, out[:300])
    assert b"root:" not in out
    assert b"PORTAL-HOME" not in out and b"EDU-HOME" not in out


@pytest.mark.parametrize("target,marker", [
    ("/edu/./news/../index.html", b"EDU-HOME"),
    ("/edu/news/../page.html", b"EDU-PAGE"),
    ("/./edu/./", b"EDU-HOME"),
    ("/%65du/page.html", b"EDU-PAGE"),        # %65 = 'e': decoded before routing
    ("/edu/page%2ehtml", b"EDU-PAGE"),
])
def test_normalised_inside_tree(cluster, target, marker):
    with RawConn(cluster.port) as c:
        c.send(f"GET {target} HTTP/1.1\r\nHost: {PORTAL_HOST}\r\n\r\n")
        r = c.read_response()
    # Served in place, not redirected to the normalised form.
    assert r.status == 200 and marker in r.body, (target, r)


def test_dot_segments_do_not_climb_out_of_mount_into_other_site_files(cluster):
    # /edu/../index.html normalises to /index.html: the portal's home, which is inside the
    # tree and fine; it must never be an error page of edu with portal content mixed.
    with RawConn(cluster.port) as c:
        c.send(f"GET /edu/../index.html HTTP/1.1\r\nHost: {PORTAL_HOST}\r\n\r\n")
        r = c.read_response()
    assert r.status == 200 and b"PORTAL-HOME" in r.body and b"EDU-HOME" not in r.body, r


def test_chinese_file_name_percent_encoded(cluster):
    target = "/" + quote(CN_DIR) + "/" + quote(CN_FILE)
    with RawConn(cluster.port) as c:
        c.send(f"GET {target} HTTP/1.1\r\nHost: {PORTAL_HOST}\r\n\r\n")
        r = c.read_response()
    assert r.status == 200 and b"PORTAL-CN-NOTICE" in r.body, r
    lower = target.lower()
    with RawConn(cluster.port) as c:
        c.send(f"GET {lower} HTTP/1.1\r\nHost: {PORTAL_HOST}\r\n\r\n")
        r = c.read_response()
    assert r.status == 200 and b"PORTAL-CN-NOTICE" in r.body, "lower-case hex escapes are the same path"


def test_chinese_file_name_with_curl(cluster):
    url = f"http://127.0.0.1:{cluster.port}/{quote(CN_DIR)}/{quote(CN_FILE)}"
    out = subprocess.run(["curl", "-sS", "--max-time", "5", "-H", f"Host: {PORTAL_HOST}", "-w", "\n%{http_code}", url],
                         capture_output=True, timeout=10)
    body, _, code = out.stdout.rpartition(b"\n")
    assert code == b"200" and b"PORTAL-CN-NOTICE" in body, out


def test_query_string_ignored_for_lookup(cluster):
    r = cluster.get("/edu/page.html?x=../../etc/passwd&y=%00", host=PORTAL_HOST)
    assert r.status == 200 and b"EDU-PAGE" in r.body


def test_fragment_or_asterisk_target_rejected(cluster):
    out = raw_exchange(cluster.port, f"GET * HTTP/1.1\r\nHost: {PORTAL_HOST}\r\n\r\n".encode())
    assert parse_status(out) == 400, out[:200]
    out = raw_exchange(cluster.port, f"GET edu/ HTTP/1.1\r\nHost: {PORTAL_HOST}\r\n\r\n".encode())
    assert parse_status(out) == 400, out[:200]


def test_encoded_slash_in_edu_host(cluster):
    out = raw_exchange(cluster.port, f"GET /..%2f..%2fetc%2fpasswd HTTP/1.1\r\nHost: {EDU_HOST}\r\n"
                                     "Connection: close\r\n\r\n".encode())
    assert parse_status(out) == 400, out[:300]
    assert b"root:" not in out
