# tests/e2e/test_audit.py: `jiyuectl audit` and `jiyuectl probe` end to end. Two clusters
# are built the same way: a clean one, where the audit must report nothing at all, and
# one seeded with exactly one defect per rule (content made stale by its dates, a blank
# column, an unanswered old message, a broken, a foreign and an external link, an ad
# script, a home page without its identifiers, an article page without a date, an overdue
# suspension, a site without an interaction column, failed probes, an unmasked ID number
# and mobile number, a hidden gambling link), where the audit must
# report exactly those findings and nothing else. Also: the exit codes, --at, the JSON
# shape, and the Content-Security-Policy every site's responses carry.
import json
import time
from datetime import datetime, timedelta, timezone

import pytest

from conftest import ROOT, Cluster, free_port, site_head

THEMES = ROOT / "conf" / "themes"
BJ = timezone(timedelta(hours=8))
NOW = datetime.now(BJ)
TODAY = NOW.strftime("%Y-%m-%d")

PORTAL = "www.audit.gov.cn"
# personal data the audit must find and never print whole (check digits right)
ID_NUMBER = "530102199001011231"
ID_FULLWIDTH = "１１０１０５１９４９１２３１００２Ｘ"
ID_ORDER = "12" + ID_NUMBER  # inside an order number: not one
PHONE = "138-1234-5678"
PHONE_DIGITS = "13812345678"
EDU = "edu.audit.gov.cn"


def when(days_ago):
    return (NOW - timedelta(days=days_ago)).strftime("%Y-%m-%d %H:%M")


def site_file(sid, name, kind, parent=None, path=None, hosts=(), code="3300000000",
              columns=("news:dynamic", "notice:notice", "mailbox:interaction"), status="active",
              extra="", identifiers=True):
    lines = site_head(sid, name, kind, parent, path, hosts)
    lines += ["registration:", f'  site_code: "{code}"', f"  icp: 测ICP备{code[-6:]}号-1",
              f"  police: 测公网安备 {code}01号", f"  organizer: {name}办公室",
              "  contact: 0000-12345678"]
    lines.append(f"status: {status}")
    lines.append("columns:")
    for c in columns:
        cid, typ, *folder = c.split(":")  # "id:type" or "id:type:/old/folder/"
        more = f", folder: {folder[0]}" if folder else ""
        lines.append(f"  - {{id: {cid}, name: 栏目{cid}, type: {typ}{more}}}")
    return "\n".join(lines) + "\n" + extra


def page(title, body, footer=""):
    return (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>"
            f"<body><h1>{title}</h1>{body}<footer>{footer}</footer></body></html>").encode()


def footer_of(name, code):
    return (f"主办单位：{name}办公室 网站标识码：{code} 测ICP备{code[-6:]}号-1 "
            f"测公网安备{code}01号")


def article(site, col, aid, title, days_ago, body):
    return (f"---\nsite: {site}\ncolumn: {col}\nid: {aid}\ntitle: {title}\npublisher: 王五\n"
            f"reviewer: 李四\nsecrecy_review: {{by: 赵六, date: 2026-01-01}}\n"
            f"disclosure: 主动公开\ndate: \"{when(days_ago)}\"\n---\n"
            f"<!DOCTYPE html><html><body>{body}</body></html>\n")


def publish(c, site, col, aid, days_ago, body="<p>正文</p>"):
    d = c.root / "articles"
    d.mkdir(exist_ok=True)
    p = d / f"{site}-{col}-{aid}.html"
    p.write_text(article(site, col, aid, f"{site} {col} {aid}", days_ago, body))
    r = c.ctl("publish", p)
    assert r.returncode == 0, r.stderr.decode()


def messages(c, items):
    p = c.root / f"messages-{time.monotonic_ns()}.yaml"
    out = []
    for it in items:
        out.append(f"- site: {it['site']}\n  column: mailbox\n  title: {it['title']}\n"
                   f"  body: {it.get('body', '请问办理时间')}\n  name: 张三\n  phone: \"13800001234\"\n"
                   f"  days_ago: {it['days_ago']}\n")
        if "reply_after" in it:
            out.append(f"  replies:\n    - {{by: 办公室, text: {it.get('reply', '已答复')}, "
                       f"after_days: {it['reply_after']}}}\n")
    p.write_text("".join(out))
    r = c.ctl("message_import", p)
    assert r.returncode == 0, r.stderr.decode()


