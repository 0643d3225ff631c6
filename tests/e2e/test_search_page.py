# tests/e2e/test_search_page.py: the search page citizens use (modules/search/, issue 16):
# `<mount>search?q=...` without format=json is an HTML page in the site's theme (the box
# prefilled and escaped, the filters, 10 results a page with <mark>ed snippets, the page
# links, the "no results" advice, 400 pages), the search box in the theme's header on every
# rendered page, the hot searches (热搜词) counted through the writer in batches, the
# related searches (相关搜索) picked from the same counts, the per-address limit (429 with Retry-After), and the page driven by headless Chromium from
# the portal's own box.
import datetime
import html as htmllib
import json
import re
import struct
from urllib.parse import quote, urlencode

import pytest

from conftest import EDU_HOST, PORTAL_HOST, Cluster, clone_cluster, need_binaries
from test_search import content, load, publish_at


def page(c, query, path="/edu/search", host=PORTAL_HOST, status=200):
    r = c.get(path + ("?" + query if query else ""), host=host)
    assert r.status == status, (r.status, r.body[:3000])
    assert r.header("Content-Type") == "text/html; charset=utf-8"
    return r


def qs(**kw):
    return urlencode(kw)


def body(r):
    return r.body.decode()


def results(r):
    """[(title html, url, site name, date, snippet html)] of a results page."""
    return re.findall(r'<li class="result">\s*<h2><a href="([^"]*)">(.*?)</a></h2>\s*'
                      r'<p class="meta"><span class="site">(.*?)</span> <time[^>]*>(.*?)</time></p>\s*'
                      r'<p class="snippet">(.*?)</p>\s*<p class="address">(.*?)</p>', body(r), re.S)


@pytest.fixture(scope="module")
def srv_template(tmp_path_factory):
    need_binaries()
    c = Cluster(tmp_path_factory.mktemp("search-page"))
    c.import_base()
    publish_at(c, "edu", "news", "card", "社保卡办理指南", "携带身份证到窗口办理社保卡。", "2026-03-01 09:00")
    publish_at(c, "edu", "notice", "claim", "医保<报销>须知", "报销须知：社保卡和发票 & 收据。",
               "2026-04-01 10:30")
    publish_at(c, "xian", "news", "road", "道路施工公告", "社保大厅门前道路施工。", "2026-02-01 08:00")
    return c


@pytest.fixture
def srv(tmp_path, srv_template):
    """A server of its own with the base pages and three articles (published once per file,
    copied for each test)."""
    c = clone_cluster(srv_template, tmp_path / "c")
    c.start()
    yield c
    c.stop()


def test_results_page_with_marks_and_fields(srv):
    r = page(srv, qs(q="社保卡"))
    assert r.header("Cache-Control") == "no-cache"
    assert r.header("ETag") is None and r.header("Last-Modified") is None
    b = body(r)
    assert b.count("<h1>") == 1 and '<html lang="zh-CN"' in b
    assert "<h1>“社保卡”的搜索结果</h1>" in b
    assert 'id="search-q" name="q" type="search" value="社保卡"' in b
    assert "找到相关结果 2 条" in b
    got = {u: (t, s, d, snip, addr) for u, t, s, d, snip, addr in results(r)}
    assert got["/edu/news/card.html"] == ("社保卡办理指南", "测试市教育局", "2026-03-01 09:00",
                                          "携带身份证到窗口办理<mark>社保卡</mark>。",
                                          "/edu/news/card.html")
    # the title and the snippet are escaped; only the matched terms are marked
    assert got["/edu/notice/claim.html"][0] == "医保&lt;报销&gt;须知"
    assert got["/edu/notice/claim.html"][3] == "报销须知：<mark>社保卡</mark>和发票 &amp; 收据。"
    # every field of the form has a label
    for fid in re.findall(r'<(?:input|select) id="([^"]+)"', b):
        assert f'<label for="{fid}"' in b, fid
    # on a site's own host: paths below its own mount
    r = page(srv, qs(q="身份证"), path="/search", host=EDU_HOST)
    assert [x[0] for x in results(r)] == ["/news/card.html"]
    assert 'action="/search"' in body(r)


