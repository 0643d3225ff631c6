# tests/e2e/test_console_pages.py: the console's server-rendered pages on the management
# listener (modules/console/console_page*.c), over HTTP against the real server: every
# page asks for a session, carries the console's headers (no-store, a strict CSP without
# script, no framing) and its accessible skeleton; "my sites", the drafts lists, the
# editor and the review page read the workflow library with the API's permissions (403
# for another site's draft, 404 for none); the review page's preview is the content
# module's own article rendering; and the API's form mode (`?next=`): a 303 to a local
# page on success, an HTML page in the console's look on an error, JSON otherwise.
#
# Drafts are written into the store the way tests/e2e/test_workflow.py does (mdb_load, in
# the layout modules/workflow/workflow_draft.h documents), so these pages are tested
# whatever writes drafts.
import html
import re
import struct
import subprocess
import urllib.parse

import pytest

from conftest import CONSOLE_PASSWORD, EDU_HOST, RawConn, console_cluster, need_binaries

T0 = 1764900000  # 2025-12-05 10:00 UTC+8
ACCOUNTS = {
    "li.hua": ["editor:edu"],
    "shen.he": ["reviewer:edu"],
    "wang.xian": ["site_admin:xian/*"],
    "ops": ["cluster_admin"],
}
EVIL_TITLE = '<script>alert("x")</script> & 关于寒假安排的通知'


def s(text):
    b = text.encode()
    return struct.pack("<I", len(b)) + b + b"\0"


def draft_rec(did, site, editor, title, state, article, body="正文", update=False, column="news",
              reason="", reviewer="", atts=(), source="测试来源", scheduled=0):
    rec = b"JYWD" + struct.pack("<H", 1)
    rec += s(did) + s(site) + s(column) + s(article) + bytes([1 if update else 0])
    rec += s(title) + s(body) + s(source) + s("") + s("主动公开") + s("")
    rec += struct.pack("<q", scheduled) + bytes([state])
    rec += s(editor) + s(editor) + s(reviewer) + s(reason)
    submitted = T0 + 60 * int(did) if state == 1 else 0  # distinct: the queue's order
    rec += struct.pack("<qqqqII", T0, T0, submitted, 0, 0, 0)
    rec += struct.pack("<I", len(atts))
    for name, size in atts:
        rec += s(name) + struct.pack("<Q", size)
    return rec


def rank(seq, newest_first=True):
    return "%016x" % ((2**64 - 1 - seq) if newest_first else seq)


def load(store, pairs):
    def esc(b):
        return "".join("\\%02x" % c for c in b)
    text = "".join(esc(k) + "\n" + esc(v) + "\n" for k, v in pairs)
    r = subprocess.run(["mdb_load", "-T", "-s", "content", str(store)], input=text.encode(),
                       capture_output=True, timeout=30)
    assert r.returncode == 0, r.stderr


# id -> (site, editor, title, state, article, kwargs); state 0 draft, 1 submitted, 2 rejected
DRAFTS = {
    1: ("edu", "li.hua", EVIL_TITLE, 1, "20251205-1",
        dict(body="# 小标题\n\n第一段 **加粗**。\n\n<script>alert(2)</script>\n")),
    2: ("xian", "wang.xian", "县里的稿子", 1, "20251205-2", {}),
    3: ("edu", "li.hua", "开学工作会议（修订）", 1, "kaixue",
        dict(update=True, body="第一段不变。\n\n第二段改过了。\n\n新加的第三段。\n",
             source="测试市教育局")),
    4: ("edu", "li.hua", "被退回的稿子", 2, "20251205-4",
        dict(reason="来源不对", reviewer="shen.he", atts=[("安排.pdf", 1234)])),
    # 4: scheduled (approved ahead of its time; 2027-01-09 10:00 UTC+8)
    5: ("edu", "li.hua", "定时发布的稿子", 4, "20251205-5",
        dict(reviewer="shen.he", scheduled=T0 + 400 * 86400)),
}


