# tests/e2e/test_content_pages.py: what the content module renders where nothing else is:
# the built-in default theme of an install without a themes folder, empty columns and
# homes that answer 200, themed error pages, listings that drop suspended and closed
# sites, the order of articles published within one minute, refused future dates, the
# render cache against junk URLs, and SVG files sandboxed. The clusters use the repository's
# conf/themes, except those that show what an install without any themes folder does.
import datetime
import re
import subprocess
import time
import xml.etree.ElementTree as ET

import pytest

from conftest import (BASE_SITES, EDU_HOST, PORTAL_HOST, ROOT, XIAN_HOST, Cluster, RawConn, html,
                      need_binaries, store_dump)

CST = datetime.timezone(datetime.timedelta(hours=8))
THEMES = f"themes: {ROOT / 'conf' / 'themes'}\n"


def board(cid, name):
    return (f"  - {{id: {cid}, name: {name}, type: interaction}}\n"
            f"interaction: {{reply_days: 15, rate_limit: 100}}\n")


def sites():
    """The test cluster with a message board on edu and a static column on xian."""
    s = {k: dict(v) for k, v in BASE_SITES.items()}
    s["edu"]["extra"] = board("mailbox", "局长信箱")
    s["xian"]["extra"] = "  - {id: about, name: 县情概况, type: static}\n"
    return s


def front(site, column, title, date, aid=None, attachments=None):
    lines = ["---", f"site: {site}", f"column: {column}", f"title: {title}", "publisher: 李华",
             "reviewer: 王强", "disclosure: 主动公开", f'date: "{date}"',
             "secrecy_review: {by: 赵敏, date: 2026-08-31}"]
    if aid:
        lines.append(f"id: {aid}")
    if attachments:
        lines.append(f"attachments: [{', '.join(attachments)}]")
    return "\n".join(lines + ["---", f"{title}的正文。", ""])


def publish(c, name, text, cmd="publish"):
    d = c.root / "articles"
    d.mkdir(exist_ok=True)
    p = d / name
    p.write_text(text)
    return c.ctl(cmd, p)


def must_publish(c, name, text):
    r = publish(c, name, text)
    assert r.returncode == 0, r.stderr.decode()
    return r.stdout.decode().strip()


def cst(delta_minutes=0):
    t = datetime.datetime.now(CST) + datetime.timedelta(minutes=delta_minutes)
    return t.strftime("%Y-%m-%d %H:%M")


def hup(c):
    c.signal(1)


def fresh(root, extra_conf=THEMES, **kw):
    """A cluster whose store holds nothing but a robots.txt (the store must exist)."""
    need_binaries()
    c = Cluster(root, extra_conf=extra_conf, **kw)
    c.import_pages("portal", {"robots.txt": b"User-agent: *\n"})
    return c


def links(body):
    """The page's links to paths, but for the 适老化 switch (a 303 back: test_a11y.py)."""
    return [h for h in re.findall(r'href="(/[^"]*)"', body.decode()) if "care?on=" not in h]


def remove_pages(c, site, pages):
    """Takes imported pages out of a shared cluster again (jiyuectl rm)."""
    for page in pages:
        rm = c.ctl("rm", site, page)
        assert rm.returncode == 0, rm.stderr


@pytest.fixture(scope="module")
def bare(tmp_path_factory):
    """The test cluster's sites, nothing imported."""
    c = fresh(tmp_path_factory.mktemp("bare"), sites=sites(), workers=1)
    c.start()
    yield c
    c.stop()


# ------------------------------------------------------------------- built-in theme (13.14)

def test_no_themes_folder_renders_everything(tmp_path):
    """An /etc-style configuration: no `themes:` key, no themes folder beside it."""
    bare = fresh(tmp_path / "etc", extra_conf="", sites=sites(), workers=1)
    assert not (bare.root / "themes").exists()
    t = bare.ctl("check")
    assert t.returncode == 0, t.stderr
    bare.start()
    try:
        no_themes_folder_renders_everything(bare)
    finally:
        bare.stop()


def no_themes_folder_renders_everything(bare):
    url = must_publish(bare, "first.md", front("edu", "news", "没有主题目录也能发布", "2026-11-02 10:00", aid="first"))
    assert url == "/edu/news/first.html"
    a = bare.get(url)
    assert a.status == 200 and a.header("Content-Type") == "text/html; charset=utf-8"
    body = a.body.decode()
    assert "<h1>没有主题目录也能发布</h1>" in body and '<meta name="SiteName" content="测试市教育局">' in body
    col = bare.get("/edu/news/")
    assert col.status == 200 and 'href="/edu/news/first.html"' in col.body.decode()
    assert bare.get("/edu/news/feed.xml").status == 200
    assert bare.get("/edu/").status == 200
    portal = bare.get("/")
    assert portal.status == 200 and "各地各部门动态" in portal.body.decode()
    board_page = bare.get("/edu/mailbox/")
    assert board_page.status == 200 and "局长信箱" in board_page.body.decode(), board_page
    form = bare.get("/edu/mailbox/new")
    assert form.status == 200 and "局长信箱" in form.body.decode()