def test_query_and_snippet_are_escaped(srv):
    publish_at(srv, "edu", "news", "xss", "脚本测试", "段落 &lt;script&gt;alert(1)&lt;/script&gt; 结束",
               "2026-03-02 09:00")
    r = page(srv, "q=" + quote('"><script>alert(1)</script>'))
    b = body(r)
    assert "<script>" not in b and "alert(1)</script>" not in b
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in b
    # the article's text holds "<script>" as text: the snippet shows it escaped, marked
    r = page(srv, qs(q="script alert"))
    [(url, title, _, _, snip, _)] = results(r)
    assert url == "/edu/news/xss.html"
    assert snip == "段落 &lt;<mark>script</mark>&gt;<mark>alert</mark>(1)&lt;/<mark>script</mark>&gt; 结束"


def test_invalid_utf8_in_the_index_is_replaced(srv):
    # a document record changed behind the index's back: same lengths, bytes that are not
    # UTF-8 (and a control byte) in its title and text
    pairs = [(k, v.replace("办理指南".encode(), b"\xff<i>\x01\xfe\xc3\xc3\xc3" + "南".encode())
              .replace("窗口".encode(), b"\xe7\xaa<b>\x80"))
             for k, v in content(srv) if k.startswith(b"xd/") and "办理指南".encode() in v]
    assert len(pairs) == 1
    load(srv, pairs)
    r = page(srv, qs(q="身份证"))
    [(_, title, _, _, snip, _)] = results(r)
    assert title == "社保卡\ufffd&lt;i&gt; \ufffd\ufffd\ufffd\ufffd南"
    assert snip == "携带<mark>身份证</mark>到\ufffd\ufffd&lt;b&gt;\ufffd办理社保卡。"
    r = srv.get("/edu/search?" + qs(q="身份证", format="json"))
    a = json.loads(r.body.decode("utf-8"))          # strict: valid UTF-8
    assert a["results"][0]["title"] == "社保卡\ufffd<i> \ufffd\ufffd\ufffd\ufffd南"
    assert a["results"][0]["snippet"] == "携带身份证到\ufffd\ufffd<b>\ufffd办理社保卡。"


def test_filters_sort_and_no_results(srv):
    r = page(srv, qs(q="社保", column="notice"))
    assert [x[0] for x in results(r)] == ["/edu/notice/claim.html"]
    assert '<option value="notice" selected>' in body(r)
    r = page(srv, qs(q="社保", sort="date"))
    assert [x[0] for x in results(r)] == ["/edu/notice/claim.html", "/edu/news/card.html"]
    assert '<option value="date" selected>' in body(r)
    r = page(srv, qs(q="社保", **{"from": "2026-04-01"}))
    assert [x[0] for x in results(r)] == ["/edu/notice/claim.html"]
    assert 'name="from" type="date" value="2026-04-01"' in body(r)
    assert [x[0] for x in results(page(srv, qs(q="社保", to="2026-03-01")))] == ["/edu/news/card.html"]
    # nothing within the filters: advice, and the same query without them
    r = page(srv, qs(q="社保", type="page", **{"from": "2026-03-02"}, to="2026-03-31"))
    b = body(r)
    assert results(r) == [] and "未找到与“社保”相关的结果" in b
    assert '<a href="/edu/search?q=%E7%A4%BE%E4%BF%9D">不加筛选条件搜索“社保”</a>' in b
    # nothing at all: no filter to remove
    r = page(srv, qs(q="养老"))
    assert "未找到与“养老”相关的结果" in body(r) and "不加筛选条件" not in body(r)


