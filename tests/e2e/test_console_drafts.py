# tests/e2e/test_console_drafts.py: the console's drafts API over HTTP against the real
# server: an editor writes, submits; another account reviews (approve publishes through the
# content module: the page is live at the next public request, the trail names the
# accounts), rejects with a reason the editor reads, unpublishes with a reason; and every
# refusal: 401 without a session, 403 for another site's drafts and for a missing CSRF
# token or a foreign Origin, 400 naming the field, 404 for an unknown id, 409 for the
# wrong state and for self-review.
import json
import time

import pytest

from conftest import PORTAL_HOST, Api, RawConn, console_cluster

ACCOUNTS = {
    "li.hua": ["editor:edu"],
    "zhao.shen": ["reviewer:edu"],
    "both.edu": ["editor:edu", "reviewer:edu"],
    "xian.ed": ["editor:xian"],
    "wang.xian": ["site_admin:xian/*"],
    "ops": ["cluster_admin"],
}

DRAFT = {"site": "edu", "column": "news", "title": "关于寒假安排的通知",
         "body": "# 寒假\n\n正文 *强调*。\n", "source": "市教育局", "author": "李华",
         "disclosure": "主动公开"}


@pytest.fixture(scope="module")
def cl(tmp_path_factory):
    # a small admin.max_upload, far above the public limits.max_body_bytes (1KiB here)
    c = console_cluster(tmp_path_factory.mktemp("drafts"), accounts=ACCOUNTS,
                        admin_extra=f"  max_upload: {MAX_UPLOAD}\n  publish_interval: 200ms\n")
    c.start()
    yield c
    c.stop()


MAX_UPLOAD = 64 * 1024
BOUNDARY = "----e2eB0undary7"

_sessions = {}


def api(cl, name):
    """A signed-in client per account (one sign-in each: Argon2 is slow on purpose)."""
    if name not in _sessions or _sessions[name].c is not cl:
        a = Api(cl)
        r = a.login(name)
        assert r.status == 200, r
        _sessions[name] = a
    return _sessions[name]


def create(a, **over):
    body = dict(DRAFT, **over)
    r = a.call("POST", "/api/drafts", body)
    assert r.status == 201, r
    assert set(r.json) == {"id"} and r.json["id"].isdigit()
    return r.json["id"]


def submitted(cl, editor="li.hua", **over):
    a = api(cl, editor)
    did = create(a, **over)
    r = a.call("POST", f"/api/drafts/{did}/submit")
    assert r.status == 200 and r.json == {"ok": True}, r
    return did


def test_create_read_update(cl):
    li = api(cl, "li.hua")
    did = create(li)
    r = li.call("GET", f"/api/drafts/{did}")
    assert r.status == 200, r
    d = r.json
    for k, v in DRAFT.items():
        assert d[k] == v, k
    assert d["id"] == did and d["state"] == "draft" and d["editor"] == "li.hua"
    assert d["last_by"] == "li.hua" and d["reviewer"] == "" and d["reason"] == ""
    assert d["revision"] == 0 and d["edits"] == 0 and d["attachments"] == []
    assert d["url"] is None and d["scheduled"] is None and d["update"] is False
    assert d["article"].endswith("-" + did)
    # PUT replaces the fields: a new edit, the same place
    r = li.call("PUT", f"/api/drafts/{did}", dict(DRAFT, title="更正后的标题", site="edu"))
    assert r.status == 200 and r.json == {"ok": True}, r
    d2 = li.call("GET", f"/api/drafts/{did}").json
    assert d2["title"] == "更正后的标题" and d2["edits"] == 1 and d2["state"] == "draft"
    # a draft cannot move to another site or column
    r = li.call("PUT", f"/api/drafts/{did}", dict(DRAFT, column="notice"))
    assert r.status == 400 and r.json["field"] == "column", r
    # a site's reviewer reads it too
    assert api(cl, "zhao.shen").call("GET", f"/api/drafts/{did}").json["title"] == "更正后的标题"