def fresh_site(c, sid, code, **kw):
    """A department under the portal with fresh news and notice items."""
    c.site_path(sid).write_text(site_file(sid, f"测试{sid}局", "department", parent="portal",
                                          path=f"/{sid}/", code=code, **kw))


def build(tmp_path, defects):
    """The audit cluster; with defects, one of each rule. Returns the started Cluster."""
    c = Cluster(tmp_path, sites={}, extra_conf=(
        f"themes: {THEMES}\n"
        "audit:\n  allow_hosts: [cdn.example.org]\n"))
    for f in c.sites_dir.glob("*.yaml"):  # the conftest's base sites: this cluster has its own
        f.unlink()
    c.site_path("portal").write_text(site_file(
        "portal", "测试审计市", "portal", hosts=[PORTAL], code="3300000001",
        columns=("news:dynamic", "notice:notice", "mailbox:interaction", "about:static")))
    c.site_path("edu").write_text(site_file(
        "edu", "测试审计教育局", "department", parent="portal", path="/edu/", hosts=[EDU],
        code="3300000002", extra="csp:\n  img-src: [https://img.example.cn]\n"))
    fresh_site(c, "imp", "3300000003")
    # imported pages only: dates shown, identifiers in the footer, relative links that work
    imp_pages = {
        "index.html": page("imp home", '<a href="news/a.html">a</a> <a href="../edu/">edu</a> '
                           '<a href="/imp/notice/b.html?x=1#top">b</a> <a href="mailto:x@y.cn">m</a>',
                           footer_of("测试imp局", "3300000003")),
        "news/a.html": page("a", f"<p>发布时间：{NOW:%Y-%m-%d}</p><a href='../index.html'>home</a>"),
        "notice/b.html": page("b", f"<p>{NOW.year}年{NOW.month}月{NOW.day}日</p>"
                              "<a href=\"./\">list</a>"),
        "notice/index.html": page("notice list", '<a href="b.html">b</a>'),
        # a <base> moves relative links: b.html is /imp/notice/b.html, not /imp/news/b.html
        "news/c.html": page("c", f'<base href="/imp/notice/"><p>{NOW:%Y-%m-%d}</p><a href="b.html">b</a>'),
    }
    if defects:
        imp_pages["news/nodate.html"] = page("nodate", "<p>没有日期的文章</p>")
    c.import_pages("imp", imp_pages)

    good_links = ('<p><a href="/edu/news/e1.html">edu</a> <a href="/imp/news/a.html">imp</a> '
                  f'<a href="http://{EDU}/notice/e2.html">abs</a> <a href="/news/">list</a> '
                  '<a href="p2.html">sibling</a> <a href="#x">top</a> '
                  '<img src="data:image/png;base64,AAAA" alt="示意图"></p>')
    publish(c, "portal", "news", "p1", 1, good_links)
    publish(c, "portal", "news", "p2", 2)
    publish(c, "portal", "notice", "p3", 3)
    publish(c, "edu", "news", "e1", 1)
    publish(c, "edu", "notice", "e2", 5)
    messages(c, [{"site": "portal", "title": "已答复的问题", "days_ago": 10, "reply_after": 2},
                 {"site": "edu", "title": "刚收到的问题", "days_ago": 1}])

    if defects:
        # homepage-stale: everything is 30 days old (its notice column may wait 183 days)
        c.site_path("stale").write_text(site_file(
            "stale", "测试stale局", "department", parent="portal", path="/stale/",
            code="3300000011", columns=("notice:notice", "mailbox:interaction")))
        publish(c, "stale", "notice", "s1", 30)
        # column-stale: notice 200 days old, news fresh
        fresh_site(c, "colstale", "3300000012")
        publish(c, "colstale", "news", "c1", 1)
        publish(c, "colstale", "notice", "c2", 200)
        # image-alt-missing: a Markdown article with an image without text (![](src)) and
        # one with it, in one finding with its count; an HTML article whose images say
        # what they show (alt in any case and quoting, '>' inside a value) is not reported
        md = c.root / "articles" / "colstale-news-c3.md"
        md.write_text(article("colstale", "news", "c3", "图片新闻", 1, "").split("<!DOCTYPE")[0]
                      + "![现场照片](data:image/png;base64,AAAA)\n\n![](data:image/png;base64,AAAA)\n"
                      + '<img src="data:image/png;base64,AAAA" data-alt="x">\n')
        r = c.ctl("publish", md)
        assert r.returncode == 0, r.stderr.decode()
        publish(c, "colstale", "news", "c4", 1,
                '<p><IMG ALT=\'图一\' src="data:image/png;base64,AAAA"><img title="a>b" alt="图二"'
                ' src="data:image/png;base64,AAAA"></p>')
        # column-blank: a policy column with nothing in it; an old page in a folder no
        # column claims (/xinwen/) does not excuse it. Imported pages the rendered ones
        # replace (the home, an article of the same name, an interaction column's list)
        # are seen by nobody: their broken links are not reported.
        fresh_site(c, "blank", "3300000013",
                   columns=("news:dynamic", "notice:notice", "policy:policy", "mailbox:interaction"))
        c.import_pages("blank", {
            "index.html": page("old home", '<a href="/blank/gone-home.html">x</a>'),
            "news/b1.html": page("old b1", f'<p>{NOW:%Y-%m-%d}</p><a href="gone-b1.html">x</a>'),
            "news/index.html": page("old news list", '<a href="gone-list.html">x</a>'),
            "mailbox/index.html": page("old mailbox", '<a href="/blank/gone-mailbox.html">x</a>'),
            "xinwen/old.html": page("old", f"<p>{NOW:%Y-%m-%d}</p>"),
        })
        publish(c, "blank", "news", "b1", 1)
        publish(c, "blank", "notice", "b2", 1)
        # no-interaction
        fresh_site(c, "noint", "3300000014", columns=("news:dynamic", "notice:notice"))
        publish(c, "noint", "news", "n1", 1)
        publish(c, "noint", "notice", "n2", 1)
        # message-unanswered: 20 days without a reply (reply_days 15)
        messages(c, [{"site": "edu", "title": "没人回答的问题", "days_ago": 20}])
        # links: broken, foreign, external (a government site: info), ad
        publish(c, "portal", "notice", "p4", 1,
                '<p><a href="/edu/news/nothing.html">gone</a> '
                '<a href="https://www.example.com/x">foreign</a> '
                '<a href="https://www.gov.cn/zhengce/">gov</a> '
                '<a href="https://cdn.example.org/file.pdf">allowed</a></p>'
                '<script async src="https://pagead2.googlesyndication.com/pagead/js/adsbygoogle.js">'
                '</script>')
        # identifier-missing: an imported home page without the identifiers
        # ... a policy column whose items are in its old folder (folder: /zcwj/), and a
        # plan column whose old folder holds only its list page: its items may be
        # elsewhere, so that is only information
        fresh_site(c, "noid", "3300000015", columns=("news:dynamic", "notice:notice",
                                                     "policy:policy:/zcwj/", "plan:plan:/ghjh/",
                                                     "mailbox:interaction"))
        c.import_pages("noid", {
            "zcwj/old.html": page("old", f"<p>{NOW:%Y-%m-%d}</p>"),
            "ghjh/index.html": page("plans", '<a href="../zcwj/old.html">old</a>'),
            "index.html": page("noid home", '<a href="news/a.html">a</a>', "主办单位：别的单位"),
            "news/a.html": page("a", f"<p>{NOW:%Y-%m-%d}</p>"),
            "notice/b.html": page("b", f"<p>{NOW:%Y/%m/%d}</p>"),
        })
        # personal-id, personal-phone: an imported page showing an ID number twice (once in
        # full-width digits) and a mobile number, beside masked forms and an order number;
        # a message answered in public quoting an ID; an unanswered one (not public) too.
        # link-hidden: an article hiding two gambling links (one host, one finding with its
        # count) beside a hidden menu of the site's own pages and a hidden government link
        fresh_site(c, "pii", "3300000018")
        c.import_pages("pii", {
            "news/leak.html": page("leak", f"<p>{NOW:%Y-%m-%d}</p><p>申请人身份证号：{ID_NUMBER}，"
                                   f"联系电话：{PHONE}；共同申请人 {ID_FULLWIDTH}。</p>"
                                   "<p>已遮蔽：5301**********1234、530102********1231、139****0000；"
                                   f"订单号 {ID_ORDER}</p>"),
            # a link hidden by a rule of the page's own style block, put after it
            "news/slots.html": page("slots", f"<p>{NOW:%Y-%m-%d}</p><div class=\"ft9 c\"><a "
                                    'href="http://www.888-slots.com/">老虎机</a></div>'
                                    "<style>.ft9{position:absolute;left:-9999px}</style>"),
        })
        publish(c, "pii", "news", "k1", 1,
                '<p>通知正文</p><div style="display:none"><a href="https://www.bet365-casino.com/">'
                '博彩</a><span><a href="https://www.bet365-casino.com/x">娱乐</a></span></div>'
                '<ul style="DISPLAY : NONE !important"><li><a href="/pii/news/leak.html">菜单</a></li>'
                '<li><a href="https://www.gov.cn/">中国政府网</a></li></ul>')
        publish(c, "pii", "notice", "k2", 1)
        messages(c, [{"site": "pii", "title": "身份证问题", "days_ago": 5, "reply_after": 1,
                      "body": f"我的身份证号是{ID_NUMBER}", "reply": "已收到"},
                     {"site": "pii", "title": "未公开的问题", "days_ago": 1,
                      "body": f"身份证{ID_NUMBER}"}])
        # suspension-overdue
        c.site_path("shut").write_text(site_file(
            "shut", "测试shut乡", "township", parent="portal", path="/shut/", code="3300000016",
            status=(f"{{state: suspended, from: {(NOW - timedelta(days=60)):%Y-%m-%d}, "
                    f"until: {(NOW - timedelta(days=5)):%Y-%m-%d}, reason: 合并}}")))
        # site-unreachable: fresh content, but its probes fail
        fresh_site(c, "down", "3300000017")
        publish(c, "down", "news", "d1", 1)
        publish(c, "down", "notice", "d2", 1)
    c.start()
    r = c.ctl("probe")
    assert r.returncode == 0, r.stdout.decode() + r.stderr.decode()
    if defects:
        closed = free_port()
        for _ in range(2):
            r = c.ctl("probe", "--address", f"127.0.0.1:{closed}", "down")
            assert r.returncode == 1 and b"FAIL" in r.stdout, r.stdout
    return c


