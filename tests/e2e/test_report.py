"""tests/e2e/test_report.py: `jiyuectl report annual` (issue 17): the 政府网站工作年度报表
with what the test put in: articles by column type first published in the year (a
revision is not a new one, the year's edges in China Standard Time), topics kept and
opened, interpretations, messages received and answered with their mean days to reply,
visits from the statistics, and the self-inspection runs; in JSON, CSV and HTML, with the
fields the platform cannot know left blank."""
import csv
import io
import json
import time

from conftest import BASE_SITES, PORTAL_HOST, Cluster, site_yaml

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0 Safari/537.36"
COLUMNS = ("  - {id: policy, name: 政策文件, type: policy}\n"
           "  - {id: jiedu, name: 政策解读, type: interpretation}\n"
           "  - {id: zt-old, name: 老专题, type: topic}\n"
           "  - {id: zt-new, name: 新专题, type: topic}\n"
           "  - {id: mailbox, name: 局长信箱, type: interaction}\n"
           "interaction: {reply_days: 15}\n")


def cluster(tmp_path):
    sites = {k: dict(v) for k, v in BASE_SITES.items()}
    sites["edu"]["extra"] = COLUMNS
    c = Cluster(tmp_path / "c", sites=sites, extra_conf="stats_flush_interval: 200ms\n")
    c.import_base()
    return c


def publish(c, col, aid, date, cmd="publish", title=None):
    p = c.root / f"{col}-{aid}-{cmd}.md"
    p.write_text(f"---\nsite: edu\ncolumn: {col}\nid: {aid}\ntitle: {title or aid}\n"
                 f"publisher: 王五\nreviewer: 李四\nsecrecy_review: {{by: 赵六, date: 2025-01-01}}\n"
                 f"disclosure: 主动公开\ndate: \"{date}\"\n---\n正文\n")
    r = c.ctl(cmd, p)
    assert r.returncode == 0, r.stderr.decode()


def report(c, *args):
    r = c.ctl("report", "annual", "--year", "2026", *args)
    assert r.returncode == 0, r.stderr.decode()
    return r.stdout.decode()


