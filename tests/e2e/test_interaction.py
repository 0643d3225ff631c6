# tests/e2e/test_interaction.py: the message boards (政民互动) with a running jiyue and the
# real jiyuectl: the form and its token, submission (303 after the commit) and receipt,
# replies and corrections, the public list with masking, 受理反馈统计, every refusal
# (400, 403, 405, 413, 415, 429, the honeypot), escaping, the overdue report in `jiyuectl
# check` and at reload, a kill -9 right after a 303, and a burst of 200 concurrent
# submissions while pages keep being served. The form's security: tokens bound to the form
# cookie, the Origin/Referer check; the limits per address, per /24, per site and day,
# the cluster's byte budget and the store's reserve (a flood never stops publish, import
# or reply), each logged once a minute at most; spam marked by staff leaving every list,
# count and the audit's clock.
import hashlib
import hmac
import json
import re
import signal
import socket
import ssl
import subprocess
import threading
import time
import urllib.parse
from datetime import datetime, timedelta, timezone

import pytest

from conftest import (BASE_SITES, EDU_ALIAS, EDU_HOST, PORTAL_HOST, ROOT, Cluster, RawConn,
                      can_connect, free_port, make_cluster, metric_samples, need_binaries, read_text,
                      wait_for)

THEMES = ROOT / "conf" / "themes"
CST = timezone(timedelta(hours=8))


def board(cid, name, reply_days=15, rate_limit=100, **more):
    extra = "".join(f", {k}: {v}" for k, v in more.items())
    return (f"  - {{id: {cid}, name: {name}, type: interaction}}\n"
            f"interaction: {{reply_days: {reply_days}, rate_limit: {rate_limit}{extra}}}\n")


def sites():
    s = {k: dict(v) for k, v in BASE_SITES.items()}
    s["portal"]["extra"] = board("hudong", "政民互动", rate_limit=1000, daily_limit=1000)
    s["edu"]["extra"] = board("mailbox", "局长信箱")
    s["xian"]["extra"] = board("xinxiang", "县长信箱", rate_limit=2)
    s["zhen"]["extra"] = board("liuyan", "镇长信箱", reply_days=10)
    return s


LIMITS = {"max_body_bytes": "64KiB", "max_connections": 2000}


def new_cluster(tmp_path_factory, name):
    return make_cluster(tmp_path_factory, name, sites=sites(), limits=LIMITS,
                        extra_conf=f"themes: {THEMES}\n")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    c = new_cluster(tmp_path_factory, "interaction")
    c.start()
    yield c
    c.stop()


# ------------------------------------------------------------------------------ helpers

def text(r):
    return r.body.decode("utf-8")


def get(c, path, host=PORTAL_HOST):
    return c.get(path, host=host)


class Token(str):
    """A form token and the form cookie (its nonce) it is bound to, as a browser keeps them."""
    cookie = None


def form_cookie(r):
    m = re.match(r"jiyue_form=([0-9a-f]{32});", r.header("Set-Cookie") or "")
    assert m, r.header("Set-Cookie")
    return m.group(1)


def token(c, board_path="/edu/mailbox/", host=PORTAL_HOST, cookie=None):
    r = c.get(board_path + "new", host=host,
              headers={"Cookie": f"jiyue_form={cookie}"} if cookie else None)
    assert r.status == 200, r
    m = re.search(r'name="token" value="([^"]+)"', text(r))
    assert m, text(r)[:500]
    t = Token(m.group(1))
    t.cookie = form_cookie(r)
    return t


def post(c, path, body, host=PORTAL_HOST, ctype="application/x-www-form-urlencoded", timeout=10,
         cookie=None, headers=None, source=None):
    """cookie: the form cookie to send; by default the one the body's Token came with
    (False: none). source: the local address to connect from (any of 127.0.0.0/8)."""
    if isinstance(body, dict):
        tok = body.get("token")
        if cookie is None and isinstance(tok, Token):
            cookie = tok.cookie
        body = urllib.parse.urlencode(body).encode()
    hdrs = {"Host": host, "Content-Length": str(len(body)), "Connection": "close"}
    if ctype:
        hdrs["Content-Type"] = ctype
    if cookie:
        hdrs["Cookie"] = f"jiyue_form={cookie}"
    hdrs.update(headers or {})
    with (FromConn(c.port, source, timeout) if source else RawConn(c.port, timeout=timeout)) as conn:
        conn.send_request("POST", path, hdrs, body=body)
        return conn.read_response()


class FromConn(RawConn):
    """A RawConn from a chosen loopback address (for the per-address and /24 limits)."""

    def __init__(self, port, source, timeout=10):  # noqa: D107 - RawConn's, bound first
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                             source_address=(source, 0))
        self.buf = b""
        self.timeout = timeout


def message(tok, title="关于学校周边交通的建议", **over):
    f = {"title": title, "body": "学校门口上下学时段拥堵，建议增设临时停车点。\r\n第二段。",
         "name": "张三", "phone": "13812345678", "email": "zhangsan@example.cn", "token": tok}
    f.update(over)
    return {k: v for k, v in f.items() if v is not None}


def submit(c, board_path="/edu/mailbox/", host=PORTAL_HOST, **over):
    r = post(c, board_path, message(token(c, board_path, host), **over), host=host)
    assert r.status == 303, r
    loc = r.header("Location")
    m = re.fullmatch(re.escape(board_path) + r"q/([a-z2-7]{20})", loc)
    assert m, loc
    return m.group(1)