def audit(c, *args):
    r = c.ctl("audit", "--at", TODAY, "--format", "json", *args, timeout=60)
    assert r.returncode in (0, 1), r.stderr.decode()
    return r.returncode, json.loads(r.stdout)


def findings(report):
    return sorted((s["id"], f["rule"], f["severity"]) for s in report["sites"] for f in s["findings"])


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    c = build(tmp_path_factory.mktemp("audit-clean"), defects=False)
    yield c
    c.stop()


@pytest.fixture(scope="module")
def dirty(tmp_path_factory):
    c = build(tmp_path_factory.mktemp("audit-dirty"), defects=True)
    yield c
    c.stop()


def test_clean_cluster_reports_nothing(clean):
    rc, rep = audit(clean)
    assert findings(rep) == [], json.dumps(rep, ensure_ascii=False, indent=1)
    assert rc == 0
    assert rep["at"] == TODAY
    assert {s["id"] for s in rep["sites"]} == {"portal", "edu", "imp"}
    assert all(s["verdict"] == "pass" for s in rep["sites"])


def test_each_defect_found_once_and_nothing_else(dirty):
    rc, rep = audit(dirty)
    assert rc == 1
    expected = [
        ("blank", "column-blank", "deduct"),
        ("colstale", "column-stale", "deduct"),
        ("colstale", "image-alt-missing", "deduct"),
        ("down", "site-unreachable", "veto"),
        ("edu", "message-unanswered", "deduct"),
        ("imp", "no-pubdate", "deduct"),
        ("noid", "column-blank", "info"),  # plan: /ghjh/ has a list page only: not judged
        ("noid", "identifier-missing", "veto"),
        ("noint", "no-interaction", "veto"),
        ("pii", "link-external", "info"),  # the hidden www.gov.cn link: no 暗链
        ("pii", "link-hidden", "veto"),  # the article's gambling links (one host)
        ("pii", "link-hidden", "veto"),  # slots.html's, hidden by its style block
        ("pii", "personal-id", "deduct"),  # the imported page
        ("pii", "personal-id", "deduct"),  # the answered message's public page
        ("pii", "personal-phone", "info"),
        ("portal", "ad", "veto"),
        ("portal", "link-broken", "deduct"),
        ("portal", "link-external", "info"),  # www.gov.cn: a government site
        ("portal", "link-external", "info"),  # cdn.example.org: in audit.allow_hosts
        ("portal", "link-foreign", "deduct"),
        ("shut", "suspension-overdue", "veto"),
        ("stale", "homepage-stale", "veto"),
    ]
    assert findings(rep) == expected, json.dumps(rep, ensure_ascii=False, indent=1)
    by_site = {s["id"]: s for s in rep["sites"]}
    fails = {sid for sid, s in by_site.items() if s["verdict"] == "fail"}
    assert fails == {"down", "noid", "noint", "pii", "portal", "shut", "stale"}
    # details and URLs point at the problem
    f = {(s["id"], x["rule"]): x for s in rep["sites"] for x in s["findings"]}
    assert "/edu/news/nothing.html" in f[("portal", "link-broken")]["detail"]
    assert f[("portal", "link-broken")]["url"] == f"http://{PORTAL}/notice/p4.html"
    assert "www.example.com" in f[("portal", "link-foreign")]["detail"]
    ext = sorted(x["detail"] for s in rep["sites"] for x in s["findings"] if x["rule"] == "link-external")
    assert "cdn.example.org" in ext[0] and "www.gov.cn" in ext[1]
    assert "googlesyndication" in f[("portal", "ad")]["detail"]
    assert f[("imp", "no-pubdate")]["url"].endswith("/imp/news/nodate.html")
    assert f[("colstale", "image-alt-missing")]["url"] == f"http://{PORTAL}/colstale/news/c3.html"
    assert f[("colstale", "image-alt-missing")]["detail"] == '1 image(s) without alt text in "图片新闻"'
    assert f[("colstale", "image-alt-missing")]["detail_zh"] == "文章《图片新闻》有 1 张图片没有替代文本（alt）"
    assert "网站标识码" in f[("noid", "identifier-missing")]["detail"]
    assert "2 of 3" in f[("down", "site-unreachable")]["detail"]
    assert f[("blank", "column-blank")]["url"] == f"http://{PORTAL}/blank/policy/"
    assert "/xinwen/" in f[("blank", "column-blank")]["detail"]
    assert "栏目 policy（栏目policy，政策文件）没有任何信息" in f[("blank", "column-blank")]["detail_zh"]
    assert f[("noid", "column-blank")]["url"] == f"http://{PORTAL}/noid/plan/"
    assert "/ghjh/" in f[("noid", "column-blank")]["detail_zh"]
    assert set(f[("edu", "message-unanswered")]) == {"rule", "severity", "detail", "detail_zh", "url"}
    # every finding has its Chinese detail beside the English one
    for s in rep["sites"]:
        for x in s["findings"]:
            assert any("\u4e00" <= ch <= "\u9fff" for ch in x["detail_zh"]), x
            assert x["detail_zh"] != x["detail"]
    assert f[("portal", "link-broken")]["detail_zh"].startswith("链接 /edu/news/nothing.html 指向的页面不存在")
    assert "符合广告特征" in f[("portal", "ad")]["detail_zh"]
    assert {s["id"]: s["status_name"] for s in rep["sites"]}["shut"] == "暂时关停"


