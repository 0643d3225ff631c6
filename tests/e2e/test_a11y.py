# tests/e2e/test_a11y.py: accessibility (无障碍) and the 适老化 mode (关怀版).
#
# In a real browser (tests/browser/a11y.mjs: Debian's chromium, puppeteer-core, axe-core,
# installed by tools/install-deps.sh): every page the default theme renders, in the normal
# and the 适老化 mode, over the repo's demo cluster: axe's WCAG 2.1 A/AA rules with zero
# violations (and 7:1 contrast in the 适老化 mode), the skip link, landmarks, one h1, the
# labels and errors of the message form, the keyboard order, 360 px and print. The theme
# checked is THEME (`make a11y THEME=name`), default `default`.
#
# Over HTTP: the switch endpoint (a cookie, 303 back to a local path only: never an open
# redirect), and the two renderings never answering each other's conditional requests nor
# sharing a cache entry (ETags differ, Vary: Cookie).
import datetime
import json
import os
import re
import shutil
import struct
import subprocess
import urllib.parse

import pytest

from conftest import (CONSOLE_PASSWORD, JIYUECTL, ROOT, Cluster, free_port, need_binaries, run,
                      strip_tls)
from test_search import load

BROWSER_DIR = ROOT / "tests" / "browser"
CHROMIUM = "/usr/bin/chromium"
PORTAL = "www.yunling.gov.cn"
EDU = "edu.yunling.gov.cn"
THEME = os.environ.get("THEME", "default")
THEMES = os.environ.get("THEMES", str(ROOT / "conf" / "themes"))
REQUIRED = os.environ.get("A11Y_REQUIRED") == "1"  # make a11y: missing tools fail the check
CARE = "jiyue_care=1"


def a11y_cluster(root):
    """The demo cluster (sites.d, demo/ pages and articles, citizens' messages), plus what
    the pages need to exist: a second page of edu's news, a Markdown article with an image,
    a small daily byte budget for messages (the form's 503), the console."""
    need_binaries()
    themes = THEMES
    c = Cluster(root, sites={}, workers=1,
                limits={"max_body_bytes": "64KiB", "message_bytes_per_day": "3KiB"},
                extra_conf=f"themes: {themes}\n")
    c.admin_port = free_port()
    c.extra_conf += f'admin:\n  listen: ["127.0.0.1:{c.admin_port}"]\n  allow: ["127.0.0.1/32"]\n'
    c.write_conf()
    for f in sorted((ROOT / "sites.d").glob("*.yaml")):
        text = strip_tls(f.read_text())
        if THEME != "default":
            text = re.sub(r"^theme:.*\n", "", text, flags=re.M) + f"theme: {THEME}\n"
        (c.sites_dir / f.name).write_text(text)
    for d in sorted((ROOT / "demo").iterdir()):
        if d.is_dir() and "@" not in d.name and (c.sites_dir / f"{d.name}.yaml").exists():
            if d.name == "edu":  # edu's 404 is the theme's error.html, not the demo's own page
                d = shutil.copytree(d, c.root / "demo-edu", ignore=shutil.ignore_patterns("404.html"))
            r = c.ctl("import", d.name if d.name != "demo-edu" else "edu", d)
            assert r.returncode == 0, r.stderr
    arts = c.root / "articles"
    arts.mkdir()
    front = ("---\nsite: edu\ncolumn: news\ntitle: {title}\nsource: 云岭市教育局\npublisher: 李华\n"
             "reviewer: 王审\ndisclosure: 主动公开\nsecrecy_review: {{by: 王审, date: 2026-11-01}}\n"
             "date: \"2026-10-{day:02d} 09:00\"\nid: {aid}\n---\n{body}\n")
    for i in range(1, 23):  # more than a page (20) of edu's news
        (arts / f"n{i:02d}.md").write_text(front.format(title=f"教育动态第{i}期", day=i, aid=f"n{i:02d}",
                                                        body=f"第{i}期的内容。"))
    (arts / "img.md").write_text(front.format(
        title="校园安全检查图文报道", day=23, aid="tuwen",
        body="检查组到校查看消防设施。\n\n![检查组查看学校消防通道](/edu/images/nothing.png)\n\n"
             "| 项目 | 结果 |\n|---|---|\n| 消防通道 | 畅通 |\n"))
    for f in [*sorted(ROOT.glob("demo/articles/*/*.md")), *sorted(arts.iterdir())]:
        r = c.ctl("publish", f)
        assert r.returncode == 0, r.stderr
    r = c.ctl("message_import", ROOT / "demo" / "messages" / "messages.yaml")
    assert r.returncode == 0, r.stderr
    hot_searches(c, "edu", [("教育动态", 3), ("教育局招聘", 2), ("校园安全", 1)])
    r = run([JIYUECTL, "-c", c.conf, "user", "add", "a11y.admin", "--role", "cluster_admin",
             "--password-stdin"], input=CONSOLE_PASSWORD.encode() + b"\n", timeout=60)
    assert r.returncode == 0, r.stderr
    return c