def test_list_mine_and_queue(cl):
    li = api(cl, "li.hua")
    a = create(li, title="列表一")
    b = submitted(cl, title="列表二")
    r = li.call("GET", "/api/drafts?view=mine&site=edu")
    assert r.status == 200, r
    ids = [d["id"] for d in r.json["drafts"]]
    assert ids.index(b) < ids.index(a)  # newest first
    assert r.json["more"] is False
    assert {d["editor"] for d in r.json["drafts"]} == {"li.hua"}
    assert li.call("GET", "/api/drafts").json == r.json  # mine is the default view
    # the queue: submitted drafts of the sites I review, newest first
    q = api(cl, "zhao.shen").call("GET", "/api/drafts?view=queue")
    assert q.status == 200
    qids = [d["id"] for d in q.json["drafts"]]
    assert b in qids and a not in qids
    assert all(d["state"] == "submitted" and d["site"] == "edu" for d in q.json["drafts"])
    c = submitted(cl, title="列表三")
    q2 = api(cl, "zhao.shen").call("GET", "/api/drafts?view=queue&site=edu").json["drafts"]
    qids = [d["id"] for d in q2]
    assert qids.index(c) < qids.index(b)
    # an editor has no queue of edu; a bad view is named
    r = li.call("GET", "/api/drafts?view=queue&site=edu")
    assert r.status == 403, r
    r = li.call("GET", "/api/drafts?view=all")
    assert r.status == 400 and r.json["field"] == "view"
    r = li.call("GET", "/api/drafts?site=nosuch")
    assert r.status == 400 and r.json["field"] == "site"
    # another site's editor sees none of edu's drafts in any list
    x = api(cl, "xian.ed")
    assert x.call("GET", "/api/drafts").json["drafts"] == []
    assert x.call("GET", "/api/drafts?view=queue").json["drafts"] == []


def test_approve_publishes_live_with_accounts_in_trail(cl):
    did = submitted(cl, title="审核发布测试")
    zs = api(cl, "zhao.shen")
    # the 保密审查 confirmation is required, and named
    r = zs.call("POST", f"/api/drafts/{did}/approve", {})
    assert r.status == 400 and r.json["field"] == "secrecy_review", r
    r = zs.call("POST", f"/api/drafts/{did}/approve", {"secrecy_review": True})
    assert r.status == 200, r
    url = r.json["url"]
    assert url.startswith("/edu/news/") and url.endswith(f"-{did}.html"), url
    page = cl.get(url, host=PORTAL_HOST)  # the very next public request
    assert page.status == 200, page
    assert "审核发布测试".encode() in page.body
    d = zs.call("GET", f"/api/drafts/{did}").json
    assert d["state"] == "published" and d["reviewer"] == "zhao.shen" and d["url"] == url
    assert d["revision"] == 1
    # approving again: a wrong state
    r = zs.call("POST", f"/api/drafts/{did}/approve", {"secrecy_review": True})
    assert r.status == 409, r
    # the trail names the accounts: publisher the editor, reviewer the approver
    h = cl.ctl("history", "edu")
    assert h.returncode == 0, h
    lines = h.stdout.decode().splitlines()
    art = url.rsplit("/", 1)[1][:-5]
    pub = [ln for ln in lines if f"\tpublish\tedu/news/{art}\t" in ln]
    assert len(pub) == 1 and "\tby li.hua\treviewed by zhao.shen\t" in pub[0], lines
    assert any(f"\tdraft-approve\tedu/news draft {did}\tby zhao.shen\t" in ln for ln in lines)
    assert any(f"\tdraft-submit\tedu/news draft {did}\tby li.hua" in ln for ln in lines)


ID_NUMBER = "11010519491231002X"  # GB 11643's own example: a valid check character
ID_MASKED = "110105********002X"