def messages(c, sid, *args):
    r = c.ctl("messages", sid, *args)
    assert r.returncode == 0, r.stderr
    return [line.split("\t") for line in r.stdout.decode().splitlines()]


def reply(c, sid, code, body, by="测试市教育局办公室"):
    p = c.root / f"reply-{time.monotonic_ns()}.txt"
    p.write_text(body + "\n")
    return c.ctl("reply", sid, code, p, "--by", by)


def secret(c):
    """The form secret, read with mdb_dump, to make tokens the way the server does."""
    r = subprocess.run(["mdb_dump", "-s", "meta", str(c.root / "store")], capture_output=True,
                       timeout=30)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.decode().split("HEADER=END\n", 1)[1].splitlines()
    want = b"secret/interaction".hex()
    for k, v in zip(lines[0::2], lines[1::2]):
        if k.strip() == want:
            return bytes.fromhex(v.strip())
    raise AssertionError("no form secret in the store")


def make_token(key, sid, t, nonce):
    mac = hmac.new(key, f"{sid}\n{t}\n{nonce}".encode(), hashlib.sha256).hexdigest()[:32]
    return f"{t}.{mac}"


# ------------------------------------------------------------------------------ citizens

def test_form(site):
    r = get(site, "/edu/mailbox/new")
    assert r.status == 200
    body = text(r)
    assert 'method="post" action="/edu/mailbox/"' in body
    assert re.search(r'name="token" value="\d+\.[0-9a-f]{32}"', body)
    assert 'name="website"' in body  # the honeypot, hidden from people
    for field in ("title", "body", "name", "phone", "email"):
        assert f'name="{field}"' in body
    assert r.header("Cache-Control") == "no-store"
    # The same board on the site's own host.
    r = get(site, "/mailbox/new", host=EDU_HOST)
    assert r.status == 200 and 'action="/mailbox/"' in text(r)
    assert get(site, "/edu/mailbox/new", ).header("Content-Type").startswith("text/html")


def test_submit_receipt_reply_list(site):
    code = submit(site, title="关于学校周边交通的建议")
    r = get(site, f"/edu/mailbox/q/{code}")
    assert r.status == 200
    body = text(r)
    assert "关于学校周边交通的建议" in body and "待回复" in body and code in body
    assert "第二段" in body
    assert "张*" in body and "138****5678" in body
    assert "张三" not in body and "13812345678" not in body and "zhangsan@example.cn" not in body
    assert r.header("Referrer-Policy") == "no-referrer"

    rows = messages(site, "edu", "--open")
    assert [row for row in rows if row[0] == code and row[4] == "open"]
    # Not in the public list while unanswered.
    assert "关于学校周边交通的建议" not in text(get(site, "/edu/mailbox/"))

    # a reply quoting a citizen's ID number is refused: every reply is public
    r = reply(site, "edu", code, "张三（身份证号 11010519491231002X）：已受理。")
    assert r.returncode != 0 and b"shows an unmasked ID card number" in r.stderr, r.stderr
    assert b"11010519491231002X" not in r.stderr
    assert [row for row in messages(site, "edu", "--open") if row[0] == code]  # still open
    r = reply(site, "edu", code, "已协调交警部门在上下学时段增派警力。")
    assert r.returncode == 0, r.stderr
    assert f"/edu/mailbox/q/{code}" in r.stdout.decode()
    body = text(get(site, f"/edu/mailbox/q/{code}"))
    assert "已回复" in body and "已协调交警部门" in body and "测试市教育局办公室" in body
    assert not [row for row in messages(site, "edu", "--open") if row[0] == code]

    lst = text(get(site, "/edu/mailbox/"))
    assert "关于学校周边交通的建议" in lst and "已协调交警部门" in lst
    assert "张*" in lst and "138****5678" in lst
    assert "张三" not in lst and "13812345678" not in lst and "zhangsan@example.cn" not in lst
    assert code not in lst  # the receipt code stays the citizen's
    assert re.search(r"用时：\d+ 天", lst)

    # A correction is a new reply; the trail keeps both, the list shows the one in force.
    r = reply(site, "edu", code, "更正：已在校门东侧设置临时停车点。")
    assert r.returncode == 0 and "correction" in r.stdout.decode()
    body = text(get(site, f"/edu/mailbox/q/{code}"))
    assert "已协调交警部门" in body and "更正：已在校门东侧" in body
    assert "已被后续答复更正" in body
    lst = text(get(site, "/edu/mailbox/"))
    assert "更正：已在校门东侧" in lst and "已协调交警部门" not in lst and "已更正" in lst
    shown = site.ctl("messages", "edu", "--show", code).stdout.decode()
    assert "reply 1" in shown and "reply 2" in shown and "13812345678" in shown


def test_receipt_not_found(site):
    assert get(site, "/edu/mailbox/q/" + "a" * 20).status == 404
    assert get(site, "/edu/mailbox/q/short").status == 404
    # A code is only good on its own board.
    code = submit(site, title="另一个站点的回执")
    assert get(site, f"/xian/xinxiang/q/{code}").status == 404
    assert get(site, f"/edu/mailbox/q/{code}").status == 200


