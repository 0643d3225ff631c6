# tests/e2e/test_console_offer.py: 报送 over HTTP against the real server. A township's
# editor offers a published article to a column of a site above it (POST
# /api/articles/offer); the offer waits in that site's review queue; a reviewer there
# approves it (the same /approve), which lists it in the column as a link to the original
# (one copy: the column page, its feed and the listing's own URL lead to the original; one
# search hit); or rejects it with a reason the offering editor reads. The trail names who
# offered and who accepted. The attacks: another site's editor, a target that is not
# above, a reviewer only of the township, self-acceptance, CSRF and Origin, a duplicate,
# an article that is not (or no longer) published; unpublishing the original takes the
# listing down with it; the parent's site_admin takes a listing down.
import re
from urllib.parse import quote

import pytest

from conftest import PORTAL_HOST, Api, console_cluster

ACCOUNTS = {
    "ed.zhen": ["editor:zhen"],
    "rv.zhen": ["reviewer:zhen"],         # the township's reviewer: not xian's
    "rv.xian": ["reviewer:xian"],
    "rv.portal": ["reviewer:portal"],
    "both.xian": ["editor:zhen", "reviewer:xian"],
    "admin.xian": ["site_admin:xian"],
    "ed.edu": ["editor:edu"],
}

_sessions = {}


@pytest.fixture(scope="module")
def cl(tmp_path_factory):
    c = console_cluster(tmp_path_factory.mktemp("offer"), accounts=ACCOUNTS)
    c.start()
    yield c
    c.stop()


def api(cl, name):
    if name not in _sessions or _sessions[name].c is not cl:
        a = Api(cl)
        assert a.login(name).status == 200
        _sessions[name] = a
    return _sessions[name]


def original(cl, title, body="镇里的正文内容。", editor="ed.zhen"):
    """A published article of zhen (news): (id, url path)."""
    ed = api(cl, editor)
    r = ed.call("POST", "/api/drafts", {"site": "zhen", "column": "news", "title": title,
                                         "body": body, "disclosure": "主动公开"})
    assert r.status == 201, r
    did = r.json["id"]
    assert ed.call("POST", f"/api/drafts/{did}/submit").status == 200
    r = api(cl, "rv.zhen").call("POST", f"/api/drafts/{did}/approve", {"secrecy_review": True})
    assert r.status == 200, r
    url = r.json["url"]
    return url.rsplit("/", 1)[1][:-5], url


def offer(a, art, to_site="xian", to_column="news", **kw):
    body = {"site": "zhen", "column": "news", "id": art, "to_site": to_site,
            "to_column": to_column}
    body.update(kw)
    return a.call("POST", "/api/articles/offer", body)


