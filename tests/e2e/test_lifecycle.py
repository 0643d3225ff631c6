# tests/e2e/test_lifecycle.py: the site lifecycle under a running server: suspension
# (notice on the home page, 503 + Retry-After elsewhere, 184 days refused with the old
# configuration still serving, overdue reported by check and at reload), closure (a closed
# site without migrate_to refused; notice + 301 by the path map), redesign (preview host,
# preview token, promote under load, rollback), the import of a wget mirror with its
# redirects, and the census tables (a test cluster field by field, and the demo cluster).
import csv
import datetime
import io
import json
import signal
import threading
import time
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
import yaml

from conftest import (BASE_SITES, EDU_HOST, JIYUECTL, PORTAL_HOST, XIAN_HOST, ROOT, html,
                      make_cluster, read_text, run, site_yaml, wait_for, write_pages)

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
    # the same on the site's own host, and /index.html is the home too
    assert lc.get("/", host=EDU_HOST).body == home.body
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
    reload_and_wait(lc, "/", lambda r: b"XIAN-V2-HOME" in r.body, host=PREVIEW_HOST)
    # live content unchanged
    assert b"XIAN-HOME" in lc.get("/", host=XIAN_HOST).body
    assert lc.get("/xian/new-only.html").status == 404
    assert b"XIAN-V2-NEW" in lc.get("/new-only.html", host=PREVIEW_HOST).body
    # preview token: bad ones change nothing, a good one becomes a cookie
    t = lc.ctl("preview", "xian")
    assert t.returncode == 0, t
    token = t.stdout.decode().strip()
    assert len(token) == 32
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
    reload_and_wait(lc, "/", lambda r: b"XIAN-V2-HOME" not in r.body, host=PREVIEW_HOST)
    assert b"PORTAL-HOME" in lc.get("/", host=PREVIEW_HOST).body, "an unknown host again"
    assert b"XIAN-HOME" in lc.get("/", host=XIAN_HOST).body


def test_rollback_without_promote_refused(lc):
    r = lc.ctl("rollback", "edu")
    assert r.returncode == 1 and b"never promoted" in r.stderr


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
        "contact": "0000-12345678"}, edu
    hang = by_id["hang"]
    assert (hang["status"], hang["status_from"], hang["status_until"]) == ("suspended", day(-1), day(30))
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
    keys = list(rows[0].keys())
    for line in table[1:]:
        row = by_id[line[1]]
        assert line == [row[k] or "" for k in keys]
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
    assert portal["news"]["site_name"] == "测试市人民政府"
    bj = datetime.timezone(datetime.timedelta(hours=8))
    assert portal["news"]["last_update"] == datetime.datetime.now(bj).date().isoformat()
    assert portal["notice"]["last_update"] is None
    table = list(csv.reader(io.StringIO(census(lc.conf, "columns").decode(), newline="")))
    assert table[0] == ["站点标识", "网站名称", "栏目标识", "栏目名称", "栏目类型", "信息条数", "最近更新"]
    assert ["portal", "测试市人民政府", "news", "工作动态", "dynamic", "2",
            portal["news"]["last_update"]] in table
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
