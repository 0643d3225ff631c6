# tests/e2e/test_console_policy.py: policy documents (政策文件, issue 16) written in the
# console (issue 15's drafts API): a draft in a policy column carries doc_no, issuer,
# written, topic and index_no (JSON, multipart and the editor's form), GET returns them,
# approval publishes them (the page's 政府信息公开 table; search finds the 文号 written with
# [] first); index_no generated when left empty and kept by a revision through a draft; the
# keys refused (400 naming the field) outside a policy column and when malformed, as
# `jiyuectl publish` refuses them; an index_no another article holds refused at approval
# (409, the draft stays awaiting review); another site's account still gets 403; the
# editor and review pages show the fields.
import json
import re
from urllib.parse import urlencode

import pytest

from conftest import BASE_SITES, PORTAL_HOST, Api, console_cluster

ACCOUNTS = {
    "li.hua": ["editor:edu"],
    "zhao.shen": ["reviewer:edu"],
    "xian.ed": ["editor:xian", "reviewer:xian"],
}

POLICY_COLUMNS = "  - {id: zcwj, name: 政策文件, type: policy}\n"

DRAFT = {"site": "edu", "column": "zcwj", "title": "关于印发校园安全管理办法的通知",
         "body": "各学校：现将办法印发给你们。\n", "disclosure": "主动公开",
         "doc_no": "云教发〔2026〕31号", "issuer": "测试市教育局", "written": "2026-11-28",
         "topic": "教育"}

BOUNDARY = "----e2ePolicyB0undary"


def sites():
    out = {k: dict(v) for k, v in BASE_SITES.items()}
    out["edu"]["extra"] = POLICY_COLUMNS
    out["xian"]["extra"] = POLICY_COLUMNS
    return out


@pytest.fixture(scope="module")
def cl(tmp_path_factory):
    c = console_cluster(tmp_path_factory.mktemp("cpolicy"), accounts=ACCOUNTS, sites=sites(),
                        limits={"search_per_minute": 100000})
    c.start()
    c.sessions = {}
    yield c
    c.stop()


def api(cl, name):
    if name not in cl.sessions:
        a = Api(cl)
        assert a.login(name).status == 200
        cl.sessions[name] = a
    return cl.sessions[name]


def create(a, **over):
    r = a.call("POST", "/api/drafts", dict(DRAFT, **over))
    assert r.status == 201, r
    return r.json["id"]


def approve(cl, did, editor="li.hua", reviewer="zhao.shen", status=200):
    assert api(cl, editor).call("POST", f"/api/drafts/{did}/submit").status == 200
    r = api(cl, reviewer).call("POST", f"/api/drafts/{did}/approve", {"secrecy_review": True})
    assert r.status == status, r
    return r


def header(body):
    """{th: td} of the article page's 政府信息公开 table."""
    m = re.search(r'<table class="gkxx">(.*?)</table>', body, re.S)
    assert m, body[:3000]
    return dict(re.findall(r'<th scope="row">(.*?)</th><td>(.*?)</td>', m.group(1)))


def search(cl, q):
    r = cl.get("/search?" + urlencode({"q": q, "format": "json"}), host=PORTAL_HOST)
    assert r.status == 200, r
    return [x["url"] for x in json.loads(r.body)["results"]]