def test_portal_page_filters_by_site(srv):
    r = page(srv, qs(q="社保"), path="/search")
    assert {x[0] for x in results(r)} == {"/edu/news/card.html", "/edu/notice/claim.html",
                                         "/xian/news/road.html"}
    b = body(r)
    assert '<label for="search-site">' in b and '<option value="xian">测试县人民政府</option>' in b
    r = page(srv, qs(q="社保", site="xian"), path="/search")
    assert [(x[0], x[2]) for x in results(r)] == [("/xian/news/road.html", "测试县人民政府")]
    assert '<option value="xian" selected>' in body(r)
    # a site's page has no site filter
    assert 'id="search-site"' not in body(page(srv, qs(q="社保")))


def test_paging(tmp_path):
    need_binaries()
    c = Cluster(tmp_path / "c")
    c.import_base()
    d = c.root / "articles"
    d.mkdir()
    for i in range(23):
        (d / f"a{i}.md").write_text(f"""---
site: edu
column: news
id: a{i:02d}
title: 招生公告第{i}号
publisher: 李华
reviewer: 王强
disclosure: 主动公开
date: 2026-03-{i + 1:02d} 09:00
secrecy_review: {{by: 赵敏, date: 2026-02-28}}
---
招生。
""")
    r = c.ctl("publish", *sorted(d.iterdir()))
    if r.returncode != 0:      # one article a run
        for f in sorted(d.iterdir()):
            assert c.ctl("publish", f).returncode == 0
    c.start()
    try:
        r = page(c, qs(q="招生", sort="date"))
        assert len(results(r)) == 10 and results(r)[0][0] == "/edu/news/a22.html"
        b = body(r)
        assert "找到相关结果 23 条，第 1 页" in b
        assert '<a rel="next" href="/edu/search?q=%E6%8B%9B%E7%94%9F&amp;sort=date&amp;page=2">' in b
        assert 'rel="prev"' not in b and '<span aria-current="page">1</span>' in b
        r = page(c, qs(q="招生", sort="date", page=3))
        assert [x[0] for x in results(r)] == ["/edu/news/a02.html", "/edu/news/a01.html",
                                              "/edu/news/a00.html"]
        b = body(r)
        assert '<a rel="prev" href="/edu/search?q=%E6%8B%9B%E7%94%9F&amp;sort=date&amp;page=2">' in b
        assert 'rel="next"' not in b and "共 3 页" in b
    finally:
        c.stop()


@pytest.mark.parametrize("query,text", [
    ("q=", "请输入要搜索的内容"), ("column=news", "请输入要搜索的内容"),
    ("q=" + quote("社" * 101), "不能超过100个字"), (qs(q="社", page=51), "页码应在1到50之间"),
    (qs(q="社", page="x"), "页码应在1到50之间"), (qs(q="社") + "&from=2026-1-1", "日期格式"),
    (qs(q="社", sort="best"), "搜索条件有误"), ("q=%FF", "搜索条件有误"), ("q=%zz", "搜索条件有误"),
    (qs(q="社", site="xian"), "搜索条件有误"), (qs(q="社") + "&q=x", "搜索条件有误"),
])
def test_bad_parameters_are_400_pages(srv, query, text):
    r = page(srv, query, status=400)
    b = body(r)
    assert f'<p class="search-error" role="alert">' in b and text in b, b[-3000:]
    assert b.count("<h1>") == 1 and "<ol class=\"results\">" not in b


def test_bare_page_is_the_box(srv):
    b = body(page(srv, ""))
    assert "<h1>站内搜索</h1>" in b and 'id="search-q"' in b and "role=\"alert\"" not in b


# ------------------------------------------------------------------ the header's box

HEADER_BOX = re.compile(r'<header class="site-header">.*?<form class="site-search" action="([^"]*)" '
                        r'method="get" role="search" aria-label="站内搜索"><label for="site-search-q" '
                        r'class="sr-only">搜索</label><input id="site-search-q" name="q"', re.S)