def hot_searches(c, site, terms):
    """Today's (UTC+8) hot-search counts of site, written into the store as search_hot.c
    writes them, so the search pages show their hot and related searches (相关搜索)."""
    day = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=8)).strftime("%Y%m%d")
    v = b"JYSH" + struct.pack("<HH", 1, len(terms))
    for term, count in terms:
        t = term.encode()
        v += struct.pack("<II", count, len(t)) + t + b"\0"
    load(c, [(f"xh/{site}/{day}".encode(), v)])


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    c = a11y_cluster(tmp_path_factory.mktemp("a11y"))
    c.start()
    yield c
    c.stop()


def need_browser():
    missing = pytest.fail if REQUIRED else pytest.skip
    if not os.path.exists(CHROMIUM):
        missing("Debian's chromium is not installed (tools/install-deps.sh installs it)")
    for m in ("puppeteer-core", "axe-core"):
        if not (BROWSER_DIR / "node_modules" / m).is_dir():
            missing(f"tests/browser/node_modules/{m} is missing (tools/install-deps.sh runs npm ci)")
    node = shutil.which("node")
    if not node:
        missing("node is not installed (tools/install-deps.sh installs it)")
    return node


def pages(c):
    base = f"http://{PORTAL}:{c.port}"
    q = urllib.parse.quote
    return [
        {"name": "portal home", "url": f"{base}/", "status": 200},
        {"name": "site home", "url": f"{base}/edu/", "status": 200},
        {"name": "column", "url": f"{base}/edu/news/", "status": 200},
        {"name": "column page 2", "url": f"{base}/edu/news/index_2.html", "status": 200},
        {"name": "markdown article", "url": f"{base}/edu/news/tuwen.html", "status": 200,
         "checks": ["img-alt=检查组查看学校消防通道"]},
        {"name": "policy article", "url": f"{base}/policy/2026-11-05-jiyuehua-guanli-banfa.html",
         "status": 200},
        {"name": "suspended notice", "url": f"{base}/anning/longtan/", "status": 200, "landmarks": False},
        {"name": "suspended notice 503", "url": f"{base}/anning/longtan/gzdt/", "status": 503,
         "landmarks": False},
        {"name": "closed notice", "url": f"{base}/wsj/", "status": 200, "landmarks": False},
        {"name": "404", "url": f"{base}/edu/no-such-page.html", "status": 404},
        {"name": "message list", "url": f"{base}/edu/mailbox/", "status": 200},
        {"name": "message form", "url": f"{base}/edu/mailbox/new", "status": 200},
        {"name": "message form refused", "url": f"{base}/edu/mailbox/new", "status": 400,
         "submit": {"f-title": "", "f-body": "内容", "f-name": "张三", "f-phone": "abc"},
         "checks": ["invalid"]},
        {"name": "message receipt", "url": f"{base}/edu/mailbox/new", "status": 200,
         "submit": {"f-title": "无障碍测试留言", "f-body": "请问关怀版怎么打开？", "f-name": "张三",
                    "f-phone": "13800000000"}},
        {"name": "message form 503 (daily budget)", "url": f"{base}/edu/mailbox/new", "status": 503,
         "submit": {"f-title": "很长的留言", "f-body": "字" * 1200, "f-name": "张三",
                    "f-phone": "13800000000"}},
        {"name": "answered message", "url": f"{base}/interaction/m/1.html", "status": 200},
        {"name": "message statistics", "url": f"{base}/edu/mailbox/stats", "status": 200,
         "checks": ["th"]},
        {"name": "search with results", "url": f"{base}/edu/search?q={q('教育')}", "status": 200,
         "checks": ["related"]},
        {"name": "search without results", "url": f"{base}/edu/search?q={q('没有这个词语')}",
         "status": 200},
        {"name": "search box", "url": f"{base}/search", "status": 200},
    ]