def test_policy_draft_published_with_its_header_and_found_by_doc_no(cl):
    li = api(cl, "li.hua")
    did = create(li, index_no="EDU-JY-2026-031")
    d = li.call("GET", f"/api/drafts/{did}").json
    assert {k: d[k] for k in ("doc_no", "issuer", "written", "topic", "index_no")} == {
        "doc_no": "云教发〔2026〕31号", "issuer": "测试市教育局", "written": "2026-11-28",
        "topic": "教育", "index_no": "EDU-JY-2026-031"}
    # the review page shows them to the reviewer
    page = api(cl, "zhao.shen").call("GET", f"/review/{did}")
    assert page.status == 200
    assert '<dd id="doc_no">云教发〔2026〕31号</dd>' in page.body.decode()
    assert '<dd id="index_no">EDU-JY-2026-031</dd>' in page.body.decode()
    url = approve(cl, did).json["url"]
    assert url.startswith("/edu/zcwj/"), url
    page = cl.get(url, host=PORTAL_HOST)
    assert page.status == 200
    h = header(page.body.decode())
    assert {k: h[k] for k in ("发文字号", "发文机关", "成文日期", "主题分类", "索引号")} == {
        "发文字号": "云教发〔2026〕31号", "发文机关": "测试市教育局", "成文日期": "2026-11-28",
        "主题分类": "教育", "索引号": "EDU-JY-2026-031"}
    # the 文号 written with [] finds it first
    assert search(cl, "云教发[2026]31号")[0] == url
    # a duplicate 索引号: 409 at approval naming it, the draft still awaits review
    did2 = create(li, title="另一份文件", doc_no="云教发〔2026〕32号", index_no="EDU-JY-2026-031")
    r = approve(cl, did2, status=409)
    assert r.json["field"] == "index_no" and "EDU-JY-2026-031 is already held by" in r.json["error"], r
    d2 = li.call("GET", f"/api/drafts/{did2}").json
    assert d2["state"] == "submitted" and d2["url"] is None
    assert cl.get(url, host=PORTAL_HOST).status == 200


def test_generated_index_no_kept_by_a_revision(cl):
    li = api(cl, "li.hua")
    did = create(li, title="关于学生资助的通知", doc_no="云教发〔2026〕40号")
    url = approve(cl, did).json["url"]
    no = header(cl.get(url, host=PORTAL_HOST).body.decode())["索引号"]
    assert re.fullmatch(r"1100000002-2026-\d{5}", no), no
    # GET tells the generated number of the published draft
    assert li.call("GET", f"/api/drafts/{did}").json["index_no"] == no
    art = url.rsplit("/", 1)[1][:-5]
    # a revision through a draft, index_no left empty: the number stays
    rev = create(li, article=art, title="关于学生资助的通知（修订）", doc_no="云教发〔2026〕40号",
                 topic="教育、资助")
    page = api(cl, "li.hua").call("GET", f"/drafts/{rev}")
    assert 'id="doc_no" name="doc_no" value="云教发〔2026〕40号"' in page.body.decode()
    # the reviewer sees the header's changes: the topic, not the number kept
    assert api(cl, "li.hua").call("POST", f"/api/drafts/{rev}/submit").status == 200
    page = api(cl, "zhao.shen").call("GET", f"/review/{rev}").body.decode()
    assert '<p id="changed-topic">主题分类：<del>教育</del> → <ins>教育、资助</ins></p>' in page
    assert 'id="changed-index_no"' not in page and 'id="changed-doc_no"' not in page
    r = api(cl, "zhao.shen").call("POST", f"/api/drafts/{rev}/approve", {"secrecy_review": True})
    assert r.status == 200, r
    h = header(cl.get(url, host=PORTAL_HOST).body.decode())
    assert h["索引号"] == no and h["发文字号"] == "云教发〔2026〕40号" and h["主题分类"] == "教育、资助"
    # a revision that changes the number: 409 at approval
    rev2 = create(li, article=art, title="改号", index_no="OTHER-1")
    r = approve(cl, rev2, status=409)
    assert r.json["field"] == "index_no" and "an index number does not change" in r.json["error"]
    assert header(cl.get(url, host=PORTAL_HOST).body.decode())["索引号"] == no