def test_escaping(site):
    code = submit(site, title="<script>alert('t')</script>标题", name="<b>李四</b>",
                  body="正文<img src=x onerror=alert(1)>")
    assert reply(site, "edu", code, "答复<script>alert(2)</script>").returncode == 0
    for path in (f"/edu/mailbox/q/{code}", "/edu/mailbox/"):
        body = text(get(site, path))
        assert "&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;标题" in body or \
            "&lt;script&gt;alert(&#x27;t&#x27;)&lt;/script&gt;标题" in body
        assert "<script>alert" not in body and "<img src=x" not in body
        assert "&lt;img src=x onerror=alert(1)&gt;" in body
        assert "<b>" not in body and "&lt;*" in body  # masked: the first character, escaped


def test_list_pagination(site):
    for i in range(11):
        code = submit(site, board_path="/xian/zhen/liuyan/", title=f"分页留言{i:02d}")
        assert reply(site, "zhen", code, f"答复{i:02d}", by="测试镇人民政府").returncode == 0
    first = text(get(site, "/xian/zhen/liuyan/"))
    assert "分页留言10" in first and "分页留言01" in first and "分页留言00" not in first
    assert first.index("分页留言10") < first.index("分页留言09")  # newest first
    second = get(site, "/xian/zhen/liuyan/index_2.html")
    assert second.status == 200 and "分页留言00" in text(second)
    assert get(site, "/xian/zhen/liuyan/index_9.html").status == 404


def test_stats(site):
    now = datetime.now(CST)
    jan2 = now.replace(month=1, day=2, hour=10, minute=0, second=0, microsecond=0)
    f = site.root / "import.yaml"
    f.write_text(
        "- {site: xian, column: xinxiang, title: 一月留言已办, body: 内容, name: 王五, phone: '13900000000',\n"
        f"   date: '{jan2:%Y-%m-%d %H:%M}', replies: [{{by: 县政府办, text: 已办理, after_days: 3}}]}}\n"
        "- {site: xian, column: xinxiang, title: 一月留言迟复, body: 内容, name: 王五, phone: '13900000000',\n"
        f"   date: '{jan2:%Y-%m-%d %H:%M}', replies: [{{by: 县政府办, text: 已办理, after_days: 20}}]}}\n"
        "- {site: xian, column: xinxiang, title: 一月留言未复, body: 内容, name: 王五, phone: '13900000000',\n"
        f"   date: '{jan2:%Y-%m-%d %H:%M}'}}\n")
    r = site.ctl("message_import", f)
    assert r.returncode == 0, r.stderr
    assert "3 messages imported" in r.stdout.decode()
    r = site.ctl("message_import", f)  # twice: nothing more
    assert "0 messages imported, 3 already present" in r.stdout.decode()

    body = text(get(site, "/xian/xinxiang/stats"))
    assert "受理反馈统计" in body and f"{now.year}年" in body
    row = re.search(r"<tr><th scope=\"row\">1月</th>(.*?)</tr>", body).group(1)
    cells = re.findall(r"<td>(.*?)</td>", row)
    overdue = "1" if now - jan2 > timedelta(days=15) else "0"
    # received, answered, rate, in time, average days, overdue now
    assert cells == ["3", "2", "66.7%", "1", "11.5", overdue], cells
    months = re.findall(r'<th scope="row">(\d+)月</th>', body)
    assert months == [str(m) for m in range(1, now.month + 1)]
    total = re.search(r'<tr id="total">(.*?)</tr>', body).group(1)
    assert int(re.findall(r"<td>(.*?)</td>", total)[1]) >= 3


def test_overdue_report(site):
    """A message past the site's limit without a reply: `jiyuectl check` and the log at
    reload name it; `messages --overdue` lists it."""
    f = site.root / "overdue.yaml"
    f.write_text("- {site: zhen, column: liuyan, title: 久拖未复, body: 内容, name: 赵六,\n"
                 "   phone: '13700000000', days_ago: 40}\n")
    assert site.ctl("message_import", f).returncode == 0
    rows = messages(site, "zhen", "--overdue")
    assert len(rows) == 1 and rows[0][4] == "OVERDUE" and rows[0][5] == "久拖未复"
    code = rows[0][0]
    r = site.ctl("check")
    assert r.returncode == 0
    out = r.stdout.decode() + r.stderr.decode()
    assert f"zhen/liuyan: message {code}" in out and "limit 10 days" in out
    mark = len(read_text(site.error_log))
    site.signal(signal.SIGHUP)
    assert wait_for(lambda: f"zhen/liuyan: message {code}" in read_text(site.error_log)[mark:],
                    timeout=10), read_text(site.error_log)[mark:]
    # Answered, it is no longer reported.
    assert reply(site, "zhen", code, "已处理", by="测试镇人民政府").returncode == 0
    assert messages(site, "zhen", "--overdue") == []
    assert f"message {code}" not in site.ctl("check").stderr.decode()


# ------------------------------------------------------------------------------ refusals

def test_missing_and_empty_fields(site):
    tok = token(site)
    r = post(site, "/edu/mailbox/", message(tok, title=None))
    assert r.status == 400
    body = text(r)
    assert 'data-field="title"' in body and "请填写标题" in body
    assert "学校门口上下学时段拥堵" in body  # what was written is kept
    assert 'name="token" value="' in body   # and the form can be sent again
    r = post(site, "/edu/mailbox/", message(tok, name="  ", phone=""))
    assert r.status == 400
    assert 'data-field="name"' in text(r) and 'data-field="phone"' in text(r)
    assert post(site, "/edu/mailbox/", message(tok, body="")).status == 400
    assert post(site, "/edu/mailbox/", b"", ).status in (400, 403)
    assert post(site, "/edu/mailbox/", message(tok, phone="abc")).status == 400
    assert post(site, "/edu/mailbox/", message(tok, email="not-an-email")).status == 400