def test_offer_approve_lists_a_link(cl):
    art, url = original(cl, "镇里秋收报道", body="独有正文词汇丰收节")
    assert url == f"/xian/zhen/news/{art}.html"
    ed = api(cl, "ed.zhen")
    r = offer(ed, art)
    assert r.status == 201 and set(r.json) == {"id"}, r
    oid = r.json["id"]
    # pending in xian's queue, with what is offered and from whom
    rv = api(cl, "rv.xian")
    q = rv.call("GET", "/api/drafts?view=queue&site=xian")
    assert q.status == 200, q
    item = [d for d in q.json["drafts"] if d["id"] == oid]
    assert len(item) == 1 and item[0]["offer_from"] == "zhen" and item[0]["editor"] == "ed.zhen"
    assert item[0]["title"] == "镇里秋收报道" and item[0]["state"] == "submitted"
    d = rv.call("GET", f"/api/drafts/{oid}").json
    assert d["offer"] == {"site": "zhen", "column": "news", "id": art, "url": url}
    assert d["site"] == "xian" and d["column"] == "news" and d["body"] == ""
    # the offering editor sees it among its drafts
    assert oid in [x["id"] for x in ed.call("GET", "/api/drafts").json["drafts"]]
    assert ed.call("GET", f"/api/drafts/{oid}").status == 200
    # an offer is never edited nor resubmitted
    assert ed.call("POST", f"/api/drafts/{oid}/submit").status == 409
    # the same article pending in that column: 409; another column is another offer
    r = offer(ed, art)
    assert r.status == 409, r
    # not yet listed: the column page does not show it
    page = cl.get("/xian/news/")
    assert "镇里秋收报道".encode() not in page.body
    # accepting needs the 保密审查 confirmation, then publishes the listing
    r = rv.call("POST", f"/api/drafts/{oid}/approve", {})
    assert r.status == 400 and r.json["field"] == "secrecy_review", r
    r = rv.call("POST", f"/api/drafts/{oid}/approve", {"secrecy_review": True})
    assert r.status == 200, r
    lurl = r.json["url"]
    assert lurl == f"/xian/news/{d['article']}.html", lurl
    assert rv.call("GET", f"/api/drafts/{oid}").json["state"] == "published"
    # the parent's column page links to the original, not to a copy
    page = cl.get("/xian/news/")
    assert page.status == 200
    assert "镇里秋收报道".encode() in page.body
    hrefs = re.findall(rb'href="([^"]*)"[^>]*>[^<]*\xe9\x95\x87\xe9\x87\x8c\xe7\xa7\x8b', page.body)
    assert hrefs == [url.encode()], hrefs
    assert lurl.encode() not in page.body
    # the listing's own URL: 301 to the original, which is the one copy
    r = cl.get(lurl)
    assert r.status == 301, r
    assert r.header("Location").endswith(url), r.header("Location")
    assert cl.get(url).status == 200 and "独有正文词汇丰收节".encode() in cl.get(url).body
    # the feed links to the original and carries no copy of the body
    feed = cl.get("/xian/news/feed.xml")
    assert feed.status == 200
    assert f"http://xian.test.gov.cn/zhen/news/{art}.html".encode() in feed.body, feed.body
    assert f"/news/{d['article']}.html".encode() not in feed.body
    assert "独有正文词汇丰收节".encode() not in feed.body
    # one search hit: the original's
    s = cl.get("/search?q=" + quote("秋收报道"), host=PORTAL_HOST)
    assert s.status == 200
    assert s.body.count(url.encode()) >= 1 and lurl.encode() not in s.body
    # already listed: 409
    r = offer(ed, art)
    assert r.status == 409, r
    # the trail: who offered and who accepted
    h = cl.ctl("history", "xian")
    assert h.returncode == 0, h
    lines = h.stdout.decode().splitlines()
    lid = d["article"]
    pub = [ln for ln in lines if f"\tpublish\txian/news/{lid}\t" in ln]
    assert len(pub) == 1 and "\tby ed.zhen\treviewed by rv.xian\t" in pub[0], lines
    assert any(f"\tdraft-offer\txian/news draft {oid}\tby ed.zhen" in ln for ln in lines), lines
    assert any(f"\tdraft-approve\txian/news draft {oid}\tby rv.xian" in ln for ln in lines)
    hist = rv.call("GET", "/api/history?site=xian").json["records"]
    offers = [x for x in hist if x["action"] == "draft-offer" and x["id"] == oid]
    assert len(offers) == 1 and offers[0]["by"] == "ed.zhen" and offers[0]["note"] == url
    pubs = [x for x in hist if x["action"] == "publish" and x["id"] == lid]
    assert pubs[0]["publisher"] == "ed.zhen" and pubs[0]["reviewer"] == "rv.xian"