@pytest.mark.parametrize("over,field,msg", [
    ({"column": "news"}, "doc_no", "doc_no (发文字号) is a policy document's key: column 'news'"),
    ({"column": "news", "doc_no": "", "issuer": "", "written": "", "topic": "", "index_no": "A-1"},
     "index_no", "index_no (索引号) is a policy document's key"),
    ({"written": "2026-02-30"}, "written", "written (成文日期) '2026-02-30' is not a date"),
    ({"written": "2026/11/28"}, "written", "is not a date (YYYY-MM-DD)"),
    ({"issuer": "机" * 101}, "issuer", "issuer (发文机关) must be text of at most 100 characters"),
    ({"index_no": "A 1"}, "index_no", "index_no (索引号) 'A 1' must be 1 to 64"),
])
def test_bad_keys_are_400_naming_the_field(cl, over, field, msg):
    li = api(cl, "li.hua")
    r = li.call("POST", "/api/drafts", dict(DRAFT, **over))
    assert r.status == 400 and r.json["field"] == field and msg in r.json["error"], r
    if "column" in over:
        return  # a draft's column is fixed at creation
    # and on PUT of a draft that was good: refused, the draft unchanged
    did = create(li, title="将被改坏的稿件")
    r = li.call("PUT", f"/api/drafts/{did}", dict(DRAFT, **over))
    assert r.status == 400 and r.json["field"] == field and msg in r.json["error"], r
    d = li.call("GET", f"/api/drafts/{did}").json
    assert (d["written"], d["issuer"], d["index_no"], d["edits"]) == ("2026-11-28", "测试市教育局", "", 0)


def test_multipart_and_form_fields(cl):
    li = api(cl, "li.hua")
    fields = dict(DRAFT, doc_no="云教发〔2026〕50号", written="2026-12-01", topic="体育")
    body = b"".join(f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n"
                    .encode() + v.encode() + b"\r\n" for k, v in fields.items())
    body += f"--{BOUNDARY}--\r\n".encode()
    r = li.call("POST", "/api/drafts", raw=body,
                headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"})
    assert r.status == 201, r
    d = li.call("GET", f"/api/drafts/{r.json['id']}").json
    assert (d["doc_no"], d["written"], d["topic"], d["index_no"]) == (
        "云教发〔2026〕50号", "2026-12-01", "体育", "")
    # the editor's form (urlencoded, as a browser without script posts it)
    form = urlencode(dict(DRAFT, csrf=li.csrf, doc_no="云教发〔2026〕51号", issuer="测试市体育局"))
    r = li.call("POST", "/api/drafts?next=/drafts/{id}", raw=form.encode(),
                headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 303, r
    fid = r.header("Location").rsplit("/", 1)[1]
    d = li.call("GET", f"/api/drafts/{fid}").json
    assert (d["doc_no"], d["issuer"]) == ("云教发〔2026〕51号", "测试市体育局")


def test_editor_page_shows_the_fields(cl):
    li = api(cl, "li.hua")
    page = li.call("GET", "/drafts/new?site=edu").body.decode()
    for name, label in (("doc_no", "发文字号"), ("issuer", "发文机关"), ("written", "成文日期"),
                        ("topic", "主题分类"), ("index_no", "索引号")):
        assert f'<label for="{name}">{label}</label>' in page
        assert re.search(rf'<input type="text" id="{name}" name="{name}" value="" [^>]*'
                         rf'aria-describedby="{name}-hint policy-note">', page), name
        assert f'<p class="hint" id="{name}-hint">' in page
    assert 'id="policy-note">仅“政策文件”类栏目的稿件填写' in page
    # a draft of a column of another type: no policy fields
    did = create(li, column="news", doc_no="", issuer="", written="", topic="")
    page = li.call("GET", f"/drafts/{did}").body.decode()
    assert 'id="title"' in page and 'name="doc_no"' not in page
    # a policy draft: the fields with its values, no note (its column is fixed)
    did = create(li, title="编辑页")
    page = li.call("GET", f"/drafts/{did}").body.decode()
    assert 'id="written" name="written" value="2026-11-28"' in page
    assert 'aria-describedby="written-hint"' in page and "policy-note" not in page


def test_other_site_is_403_with_the_keys(cl):
    did = create(api(cl, "li.hua"), title="跨站政策文件")
    x = api(cl, "xian.ed")
    assert x.call("GET", f"/api/drafts/{did}").status == 403
    assert x.call("PUT", f"/api/drafts/{did}", dict(DRAFT, index_no="X-1")).status == 403
    assert x.call("POST", "/api/drafts", DRAFT).status == 403
    # its own site's policy column is its to write
    assert x.call("POST", "/api/drafts", dict(DRAFT, site="xian")).status == 201
