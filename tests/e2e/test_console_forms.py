# tests/e2e/test_console_forms.py: the console's pages driving the drafts API through
# their forms, as a browser without JavaScript does (urlencoded posts, multipart uploads,
# the CSRF token in a hidden field, `?next=` to come back): write, change, upload, submit,
# a refused approval without 保密审查, approve (the preview seen before is byte for byte
# the public page after), reject with a reason the editor sees, and the refusals an
# outsider or the editor herself get, each as a page in the console's look.
import datetime
import re
import urllib.parse

import pytest

from conftest import EDU_HOST, console_cluster
from test_console_pages import Browser, check_page

ACCOUNTS = {
    "li.hua": ["editor:edu"],
    "shen.he": ["reviewer:edu"],
    "wang.xian": ["site_admin:xian/*"],
}
BOUNDARY = "----jiyueformtest7MA4YWxkTrZu0gW"


@pytest.fixture(scope="module")
def cs(tmp_path_factory):
    # a draft's form carries a whole article: the public listeners' 1KiB test cap is too small
    c = console_cluster(tmp_path_factory.mktemp("forms"), accounts=ACCOUNTS,
                        limits={"max_body_bytes": "256KiB"})
    c.start()
    yield c
    c.stop()


def signed_in(c, user):
    b = Browser(c)
    assert b.login(user).header("Location") == "/"
    return b


def post_form(b, action, fields, page):
    """Posts a page's form as the browser would: its hidden csrf field and the fields."""
    token = b.csrf(page)
    return b.req("POST", action, {"csrf": token, **fields})


def multipart(fields, files):
    out = b""
    for name, value in fields:
        out += (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                f"{value}\r\n").encode()
    for name, fname, data in files:
        out += (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; "
                f"filename=\"{fname}\"\r\nContent-Type: application/octet-stream\r\n\r\n").encode()
        out += data + b"\r\n"
    return out + f"--{BOUNDARY}--\r\n".encode()


def form_action(page, form_id):
    m = re.search(rf'<form method="post" id="{form_id}" action="([^"]+)">', page)
    assert m, form_id
    return m.group(1).replace("&amp;", "&")


DRAFT = {"site": "edu", "column": "news", "title": "寒假安全提示", "source": "测试市教育局",
         "author": "张明", "disclosure": "主动公开", "date": "2026-12-01 09:30", "scheduled": "",
         "body": "# 注意事项\n\n假期注意**安全**。\n"}


def test_write_change_upload_submit_approve(cs):
    li = signed_in(cs, "li.hua")
    page = li.get("/drafts/new").text
    action = form_action(page, "editor")
    assert action == "/api/drafts?next=/drafts/{id}"
    r = post_form(li, action, DRAFT, "/drafts/new")
    assert r.status == 303, r.text
    m = re.fullmatch(r"/drafts/(\d+)", r.header("Location"))
    assert m, r.header("Location")
    did = m.group(1)
    r = li.get(f"/drafts/{did}")
    check_page(r, "编辑稿件")
    assert '<span class="state state-draft" id="state">草稿</span>' in r.text
    assert 'value="寒假安全提示"' in r.text
    # change it through the same form (POST: a form cannot PUT)
    action = form_action(r.text, "editor")
    assert action == f"/api/drafts/{did}?next=/drafts/{did}"
    fields = dict(DRAFT, title="寒假安全提示（更新）")
    del fields["site"], fields["column"]
    r = post_form(li, action, fields, f"/drafts/{did}")
    assert r.status == 303 and r.header("Location") == f"/drafts/{did}", r.text
    assert 'value="寒假安全提示（更新）"' in li.get(f"/drafts/{did}").text
    # a field refused: the page names it by its label, the status is the API's
    r = post_form(li, action, dict(fields, title="长" * 201), f"/drafts/{did}")
    assert r.status == 400 and 'data-field="title">标题</strong>' in r.text
    assert f'<a href="/drafts/{did}" id="back">返回</a>' in r.text
    # upload: multipart with the csrf part
    token = li.csrf(f"/drafts/{did}")
    body = multipart([("csrf", token)], [("attachments", "提示.txt", "注意安全".encode())])
    r = li.req("POST", f"/api/drafts/{did}/attachments?next=/drafts/{did}", raw=body,
               headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"})
    assert r.status == 303 and r.header("Location") == f"/drafts/{did}", r.text
    # listed, with its 删除 form while the draft is editable
    assert (f'<li>提示.txt（12 字节）<form method="post" class="inline" action="/api/drafts/'
            f'{did}/attachments/%E6%8F%90%E7%A4%BA.txt/delete?next=/drafts/{did}">'
            in li.get(f"/drafts/{did}").text)
    # submit
    r = post_form(li, f"/api/drafts/{did}/submit?next=/drafts/{did}", {}, f"/drafts/{did}")
    assert r.status == 303 and r.header("Location") == f"/drafts/{did}", r.text
    r = li.get(f"/drafts/{did}")
    assert '<span class="state state-submitted" id="state">待审核</span>' in r.text
    assert 'id="editor"' not in r.text
    # the editor cannot approve her own draft: refused, as a page
    r = post_form(li, f"/api/drafts/{did}/approve?next=/drafts/{did}", {"secrecy_review": "true"},
                  f"/drafts/{did}")
    assert r.status in (403, 409) and r.header("Content-Type") == "text/html; charset=utf-8"
    assert '<p id="error-message">' in r.text
    # a county's site_admin cannot either (another site's draft)
    w = signed_in(cs, "wang.xian")
    r = post_form(w, f"/api/drafts/{did}/approve?next=/drafts/{did}", {"secrecy_review": "true"}, "/")
    assert r.status == 403 and "操作未完成" in r.text
    # the reviewer: the queue, the review page, the preview
    sh = signed_in(cs, "shen.he")
    assert f'<a href="/review/{did}">寒假安全提示（更新）</a>' in sh.get("/drafts").text
    review = sh.get(f"/review/{did}")
    check_page(review, "审核稿件")
    preview = sh.get(f"/review/{did}/preview")
    assert preview.status == 200
    # without the 保密审查 box ticked: refused, naming it
    action = form_action(review.text, "approve")
    assert action == f"/api/drafts/{did}/approve?next=/drafts/{did}"
    r = post_form(sh, action, {}, f"/review/{did}")
    assert r.status == 400 and 'data-field="secrecy_review">保密审查</strong>' in r.text
    r = post_form(sh, action, {"secrecy_review": "true"}, f"/review/{did}")
    assert r.status == 303 and r.header("Location") == f"/drafts/{did}", r.text
    r = sh.get(f"/drafts/{did}")
    assert '<span class="state state-published" id="state">已发布</span>' in r.text
    url = re.search(r'<a id="published" href="([^"]+)">', r.text).group(1)
    day = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).strftime("%Y%m%d")
    assert url == f"/edu/news/{day}-{did}.html", url
    # live at the next request, and exactly the page the reviewer previewed
    pub = cs.get(url.split("/edu", 1)[1], host=EDU_HOST)
    assert pub.status == 200
    assert pub.body == preview.body
    assert "<dt>审核</dt><dd>shen.he</dd>" in pub.body.decode()


