# tests/e2e/test_console_inbox_pages.py: the console's messages, history and audit pages
# (modules/console/console_page_inbox.c) over HTTP against the real server: each renders
# what its API answers (GET /api/messages, /api/history, /api/audit) with the API's
# permissions (403 page for another site's account, 303 to /login without a session),
# in the chrome every console page has (check_page); the messages page's reply form posts
# to the API in form mode and the reply is on the public receipt at the next request; a
# citizen's `<script>` is shown as text.
import html
import re

import pytest

from conftest import Api, console_cluster
from test_console_inbox import ARTICLE, THEMES, codes, sites
from test_console_pages import Browser, check_page, signed_in

ACCOUNTS = {
    "edu.replier": ["replier:edu"],
    "edu.editor": ["editor:edu"],
    "edu.admin": ["site_admin:edu"],
    "health.replier": ["replier:health"],
    "ops": ["cluster_admin"],
}
EVIL = '<script>alert("m")</script>'
MESSAGES = f"""\
- {{site: edu, column: mailbox, title: 逾期未复的留言, body: 第一条内容, name: 张三, phone: '13800000001', days_ago: 30}}
- {{site: edu, column: mailbox, title: 刚收到的留言, body: '{EVIL} 第二条', name: 李四, phone: '13800000002', days_ago: 1}}
- {{site: edu, column: mailbox, title: 已答复的留言, body: 第三条内容, name: 王五, phone: '13800000003', days_ago: 20,
   replies: [{{by: 市教育局办公室, text: 已经答复, after_days: 2}}]}}
- {{site: health, column: mailbox, title: 卫健委的留言, body: 第四条内容, name: 钱七, phone: '13800000005', days_ago: 3}}
"""


@pytest.fixture(scope="module")
def ib(tmp_path_factory):
    c = console_cluster(tmp_path_factory.mktemp("inboxpages"), accounts=ACCOUNTS, sites=sites(),
                        admin_extra=f"  max_upload: 256KiB\nthemes: {THEMES}\n",
                        limits={"max_body_bytes": "256KiB"})
    f = c.root / "messages.yaml"
    f.write_text(MESSAGES)
    r = c.ctl("message_import", f)
    assert r.returncode == 0, r.stderr
    d = c.root / "articles"
    d.mkdir()
    (d / "anquan.md").write_text(ARTICLE)
    (d / "chehui.md").write_text(ARTICLE.replace("安全大检查", "撤回的通知"))
    for name in ("anquan.md", "chehui.md"):
        r = c.ctl("publish", d / name)
        assert r.returncode == 0, r.stderr
    r = c.ctl("unpublish", "--by", "林涛", "--reason", "内容有误", "edu", "news", "chehui")
    assert r.returncode == 0, r.stderr + r.stdout
    c.start()
    yield c
    c.stop()


def subjects(page):
    return [html.unescape(s) for s in re.findall(r'<h2 id="h-[a-z2-7]+">([^<]*)</h2>', page)]


def test_inbox_pages_need_a_session_and_a_role(ib):
    b = Browser(ib)
    for path in ("/messages?site=edu", "/history?site=edu", "/audit?site=edu"):
        r = b.get(path)
        assert r.status == 303 and r.header("Location") == "/login", (path, r)
    ed = signed_in(ib, "edu.editor")
    for path in ("/messages?site=health", "/messages?site=edu", "/history?site=health",
                 "/audit?site=edu"):
        r = ed.get(path)
        assert r.status == 403, (path, r)
        assert r.header("Content-Type") == "text/html; charset=utf-8"
        assert "您没有权限进行此操作。" in r.text and "卫健委的留言" not in r.text
    h = signed_in(ib, "health.replier")
    assert h.get("/messages?site=edu").status == 403
    assert "逾期未复的留言" not in h.get("/messages?site=edu").text
    for q in ("", "?site=nosuch", "?site=edu&state=closed"):
        r = signed_in(ib, "edu.replier").get("/messages" + q)
        assert r.status == 400, (q, r)


