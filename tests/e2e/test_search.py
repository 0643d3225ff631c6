# tests/e2e/test_search.py: the search index (modules/search/, first part) kept by the
# real jiyuectl: publish, update and unpublish change it in the same transaction (the
# documents it holds are read from the store with LMDB's mdb_dump, in the layout
# modules/search/search_keys.h documents); `jiyuectl reindex [--check] [SITE]` rebuilds it
# and says whether the rebuild equals what was maintained, finds a damaged index (written
# behind its back with mdb_load) and repairs it; `jiyuectl purge` takes a removed site's
# documents out of it.
import shutil
import subprocess

import pytest

from conftest import BASE_SITES, Cluster, clone_cluster, need_binaries

FRONT = """---
site: {site}
column: {column}
id: {aid}
title: {title}
source: 测试市人社局
publisher: 李华
reviewer: 王强
disclosure: 主动公开
date: 2026-03-01 09:00
secrecy_review: {{by: 赵敏, date: 2026-02-28}}
---
{body}
"""


@pytest.fixture(scope="module")
def base_template(tmp_path_factory):
    need_binaries()
    cl = Cluster(tmp_path_factory.mktemp("search-base"))
    cl.import_base()
    return cl


@pytest.fixture
def c(tmp_path, base_template):
    """A cluster of its own with the base pages imported (a copy of one imported per file)."""
    return clone_cluster(base_template, tmp_path / "c")


def publish(c, site, column, aid, title, body, cmd="publish"):
    d = c.root / "articles"
    d.mkdir(exist_ok=True)
    p = d / f"{site}-{aid}.md"
    p.write_text(FRONT.format(site=site, column=column, aid=aid, title=title, body=body))
    r = c.ctl(cmd, p)
    assert r.returncode == 0, r.stderr


def content(c):
    """The "content" database: [(key bytes, value bytes)] in key order."""
    r = subprocess.run(["mdb_dump", "-s", "content", str(c.root / "store")], capture_output=True,
                       timeout=30, check=True)
    lines = r.stdout.decode().splitlines()
    data = lines[lines.index("HEADER=END") + 1:lines.index("DATA=END")]
    return [(bytes.fromhex(k.strip()), bytes.fromhex(v.strip())) for k, v in zip(data[0::2], data[1::2])]


def index(c):
    """The live family's keys (search_keys.h: "xl" names it, x or y), spelt with "x"."""
    kv = content(c)
    live = dict(kv).get(b"xl", b"x")
    return [(b"x" + k[1:], v) for k, v in kv
            if k[:1] == live and k[1:3] in (b"a/", b"d/", b"f/", b"p/")]


def refs(c):
    """The articles' references (the imported pages of import_base have theirs: "/p/")."""
    return sorted(k.decode() for k, _ in index(c) if k.startswith(b"xa/") and b"/a/" in k)


def docs(c):
    """The titles (and site) the index's document records hold."""
    out = []
    for k, v in index(c):
        if k.startswith(b"xd/") and v[14] == 1:   # articles (2: the imported pages)
            assert v[:4] == b"JYSD"
            at, parts = 4 + 2 + 8 + 1 + 4, []   # head, time, type, length; then strings:
            while at < len(v):                  # u32 length, the bytes, a NUL
                n = int.from_bytes(v[at:at + 4], "little")
                parts.append(v[at + 4:at + 4 + n].decode())
                at += 4 + n + 1
            assert len(parts) == 9, parts       # site column id title source text, and a
            #                                     policy document's doc_no index_no meta
            out.append((parts[0], parts[3]))
    return sorted(out)


def load(c, pairs):
    def esc(b):
        return "".join("\\%02x" % ch for ch in b)
    text = "".join(esc(k) + "\n" + esc(v) + "\n" for k, v in pairs)
    r = subprocess.run(["mdb_load", "-T", "-s", "content", str(c.root / "store")],
                       input=text.encode(), capture_output=True, timeout=30)
    assert r.returncode == 0, r.stderr