def test_reject_with_reason_reaches_the_offerer(cl):
    art, _ = original(cl, "镇里退回测试")
    ed = api(cl, "ed.zhen")
    oid = offer(ed, art).json["id"]
    rv = api(cl, "rv.xian")
    r = rv.call("POST", f"/api/drafts/{oid}/reject", {"reason": "  "})
    assert r.status == 400 and r.json["field"] == "reason", r
    r = rv.call("POST", f"/api/drafts/{oid}/reject", {"reason": "与县级栏目定位不符"})
    assert r.status == 200, r
    d = ed.call("GET", f"/api/drafts/{oid}").json
    assert d["state"] == "rejected" and d["reason"] == "与县级栏目定位不符"
    assert d["reviewer"] == "rv.xian"
    assert oid not in [x["id"] for x in rv.call("GET", "/api/drafts?view=queue").json["drafts"]]
    # a rejected offer is not edited; offering again is a new offer
    assert ed.call("PUT", f"/api/drafts/{oid}", {"title": "x"}).status == 409
    r = offer(ed, art)
    assert r.status == 201 and r.json["id"] != oid, r


def test_attacks(cl):
    art, _ = original(cl, "镇里攻击测试")
    ed = api(cl, "ed.zhen")
    # another site's editor offers zhen's article: 403
    r = offer(api(cl, "ed.edu"), art)
    assert r.status == 403, r
    # a reviewer cannot offer (no editor role)
    assert offer(api(cl, "rv.zhen"), art).status == 403
    # targets that are not above zhen: a sibling branch, itself, unknown
    for to in ("edu", "zhen", "nosuch"):
        r = offer(ed, art, to_site=to)
        assert r.status == 400 and r.json["field"] == "to_site", (to, r)
    # a column that does not exist
    r = offer(ed, art, to_column="nosuch")
    assert r.status == 400 and r.json["field"] == "to_column", r
    # bad input names the field; an unknown field is named too
    r = offer(ed, "Bad Id!")
    assert r.status == 400 and r.json["field"] == "id", r
    r = offer(ed, art, column="nosuch")
    assert r.status == 400 and r.json["field"] == "column", r
    r = offer(ed, art, extra="x")
    assert r.status == 400 and r.json["field"] == "extra", r
    # not published: 404
    r = offer(ed, "20200101-999999")
    assert r.status == 404, r
    # CSRF, Origin, session
    body = {"site": "zhen", "column": "news", "id": art, "to_site": "xian", "to_column": "news"}
    assert ed.call("POST", "/api/articles/offer", body, csrf=False).status == 403
    assert ed.call("POST", "/api/articles/offer", body, origin="http://evil.example").status == 403
    assert ed.call("POST", "/api/articles/offer", body, cookie=False).status == 401
    assert ed.call("GET", "/api/articles/offer").status == 405
    # nothing of the refused offers reached the queue
    q = api(cl, "rv.xian").call("GET", "/api/drafts?view=queue").json["drafts"]
    assert all(x["title"] != "镇里攻击测试" for x in q)
    # the portal is above every site
    r = offer(ed, art, to_site="portal", to_column="notice")
    assert r.status == 201, r
    pid = r.json["id"]
    # a reviewer only of the township cannot accept an offer to xian; nor xian's to the portal
    oid = offer(ed, art).json["id"]
    r = api(cl, "rv.zhen").call("POST", f"/api/drafts/{oid}/approve", {"secrecy_review": True})
    assert r.status == 403, r
    r = api(cl, "rv.xian").call("POST", f"/api/drafts/{pid}/approve", {"secrecy_review": True})
    assert r.status == 403, r
    r = api(cl, "rv.zhen").call("GET", f"/api/drafts/{oid}")
    assert r.status == 403, r
    r = api(cl, "rv.portal").call("POST", f"/api/drafts/{pid}/approve", {"secrecy_review": True})
    assert r.status == 200 and r.json["url"].startswith("/notice/"), r


def test_self_acceptance_is_refused(cl):
    # both.xian edits zhen and reviews xian: it may offer, never accept its own offer
    art, _ = original(cl, "自己报送自己审核", editor="both.xian")
    both = api(cl, "both.xian")
    r = offer(both, art)
    assert r.status == 201, r
    oid = r.json["id"]
    r = both.call("POST", f"/api/drafts/{oid}/approve", {"secrecy_review": True})
    assert r.status == 409 and "self-review" in r.json["error"], r
    r = both.call("POST", f"/api/drafts/{oid}/reject", {"reason": "自己退回"})
    assert r.status == 409, r
    # another reviewer of xian may
    r = api(cl, "rv.xian").call("POST", f"/api/drafts/{oid}/approve", {"secrecy_review": True})
    assert r.status == 200, r