def test_lengths_in_characters(site):
    tok = token(site)
    r = post(site, "/edu/mailbox/", message(tok, title="字" * 101))
    assert r.status == 400 and "标题不能超过 100 个字" in text(r)
    r = post(site, "/edu/mailbox/", message(tok, body="字" * 5001))
    assert r.status == 400 and 'data-field="body"' in text(r)
    # At the limits exactly (300 and 15000 bytes): accepted.
    r = post(site, "/edu/mailbox/", message(tok, title="字" * 100, body="字" * 5000))
    assert r.status == 303


def test_invalid_utf8(site):
    tok = token(site)
    body = f"title=%FF%FE&body=x&name=n&phone=13800000000&token={tok}".encode()
    r = post(site, "/edu/mailbox/", body)
    assert r.status == 400 and 'data-field="form"' in text(r)
    body = f"title=ok&body=%E5%AD&name=n&phone=13800000000&token={tok}".encode()
    assert post(site, "/edu/mailbox/", body).status == 400
    body = f"title=%zz&body=x&name=n&phone=13800000000&token={tok}".encode()
    assert post(site, "/edu/mailbox/", body).status == 400


def test_content_types(site):
    tok = token(site)
    form = message(tok)
    for ct in ("text/plain", "multipart/form-data; boundary=x", "application/json", None,
               "application/x-www-form-urlencoded; charset=gbk"):
        r = post(site, "/edu/mailbox/", form, ctype=ct)
        assert r.status == 415, (ct, r)
    assert post(site, "/edu/mailbox/", form,
                ctype="Application/X-WWW-Form-Urlencoded; Charset=\"UTF-8\"").status == 303


def test_body_too_large(site):
    tok = token(site)
    r = post(site, "/edu/mailbox/", message(tok, body="x" * (70 * 1024)))
    assert r.status == 413


def test_tokens(site):
    title = "令牌测试"
    r = post(site, "/edu/mailbox/", message(None, title=title, token=None))
    assert r.status == 403 and 'data-field="token"' in text(r)
    assert "学校门口上下学时段拥堵" in text(r)  # the text survives the refusal
    tok = token(site)
    forged = tok[:-1] + ("0" if tok[-1] != "0" else "1")
    assert post(site, "/edu/mailbox/", message(forged, title=title)).status == 403
    # Another site's token does not open this board.
    xian_tok = token(site, "/xian/xinxiang/")
    assert post(site, "/edu/mailbox/", message(xian_tok, title=title)).status == 403
    key = secret(site)
    now = int(time.time())
    ck = tok.cookie
    old = make_token(key, "edu", now - 86400 - 120, ck)
    r = post(site, "/edu/mailbox/", message(old, title=title), cookie=ck)
    assert r.status == 403 and "过期" in text(r)
    # Dated ahead (beyond the 5 minutes of clock skew allowed): not one the server made.
    ahead = make_token(key, "edu", now + 3600, ck)
    r = post(site, "/edu/mailbox/", message(ahead, title=title), cookie=ck)
    assert r.status == 403 and 'data-field="token"' in text(r) and "过期" not in text(r)
    # A token made the server's way an hour ago is good: the HMAC is the whole state.
    assert post(site, "/edu/mailbox/", message(make_token(key, "edu", now - 3600, ck),
                                               title="一小时前的表单"), cookie=ck).status == 303
    assert not [row for row in messages(site, "edu") if row[5] == title]


def test_rate_limit(site):
    """xian allows 2 messages per address per hour: the third gets 429 + Retry-After."""
    for i in range(2):
        submit(site, board_path="/xian/xinxiang/", title=f"限流{i}")
    r = post(site, "/xian/xinxiang/", message(token(site, "/xian/xinxiang/"), title="限流2"))
    assert r.status == 429, r
    ra = int(r.header("Retry-After"))
    assert 1 <= ra <= 3600
    assert "限流2" in text(r) and "提交过于频繁" in text(r)
    titles = [row[5] for row in messages(site, "xian")]
    assert titles.count("限流0") == 1 and titles.count("限流1") == 1 and "限流2" not in titles
    # Another site's board has its own count.
    submit(site, title="限流不影响其他站点")
    # Refused again and again: the error log names the limit once (a minute at most).
    for i in range(3):
        assert post(site, "/xian/xinxiang/", message(token(site, "/xian/xinxiang/"))).status == 429
    assert wait_for(lambda: "per-address limit" in read_text(site.error_log))
    lines = [ln for ln in read_text(site.error_log).splitlines() if "per-address limit" in ln]
    assert len(lines) == 1, lines
    assert "2 an hour from one address, to xian" in lines[0] and "127.0.0.1" in lines[0]


