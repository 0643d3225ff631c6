# tests/e2e/test_console_inbox.py: the console's messages, history and audit API over HTTP
# against the real server (modules/console/console_messages.c, console_history.c,
# console_audit.c): who may list and answer a site's citizens' messages (a department's
# replier never another's; `replier:xian/*` reaches the township under xian), the order
# (overdue, open, answered), paging, every refusal (400 naming the field, 401, 403, 404,
# 405, 409, 413), a reply through the writer visible on the public receipt and list at the
# next request; the audit trail with the account names; the self-inspection findings
# for a site_admin and a 403 for an editor.
import json
import re
from datetime import datetime, timedelta, timezone

import pytest

from conftest import BASE_SITES, ROOT, Api, console_cluster, wait_for

CST = timezone(timedelta(hours=8))
THEMES = ROOT / "conf" / "themes"
CODE = re.compile(r"^[a-z2-7]{20}$")

ACCOUNTS = {
    "edu.replier": ["replier:edu"],
    "health.replier": ["replier:health"],
    "xian.replier": ["replier:xian/*"],
    "edu.admin": ["site_admin:edu"],
    "xian.admin": ["site_admin:xian/*"],
    "edu.editor": ["editor:edu"],
    "ops": ["cluster_admin"],
}


def board(cid, name):
    return f"  - {{id: {cid}, name: {name}, type: interaction}}\n"


def sites():
    s = {k: dict(v) for k, v in BASE_SITES.items()}
    s["edu"]["extra"] = board("mailbox", "局长信箱")
    s["zhen"]["extra"] = board("liuyan", "镇长信箱") + "interaction: {reply_days: 10}\n"
    s["health"] = dict(name="测试市卫生健康委员会", kind="department", parent="portal",
                       path="/health/", code="1100000005", extra=board("mailbox", "主任信箱"))
    return s


MESSAGES = """\
- {site: edu, column: mailbox, title: 逾期未复的留言, body: 第一条内容, name: 张三, phone: '13800000001', days_ago: 30}
- {site: edu, column: mailbox, title: 更早逾期的留言, body: 第二条内容, name: 张三, phone: '13800000001', days_ago: 40}
- {site: edu, column: mailbox, title: 刚收到的留言, body: 第三条内容, name: 李四, phone: '13800000002', days_ago: 1}
- {site: edu, column: mailbox, title: 已答复的留言, body: 第四条内容, name: 王五, phone: '13800000003', days_ago: 20,
   replies: [{by: 市教育局办公室, text: 已经答复, after_days: 2}]}
- {site: zhen, column: liuyan, title: 镇里的留言, body: 第五条内容, name: 赵六, phone: '13800000004', days_ago: 2}
- {site: health, column: mailbox, title: 卫健委的留言, body: 第六条内容, name: 钱七, phone: '13800000005', days_ago: 3}
"""


@pytest.fixture(scope="module")
def inbox(tmp_path_factory):
    c = console_cluster(tmp_path_factory.mktemp("inbox"), accounts=ACCOUNTS, sites=sites(),
                        admin_extra=f"  max_upload: 256KiB\nthemes: {THEMES}\n",
                        limits={"max_body_bytes": "256KiB"})
    f = c.root / "messages.yaml"
    f.write_text(MESSAGES)
    r = c.ctl("message_import", f)
    assert r.returncode == 0, r.stderr
    c.start()
    yield c
    c.stop()


def codes(c, site):
    """{title: code} of a site's messages, from `jiyuectl messages SITE`."""
    out = c.ctl("messages", site).stdout.decode()
    return {line.split("\t")[-1]: line.split("\t")[0] for line in out.splitlines() if line}


def api(c, user):
    a = Api(c)
    r = a.login(user)
    assert r.status == 200, r
    return a


def post_reply(a, code, body, **kw):
    return a.call("POST", f"/api/messages/{code}/reply", body, **kw)


# ---- GET /api/messages ----

def test_messages_open_first_with_deadlines(inbox):
    a = api(inbox, "edu.replier")
    r = a.call("GET", "/api/messages?site=edu")
    assert r.status == 200, r
    j = r.json
    assert (j["site"], j["state"], j["page"], j["per_page"], j["total"], j["truncated"]) == \
        ("edu", "open", 1, 50, 3, False)
    got = [(m["subject"], m["state"]) for m in j["messages"]]
    # overdue first, the longest waiting first; then open; answered ones are not open
    assert got == [("更早逾期的留言", "overdue"), ("逾期未复的留言", "overdue"),
                   ("刚收到的留言", "open")], got
    m = j["messages"][2]
    assert CODE.match(m["code"]) and m["column"] == "mailbox"
    assert m["question"] == "第三条内容" and m["reply"] is None and m["replies"] == 0
    date = datetime.strptime(m["date"], "%Y-%m-%d %H:%M")
    deadline = datetime.strptime(m["deadline"], "%Y-%m-%d %H:%M")
    assert deadline - date == timedelta(days=15)  # edu's reply_days (the default)
    # contact details stay in `jiyuectl messages --show`
    assert "张三" not in r.body.decode() and "1380000" not in r.body.decode()