def test_header_box_on_every_rendered_page(tmp_path):
    need_binaries()
    from conftest import BASE_SITES
    sites = dict(BASE_SITES)
    sites["edu"] = dict(sites["edu"], extra="  - {id: hudong, name: 互动交流, type: interaction}\n")
    c = Cluster(tmp_path / "c", sites=sites)
    c.import_base()
    publish_at(c, "portal", "news", "p1", "市政府常务会议", "会议内容。", "2026-03-01 09:00")
    publish_at(c, "edu", "news", "card", "社保卡办理指南", "办理。", "2026-03-01 09:00")
    c.start()
    try:
        for path, host, action in [
                ("/", PORTAL_HOST, "/search"),                   # the portal's home
                ("/edu/", PORTAL_HOST, "/edu/search"),           # a site's home
                ("/", EDU_HOST, "/search"),                      # the same on its own host
                ("/edu/news/", PORTAL_HOST, "/edu/search"),      # a column
                ("/edu/news/card.html", PORTAL_HOST, "/edu/search"),  # an article
                ("/edu/hudong/", PORTAL_HOST, "/edu/search"),    # the message board
                ("/edu/hudong/new", PORTAL_HOST, "/edu/search"),  # its form
                ("/edu/nosuch/page", PORTAL_HOST, "/edu/search"),  # the themed 404
                ("/edu/search?q=x", PORTAL_HOST, "/edu/search")]:  # the search page itself
            r = c.get(path, host=host)
            assert r.status in (200, 404), (path, r.status)
            b = r.body.decode()
            m = HEADER_BOX.findall(b)
            assert m == [action], (path, m)
            # the header (box included) is in the page once
            assert b.count('id="site-search-q"') == 1, path
        # the box's form leads to the search page: what a browser sends is answered
        r = c.get("/edu/search?q=" + quote("社保卡"))
        assert [x[0] for x in results(r)] == ["/edu/news/card.html"]
    finally:
        c.stop()


# ------------------------------------------------------------------ in a browser

def test_search_from_the_portals_box_in_chromium(tmp_path):
    from conftest import demo_cluster, dump_dom
    c = demo_cluster(tmp_path / "demo")
    c.start()
    try:
        base = f"http://127.0.0.1:{c.port}"
        dom = dump_dom(base + "/", tmp_path)
        # the box as the browser built it: a GET form, its field named q, labelled 搜索
        form = re.search(r'<form class="site-search" action="([^"]+)" method="get"[^>]*>(.*?)</form>',
                         dom, re.S)
        assert form, "no search box in the portal's header"
        assert '<label for="site-search-q" class="sr-only">搜索</label>' in form.group(2)
        assert 'name="q"' in form.group(2)
        # what submitting it with 校园安全 loads
        url = base + form.group(1) + "?" + urlencode({"q": "校园安全"})
        dom = dump_dom(url, tmp_path)
        hits = re.findall(r'<li class="result">\s*<h2><a href="([^"]+)">(.*?)</a></h2>', dom, re.S)
        assert hits, dom[-3000:]
        href, title = hits[0]
        assert htmllib.unescape(title) == "全市开展校园安全大检查"
        assert href == "/edu/news/2026-11-21-anquan-dajiancha.html"
        snippets = re.findall(r'<p class="snippet">(.*?)</p>', dom, re.S)
        assert "<mark>" in snippets[0] and "校园" in re.sub(r"</?mark>", "", snippets[0])
        # following the result: the article, its title as the page's h1
        dom = dump_dom(base + href, tmp_path)
        h1 = re.findall(r"<h1[^>]*>(.*?)</h1>", dom, re.S)
        assert [htmllib.unescape(h).strip() for h in h1] == ["全市开展校园安全大检查"]
    finally:
        c.stop()


# ------------------------------------------------------------------ hot searches

