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
import subprocess
import threading
import time
import urllib.parse
from datetime import datetime, timedelta, timezone

import pytest

from conftest import (BASE_SITES, EDU_HOST, PORTAL_HOST, ROOT, Cluster, RawConn, make_cluster,
                      need_binaries, read_text, wait_for)

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