def test_messages_states_and_reply_shown(inbox):
    a = api(inbox, "edu.replier")
    j = a.call("GET", "/api/messages?site=edu&state=overdue").json
    assert [m["subject"] for m in j["messages"]] == ["更早逾期的留言", "逾期未复的留言"]
    assert j["total"] == 2 and all(m["state"] == "overdue" for m in j["messages"])
    j = a.call("GET", "/api/messages?state=all&site=edu").json
    assert [m["state"] for m in j["messages"]][:3] == ["overdue", "overdue", "open"]
    answered = [m for m in j["messages"] if m["subject"] == "已答复的留言"][0]
    assert answered["state"] == "answered" and answered["replies"] == 1
    assert answered["reply"]["by"] == "市教育局办公室"
    assert answered["reply"]["text"] == "已经答复" and answered["reply"]["n"] == 1


def test_messages_paging(inbox):
    a = api(inbox, "edu.replier")
    j = a.call("GET", "/api/messages?site=edu&state=all&page=2").json
    assert j["page"] == 2 and j["total"] >= 4 and j["messages"] == []
    r = a.call("GET", "/api/messages?site=edu&page=10001")
    assert r.status == 400 and r.json["field"] == "page"


def test_messages_refusals(inbox):
    a = Api(inbox)
    r = a.call("GET", "/api/messages?site=edu")
    assert r.status == 401 and r.json == {"error": "not signed in"}
    a = api(inbox, "edu.replier")
    for query, field in (("", "site"), ("site=", "site"), ("site=nosuch", "site"),
                         ("site=edu&state=closed", "state"), ("site=edu&page=0", "page"),
                         ("site=edu&page=x", "page"), ("site=edu&site=edu", "site"),
                         ("site=edu&stat=open", "stat"), ("site=%zz", "site")):
        r = a.call("GET", "/api/messages?" + query)
        assert r.status == 400, (query, r)
        assert r.json["field"] == field, (query, r.json)
    r = a.call("POST", "/api/messages?site=edu", {})
    assert r.status == 405 and r.header("Allow") == "GET, HEAD"


def test_health_replier_refused_on_edu(inbox):
    h = api(inbox, "health.replier")
    r = h.call("GET", "/api/messages?site=edu")
    assert r.status == 403 and r.json["field"] == "site"
    assert "逾期" not in r.body.decode()
    j = h.call("GET", "/api/messages?site=health").json
    assert [m["subject"] for m in j["messages"]] == ["卫健委的留言"]
    # an edu editor is no replier either
    assert api(inbox, "edu.editor").call("GET", "/api/messages?site=edu").status == 403
    # replying to edu's message: 403 whatever site the body or query claims, nothing written
    code = codes(inbox, "edu")["刚收到的留言"]
    r = post_reply(h, code, {"text": "越权答复"})
    assert r.status == 403, r
    r = h.call("POST", f"/api/messages/{code}/reply?site=health", {"text": "越权答复"})
    assert r.status == 403, r
    assert "越权答复" not in inbox.ctl("messages", "edu", "--show", code).stdout.decode()


def test_township_reached_by_county_replier(inbox):
    x = api(inbox, "xian.replier")
    j = x.call("GET", "/api/messages?site=zhen").json
    assert [(m["subject"], m["state"]) for m in j["messages"]] == [("镇里的留言", "open")]
    m = j["messages"][0]
    deadline = datetime.strptime(m["deadline"], "%Y-%m-%d %H:%M")
    assert deadline - datetime.strptime(m["date"], "%Y-%m-%d %H:%M") == timedelta(days=10)
    assert x.call("GET", "/api/messages?site=xian").status == 200
    assert x.call("GET", "/api/messages?site=edu").status == 403
    r = post_reply(x, m["code"], {"text": "镇政府已收到，正在办理。"})
    assert r.status == 200, r
    assert r.json["url"] == f"/xian/zhen/liuyan/q/{m['code']}"
    # the site admin of edu and the cluster admin may list edu; a site_admin of edu not zhen
    assert api(inbox, "edu.admin").call("GET", "/api/messages?site=edu").status == 200
    assert api(inbox, "edu.admin").call("GET", "/api/messages?site=zhen").status == 403
    assert api(inbox, "ops").call("GET", "/api/messages?site=zhen").status == 200