def test_themes_folder_overrides_single_files(tmp_path):
    (tmp_path / "c" / "themes" / "default").mkdir(parents=True)
    (tmp_path / "c" / "themes" / "default" / "footer.html").write_text('<footer id="footer">OWN-FOOTER {{site.code}}</footer>\n')
    c = fresh(tmp_path / "c", workers=1, extra_conf="themes: themes\n")
    c.start()
    try:
        must_publish(c, "a.md", front("edu", "news", "页脚替换", "2026-11-02 10:00", aid="a"))
        body = c.get("/edu/news/a.html").body.decode()
        assert "OWN-FOOTER 1100000002" in body          # the folder's file, included by built-in ones
        assert "<h1>页脚替换</h1>" in body and "我为政府网站找错" not in body
    finally:
        c.stop()


# ------------------------------------------------------- empty columns and homes (20.1)

def test_every_linked_column_and_home_answers_200(bare):
    portal = bare.get("/")
    assert portal.status == 200
    seen, queue = set(), ["/"] + [p for p in links(portal.body)]
    while queue and len(seen) < 200:
        path = queue.pop(0).split("#")[0]
        if path in seen or path.startswith("//"):
            continue
        seen.add(path)
        r = bare.get(path)
        assert r.status == 200, (path, r)
        if r.header("Content-Type", "").startswith("text/html") and path.endswith("/"):
            queue.extend(links(r.body))
    for must in ("/news/", "/notice/", "/xian/", "/xian/zhen/", "/xian/about/", "/edu/mailbox/"):
        assert must in seen, must
    empty = bare.get("/notice/").body.decode()
    assert "本栏目暂无信息" in empty and "<h1>通知公告</h1>" in empty
    township = bare.get("/xian/zhen/").body.decode()
    assert '<meta name="SiteName" content="测试镇人民政府">' in township
    assert '<span id="site-code">1100000004</span>' in township
    # A static column with nothing imported is an empty column page too (and has no feed).
    about = bare.get("/xian/about/").body.decode()
    assert "本栏目暂无信息" in about and "feed.xml" not in about
    assert bare.get("/xian/about/feed.xml").status == 404
    assert bare.get("/xian/news/index_2.html").status == 404


def test_imported_pages_keep_their_place(bare):
    bare.import_pages("xian", {"index.html": html("xian", "XIAN-IMPORTED-HOME"),
                               "about/index.html": html("about", "XIAN-ABOUT"),
                               "notice/index.html": html("notice", "XIAN-NOTICE")})
    try:
        # Nothing published on xian: its imported home, and its imported column pages, are served.
        assert b"XIAN-IMPORTED-HOME" in bare.get("/xian/").body
        assert b"XIAN-ABOUT" in bare.get("/xian/about/").body
        assert b"XIAN-NOTICE" in bare.get("/xian/notice/").body
        assert "本栏目暂无信息" in bare.get("/xian/news/").body.decode()
    finally:  # the module's cluster is shared: nothing imported again for the tests after
        remove_pages(bare, "xian", ("/index.html", "/about/index.html", "/notice/index.html"))
    assert "本栏目暂无信息" in bare.get("/xian/about/").body.decode()


# ---------------------------------------------------------------- error pages (20.8)

def test_error_page_in_the_theme(bare):
    r = bare.get("/edu/no-such-page.html")
    assert r.status == 404 and r.header("Content-Type") == "text/html; charset=utf-8"
    body = r.body.decode()
    assert "<h1>页面不存在</h1>" in body and "Not Found" not in body
    assert '<meta name="SiteName" content="测试市教育局">' in body          # the site's header
    assert '<span id="site-code">1100000002</span>' in body                # and footer
    assert '<a href="/edu/">返回测试市教育局首页</a>' in body               # the way back
    assert 'href="/">测试市人民政府</a>' in body
    # On the site's own host the way back is that host's root; twice is the same page.
    own = bare.get("/no-such-page.html", host=EDU_HOST)
    assert own.status == 404 and '<a href="/">返回测试市教育局首页</a>' in own.body.decode()
    assert bare.get("/no-such-page.html", host=EDU_HOST).body == own.body
    assert bare.get("/edu/news/nosuch.html").status == 404
    head = bare.get("/edu/no-such-page.html", method="HEAD")
    assert head.status == 404 and head.body == b"" and int(head.header("Content-Length")) == len(r.body)


