# tests/e2e/test_browser.py: the demo portal as a browser sees it. The repo's own demo
# cluster (sites.d, demo/ pages, demo/articles published through jiyuectl) is served by
# the real jiyue and rendered by headless Chromium (Debian's chromium package); the checks
# read the DOM Chromium built: the title, the column navigation, the latest news from the
# subsites, and the footer's registration identifiers.
import html
import re

import pytest

from conftest import demo_cluster, dump_dom


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    c = demo_cluster(tmp_path_factory.mktemp("browser"))
    c.start()
    yield c
    c.stop()


def by_id(dom, ident):
    m = re.search(rf'<[a-z]+[^>]* id="{ident}"[^>]*>(.*?)</', dom, re.S)
    assert m, f"no element #{ident} in the DOM"
    return html.unescape(m.group(1)).strip()


def test_portal_in_chromium(demo, tmp_path):
    dom = dump_dom(f"http://127.0.0.1:{demo.port}/", tmp_path)
    assert re.search(r"<title>云岭市人民政府</title>", dom)
    # Navigation: the portal's columns, in order, from the DOM's nav element.
    nav = re.search(r'<nav class="nav" id="nav" aria-label="栏目导航">(.*?)</nav>', dom, re.S)
    assert nav
    names = re.findall(r"<a [^>]*>([^<]+)</a>", nav.group(1))
    assert names[:4] == ["首页", "政务要闻", "通知公告", "政策文件"]
    # News from the subsites, each with its site and a visible date.
    assert "各地各部门动态" in dom
    assert "全市开展校园安全大检查" in dom and "云岭市教育局" in dom
    assert re.search(r"<time datetime=\"2026-11-2\d[^\"]*\">2026-11-2\d</time>", dom)
    # Footer identifiers, as the browser sees them.
    assert by_id(dom, "site-code") == "6210000001"
    assert by_id(dom, "icp") == "滇ICP备05001234号"
    assert by_id(dom, "police") == "滇公网安备 53010202000101号"
    assert by_id(dom, "organizer") == "云岭市人民政府办公室"
    assert by_id(dom, "jiucuo") == "我为政府网站找错"
    assert 'id="conac"' in dom
    assert re.search(r'<meta name="SiteIDCode" content="6210000001">', dom)


def test_article_in_chromium(demo, tmp_path):
    dom = dump_dom(f"http://127.0.0.1:{demo.port}/edu/news/2026-11-21-anquan-dajiancha.html", tmp_path)
    assert "<title>全市开展校园安全大检查 - 云岭市教育局</title>" in dom
    assert '<meta name="PubDate" content="2026-11-21 16:20">' in dom
    assert by_id(dom, "pubdate") == "2026-11-21 16:20"
    assert by_id(dom, "site-code") == "6210000002"
