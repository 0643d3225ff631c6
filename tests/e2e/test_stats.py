"""tests/e2e/test_stats.py: visit statistics per site (issue 17): page views and unique
visitors counted in the workers, flushed through the writer (a short
`stats_flush_interval` here), bots apart, assets and errors not counted, the counts
surviving a reload and a restart, and `jiyuectl stats` in CSV and JSON."""
import json
import signal
import time

from conftest import EDU_HOST, PORTAL_HOST, Cluster, RawConn, wait_for

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"


def make(tmp_path):
    c = Cluster(tmp_path / "c", extra_conf="stats_flush_interval: 200ms\n")
    c.import_base()
    return c


def stats(c, site, *args):
    r = c.ctl("stats", site, "--format", "json", *args)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def visit(c, path, ua, host=PORTAL_HOST, status=200):
    r = c.get(path, host=host, headers={"User-Agent": ua})
    assert r.status == status, (path, r.status)


def test_views_visitors_and_bots(tmp_path):
    c = make(tmp_path)
    c.start()
    try:
        for i in range(20):  # 20 visitors (one address, 20 browsers), 2 pages each
            visit(c, "/", f"{BROWSER} v{i}")
            visit(c, "/", f"{BROWSER} v{i}")
        for _ in range(5):
            visit(c, "/", "Mozilla/5.0 (compatible; Baiduspider/2.0)")
        visit(c, "/style.css", BROWSER)       # an asset: not a page view
        visit(c, "/missing.html", BROWSER, status=404)  # an error: not a page view
        visit(c, "/", BROWSER, host=EDU_HOST)  # another site
        assert wait_for(lambda: stats(c, "portal")["total"]["page_views"] == 40, timeout=5)
        s = stats(c, "portal")
        assert s["total"] == {"page_views": 40, "unique_visitors": 20, "bot_views": 5}
        today = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600))  # Beijing
        assert s["days"] == [{"date": today, "page_views": 40, "unique_visitors": 20,
                              "bot_views": 5}]
        assert stats(c, "edu")["total"]["page_views"] == 1
        # CSV, with the same numbers
        r = c.ctl("stats", "portal")
        assert r.stdout.decode().splitlines() == [
            "date,page_views,unique_visitors,bot_views", f"{today},40,20,5", "total,40,20,5"]
        # a range without the day
        assert stats(c, "portal", "--to", "2020-01-01")["days"] == []

        # a reload keeps counting into the same day
        c.signal(signal.SIGHUP)
        assert wait_for(lambda: "reloaded" in c.error_log.read_text())
        visit(c, "/", f"{BROWSER} v0")
        visit(c, "/", f"{BROWSER} new")
        assert wait_for(lambda: stats(c, "portal")["total"]["page_views"] == 42, timeout=5)
        assert stats(c, "portal")["total"]["unique_visitors"] == 21
    finally:
        c.stop()
    # a restart: what was counted just before the stop is written at exit
    c.start()
    try:
        visit(c, "/", f"{BROWSER} v1")  # known today: no new visitor
        c.stop()
        s = stats(c, "portal")
        assert s["total"] == {"page_views": 43, "unique_visitors": 21, "bot_views": 5}
    finally:
        c.stop()


def test_user_agent_switching_within_a_connection(tmp_path):
    """The worker remembers the last User-Agent's verdict: one keep-alive connection (one
    worker) switching between robots and browsers of the same length, and back, must get
    each request's own verdict."""
    c = make(tmp_path)
    c.start()
    try:
        seq = ["curl/8.5.0", "Firefox/10", "curl/8.5.0", "Firefox/10", "Wget/1.2.3", "Firefox/10",
               None, "FIREFOX/10", "Go-http-cl", "go-http-cl"[:-1] + "X"]
        with RawConn(c.port) as rc:
            for ua in seq:
                h = {"Host": PORTAL_HOST}
                if ua is not None:
                    h["User-Agent"] = ua
                rc.send_request("GET", "/", h)
                assert rc.read_response().status == 200
        # robots: curl x2, Wget, none, Go-http-cl, go-http-cX; the rest (Firefox) browsers
        assert wait_for(lambda: stats(c, "portal")["total"]["page_views"] == 4, timeout=5)
        assert stats(c, "portal")["total"] == {"page_views": 4, "unique_visitors": 2, "bot_views": 6}
    finally:
        c.stop()


def test_exit_writes_what_the_interval_has_not(tmp_path):
    c = Cluster(tmp_path / "c", extra_conf="stats_flush_interval: 60s\n")
    c.import_base()
    c.start()
    try:
        for i in range(3):
            visit(c, "/", f"{BROWSER} {i}")
        time.sleep(0.5)
        assert stats(c, "portal")["total"]["page_views"] == 0  # still in the worker
    finally:
        c.stop()
    assert stats(c, "portal")["total"] == {"page_views": 3, "unique_visitors": 3, "bot_views": 0}


def test_config_and_arguments(tmp_path):
    c = Cluster(tmp_path / "c", extra_conf="stats_flush_interval: 5m\n")
    r = c.ctl("check")
    assert r.returncode != 0
    assert b"'stats_flush_interval' must be a duration from 100ms to 60s, not '5m'" in r.stderr + r.stdout
    c = make(tmp_path / "ok")
    for args, msg in ((["--from", "2026-13-01"], b"--from takes a date"),
                      (["--format", "xml"], b"--format takes csv or json"),
                      (["--from", "2026-02-01", "--to", "2026-01-01"], b"--from is after --to")):
        r = c.ctl("stats", "portal", *args)
        assert r.returncode == 2 and msg in r.stderr, (args, r.stderr)
    r = c.ctl("stats", "../etc")
    assert r.returncode == 2 and b"is not a site id" in r.stderr
    r = c.ctl("stats", "portal")  # nothing counted yet: the header and a zero total
    assert r.returncode == 0 and r.stdout.decode().splitlines() == [
        "date,page_views,unique_visitors,bot_views", "total,0,0,0"]