def test_unmasked_id_numbers_need_the_reviewers_confirmation(cl):
    body = f"# 公示\n\n张三，身份证号 {ID_NUMBER}，联系电话 13812345678。\n"
    did = submitted(cl, title="助学金公示", body=body)
    zs = api(cl, "zhao.shen")
    d = zs.call("GET", f"/api/drafts/{did}").json
    assert d["personal_data"] == {"ids": 1, "phones": 1, "id_sample": ID_MASKED,
                                  "phone_sample": "138****5678"}, d["personal_data"]
    # the review page warns, masked, and asks for the second confirmation
    page = zs.call("GET", f"/review/{did}").body.decode()
    assert 'id="personal-data"' in page and f"1 处未脱敏的居民身份证号码（如 {ID_MASKED}）" in page
    assert "1 处手机号码（如 138****5678）" in page
    assert '<input type="checkbox" id="personal_data" name="personal_data" value="true" required>' in page
    # approval without it: 400 naming the field, the number masked in the message, nothing published
    r = zs.call("POST", f"/api/drafts/{did}/approve", {"secrecy_review": True})
    assert r.status == 400 and r.json["field"] == "personal_data", r
    assert ID_MASKED in r.json["error"] and ID_NUMBER not in r.body.decode(), r.json
    assert zs.call("GET", f"/api/drafts/{did}").json["state"] == "submitted"
    # another site's admin confirming everything is still not this site's reviewer
    both = {"secrecy_review": True, "personal_data": True}
    r = api(cl, "wang.xian").call("POST", f"/api/drafts/{did}/approve", both)
    assert r.status == 403, r
    assert api(cl, "wang.xian").call("GET", f"/api/drafts/{did}").status == 403
    r = zs.call("POST", f"/api/drafts/{did}/approve", both)
    assert r.status == 200, r
    h = cl.ctl("history", "edu").stdout.decode().splitlines()
    assert any(f"\tdraft-approve\tedu/news draft {did}\tby zhao.shen\t" in ln and
               "unmasked ID numbers confirmed by the reviewer" in ln for ln in h), h
    # masked: a warning for the mobile number only, approval as ever
    masked = submitted(cl, title="助学金公示（脱敏）", body=body.replace(ID_NUMBER, ID_MASKED))
    d = zs.call("GET", f"/api/drafts/{masked}").json
    assert d["personal_data"]["ids"] == 0 and d["personal_data"]["id_sample"] is None
    page = zs.call("GET", f"/review/{masked}").body.decode()
    assert 'id="personal-ids"' not in page and 'id="personal_data"' not in page
    assert 'id="personal-phones"' in page
    r = zs.call("POST", f"/api/drafts/{masked}/approve", {"secrecy_review": True})
    assert r.status == 200, r
    # nothing found: no warning at all
    plain = submitted(cl, title="无个人信息")
    assert zs.call("GET", f"/api/drafts/{plain}").json["personal_data"] == {
        "ids": 0, "phones": 0, "id_sample": None, "phone_sample": None}
    assert 'id="personal-data"' not in zs.call("GET", f"/review/{plain}").body.decode()


def test_self_review_is_409(cl):
    did = submitted(cl, editor="both.edu", title="自审")
    both = api(cl, "both.edu")
    r = both.call("POST", f"/api/drafts/{did}/approve", {"secrecy_review": True})
    assert r.status == 409 and "self-review" in r.json["error"], r
    r = both.call("POST", f"/api/drafts/{did}/reject", {"reason": "自己退回"})
    assert r.status == 409, r
    assert both.call("GET", f"/api/drafts/{did}").json["state"] == "submitted"


def test_reject_reason_reaches_the_editor(cl):
    did = submitted(cl, title="退回测试")
    zs = api(cl, "zhao.shen")
    r = zs.call("POST", f"/api/drafts/{did}/reject", {"reason": "  "})
    assert r.status == 400 and r.json["field"] == "reason", r
    r = zs.call("POST", f"/api/drafts/{did}/reject", {})
    assert r.status == 400 and r.json["field"] == "reason", r
    r = zs.call("POST", f"/api/drafts/{did}/reject", {"reason": "来源有误，请核实"})
    assert r.status == 200, r
    d = api(cl, "li.hua").call("GET", f"/api/drafts/{did}").json
    assert d["state"] == "rejected" and d["reason"] == "来源有误，请核实"
    assert d["reviewer"] == "zhao.shen"
    # rejected: the editor may change and submit again
    li = api(cl, "li.hua")
    assert li.call("PUT", f"/api/drafts/{did}", dict(DRAFT, source="市教育局办公室")).status == 200
    assert li.call("POST", f"/api/drafts/{did}/submit").status == 200
    # approve of a draft not submitted: 409
    other = create(li, title="未提交")
    assert zs.call("POST", f"/api/drafts/{other}/approve", {"secrecy_review": True}).status == 409
    assert li.call("POST", f"/api/drafts/{did}/submit").status == 409  # submitted already


def test_unpublish_needs_a_reason_and_the_page_goes(cl):
    did = submitted(cl, title="撤稿测试")
    zs = api(cl, "zhao.shen")
    url = zs.call("POST", f"/api/drafts/{did}/approve", {"secrecy_review": True}).json["url"]
    assert cl.get(url).status == 200
    art = url.rsplit("/", 1)[1][:-5]
    target = {"site": "edu", "column": "news", "id": art}
    r = zs.call("POST", "/api/articles/unpublish", target)
    assert r.status == 400 and r.json["field"] == "reason", r
    assert cl.get(url).status == 200
    # an editor may not take it down; another site's admin neither
    assert api(cl, "li.hua").call("POST", "/api/articles/unpublish",
                                  dict(target, reason="x")).status == 403
    assert api(cl, "wang.xian").call("POST", "/api/articles/unpublish",
                                     dict(target, reason="x")).status == 403
    r = zs.call("POST", "/api/articles/unpublish", dict(target, reason="信息有误"))
    assert r.status == 200, r
    assert cl.get(url).status == 404
    r = zs.call("POST", "/api/articles/unpublish", dict(target, reason="再撤"))
    assert r.status == 404, r
    h = cl.ctl("history", "edu").stdout.decode()
    assert f"\tunpublish\tedu/news/{art}\t" in h and "\tby zhao.shen\treason: 信息有误\t" in h