@pytest.fixture(scope="module")
def cs(tmp_path_factory):
    # a draft's form carries a whole article: the public listeners' 1KiB test cap is too small
    c = console_cluster(tmp_path_factory.mktemp("pages"), accounts=ACCOUNTS,
                        limits={"max_body_bytes": "256KiB"})
    art = c.root / "kaixue.md"
    art.write_text("---\nsite: edu\ncolumn: news\nid: kaixue\ntitle: 开学工作会议\n"
                   "source: 测试市教育局\npublisher: 李华\nreviewer: 王强\ndisclosure: 主动公开\n"
                   "date: 2026-09-01 09:30\nsecrecy_review: {by: 赵敏, date: 2026-08-31}\n---\n"
                   "第一段不变。\n\n第二段原来的样子。\n")
    r = c.ctl("publish", art)
    assert r.returncode == 0, r.stderr
    pairs = []
    for did, (site, editor, title, state, article, kw) in DRAFTS.items():
        pairs.append((f"wd/{did}".encode(), draft_rec(str(did), site, editor, title, state,
                                                       article, **kw)))
        pairs.append((f"ws/{site}/{rank(did)}".encode(), str(did).encode()))
        pairs.append((f"we/{editor}/{rank(did)}".encode(), str(did).encode()))
        if state == 1:
            pairs.append((f"wq/{site}/{rank(did, False)}".encode(), str(did).encode()))
    pairs.append((b"wn/seq", struct.pack("<Q", len(DRAFTS))))
    load(c.root / "store", pairs)
    c.start()
    yield c
    c.stop()


class Browser:
    """Talks to the console as a browser does: a cookie jar of one cookie, forms posted
    urlencoded with the page's CSRF field and an Origin."""

    def __init__(self, c):
        self.c = c
        self.cookie = None
        self.origin = f"http://127.0.0.1:{c.admin_port}"

    def req(self, method, path, form=None, headers=None, raw=None):
        hdrs = {"Host": f"127.0.0.1:{self.c.admin_port}"}
        if self.cookie:
            hdrs["Cookie"] = f"jiyue_console={self.cookie}"
        body = b""
        if form is not None or raw is not None:
            body = raw if raw is not None else urllib.parse.urlencode(form).encode()
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
            hdrs["Origin"] = self.origin
        if method == "POST":
            hdrs["Content-Length"] = str(len(body))
        hdrs.update(headers or {})
        with RawConn(self.c.admin_port, timeout=10) as conn:
            conn.send_request(method, path, hdrs, body=body)
            r = conn.read_response(head=(method == "HEAD"))
        r.text = r.body.decode("utf-8", errors="replace")
        cookie = r.header("Set-Cookie")
        if cookie:
            m = re.match(r"jiyue_console=([^;]*);", cookie)
            self.cookie = m.group(1) or None
        return r

    def get(self, path):
        return self.req("GET", path)

    def login(self, user, password=CONSOLE_PASSWORD):
        r = self.req("POST", "/api/login?next=/", {"user": user, "password": password})
        return r

    def csrf(self, page="/"):
        m = re.search(r'name="csrf" value="([0-9a-f]{64})"', self.get(page).text)
        assert m, "no CSRF field on " + page
        return m.group(1)


def signed_in(c, user):
    b = Browser(c)
    r = b.login(user)
    assert r.status == 303 and r.header("Location") == "/", r
    return b


def check_page(r, h1):
    """The headers and skeleton every console page has."""
    assert r.status == 200, r
    assert r.header("Content-Type") == "text/html; charset=utf-8"
    assert r.header("Cache-Control") == "private, no-store"
    csp = r.header("Content-Security-Policy")
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "script-src" not in csp and "unsafe-inline" not in csp
    assert r.header("X-Frame-Options") == "DENY"
    assert r.header("X-Content-Type-Options") == "nosniff"
    t = r.text
    assert t.startswith("<!DOCTYPE html>\n<html lang=\"zh-CN\">")
    assert re.findall(r"<h1[ >]", t) == ["<h1>"], "exactly one h1"
    assert re.search(r"<h1>(.*?)</h1>", t).group(1) == h1
    assert '<a class="skip" href="#main">跳到主要内容</a>' in t
    assert '<main id="main"' in t
    assert "<script" not in t
    assert '<link rel="stylesheet" href="/console.css">' in t
    # every field has a label
    for ident in re.findall(r'<(?:input|select|textarea)[^>]* id="([^"]+)"', t):
        assert f'<label for="{ident}">' in t, ident
    for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", t):
        assert 'type="hidden"' in tag or ' id="' in tag, tag