CONSOLE_PAGES = ["/", "/drafts", "/drafts/new", "/messages?site=edu", "/history?site=edu",
                 "/audit?site=edu", "/offer?site=edu&column=news&id=tuwen"]


def browser_run(c, tmp_path, **extra):
    node = need_browser()
    env = dict(os.environ)
    env.update({
        "PAGES": json.dumps(pages(c), ensure_ascii=False),
        "CONSOLE": json.dumps(CONSOLE_PAGES),
        "ADMIN_URL": f"http://127.0.0.1:{c.admin_port}",
        "USER_NAME": "a11y.admin", "PASSWORD": CONSOLE_PASSWORD,
        "KEYS_URL": f"http://{PORTAL}:{c.port}/edu/news/",
        "FORM_URL": f"http://{PORTAL}:{c.port}/edu/mailbox/new",
        "HOST_RULES": "MAP *.yunling.gov.cn 127.0.0.1, MAP www.yunling.gov.cn 127.0.0.1",
        "HOME": str(tmp_path), "STEP_MS": "15000",
    })
    env.update(extra)
    r = subprocess.run([node, str(BROWSER_DIR / "a11y.mjs")], cwd=BROWSER_DIR, env=env,
                       capture_output=True, timeout=600)
    out = r.stdout.decode(errors="replace") + r.stderr.decode(errors="replace")
    print(out[-3000:])
    assert r.returncode == 0, out[-8000:]
    return out


def personal_draft(c):
    """A submitted draft of edu whose body shows an unmasked ID and a mobile number: its
    editor's and review pages carry the 个人信息提示 and the second approval checkbox."""
    from conftest import Api
    api = Api(c)
    assert api.login("a11y.admin").status == 200
    r = api.call("POST", "/api/drafts", {
        "site": "edu", "column": "news", "title": "助学金发放公示", "source": "云岭市教育局",
        "author": "李华", "disclosure": "主动公开",
        "body": "# 公示\n\n张三，身份证号 11010519491231002X，电话 13812345678。\n"})
    assert r.status == 201, r
    did = r.json["id"]
    assert api.call("POST", f"/api/drafts/{did}/submit").status == 200
    return did


def test_every_page_in_both_modes_in_chromium(demo, tmp_path):
    did = personal_draft(demo)
    console = CONSOLE_PAGES + [f"/drafts/{did}", f"/review/{did}"]
    from conftest import Api
    api = Api(demo)
    assert api.login("a11y.admin").status == 200
    for path in console[-2:]:  # what axe is to see there: the warning (and the review's box)
        body = admin_get(demo, path, cookie=f"jiyue_console={api.cookie}").body
        assert b'id="personal-data"' in body and b"110105********002X" in body, path
    out = browser_run(demo, tmp_path, CONSOLE=json.dumps(console))
    n = len(pages(demo))
    assert f"ok: normal: {n} pages" in out and f"ok: care: {n} pages" in out, out
    assert f"ok: console: {len(console) + 1} pages in both modes" in out, out
    assert "ok: normal keyboard column:" in out and "ok: care keyboard form:" in out, out
    assert re.search(r"ok: mode switch: switched with \"关怀版（大字）\" \(JavaScript off\): care=true",
                     out), out
    # the console's switch: on from the sign-in page, off from the signed-in home
    assert re.search(r"ok: console switch: switched with \"关怀版（大字）\" \(JavaScript off\): "
                     r"care=true", out), out
    assert re.search(r"ok: console switch: switched with \"返回标准版\" \(JavaScript off\): "
                     r"care=false", out), out
    m = re.search(r"ok: checked (\d+) page renderings with (\d+) axe rules", out)
    assert m and int(m.group(1)) == 2 * n + 2 * (len(console) + 1) and int(m.group(2)) > 50, out


# ---------------------------------------------------------------- over HTTP (no browser)