def test_personal_data_and_hidden_links(dirty, tmp_path):
    rc, rep = audit(dirty, "pii")
    assert rc == 1
    got = rep["sites"][0]["findings"]
    ids = sorted((f for f in got if f["rule"] == "personal-id"), key=lambda f: f["url"])
    page, msg = ids[1], ids[0]  # /pii/mailbox/m/... sorts before /pii/news/...
    assert page["severity"] == "deduct"
    assert page["url"] == f"http://{PORTAL}/pii/news/leak.html"
    assert page["detail"] == ("2 unmasked ID card numbers (居民身份证号码) shown, first "
                              "530102********1231: mask them")
    assert page["detail_zh"] == "页面显示 2 个未遮蔽的居民身份证号码（首个 530102********1231），请作遮蔽处理"
    assert msg["url"].startswith(f"http://{PORTAL}/pii/mailbox/m/") and msg["url"].endswith(".html")
    assert msg["detail"].startswith("1 unmasked ID card number ")
    (phone,) = [f for f in got if f["rule"] == "personal-phone"]
    assert phone["severity"] == "info" and phone["url"] == page["url"]
    assert phone["detail"].startswith("1 unmasked mobile number shown, first 138****5678")
    assert "138****5678" in phone["detail_zh"]
    hidden, slots = sorted((f for f in got if f["rule"] == "link-hidden"), key=lambda f: f["url"])
    assert slots["severity"] == "veto" and slots["url"] == f"http://{PORTAL}/pii/news/slots.html"
    assert "www.888-slots.com" in slots["detail"] and "(1 time)" in slots["detail"]
    assert hidden["severity"] == "veto"
    assert hidden["url"] == f"http://{PORTAL}/pii/news/k1.html"
    assert "www.bet365-casino.com" in hidden["detail"] and "(2 times)" in hidden["detail"]
    assert "暗链" in hidden["detail_zh"] and "2 处" in hidden["detail_zh"]
    # the hidden menu (the site's own page) is no finding, the hidden government link only
    # the external link it always was, and a hidden link is reported as that only
    assert {f["rule"] for f in got} == {"personal-id", "personal-phone", "link-hidden", "link-external"}
    assert [f["detail"] for f in got if f["rule"] == "link-external"] == [
        "link to www.gov.cn, outside the cluster (1 time)"]
    # no report prints a whole number
    out = tmp_path / "pii.html"
    r = dirty.ctl("audit", "--at", TODAY, "--format", "html", "--out", out, "pii")
    assert r.returncode == 1
    reports = [json.dumps(rep, ensure_ascii=False), dirty.ctl("audit", "--at", TODAY, "pii").stdout.decode(),
               out.read_text()]
    assert "530102********1231" in reports[1] and "530102********1231" in reports[2]
    for text in reports:
        for whole in (ID_NUMBER, ID_FULLWIDTH, "11010519491231002", PHONE, PHONE_DIGITS, "1234-5678"):
            assert whole not in text