def test_unpublishing_the_original_takes_the_listing_down(cl):
    art, url = original(cl, "原文撤稿测试")
    ed = api(cl, "ed.zhen")
    rv = api(cl, "rv.xian")
    oid = offer(ed, art).json["id"]
    lurl = rv.call("POST", f"/api/drafts/{oid}/approve", {"secrecy_review": True}).json["url"]
    pending = offer(ed, art, to_site="portal", to_column="news").json["id"]
    assert "原文撤稿测试".encode() in cl.get("/xian/news/").body
    r = api(cl, "rv.zhen").call("POST", "/api/articles/unpublish",
                                {"site": "zhen", "column": "news", "id": art, "reason": "信息有误"})
    assert r.status == 200, r
    assert cl.get(url).status == 404
    assert cl.get(lurl).status == 404
    assert "原文撤稿测试".encode() not in cl.get("/xian/news/").body
    assert f"/zhen/news/{art}.html".encode() not in cl.get("/xian/news/feed.xml").body
    # the trail says the listing went with its original
    lid = lurl.rsplit("/", 1)[1][:-5]
    lines = cl.ctl("history", "xian").stdout.decode().splitlines()
    gone = [ln for ln in lines if f"\tunpublish\txian/news/{lid}\t" in ln]
    assert len(gone) == 1 and "by rv.zhen" in gone[0], lines
    # a pending offer of it can no longer be accepted; offering it again is 404
    r = api(cl, "rv.portal").call("POST", f"/api/drafts/{pending}/approve",
                                  {"secrecy_review": True})
    assert r.status == 409, r
    assert offer(ed, art).status == 404


def test_parent_site_admin_takes_a_listing_down(cl):
    art, url = original(cl, "县里撤下列表测试")
    ed = api(cl, "ed.zhen")
    oid = offer(ed, art).json["id"]
    lurl = api(cl, "rv.xian").call("POST", f"/api/drafts/{oid}/approve",
                                   {"secrecy_review": True}).json["url"]
    lid = lurl.rsplit("/", 1)[1][:-5]
    # zhen's people cannot take down xian's listing
    r = api(cl, "rv.zhen").call("POST", "/api/articles/unpublish",
                                {"site": "xian", "column": "news", "id": lid, "reason": "x"})
    assert r.status == 403, r
    r = api(cl, "admin.xian").call("POST", "/api/articles/unpublish",
                                   {"site": "xian", "column": "news", "id": lid,
                                    "reason": "栏目调整"})
    assert r.status == 200, r
    assert cl.get(lurl).status == 404
    assert cl.get(url).status == 200  # the original stays
    assert "县里撤下列表测试".encode() not in cl.get("/xian/news/").body
    # no longer listed: it may be offered again
    assert offer(ed, art).status == 201


def page(a, path):
    r = a.call("GET", path, csrf=False, origin=False)
    r.text = r.body.decode("utf-8", errors="replace")
    return r


def post_form(a, action, fields):
    from urllib.parse import urlencode
    return a.call("POST", action, raw=urlencode(fields).encode(), csrf=False,
                  headers={"Content-Type": "application/x-www-form-urlencoded"})