def get(c, path, care=False, host=PORTAL, headers=None):
    h = dict(headers or {})
    if care:
        h["Cookie"] = "jiyue_form=x; " + CARE + "; other=1"
    return c.get(path, host=host, headers=h)


def test_switch_sets_the_cookie_and_comes_back(demo):
    r = demo.get("/edu/care?on=1&to=%2Fedu%2Fsearch%3Fq%3D%E6%95%99%E8%82%B2%26page%3D2",
                 host=PORTAL)
    assert r.status == 303, r
    assert r.header("Location") == "/edu/search?q=%E6%95%99%E8%82%B2&page=2"
    assert r.header("Set-Cookie") == "jiyue_care=1; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly"
    assert r.header("Cache-Control") == "no-store"
    r = demo.get("/edu/care?on=0&to=/edu/news/", host=PORTAL)
    assert r.status == 303 and r.header("Location") == "/edu/news/"
    assert r.header("Set-Cookie") == "jiyue_care=; Path=/; Max-Age=0; SameSite=Lax; HttpOnly"
    # no return address: the home of the site whose switch it is, as the request spelled it
    assert demo.get("/edu/care?on=1", host=PORTAL).header("Location") == "/edu/"
    assert demo.get("/care?on=1", host=EDU).header("Location") == "/"
    # it works on a suspended site too (before its notice), and HEAD answers the same
    r = demo.get("/anning/longtan/care?on=1", host=PORTAL)
    assert r.status == 303 and r.header("Location") == "/anning/longtan/"
    r = demo.get("/edu/care?on=1", host=PORTAL, method="HEAD")
    assert r.status == 303 and r.header("Set-Cookie").startswith("jiyue_care=1;")
    # any other method is not a switch
    assert demo.get("/edu/care?on=1", host=PORTAL, method="POST",
                    headers={"Content-Length": "0"}).status != 303


@pytest.mark.parametrize("to", [
    "https://evil.example/", "//evil.example/", "/%5Cevil.example/", "%2F%2Fevil.example",
    "/%09/evil.example", "/%0a/evil.example", "/x%0d%0aSet-Cookie:%20a=b", "evil.example",
    "javascript:alert(1)", "%ZZ", "/ok%20space", "/%7F",
])
def test_switch_never_leaves_the_host(demo, to):
    """The return address is a path of this host or nothing: the site's home otherwise."""
    r = demo.get(f"/edu/care?on=1&to={to}", host=PORTAL)
    assert r.status == 303, r
    assert r.header("Location") == "/edu/", (to, r.header("Location"))
    assert len(r.headers_all("Set-Cookie")) == 1


def mode_pair(c, path, host=PORTAL):
    n, k = get(c, path, host=host), get(c, path, care=True, host=host)
    return n, k


@pytest.mark.parametrize("path", ["/edu/news/", "/edu/news/tuwen.html", "/edu/", "/",
                                  "/policy/2026-11-05-jiyuehua-guanli-banfa.html"])
def test_the_modes_never_answer_each_others_conditionals(demo, path):
    n, k = mode_pair(demo, path)
    assert n.status == 200 and k.status == 200
    assert b'class="care"' in k.body and b'class="care"' not in n.body
    assert b"\xe8\xbf\x94\xe5\x9b\x9e\xe6\xa0\x87\xe5\x87\x86\xe7\x89\x88" in k.body  # 返回标准版
    for r in (n, k):
        assert "Cookie" in [v.strip() for v in r.header("Vary", "").split(",")], r.header_list
    en, ek = n.header("ETag"), k.header("ETag")
    assert en and ek and en != ek
    # each mode's own validator: 304; the other mode's: the full page, never a 304
    assert get(demo, path, headers={"If-None-Match": en}).status == 304
    assert get(demo, path, care=True, headers={"If-None-Match": ek}).status == 304
    r = get(demo, path, care=True, headers={"If-None-Match": en})
    assert r.status == 200 and r.body == k.body
    r = get(demo, path, headers={"If-None-Match": ek})
    assert r.status == 200 and r.body == n.body
    # the same with gzip (its own tags)
    gz = {"Accept-Encoding": "gzip"}
    gn = get(demo, path, headers=gz)
    gk = get(demo, path, care=True, headers=gz)
    assert gn.header("Content-Encoding") == "gzip" and gn.header("Vary") == "Accept-Encoding, Cookie"
    assert gn.header("ETag") != gk.header("ETag")
    assert get(demo, path, care=True, headers={**gz, "If-None-Match": gn.header("ETag")}).status == 200
    r = get(demo, path, care=True, headers={**gz, "If-None-Match": gk.header("ETag")})
    assert r.status == 304 and r.header("Vary") == "Accept-Encoding, Cookie"