def reindex(c, *args):
    r = c.ctl("reindex", *args)
    return r.returncode, r.stdout.decode(), r.stderr.decode()


def test_maintained_with_publish_update_unpublish(c):
    publish(c, "edu", "news", "card", "社保卡办理指南", "携带**身份证**办理。")
    publish(c, "edu", "notice", "claim", "医保报销须知", "报销须知。")
    publish(c, "zhen", "news", "farm", "春耕通知", "春耕。")
    assert refs(c) == ["xa/edu/a/news/card", "xa/edu/a/notice/claim", "xa/zhen/a/news/farm"]
    assert docs(c) == [("edu", "医保报销须知"), ("edu", "社保卡办理指南"), ("zhen", "春耕通知")]

    publish(c, "edu", "news", "card", "居民身份证换领", "换领须知。", cmd="update")
    assert docs(c) == [("edu", "医保报销须知"), ("edu", "居民身份证换领"), ("zhen", "春耕通知")]
    r = c.ctl("unpublish", "--by", "李华", "edu", "notice", "claim")
    assert r.returncode == 0, r.stderr
    assert refs(c) == ["xa/edu/a/news/card", "xa/zhen/a/news/farm"]
    assert docs(c) == [("edu", "居民身份证换领"), ("zhen", "春耕通知")]
    # nothing of the old title or the unpublished article is left in any term list
    keys = [k for k, _ in content(c)]
    assert not any(k.startswith("xp/办理/".encode()) for k in keys)
    assert not any(k.startswith("xp/报销/".encode()) or k.startswith("xf/报销".encode()) for k in keys)
    assert any(k.startswith("xp/换领/".encode()) for k in keys)

    before = index(c)
    # the counts: 2 articles and the 9 HTML pages import_base imported (3 of edu)
    assert reindex(c, "--check") == (0, "checked 11 documents of all sites: the rebuilt index "
                                        "equals the maintained one\n", "")
    assert reindex(c, "edu") == (0, "reindexed 4 documents of edu: the rebuilt index equals "
                                    "the maintained one\n", "")
    assert reindex(c) == (0, "reindexed 11 documents of all sites: the rebuilt index equals "
                             "the maintained one\n", "")
    after = index(c)
    assert after == before
    keys = [k for k, _ in content(c)]
    assert b"xl" in keys and b"xb" not in keys              # switched, and finished
    assert not [k for k in keys if k.startswith((b"xa/", b"xd/", b"xf/", b"xp/", b"xq/"))]


def test_damage_is_found_and_repaired(c):
    publish(c, "edu", "news", "card", "社保卡办理指南", "携带身份证办理。")
    publish(c, "xian", "news", "road", "道路施工公告", "施工。")
    # a document record's title changed behind the index's back (same length)
    pairs = [(k, v.replace("社保".encode(), "医保".encode())) for k, v in content(c)
             if k.startswith(b"xd/") and "社保".encode() in v]     # (x is live: no rebuild yet)
    assert len(pairs) == 1
    load(c, pairs)
    assert docs(c) == [("edu", "医保卡办理指南"), ("xian", "道路施工公告")]
    assert reindex(c, "--check") == (1, "", "jiyuectl: reindex: the search index of all sites "
                                     "differs from the content (11 documents held, 11 published): "
                                     "run `jiyuectl reindex` to rebuild it\n")
    assert docs(c) == [("edu", "医保卡办理指南"), ("xian", "道路施工公告")]  # --check wrote nothing
    assert reindex(c, "xian", "--check")[0] == 0                           # only edu is damaged
    assert reindex(c, "edu") == (0, "reindexed 4 documents of edu: the maintained index differed "
                                    "from the content (it held 4 documents); it is rebuilt now\n", "")
    assert docs(c) == [("edu", "社保卡办理指南"), ("xian", "道路施工公告")]
    assert reindex(c, "--check")[0] == 0

    # a stray document of an article that is not published
    load(c, [(b"xa/edu/a/news/ghost", (1).to_bytes(8, "little"))])
    code, out, err = reindex(c, "edu", "--check")
    assert code == 1 and "the search index of edu differs from the content" in err, err
    assert reindex(c)[1].startswith("reindexed 11 documents of all sites: the maintained index differed")
    assert refs(c) == ["xa/edu/a/news/card", "xa/xian/a/news/road"]
    assert reindex(c, "--check")[0] == 0