def test_named_sites_and_text_format(dirty):
    rc, rep = audit(dirty, "edu", "imp")
    assert [s["id"] for s in rep["sites"]] == ["edu", "imp"]
    assert rc == 0  # deductions only
    r = dirty.ctl("audit", "--at", TODAY, "stale")
    assert r.returncode == 1
    out = r.stdout.decode()
    assert "FAIL  stale" in out and "homepage-stale" in out
    # the text report is for people: Chinese details and status
    assert "FAIL  stale  测试stale局 (正常运行)" in out
    assert "首页自 " in out and " 起没有新信息（已 30 天，时限 14 天）" in out
    assert "no new item" not in out


def test_at_a_later_date_ages_the_content(clean):
    later = (NOW + timedelta(days=100)).strftime("%Y-%m-%d")
    r = clean.ctl("audit", "--at", later, "--format", "json")
    assert r.returncode == 1
    rep = json.loads(r.stdout)
    rules = {(s["id"], f["rule"], f["severity"]) for s in rep["sites"] for f in s["findings"]}
    for sid in ("portal", "edu", "imp"):
        assert (sid, "homepage-stale", "veto") in rules
        assert (sid, "column-stale", "deduct") in rules
        # the probes are older than a week by then: not monitored is only information
        assert (sid, "site-unreachable", "info") in rules
    # the message received a day ago is long overdue by then, and within the year: veto
    assert ("edu", "message-unanswered", "veto") in rules
    # and an earlier date sees none of today's content: blank columns, nothing on the home
    earlier = (NOW - timedelta(days=30)).strftime("%Y-%m-%d")
    rep = json.loads(clean.ctl("audit", "--at", earlier, "--format", "json", "edu").stdout)
    rules = {(f["rule"], f["severity"]) for f in rep["sites"][0]["findings"]}
    assert ("homepage-stale", "veto") in rules and ("column-blank", "deduct") in rules


