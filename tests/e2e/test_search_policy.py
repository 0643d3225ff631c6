# tests/e2e/test_search_policy.py: policy documents (政策文件, issue 16) and answered
# messages in the search index. A policy column's articles carry doc_no, issuer, written,
# topic and index_no (front matter); index_no is generated from the site's 网站标识码, a
# per-site serial and the year when absent, unique per site and kept by an update; the
# article page shows them in the 政府信息公开 header table; search finds a document by its
# 文号 whatever brackets the query writes, first; `census columns` counts them. A citizen's
# message whose reply is public is a search document (question and reply, never the
# citizen's name or phone) with a public page, out again when marked spam; `jiyuectl
# reindex` rebuilds both equal to what was maintained.
import csv
import io
import json
import re
from urllib.parse import urlencode

import pytest

from conftest import BASE_SITES, PORTAL_HOST, Cluster, need_binaries

POLICY_COLUMNS = ("  - {id: zcwj, name: 政策文件, type: policy}\n"
                  "  - {id: mailbox, name: 局长信箱, type: interaction}\n")

FRONT = """---
site: {site}
column: {column}
id: {aid}
title: {title}
publisher: 李华
reviewer: 王强
disclosure: 主动公开
date: {date}
secrecy_review: {{by: 赵敏, date: 2026-02-28}}
{extra}---
{body}
"""


def sites():
    out = {k: dict(v) for k, v in BASE_SITES.items()}
    out["edu"]["extra"] = POLICY_COLUMNS
    out["xian"]["extra"] = POLICY_COLUMNS
    return out