def test_purge_takes_a_sites_documents(c):
    publish(c, "zhen", "news", "farm", "春耕通知", "春耕生产。")
    publish(c, "edu", "news", "card", "社保卡办理指南", "春耕。")
    c.site_path("zhen").unlink()
    r = c.ctl("purge", "--yes", "zhen")
    assert r.returncode == 0, r.stderr
    assert refs(c) == ["xa/edu/a/news/card"]
    assert docs(c) == [("edu", "社保卡办理指南")]
    keys = [k for k, _ in content(c)]
    assert b"xs/zhen" not in keys and b"xs/edu" in keys
    assert not any(k.startswith("xp/生产/".encode()) for k in keys)
    assert any(k.startswith("xp/春耕/".encode()) for k in keys)    # edu's stays
    c.write_site("zhen", **BASE_SITES["zhen"])
    assert reindex(c, "--check")[0] == 0


def test_reindex_usage(c):
    code, out, err = reindex(c, "-h")
    assert code == 0 and out.startswith("usage: jiyuectl [-c FILE] reindex [--check] [SITE] | --size\n"), out
    assert reindex(c, "--bogus")[0] == 2
    assert reindex(c, "--size", "edu")[0] == 2
    assert reindex(c, "edu", "xian")[0] == 2
    code, out, err = reindex(c, "nosuch")
    assert code != 0 and "nosuch" in err and out == ""
    # an index of pages only is equal to its rebuild
    assert reindex(c) == (0, "reindexed 9 documents of all sites: the rebuilt index equals the "
                             "maintained one\n", "")     # import_base's 9 HTML pages
    # --size: entries and bytes by key family, from the store as it is
    code, out, err = reindex(c, "--size")
    rows = [l.split() for l in out.splitlines()]
    # (the rebuild switched to the "y" family: search_keys.h)
    assert code == 0 and err == "" and [r[0] for r in rows] == ["yp/", "yf/", "yd/", "ya/", "xs/+xc/", "yn", "all"]
    assert rows[2][1] == "9" and rows[3][1] == "9"              # 9 records, 9 refs
    assert int(rows[-1][1]) == sum(int(r[1]) for r in rows[:-1])
    assert int(rows[-1][3]) == sum(int(r[3]) + int(r[6]) for r in rows[:-1])


# ------------------------------------------------------------------ <mount>search?format=json

from urllib.parse import quote  # noqa: E402
import json  # noqa: E402

from conftest import EDU_HOST, PORTAL_HOST  # noqa: E402

KEYS = ["title", "url", "site", "site_name", "column", "date", "snippet"]


def publish_at(c, site, column, aid, title, body, date):
    d = c.root / "articles"
    d.mkdir(exist_ok=True)
    p = d / f"{site}-{aid}.md"
    p.write_text(FRONT.format(site=site, column=column, aid=aid, title=title, body=body)
                 .replace("date: 2026-03-01 09:00", f"date: {date}"))
    r = c.ctl("publish", p)
    assert r.returncode == 0, r.stderr


def publish_three(c):
    publish_at(c, "edu", "news", "card", "社保卡办理指南", "携带身份证到窗口办理社保卡。", "2026-03-01 09:00")
    publish_at(c, "edu", "notice", "claim", "医保<报销>须知", "报销须知：社保卡和发票 & 收据。",
               "2026-04-01 10:30")
    publish_at(c, "xian", "news", "road", "道路施工公告", "社保大厅门前道路施工。", "2026-02-01 08:00")