def test_own_404_page_still_wins(bare):
    bare.import_pages("edu", {"404.html": html("not found", "EDU-OWN-404", pad=1), "page.html": html("p", "P")})
    try:
        r = bare.get("/edu/missing.html")
        assert r.status == 404 and b"EDU-OWN-404" in r.body
    finally:  # the module's cluster is shared: the theme's 404 again for the tests after
        remove_pages(bare, "edu", ("/404.html", "/page.html"))
    assert "<h1>页面不存在</h1>" in bare.get("/edu/missing.html").body.decode()


# ------------------------------------------------- suspended and closed sites (20.2)

def test_suspended_and_closed_sites_leave_listings(tmp_path):
    c = fresh(tmp_path / "c", workers=1)
    must_publish(c, "z.md", front("zhen", "news", "乡镇动态甲", "2026-11-03 09:00", aid="z1"))
    must_publish(c, "e.md", front("edu", "news", "部门动态乙", "2026-11-03 10:00", aid="e1"))
    must_publish(c, "x.md", front("xian", "news", "县里动态丙", "2026-11-03 11:00", aid="x1"))
    c.start()
    try:
        ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}

        def sitemap(host):
            return [e.text for e in ET.fromstring(c.get("/sitemap.xml", host=host).body).findall("s:url/s:loc", ns)]

        portal = c.get("/").body.decode()
        assert "乡镇动态甲" in portal and "部门动态乙" in portal and "县里动态丙" in portal
        assert "http://xian.test.gov.cn/zhen/news/z1.html" in sitemap(XIAN_HOST)
        today = datetime.datetime.now(CST).date()
        c.site_path("zhen").write_text(c.site_path("zhen").read_text().replace(
            "status: active\n", f"status: {{state: suspended, from: {today}, until: {today + datetime.timedelta(days=30)}, reason: 整改}}\n"))
        c.site_path("edu").write_text(c.site_path("edu").read_text().replace(
            "status: active\n", f"status: {{state: closed, date: {today}, migrate_to: xian}}\n"))
        hup(c)
        r = c.poll_get("/", lambda p: "乡镇动态甲" not in p.body.decode() and "部门动态乙" not in p.body.decode())
        portal = r.body.decode()
        assert "乡镇动态甲" not in portal and "部门动态乙" not in portal and "县里动态丙" in portal
        assert 'href="/xian/zhen/"' not in portal and 'href="/edu/"' not in portal   # the directory
        assert 'href="/xian/"' in portal
        xian = sitemap(XIAN_HOST)
        assert "http://xian.test.gov.cn/news/x1.html" in xian
        assert not any("/zhen/" in u for u in xian), xian
        assert not any("edu" in u for u in sitemap(PORTAL_HOST))
        county = c.get("/xian/").body.decode()
        assert 'href="/xian/zhen/"' not in county
        # Every link left on the portal home answers 200.
        for path in set(links(c.get("/").body)):
            assert c.get(path).status == 200, path
    finally:
        c.stop()


# --------------------------------------------------------- same-minute order (13.15)

def test_same_minute_lists_newest_first(tmp_path):
    c = fresh(tmp_path / "c", workers=1)
    for i in range(25):
        must_publish(c, f"w{i:02d}.md", front("edu", "news", f"卫健动态第{i:02d}号", "2026-11-20 09:30", aid=f"w{i:02d}"))
    c.start()
    try:
        page1 = re.findall(r"卫健动态第(\d\d)号", c.get("/edu/news/").body.decode())
        assert page1 == [f"{i:02d}" for i in range(24, 4, -1)]
        page2 = re.findall(r"卫健动态第(\d\d)号", c.get("/edu/news/index_2.html").body.decode())
        assert page2 == ["04", "03", "02", "01", "00"]
        ns = {"a": "http://www.w3.org/2005/Atom"}
        feed = ET.fromstring(c.get("/edu/news/feed.xml").body)
        titles = [e.find("a:title", ns).text for e in feed.findall("a:entry", ns)]
        assert titles[:3] == ["卫健动态第24号", "卫健动态第23号", "卫健动态第22号"]
        latest = re.findall(r"卫健动态第(\d\d)号", c.get("/").body.decode().split("各地各部门动态")[1])
        assert latest[:10] == [f"{i:02d}" for i in range(24, 14, -1)]
        home = re.findall(r"卫健动态第(\d\d)号", c.get("/edu/").body.decode())
        assert home[:6] == ["24", "23", "22", "21", "20", "19"]
        # An update keeps its place; an unpublish leaves no stale index entry.
        r = publish(c, "w24.md", front("edu", "news", "卫健动态第24号", "2026-11-20 09:30", aid="w24"), cmd="update")
        assert r.returncode == 0, r.stderr
        r = c.ctl("unpublish", "--by", "李华", "--reason", "测试", "edu", "news", "w23")
        assert r.returncode == 0, r.stderr
        page1 = re.findall(r"卫健动态第(\d\d)号", c.get("/edu/news/").body.decode())
        assert page1 == ["24"] + [f"{i:02d}" for i in range(22, 3, -1)]
    finally:
        c.stop()