def hot(r):
    """[(term, link)] of the hot searches on a search page."""
    m = re.search(r'<nav class="hot" aria-label="热搜词">(.*?)</nav>', body(r), re.S)
    return [(htmllib.unescape(t), htmllib.unescape(u))
            for u, t in re.findall(r'<a href="([^"]*)">(.*?)</a>', m.group(1))] if m else []


def hot_cluster(tmp_path, flush):
    need_binaries()
    c = Cluster(tmp_path / "c", extra_conf=f"search:\n  hot_flush: {flush}\n")
    c.import_base()
    publish_at(c, "edu", "news", "card", "社保卡办理指南", "携带身份证到窗口办理 IC Card 社保卡。",
               "2026-03-01 09:00")
    publish_at(c, "xian", "news", "road", "道路施工公告", "社保大厅门前道路施工。", "2026-02-01 08:00")
    return c


def test_hot_searches_counted_in_batches(tmp_path):
    c = hot_cluster(tmp_path, "100ms")
    c.start()
    try:
        for query in ["社保卡", "社保卡", "  社保卡 ", "身份证", "IC card", "ＩＣ　ＣＡＲＤ"]:
            page(c, qs(q=query))
        for _ in range(5):                          # junk that finds nothing never counts
            page(c, qs(q="无此词语"))
        page(c, qs(q="社保卡", page=2))             # a second page is the same search
        r = c.get("/edu/search?" + qs(q="身份证", format="json"))  # the JSON answer counts too
        assert r.status == 200
        want = [("社保卡", "/edu/search?q=%E7%A4%BE%E4%BF%9D%E5%8D%A1"),
                ("ic card", "/edu/search?q=ic%20card"),
                ("身份证", "/edu/search?q=%E8%BA%AB%E4%BB%BD%E8%AF%81")]
        r = c.poll_get("/edu/search?q=x", lambda r: hot(r) == want)
        assert hot(r) == want, hot(r)
        # the hot searches are per site: xian's page has none of edu's
        r = c.get("/xian/search?" + qs(q="施工"))
        assert hot(r) == []
        r = c.poll_get("/xian/search?" + qs(q="施工"), lambda r: hot(r) == [("施工", "/xian/search?q=%E6%96%BD%E5%B7%A5")])
        assert hot(r) == [("施工", "/xian/search?q=%E6%96%BD%E5%B7%A5")]
        # a query too long to be a hot term (over 20 characters) finds, and is not counted
        long_q = "社保卡" + " 社保卡" * 5
        page(c, qs(q=long_q))
        page(c, qs(q="社保卡"))
        r = c.poll_get("/edu/search?q=x", lambda r: hot(r) and hot(r)[0] == want[0] and
                       "社保卡" in body(r) and len(hot(r)) == 3)
        assert [t for t, _ in hot(r)] == ["社保卡", "ic card", "身份证"]
    finally:
        c.stop()
    keys = [k for k, _ in content(c) if k.startswith(b"xh/")]
    assert len(keys) == 2 and keys[0].startswith(b"xh/edu/") and keys[1].startswith(b"xh/xian/")


def test_hot_searches_flushed_at_shutdown(tmp_path):
    c = hot_cluster(tmp_path, "60s")                 # no flush while the test runs
    c.start()
    try:
        page(c, qs(q="社保卡"))
        page(c, qs(q="社保卡"))
        assert hot(page(c, qs(q="x"))) == []
    finally:
        assert c.stop() == 0
    [(k, v)] = [(k, v) for k, v in content(c) if k.startswith(b"xh/edu/")]
    assert v[:4] == b"JYSH" and "社保卡".encode() in v
    assert int.from_bytes(v[8:12], "little") == 2      # u16 n = 1, then the count
    c.start()
    try:
        assert [t for t, _ in hot(page(c, qs(q="x")))] == ["社保卡"]
    finally:
        c.stop()