def test_the_modes_never_share_a_cache_entry(demo):
    """Each page rendered first in one mode, then asked for in the other (one worker: one
    cache): every page type comes back in the mode asked for."""
    paths = ["/edu/news/index_2.html", "/health/", "/edu/mailbox/", "/edu/mailbox/stats",
             "/edu/no-such-page-a11y.html", "/edu/search?q=%E6%95%99%E8%82%B2", "/anning/longtan/",
             "/wsj/"]
    for i, path in enumerate(paths):
        first_care = i % 2 == 0
        a = get(demo, path, care=first_care)
        b = get(demo, path, care=not first_care)
        k, n = (a, b) if first_care else (b, a)
        assert k.status == n.status and k.status in (200, 404), (path, k.status)
        assert b'class="care"' in k.body and b'class="care"' not in n.body, path
        assert b'class="care-switch"' in n.body, path
        assert "Cookie" in n.header("Vary", ""), (path, n.header_list)
    # the feed and the sitemap have one rendering: no Vary on the cookie
    r = get(demo, "/edu/news/feed.xml", care=True)
    assert r.status == 200 and "Cookie" not in (r.header("Vary") or "")


def test_every_page_header_links_to_the_mode(demo):
    """The switch is a plain link in the header, back to the same page (the site's home
    from an error page, which is cached per site)."""
    n = get(demo, "/edu/news/")
    assert b'<a class="care-switch" href="/edu/care?on=1&amp;to=/edu/news/">' in n.body
    k = get(demo, "/edu/news/", care=True)
    assert b'<a class="care-switch" href="/edu/care?on=0&amp;to=/edu/news/">' in k.body
    a = get(demo, "/news/tuwen.html", host=EDU)  # on the site's own host: its paths there
    assert b'<a class="care-switch" href="/care?on=1&amp;to=/news/tuwen.html">' in a.body
    s = get(demo, "/edu/search?q=a%20b")
    assert b'href="/edu/care?on=1&amp;to=/edu/search%3Fq%3Da%2520b"' in s.body
    e = get(demo, "/edu/nothing-here.html")
    assert e.status == 404 and b'<a class="care-switch" href="/edu/care?on=1">' in e.body
    # the notice of a suspended site, on the portal's path and on 503 pages too
    for path, status in (("/anning/longtan/", 200), ("/anning/longtan/gzdt/", 503)):
        r = get(demo, path)
        assert r.status == status
        assert b'<a class="care-switch" href="/anning/longtan/care?on=1">' in r.body
        assert b'<a class="skip" href="#main">' in r.body and b'<main id="main"' in r.body
        assert r.body.count(b"<h1>") == 1 and b"<footer>" in r.body
        assert r.body.index(b"</main>") < r.body.index(b"<footer>")


@pytest.mark.parametrize("cookie,on", [
    ("jiyue_care=1", True), ("a=1;jiyue_care=1", True), ("jiyue_care=1 ; b=2", True),
    ("b=2;  jiyue_care=1", True), ("jiyue_care=10", False), ("xjiyue_care=1", False),
    ("jiyue_care=0", False), ("jiyue_care", False), ("jiyue_care=", False), ("", False),
])
def test_only_the_mode_cookie_turns_it_on(demo, cookie, on):
    r = demo.get("/edu/news/", host=PORTAL, headers={"Cookie": cookie})
    assert r.status == 200
    assert (b'<html lang="zh-CN" class="care">' in r.body) == on, cookie


# ---------------------------------------------------------------- the console's 适老化 mode

def admin_get(c, path, cookie=None, method="GET"):
    h = {"Content-Length": "0"} if method == "POST" else {}
    if cookie:
        h["Cookie"] = cookie
    return c.get(path, host=f"127.0.0.1:{c.admin_port}", headers=h, port=c.admin_port,
                 method=method)