def test_approve_form_asks_about_unmasked_id_numbers(cs):
    li = signed_in(cs, "li.hua")
    body = "# 公示\n\n李四 身份证号 11010519491231002X。\n"
    r = post_form(li, "/api/drafts?next=/drafts/{id}", dict(DRAFT, title="补贴公示", body=body), "/drafts/new")
    did = r.header("Location").rsplit("/", 1)[1]
    # the editor sees it first, masked, before submitting
    mine = li.get(f"/drafts/{did}")
    check_page(mine, "编辑稿件")
    assert 'id="personal-ids"' in mine.text and "110105********002X" in mine.text
    post_form(li, f"/api/drafts/{did}/submit?next=/drafts/{did}", {}, f"/drafts/{did}")
    sh = signed_in(cs, "shen.he")
    review = sh.get(f"/review/{did}")
    check_page(review, "审核稿件")  # the new box has its label too
    assert "110105********002X" in review.text and "11010519491231002X" not in review.text.split("<iframe")[0]
    action = form_action(review.text, "approve")
    r = post_form(sh, action, {"secrecy_review": "true"}, f"/review/{did}")
    assert r.status == 400 and 'data-field="personal_data">个人信息核查</strong>' in r.text, r.text
    r = post_form(sh, action, {"secrecy_review": "true", "personal_data": "true"}, f"/review/{did}")
    assert r.status == 303 and r.header("Location") == f"/drafts/{did}", r.text
    assert '<span class="state state-published" id="state">已发布</span>' in sh.get(f"/drafts/{did}").text


def test_reject_with_a_reason(cs):
    li = signed_in(cs, "li.hua")
    r = post_form(li, "/api/drafts?next=/drafts/{id}", dict(DRAFT, title="待退回的稿子"), "/drafts/new")
    did = r.header("Location").rsplit("/", 1)[1]
    post_form(li, f"/api/drafts/{did}/submit?next=/drafts/{did}", {}, f"/drafts/{did}")
    sh = signed_in(cs, "shen.he")
    action = form_action(sh.get(f"/review/{did}").text, "reject")
    r = post_form(sh, action, {"reason": "  "}, f"/review/{did}")
    assert r.status == 400 and 'data-field="reason">退回理由</strong>' in r.text
    r = post_form(sh, action, {"reason": "来源写错了 <b>"}, f"/review/{did}")
    assert r.status == 303, r.text
    r = li.get(f"/drafts/{did}")
    assert '<span class="state state-rejected" id="state">已退回</span>' in r.text
    assert '<dd id="reason">来源写错了 &lt;b&gt;（shen.he）</dd>' in r.text
    assert 'id="editor"' in r.text  # hers to change again


def test_refused_new_draft_links_home(cs):
    li = signed_in(cs, "li.hua")
    r = post_form(li, "/api/drafts?next=/drafts/{id}", dict(DRAFT, column="nosuch"), "/drafts/new")
    assert r.status in (400, 404, 409) and "/drafts/{id}" not in r.text
    assert '<a href="/" id="back">返回</a>' in r.text
    # a form posted without its token: refused before anything is written
    r = li.req("POST", "/api/drafts?next=/drafts/{id}", dict(DRAFT))
    assert r.status == 403 and "CSRF" in r.text
    q = urllib.parse.quote("/drafts/{id}")
    r = li.req("POST", f"/api/drafts?next={q}", {"csrf": "1" * 64, **DRAFT})
    assert r.status == 403