def test_hot_flush_is_bounded_in_config(tmp_path):
    need_binaries()
    for bad in ["0s", "2m", "5ms"]:
        c = Cluster(tmp_path / bad, extra_conf=f"search:\n  hot_flush: {bad}\n")
        r = c.ctl("check")
        assert r.returncode != 0, bad
        assert "hot_flush" in (r.stderr + r.stdout).decode(), (bad, r.stderr)


# ------------------------------------------------------------------ related searches

def related(r):
    """[(term, link)] of the related searches on a search page ([] when the block is not
    there; the block is there only with at least one)."""
    m = re.search(r'<section class="related" aria-labelledby="related-title">\s*'
                  r'<h2 id="related-title">相关搜索</h2>\s*<ul>(.*?)</ul>\s*</section>', body(r), re.S)
    if not m:
        assert "相关搜索" not in body(r)
        return []
    got = [(htmllib.unescape(t), htmllib.unescape(u))
           for u, t in re.findall(r'<li><a href="([^"]*)">(.*?)</a></li>', m.group(1))]
    assert got
    return got


def related_json(c, query, path="/edu/search"):
    r = c.get(path + "?" + qs(q=query, format="json"))
    assert r.status == 200, r.body
    a = json.loads(r.body)
    assert list(a) == ["q", "total", "capped", "page", "results", "related"]
    return a["related"]


def hot_day_record(terms):
    """A day record of hot searches as search_hot.c writes it ("JYSH" v1, u16 n, then
    u32 count and a u32-length string with its NUL for each term)."""
    v = b"JYSH" + struct.pack("<HH", 1, len(terms))
    for term, count in terms:
        t = term.encode()
        v += struct.pack("<II", count, len(t)) + t + b"\0"
    return v


