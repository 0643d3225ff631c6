# tests/e2e/test_content.py: publishing with accountability through the real jiyuectl into
# a running jiyue: the refusals (each writes nothing: the store dump is byte-identical),
# publish / update / unpublish and the audit trail that records each step, and the pages
# rendered by the default theme (article, column with pagination, site home, portal home,
# Atom feed, sitemap, mourning), beside imported static pages.
import re
import shutil
import signal
import subprocess
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import CSS, EDU_HOST, JIYUE, ROOT, gunzip, make_cluster, run, store_dump

# These tests tell one story over a shared cluster (static pages, then publishing, then
# the lists and feeds of what was published):
# `make test-shuffle` keeps their order within this file; the file itself runs alone and
# in any position among the others.
pytestmark = pytest.mark.random_order(disabled=True)

THEMES = ROOT / "conf" / "themes"

FRONT = {
    "site": "edu",
    "column": "news",
    "title": "全市中小学秋季开学工作会议召开",
    "source": "测试市教育局",
    "author": "张明",
    "publisher": "李华",
    "reviewer": "王强",
    "disclosure": "主动公开",
    "date": "2026-09-01 09:30",
}
BODY = "# 会议纪要\n\n**九月一日**，全市中小学秋季开学。<script>alert(1)</script>\n"


def article_text(secrecy=True, body=BODY, **over):
    meta = dict(FRONT)
    meta.update(over)
    lines = ["---"]
    for k, v in meta.items():
        if v is not None:
            lines.append(f"{k}: {v}")
    if secrecy:
        lines.append("secrecy_review: {by: 赵敏, date: 2026-08-31}")
    lines.append("---")
    return "\n".join(lines) + "\n" + body


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    c = make_cluster(tmp_path_factory, "content", extra_conf=f"themes: {THEMES}\n")
    c.start()
    yield c
    c.stop()


def write(site, name, text):
    d = site.root / "articles"
    d.mkdir(exist_ok=True)
    p = d / name
    p.write_text(text)
    return p


def publish(site, name, text, *flags, cmd="publish"):
    return site.ctl(cmd, *flags, write(site, name, text))


def dump(site):
    return store_dump(site.root)


def history(site, *args):
    r = site.ctl("history", *args)
    assert r.returncode == 0, r.stderr
    return [line.split("\t") for line in r.stdout.decode().splitlines()]


# ---------------------------------------------------------------------------- publishing

def test_static_pages_before_publishing(site):
    """Nothing published yet: every imported page, homes and column pages included, is
    served as imported."""
    assert b"PORTAL-HOME" in site.get("/").body
    assert b"EDU-NEWS" in site.get("/edu/news/").body
    assert b"EDU-HOME" in site.get("/", host=EDU_HOST).body


REFUSALS = [
    ("unknown-site", dict(site="nosuch"), True, "unknown site 'nosuch'"),
    ("unknown-column", dict(column="nosuch"), True, "has no column 'nosuch'"),
    ("no-title", dict(title=None), True, "missing title"),
    ("no-publisher", dict(publisher=None), True, "missing publisher"),
    ("no-reviewer", dict(reviewer=None), True, "missing reviewer"),
    ("self-review", dict(reviewer="李华"), True, "reviewer must be someone other than the publisher"),
    ("no-secrecy", {}, False, "missing confidentiality review"),
    ("withheld", dict(disclosure="不予公开"), True, "不予公开"),
]