def test_prefix_limit(site):
    """xian: 2 an hour per address and 4 times that (8) per /24: a fifth address of the
    same /24 is refused; another /24 is not."""
    def send(src, title):
        return post(site, "/xian/xinxiang/", message(token(site, "/xian/xinxiang/"), title=title),
                    source=src)
    for host in range(1, 5):
        for i in range(2):
            r = send(f"127.0.7.{host}", f"网段{host}-{i}")
            assert r.status == 303, (host, i, r)
    r = send("127.0.7.5", "网段超限")
    assert r.status == 429 and 1 <= int(r.header("Retry-After")) <= 3600
    assert "提交过于频繁" in text(r) and "网段超限" in text(r)
    assert send("127.0.8.5", "另一网段").status == 303
    titles = [row[5] for row in messages(site, "xian")]
    assert "网段超限" not in titles and "另一网段" in titles
    assert wait_for(lambda: "per-network limit (8 an hour from one /24 or /64, to xian)"
                    in read_text(site.error_log)), read_text(site.error_log)[-2000:]


def test_honeypot(site):
    r = post(site, "/edu/mailbox/", message(token(site), title="机器人留言", website="http://spam"))
    assert r.status == 303  # told what a person is told
    loc = r.header("Location")
    assert re.fullmatch(r"/edu/mailbox/q/[a-z2-7]{20}", loc)
    assert get(site, loc).status == 404  # and nothing was stored
    assert not [row for row in messages(site, "edu") if row[5] == "机器人留言"]


def test_methods(site):
    with RawConn(site.port) as c:
        c.send_request("PUT", "/edu/mailbox/", {"Host": PORTAL_HOST, "Content-Length": "0"})
        r = c.read_response()
    assert r.status == 405 and "POST" in r.header("Allow")
    r = post(site, "/edu/mailbox/new", message(token(site)))
    assert r.status == 405 and r.header("Allow") == "GET, HEAD"
    r = site.get("/edu/mailbox/", method="HEAD")
    assert r.status == 200
    # A column of another type does not take messages.
    assert post(site, "/edu/news/", message(token(site))).status == 405


# ------------------------------------------------------------------------------ form security

def test_form_cookie(site):
    """The form page sets the cookie its token is bound to, scoped to the site's mount."""
    r = get(site, "/edu/mailbox/new")
    assert re.fullmatch(r"jiyue_form=[0-9a-f]{32}; Path=/edu/; Max-Age=86400; HttpOnly; "
                        r"SameSite=Lax", r.header("Set-Cookie")), r.header("Set-Cookie")
    assert r.header("Referrer-Policy") == "same-origin"  # so the POST carries its Origin
    r = get(site, "/mailbox/new", host=EDU_HOST)
    assert "; Path=/; " in r.header("Set-Cookie")
    # A browser that has the cookie keeps it: every open form is bound to the same nonce.
    first = token(site)
    again = token(site, cookie=first.cookie)
    assert again.cookie == first.cookie
    assert token(site).cookie != first.cookie  # another browser, another nonce
    # The receipt still keeps its code out of Referer.
    code = submit(site, title="回执页的来源策略")
    assert get(site, f"/edu/mailbox/q/{code}").header("Referrer-Policy") == "no-referrer"


def test_form_cookie_secure_over_tls(tmp_path_factory):
    """Over TLS the form cookie is Secure (var/tls from `make certs`, as `make test` makes)."""
    crt, key = ROOT / "var" / "tls" / "default.crt", ROOT / "var" / "tls" / "default.key"
    assert crt.exists() and key.exists(), "run `make certs` first"
    c = make_cluster(tmp_path_factory, "interaction-tls", sites=sites(), limits=LIMITS,
                     extra_conf=f"themes: {THEMES}\ntls: {{cert: {crt}, key: {key}}}\n")
    tls_port = free_port()
    c.conf.write_text(c.conf.read_text().replace(
        "listen:\n", f'listen:\n  - {{address: "127.0.0.1:{tls_port}", tls: true}}\n', 1))
    c.start()
    try:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        assert wait_for(lambda: can_connect(tls_port))
        with socket.create_connection(("127.0.0.1", tls_port), timeout=5) as raw, \
                ctx.wrap_socket(raw, server_hostname=PORTAL_HOST) as tls:
            tls.sendall(f"GET /edu/mailbox/new HTTP/1.1\r\nHost: {PORTAL_HOST}\r\n"
                        "Connection: close\r\n\r\n".encode())
            data = b""
            while chunk := tls.recv(65536):
                data += chunk
        head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
        assert head.startswith("HTTP/1.1 200"), head
        cookie = re.search(r"(?mi)^Set-Cookie: (.*)$", head).group(1).strip()
        assert re.fullmatch(r"jiyue_form=[0-9a-f]{32}; Path=/edu/; Max-Age=86400; HttpOnly; "
                            r"SameSite=Lax; Secure", cookie), cookie
        # and not over plain HTTP
        assert "Secure" not in get(c, "/edu/mailbox/new").header("Set-Cookie")
    finally:
        c.stop()