def test_related_searches(tmp_path):
    c = hot_cluster(tmp_path, "100ms")
    publish_at(c, "edu", "notice", "fee", "社保缴费与医保报销", "医保报销和社保缴费的说明。",
               "2026-03-02 09:00")
    c.start()
    try:
        # nothing counted yet: an empty list in the JSON, no block on the page (a query that
        # finds nothing, so that it is not counted either)
        assert related_json(c, "社保新政") == []
        assert related(page(c, qs(q="社保新政"))) == []
        for query in ["社保卡办理", "社保卡办理", "社保缴费", "医保", "医保", "医保", "身份证"]:
            page(c, qs(q=query))
        page(c, qs(q="社保大厅"), path="/xian/search")      # another site's search
        page(c, qs(q="社保卡"), path="/search")              # the portal's own
        for _ in range(3):
            page(c, qs(q="社保新政"))                        # finds nothing: never counted
        want_hot = ["医保", "社保卡办理", "社保缴费", "身份证"]
        r = c.poll_get("/edu/search?q=x", lambda r: [t for t, _ in hot(r)] == want_hot)
        assert [t for t, _ in hot(r)] == want_hot
        c.poll_get("/xian/search?q=x", lambda r: hot(r) != [])
        c.poll_get("/search?q=x", lambda r: hot(r) != [])

        # 社保 shares a bigram with 社保卡办理 and 社保缴费 (more searched first), not with
        # 医保 nor 身份证; xian's 社保大厅 and the portal's 社保卡 are not edu's
        r = page(c, qs(q="社保"))
        assert related(r) == [("社保卡办理", "/edu/search?q=" + quote("社保卡办理")),
                              ("社保缴费", "/edu/search?q=" + quote("社保缴费"))]
        assert results(r)                              # beside results that were found
        assert related_json(c, "社保") == ["社保卡办理", "社保缴费"]
        # the same block on a later page of the same query
        assert [t for t, _ in related(page(c, qs(q="社保", page=2)))] == ["社保卡办理", "社保缴费"]
        # never the query itself (compared folded)
        assert [t for t, _ in related(page(c, qs(q=" 社保卡办理！")))] == ["社保缴费"]
        assert related_json(c, "社保卡办理") == ["社保缴费"]
        # a query that found nothing gets them too, beside the advice
        r = page(c, qs(q="社保新政"))
        assert "未找到与“社保新政”相关的结果" in body(r)
        assert [t for t, _ in related(r)] == ["社保卡办理", "社保缴费"]
        assert related_json(c, "社保新政") == ["社保卡办理", "社保缴费"]
        # unrelated: an empty list, no block
        assert related_json(c, "道路") == [] and related(page(c, qs(q="道路"))) == []
        # each site its own: xian's and the portal's (the portal searches the cluster, and
        # relates its own searches, as its hot searches are its own)
        assert related_json(c, "社保", path="/xian/search") == ["社保大厅"]
        assert [t for t, _ in related(page(c, qs(q="社保"), path="/xian/search"))] == ["社保大厅"]
        assert related_json(c, "社保", path="/search") == ["社保卡"]
        # a refused query (400) has none: the JSON's error alone, the page without the block
        r = c.get("/edu/search?" + qs(q="社保", page=99, format="json"))
        assert r.status == 400 and list(json.loads(r.body)) == ["error"]
        assert related(page(c, qs(q="社保", page=99), status=400)) == []

        # a stored term is shown as text only: one with markup (a search would fold it away;
        # written here into yesterday's record, UTC+8) is escaped in the page and the JSON
        day = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=8)
               - datetime.timedelta(days=1)).strftime("%Y%m%d")
        load(c, [(b"xh/edu/" + day.encode(), hot_day_record([('<b>社保</b>"', 9)]))])
        r = c.poll_get("/edu/search?" + qs(q="社保"), lambda r: len(related(r)) == 3)
        assert [t for t, _ in related(r)] == ['<b>社保</b>"', "社保卡办理", "社保缴费"]
        assert ('<li><a href="/edu/search?q=%3Cb%3E%E7%A4%BE%E4%BF%9D%3C%2Fb%3E%22">'
                "&lt;b&gt;社保&lt;/b&gt;&quot;</a></li>") in body(r)
        assert "<b>社保" not in body(r)
        r = c.get("/edu/search?" + qs(q="社保", format="json"))
        assert '"related":["\\u003cb\\u003e社保\\u003c/b\\u003e\\"",' in r.body.decode()
    finally:
        c.stop()
    # nothing a citizen typed was stored by the related searches: the searches that found
    # nothing are in no record
    assert not any("社保新政".encode() in v for k, v in content(c) if k.startswith(b"xh/"))


# ------------------------------------------------------------------ the per-address limit

def test_searches_a_minute_per_address(tmp_path):
    need_binaries()
    c = Cluster(tmp_path / "c", limits={"search_per_minute": 3})
    c.import_base()
    publish_at(c, "edu", "news", "card", "社保卡办理指南", "办理社保卡。", "2026-03-01 09:00")
    c.start()
    try:
        page(c, qs(q="社保卡"))
        assert c.get("/edu/search?" + qs(q="社保卡", format="json")).status == 200
        page(c, qs(q="x"), path="/search")             # every site's search counts alike
        r = page(c, qs(q="社保卡"), status=429)
        ra = int(r.header("Retry-After"))
        assert 1 <= ra <= 60
        b = body(r)
        assert '<p class="search-error" role="alert">您的搜索过于频繁，请稍后再试。</p>' in b
        assert results(r) == [] and b.count("<h1>") == 1
        r = c.get("/edu/search?" + qs(q="社保卡", format="json"))
        assert r.status == 429 and 1 <= int(r.header("Retry-After")) <= 60
        assert json.loads(r.body) == {"error": "too many searches from this address: "
                                               "limits.search_per_minute"}
        # other pages are not limited by it
        assert c.get("/edu/news/card.html").status == 200
    finally:
        c.stop()