def write(c, site, column, aid, title, body="正文。", date="2026-03-01 09:00", **keys):
    d = c.root / "articles"
    d.mkdir(exist_ok=True)
    p = d / f"{site}-{aid}.md"
    extra = "".join(f"{k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in keys.items())
    p.write_text(FRONT.format(site=site, column=column, aid=aid, title=title, body=body,
                              date=date, extra=extra))
    return p


def publish(c, site, column, aid, title, cmd="publish", ok=True, **kw):
    r = c.ctl(cmd, write(c, site, column, aid, title, **kw))
    if ok:
        assert r.returncode == 0, r.stderr.decode()
    return r


def search(c, q, path="/search", host=PORTAL_HOST, **params):
    r = c.get(path + "?" + urlencode(dict(q=q, format="json", **params)), host=host)
    assert r.status == 200, (r.status, r.body[:500])
    return json.loads(r.body)


def urls(res):
    return [x["url"] for x in res["results"]]


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    need_binaries()
    c = Cluster(tmp_path_factory.mktemp("policy") / "c", sites=sites(),
                limits={"search_per_minute": 100000})
    c.import_base()
    publish(c, "edu", "zcwj", "p12", "关于印发社区养老服务实施办法的通知", body="各县区：现将办法印发给你们。",
            doc_no="云政发〔2026〕12号", issuer="测试市人民政府 & 办公室", written="2026-02-20",
            topic="民政、扶贫、救灾")
    publish(c, "edu", "zcwj", "p13", "关于做好春季防火工作的通知", body="做好防火。",
            doc_no="云政发〔2026〕13号", issuer="测试市人民政府", written="2026-02-21", topic="公共安全")
    publish(c, "edu", "zcwj", "p2025", "关于去年养老服务的通知", body="去年的办法。",
            doc_no="云政发〔2025〕12号", issuer="测试市人民政府", written="2025-02-21", topic="民政")
    # cites the 文号 in its title and body (weighted above the header): still ranked below
    publish(c, "edu", "news", "cite", "贯彻落实云政发〔2026〕12号文件精神",
            body="认真贯彻云政发〔2026〕12号，落实社区养老服务实施办法。", date="2026-03-05 09:00")
    publish(c, "edu", "zcwj", "nodoc", "社区工作指引", body="没有文号的政策文件。")
    publish(c, "xian", "zcwj", "x1", "县政策", body="县里的文件。", doc_no="测县发〔2026〕1号")
    # the same word in one's header (topic) and in the other's body
    publish(c, "xian", "zcwj", "w1", "甲通知", body="无关内容。", topic="水利")
    publish(c, "xian", "zcwj", "w2", "乙通知", body="水利建设。")
    c.start()
    yield c
    c.stop()


# ---- the header and its numbers ----

def header(body):
    """{th: td} of the article page's 政府信息公开 table."""
    m = re.search(r'<table class="gkxx">(.*?)</table>', body, re.S)
    assert m, body[:3000]
    return dict(re.findall(r'<th scope="row">(.*?)</th><td>(.*?)</td>', m.group(1)))


def test_header_table_on_the_page(srv):
    r = srv.get("/edu/zcwj/p12.html")
    assert r.status == 200
    b = r.body.decode()
    assert header(b) == {"索引号": "1100000002-2026-00001", "主题分类": "民政、扶贫、救灾",
                         "发文机关": "测试市人民政府 &amp; 办公室", "成文日期": "2026-02-20",
                         "发文字号": "云政发〔2026〕12号", "发布日期": "2026-03-01"}
    assert "<caption>政府信息公开</caption>" in b
    # serials count per site, in publish order; a document without 文号 gets its number too
    assert header(srv.get("/edu/zcwj/p13.html").body.decode())["索引号"] == "1100000002-2026-00002"
    nodoc = header(srv.get("/edu/zcwj/nodoc.html").body.decode())
    assert nodoc["索引号"] == "1100000002-2026-00004" and nodoc["发文字号"] == ""
    assert header(srv.get("/xian/zcwj/x1.html").body.decode())["索引号"] == "1100000003-2026-00001"
    # an article of another column has no such table
    assert '<table class="gkxx">' not in srv.get("/edu/news/cite.html").body.decode()


def test_index_no_unique_kept_and_freed(srv):
    c = srv
    r = publish(c, "edu", "zcwj", "dup", "重复索引号", ok=False, index_no="1100000002-2026-00001")
    assert r.returncode == 1
    assert ("refused: index_no (索引号) 1100000002-2026-00001 is already held by "
            "edu/zcwj/p12.html of site 'edu': index numbers are unique per site") in r.stderr.decode()
    assert c.get("/edu/zcwj/dup.html").status == 404
    # another site may hold the same number
    publish(c, "xian", "zcwj", "same", "同号", index_no="1100000002-2026-00001")
    # an update keeps the number (given or not); another number is refused
    publish(c, "edu", "zcwj", "p13", "关于做好春季防火工作的通知（修订）", cmd="update",
            body="做好防火。", doc_no="云政发〔2026〕13号")
    assert header(c.get("/edu/zcwj/p13.html").body.decode())["索引号"] == "1100000002-2026-00002"
    r = publish(c, "edu", "zcwj", "p13", "改号", cmd="update", ok=False, index_no="X-1")
    assert r.returncode == 1
    assert ("edu/zcwj/p13.html has index_no (索引号) 1100000002-2026-00002: an index number does "
            "not change") in r.stderr.decode()
    # an explicit number, then the generator skips nothing it would collide with
    publish(c, "edu", "zcwj", "own", "自编号", index_no="1100000002-2026-00006")
    publish(c, "edu", "zcwj", "gen", "自动编号")
    assert header(c.get("/edu/zcwj/gen.html").body.decode())["索引号"] == "1100000002-2026-00005"
    publish(c, "edu", "zcwj", "gen2", "自动编号二")
    assert header(c.get("/edu/zcwj/gen2.html").body.decode())["索引号"] == "1100000002-2026-00007"
    # unpublished, its number is free again
    assert c.ctl("unpublish", "--by", "李华", "edu", "zcwj", "own").returncode == 0
    publish(c, "edu", "zcwj", "own2", "再用编号", index_no="1100000002-2026-00006")
    for aid in ("gen", "gen2", "own2"):
        assert c.ctl("unpublish", "--by", "李华", "edu", "zcwj", aid).returncode == 0
    assert c.ctl("unpublish", "--by", "李华", "xian", "zcwj", "same").returncode == 0


@pytest.mark.parametrize("column,keys,msg", [
    ("news", {"doc_no": "云政发〔2026〕1号"},
     "doc_no (发文字号) is a policy document's key: column 'news' of site 'edu' is of type "
     "dynamic, not policy"),
    ("notice", {"index_no": "A-1"}, "index_no (索引号) is a policy document's key"),
    ("zcwj", {"written": "2026-02-30"}, "written (成文日期) '2026-02-30' is not a date (YYYY-MM-DD)"),
    ("zcwj", {"written": "2026-2-3"}, "written (成文日期) '2026-2-3' is not a date"),
    ("zcwj", {"doc_no": "文" * 65}, "doc_no (发文字号) must be text of at most 64 characters"),
    ("zcwj", {"issuer": "机" * 101}, "issuer (发文机关) must be text of at most 100 characters"),
    ("zcwj", {"topic": "a\u0007b"}, "topic (主题分类) must be text of at most 64 characters, without "
     "control characters"),
    ("zcwj", {"index_no": "A 1"}, "index_no (索引号) 'A 1' must be 1 to 64 of 0-9"),
    ("zcwj", {"index_no": "9" * 65}, "index_no (索引号) must be text of at most 64 characters"),
])
def test_policy_keys_refused(srv, column, keys, msg):
    r = publish(srv, "edu", column, "bad", "被拒绝", ok=False, **keys)
    assert r.returncode == 1
    assert msg in r.stderr.decode()
    assert srv.get(f"/edu/{column}/bad.html").status == 404


def test_doc_no_of_64_characters_is_taken(srv):
    publish(srv, "edu", "zcwj", "long", "长文号", doc_no="文" * 60 + "〔1〕号")
    assert header(srv.get("/edu/zcwj/long.html").body.decode())["发文字号"] == "文" * 60 + "〔1〕号"
    assert srv.ctl("unpublish", "--by", "李华", "edu", "zcwj", "long").returncode == 0


# ---- search ----

@pytest.mark.parametrize("q", ["云政发〔2026〕12号", "云政发[2026]12号", "云政发(2026)12号",
                               "云政发【2026】12号", "云政发（2026）12号", "云政发［2026］12号",
                               "云政发 [2026] 12 号", "\"云政发〔2026〕12号\""])
def test_doc_no_found_first_whatever_its_brackets(srv, q):
    res = search(srv, q)
    got = urls(res)
    # the document whose 文号 it is first, the one citing it (title and body) next; the
    # 13号 and the 2025 one are not found
    assert got[:2] == ["/edu/zcwj/p12.html", "/edu/news/cite.html"], got
    assert "/edu/zcwj/p13.html" not in got and "/edu/zcwj/p2025.html" not in got
    # on the site's own search too
    assert urls(search(srv, q, path="/edu/search"))[0] == "/edu/zcwj/p12.html"


def test_header_fields_are_searchable_below_the_body(srv):
    # the issuer, the topic, the index number
    assert "/edu/zcwj/p12.html" in urls(search(srv, "办公室"))
    assert urls(search(srv, "扶贫")) == ["/edu/zcwj/p12.html"]
    assert urls(search(srv, "1100000002-2026-00002")) == ["/edu/zcwj/p13.html"]
    # the header weighs less than the body: the same word, the same dates, lengths alike
    assert urls(search(srv, "水利")) == ["/xian/zcwj/w2.html", "/xian/zcwj/w1.html"]


# ---- census ----

def test_census_counts_policy_documents(srv):
    r = srv.ctl("census", "columns", "--format", "json")
    assert r.returncode == 0, r.stderr
    rows = {(x["site"], x["id"]): x for x in json.loads(r.stdout)}
    zc = rows[("edu", "zcwj")]
    assert list(zc)[:8] == ["site", "site_name", "id", "name", "type", "items", "last_update",
                            "type_name"]
    assert (zc["policy_documents"], zc["policy_without_doc_no"]) == (4, 1)
    assert (rows[("xian", "zcwj")]["policy_documents"],
            rows[("xian", "zcwj")]["policy_without_doc_no"]) == (3, 2)
    assert rows[("edu", "news")]["policy_documents"] is None
    r = srv.ctl("census", "columns")
    table = list(csv.reader(io.StringIO(r.stdout.decode())))
    assert table[0] == ["站点标识", "网站名称", "栏目标识", "栏目名称", "栏目类型", "信息条数",
                        "最近更新", "政策文件数", "缺发文字号"]
    row = next(x for x in table if x[:3] == ["edu", "测试市教育局", "zcwj"])
    assert row[7:] == ["4", "1"]
    row = next(x for x in table if x[:3] == ["edu", "测试市教育局", "news"])
    assert row[7:] == ["", ""]


# ---- answered messages ----

MESSAGES = """\
- site: edu
  column: mailbox
  title: 咨询学区划分的依据
  body: 请问今年的学区划分依据是什么，何时公布？
  name: 张大山
  phone: "13800001111"
  date: "2026-03-02 10:00"
  replies:
    - by: 测试市教育局基础教育科
      date: "2026-03-04 15:30"
      text: 学区划分以户籍和房产为依据，将于五月在官网公布。
- site: edu
  column: mailbox
  title: 校车安全问题
  body: 校车超载严重，请核查。
  name: 李小红
  phone: "13900002222"
  date: "2026-03-03 09:00"
"""


@pytest.fixture(scope="module")
def msgs(srv):
    f = srv.root / "messages.yaml"
    f.write_text(MESSAGES)
    r = srv.ctl("message_import", f)
    assert r.returncode == 0, r.stderr
    return srv


def reply(c, site, code, text, by="测试市教育局"):
    f = c.root / "reply.txt"
    f.write_text(text)
    r = c.ctl("reply", site, code, f, "--by", by)
    assert r.returncode == 0, r.stderr


def test_answered_message_found_by_question_and_reply(msgs):
    c = msgs
    for q in ("学区划分", "户籍和房产"):
        res = search(c, q, type="message")
        assert len(res["results"]) == 1, res
        hit = res["results"][0]
        assert hit["title"] == "咨询学区划分的依据"
        assert hit["site"] == "edu" and hit["site_name"] == "测试市教育局"
        assert hit["column"] == "mailbox"
        assert hit["date"] == "2026-03-04 15:30"  # when its reply made it public
        assert re.fullmatch(r"/edu/mailbox/m/[1-9][0-9]*\.html", hit["url"]), hit["url"]
        page = c.get(hit["url"])
        assert page.status == 200
        b = page.body.decode()
        assert "请问今年的学区划分依据是什么" in b and "将于五月在官网公布" in b
        assert "张*" in b and "张大山" not in b and "13800001111" not in b
    # the type filter: no article matches these words; articles do not answer type=message
    assert search(c, "学区划分", type="article")["total"] == 0
    assert search(c, "养老服务", type="message")["total"] == 0
    # the site's own search gives its path below the site's host
    res = search(c, "学区", path="/search", host="edu.test.gov.cn", type="message")
    assert re.fullmatch(r"/mailbox/m/[1-9][0-9]*\.html", urls(res)[0])
    # the citizen's name and phone are never indexed; an unanswered message is not found
    assert search(c, "张大山")["total"] == 0
    assert search(c, "13800001111")["total"] == 0
    assert search(c, "校车超载")["total"] == 0


def test_reply_makes_public_correction_replaces_spam_removes(msgs):
    c = msgs
    r = c.ctl("messages", "edu")
    line = next(x for x in r.stdout.decode().splitlines() if "校车安全问题" in x)
    code = line.split()[0]
    reply(c, "edu", code, "已联系校车公司，立即整改超载。")
    res = search(c, "校车超载", type="message")
    assert [x["title"] for x in res["results"]] == ["校车安全问题"]
    url = res["results"][0]["url"]
    assert c.get(url).status == 200
    # a correction replaces the reply in the index
    reply(c, "edu", code, "更正：已停运该校车并更换车辆。")
    assert search(c, "整改", type="message")["total"] == 0
    assert search(c, "更换车辆", type="message")["total"] == 1
    assert c.ctl("reindex", "--check").returncode == 0
    # spam hides it: out of the index and its page gone, in one go
    r = c.ctl("messages", "edu", "--spam", code, "--by", "王某")
    assert r.returncode == 0, r.stderr
    assert search(c, "校车")["total"] == 0
    assert c.get(url).status == 404
    # a reply to a message marked spam makes nothing public
    reply(c, "edu", code, "再次答复：校车已更换。")
    assert search(c, "校车")["total"] == 0
    assert c.get(url).status == 404
    # a page number that is no public message of this board
    assert c.get("/edu/mailbox/m/999999.html").status == 404
    assert c.get("/edu/mailbox/m/0.html").status == 404
    assert c.get("/xian/mailbox/" + url.split("/mailbox/")[1]).status == 404
    out = c.ctl("reindex", "--check")
    assert out.returncode == 0, out.stderr


def test_reindex_equals_maintained_index(msgs):
    r = msgs.ctl("reindex", "--check")
    assert r.returncode == 0, r.stderr
    assert "the rebuilt index equals the maintained one" in r.stdout.decode()
    r = msgs.ctl("reindex", "edu")
    assert r.returncode == 0 and "equals the maintained one" in r.stdout.decode()
    # after a rebuild the 文号 and the message are still found
    assert urls(search(msgs, "云政发[2026]12号"))[0] == "/edu/zcwj/p12.html"
    assert search(msgs, "户籍和房产", type="message")["total"] == 1


def test_purge_takes_numbers_and_message_pages(tmp_path):
    from test_search import content
    need_binaries()
    c = Cluster(tmp_path / "c", sites=sites())
    c.import_pages("xian", {"index.html": b"<title>x</title>"})
    publish(c, "xian", "zcwj", "x1", "县政策", doc_no="测县发〔2026〕1号")
    f = c.root / "messages.yaml"
    f.write_text(MESSAGES.replace("site: edu", "site: xian"))
    assert c.ctl("message_import", f).returncode == 0
    keys = [k for k, _ in content(c)]
    mine = (b"ix/xian/", b"n/index/xian", b"mp/xian/", b"xa/xian/m/")
    assert all(any(k.startswith(p) for k in keys) for p in mine), keys
    c.site_path("xian").unlink()
    c.site_path("zhen").unlink()  # hangs under xian
    r = c.ctl("purge", "--yes", "xian")
    assert r.returncode == 0, r.stderr
    keys = [k for k, _ in content(c)]
    assert not [k for k in keys if k.startswith(mine)]