PAGES = ["/", "/drafts", "/drafts/new", "/drafts/1", "/review/1", "/review/1/preview"]


def test_pages_without_a_session_go_to_login(cs):
    b = Browser(cs)
    for path in PAGES:
        r = b.get(path)
        assert r.status == 303 and r.header("Location") == "/login", (path, r)
        assert r.header("Cache-Control") == "private, no-store"
    b.cookie = "0" * 64  # a session that does not exist
    assert b.get("/drafts").header("Location") == "/login"
    r = b.get("/login")
    check_page(r, "登录")
    assert '<form class="login" method="post" action="/api/login?next=/">' in r.text
    assert 'name="csrf"' not in r.text and "退出登录" not in r.text
    css = b.get("/console.css")
    assert css.status == 200 and css.header("Content-Type") == "text/css; charset=utf-8"
    assert b".diff .add" in css.body
    r = b.req("HEAD", "/login")
    assert r.status == 200 and r.body == b"" and int(r.header("Content-Length")) > 500
    r = b.get("/no/such/page")
    assert r.status == 404 and "没有这个页面" in r.text
    r = b.req("POST", "/drafts", form={"x": "1"})
    assert r.status == 405 and r.header("Allow") == "GET, HEAD"


def test_login_form_signs_in_and_out(cs):
    b = Browser(cs)
    r = b.login("li.hua")
    assert r.status == 303 and r.header("Location") == "/" and r.body == b""
    assert re.fullmatch(r"jiyue_console=[0-9a-f]{64}; HttpOnly; SameSite=Strict; Path=/",
                        r.header("Set-Cookie"))
    home = b.get("/")
    check_page(home, "我的站点")
    r = b.get("/login")  # signed in already: the home instead
    assert r.status == 303 and r.header("Location") == "/"
    assert "当前用户：li.hua" in home.text
    token = b.csrf()
    # the sign-out button: a form to /api/logout?next=/login with the token
    assert ('<form method="post" action="/api/logout?next=/login">\n      '
            f'<input type="hidden" name="csrf" value="{token}">') in home.text
    r = b.req("POST", "/api/logout?next=/login", {"csrf": "0" * 64})
    assert r.status == 403 and r.header("Content-Type") == "text/html; charset=utf-8"
    assert "missing or wrong CSRF token" in r.text and '<a href="/login" id="back">' in r.text
    assert b.get("/").status == 200  # refused: still signed in
    old = b.cookie
    r = b.req("POST", "/api/logout?next=/login", {"csrf": token})
    assert r.status == 303 and r.header("Location") == "/login"
    assert r.header("Set-Cookie").startswith("jiyue_console=; Max-Age=0")
    assert b.cookie is None
    b.cookie = old  # the old cookie, replayed, signs nobody in
    assert b.get("/").status == 303


def test_login_form_errors_are_pages(cs):
    b = Browser(cs)
    r = b.login("li.hua", "Not-the-password-1")
    assert r.status == 401 and not r.has("Set-Cookie")
    assert r.header("Content-Type") == "text/html; charset=utf-8"
    assert r.header("Content-Security-Policy").startswith("default-src 'none'")
    assert '<p id="error-summary"><strong>未能登录，或登录已过期：请重新登录。</strong></p>' in r.text
    assert '<p id="error-message">wrong user name or password</p>' in r.text
    assert '<a href="/login" id="back">重新登录</a>' in r.text
    r = b.req("POST", "/api/login?next=/", {"password": "x"})
    assert r.status == 400
    assert 'data-field="user">用户名</strong>' in r.text
    assert "提交的内容有误，请修改后重新提交。" in r.text
    # the same posts without `next`, or with one that is not a local path, answer JSON
    for q in ("", "?next=//evil.example/", "?next=/%5Cevil.example", "?next=http://evil.example/",
              "?next=%2F%2Fevil.example", "?next=/x%0d%0aSet-Cookie:%20a=b", "?next=" + "/a" * 200):
        r = b.req("POST", "/api/login" + q, {"password": "x"})
        assert r.status == 400 and r.header("Content-Type") == "application/json", (q, r)
        assert r.body == b'{"error":"missing field","field":"user"}'
        ok = Browser(cs).req("POST", "/api/login" + q, {"user": "li.hua", "password": CONSOLE_PASSWORD})
        assert ok.status == 200 and not ok.has("Location"), (q, ok)