def test_token_needs_its_cookie(site):
    """A token replayed without its cookie (another browser, another address) is refused."""
    tok, other = token(site), token(site)
    title = "无凭证的表单"
    for ck in (False, other.cookie, "0" * 32, "zz"):
        r = post(site, "/edu/mailbox/", message(tok, title=title), cookie=ck)
        assert r.status == 403 and 'data-field="token"' in text(r), ck
        assert "学校门口上下学时段拥堵" in text(r)  # the text survives
        assert form_cookie(r) and 'name="token" value="' in text(r)  # and can be sent again
    assert not [row for row in messages(site, "edu") if row[5] == title]
    # Its cookie among others the browser sends (another path's, another site's): good.
    r = post(site, "/edu/mailbox/", message(tok, title="带凭证的表单"), cookie=False,
             headers={"Cookie": f"a=b; jiyue_form={other.cookie}; jiyue_form={tok.cookie}"})
    assert r.status == 303, r
    # Sent again from the refusal page, with the cookie it set: accepted.
    r = post(site, "/edu/mailbox/", message(tok, title=title), cookie=False)
    again = re.search(r'name="token" value="([^"]+)"', text(r)).group(1)
    r = post(site, "/edu/mailbox/", message(again, title=title), cookie=form_cookie(r))
    assert r.status == 303, r


def test_origin_check(site):
    """A POST from a page outside the cluster is refused (403, the form again)."""
    title = "跨站提交"
    for hdrs in ({"Origin": "http://evil.example"}, {"Origin": "https://evil.example:8443"},
                 {"Referer": "http://evil.example/page.html"},
                 {"Origin": "null", "Referer": "http://evil.example/"},
                 {"Origin": f"http://{PORTAL_HOST}.evil.example"},
                 {"Origin": "garbage"}):
        r = post(site, "/edu/mailbox/", message(token(site), title=title), headers=hdrs)
        assert r.status == 403, hdrs
        body = text(r)
        assert 'data-field="form"' in body and "提交来源不是本网站" in body, hdrs
        assert title in body and 'name="token" value="' in body  # the form, as written
    assert not [row for row in messages(site, "edu") if row[5] == title]
    # From the cluster's own pages (any of its hosts, scheme or port), or from nowhere said.
    for i, hdrs in enumerate(({"Origin": f"http://{PORTAL_HOST}:{site.port}"},
                              {"Origin": f"https://{EDU_HOST.upper()}"},
                              {"Origin": f"http://{EDU_ALIAS}"},
                              {"Referer": f"http://{PORTAL_HOST}/edu/mailbox/new"},
                              {"Origin": "null"}, {})):
        r = post(site, "/edu/mailbox/", message(token(site), title=f"本站提交{i}"), headers=hdrs)
        assert r.status == 303, (hdrs, r)


# ------------------------------------------------------------------------------ spam

def test_spam(site):
    """Staff mark spam: it leaves the public list, the statistics, the staff listing (but
    --all), the overdue report and the audit's clock, with an audit-trail record."""
    f = site.root / "spam.yaml"
    f.write_text("- {site: zhen, column: liuyan, title: 广告甲, body: 内容, name: 某甲,\n"
                 "   phone: '13600000000', days_ago: 20}\n")
    assert site.ctl("message_import", f).returncode == 0
    old = [row[0] for row in messages(site, "zhen") if row[5] == "广告甲"][0]
    answered = submit(site, board_path="/xian/zhen/liuyan/", title="广告乙")
    assert reply(site, "zhen", answered, "已阅", by="测试镇人民政府").returncode == 0
    assert "广告乙" in text(get(site, "/xian/zhen/liuyan/"))
    stats = text(get(site, "/xian/zhen/liuyan/stats"))
    before = re.search(r'<tr id="total">(.*?)</tr>', stats).group(1)

    def audit_codes():
        r = site.ctl("audit", "--format", "json", "zhen", timeout=60)
        assert r.returncode in (0, 1), r.stderr
        rep = json.loads(r.stdout)
        return [x["detail"] for x in rep["sites"][0]["findings"]
                if x["rule"] == "message-unanswered"]
    assert [d for d in audit_codes() if old in d]
    assert f"message {old}" in site.ctl("check").stderr.decode()

    # --by is the interface: without it nothing is marked.
    r = site.ctl("messages", "zhen", "--spam", old, answered)
    assert r.returncode == 2 and b"--by" in r.stderr
    # One unknown code: nothing at all is marked.
    r = site.ctl("messages", "zhen", "--spam", old, "a" * 20, "--by", "王管理")
    assert r.returncode == 1 and b"no message " + b"a" * 20 in r.stderr
    assert [row for row in messages(site, "zhen") if row[0] == old]
    r = site.ctl("messages", "zhen", "--spam", old, answered, "--by", "王管理")
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode().count("marked spam by 王管理") == 2
    r = site.ctl("messages", "zhen", "--spam", old, "--by", "李管理")
    assert r.returncode == 0 and "already marked spam by 王管理" in r.stdout.decode()

    rows = messages(site, "zhen")
    assert not [row for row in rows if row[0] in (old, answered)]
    spam = [row for row in messages(site, "zhen", "--all") if row[0] in (old, answered)]
    assert sorted(row[4] for row in spam) == ["SPAM", "SPAM"]
    shown = site.ctl("messages", "zhen", "--show", old).stdout.decode()
    assert "status:   spam (marked by 王管理 at " in shown
    assert "广告乙" not in text(get(site, "/xian/zhen/liuyan/"))
    after = re.search(r'<tr id="total">(.*?)</tr>',
                      text(get(site, "/xian/zhen/liuyan/stats"))).group(1)
    cells = lambda row: [int(x) for x in re.findall(r"<td>(\d+)</td>", row)[:2]]  # noqa: E731
    # Neither is received any more (广告甲 counts only when 20 days ago was this year), and
    # 广告乙 is no longer answered.
    now = datetime.now(CST)
    this_year = (now - timedelta(days=20)).year == now.year
    assert cells(after)[0] == cells(before)[0] - 1 - this_year, (before, after)
    assert cells(after)[1] == cells(before)[1] - 1, (before, after)
    assert not [d for d in audit_codes() if old in d]
    assert f"message {old}" not in site.ctl("check").stderr.decode()
    hist = [line.split("\t") for line in site.ctl("history", "zhen").stdout.decode().splitlines()]
    marks = [h for h in hist if h[2] == "spam"]
    assert sorted(h[3] for h in marks) == sorted([f"zhen/liuyan/{old}", f"zhen/liuyan/{answered}"])
    assert all(h[5] == "by 王管理" for h in marks)


