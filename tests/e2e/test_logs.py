# tests/e2e/test_logs.py: the access log (combined format + site id + duration, one line
# per request) and SIGUSR1 reopening both logs for logrotate. Access log writes may be
# buffered for up to a second, so every check polls (bounded).
import datetime
import re
import signal
import time


from conftest import LOG_DIAG_RE, EDU_HOST, PORTAL_HOST, RawConn, read_text, wait_for

LINE_RE = re.compile(
    r'^(?P<ip>\S+) - (?P<user>\S+) \[(?P<time>\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4})\] '
    r'"(?P<req>[^"]*)" (?P<status>\d{3}) (?P<bytes>\d+|-) "(?P<ref>[^"]*)" "(?P<ua>[^"]*)" '
    r'(?P<site>\S+) (?P<dur>\d+\.\d{3})$')


def lines_with(c, needle, path=None):
    return [l for l in read_text(path or c.access_log).splitlines() if needle in l]


def wait_lines(c, needle, n=1, path=None, timeout=4):
    wait_for(lambda: len(lines_with(c, needle, path)) >= n, timeout=timeout)
    return lines_with(c, needle, path)


def test_access_log_line_format(cluster):
    r = cluster.get("/edu/?q=fmt1", headers={"User-Agent": "e2e-fmt/1.0 (test)", "Referer": "http://ref.example/p"})
    assert r.status == 200
    lines = wait_lines(cluster, "q=fmt1")
    assert len(lines) == 1, lines
    m = LINE_RE.match(lines[0])
    assert m, f"not combined format + site + duration: {lines[0]!r}"
    assert m.group("ip") == "127.0.0.1"
    assert m.group("req") == "GET /edu/?q=fmt1 HTTP/1.1"
    assert m.group("status") == "200"
    assert int(m.group("bytes")) == len(r.body)
    assert m.group("ref") == "http://ref.example/p"
    assert m.group("ua") == "e2e-fmt/1.0 (test)"
    assert m.group("site") == "edu"
    assert float(m.group("dur")) < 5
    t = datetime.datetime.strptime(m.group("time"), "%d/%b/%Y:%H:%M:%S %z")
    assert abs(t.timestamp() - time.time()) < 60, m.group("time")


def test_one_line_per_request_on_keepalive(cluster):
    with RawConn(cluster.port) as c:
        for i in range(5):
            c.send_request("GET", f"/xian/?q=ka{i}", {"Host": PORTAL_HOST, "User-Agent": "e2e-ka"})
            assert c.read_response().status == 200
    lines = wait_lines(cluster, "e2e-ka", n=5)
    assert len(lines) == 5, lines
    assert all(LINE_RE.match(l) and LINE_RE.match(l).group("site") == "xian" for l in lines), lines
    # In order.
    assert [re.search(r"q=ka(\d)", l).group(1) for l in lines] == list("01234")


def test_pipelined_requests_each_logged(cluster):
    data = b"".join(f"GET /?q=pipe{i} HTTP/1.1\r\nHost: {PORTAL_HOST}\r\nUser-Agent: e2e-pipe\r\n\r\n".encode()
                    for i in range(4))
    with RawConn(cluster.port) as c:
        c.send(data)
        for _ in range(4):
            c.read_response()
    assert len(wait_lines(cluster, "e2e-pipe", n=4)) == 4


def test_404_and_site_ids_logged(cluster):
    cluster.get("/xian/zhen/missing.html?q=l404", headers={"User-Agent": "e2e-404"})
    cluster.get("/?q=lhost", host=EDU_HOST, headers={"User-Agent": "e2e-host"})
    cluster.get("/?q=lunknown", host="unknown.example", headers={"User-Agent": "e2e-unknown"})
    m = LINE_RE.match(wait_lines(cluster, "q=l404")[0])
    assert m and m.group("status") == "404" and m.group("site") == "zhen", m and m.group(0)
    m = LINE_RE.match(wait_lines(cluster, "q=lhost")[0])
    assert m and m.group("site") == "edu"
    m = LINE_RE.match(wait_lines(cluster, "q=lunknown")[0])
    assert m and m.group("site") == "portal"


def test_head_and_304_logged_with_zero_body(cluster):
    cluster.get("/?q=lhead", method="HEAD", headers={"User-Agent": "e2e-head"})
    m = LINE_RE.match(wait_lines(cluster, "q=lhead")[0])
    assert m and m.group("req").startswith("HEAD ") and m.group("bytes") in ("0", "-"), m and m.group(0)


def test_bad_request_logged(cluster):
    def bad_lines():
        return [l for l in read_text(cluster.access_log).splitlines() if '" 400 ' in l]
    before = len(bad_lines())
    with RawConn(cluster.port) as c:
        c.send(f"GET /?q=lbad HTTP/1.1\r\nHost: {PORTAL_HOST}\r\nX: a\x01b\r\n\r\n")
        c.read_to_eof(5)
    assert wait_for(lambda: len(bad_lines()) > before, timeout=4), "a rejected request is not logged"
    line = bad_lines()[-1]
    assert LINE_RE.match(line), line


def test_sigusr1_reopens_access_log(cluster):
    cluster.get("/?q=before-rotate")
    assert wait_lines(cluster, "q=before-rotate")
    rotated = cluster.access_log.with_name("access.log.1")
    cluster.access_log.rename(rotated)
    cluster.signal(signal.SIGUSR1)
    time.sleep(0.3)
    cluster.get("/?q=after-rotate", headers={"User-Agent": "e2e-rotate"})
    got = wait_for(lambda: cluster.access_log.exists() and lines_with(cluster, "q=after-rotate"), timeout=4)
    assert got, "the reopened access.log does not have the request made after SIGUSR1"
    assert not lines_with(cluster, "q=after-rotate", rotated), "still writing to the rotated file"
    assert lines_with(cluster, "q=before-rotate", rotated), "lines before rotation stay in the old file"


def test_sigusr1_reopens_error_log(cluster):
    rotated = cluster.error_log.with_name("error.log.1")
    if cluster.error_log.exists():
        cluster.error_log.rename(rotated)
    cluster.signal(signal.SIGUSR1)
    time.sleep(0.3)
    # Provoke an error-log entry: a reload with a broken site file.
    bad = cluster.sites_dir / "zz-bad.yaml"
    bad.write_text("id: zz\nname: [unclosed\n")
    try:
        cluster.signal(signal.SIGHUP)
        got = wait_for(lambda: any("zz-bad.yaml" in d.group("file")
                                   for d in LOG_DIAG_RE.finditer(read_text(cluster.error_log))), timeout=5)
        assert got, "the reopened error.log has no FILE:LINE:COL: entry for the broken file"
        assert "zz-bad.yaml" not in read_text(rotated)
    finally:
        bad.unlink()
        cluster.signal(signal.SIGHUP)
    time.sleep(0.2)
    assert cluster.get("/").status == 200