@pytest.fixture(scope="module")
def srv_template(base_template, tmp_path_factory):
    cl = clone_cluster(base_template, tmp_path_factory.mktemp("search-srv"))
    publish_three(cl)
    return cl


@pytest.fixture
def srv(c, srv_template):
    """c (a server of its own) with the three articles of publish_three (published once per
    file, copied)."""
    for name in ("store", "articles"):
        shutil.rmtree(c.root / name, ignore_errors=True)
        shutil.copytree(srv_template.root / name, c.root / name)
    c.start()
    yield c
    c.stop()


def search(c, query, path="/edu/search", host=PORTAL_HOST):
    return c.get(path + "?" + query, host=host)


def answer(c, query, **kw):
    r = search(c, query, **kw)
    assert r.status == 200, (r.status, r.body)
    assert r.header("Content-Type") == "application/json; charset=utf-8"
    return json.loads(r.body)


def q(text):
    return "q=" + quote(text) + "&format=json"


def test_json_shape_and_fields(srv):
    a = answer(srv, q("社保"))
    # the keys are a contract: new ones only added at the end (related: test_search_page.py)
    assert list(a) == ["q", "total", "capped", "page", "results", "related"]
    assert (a["q"], a["total"], a["capped"], a["page"], a["related"]) == ("社保", 2, False, 1, [])
    assert [list(h) for h in a["results"]] == [KEYS, KEYS]
    byurl = {h["url"]: h for h in a["results"]}
    assert byurl["/edu/news/card.html"] == {
        "title": "社保卡办理指南", "url": "/edu/news/card.html", "site": "edu",
        "site_name": "测试市教育局", "column": "news", "date": "2026-03-01 09:00",
        "snippet": "携带身份证到窗口办理社保卡。"}
    claim = byurl["/edu/notice/claim.html"]
    assert claim["title"] == "医保<报销>须知" and claim["date"] == "2026-04-01 10:30"
    assert claim["snippet"] == "报销须知：社保卡和发票 & 收据。"
    # markup characters are escaped in the JSON text itself
    raw = search(srv, q("报销")).body
    assert b"<" not in raw and b">" not in raw and b"&" not in raw
    assert b"\\u003c" in raw
    # the path on the host that was searched
    a = answer(srv, q("身份证"), path="/search", host=EDU_HOST)
    assert [h["url"] for h in a["results"]] == ["/news/card.html"]


def test_site_scope_filters_sorts_paging(srv):
    assert [h["url"] for h in answer(srv, q("社保") + "&sort=date")["results"]] == \
        ["/edu/notice/claim.html", "/edu/news/card.html"]
    assert [h["url"] for h in answer(srv, q("社保") + "&column=notice")["results"]] == \
        ["/edu/notice/claim.html"]
    assert answer(srv, q("社保") + "&type=page")["total"] == 0
    assert answer(srv, q("社保") + "&type=article")["total"] == 2
    assert [h["column"] for h in answer(srv, q("社保") + "&from=2026-04-01")["results"]] == ["notice"]
    assert [h["column"] for h in answer(srv, q("社保") + "&to=2026-03-01")["results"]] == ["news"]
    assert answer(srv, q("社保") + "&from=2026-03-02&to=2026-03-31")["total"] == 0
    a = answer(srv, q("社保") + "&page=2")
    assert (a["total"], a["page"], a["results"]) == (2, 2, [])
    # a phrase, a one-character query, full-width, a term no article holds
    assert [h["url"] for h in answer(srv, q('"社保卡和"'))["results"]] == ["/edu/notice/claim.html"]
    assert answer(srv, q("卡"))["total"] == 2
    assert answer(srv, q("养老"))["total"] == 0
    # edu's search never shows another site's article
    assert answer(srv, q("施工"))["total"] == 0
    assert answer(srv, q("施工") + "&site=edu")["total"] == 0