# ------------------------------------------------------------------------------ daily limits

def test_daily_limit_and_budget(tmp_path_factory):
    """A site's daily cap (429) and the cluster's daily byte budget (503), both with a
    Retry-After of the time to midnight (UTC+8), each named once in the error log."""
    s = sites()
    s["edu"]["extra"] = board("mailbox", "局长信箱", daily_limit=3)
    c = make_cluster(tmp_path_factory, "interaction-day", sites=s,
                     limits={**LIMITS, "message_bytes_per_day": "20KiB"},
                     extra_conf=f"themes: {THEMES}\n")
    c.start()
    try:
        for i in range(3):
            submit(c, title=f"日限{i}")
        now = datetime.now(CST)
        midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        for _ in range(2):
            r = post(c, "/edu/mailbox/", message(token(c), title="日限超出"))
            assert r.status == 429 and "本站今日受理的留言已达上限" in text(r)
            assert abs(int(r.header("Retry-After")) - (midnight - now).total_seconds()) < 5
        # Other sites are not affected by edu's cap; the budget is everyone's, in bytes.
        big = "字" * 5000  # 15,000 bytes
        assert post(c, "/xian/xinxiang/", message(token(c, "/xian/xinxiang/"), title="大1",
                                                  body=big)).status == 303
        r = post(c, "/xian/xinxiang/", message(token(c, "/xian/xinxiang/"), title="大2", body=big))
        assert r.status == 503 and "留言系统暂时无法受理更多留言" in text(r)
        assert abs(int(r.header("Retry-After")) - (midnight - now).total_seconds()) < 5
        assert submit(c, board_path="/xian/xinxiang/", title="小")  # a short one still fits
        log = read_text(c.error_log)
        assert log.count("daily limit of the site (3 a day to edu)") == 1, log
        assert log.count("daily byte budget of the cluster (limits.message_bytes_per_day 20480)") == 1
        titles = [row[5] for row in messages(c, "edu")] + [row[5] for row in messages(c, "xian")]
        assert "日限超出" not in titles and "大2" not in titles and "大1" in titles
    finally:
        c.stop()


def test_flood_leaves_the_reserve(tmp_path_factory):
    """A flood of maximum-size messages on a 4 MiB store with 1 MiB reserved: refused
    with 503 once the store is down to its reserve, and publish, import and reply still
    work."""
    s = sites()
    s["portal"]["extra"] = board("hudong", "政民互动", rate_limit=100000, daily_limit=100000)
    c = make_cluster(tmp_path_factory, "interaction-flood", sites=s, map_size="4MiB",
                     limits={**LIMITS, "message_bytes_per_day": "1GiB"},
                     extra_conf=f"themes: {THEMES}\nstore_reserve: 1MiB\n")
    c.start()
    try:
        tok = token(c, "/hudong/")
        body = urllib.parse.urlencode(message(tok, body="字" * 5000)).encode()
        hdrs = {"Host": PORTAL_HOST, "Content-Length": str(len(body)),
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"jiyue_form={tok.cookie}"}
        statuses, refused = [], []
        lock = threading.Lock()
        deadline = time.monotonic() + 60

        def flood():
            with RawConn(c.port, timeout=30) as conn:
                while time.monotonic() < deadline:
                    with lock:
                        if len(refused) >= 8 or len(statuses) >= 600:
                            return
                    conn.send_request("POST", "/hudong/", hdrs, body=body)
                    r = conn.read_response()
                    with lock:
                        statuses.append(r.status)
                        if r.status != 303:
                            refused.append(r)
        threads = [threading.Thread(target=flood) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=90)
        assert refused, f"{len(statuses)} accepted, none refused"
        accepted = statuses.count(303)
        assert 50 < accepted < 250, accepted  # about 3 MiB of 15 KB messages
        print(f"\nflood: {accepted} accepted, then {len(refused)} refused (503)")
        for r in refused:
            assert r.status == 503 and r.header("Retry-After") == "3600", r
            assert "留言系统暂时无法受理更多留言" in text(r)
        log = read_text(c.error_log)
        assert log.count("store reserve (store_reserve 1048576 bytes kept for publishing)") == 1, log
        assert "map is full" not in log

        # The reserve is there for the staff: publish, import and reply go through.
        art = c.root / "flood-article.md"
        art.write_text("---\nsite: edu\ncolumn: news\ntitle: 留言洪水之后照常发布\nsource: 测试\n"
                       "publisher: 李华\nreviewer: 王强\ndisclosure: 主动公开\n"
                       "secrecy_review: {by: 赵敏, date: 2026-08-31}\n---\n正文。\n")
        r = c.ctl("publish", art)
        assert r.returncode == 0, r.stderr
        path = r.stdout.decode().strip().splitlines()[-1]
        assert "留言洪水之后照常发布" in text(get(c, path))
        c.import_pages("xian", {"index.html": b"<!doctype html><title>x</title>XIAN-AFTER-FLOOD",
                                "big.txt": b"y" * 200_000})
        assert b"XIAN-AFTER-FLOOD" in get(c, "/xian/").body
        code = messages(c, "portal")[0][0]
        assert reply(c, "portal", code, "洪水之后的答复").returncode == 0
        assert "洪水之后的答复" in text(get(c, f"/hudong/q/{code}"))
        # And citizens are still refused (Retry-After), not failed.
        r = post(c, "/hudong/", message(token(c, "/hudong/"), title="仍被拒绝"))
        assert r.status == 503 and r.header("Retry-After") == "3600"
    finally:
        c.stop()