# ---- POST /api/messages/CODE/reply ----

def test_reply_is_public_at_the_next_request(inbox):
    a = api(inbox, "edu.replier")
    code = codes(inbox, "edu")["逾期未复的留言"]
    text = "您好，<b>已转</b>相关科室办理。\n请留意通知。"
    r = post_reply(a, code, {"text": text + "\n\n"})
    assert r.status == 200, r
    assert r.json == {"code": code, "reply": 1, "correction": False,
                      "url": f"/edu/mailbox/q/{code}"}
    # the receipt and the public list show it now, escaped, with the account as who replied
    page = inbox.get(f"/edu/mailbox/q/{code}")
    assert page.status == 200
    body = page.body.decode()
    assert "已回复" in body
    assert "&lt;b&gt;已转&lt;/b&gt;相关科室办理。" in body and "<b>已转" not in body
    assert "edu.replier" in body
    listing = inbox.get("/edu/mailbox/").body.decode()
    assert "逾期未复的留言" in listing and "&lt;b&gt;已转" in listing
    # the same text again from the same account: a double submit, refused, nothing added
    r = post_reply(a, code, {"text": text})
    assert r.status == 409 and r.json["field"] == "text"
    # a different text is a correction (a reply is never edited), the trail keeps both
    r = post_reply(a, code, {"text": "更正：请留意下周通知。"})
    assert r.status == 200 and r.json["reply"] == 2 and r.json["correction"] is True
    shown = inbox.ctl("messages", "edu", "--show", code).stdout.decode()
    assert "reply 1" in shown and "reply 2" in shown and "by edu.replier" in shown
    j = a.call("GET", "/api/messages?site=edu&state=all").json
    m = [m for m in j["messages"] if m["code"] == code][0]
    assert m["state"] == "answered" and m["replies"] == 2
    assert m["reply"]["text"] == "更正：请留意下周通知。" and m["reply"]["by"] == "edu.replier"
    assert code not in [m["code"] for m in a.call("GET", "/api/messages?site=edu").json["messages"]]


def test_reply_refusals(inbox):
    a = api(inbox, "edu.replier")
    code = codes(inbox, "edu")["刚收到的留言"]
    assert post_reply(Api(inbox), code, {"text": "x"}).status == 401
    # CSRF and Origin
    assert post_reply(a, code, {"text": "x"}, csrf=False).status == 403
    assert post_reply(a, code, {"text": "x"}, csrf="0" * 64).status == 403
    assert post_reply(a, code, {"text": "x"}, origin="http://evil.example").status == 403
    assert post_reply(a, code, {"text": "x"}, origin=False).status == 403
    # unknown codes: well formed or not
    assert post_reply(a, "a" * 20, {"text": "x"}).status == 404
    assert post_reply(a, "NOT-A-CODE", {"text": "x"}).status == 404
    # the text
    for body, msg in (({}, "missing field"), ({"text": 5}, "must be a string"),
                      ({"text": " \n\n"}, "is empty: a reply needs text"),
                      ({"text": "a\u0001b"}, "is not UTF-8 text (or holds control characters)"),
                      ({"text": "字" * 20001}, "is longer than 20000 characters"),
                      ({"text": "您的身份证号 11010519491231002X 已登记"},
                       "shows an unmasked ID card number (居民身份证号码), and every reply is "
                       "public: mask it (e.g. 530102********1234)")):
        r = post_reply(a, code, body)
        assert r.status == 400, (body, r)
        assert r.json == {"error": msg, "field": "text"}, r.json
    r = post_reply(a, code, {"text": "x", "public": True})
    assert r.status == 400 and r.json["field"] == "public"
    r = post_reply(a, code, None, raw=b"{not json")
    assert r.status == 400 and "not JSON" in r.json["error"]
    # over admin.max_upload (256KiB here; the management listener's body cap): 413 before
    # any of it is read as JSON
    r = post_reply(a, code, None, raw=b'{"text": "' + b"a" * 300000 + b'"}')
    assert r.status == 413
    # wrong method
    r = a.call("GET", f"/api/messages/{code}/reply")
    assert r.status == 405 and r.header("Allow") == "POST"
    # none of it was recorded
    assert "reply 1" not in inbox.ctl("messages", "edu", "--show", code).stdout.decode()
    # 20000 characters exactly are taken
    r = post_reply(a, code, {"text": "字" * 20000})
    assert r.status == 200 and r.json["reply"] == 1