def test_portal_searches_the_cluster(srv):
    a = answer(srv, q("社保"), path="/search")
    assert a["total"] == 3
    assert {h["url"] for h in a["results"]} == {"/edu/news/card.html", "/edu/notice/claim.html",
                                               "/xian/news/road.html"}
    a = answer(srv, q("社保") + "&site=xian", path="/search")
    assert [(h["site"], h["site_name"], h["url"]) for h in a["results"]] == \
        [("xian", "测试县人民政府", "/xian/news/road.html")]
    assert answer(srv, q("社保") + "&site=nosuch", path="/search")["total"] == 0


def test_unpublish_removes_a_hit_at_once(srv):
    assert answer(srv, q("发票"))["total"] == 1
    r = srv.ctl("unpublish", "--by", "李华", "edu", "notice", "claim")
    assert r.returncode == 0, r.stderr
    assert answer(srv, q("发票"))["total"] == 0
    assert answer(srv, q("社保"))["total"] == 1


@pytest.mark.parametrize("query", [
    "format=json", "q=&format=json", q("社" * 101), q("社") + "&page=0", q("社") + "&page=51",
    q("社") + "&page=abc", q("社") + "&sort=best", q("社") + "&type=pdf",
    q("社") + "&from=2026-13-01", q("社") + "&from=2026-1-1", q("社") + "&column=../x",
    "q=%E7%A4%BE&format=xml", q("社") + "&q=x", "q=%zz&format=json", "q=%01&format=json",
    "q=%FF&format=json", q("社") + "&site=xian",
])
def test_bad_parameters_are_400(srv, query):
    r = search(srv, query)
    assert r.status == 400, (query, r.status, r.body)
    assert r.header("Content-Type") == "application/json; charset=utf-8"
    assert list(json.loads(r.body)) == ["error"]


def test_limits_are_inclusive(srv):
    assert answer(srv, q("社" * 100))["total"] == 0          # 100 characters: allowed
    assert answer(srv, q("社保") + "&page=50")["page"] == 50


def test_paths_the_module_leaves_alone(c):
    # without format=json the module answers its HTML page (test_search_page.py)
    c.start()
    try:
        r = search(c, "q=" + quote("社保"))
        assert r.status == 200 and r.header("Content-Type") == "text/html; charset=utf-8"
        # a column named `search` stays the content module's
        spec = dict(BASE_SITES["edu"])
        c.write_site("edu", **spec, extra="  - {id: search, name: 搜索, type: dynamic}\n")
        c.signal(__import__("signal").SIGHUP)
        assert c.poll_get("/edu/search/", lambda r: r.status == 200).status == 200
        r = search(c, q("社保"))
        assert r.status == 404          # what the path answers without the search module
        assert r.header("Content-Type") != "application/json; charset=utf-8"
        # a page imported at /search is the site's own
        c.write_site("edu", **spec)
        c.signal(__import__("signal").SIGHUP)
        assert c.poll_get("/edu/search/", lambda r: r.status == 404).status == 404
        assert search(c, q("社保")).status == 200
        c.import_pages("edu", {"search": b"<p>OUR-OWN-SEARCH</p>"})
        r = search(c, q("社保"))
        assert r.status == 200 and b"OUR-OWN-SEARCH" in r.body
    finally:
        c.stop()


# ------------------------------------------------------------------ publish --batch