def test_annual_report(tmp_path):
    c = cluster(tmp_path)
    for i in range(3):
        publish(c, "news", f"n{i}", f"2026-0{i + 1}-10 09:00")
    publish(c, "news", "n0", "2026-06-01 09:00", cmd="update", title="改")  # a revision
    publish(c, "news", "edge-2025", "2025-12-31 23:59")  # 2025 in Beijing
    publish(c, "news", "edge-2026", "2026-01-01 00:00")
    publish(c, "notice", "t1", "2026-03-01 10:00")
    publish(c, "policy", "p1", "2026-04-01 10:00")
    publish(c, "policy", "p2", "2026-05-01 10:00")
    publish(c, "jiedu", "j1", "2026-04-02 10:00")
    publish(c, "zt-old", "o1", "2025-06-01 10:00")
    publish(c, "zt-old", "o2", "2026-06-01 10:00")
    msgs = c.root / "messages.yaml"
    msgs.write_text(
        "- {site: edu, column: mailbox, title: 问一, body: 内容, name: 张三, phone: '13800001111', days_ago: 30,\n"
        "   replies: [{by: 办公室, text: 答一, after_days: 2}]}\n"
        "- {site: edu, column: mailbox, title: 问二, body: 内容, name: 李四, phone: '13800001112', days_ago: 20,\n"
        "   replies: [{by: 办公室, text: 答二, after_days: 5}]}\n"
        "- {site: edu, column: mailbox, title: 问三, body: 内容, name: 王五, phone: '13800001113', days_ago: 3}\n")
    r = c.ctl("message_import", msgs)
    assert r.returncode == 0, r.stderr.decode()
    c.start()
    try:
        for i in range(4):
            assert c.get("/edu/", host=PORTAL_HOST, headers={"User-Agent": f"{BROWSER} {i}"}).status == 200
        assert c.get("/edu/", host=PORTAL_HOST, headers={"User-Agent": f"{BROWSER} 0"}).status == 200
    finally:
        c.stop()  # the last visits are written at exit
    # the first self-inspection finds the new topic column blank; the second sees it fixed
    r = c.ctl("audit", "edu", "--format", "json")
    assert r.returncode in (0, 1), r.stderr.decode()
    first = json.loads(r.stdout)
    assert any(f["rule"] == "column-blank" and "zt-new" in json.dumps(f, ensure_ascii=False)
               for s in first["sites"] for f in s["findings"]), first
    publish(c, "zt-new", "z1", "2026-07-01 10:00")
    time.sleep(1.1)  # a run is kept per second: a second run in the same one replaces it
    r = c.ctl("audit", "edu")
    assert r.returncode in (0, 1), r.stderr.decode()
    r = c.ctl("audit", "edu", "--at", "2026-06-01")  # backdated: not a run of today
    assert r.returncode in (0, 1), r.stderr.decode()

    got = json.loads(report(c, "edu", "--format", "json"))
    assert got["year"] == 2026 and len(got["sites"]) == 1
    edu = got["sites"][0]
    assert edu["site"] == "edu" and edu["name"] == "测试市教育局"
    assert edu["site_code"] == "1100000002" and edu["organizer"] == "测试市教育局办公室"
    assert (edu["visitors"], edu["page_views"]) == (4, 5)
    # news: n0 n1 n2 edge-2026 + notice t1 = 5; open catalogue: p1 p2; jiedu j1; topics o2 z1
    assert (edu["news"], edu["open_catalogue"], edu["interpretations"]) == (5, 2, 1)
    assert edu["articles"] == 5 + 2 + 1 + 2
    assert (edu["topics"], edu["topics_new"]) == (2, 1)
    assert (edu["messages"], edu["answered"], edu["published"]) == (3, 2, 2)
    assert edu["reply_days"] == 3.5
    assert edu["audit_runs"] == 2
    assert edu["problems_fixed"] == 1 and edu["problems_found"] >= 1
    assert "办事服务/政务服务事项数量（项）" in edu["blank"]
    assert "信息发布/概况类信息更新量（条）" in edu["blank"]
    # another year has none of it
    other = json.loads(c.ctl("report", "annual", "--year", "2025", "edu", "--format",
                             "json").stdout)["sites"][0]
    assert (other["news"], other["topics_new"], other["messages"], other["audit_runs"]) == (1, 1, 0, 0)

    rows = list(csv.reader(io.StringIO(report(c, "edu"))))
    assert rows[0] == ["站点", "栏目", "项目", "数值"]
    table = {(r[1], r[2]): r[3] for r in rows[1:]}
    assert table[("互动交流", "平均办理时间（天）")] == "3.5"
    assert table[("网站基本信息", "网站总访问量（次）")] == "5"
    assert table[("办事服务", "注册用户数（个）")] == ""

    html = report(c, "edu", "--format", "html")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="zh-CN">' in html
    assert html.count("<h1>") == 1 and "<h2>测试市教育局</h2>" in html
    assert '<th scope="row">收到留言数量（条）</th><td class="n">3</td>' in html

    # --publish: the form becomes an article of the site, through publish's own checks
    r = c.ctl("report", "annual", "--year", "2026", "edu", "--publish", "notice")
    assert r.returncode == 2 and b"--by NAME and --reviewer NAME" in r.stderr
    r = c.ctl("report", "annual", "--year", "2026", "edu", "--publish", "notice", "--by", "王五",
              "--reviewer", "王五")
    assert r.returncode == 1 and b"refused" in r.stderr  # the reviewer must not be the publisher
    r = c.ctl("report", "annual", "--year", "2026", "edu", "--publish", "notice", "--by", "王五",
              "--reviewer", "李四")
    assert r.returncode == 0, r.stderr
    url = r.stdout.decode().strip()
    assert url.startswith("/edu/notice/") and url.endswith("nianbiao-2026.html"), url
    c.start()
    try:
        page = c.get(url, host=PORTAL_HOST)
        assert page.status == 200
        text = page.body.decode()
        assert "测试市教育局政府网站工作年度报表（2026年度）" in text
        assert '<th scope="row">收到留言数量（条）</th><td class="n">3</td>' in text
    finally:
        c.stop()
    trail = c.ctl("history", "edu").stdout.decode()
    assert "nianbiao-2026" in trail and "王五" in trail and "李四" in trail
    # made again: a new revision of the same article
    r = c.ctl("report", "annual", "--year", "2026", "edu", "--publish", "notice", "--by", "王五",
              "--reviewer", "李四")
    assert r.returncode == 0 and r.stdout.decode().strip() == url

    # every site by default; bad arguments are refused
    assert len(json.loads(report(c, "--format", "json"))["sites"]) == len(BASE_SITES)
    for args, msg in ((["report", "annual", "--year", "26"], b"--year takes a year"),
                      (["report", "yearly"], b"the report to make: annual"),
                      (["report", "annual", "nosuch"], b"unknown site 'nosuch'"),
                      (["report", "annual", "--format", "pdf"], b"--format takes csv, json or html")):
        r = c.ctl(*args)
        assert r.returncode == 2 and msg in r.stderr, (args, r.stderr)