def test_my_sites(cs):
    r = signed_in(cs, "li.hua").get("/")
    check_page(r, "我的站点")
    rows = re.findall(r'<tr id="site-([a-z]+)">\s*<td>([^<（]+).*?</td>\s*<td>([^<]*)</td>', r.text, re.S)
    assert rows == [("edu", "测试市教育局", "编辑")]
    assert '<a href="/drafts/new?site=edu">写稿</a>' in r.text
    assert f'<a href="http://{EDU_HOST}/" rel="noopener">前台</a>' in r.text
    r = signed_in(cs, "wang.xian").get("/")
    rows = re.findall(r'<tr id="site-([a-z]+)">\s*<td>([^<（]+).*?</td>\s*<td>([^<]*)</td>', r.text, re.S)
    assert rows == [("xian", "测试县人民政府", "编辑、审核、答复、站点管理"),
                    ("zhen", "测试镇人民政府", "编辑、审核、答复、站点管理")]
    r = signed_in(cs, "shen.he").get("/")
    assert "写稿</a>" not in r.text.split("</nav>")[1]


def titles(page, table):
    m = re.search(rf'<table id="{table}">(.*?)</table>', page, re.S)
    return [html.unescape(t) for t in re.findall(r'<a href="/(?:drafts|review)/\d+">([^<]*)</a>',
                                                m.group(1))] if m else []


def test_drafts_lists(cs):
    r = signed_in(cs, "li.hua").get("/drafts")
    check_page(r, "稿件")
    assert titles(r.text, "mine") == ["定时发布的稿子", "被退回的稿子", "开学工作会议（修订）", EVIL_TITLE]
    assert '<span class="state state-scheduled">定时发布</span>' in r.text
    assert '<span class="state state-rejected">已退回</span>' in r.text
    assert "<script>alert" not in r.text and "&lt;script&gt;alert(&quot;x&quot;)" in r.text
    assert "待我审核" not in r.text  # an editor reviews nothing
    r = signed_in(cs, "shen.he").get("/drafts")
    assert titles(r.text, "queue") == ["开学工作会议（修订）", EVIL_TITLE]  # newest submitted first
    assert titles(r.text, "mine") == [] and "还没有稿件" in r.text
    # a county's site_admin sees its own site's queue, never edu's
    r = signed_in(cs, "wang.xian").get("/drafts")
    assert titles(r.text, "queue") == []  # its only queued draft is its own
    assert titles(r.text, "mine") == ["县里的稿子"]
    r = signed_in(cs, "ops").get("/drafts")
    assert titles(r.text, "queue") == ["开学工作会议（修订）", "县里的稿子", EVIL_TITLE]


def test_editor_new(cs):
    b = signed_in(cs, "li.hua")
    r = b.get("/drafts/new")
    check_page(r, "新建稿件")
    token = b.csrf()
    assert ('<form method="post" id="editor" action="/api/drafts?next=/drafts/{id}">\n    '
            f'<input type="hidden" name="csrf" value="{token}">\n    '
            '<input type="hidden" name="site" value="edu">') in r.text
    assert re.findall(r'<option value="([a-z]+)">', r.text) == ["news", "notice"]
    for name in ("title", "column", "body", "source", "author", "disclosure", "date", "scheduled"):
        assert f'name="{name}"' in r.text, name
    assert b.get("/drafts/new?site=xian").status == 403  # not an editor there
    # a site_admin of a county writes for it and its townships: chooses first
    w = signed_in(cs, "wang.xian")
    r = w.get("/drafts/new")
    check_page(r, "新建稿件")
    assert re.findall(r'<li><a href="/drafts/new\?site=([a-z]+)">', r.text) == ["xian", "zhen"]
    r = w.get("/drafts/new?site=zhen")
    assert '<input type="hidden" name="site" value="zhen">' in r.text
    assert signed_in(cs, "shen.he").get("/drafts/new").status == 403