def test_messages_page(ib):
    r = signed_in(ib, "edu.replier").get("/messages?site=edu")
    check_page(r, "留言办理")
    assert '<strong id="site-name">测试市教育局</strong>' in r.text
    assert subjects(r.text) == ["逾期未复的留言", "刚收到的留言"]  # overdue first
    assert '<span class="state state-overdue">已逾期</span>' in r.text
    assert '<span class="state state-open">待答复</span>' in r.text
    code = codes(ib, "edu")["刚收到的留言"]
    assert (f'<form method="post" action="/api/messages/{code}/reply?next=/messages%3Fsite%3Dedu">'
            in r.text)
    assert f'<textarea class="short" id="text-{code}" name="text"' in r.text
    assert "<dt>答复期限</dt>" in r.text and "第一条内容" in r.text
    # the citizen's script is text
    assert "&lt;script&gt;alert(&quot;m&quot;)&lt;/script&gt; 第二条" in r.text
    assert "张三" not in r.text and "13800000001" not in r.text
    r = signed_in(ib, "edu.replier").get("/messages?site=edu&state=all")
    assert subjects(r.text)[2:] == ["已答复的留言"]
    assert "最新答复（市教育局办公室" in r.text and "已经答复" in r.text
    assert r.text.count("<textarea") == 2  # no form for an answered message
    r = signed_in(ib, "ops").get("/messages?site=health&state=overdue")
    check_page(r, "留言办理")
    assert subjects(r.text) == [] and "没有需要列出的留言。" in r.text


def test_reply_form_posts_and_the_receipt_shows_it(ib):
    b = signed_in(ib, "edu.replier")
    code = codes(ib, "edu")["逾期未复的留言"]
    token = b.csrf("/messages?site=edu")
    text = "您好，<b>已转</b>相关科室办理。"
    r = b.req("POST", f"/api/messages/{code}/reply?next=/messages%3Fsite%3Dedu",
              {"csrf": token, "text": text})
    assert r.status == 303 and r.header("Location") == "/messages?site=edu", r
    page = ib.get(f"/edu/mailbox/q/{code}").body.decode()
    assert "已回复" in page and "&lt;b&gt;已转&lt;/b&gt;相关科室办理。" in page
    r = b.get("/messages?site=edu")
    assert subjects(r.text) == ["刚收到的留言"]  # answered: off the open list
    r = b.get("/messages?site=edu&state=all")
    assert "&lt;b&gt;已转&lt;/b&gt;" in r.text and "<b>已转" not in r.text
    # an error is a page in the console's look
    r = b.req("POST", f"/api/messages/{code}/reply?next=/messages%3Fsite%3Dedu",
              {"csrf": token, "text": " "})
    assert r.status == 400 and 'data-field="text">回复内容</strong>' in r.text


def test_history_page(ib):
    r = signed_in(ib, "edu.editor").get("/history?site=edu")
    check_page(r, "发布记录")
    rows = re.findall(r'<tr data-seq="(\d+)">\s*<td>[^<]*</td>\s*<td data-action="([a-z-]+)">([^<]*)</td>'
                      r'\s*<td>([^<]*)', r.text)
    assert rows == [("3", "unpublish", "撤稿", "全市中小学撤回的通知"),
                    ("2", "publish", "发布", "全市中小学撤回的通知"),
                    ("1", "publish", "发布", "全市中小学安全大检查")], rows
    assert "发布：何敏<br>审核：林涛<br>保密审查：赵敏" in r.text
    assert "<td>林涛</td>" in r.text and "<td>内容有误</td>" in r.text
    assert '<span class="hint">news/anquan</span>' in r.text
    assert signed_in(ib, "health.replier").get("/history?site=health").text.count("<tr data-seq") == 0


def test_audit_page(ib):
    r = signed_in(ib, "edu.admin").get("/audit?site=edu")
    check_page(r, "自查报告")
    assert '<dd id="site-name">测试市教育局</dd>' in r.text and "<dd>正常运行</dd>" in r.text
    # the findings of the API's report, one row each, severity in Chinese
    assert ('<td><code>column-blank</code></td>\n      <td data-severity="deduct">扣分</td>\n'
            '      <td>栏目 notice（通知公告，通知公告）没有任何信息</td>\n'
            '      <td>http://edu.test.gov.cn/notice/</td>') in r.text
    api = Api(ib)
    assert api.login("edu.admin").status == 200
    rules = [f["rule"] for f in api.call("GET", "/api/audit?site=edu").json["sites"][0]["findings"]]
    assert re.findall(r"<td><code>([a-z-]+)</code></td>", r.text) == rules
    assert '<td data-severity="info">提示</td>' in r.text  # site-unreachable: no probes here
    assert signed_in(ib, "ops").get("/audit?site=health").status == 200


def test_my_sites_links_the_pages(ib):
    r = signed_in(ib, "edu.admin").get("/")
    check_page(r, "我的站点")
    for link in ('<a href="/messages?site=edu">留言办理</a>', '<a href="/history?site=edu">发布记录</a>',
                 '<a href="/audit?site=edu">自查报告</a>'):
        assert link in r.text, link
    assert "即将上线" not in r.text
    r = signed_in(ib, "edu.editor").get("/")
    assert '<a href="/history?site=edu">发布记录</a>' in r.text
    assert "/messages?site=" not in r.text and "/audit?site=" not in r.text