def test_other_sites_drafts_are_403(cl):
    did = submitted(cl, title="跨站")
    x = api(cl, "xian.ed")
    w = api(cl, "wang.xian")
    for a in (x, w):
        assert a.call("GET", f"/api/drafts/{did}").status == 403
        assert a.call("PUT", f"/api/drafts/{did}", DRAFT).status == 403
        # the same whatever site it names: a 400 "cannot move" would tell the draft's site
        assert a.call("PUT", f"/api/drafts/{did}", dict(DRAFT, site="xian")).status == 403
        assert a.call("POST", f"/api/drafts/{did}/submit").status == 403
        assert a.call("POST", f"/api/drafts/{did}/approve", {"secrecy_review": True}).status == 403
        assert a.call("POST", f"/api/drafts/{did}/reject", {"reason": "越权"}).status == 403
        assert a.call("GET", "/api/drafts?site=edu").status == 403
        assert a.call("GET", "/api/drafts?view=queue&site=edu").status == 403
        r = a.call("POST", "/api/drafts", DRAFT)  # writing into edu
        assert r.status == 403, r
    # and nothing changed
    d = api(cl, "zhao.shen").call("GET", f"/api/drafts/{did}").json
    assert d["state"] == "submitted" and d["edits"] == 0
    # the edu editor writes nothing into xian
    assert api(cl, "li.hua").call("POST", "/api/drafts", dict(DRAFT, site="xian")).status == 403
    # a cluster_admin may read it
    assert api(cl, "ops").call("GET", f"/api/drafts/{did}").status == 200


def test_401_without_a_session(cl):
    anon = Api(cl)
    for method, path, body in (("GET", "/api/drafts", None), ("POST", "/api/drafts", DRAFT),
                               ("GET", "/api/drafts/1", None), ("PUT", "/api/drafts/1", DRAFT),
                               ("POST", "/api/drafts/1/submit", None),
                               ("POST", "/api/drafts/1/approve", {"secrecy_review": True}),
                               ("POST", "/api/drafts/1/reject", {"reason": "x"}),
                               ("POST", "/api/articles/unpublish", {"reason": "x"})):
        r = anon.call(method, path, body)
        assert r.status == 401 and r.json == {"error": "not signed in"}, (method, path, r)


def test_csrf_and_origin_on_every_change(cl):
    li = api(cl, "li.hua")
    did = create(li, title="CSRF")
    zs = api(cl, "zhao.shen")
    for kw in ({"csrf": False}, {"csrf": "0" * 64}, {"origin": "http://evil.example"},
               {"origin": False}):
        for a, method, path, body in ((li, "POST", "/api/drafts", DRAFT),
                                      (li, "PUT", f"/api/drafts/{did}", DRAFT),
                                      (li, "POST", f"/api/drafts/{did}/submit", None),
                                      (zs, "POST", f"/api/drafts/{did}/approve",
                                       {"secrecy_review": True}),
                                      (zs, "POST", f"/api/drafts/{did}/reject", {"reason": "x"}),
                                      (zs, "POST", "/api/articles/unpublish",
                                       {"site": "edu", "column": "news", "id": "x",
                                        "reason": "x"})):
            r = a.call(method, path, body, **kw)
            assert r.status == 403, (kw, method, path, r)
    d = li.call("GET", f"/api/drafts/{did}").json
    assert d["state"] == "draft" and d["edits"] == 0