def test_editor_of_a_draft(cs):
    b = signed_in(cs, "li.hua")
    r = b.get("/drafts/4")  # rejected: its editor may change and resubmit it
    check_page(r, "编辑稿件")
    assert "<title>被退回的稿子 - 集约化平台管理</title>" in r.text
    assert '<span class="state state-rejected" id="state">已退回</span>' in r.text
    assert '<dd id="reason">来源不对（shen.he）</dd>' in r.text
    assert 'action="/api/drafts/4?next=/drafts/4"' in r.text
    assert 'action="/api/drafts/4/submit?next=/drafts/4"' in r.text
    assert ('enctype="multipart/form-data" action="/api/drafts/4/attachments?next=/drafts/4"'
            in r.text)
    assert ("<li>安排.pdf（1234 字节）<form method=\"post\" class=\"inline\" action=\"/api/drafts/4/"
            "attachments/%E5%AE%89%E6%8E%92.pdf/delete?next=/drafts/4\">" in r.text)
    r = b.get("/drafts/1")  # submitted: read-only now
    check_page(r, "查看稿件")
    assert ("<title>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 关于寒假安排的通知"
            " - 集约化平台管理</title>") in r.text
    assert 'id="editor"' not in r.text and "/submit" not in r.text
    assert '<pre id="body-text"># 小标题' in r.text and "&lt;script&gt;alert(2)" in r.text
    # another site's draft: 403 as the API answers; a draft that does not exist: 404
    r = b.get("/drafts/2")
    assert r.status == 403 and "may not read draft 2" in r.text
    assert b.get("/drafts/99").status == 404
    assert b.get("/drafts/abc").status == 404
    assert b.get("/drafts/" + "9" * 30).status == 404
    assert b.get("/review/2").status == 403
    assert b.get("/review/2/preview").status == 403
    # nor does a county's site_admin reach the department's drafts
    w = signed_in(cs, "wang.xian")
    for path in ("/drafts/1", "/review/1", "/review/1/preview", "/drafts/3"):
        r = w.get(path)
        assert r.status == 403 and "may not read draft" in r.text, (path, r)
        assert "关于寒假" not in r.text and "开学" not in r.text
    # a reviewer reads it, cannot edit it, and is pointed at the review
    r = signed_in(cs, "shen.he").get("/drafts/1")
    assert 'id="editor"' not in r.text and '<a class="button" href="/review/1">去审核</a>' in r.text


def test_review_page(cs):
    b = signed_in(cs, "shen.he")
    r = b.get("/review/1")
    check_page(r, "审核稿件")
    token = b.csrf()
    assert ('<form method="post" id="approve" action="/api/drafts/1/approve?next=/drafts/1">\n      '
            f'<input type="hidden" name="csrf" value="{token}">') in r.text
    assert ('<input type="checkbox" id="secrecy_review" name="secrecy_review" value="true" required>'
            '<label for="secrecy_review">已进行保密审查') in r.text
    assert 'action="/api/drafts/1/reject?next=/drafts/1"' in r.text
    assert '<textarea class="short" id="reason" name="reason"' in r.text
    assert '<iframe class="preview" id="preview" title="稿件预览" src="/review/1/preview" sandbox>' in r.text
    assert 'id="changes"' not in r.text  # a new article: nothing to compare
    # its editor sees the page, never the forms
    r = signed_in(cs, "li.hua").get("/review/1")
    assert r.status == 200 and 'id="approve"' not in r.text and 'id="reject"' not in r.text


def test_review_of_a_scheduled_draft_offers_calling_it_off(cs):
    r = signed_in(cs, "shen.he").get("/review/5")
    check_page(r, "审核稿件")
    assert '<span class="state state-scheduled" id="state">定时发布</span>' in r.text
    assert '<dd id="scheduled">2027-01-09 10:00（已审核通过，到时自动发布）</dd>' in r.text
    assert 'id="approve"' not in r.text
    assert 'action="/api/drafts/5/reject?next=/drafts/5"' in r.text
    assert 'id="reject"' not in signed_in(cs, "li.hua").get("/review/5").text