@pytest.mark.parametrize("name,over,secrecy,message", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_refusals_write_nothing(site, name, over, secrecy, message):
    before = dump(site)
    r = publish(site, f"refuse-{name}.md", article_text(secrecy=secrecy, **over))
    err = r.stderr.decode()
    assert r.returncode == 1, err
    assert message in err
    assert len(err.strip().splitlines()) == 1, err  # one clear line
    assert r.stdout == b""
    assert dump(site) == before


def test_static_and_interaction_columns_refused(site):
    path = site.site_path("edu")
    original = path.read_text()
    assert original.rstrip().endswith("type: notice}")   # columns is the file's last key
    try:
        path.write_text(original + "  - {id: about, name: 概况, type: static}\n"
                                   "  - {id: mailbox, name: 局长信箱, type: interaction}\n")
        before = dump(site)
        for col in ("about", "mailbox"):
            r = publish(site, f"refuse-{col}.md", article_text(column=col))
            err = r.stderr.decode()
            assert r.returncode == 1 and "its pages are not articles" in err
            # a batch publish says which file it refused
            assert f"refuse-{col}.md: refused: " in err and len(err.strip().splitlines()) == 1, err
        assert dump(site) == before
    finally:
        path.write_text(original)


def test_unknown_front_matter_key_is_refused(site):
    before = dump(site)
    r = publish(site, "typo.md", article_text(reviwer="王强"))
    assert r.returncode == 1
    assert "unknown key 'reviwer'" in r.stderr.decode()
    assert re.search(r"typo\.md:\d+:1:", r.stderr.decode())
    assert dump(site) == before


def test_publish_update_unpublish_audited(site):
    r = publish(site, "kaixue.md", article_text())
    assert r.returncode == 0, r.stderr
    url = r.stdout.decode().strip()
    assert url == "/edu/news/kaixue.html"

    page = site.get(url)
    assert page.status == 200
    text = page.body.decode()
    assert "全市中小学秋季开学工作会议召开" in text
    assert "<strong>九月一日</strong>" in text          # Markdown rendered at publish time
    assert "<script>alert(1)</script>" not in text       # raw HTML in Markdown is dropped
    # The same article on the site's own host, below its mount there.
    own = site.get("/news/kaixue.html", host=EDU_HOST)
    assert own.status == 200 and "全市中小学秋季开学工作会议召开" in own.body.decode(), own
    assert "<strong>九月一日</strong>" in own.body.decode()

    again = publish(site, "kaixue.md", article_text())
    assert again.returncode == 1 and "already published" in again.stderr.decode()

    r = publish(site, "kaixue.md", article_text(title="全市中小学秋季开学工作会议召开（更新）"), cmd="update")
    assert r.returncode == 0, r.stderr
    page = site.poll_get(url, lambda p: "（更新）" in p.body.decode())
    assert "（更新）" in page.body.decode()

    r = site.ctl("unpublish", "--by", "李华", "--reason", "信息过期", "edu", "news", "kaixue")
    assert r.returncode == 0, r.stderr
    assert site.get(url).status == 404

    rows = [h for h in history(site, "edu") if h[3] == "edu/news/kaixue"]
    assert [h[2] for h in rows] == ["publish", "update", "unpublish"]
    assert [h[4] for h in rows] == ["rev 1", "rev 2", "rev 2"]
    assert rows[0][5] == "by 李华" and rows[0][6] == "reviewed by 王强"
    assert rows[2][5] == "by 李华" and "信息过期" in rows[2][6]
    seqs = [int(h[0]) for h in rows]
    assert seqs == sorted(seqs)
    # Records are never rewritten: a later publish appends, the old lines stay as they were.
    publish(site, "later.md", article_text(title="后续信息"))
    assert [h for h in history(site, "edu") if h[3] == "edu/news/kaixue"] == rows
    assert all(h[3].startswith("edu/") for h in history(site, "edu"))
    r = site.ctl("unpublish", "--by", "李华", "edu", "news", "kaixue")
    assert r.returncode == 1 and "no published article" in r.stderr.decode()


def test_history_unknown_site(site):
    r = site.ctl("history", "nosuch")
    assert r.returncode == 1 and "unknown site" in r.stderr.decode()


def test_attachments_served_beside_article(site, tmp_path):
    d = site.root / "articles"
    d.mkdir(exist_ok=True)
    (d / "fujian.pdf").write_bytes(b"%PDF-1.4\n" + b"0" * 2000 + b"\n%%EOF\n")
    r = publish(site, "with-att.md", article_text(title="附件测试", attachments="[fujian.pdf]"))
    assert r.returncode == 0, r.stderr
    page = site.get("/edu/news/with-att.html")
    assert 'href="/edu/news/with-att/fujian.pdf"' in page.body.decode()
    att = site.get("/edu/news/with-att/fujian.pdf")
    assert att.status == 200
    assert att.header("Content-Type") == "application/pdf"
    assert att.body.startswith(b"%PDF-1.4")


# ---------------------------------------------------------------------------- pages

META_RE = re.compile(r'<meta name="(\w+)" content="([^"]*)">')


def metas(body):
    return dict(META_RE.findall(body.decode()))


def publish_many(site, sid, col, n, prefix, day="2026-10-{:02d} 08:00", title="{} 第{}条", same_time=()):
    for i in range(1, n + 1):
        date = "2026-10-15 08:00" if i in same_time else day.format(i % 28 + 1)
        r = publish(site, f"{prefix}-{i}.md",
                    article_text(site=sid, column=col, title=title.format(prefix, i), date=f'"{date}"'))
        assert r.returncode == 0, r.stderr


def test_article_page_tags_and_footer(site):
    r = publish(site, "meta.md", article_text(title="关于<印发>实施方案的通知", source="测试市教育局办公室"))
    assert r.returncode == 0, r.stderr
    page = site.get("/edu/news/meta.html")
    body = page.body.decode()
    m = metas(page.body)
    assert m["ArticleTitle"] == "关于&lt;印发&gt;实施方案的通知"   # escaped by default
    assert m["PubDate"] == "2026-09-01 09:30"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", m["PubDate"])
    assert m["ContentSource"] == "测试市教育局办公室"
    assert m["SiteName"] == "测试市教育局"
    assert m["SiteDomain"] == EDU_HOST
    assert m["SiteIDCode"] == "1100000002"
    assert "<h1>关于&lt;印发&gt;实施方案的通知</h1>" in body
    assert 'datetime="2026-09-01T09:30:00+08:00">2026-09-01 09:30</time>' in body  # visible time
    # The footer: organizer, contact, 网站标识码, ICP and 公安 links, 党政机关 place, 找错.
    assert '<span id="organizer">测试市教育局办公室</span>' in body
    assert '<span id="site-code">1100000002</span>' in body
    assert 'href="https://beian.miit.gov.cn/"' in body and "测ICP备1100000002号" in body
    assert 'href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=1100000002"' in body
    assert 'id="conac"' in body
    assert "我为政府网站找错" in body
    assert page.header("Content-Type") == "text/html; charset=utf-8"
    # Served like a stored page: validators, 304, the gzip variant made once per fill.
    etag = page.header("ETag")
    assert etag and page.header("Last-Modified")
    assert site.get("/edu/news/meta.html", headers={"If-None-Match": etag}).status == 304
    gz = site.get("/edu/news/meta.html", headers={"Accept-Encoding": "gzip"})
    assert gz.header("Content-Encoding") == "gzip"
    assert gunzip(gz.body) == page.body
    head = site.get("/edu/news/meta.html", method="HEAD")
    assert head.status == 200 and head.body == b""


def test_column_pages_paginate_newest_first(site):
    # 45 articles, three of them at the same time: ties come in publication order.
    publish_many(site, "xian", "news", 45, "pg", same_time=(30, 31, 32))
    first = site.get("/xian/news/")
    assert first.status == 200
    body = first.body.decode()
    m = metas(first.body)
    assert m["ColumnName"] == "工作动态"
    assert m["ColumnType"] and "ColumnDescription" in m and "ColumnKeywords" in m
    assert m["SiteName"] == "测试县人民政府"
    titles = re.findall(r'<li><a href="/xian/news/pg-\d+\.html">(pg 第\d+条)</a>', body)
    assert len(titles) == 20
    dates = re.findall(r'<time datetime="[^"]+">(\d{4}-\d{2}-\d{2})</time>', body)
    assert len(dates) == 20 and dates == sorted(dates, reverse=True)
    assert 'href="/xian/news/index_2.html"' in body
    assert "共 3 页 45 条" in body
    page3 = site.get("/xian/news/index_3.html").body.decode()
    assert len(re.findall(r'<li><a href="/xian/news/pg-', page3)) == 5
    assert 'rel="prev" href="/xian/news/index_2.html"' in page3
    assert site.get("/xian/news/index_4.html").status == 404
    # the same page but for the 适老化 switch, which comes back to the path asked for
    switch = re.compile(rb'<a class="care-switch" href="[^"]*">')
    assert switch.sub(b"", site.get("/xian/news/index.html").body) == switch.sub(b"", first.body)
    # Ties: the three same-time articles appear together, the last published first.
    everything = "".join(site.get(u).body.decode() for u in
                         ("/xian/news/", "/xian/news/index_2.html", "/xian/news/index_3.html"))
    order = re.findall(r"pg 第(\d+)条", everything)
    assert len(order) == 45 and len(set(order)) == 45
    tie = [o for o in order if o in ("30", "31", "32")]
    assert tie == ["32", "31", "30"]
    i = order.index("32")
    assert order[i:i + 3] == ["32", "31", "30"]


def test_site_home_and_directory(site):
    home = site.get("/xian/")
    body = home.body.decode()
    assert home.status == 200 and b"XIAN-HOME" not in home.body
    assert "pg 第" in body                       # latest items of its columns
    assert '<h2 id="b-news"><a href="/xian/news/">工作动态</a></h2>' in body
    assert "乡镇（街道）网站" in body and 'href="/xian/zhen/"' in body
    # On the county's own host, links are paths on that host.
    own = site.get("/", host="xian.test.gov.cn").body.decode()
    assert 'href="/news/pg-' in own and 'href="/zhen/"' in own


def test_portal_home(site):
    r = site.poll_get("/", lambda p: b"PORTAL-HOME" not in p.body)
    body = r.body.decode()
    assert "各地各部门动态" in body
    latest = re.findall(r'<li><a href="([^"]+)">[^<]+</a> <a class="from" href="[^"]+">([^<]+)</a>', body)
    assert latest and {n for _, n in latest} <= {"测试市教育局", "测试县人民政府"}
    assert any(u.startswith("/xian/news/") for u, _ in latest)
    for label, link in (("部门网站", 'href="/edu/">测试市教育局'), ("区县网站", 'href="/xian/">测试县人民政府'),
                        ("乡镇（街道）网站", 'href="/xian/zhen/">测试镇人民政府')):
        assert label in body and link in body
    m = metas(r.body)
    assert m["SiteName"] == "测试市人民政府" and m["SiteIDCode"] == "1100000001"
    # The portal's own news column has no articles: its imported page stays.
    assert b"PORTAL-NEWS" in site.get("/news/").body
    # Imported pages beside articles keep working.
    assert b"EDU-PAGE" in site.get("/edu/page.html").body
    css = site.get("/style.css")
    assert css.status == 200 and css.body == CSS, css
    assert css.header("Content-Type", "").startswith("text/css"), css


def test_atom_feed(site):
    r = site.get("/xian/news/feed.xml")
    assert r.status == 200
    assert r.header("Content-Type") == "application/atom+xml; charset=utf-8"
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ET.fromstring(r.body)
    entries = root.findall("a:entry", ns)
    assert len(entries) == 20
    assert root.find("a:title", ns).text == "工作动态 - 测试县人民政府"
    first = entries[0]
    assert first.find("a:id", ns).text.startswith("http://xian.test.gov.cn/news/pg-")
    assert first.find("a:content", ns).get("type") == "html"
    assert "<h1>会议纪要</h1>" in first.find("a:content", ns).text
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00", first.find("a:updated", ns).text)


def test_sitemap_per_host(site):
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    r = site.get("/sitemap.xml", host="xian.test.gov.cn")
    assert r.status == 200 and r.header("Content-Type") == "application/xml; charset=utf-8"
    locs = [e.text for e in ET.fromstring(r.body).findall("s:url/s:loc", ns)]
    assert "http://xian.test.gov.cn/" in locs
    assert "http://xian.test.gov.cn/news/" in locs
    assert sum(1 for u in locs if re.match(r"http://xian\.test\.gov\.cn/news/pg-\d+\.html$", u)) == 45
    # The township has no host of its own: it is listed on its county's host.
    assert "http://xian.test.gov.cn/zhen/" in locs
    assert all(u.startswith("http://xian.test.gov.cn/") for u in locs)
    portal = [e.text for e in ET.fromstring(site.get("/sitemap.xml").body).findall("s:url/s:loc", ns)]
    assert "http://www.test.gov.cn/" in portal and all(u.startswith("http://www.test.gov.cn/") for u in portal)


def test_publish_shows_at_next_request(site):
    before = site.get("/xian/news/").body
    # Dated now (a date ahead of the clock is refused): the newest of the column.
    now = time.strftime("%Y-%m-%d %H:%M", time.gmtime(time.time() + 8 * 3600))
    # Asked for before it exists: declined (and the decline remembered by the worker)...
    for _ in range(3):
        assert site.get("/xian/news/fresh-1.html").status == 404
    r = publish(site, "fresh.md", article_text(site="xian", column="news", id="fresh-1",
                                               title="刚刚发布的信息", date=f'"{now}"'))
    assert r.returncode == 0, r.stderr
    # ...which the publish makes stale at once
    r = site.get("/xian/news/fresh-1.html")
    assert r.status == 200 and "刚刚发布的信息" in r.body.decode(), r
    after = site.get("/xian/news/").body.decode()   # no reload, no wait: the next request
    assert "刚刚发布的信息" in after and after.encode() != before
    assert "刚刚发布的信息" in site.get("/").body.decode()
    assert "刚刚发布的信息" in site.get("/xian/").body.decode()


def reload(site):
    site.signal(signal.SIGHUP)


def test_mourning_switch(site):
    assert 'class="mourning"' not in site.get("/edu/news/meta.html").body.decode()
    path = site.site_path("edu")
    original = path.read_text()
    try:
        path.write_text(original + "mourning: true\n")
        reload(site)
        r = site.poll_get("/edu/news/meta.html", lambda p: b'class="mourning"' in p.body)
        assert b'<html lang="zh-CN" class="mourning">' in r.body
        assert b"grayscale(100%)" in r.body
        assert b'class="mourning"' not in site.get("/xian/").body   # only that site
    finally:
        path.write_text(original)
        reload(site)
    site.poll_get("/edu/news/meta.html", lambda p: b'class="mourning"' not in p.body)
    conf = site.conf.read_text()
    try:
        site.conf.write_text(conf + "mourning: true\n")
        reload(site)
        assert b'class="mourning"' in site.poll_get("/xian/", lambda p: b'class="mourning"' in p.body).body
        assert b'class="mourning"' in site.get("/").body   # the whole cluster
    finally:
        site.conf.write_text(conf)
        reload(site)
    site.poll_get("/", lambda p: b'class="mourning"' not in p.body)


def test_template_error_is_a_config_error_and_reload_recompiles(site, tmp_path):
    themes = tmp_path / "themes"
    shutil.copytree(THEMES, themes)
    conf = site.conf.read_text()
    article = themes / "default" / "article.html"
    good = article.read_text()
    try:
        site.conf.write_text(conf.replace(f"themes: {THEMES}", f"themes: {themes}"))
        article.write_text(good.replace("<h1>{{article.title}}</h1>", "<h1>{{article.title}} RECOMPILED</h1>"))
        reload(site)
        r = site.poll_get("/edu/news/meta.html", lambda p: b"RECOMPILED" in p.body)
        assert b"RECOMPILED" in r.body
        # A broken template: jiyuectl check and jiyue -t point at it, a reload keeps the old one.
        article.write_text(good.replace("<h1>{{article.title}}</h1>", "<h1>\n  {{#if article.title}}</h1>"))
        chk = site.ctl("check")
        assert chk.returncode == 1
        err = (chk.stdout + chk.stderr).decode()
        assert re.search(re.escape(str(article)) + r":\d+:3: .*never closed", err), err
        t = run([JIYUE, "-t", "-c", site.conf])
        assert t.returncode == 1 and str(article) in (t.stdout + t.stderr).decode()
        reload(site)
        time.sleep(0.3)
        assert b"RECOMPILED" in site.get("/edu/news/meta.html").body   # old snapshot kept
    finally:
        site.conf.write_text(conf)
        reload(site)
    site.poll_get("/edu/news/meta.html", lambda p: b"RECOMPILED" not in p.body)