def test_publish_batch_checks_every_line_first(c):
    """`jiyuectl publish --batch FILE`: one article a JSON line; a bad line refuses the whole
    file before anything is written; a good file publishes every line, indexed in bulk as
    publish indexes one article (reindex --check finds no difference)."""
    import json
    base = {"site": "edu", "column": "news", "publisher": "李华", "reviewer": "王强",
            "disclosure": "主动公开", "secrecy_by": "赵敏", "secrecy_date": "2026-02-28"}
    lines = [dict(base, id="b1", title="批量社保卡通知", date="2026-03-01 09:00", body="第一篇**正文**。"),
             dict(base, id="b2", title="批量医保公告", date="2026-03-02 09:00", body="第二篇正文。")]
    f = c.root / "batch.jsonl"
    for bad, why in ((dict(base, id="b3", title="坏", bogus="x"), ":3: refused: unknown key 'bogus'"),
                     (dict(base, title="无号"), ":3: refused: a batch line needs an id"),
                     (dict(base, id="b3", title="坏", reviewer="李华"), ":3: refused: ")):
        f.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines + [bad]))
        r = c.ctl("publish", "--batch", f)
        assert r.returncode == 1 and why in r.stderr.decode(), r.stderr
        assert refs(c) == []                                    # nothing written
    f.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines) + "\n")
    r = c.ctl("publish", "--batch", f)
    assert r.returncode == 0 and r.stdout.decode() == f"published 2 articles from {f}\n", r.stderr
    assert refs(c) == ["xa/edu/a/news/b1", "xa/edu/a/news/b2"]
    assert docs(c) == [("edu", "批量医保公告"), ("edu", "批量社保卡通知")]
    assert reindex(c, "--check")[0] == 0
    assert c.ctl("publish", "--batch", f).returncode == 1         # already published
    assert c.ctl("publish", "--batch").returncode == 2


def test_date_sort_stops_early_and_says_about(c):
    """sort=date reads the postings newest first and stops once the page is full: with 150
    matches the first run of blocks fills page 1, so `total` is an estimate ("capped": true
    in the JSON, "约 N 条" on the page; one term, so the estimate is exact here); relevance
    counts them all, and a date-sorted page that needs every posting is exact again."""
    base = {"site": "edu", "column": "news", "publisher": "李华", "reviewer": "王强",
            "disclosure": "主动公开", "secrecy_by": "赵敏", "secrecy_date": "2026-02-28"}
    lines = [dict(base, id="n%03d" % i, title="公告%d" % i, body="停水通知第%d号。" % i,
                  date="2026-03-%02d %02d:%02d" % (1 + i % 28, i % 24, i % 60)) for i in range(150)]
    f = c.root / "batch.jsonl"
    f.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines))
    assert c.ctl("publish", "--batch", f).returncode == 0
    c.start()
    try:
        a = answer(c, q("停水") + "&sort=date")
        assert (a["total"], a["capped"], len(a["results"])) == (150, True, 10)
        newest = sorted(lines, key=lambda x: x["date"], reverse=True)[:10]
        assert [h["url"] for h in a["results"]] == ["/edu/news/%s.html" % x["id"] for x in newest]
        a = answer(c, q("停水"))
        assert (a["total"], a["capped"]) == (150, False)
        a = answer(c, q("停水") + "&sort=date&page=15")        # needs all 150: counted
        assert (a["total"], a["capped"], len(a["results"])) == (150, False, 10)
        page = search(c, "q=" + quote("停水") + "&sort=date").body.decode()
        assert "找到相关结果 约 150 条" in page, page
        page = search(c, "q=" + quote("停水")).body.decode()
        assert "找到相关结果 150 条" in page and "约" not in page.split("search-total")[1][:80]
    finally:
        c.stop()


# ------------------------------------------------------------------ reindex while serving

@pytest.fixture
def busy(tmp_path):
    """srv's documents on a server that takes many searches a minute."""
    need_binaries()
    c = Cluster(tmp_path / "c", limits={"search_per_minute": 100000})
    c.import_base()
    publish_at(c, "edu", "news", "card", "社保卡办理指南", "携带身份证到窗口办理社保卡。", "2026-03-01 09:00")
    publish_at(c, "edu", "notice", "claim", "医保<报销>须知", "报销须知：社保卡和发票 & 收据。",
               "2026-04-01 10:30")
    publish_at(c, "xian", "news", "road", "道路施工公告", "社保大厅门前道路施工。", "2026-02-01 08:00")
    c.start()
    yield c
    c.stop()