def test_exempt_addresses_are_not_limited(tmp_path):
    need_binaries()
    c = Cluster(tmp_path / "c", limits={"search_per_minute": 2,
                                        "exempt_addresses": '["127.0.0.0/8"]'})
    c.import_base()
    c.start()
    try:
        for _ in range(4):
            page(c, qs(q="社保卡"))
    finally:
        c.stop()


# ------------------------------------------------------------------ imported pages

def page_hits(c, text, path="/edu/search", **kw):
    r = c.get(path + "?" + qs(q=text, format="json", **kw))
    assert r.status == 200, r.body
    return [(h["url"], h["title"], h["column"]) for h in json.loads(r.body)["results"]]


def test_imported_pages_of_the_live_generation_are_searched(tmp_path):
    need_binaries()
    from conftest import write_pages
    c = Cluster(tmp_path / "c", limits={"search_per_minute": 1000})
    c.import_base()
    c.import_pages("edu", {
        "index.html": "<html><head><title>教育局首页</title><style>.x{}</style></head>"
                      "<body><h1>欢迎</h1><p>招生<b>考试</b>信息</p></body></html>".encode(),
        "news/gaokao.html": "<html><head><title>高考报名通知</title><script>var 密钥='x';</script>"
                            "</head><body><p>报名时间为三月。</p><script>隐藏脚本()</script></body></html>".encode(),
        "404.html": b"<html><head><title>not found</title></head><body>\xe6\x89\xbe\xe4\xb8\x8d\xe5\x88\xb0</body></html>",
        "style.css": "/* 高考 */".encode(),
    })
    c.start()
    try:
        assert page_hits(c, "高考") == [("/edu/news/gaokao.html", "高考报名通知", "news")]
        assert page_hits(c, "报名时间") == [("/edu/news/gaokao.html", "高考报名通知", "news")]
        assert page_hits(c, "招生考试") == [("/edu/", "教育局首页", "")]   # inline tags do not split
        assert page_hits(c, "密钥") == [] and page_hits(c, "隐藏脚本") == []  # no scripts
        assert page_hits(c, "找不到") == []                                # nor the 404 page
        assert page_hits(c, "高考", type="article") == []
        assert page_hits(c, "高考", path="/search") == [("/edu/news/gaokao.html", "高考报名通知", "news")]
        assert page_hits(c, "高考", path="/search", site="xian") == []
        r = c.get("/search?" + qs(q="高考"), host=EDU_HOST)
        assert [x[:2] for x in results(r)] == [("/news/gaokao.html", "高考报名通知")]

        # a redesign's generation: not searchable while it is a preview
        v2 = write_pages(c.root / "v2", {
            "index.html": "<html><head><title>新版首页</title></head><body>全新改版网站</body></html>".encode()})
        r = c.ctl("import", "--generation", "v2", "edu", v2)
        assert r.returncode == 0, r.stderr
        assert page_hits(c, "改版") == [] and len(page_hits(c, "高考")) == 1
        # promoted: the new pages are found, the old ones are not, in the same commit
        r = c.ctl("promote", "edu", "v2")
        assert r.returncode == 0, r.stderr
        assert page_hits(c, "改版") == [("/edu/", "新版首页", "")]
        assert page_hits(c, "高考") == []
        # rolled back: the other way round
        r = c.ctl("rollback", "edu")
        assert r.returncode == 0, r.stderr
        assert page_hits(c, "改版") == [] and len(page_hits(c, "高考")) == 1
        # a live page removed is no longer found; the rebuilt index equals the kept one
        r = c.ctl("rm", "edu", "news/gaokao.html")
        assert r.returncode == 0, r.stderr
        assert page_hits(c, "高考") == []
        r = c.ctl("reindex", "--check")
        assert r.returncode == 0, r.stderr
        # a page of the preview generation removed changes nothing searchable
        r = c.ctl("rm", "--generation", "v2", "edu", "index.html")
        assert r.returncode == 0, r.stderr
        assert page_hits(c, "招生") == [("/edu/", "教育局首页", "")]
    finally:
        c.stop()