def test_review_shows_what_changed(cs):
    r = signed_in(cs, "shen.he").get("/review/3")
    check_page(r, "审核稿件")
    assert "与已发布版本（第 1 版）的差异" in r.text
    assert '<del id="old-title">开学工作会议</del> → <ins id="new-title">开学工作会议（修订）</ins>' in r.text
    diff = re.findall(r'<li class="(same|del|add)">([^<]*)</li>', r.text)
    assert diff == [("same", "第一段不变。"), ("del", "第二段原来的样子。"),
                    ("add", "第二段改过了。"), ("add", "新加的第三段。")]


def test_preview_is_the_public_article_page(cs):
    b = signed_in(cs, "shen.he")
    r = b.get("/review/1/preview")
    assert r.status == 200, r
    assert r.header("Content-Type") == "text/html; charset=utf-8"
    assert r.header("Cache-Control") == "private, no-store"
    csp = r.header("Content-Security-Policy")
    assert csp.startswith("sandbox; default-src 'none'") and "frame-ancestors 'self'" in csp
    assert r.header("X-Frame-Options") == "SAMEORIGIN"
    t = r.text
    # the theme's article page: its head, the site's header and footer, the rendered body
    assert "<title>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 关于寒假安排的通知 - 测试市教育局</title>" in t
    assert '<h1>小标题</h1>\n<p>第一段 <strong>加粗</strong>。</p>' in t
    assert "<script>" not in t  # cmark's safe mode drops raw HTML, as at publication
    assert '<span id="site-code">1100000002</span>' in t
    assert "<dt>责任编辑</dt><dd>li.hua</dd>" in t and "<dt>审核</dt><dd>shen.he</dd>" in t
    # an update keeps the published article's time, as publication will
    t3 = b.get("/review/3/preview").text
    assert '<time id="pubdate" datetime="2026-09-01T09:30:00+08:00">2026-09-01 09:30</time>' in t3
    assert "更新时间：" in t3
    # and it is the same rendering as the public page, byte for byte where nothing differs:
    # the published revision's page against a preview of a draft with its very fields
    pub = cs.get("/news/kaixue.html", host=EDU_HOST)
    assert pub.status == 200
    pub = pub.body.decode()
    head = lambda page: page.split("<main")[0]
    assert head(pub).replace("开学工作会议", "X") == head(t3).replace("开学工作会议（修订）", "X")
    foot = lambda page: page.split("</main>")[1]
    assert foot(pub) == foot(t3)


def test_preview_uses_the_sites_own_theme(tmp_path):
    """A site with a theme of its own: the preview is rendered in it (its article.html),
    the console's pages stay in the default theme's look."""
    c = console_cluster(tmp_path / "themed", accounts={"li.hua": ["editor:edu"],
                                                      "shen.he": ["reviewer:edu"]})
    theme = c.root / "themes" / "dept"
    theme.mkdir(parents=True)
    (theme / "article.html").write_text(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><title>{{article.title}}</title></head>"
        "<body><main><h1 class=\"dept-theme\">{{article.title}}</h1>{{raw article.body}}"
        "</main></body></html>\n")
    edu = c.site_path("edu")
    edu.write_text(edu.read_text() + "theme: dept\n")
    c.start()
    try:
        rec = draft_rec("1", "edu", "li.hua", "部门主题的稿子", 1, "20251205-1", body="正文一段。")
        load(c.root / "store", [(b"wd/1", rec), (f"ws/edu/{rank(1)}".encode(), b"1"),
                                (f"we/li.hua/{rank(1)}".encode(), b"1"),
                                (f"wq/edu/{rank(1, False)}".encode(), b"1"),
                                (b"wn/seq", struct.pack("<Q", 1))])
        b = signed_in(c, "shen.he")
        r = b.get("/review/1/preview")
        assert r.status == 200, r
        assert r.text == ('<!DOCTYPE html>\n<html lang="zh-CN"><head><title>部门主题的稿子</title>'
                          '</head><body><main><h1 class="dept-theme">部门主题的稿子</h1>'
                          '<p>正文一段。</p>\n</main></body></html>\n')
        check_page(b.get("/review/1"), "审核稿件")  # the console itself keeps its look
    finally:
        c.stop()