def test_bad_input_names_the_field(cl):
    li = api(cl, "li.hua")
    before = li.call("GET", "/api/drafts").json["drafts"]
    cases = (
        ({"column": "news", "title": "t"}, "site"),
        (dict(DRAFT, site="nosuch"), "site"),
        (dict(DRAFT, column=""), "column"),
        (dict(DRAFT, column="nosuch"), "column"),
        (dict(DRAFT, title=""), "title"),
        (dict(DRAFT, title="x" * 201), "title"),
        (dict(DRAFT, title=5), "title"),
        (dict(DRAFT, disclosure="随便"), "disclosure"),
        (dict(DRAFT, date="明天"), "date"),
        (dict(DRAFT, scheduled="2026-13-01 09:00"), "scheduled"),
        (dict(DRAFT, schedule="2026-12-01 09:00"), "schedule"),  # misspelt: never ignored
    )
    for body, field in cases:
        r = li.call("POST", "/api/drafts", body)
        assert r.status == 400 and r.json.get("field") == field, (body, r)
    r = li.call("POST", "/api/drafts", raw=b"{not json")
    assert r.status == 400 and "not JSON" in r.json["error"]
    r = li.call("POST", "/api/drafts", raw=b"[]")
    assert r.status == 400
    r = li.call("POST", "/api/drafts", raw=b'{"site":"edu","title":"a\\u0000b"}')
    assert r.status == 400  # jansson refuses NUL in a string
    assert li.call("GET", "/api/drafts").json["drafts"] == before  # nothing was made


def test_unknown_ids_and_methods(cl):
    zs = api(cl, "zhao.shen")
    for path in ("/api/drafts/999999", "/api/drafts/0", "/api/drafts/01", "/api/drafts/abc",
                 "/api/drafts/" + "9" * 21):
        assert zs.call("GET", path).status == 404, path
    assert zs.call("POST", "/api/drafts/999999/approve", {"secrecy_review": True}).status == 404
    assert zs.call("POST", "/api/drafts/999999/submit").status == 404
    assert zs.call("POST", "/api/drafts/1/publish", {}).status == 404
    r = zs.call("DELETE", "/api/drafts/1")
    assert r.status == 405 and r.header("Allow") == "GET, HEAD, PUT, POST", r
    r = zs.call("GET", "/api/drafts/1/approve")
    assert r.status == 405 and r.header("Allow") == "POST"
    assert zs.call("GET", "/api/articles/unpublish").status == 405


# ---- uploads: multipart/form-data under admin.max_upload ----

def multipart(fields=(), files=(), boundary=BOUNDARY):
    """fields: [(name, text)]; files: [(part name, file name, bytes)]."""
    out = b""
    for name, value in fields:
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                .encode() + value.encode() + b"\r\n")
    for name, fname, data in files:
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; "
                f"filename=\"{fname}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                .encode() + data + b"\r\n")
    return out + f"--{boundary}--\r\n".encode()


MP = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


def upload(a, path, fields=(), files=(), **kw):
    return a.call("POST", path, raw=multipart(fields, files), headers=MP, **kw)


def mine(a):
    r = a.call("GET", "/api/drafts")
    assert r.status == 200, r
    return [d["id"] for d in r.json["drafts"]]


def test_create_with_files_and_publish_them(cl):
    li = api(cl, "li.hua")
    pdf = b"%PDF-1.4\n" + bytes(range(256)) * 8  # binary, not UTF-8
    r = upload(li, "/api/drafts", fields=[(k, v) for k, v in DRAFT.items() if k != "title"]
               + [("title", "附件测试")],
               files=[("attachments", "../../安排.pdf", pdf), ("attachments", "名单.txt", b"a\r\nb")])
    assert r.status == 201, r
    did = r.json["id"]
    d = li.call("GET", f"/api/drafts/{did}").json
    assert d["title"] == "附件测试" and d["body"] == DRAFT["body"]
    assert d["attachments"] == [{"name": "安排.pdf", "size": len(pdf)},
                                {"name": "名单.txt", "size": 4}]
    assert li.call("POST", f"/api/drafts/{did}/submit").status == 200
    url = api(cl, "zhao.shen").call("POST", f"/api/drafts/{did}/approve",
                                    {"secrecy_review": True}).json["url"]
    from urllib.parse import quote
    f = cl.get(url[:-5] + "/" + quote("安排.pdf"))
    assert f.status == 200 and f.body == pdf, f