# -------------------------------------------------------------- future dates (20.5)

def dump(c):
    return store_dump(c.root)


def test_future_date_refused(bare):
    must_publish(bare, "now.md", front("edu", "notice", "两分钟后也算现在", cst(2), aid="soon"))
    before = dump(bare)
    when = cst(24 * 60)
    for cmd, aid in (("publish", "later"), ("update", "soon")):
        r = publish(bare, f"future-{cmd}.md", front("edu", "notice", "明天的通知", when, aid=aid), cmd=cmd)
        err = r.stderr.decode()
        assert r.returncode == 1, err
        assert len(err.strip().splitlines()) == 1, err
        assert f"date {when} is in the future" in err and "not scheduled" in err, err
        assert r.stdout == b""
        assert dump(bare) == before
    assert bare.get("/edu/notice/later.html").status == 404
    r = publish(bare, "future-dry.md", front("edu", "notice", "明天的通知", when, aid="later"))
    assert r.returncode == 1


# ---------------------------------------------------------- render cache (13.13)

def rewrite_title(c, old, new):
    """Rewrites an article's title inside its store record (same length), behind the
    server's back: no content version changes, so only a re-rendering shows it."""
    store = str(c.root / "store")
    r = subprocess.run(["mdb_dump", "-s", "content", store], capture_output=True, timeout=30, check=True)
    lines = r.stdout.decode().splitlines(keepends=True)
    head = lines[:lines.index("HEADER=END\n") + 1]
    pairs = lines[len(head):]
    oldhex, newhex = old.encode().hex(), new.encode().hex()
    out = []
    for k, v in zip(pairs[0::2], pairs[1::2]):
        if k.startswith(" " + b"a/".hex()) and oldhex in v:   # the article record, not the trail
            out += [k, v.replace(oldhex, newhex)]
    assert len(out) == 2, "exactly one record holds the title"
    subprocess.run(["mdb_load", "-s", "content", store], input="".join(head + out + ["DATA=END\n"]).encode(),
                   capture_output=True, timeout=30, check=True)


def test_junk_urls_do_not_flush_rendered_pages(tmp_path):
    c = fresh(tmp_path / "c", workers=1)
    must_publish(c, "probe.md", front("edu", "news", "CACHEPROBE-AAAA", "2026-11-02 10:00", aid="probe"))
    c.start()
    try:
        with RawConn(c.port, timeout=10) as conn:
            def get(path):
                conn.send_request("GET", path, {"Host": PORTAL_HOST})
                return conn.read_response()
            assert b"CACHEPROBE-AAAA" in get("/edu/news/probe.html").body
            rewrite_title(c, "CACHEPROBE-AAAA", "CACHEPROBE-BBBB")
            assert b"CACHEPROBE-AAAA" in get("/edu/news/probe.html").body   # served from the cache
            sent = 0
            deadline = time.monotonic() + 60
            while sent < 8400 and time.monotonic() < deadline:
                batch = "".join(f"GET /edu/news/junk-{sent + i}.html HTTP/1.1\r\nHost: {PORTAL_HOST}\r\n\r\n"
                                for i in range(100))
                conn.send(batch)
                for _ in range(100):
                    assert conn.read_response().status == 404
                sent += 100
            assert sent == 8400
            assert b"CACHEPROBE-AAAA" in get("/edu/news/probe.html").body   # not flushed by junk
    finally:
        c.stop()


# ----------------------------------------------------------------- SVG files (13.12)

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>\n'


def test_svg_files_are_sandboxed(bare, tmp_path):
    bare.import_pages("zhen", {"map.svg": SVG, "index.html": html("zhen", "ZHEN")})
    r = bare.get("/xian/zhen/map.svg")
    assert r.status == 200 and r.header("Content-Type").startswith("image/svg+xml")
    assert "sandbox" in r.headers_all("Content-Security-Policy")
    (bare.root / "articles").mkdir(exist_ok=True)
    (bare.root / "articles" / "chart.svg").write_bytes(SVG)
    must_publish(bare, "svg.md", front("zhen", "news", "附图", "2026-11-02 10:00", aid="svg", attachments=["chart.svg"]))
    r = bare.get("/xian/zhen/news/svg/chart.svg")
    assert r.status == 200 and "sandbox" in r.headers_all("Content-Security-Policy")
    ranged = bare.get("/xian/zhen/news/svg/chart.svg", headers={"Range": "bytes=0-9"})
    assert ranged.status == 206 and "sandbox" in ranged.headers_all("Content-Security-Policy")
    page = bare.get("/xian/zhen/news/svg.html")
    assert page.status == 200 and "sandbox" not in page.headers_all("Content-Security-Policy")