def test_console_pages(cl):
    """The 报送 action from the history page, its form, the offer in the reviewer's queue
    with what is offered and from whom, and the original's preview."""
    import html
    art, url = original(cl, "页面报送测试", body="页面报送正文独有词")
    ed = api(cl, "ed.zhen")
    h = page(ed, "/history?site=zhen")
    assert h.status == 200, h
    link = f"/offer?site=zhen&amp;column=news&amp;id={art}"
    assert link in h.text, h.text
    # a reviewer of zhen (no editor role) is not offered the action
    assert link not in page(api(cl, "rv.zhen"), "/history?site=zhen").text
    f = page(ed, html.unescape(link))
    assert f.status == 200, f
    assert 'id="offer-xian"' in f.text and 'id="offer-portal"' in f.text
    assert 'id="offer-edu"' not in f.text and 'id="offer-zhen"' not in f.text
    assert "页面报送测试" in f.text
    # another site's editor: 403; an article that is not published: 404
    assert page(api(cl, "ed.edu"), html.unescape(link)).status == 403
    assert page(ed, "/offer?site=zhen&column=news&id=20200101-1").status == 404
    # the form's post: 303 to the offer's draft page
    r = post_form(ed, "/api/articles/offer?next=/drafts/{id}",
                  {"csrf": ed.csrf, "site": "zhen", "column": "news", "id": art,
                   "to_site": "xian", "to_column": "notice"})
    assert r.status == 303, r
    oid = re.search(r"/drafts/(\d+)$", r.header("Location")).group(1)
    # a form without its csrf field is refused
    r = post_form(ed, "/api/articles/offer?next=/drafts/{id}",
                  {"site": "zhen", "column": "news", "id": art, "to_site": "portal",
                   "to_column": "news"})
    assert r.status == 403, r
    # the offering editor's draft page: the offer, no editor form
    d = page(ed, f"/drafts/{oid}")
    assert d.status == 200 and 'id="offer"' in d.text and url in d.text
    assert 'id="editor"' not in d.text and 'id="submit"' not in d.text
    # xian's reviewer: in the queue, marked as an offer from the township
    rv = api(cl, "rv.xian")
    q = page(rv, "/drafts")
    row = re.search(rf'<a href="/review/{oid}">页面报送测试</a><br><span class="hint offer">'
                    r'报送自([^<]*)</span>', q.text)
    assert row and row.group(1) == "测试镇人民政府", q.text
    rp = page(rv, f"/review/{oid}")
    assert rp.status == 200 and 'id="offer"' in rp.text and url in rp.text
    assert "ed.zhen" in rp.text and 'id="approve"' in rp.text
    pv = page(rv, f"/review/{oid}/preview")
    assert pv.status == 200 and "页面报送正文独有词" in pv.text
    # approving from the page's form lists it in xian's 通知公告
    r = post_form(rv, f"/api/drafts/{oid}/approve?next=/drafts/{oid}",
                  {"csrf": rv.csrf, "secrecy_review": "true"})
    assert r.status == 303, r
    col = cl.get("/xian/notice/")
    assert f'href="{url}"'.encode() in col.body


def test_purge_takes_the_listings_down(cl):
    """`jiyuectl purge SITE` of a removed township: its listings on the sites above go
    with its articles (a parent never links to a purged page). Last: zhen is purged."""
    from conftest import BASE_SITES
    art, url = original(cl, "清除站点列表测试")
    oid = offer(api(cl, "ed.zhen"), art).json["id"]
    lurl = api(cl, "rv.xian").call("POST", f"/api/drafts/{oid}/approve",
                                   {"secrecy_review": True}).json["url"]
    assert "清除站点列表测试".encode() in cl.get("/xian/news/").body
    cl.site_path("zhen").unlink()
    try:
        r = cl.ctl("purge", "--yes", "zhen")
        assert r.returncode == 0, r.stderr
    finally:
        cl.write_site("zhen", **BASE_SITES["zhen"])
    assert "清除站点列表测试".encode() not in cl.get("/xian/news/").body
    assert cl.get(lurl).status == 404
    lid = lurl.rsplit("/", 1)[1][:-5]
    lines = cl.ctl("history", "xian").stdout.decode().splitlines()
    assert any(f"\tunpublish\txian/news/{lid}\t" in ln and "by jiyuectl purge" in ln
               for ln in lines), lines