def test_attachments_endpoint(cl):
    li = api(cl, "li.hua")
    did = create(li, title="追加附件")
    r = upload(li, f"/api/drafts/{did}/attachments",
               files=[("attachments", "..\\..\\x.txt", b"hello")])
    assert r.status == 200 and r.json == {"attachments": [{"name": "x.txt", "size": 5}]}, r
    # the same name replaces it
    r = upload(li, f"/api/drafts/{did}/attachments", files=[("attachments", "x.txt", b"hi")])
    assert r.status == 200
    assert li.call("GET", f"/api/drafts/{did}").json["attachments"] == [{"name": "x.txt", "size": 2}]
    # not multipart; no file; a file under another name; a field it does not take
    r = li.call("POST", f"/api/drafts/{did}/attachments", {"x": 1})
    assert r.status == 415, r
    r = upload(li, f"/api/drafts/{did}/attachments", files=[("attachments", "", b"")])
    assert r.status == 400 and r.json["field"] == "attachments", r
    r = upload(li, f"/api/drafts/{did}/attachments", files=[("file", "a.txt", b"x")])
    assert r.status == 400 and r.json["field"] == "file", r
    r = upload(li, f"/api/drafts/{did}/attachments", fields=[("title", "x")],
               files=[("attachments", "a.txt", b"x")])
    assert r.status == 400 and r.json["field"] == "title", r
    r = upload(li, f"/api/drafts/{did}/attachments", files=[("attachments", "..", b"x")])
    assert r.status == 400, r
    # files go nowhere else: an update takes none
    r = li.call("PUT", f"/api/drafts/{did}", raw=multipart([("title", "t")],
                [("attachments", "a.txt", b"x")]), headers=MP)
    assert r.status == 400 and r.json["field"] == "attachments", r
    # another site's editor; a submitted draft
    r = upload(api(cl, "xian.ed"), f"/api/drafts/{did}/attachments",
               files=[("attachments", "evil.txt", b"x")])
    assert r.status == 403, r
    assert li.call("POST", f"/api/drafts/{did}/submit").status == 200
    r = upload(li, f"/api/drafts/{did}/attachments", files=[("attachments", "late.txt", b"x")])
    assert r.status == 409, r
    assert li.call("GET", f"/api/drafts/{did}").json["attachments"] == [{"name": "x.txt", "size": 2}]
    # CSRF: the header or a `csrf` part; neither is 403
    did2 = create(li, title="表单上传")
    r = upload(li, f"/api/drafts/{did2}/attachments", files=[("attachments", "a.txt", b"x")],
               csrf=False)
    assert r.status == 403, r
    r = li.call("POST", f"/api/drafts/{did2}/attachments", csrf=False, headers=MP,
                raw=multipart([("csrf", li.csrf)], [("attachments", "a.txt", b"x")]))
    assert r.status == 200, r