def test_console_switch_sets_the_cookie_and_comes_back(demo):
    r = admin_get(demo, "/care?on=1&to=%2Fmessages%3Fsite%3Dedu%26state%3Dopen")
    assert r.status == 303, r
    assert r.header("Location") == "/messages?site=edu&state=open"
    assert r.header("Set-Cookie") == "jiyue_care=1; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly"
    assert r.headers_all("Cache-Control") == ["private, no-store"]
    r = admin_get(demo, "/care?on=0&to=/login", cookie=CARE)
    assert r.status == 303 and r.header("Location") == "/login"
    assert r.header("Set-Cookie") == "jiyue_care=; Path=/; Max-Age=0; SameSite=Lax; HttpOnly"
    assert admin_get(demo, "/care?on=1").header("Location") == "/"  # the console's home
    r = admin_get(demo, "/care?on=1", method="HEAD")
    assert r.status == 303 and r.header("Set-Cookie").startswith("jiyue_care=1;")
    # a display preference only: no other method, and nothing under /api/
    assert admin_get(demo, "/care?on=1", method="POST").status == 405
    assert admin_get(demo, "/api/care?on=1").status == 404


@pytest.mark.parametrize("to", [
    "https://evil.example/", "//evil.example/", "/%5Cevil.example/", "%2F%2Fevil.example",
    "/%09/evil.example", "/%0a/evil.example", "/x%0d%0aSet-Cookie:%20a=b", "evil.example",
    "javascript:alert(1)", "/%7F", "/%00x",
])
def test_console_switch_never_leaves_the_console(demo, to):
    r = admin_get(demo, f"/care?on=1&to={to}")
    assert r.status == 303, r
    assert r.header("Location") == "/", (to, r.header("Location"))
    assert len(r.headers_all("Set-Cookie")) == 1


def test_console_pages_in_the_care_mode(demo):
    """The sign-in page (and an error page) link the switch back to themselves, and carry
    console-care.css, class="care" and 返回标准版 with the cookie only; Vary: Cookie."""
    n = admin_get(demo, "/login")
    k = admin_get(demo, "/login", cookie="a=1; " + CARE)
    assert n.status == 200 and k.status == 200
    assert b'<a class="care-switch" href="/care?on=1&amp;to=/login">' in n.body
    assert b'<a class="care-switch" href="/care?on=0&amp;to=/login">' in k.body
    assert b'<link rel="stylesheet" href="/console-care.css">' in k.body
    assert b"console-care.css" not in n.body
    assert b'<html lang="zh-CN" class="care">' in k.body and b'<html lang="zh-CN">' in n.body
    for r in (n, k):
        assert "Cookie" in [v.strip() for v in r.header("Vary", "").split(",")], r.header_list
    assert b"console-care.css" not in admin_get(demo, "/login", cookie="jiyue_care=0").body
    e = admin_get(demo, "/no-such-page?x=1", cookie=CARE)
    assert e.status == 404 and b"/console-care.css" in e.body
    assert b'href="/care?on=0&amp;to=/no-such-page%3Fx%3D1"' in e.body
    css = admin_get(demo, "/console-care.css")
    assert css.status == 200 and css.header("Content-Type") == "text/css; charset=utf-8"
    assert b"html.care{font-size:20px}" in css.body and b"line-height:1.8" in css.body


def test_console_signed_in_pages_in_the_care_mode(demo):
    """Pages rendered on the worker and those built on the pool after the store is read
    (history, audit: the request's headers are gone by then) both keep the mode."""
    from conftest import Api
    api = Api(demo)
    assert api.login("a11y.admin").status == 200
    session = f"jiyue_console={api.cookie}"
    for path in ("/", "/drafts", "/history?site=edu", "/audit?site=edu"):
        n = admin_get(demo, path, cookie=session)
        k = admin_get(demo, path, cookie=f"{session}; {CARE}")
        assert n.status == 200 and k.status == 200, (path, n.status, k.status)
        assert b'<link rel="stylesheet" href="/console-care.css">' in k.body, path
        assert b"console-care.css" not in n.body, path
        to = path.replace("?", "%3F").replace("=", "%3D")
        assert f'<a class="care-switch" href="/care?on=0&amp;to={to}">'.encode() in k.body, path
        assert f'<a class="care-switch" href="/care?on=1&amp;to={to}">'.encode() in n.body, path