def test_html_report_is_in_chinese(dirty, tmp_path):
    out = tmp_path / "report.html"
    r = dirty.ctl("audit", "--at", TODAY, "--format", "html", "--out", out, "blank", "shut")
    assert r.returncode == 1
    text = out.read_text()
    assert "栏目 policy（栏目policy，政策文件）没有任何信息" in text
    assert "<td>暂时关停</td>" in text and "has no items" not in text
    assert '<td class="sev-deduct">deduct 扣分</td>' in text


def test_census_counts_column_folders(dirty):
    r = dirty.ctl("census", "columns", "--format", "json")
    assert r.returncode == 0, r.stderr.decode()
    rows = {(x["site"], x["id"]): x for x in json.loads(r.stdout)}
    # below its folder:, the list page not counted
    assert rows[("noid", "policy")]["items"] == 1 and rows[("noid", "plan")]["items"] == 0
    # an old page an article of the same name replaces is not a second item
    assert rows[("blank", "news")]["items"] == 1
    assert rows[("noid", "plan")]["type"] == "plan" and rows[("noid", "plan")]["type_name"] == "规划计划"
    r = dirty.ctl("census", "columns")
    assert r.returncode == 0
    lines = r.stdout.decode().split("\r\n")
    assert lines[0] == "站点标识,网站名称,栏目标识,栏目名称,栏目类型,信息条数,最近更新,政策文件数,缺发文字号"
    # the policy column's item is an imported page: no article, so no policy document
    assert f"noid,测试noid局,policy,栏目policy,政策文件,1,{TODAY},0,0" in lines