def test_attachment_removal(cl):
    """DELETE /api/drafts/ID/attachments/NAME (and the page form's POST .../NAME/delete):
    while the draft is editable, by who may edit it, CSRF like every change; the stored
    file goes with it."""
    from urllib.parse import quote
    li = api(cl, "li.hua")
    did = create(li, title="删除附件")
    r = upload(li, f"/api/drafts/{did}/attachments",
               files=[("attachments", "甲 表.txt", b"one"), ("attachments", "b.txt", b"two"),
                      ("attachments", "c.txt", b"three")])
    assert r.status == 200, r
    # CSRF and Origin first: nothing removed
    r = li.call("DELETE", f"/api/drafts/{did}/attachments/b.txt", csrf=False)
    assert r.status == 403, r
    r = li.call("DELETE", f"/api/drafts/{did}/attachments/b.txt", origin="http://evil.example")
    assert r.status == 403, r
    # another site's editor, and a reviewer who may read but not edit
    r = api(cl, "xian.ed").call("DELETE", f"/api/drafts/{did}/attachments/b.txt")
    assert r.status == 403, r
    r = api(cl, "zhao.shen").call("DELETE", f"/api/drafts/{did}/attachments/b.txt")
    assert r.status == 403, r
    # an unknown name, an unknown draft; the wrong method
    r = li.call("DELETE", f"/api/drafts/{did}/attachments/nope.txt")
    assert r.status == 404 and r.json["field"] == "attachments", r
    r = li.call("DELETE", "/api/drafts/99999999/attachments/b.txt")
    assert r.status == 404, r
    r = li.call("POST", f"/api/drafts/{did}/attachments/b.txt")
    assert r.status == 405, r
    names = [a["name"] for a in li.call("GET", f"/api/drafts/{did}").json["attachments"]]
    assert names == ["甲 表.txt", "b.txt", "c.txt"]
    # the editor page: a 删除 form per attachment, the name percent-encoded in its action
    ed = li.call("GET", f"/drafts/{did}", csrf=False, origin=False).body.decode()
    for n in names:
        assert (f'action="/api/drafts/{did}/attachments/{quote(n)}/delete?next=/drafts/{did}"'
                in ed), (n, ed)
    assert ed.count(">删除</button>") == 3
    # removed: a Chinese name with a space, percent-encoded in the path
    r = li.call("DELETE", f"/api/drafts/{did}/attachments/" + quote("甲 表.txt"))
    assert r.status == 200 and r.json == {"ok": True}, r
    # the form's way: POST .../NAME/delete with the csrf field, answered with a 303
    form = f"csrf={li.csrf}".encode()
    r = li.call("POST", f"/api/drafts/{did}/attachments/b.txt/delete?next=/drafts/{did}",
                raw=form, csrf=False,
                headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 303 and r.header("Location").endswith(f"/drafts/{did}"), r
    d = li.call("GET", f"/api/drafts/{did}").json
    assert d["attachments"] == [{"name": "c.txt", "size": 5}] and d["edits"] >= 2
    # the stored files are gone: publishing carries only c.txt
    assert li.call("POST", f"/api/drafts/{did}/submit").status == 200
    # no longer editable: 409, and nothing changes
    r = li.call("DELETE", f"/api/drafts/{did}/attachments/c.txt")
    assert r.status == 409, r
    url = api(cl, "zhao.shen").call("POST", f"/api/drafts/{did}/approve",
                                    {"secrecy_review": True}).json["url"]
    assert cl.get(url[:-5] + "/c.txt").status == 200
    assert cl.get(url[:-5] + "/b.txt").status == 404
    assert cl.get(url[:-5] + "/" + quote("甲 表.txt")).status == 404
    dump = __import__("conftest").store_dump(cl.root, printable=True)
    assert f"wa/{did}/".encode() not in dump


def test_too_many_files_leave_nothing(cl):
    li = api(cl, "li.hua")
    before = mine(li)
    files = [("attachments", f"f{i}.txt", b"x") for i in range(21)]  # the library's max is 20
    r = upload(li, "/api/drafts", fields=list(DRAFT.items()), files=files)
    assert r.status == 413 and r.json["field"] == "attachments", r
    assert mine(li) == before  # the draft made before the 21st file was undone with it


def test_max_upload_is_the_admin_body_cap(cl):
    li = api(cl, "li.hua")
    did = create(li, title="上限")
    # far over the public 1KiB cap, under max_upload: taken
    r = upload(li, f"/api/drafts/{did}/attachments",
               files=[("attachments", "big.bin", b"\xab" * (MAX_UPLOAD - 1024))])
    assert r.status == 200, r
    # the public listener still refuses 2KiB
    with RawConn(cl.port) as conn:
        conn.send_request("POST", "/", {"Host": PORTAL_HOST, "Content-Length": "2048"},
                          body=b"x" * 2048)
        assert conn.read_response().status == 413
    # over max_upload: 413 on the head, before any of the body is sent
    hdrs = {"Host": f"127.0.0.1:{cl.admin_port}", "Origin": li.origin, "X-CSRF-Token": li.csrf,
            "Cookie": f"jiyue_console={li.cookie}", "Content-Length": str(MAX_UPLOAD + 1)}
    hdrs.update(MP)
    t0 = time.monotonic()
    with RawConn(cl.admin_port) as conn:
        conn.send_request("POST", f"/api/drafts/{did}/attachments", hdrs)
        assert conn.read_response().status == 413
    assert time.monotonic() - t0 < 2
    # chunked: refused as the chunks announce more than max_upload
    body = multipart(files=[("attachments", "huge.bin", b"\xcd" * (MAX_UPLOAD + 10))])
    del hdrs["Content-Length"]
    hdrs["Transfer-Encoding"] = "chunked"
    with RawConn(cl.admin_port) as conn:
        conn.send_request("POST", f"/api/drafts/{did}/attachments", hdrs)
        try:
            for i in range(0, len(body), 16384):
                piece = body[i:i + 16384]
                conn.send(b"%x\r\n" % len(piece) + piece + b"\r\n")
            conn.send(b"0\r\n\r\n")
        except OSError:
            pass  # the server may close as soon as it refuses
        assert conn.read_response().status == 413
    atts = li.call("GET", f"/api/drafts/{did}").json["attachments"]
    assert [a["name"] for a in atts] == ["big.bin"]


def test_cut_off_upload_leaves_nothing(cl):
    li = api(cl, "li.hua")
    did = create(li, title="中断上传")
    before = mine(li)
    for path in (f"/api/drafts/{did}/attachments", "/api/drafts"):
        body = multipart(list(DRAFT.items()) if path == "/api/drafts" else (),
                         [("attachments", "half.bin", b"\x01" * 20000)])
        hdrs = {"Host": f"127.0.0.1:{cl.admin_port}", "Origin": li.origin,
                "X-CSRF-Token": li.csrf, "Cookie": f"jiyue_console={li.cookie}",
                "Content-Length": str(len(body))}
        hdrs.update(MP)
        with RawConn(cl.admin_port) as conn:
            conn.send_request("POST", path, hdrs, body=body[:len(body) // 2])
        # closed half-way: the server never answers it, and nothing of it is stored
    time.sleep(0.2)
    assert li.call("GET", f"/api/drafts/{did}").json["attachments"] == []
    assert mine(li) == before
    assert cl.alive()


# ---- scheduled publication ----

def at(seconds_from_now):
    """A scheduled time in UTC+8, to the second (the API takes "YYYY-MM-DD HH:mm[:ss]")."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time.time() + seconds_from_now + 8 * 3600))


def wait_status(cl, url, status, timeout=10):
    deadline = time.monotonic() + timeout
    while True:
        r = cl.get(url)
        if r.status == status or time.monotonic() > deadline:
            return r
        time.sleep(0.1)


def test_scheduled_publication(cl):
    zs = api(cl, "zhao.shen")
    li = api(cl, "li.hua")
    due = at(3)
    go = submitted(cl, title="定时发布", scheduled=due)
    off = submitted(cl, title="定时撤回", scheduled=due)
    assert li.call("GET", f"/api/drafts/{go}").json["scheduled"] == due[:16]
    r = zs.call("POST", f"/api/drafts/{go}/approve", {"secrecy_review": True})
    assert r.status == 200, r
    assert r.json["state"] == "scheduled" and r.json["scheduled"] == due[:16], r
    url = r.json["url"]
    r2 = zs.call("POST", f"/api/drafts/{off}/approve", {"secrecy_review": True})
    assert r2.status == 200 and r2.json["state"] == "scheduled"
    url_off = r2.json["url"]
    # waiting: not on the public site, not in the queue, "scheduled" in GET and in mine
    assert cl.get(url).status == 404
    d = li.call("GET", f"/api/drafts/{go}").json
    assert d["state"] == "scheduled" and d["url"] is None and d["reviewer"] == "zhao.shen"
    assert go not in [x["id"] for x in zs.call("GET", "/api/drafts?view=queue").json["drafts"]]
    assert {x["id"]: x["state"] for x in li.call("GET", "/api/drafts").json["drafts"]}[go] == "scheduled"
    # a scheduled draft cannot be changed, submitted or approved again
    assert li.call("PUT", f"/api/drafts/{go}", DRAFT).status == 409
    assert zs.call("POST", f"/api/drafts/{go}/approve", {"secrecy_review": True}).status == 409
    # called off before its time, with a reason: never published
    r = zs.call("POST", f"/api/drafts/{off}/reject", {"reason": "暂缓发布"})
    assert r.status == 200, r
    # at its time: live, once, by the timer (publish_interval 200ms here)
    page = wait_status(cl, url, 200)
    assert page.status == 200 and "定时发布".encode() in page.body, page
    d = li.call("GET", f"/api/drafts/{go}").json
    assert d["state"] == "published" and d["url"] == url and d["revision"] == 1
    time.sleep(0.5)  # two more ticks: the called-off draft stays off
    assert cl.get(url_off).status == 404
    d = li.call("GET", f"/api/drafts/{off}").json
    assert d["state"] == "rejected" and d["reason"] == "暂缓发布"
    h = cl.ctl("history", "edu").stdout.decode()
    art = url.rsplit("/", 1)[1][:-5]
    assert sum(f"\tpublish\tedu/news/{art}\t" in ln for ln in h.splitlines()) == 1, h
    assert f"\tdraft-publish\tedu/news draft {go}\tby zhao.shen\t" in h
    assert "\tby li.hua\treviewed by zhao.shen\t" in h


def test_scheduled_survives_a_restart(cl):
    zs = api(cl, "zhao.shen")
    did = submitted(cl, title="重启后定时发布", scheduled=at(2))
    url = zs.call("POST", f"/api/drafts/{did}/approve", {"secrecy_review": True}).json["url"]
    cl.stop()
    time.sleep(2.5)  # its time passes while the server is down
    cl.start()
    page = wait_status(cl, url, 200, timeout=5)
    assert page.status == 200, page
    assert api(cl, "li.hua").call("GET", f"/api/drafts/{did}").json["state"] == "published"
    h = cl.ctl("history", "edu").stdout.decode()
    art = url.rsplit("/", 1)[1][:-5]
    assert sum(f"\tpublish\tedu/news/{art}\t" in ln for ln in h.splitlines()) == 1