# ------------------------------------------------------------------------------ durability

def test_kill9_after_303(tmp_path_factory):
    c = new_cluster(tmp_path_factory, "interaction-kill")
    c.start()
    try:
        tok = token(c)
        r = post(c, "/edu/mailbox/", message(tok, title="断电前的留言"))
        assert r.status == 303
        os_kill = c.proc.kill  # SIGKILL at once: no shutdown, no flush
        os_kill()
        c.proc.wait(timeout=10)
        c.start()
        loc = r.header("Location")
        r2 = get(c, loc)
        assert r2.status == 200 and "断电前的留言" in text(r2)
        assert [row for row in messages(c, "edu") if row[5] == "断电前的留言"]
    finally:
        c.stop()


def test_burst_of_200(tmp_path_factory):
    """200 concurrent submissions: each stored exactly once, while pages keep being served
    (no page waits long behind the writes)."""
    c = new_cluster(tmp_path_factory, "interaction-burst")
    c.start()
    try:
        tok = token(c, "/hudong/")
        results = [None] * 200
        barrier = threading.Barrier(201, timeout=30)

        def one(i):
            body = urllib.parse.urlencode(message(tok, title=f"并发留言{i:03d}")).encode()
            try:
                with RawConn(c.port, timeout=30) as conn:
                    barrier.wait()
                    conn.send_request("POST", "/hudong/", {
                        "Host": PORTAL_HOST, "Content-Length": str(len(body)),
                        "Content-Type": "application/x-www-form-urlencoded",
                        "Cookie": f"jiyue_form={tok.cookie}"}, body=body)
                    results[i] = conn.read_response()
            except Exception as e:  # noqa: BLE001 - reported below
                results[i] = e

        latencies = []
        stop = threading.Event()

        def pages():
            deadline = time.monotonic() + 60
            while not stop.is_set() and time.monotonic() < deadline:
                t0 = time.monotonic()
                r = get(c, "/edu/page.html")
                latencies.append((time.monotonic() - t0, r.status))

        pager = threading.Thread(target=pages)
        pager.start()
        threads = [threading.Thread(target=one, args=(i,)) for i in range(200)]
        for t in threads:
            t.start()
        t0 = time.monotonic()
        barrier.wait()
        for t in threads:
            t.join(timeout=60)
        elapsed = time.monotonic() - t0
        stop.set()
        pager.join(timeout=10)

        bad = [(i, r) for i, r in enumerate(results) if not (hasattr(r, "status") and r.status == 303)]
        assert not bad, bad[:5]
        codes = {r.header("Location") for r in results}
        assert len(codes) == 200
        titles = [row[5] for row in messages(c, "portal")]
        assert sorted(titles) == sorted(f"并发留言{i:03d}" for i in range(200))  # once each
        assert latencies and all(s == 200 for _, s in latencies)
        assert max(lat for lat, _ in latencies) < 2.0, max(latencies)
        print(f"\n200 concurrent submissions in {elapsed:.2f}s ({200 / elapsed:.0f}/s); "
              f"{len(latencies)} pages meanwhile, slowest {max(latencies)[0] * 1000:.0f} ms")
    finally:
        c.stop()


def test_metrics_count_accepted_and_refused(tmp_path_factory):
    """/metrics (issue 17): citizens' submissions accepted, and refused by reason."""
    admin = free_port()
    c = make_cluster(tmp_path_factory, "imetrics", sites=sites(), limits=LIMITS,
                     extra_conf=f'themes: {THEMES}\nadmin:\n  listen: ["127.0.0.1:{admin}"]\n')
    c.start()

    def counts():
        got = {}
        for smp in metric_samples(admin):
            if smp.name.startswith("jiyue_messages"):
                got[smp.labels.get("reason", "accepted")] = smp.value
        return got

    try:
        assert counts()["accepted"] == 0
        submit(c)
        submit(c)
        assert post(c, "/edu/mailbox/", b"title=x", ctype="text/plain").status == 415
        assert post(c, "/edu/mailbox/", message("not-a-token"), cookie=False).status == 403
        assert post(c, "/edu/mailbox/", message(token(c), website="http://spam")).status == 303
        assert post(c, "/edu/mailbox/", message(token(c), title="")).status == 400
        got = counts()
        assert got["accepted"] == 2
        assert (got["media_type"], got["token"], got["honeypot"], got["invalid"]) == (1, 1, 1, 1)
        assert got["rate_limit"] == got["capacity"] == got["store"] == 0
    finally:
        c.stop()