def test_reindex_while_serving_and_publishing(busy):
    """`jiyuectl reindex` builds beside the live index in bounded transactions and switches
    in one: a rebuild stopped part way (JIYUE_TEST_REINDEX_STOP, as a kill would) leaves the
    server answering as before and publishing working; a rebuild of one document a
    transaction, with searches and a publish while it runs, answers the same all along and
    ends equal to the maintained index, the publish in it."""
    srv = busy
    import os
    from conftest import JIYUECTL, check_sanitized_output
    base = {"site": "edu", "column": "news", "publisher": "李华", "reviewer": "王强",
            "disclosure": "主动公开", "secrecy_by": "赵敏", "secrecy_date": "2026-02-28"}
    lines = [dict(base, id="w%02d" % i, title="停水通知%d" % i, body="第%d片区停水。" % i,
                  date="2026-03-%02d 08:00" % (1 + i % 28)) for i in range(40)]
    f = srv.root / "batch.jsonl"
    f.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines))
    assert srv.ctl("publish", "--batch", f).returncode == 0
    want = {t: answer(srv, q(t) + "&sort=date", path="/search") for t in ("停水", "社保", "施工")}
    assert want["停水"]["total"] == 40 and want["社保"]["total"] == 3 and want["施工"]["total"] == 1

    def ctl_env(**env):
        return [str(JIYUECTL), "-c", str(srv.conf), "reindex"], dict(os.environ, **env)

    args, env = ctl_env(JIYUE_TEST_REINDEX_STEP="5", JIYUE_TEST_REINDEX_STOP="4")
    r = subprocess.run(args, env=env, capture_output=True, timeout=30)
    check_sanitized_output(args, r.stderr, r.stdout)
    assert r.returncode == 1 and r.stderr.decode() == (
        "jiyuectl: reindex: stopped after 4 transactions (JIYUE_TEST_REINDEX_STOP): the live "
        "index is unchanged\n"), r.stderr
    assert b"xb" in [k for k, _ in content(srv)]            # the rebuild's record is left
    for t, a in want.items():
        assert answer(srv, q(t) + "&sort=date", path="/search") == a
    publish_at(srv, "edu", "news", "late", "迟到的停电通知", "停电。", "2026-03-05 09:00")
    assert answer(srv, q("停电"), path="/search")["total"] == 1

    args, env = ctl_env(JIYUE_TEST_REINDEX_STEP="1")
    p = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        published, searched = False, 0
        while p.poll() is None and searched < 300:
            for t, a in want.items():
                assert answer(srv, q(t) + "&sort=date", path="/search") == a, t
            searched += 1
            if not published:
                publish_at(srv, "xian", "news", "mid", "并发期间的通知", "并发发布。",
                           "2026-01-05 09:00")
                published = True
        out, err = p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
    check_sanitized_output(args, err, out)
    assert p.returncode == 0 and err == b"", err
    assert out.decode() == ("reindexed 54 documents of all sites: the rebuilt index equals the "
                            "maintained one\n")        # 9 pages, 3 + 40 + 2 articles
    for t, a in want.items():
        assert answer(srv, q(t) + "&sort=date", path="/search") == a
    assert answer(srv, q("停电"), path="/search")["total"] == 1 and answer(srv, q("并发"), path="/search")["total"] == 1
    keys = [k for k, _ in content(srv)]
    assert dict(content(srv))[b"xl"] == b"y" and b"xb" not in keys
    assert not [k for k in keys if k.startswith((b"xa/", b"xd/", b"xq/"))]
    assert reindex(srv, "--check")[0] == 0