def test_column_folder_is_validated(tmp_path):
    c = Cluster(tmp_path, sites={})
    for f in c.sites_dir.glob("*.yaml"):
        f.unlink()
    bad = {"news": "news/", "notice": "/", "policy": "/a/../b/", "plan": "'/a b/'",
           "personnel": "/old/", "other": "/old/"}
    cols = "".join(f"  - {{id: {k}, name: 栏目, type: notice, folder: {v}}}\n" for k, v in bad.items())
    text = site_file("portal", "测试", "portal", hosts=[PORTAL], code="3300000001", columns=())
    c.site_path("portal").write_text(text.replace("columns:\n", "columns:\n" + cols))
    r = c.ctl("check")
    assert r.returncode == 1
    err = r.stderr.decode() + r.stdout.decode()
    assert "column folder 'news/' must start and end with '/'" in err
    assert "column folder '/' must start and end with '/'" in err
    assert "column folder '/a/../b/' must not contain empty, '.' or '..' segments" in err
    assert "column folder '/a b/' must not contain spaces" in err
    assert "column other: folder '/old/' is already column personnel's" in err
    # a good one passes
    good = text.replace("columns:\n", "columns:\n  - {id: tzgg, name: 通知公告, type: notice, "
                        "folder: /news/tzgg/}\n  - {id: hd, name: 互动, type: interaction}\n")
    c.site_path("portal").write_text(good)
    r = c.ctl("check")
    assert r.returncode == 0, r.stderr.decode() + r.stdout.decode()


def test_usage_errors(clean):
    for args in (["--at", "2026-02-30"], ["--format", "xml"], ["nosuch"], ["--bogus"]):
        r = clean.ctl("audit", *args)
        assert r.returncode == 2, (args, r.stderr)
        assert b"usage:" in r.stderr


def test_out_file(clean, tmp_path):
    out = tmp_path / "report.json"
    r = clean.ctl("audit", "--at", TODAY, "--format", "json", "--out", out)
    assert r.returncode == 0 and r.stdout == b""
    assert json.loads(out.read_text())["at"] == TODAY


def test_csp_header(clean):
    r = clean.get("/", host=PORTAL)
    csp = r.header("Content-Security-Policy")
    assert csp, r
    d = {p.split()[0]: p.split()[1:] for p in csp.split("; ")}
    assert "'self'" in d["script-src"] and "cdn.example.org" in d["script-src"]
    assert f"{EDU}:*" in d["script-src"] and f"{PORTAL}:*" in d["default-src"]
    assert d["object-src"] == ["'none'"]
    assert "https://img.example.cn" not in csp
    r = clean.get("/", host=EDU)
    edu = r.header("Content-Security-Policy")
    assert "https://img.example.cn" in edu.split("img-src")[1].split(";")[0]
    # every response carries it, errors too
    assert clean.get("/nothing-here.html", host=PORTAL).header("Content-Security-Policy") == csp


def test_csp_key_is_validated(tmp_path):
    c = Cluster(tmp_path, sites={})
    for f in c.sites_dir.glob("*.yaml"):
        f.unlink()
    c.site_path("portal").write_text(site_file(
        "portal", "测试", "portal", hosts=[PORTAL], code="3300000001",
        extra="csp:\n  script-src: [\"https://a.cn; evil\"]\n  bogus: [x]\n"))
    r = c.ctl("check")
    assert r.returncode == 1
    err = r.stderr.decode() + r.stdout.decode()
    assert "unknown directive 'bogus'" in err and "source 'https://a.cn; evil'" in err


def test_probe_records(clean):
    r = clean.ctl("probe", "portal")
    assert r.returncode == 0
    line = r.stdout.decode().strip().split("\t")
    assert line[0] == "portal" and line[1] == "ok" and line[2] == "200"
    assert clean.ctl("probe", "nosuch").returncode == 2