def test_no_reply_text_in_the_logs(inbox):
    # the access log is flushed once a second: wait for the replies' lines
    assert wait_for(lambda: "/reply HTTP/1.1\" 200" in inbox.access_log.read_text(), timeout=5)
    logs = inbox.access_log.read_text() + inbox.error_log.read_text()
    assert "越权答复" not in logs and "已转" not in logs


# ---- GET /api/history ----

ARTICLE = """---
site: edu
column: news
title: 全市中小学安全大检查
source: 市教育局
publisher: 何敏
reviewer: 林涛
disclosure: 主动公开
secrecy_review: {by: 赵敏, date: 2026-11-20}
date: "2026-11-21 09:00"
---
正文。
"""


@pytest.fixture(scope="module")
def trail(inbox):
    """A publication, an unpublished article and a spam mark on edu; an account change."""
    d = inbox.root / "articles"
    d.mkdir(exist_ok=True)
    (d / "anquan.md").write_text(ARTICLE)
    (d / "chehui.md").write_text(ARTICLE.replace("安全大检查", "撤回的通知"))
    for name in ("anquan.md", "chehui.md"):
        r = inbox.ctl("publish", d / name)
        assert r.returncode == 0, r.stderr
    r = inbox.ctl("unpublish", "--by", "林涛", "--reason", "内容有误", "edu", "news", "chehui")
    assert r.returncode == 0, r.stderr + r.stdout
    spam = codes(inbox, "edu")["已答复的留言"]
    r = inbox.ctl("messages", "edu", "--spam", spam, "--by", "edu.admin")
    assert r.returncode == 0, r.stderr
    r = inbox.ctl("user", "disable", "edu.editor")
    assert r.returncode == 0, r.stderr
    r = inbox.ctl("user", "enable", "edu.editor")
    assert r.returncode == 0, r.stderr
    return spam


def test_history_of_a_site(inbox, trail):
    a = api(inbox, "edu.editor")
    r = a.call("GET", "/api/history?site=edu")
    assert r.status == 200, r
    j = r.json
    assert (j["site"], j["limit"], j["total"]) == ("edu", 50, 4)
    recs = j["records"]
    assert [x["action"] for x in recs] == ["spam", "unpublish", "publish", "publish"]
    assert [x["seq"] for x in recs] == [4, 3, 2, 1]  # as `jiyuectl history edu` numbers them
    pub = recs[3]
    # the time of the act (now, UTC+8), not the article's date
    now = datetime.now(CST)
    assert abs(datetime.strptime(pub["time"], "%Y-%m-%d %H:%M").replace(tzinfo=CST) - now) < \
        timedelta(minutes=5)
    assert pub == {"seq": 1, "time": pub["time"], "action": "publish", "kind": "article",
                   "site": "edu", "column": "news", "id": "anquan", "title": "全市中小学安全大检查",
                   "revision": 1, "publisher": "何敏", "reviewer": "林涛",
                   "secrecy_review": "赵敏", "disclosure": "主动公开"}
    un = recs[1]
    assert (un["kind"], un["by"], un["reason"], un["id"], un["revision"]) == \
        ("removal", "林涛", "内容有误", "chehui", 1)
    assert "secrecy_review" not in un
    # an unpublished article's secrecy_review is no longer known: null, not invented
    assert recs[2]["id"] == "chehui" and recs[2]["secrecy_review"] is None
    # a spam record's receipt code is the citizen's key: an editor does not get it
    assert recs[0]["kind"] == "removal" and recs[0]["by"] == "edu.admin"
    assert recs[0]["id"] is None and trail not in r.body.decode()
    # a replier of the site does
    j = api(inbox, "edu.replier").call("GET", "/api/history?site=edu").json
    assert j["records"][0]["id"] == trail
    # the same records as jiyuectl history prints
    out = inbox.ctl("history", "edu").stdout.decode().splitlines()
    assert len(out) == 4 and out[0].startswith("1\t") and "by 何敏" in out[0]


def test_history_limit_and_refusals(inbox, trail):
    a = api(inbox, "edu.editor")
    j = a.call("GET", "/api/history?site=edu&limit=2").json
    assert j["total"] == 4 and [x["seq"] for x in j["records"]] == [4, 3]
    for q, field in (("site=edu&limit=0", "limit"), ("site=edu&limit=501", "limit"),
                     ("site=edu&limit=-1", "limit"), ("site=nosuch", "site"),
                     ("site=edu&order=asc", "order")):
        r = a.call("GET", "/api/history?" + q)
        assert r.status == 400 and r.json["field"] == field, (q, r)
    assert a.call("GET", "/api/history?site=edu&limit=500").status == 200
    # another department's account, and the whole cluster's trail without cluster_admin
    h = api(inbox, "health.replier")
    r = h.call("GET", "/api/history?site=edu")
    assert r.status == 403 and "全市中小学" not in r.body.decode()
    assert h.call("GET", "/api/history?site=health").json["total"] == 0
    r = a.call("GET", "/api/history")
    assert r.status == 403 and r.json["field"] == "site"
    assert Api(inbox).call("GET", "/api/history?site=edu").status == 401
    assert a.call("POST", "/api/history?site=edu", {}).status == 405
    # a county's account sees its township's trail, not a department's
    x = api(inbox, "xian.replier")
    assert x.call("GET", "/api/history?site=zhen").status == 200
    assert x.call("GET", "/api/history?site=edu").status == 403


def test_cluster_history_shows_account_changes_to_cluster_admin(inbox, trail):
    ops = api(inbox, "ops")
    j = ops.call("GET", "/api/history?limit=500").json
    assert j["site"] is None
    users = [x for x in j["records"] if x["kind"] == "account"]
    assert [x["action"] for x in users[:2]] == ["user-enable", "user-disable"]
    assert users[0]["id"] == "edu.editor" and users[0]["site"] == ""
    assert users[0]["by"]
    added = [x for x in users if x["action"] == "user-add" and x["id"] == "edu.editor"]
    assert len(added) == 1 and added[0]["roles"] == "editor:edu"
    # and edu's trail stays edu's: no account records in a site's trail, even for ops
    j = ops.call("GET", "/api/history?site=edu").json
    assert j["total"] == 4 and all(x["kind"] != "account" for x in j["records"])


# ---- GET /api/audit ----

def test_audit_for_a_site_admin(inbox):
    a = api(inbox, "edu.admin")
    r = a.call("GET", "/api/audit?site=edu")
    assert r.status == 200, r
    j = r.json
    assert j["at"] == datetime.now(CST).strftime("%Y-%m-%d")
    assert [s["id"] for s in j["sites"]] == ["edu"]
    site = j["sites"][0]
    assert set(site) == {"id", "name", "status", "status_name", "verdict", "findings"}
    assert (site["name"], site["status"], site["status_name"]) == ("测试市教育局", "active", "正常运行")
    rules = {f["rule"]: f for f in site["findings"]}
    # the overdue messages of edu's board are found, as jiyuectl audit finds them
    assert rules["message-unanswered"]["severity"] in ("deduct", "veto")
    assert set(rules["message-unanswered"]) == {"rule", "severity", "detail", "detail_zh", "url"}
    assert site["verdict"] == ("fail" if any(f["severity"] == "veto" for f in site["findings"])
                               else "pass")
    # the same findings as the command line's JSON report of the same store
    r2 = inbox.ctl("audit", "--format", "json", "edu", timeout=60)
    ctl = json.loads(r2.stdout)
    assert ctl["sites"] == j["sites"]


def test_audit_sites_of_a_county_admin_and_refusals(inbox):
    x = api(inbox, "xian.admin")
    j = x.call("GET", "/api/audit").json
    assert [s["id"] for s in j["sites"]] == ["xian", "zhen"]
    assert x.call("GET", "/api/audit?site=zhen").json["sites"][0]["id"] == "zhen"
    r = x.call("GET", "/api/audit?site=edu")
    assert r.status == 403 and r.json["field"] == "site" and "findings" not in r.body.decode()
    # an editor, a replier: no audit
    for user in ("edu.editor", "edu.replier"):
        u = api(inbox, user)
        assert u.call("GET", "/api/audit?site=edu").status == 403
        assert u.call("GET", "/api/audit").status == 403
    ops = api(inbox, "ops")
    assert [s["id"] for s in ops.call("GET", "/api/audit").json["sites"]] == \
        ["edu", "health", "portal", "xian", "zhen"]
    for q, field in (("site=nosuch", "site"), ("site=", "site"), ("format=html", "format")):
        r = ops.call("GET", "/api/audit?" + q)
        assert r.status == 400 and r.json["field"] == field, (q, r)
    assert Api(inbox).call("GET", "/api/audit?site=edu").status == 401
    assert ops.call("POST", "/api/audit?site=edu", {}).status == 405
